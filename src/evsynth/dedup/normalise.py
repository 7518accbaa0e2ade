"""Normalise the fields deduplication compares.

Databases export the same article differently: PubMed ends titles with a period and wraps
translated titles in brackets with "[Article in German]", Embase keeps Greek letters and HTML/MathML
markup, Web of Science upper-cases titles and journals, CENTRAL abbreviates journals, and page
ranges come as "1347-58" or "1347-1358". Each function here removes one kind of difference so
that the scorer compares content, not formatting (see Bramer et al. 2016, J Med Libr Assoc
104:240, and the ASySD rules, Hair et al. 2023, BMC Biology 21:189, for the differences seen in
practice).
"""

from __future__ import annotations

import html
import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache
from urllib.parse import unquote

from evsynth.dedup import data
from evsynth.records import Record

__all__ = [
    "LOST_LETTER",
    "NormRecord",
    "author_words",
    "clear_caches",
    "first_author_family",
    "fold",
    "is_article_number",
    "is_missing",
    "journal_forms",
    "normalise_authors",
    "normalise_dedup_doi",
    "normalise_pages",
    "normalise_record",
    "normalise_title",
    "normalise_volume",
    "normalise_year",
    "notice_kind_from_pubtype",
    "split_authors",
    "title_parts",
]

_TAG = re.compile(r"</?[A-Za-z][\w:.\-]*(?:\s[^<>]*)?/?>")
_NOTE = re.compile(data.TITLE_NOTE_PATTERN, re.IGNORECASE)
_SECTION_SUFFIX = re.compile(r"(?:" + data.TITLE_SECTION_SUFFIX + r")\s*\.?\s*$", re.IGNORECASE)
_PAREN_NOTE = re.compile(data.TITLE_PAREN_NOTE_PATTERN, re.IGNORECASE)
_ERRATUM_SUFFIX = re.compile(data.ERRATUM_CITATION_SUFFIX, re.IGNORECASE)
_STRIP_PREFIX = re.compile(data.STRIPPED_TITLE_PREFIXES, re.IGNORECASE)
_NOTICE_TITLE = tuple((k, re.compile(p, re.IGNORECASE)) for k, p in data.NOTICE_TITLE_PATTERNS)
_NOTICE_PUBTYPE = tuple((k, re.compile(p, re.IGNORECASE)) for k, p in data.NOTICE_PUBTYPE_PATTERNS)
_CONFERENCE = re.compile(data.CONFERENCE_PATTERN, re.IGNORECASE)
_CONFERENCE_JOURNAL = re.compile(data.CONFERENCE_JOURNAL_PATTERN, re.IGNORECASE)
# Any run of non-word characters; Unicode-aware, so CJK, Cyrillic, ... titles keep their letters.
_NON_WORD = re.compile(r"[\W_]+")
_MULTIPLE_LETTERS = re.compile(data.MULTIPLE_LETTERS_PATTERN, re.IGNORECASE)
_ORIGINAL_TAG = re.compile(r"<\s*original\s*>", re.IGNORECASE)
_TRAILING_NOTE = re.compile(r"\s*\.?\s*\[[^\[\]]*\]?\s*\.?\s*$")
_PART = re.compile(r"\bpart\s+([ivx]+|\d+|one|two|three|four|five|six|first|second|third|[abc])\b")
_NUMBER = re.compile(r"\d+")
_DIGIT = re.compile(r"\d")
_FIRST_WORD = re.compile(r"\W*(\w+)")
# First words that can start a notice prefix (a cheap gate before the notice patterns).
_NOTICE_WORDS = frozenset(
    "published erratum errata corrigendum corrigenda correction corrections notice retraction "
    "editorial expression invited comment commentary remark remarks re letter the author "
    "authors in reply response".split()
)
_YEAR = re.compile(r"(1[89]\d\d|20\d\d)")
_PAGE = re.compile(r"([a-z]*)0*(\d+)([a-z]*)")
_GREEK_RE = re.compile("|".join(map(re.escape, data.GREEK_LETTERS)))
_SPECIAL_RE = re.compile("|".join(map(re.escape, data.SPECIAL_LETTERS)))


def fold(text: str) -> str:
    """Lower-case words: Greek letters spelt out, diacritics and punctuation removed.

    Letters of scripts without a Latin decomposition (CJK, Cyrillic) are kept, so a Japanese title
    exported by Embase and by Web of Science still compares equal.
    """
    if not text.isascii():
        text = _GREEK_RE.sub(lambda m: " " + data.GREEK_LETTERS[m.group(0)] + " ", text)
        text = _SPECIAL_RE.sub(lambda m: data.SPECIAL_LETTERS[m.group(0)], text)
        text = unicodedata.normalize("NFKD", text)
        text = "".join(ch for ch in text if not unicodedata.combining(ch))
    return _NON_WORD.sub(" ", text.lower()).strip()


def _clean_markup(text: str) -> str:
    if "&" in text:
        text = html.unescape(text)
    if "<" in text:
        text = _TAG.sub(" ", text)
        if "&" in text:
            text = html.unescape(text)
    return text


@dataclass(frozen=True, slots=True)
class TitleParts:
    """A title reduced to what identifies the article.

    ``core`` is the folded title without notice prefixes ("Erratum:", "Re:"), bracketed notes and
    trailing punctuation; ``kind`` is the notice kind the title announces ("" for an article);
    ``part`` the companion-paper number ("Part II" -> 2, 0 when none); ``numbers`` the other
    numbers in the title, which differ between e.g. 5- and 10-year follow-up reports.
    """

    core: str
    kind: str
    part: int
    numbers: tuple[str, ...]


def normalise_title(title: str) -> str:
    """The folded title without markup, bracketed notes, notice prefixes and trailing period."""
    return title_parts(title).core


@lru_cache(maxsize=4096)
def _part_number(word: str) -> int:
    if word.isdigit():
        return int(word)
    return data.PART_WORDS.get(word, 0)


def title_parts(title: str) -> TitleParts:
    """Split a raw title into its comparable core, notice kind, part number and numbers."""
    if "<" in title and _ORIGINAL_TAG.search(title):
        # "English title <ORIGINAL> TITEL IN DER ORIGINALSPRACHE" (BIOSIS, CAB exports): the
        # original-language title appended after a tag, which other databases leave out.
        cut = _ORIGINAL_TAG.split(title, maxsplit=1)[0].strip()
        title = cut if fold(cut) else title
    text = _clean_markup(title).strip()
    if "[" in text:
        text = _NOTE.sub(" ", text).strip()
        # Trailing bracketed notes after the title ("... impairment. [Chinese]", "[Review] [33
        # refs]", "[Erratum appears in ...", cut off by the export): databases append them; the
        # title itself never ends in one. A wholly bracketed title (a translation) is kept.
        while True:
            cut = _TRAILING_NOTE.sub("", text).strip()
            if cut == text or not fold(cut):
                break
            text = cut
        # PubMed wraps an English translation of a non-English title in brackets.
        if text.startswith("[") and (text.endswith("]") or text.endswith("].")):
            text = text.rstrip(".").strip()[1:-1]
    text = _STRIP_PREFIX.sub("", text)
    kind = ""
    cut = _SECTION_SUFFIX.sub("", text)
    if cut != text and fold(cut):
        text = cut
    if text.endswith(")") or text.endswith(")."):
        text = _PAREN_NOTE.sub("", text) or text
        cut = _ERRATUM_SUFFIX.sub("", text)
        if cut != text and fold(cut):
            text, kind = cut, "erratum"
    low = text.lower()
    first_word = _FIRST_WORD.match(low)
    patterns = _NOTICE_TITLE if first_word and first_word.group(1) in _NOTICE_WORDS else ()
    for name, pattern in patterns if not kind else ():
        match = pattern.match(low)
        if match:
            kind = name
            # A bare notice ("Correction", "In reply") is a generic title named by its kind.
            text = text[match.end() :] if fold(text[match.end() :]) else name
            break
    core = fold(text)
    part = 0
    if "part " in core:
        match = _PART.search(core)
        if match:
            part = _part_number(match.group(1))
            core_wo_part = core[: match.start()] + core[match.end() :]
        else:
            core_wo_part = core
    else:
        core_wo_part = core
    numbers = (
        tuple(sorted(set(_NUMBER.findall(core_wo_part)))) if _DIGIT.search(core_wo_part) else ()
    )
    return TitleParts(core, kind, part, numbers)


@lru_cache(maxsize=4096)
def notice_kind_from_pubtype(pub_type: str) -> str:
    """The notice kind a publication type names ("erratum", "comment", ...), or ""."""
    if not pub_type:
        return ""
    for name, pattern in _NOTICE_PUBTYPE:
        if pattern.search(pub_type):
            return name
    return ""


@lru_cache(maxsize=1 << 16)
def _family_key(family: str) -> str:
    return fold(family).replace(" ", "")


@lru_cache(maxsize=4096)
def _initial(char: str) -> str:
    return fold(char)[:1]


# "Gilbert R. E.Zhang Y.Thai K.": entries run together, each ending in a dotted initial.
_RUN_TOGETHER = re.compile(r"(?<=[A-Z]\.)(?=[A-Z][a-z])")
_BIBTEX_AND = re.compile(r"\s+and\s+")


def _is_initials(word: str) -> bool:
    """ "A.", "A.B.", "AB", "J-P" (up to four capitals, with or without dots and hyphens)."""
    bare = word.replace(".", "").replace("-", "")
    return 0 < len(bare) <= 4 and bare.isalpha() and bare.isupper()


# A generational suffix after the family name or the initials ("Lynch Jr, T. J.", "Lynch TJ Jr",
# "Lynch, T. J., Jr."): one database keeps it, another drops it, so it is no part of the key.
_NAME_SUFFIX = re.compile(r"[\s,]+(?:jr|jnr|sr|snr|iii|iv|2nd|3rd)\.?(?=\s*,|\s*$)", re.IGNORECASE)


@lru_cache(maxsize=1 << 16)
def _author_key(entry: str) -> str:
    entry = entry.strip().strip(",")
    if " " in entry or "," in entry:
        entry = _NAME_SUFFIX.sub("", entry).strip().strip(",")
    if not entry or entry.lower().rstrip(".") in ("et al", "and others", "others"):
        return ""
    if "," in entry:
        # "Family, Given" / "Family, G." (RIS, BibTeX, EndNote).
        family, _, given = entry.partition(",")
    else:
        words = entry.split()
        if len(words) > 1 and _is_initials(words[-1]):
            # "Smith AB", "Gilbert R. E." (Vancouver, MEDLINE): trailing initials are the given.
            k = len(words)
            while k > 1 and _is_initials(words[k - 1]):
                k -= 1
            family, given = " ".join(words[:k]), " ".join(words[k:])
        elif len(words) > 1:
            # "R. E. Gilbert", "Richard Gilbert": given names first, the family name last.
            family, given = words[-1], " ".join(words[:-1])
        else:
            family, given = entry, ""
    key = _family_key(family)
    if not key:
        return ""
    given = given.strip()
    initial = _initial(given[0]) if given else ""
    return f"{key} {initial}".strip()


def _given_like(piece: str) -> bool:
    """ "J.", "K. L.", "J.-P.": initials only, the given-name half of a "Family, I." entry."""
    words = piece.split()
    return bool(words) and all(_is_initials(w) for w in words)


def _comma_list(text: str) -> list[str]:
    """Split a list whose only separator is the comma.

    "Smith J., Jones K.L." (Scopus) and "John Smith, Kate Jones" are one author per piece;
    "Smith, J., Jones, K. L." alternates family names and initials, so pieces pair up. Anything
    else ("Smith, John Paul", "Alexion Pharmaceuticals, Inc") stays one entry, as before.
    """
    pieces = [_NAME_SUFFIX.sub("", p).strip() for p in text.split(",")]
    pieces = [p for p in pieces if p and p.lower().rstrip(".") not in ("et al", "others")]
    if len(pieces) < 2:
        return [text]
    if all(len(p.split()) >= 2 for p in pieces) and (
        # Two pieces may be one "Family Name, Given Names" author: only initials tell.
        len(pieces) > 2 or all(_is_initials(p.split()[-1]) for p in pieces)
    ):
        return pieces
    if len(pieces) % 2 == 0 and all(_given_like(p) for p in pieces[1::2]):
        return [f"{f}, {g}" for f, g in zip(pieces[0::2], pieces[1::2], strict=True)]
    return [text]


def split_authors(authors: str) -> list[str]:
    """One entry per author, whatever the list's separator.

    Exports join authors with "; " (evsynth, RIS-derived), " and " (BibTeX), ", " (Vancouver
    "Smith AB, Jones CD") or nothing at all ("Gilbert R. E.Zhang Y.Thai K.", seen in EndNote
    exports of Embase records).
    """
    text = authors.strip()
    if not text or is_missing(text):
        return []
    if ";" in text:
        parts = text.split(";")
    elif " and " in text:
        parts = _BIBTEX_AND.split(text)
    elif "," in text:
        parts = _comma_list(text)
    else:
        parts = [text]
    out = []
    for part in parts:
        out.extend(_RUN_TOGETHER.split(part) if "." in part else [part])
    return [p.strip() for p in out if p.strip()]


def normalise_authors(authors: str) -> tuple[str, ...]:
    """Folded family names with first initial ("garcialopez j"), in the export's order.

    Families are compared without spaces and hyphens because databases disagree on compound
    surnames ("García-López", "Garcia Lopez"); "et al." and empty entries are dropped. "Family,
    Given", "Family GI", "G. I. Family" and "Given Family" give the same key.
    """
    out = []
    for entry in split_authors(authors):
        key = _author_key(entry)
        if key:
            out.append(key)
    return tuple(out)


def author_words(authors: str, limit: int = 15) -> str:
    """Every folded name word (two letters or more) of the first authors, sorted and unique.

    A second view of the author list for the scorer: it does not depend on which word a database
    took for the family name ("Le Quintrec, M." vs "Le, Quintrec M.", "Xi, L F" vs "Long, F X").
    """
    words: set[str] = set()
    for entry in split_authors(authors)[:limit]:
        for word in fold(entry).split():
            if len(word) > 1:
                words.add(word)
    return " ".join(sorted(words))


# Literal placeholders some exports write for an empty field (R's NA, pandas' nan, ...).
_MISSING = frozenset({"na", "n/a", "nan", "none", "null", "nil", "-", "--", "not available"})


def is_missing(value: str) -> bool:
    """True for an empty field or a literal placeholder ("NA", "nan", "NULL", "n/a")."""
    text = value.strip()
    return not text or (len(text) <= 13 and text.lower() in _MISSING)


_DOI_URL = re.compile(r"^(?:https?://)?(?:dx\.)?(?:doi\.org/|doi:\s*)", re.IGNORECASE)


_DOI_TOKEN = re.compile(r"10\.\d{4,9}/[^\s;]+")


def normalise_dedup_doi(doi: str) -> str:
    """The DOI as compared: lower-case, URL-decoded, without resolver prefix ("" for NA).

    DOIs are case-insensitive (DOI Handbook 2.4); exports give them as URLs, URL-encoded
    ("%28" for "("), or with a "doi:" label.
    """
    if is_missing(doi):
        return ""
    text = doi.strip()
    if "%" in text:
        text = unquote(text)
    text = _DOI_URL.sub("", text).strip().lower()
    if not text.startswith("10.") or " " in text or ";" in text:
        # "10.1000/xyz [doi]" (MEDLINE's AID tag), "DOI 10.1000/xyz", two DOIs in one field
        # ("10.1000/a; 10.1000/b"): a DOI has no spaces, so the first DOI-shaped token is it.
        match = _DOI_TOKEN.search(text)
        text = match.group(0) if match else ""
    return text.rstrip(".,;") if text.startswith("10.") else ""


def first_author_family(authors: tuple[str, ...]) -> str:
    """The first author's folded family name, or ""."""
    return authors[0].split(" ")[0] if authors else ""


# "Annales fran?aises d'anesth?sie": a letter the export could not encode became "?".
LOST_LETTER = "\u0294"  # LATIN LETTER GLOTTAL STOP: a word character, unchanged by fold()
_LOST_CHARACTER = re.compile(r"(?<=[^\W\d_])\?(?=[^\W\d_])")


def _lost_characters(text: str) -> str:
    """Mark a "?" standing for a lost letter inside a word with LOST_LETTER, a letter that
    folding keeps and the journal matcher takes for any one letter ("r?animation" still
    abbreviates to "Reanim")."""
    return _LOST_CHARACTER.sub(LOST_LETTER, text) if "?" in text else text


_JOURNAL_CUT = re.compile(r"\s*(?:\.\s*conference\b|:|=|\(|\[).*$", re.IGNORECASE)


@lru_cache(maxsize=65536)
def _journal_form(name: str) -> tuple[str, ...]:
    text = _JOURNAL_CUT.sub("", _lost_characters(_clean_markup(name)))
    words = []
    for word in fold(text).split():
        if word in data.JOURNAL_STOPWORDS:
            continue
        words.append(data.JOURNAL_WORD_ABBREVIATIONS.get(word, word))
    return tuple(w for w in words if w)


# Alternative titles of one journal in one field: "Ai zheng = Aizheng = Chinese journal of
# cancer" (MEDLINE's " = "), "Gan to Kagaku Ryoho [Japanese Journal of Cancer & Chemotherapy]"
# (a translation in brackets), "Revista Panamericana de Salud Publica/Pan American Journal of
# Public Health" (a bilingual title joined by "/").
_JOURNAL_ALTERNATIVES = re.compile(r"\s+=\s+|\[|\]|(?<=[a-z])\s*/\s*(?=[A-Z])")

_JOURNAL_MEDIUM_NOTES = frozenset(
    {"electronic resource", "electronic", "internet", "online", "print", "serial", "microform"}
)


def _journal_alternatives(name: str) -> list[str]:
    if "=" not in name and "[" not in name and "/" not in name:
        return []
    parts = [p.strip(" .") for p in _JOURNAL_ALTERNATIVES.split(name)]
    if len(parts) < 2:
        return []
    # "PLoS ONE [Electronic Resource]": a medium note shared by unrelated journals, no title.
    # A one-word part is no alternative title: "Diabetes/Metabolism Research and Reviews" is
    # not the journal "Diabetes".
    return [
        p
        for p in parts
        if p != name
        and fold(p) not in _JOURNAL_MEDIUM_NOTES
        and sum(w not in data.JOURNAL_STOPWORDS for w in fold(p).split()) >= 2
    ]


def journal_forms(journal: str, journal_abbrev: str = "") -> tuple[tuple[str, ...], ...]:
    """The journal's comparable forms: folded words, stopwords dropped, ISO 4 table applied.

    Both the full title and the abbreviation are kept; the scorer matches them word by word with
    prefixes ("J Clin Oncol" ~ "Journal of Clinical Oncology"), because ISO 4 abbreviates by
    truncating words.
    """
    forms = []
    names = [n for n in (journal, journal_abbrev) if n]
    for name in list(names):
        names.extend(_journal_alternatives(name))
    for name in names:
        if name:
            # With and without the part after a colon: "Jpen: Journal of Parenteral ..." is
            # "JPEN. Journal of parenteral ..." elsewhere; "Cancer: Official Journal" is "Cancer".
            for form in (_journal_form(name), _journal_full_form(name)):
                if form and form not in forms:
                    forms.append(form)
    return tuple(forms)


_JOURNAL_CUT_KEEP_COLON = re.compile(r"\s*(?:\.\s*conference\b|=|\(|\[).*$", re.IGNORECASE)


@lru_cache(maxsize=65536)
def _journal_full_form(name: str) -> tuple[str, ...]:
    if ":" not in name:
        return ()
    text = _JOURNAL_CUT_KEEP_COLON.sub("", _lost_characters(_clean_markup(name)))
    words = [
        data.JOURNAL_WORD_ABBREVIATIONS.get(w, w)
        for w in fold(text).split()
        if w not in data.JOURNAL_STOPWORDS
    ]
    return tuple(w for w in words if w)


_PAGE_LIST_SPLIT = re.compile(r"\s*[,+;]\s*(?=[a-z]{0,2}\d)")
_MONTHS = ("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec")
_MONTH = r"(?:jan|feb|mar|apr|may|jun|jul|aug|sept?|oct|nov|dec)"
_EXCEL_DATE = re.compile(
    rf"^\s*(?:(?P<d>\d{{1,2}})-(?P<m>{_MONTH})|(?P<m2>{_MONTH})-(?P<y>\d{{1,4}}))\s*$"
)


def normalise_pages(pages: str) -> tuple[str, str]:
    """First and last page as numbers, the last expanded: "1347-58" -> ("1347", "1358").

    MEDLINE abbreviates the last page by dropping the digits it shares with the first (NLM
    Citing Medicine, ch. 2, "Location (pagination)"); other databases print it in full. Letter
    prefixes and suffixes are dropped: a supplement's "S548-S549" is "548-9" in another
    database, "c37-c42" is "37-42", and an electronic article number "e123" is "123".
    """
    if is_missing(pages):
        return "", ""
    text = pages.lower().replace("–", "-").replace("—", "-")
    if _PAGE_LIST_SPLIT.search(text):
        # An article printed in several runs ("233-8, 230-5, 246-51", "233-238+230-235"):
        # exports list the runs in different orders, so the span from the lowest first page to
        # the highest last page is what they share.
        spans = [normalise_pages(part) for part in _PAGE_LIST_SPLIT.split(text)]
        spans = [(f, last or f) for f, last in spans if f]
        if len(spans) > 1:
            return min((f for f, _ in spans), key=int), max((x for _, x in spans), key=int)
    date = _EXCEL_DATE.match(text)
    if date:
        # A spreadsheet read "1-10" as 1 October ("01-Oct") and "10-15" as October 2015
        # ("Oct-15"): the month is the number it replaced.
        day, month, year = date.group("d"), date.group("m") or date.group("m2"), date.group("y")
        number = str(_MONTHS.index(month[:3]) + 1)
        text = f"{day}-{number}" if day else f"{number}-{year}"
    text = re.sub(r"^\s*(?:pp?\.?|pages?)\s*", "", text)
    first, _, last = text.partition("-")
    m1 = _PAGE.search(first)
    if not m1:
        return "", ""
    first_digits = m1.group(2)
    m2 = _PAGE.search(last) if last else None
    if not m2:
        return first_digits, ""
    digits = m2.group(2)
    if len(digits) < len(first_digits):
        digits = first_digits[: len(first_digits) - len(digits)] + digits
    return first_digits, digits


_ELOCATOR = re.compile(r"^\s*[a-z]{1,2}\d+\s*$", re.IGNORECASE)


def is_article_number(pages: str) -> bool:
    """True for an electronic article number ("e12724", "c1804", "a1754") given as the pages.

    Online journals (PLoS, BMJ) number articles; databases give that number or the print pages,
    so the two cannot be compared.
    """
    return bool(pages) and _ELOCATOR.match(pages) is not None and pages.strip()[:1] not in "sS"


def normalise_year(year: str) -> int:
    """The four-digit publication year, or 0."""
    match = _YEAR.search(year or "")
    return int(match.group(1)) if match else 0


def normalise_volume(volume: str) -> str:
    """The volume's first number without leading zeros, or the folded text.

    "Vol. 012" -> "12"; "60 (1 Supplement 1)" -> "60" (the supplement is the issue, which
    databases write into the volume field or leave out).
    """
    if is_missing(volume):
        return ""
    match = re.search(r"\d+", volume)
    return match.group(0).lstrip("0") or "0" if match else fold(volume)


@dataclass(slots=True)
class NormRecord:
    """One record's comparable fields (see the module docstring for why each is normalised)."""

    index: int
    record_id: str
    title: str
    title_kind: str
    type_kind: str
    part: int
    numbers: tuple[str, ...]
    generic: bool
    conference: bool
    has_pub_type: bool
    foreign: bool
    authors: tuple[str, ...]
    authors_text: str
    author_words: str
    first_author: str
    journals: tuple[tuple[str, ...], ...]
    year: int
    volume: str
    first_page: str
    last_page: str
    article_number: bool
    doi: str
    pmid: str
    container_doi: str = ""
    # The title before a parallel title ("English title; Titulo em portugues", "A = B"), when
    # the record has one: other databases give only the first.
    title_head: str = ""
    # Embase's record of a letter with its replies ("... (multiple letters)"; data.py).
    multiple_letters: bool = False


@lru_cache(maxsize=4096)
def _is_conference(pub_type: str) -> bool:
    return bool(pub_type) and _CONFERENCE.search(pub_type) is not None


@lru_cache(maxsize=65536)
def _is_conference_journal(journal: str) -> bool:
    return bool(journal) and _CONFERENCE_JOURNAL.search(journal) is not None


def clear_caches() -> None:
    """Empty the normalisation caches (they hold every distinct author and journal seen)."""
    for cached in (_family_key, _initial, _author_key, _journal_form, _journal_full_form,
                   _part_number, notice_kind_from_pubtype, _is_conference,
                   _is_conference_journal):  # fmt: skip
        cached.cache_clear()


def _value(text: str) -> str:
    return "" if is_missing(text) else text


_PARALLEL_TITLE = re.compile(r";\s+|\s+=\s+")


def _title_head(title: str, core: str) -> str:
    """The folded title before a parallel (translated) title, or "" when there is none.

    LILACS and SciELO append the original-language title after "; ", MEDLINE gives parallel
    titles after " = ". Only a head of five words or more counts: a short one is a heading
    ("Stroke and aphasia; Overcoming ...").
    """
    if "; " not in title and " = " not in title:
        return ""
    head = title_parts(_PARALLEL_TITLE.split(title, maxsplit=1)[0]).core
    return head if head != core and len(head.split()) >= 5 else ""


def normalise_record(index: int, record: Record) -> NormRecord:
    """Normalise every compared field of one record ("NA"/"nan" placeholders count as empty)."""
    parts = title_parts(_value(record.title))
    conference = _is_conference(record.pub_type) or _is_conference_journal(_value(record.journal))
    authors = normalise_authors(record.authors)
    first_page, last_page = normalise_pages(record.pages)
    journal = _value(record.journal)
    words = parts.core.split()
    # Too short to identify an article: under three words (or six characters of a script
    # written without spaces, such as Chinese or Japanese).
    short = len(words) < 3 if parts.core.isascii() else len(parts.core) < 6
    generic = parts.core in data.GENERIC_TITLES or short
    return NormRecord(
        title_head=_title_head(_value(record.title), parts.core),
        index=index,
        record_id=record.record_id,
        title=parts.core,
        title_kind=parts.kind,
        type_kind=notice_kind_from_pubtype(record.pub_type),
        part=parts.part,
        numbers=parts.numbers,
        generic=generic,
        conference=conference,
        has_pub_type=bool(record.pub_type),
        foreign=record.language.strip().lower() not in data.ENGLISH,
        authors=authors,
        authors_text=" ".join(a.split(" ")[0] for a in authors[:15]),
        author_words=author_words(record.authors),
        first_author=first_author_family(authors),
        journals=journal_forms(journal, _value(record.journal_abbrev)),
        year=normalise_year(record.year),
        volume=normalise_volume(record.volume),
        first_page=first_page,
        last_page=last_page,
        article_number=is_article_number(record.pages),
        doi=normalise_dedup_doi(record.doi),
        pmid="" if is_missing(record.pmid) else record.pmid,
        multiple_letters=_MULTIPLE_LETTERS.search(record.title or "") is not None,
    )
