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

from evsynth.dedup import data
from evsynth.records import Record

__all__ = [
    "NormRecord",
    "first_author_family",
    "fold",
    "journal_forms",
    "normalise_authors",
    "normalise_pages",
    "normalise_record",
    "normalise_title",
    "normalise_volume",
    "normalise_year",
    "notice_kind_from_pubtype",
    "title_parts",
]

_TAG = re.compile(r"</?[A-Za-z][\w:.\-]*(?:\s[^<>]*)?/?>")
_NOTE = re.compile(data.TITLE_NOTE_PATTERN, re.IGNORECASE)
_STRIP_PREFIX = re.compile(data.STRIPPED_TITLE_PREFIXES, re.IGNORECASE)
_NOTICE_TITLE = tuple((k, re.compile(p, re.IGNORECASE)) for k, p in data.NOTICE_TITLE_PATTERNS)
_NOTICE_PUBTYPE = tuple((k, re.compile(p, re.IGNORECASE)) for k, p in data.NOTICE_PUBTYPE_PATTERNS)
_CONFERENCE = re.compile(data.CONFERENCE_PATTERN, re.IGNORECASE)
_CONFERENCE_JOURNAL = re.compile(data.CONFERENCE_JOURNAL_PATTERN, re.IGNORECASE)
# Any run of non-word characters; Unicode-aware, so CJK, Cyrillic, ... titles keep their letters.
_NON_WORD = re.compile(r"[\W_]+")
_PART = re.compile(r"\bpart\s+([ivx]+|\d+|one|two|three|four|five|six|first|second|third|[abc])\b")
_NUMBER = re.compile(r"\b\d+\b")
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
    text = _clean_markup(title).strip()
    if "[" in text:
        text = _NOTE.sub(" ", text).strip()
        # PubMed wraps an English translation of a non-English title in brackets.
        if text.startswith("[") and (text.endswith("]") or text.endswith("].")):
            text = text.rstrip(".").strip()[1:-1]
    text = _STRIP_PREFIX.sub("", text)
    kind = ""
    low = text.lower()
    first_word = _FIRST_WORD.match(low)
    patterns = _NOTICE_TITLE if first_word and first_word.group(1) in _NOTICE_WORDS else ()
    for name, pattern in patterns:
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


@lru_cache(maxsize=262144)
def _family_key(family: str) -> str:
    return fold(family).replace(" ", "")


@lru_cache(maxsize=4096)
def _initial(char: str) -> str:
    return fold(char)[:1]


@lru_cache(maxsize=1 << 20)
def _author_key(entry: str) -> str:
    if not entry or entry.lower().rstrip(".") in ("et al", "and others"):
        return ""
    if "," in entry:
        family, _, given = entry.partition(",")
    else:
        words = entry.split()
        # "Smith AB" (Vancouver style): a trailing run of capitals is the initials.
        if len(words) > 1 and words[-1].replace(".", "").isupper() and len(words[-1]) <= 4:
            family, given = " ".join(words[:-1]), words[-1]
        else:
            family, given = entry, ""
    key = _family_key(family)
    if not key:
        return ""
    given = given.strip()
    initial = _initial(given[0]) if given else ""
    return f"{key} {initial}".strip()


def normalise_authors(authors: str) -> tuple[str, ...]:
    """Folded family names with first initial ("garcialopez j"), in the export's order.

    Families are compared without spaces and hyphens because databases disagree on compound
    surnames ("García-López", "Garcia Lopez"); "et al." and empty entries are dropped.
    """
    if not authors:
        return ()
    out = []
    for entry in authors.split(";"):
        key = _author_key(entry.strip())
        if key:
            out.append(key)
    return tuple(out)


def first_author_family(authors: tuple[str, ...]) -> str:
    """The first author's folded family name, or ""."""
    return authors[0].split(" ")[0] if authors else ""


_JOURNAL_CUT = re.compile(r"\s*(?:\.\s*conference\b|:|=|\(|\[).*$", re.IGNORECASE)


@lru_cache(maxsize=65536)
def _journal_form(name: str) -> tuple[str, ...]:
    text = _JOURNAL_CUT.sub("", _clean_markup(name))
    words = []
    for word in fold(text).split():
        if word in data.JOURNAL_STOPWORDS:
            continue
        words.append(data.JOURNAL_WORD_ABBREVIATIONS.get(word, word))
    return tuple(w for w in words if w)


def journal_forms(journal: str, journal_abbrev: str = "") -> tuple[tuple[str, ...], ...]:
    """The journal's comparable forms: folded words, stopwords dropped, ISO 4 table applied.

    Both the full title and the abbreviation are kept; the scorer matches them word by word with
    prefixes ("J Clin Oncol" ~ "Journal of Clinical Oncology"), because ISO 4 abbreviates by
    truncating words.
    """
    forms = []
    for name in (journal, journal_abbrev):
        if name:
            form = _journal_form(name)
            if form and form not in forms:
                forms.append(form)
    return tuple(forms)


def normalise_pages(pages: str) -> tuple[str, str]:
    """First and last page, the last expanded: "1347-58" -> ("1347", "1358"); "e123" kept.

    MEDLINE abbreviates the last page by dropping the digits it shares with the first (NLM
    Citing Medicine, ch. 2, "Location (pagination)"); other databases print it in full.
    """
    if not pages:
        return "", ""
    text = pages.lower().replace("–", "-").replace("—", "-")
    text = re.sub(r"^\s*(?:pp?\.?|pages?)\s*", "", text)
    first, _, last = text.partition("-")
    m1 = _PAGE.search(first)
    if not m1:
        return "", ""
    first_page = f"{m1.group(1)}{m1.group(2)}{m1.group(3)}"
    m2 = _PAGE.search(last) if last else None
    if not m2:
        return first_page, ""
    prefix, digits, suffix = m2.group(1), m2.group(2), m2.group(3)
    first_digits = m1.group(2)
    if len(digits) < len(first_digits):
        digits = first_digits[: len(first_digits) - len(digits)] + digits
    return first_page, f"{prefix or m1.group(1)}{digits}{suffix}"


def normalise_year(year: str) -> int:
    """The four-digit publication year, or 0."""
    match = _YEAR.search(year or "")
    return int(match.group(1)) if match else 0


def normalise_volume(volume: str) -> str:
    """The volume's first number without leading zeros ("Vol. 012" -> "12"), or the folded text."""
    if not volume:
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
    first_author: str
    journals: tuple[tuple[str, ...], ...]
    year: int
    volume: str
    first_page: str
    last_page: str
    doi: str
    pmid: str


@lru_cache(maxsize=4096)
def _is_conference(pub_type: str) -> bool:
    return bool(pub_type) and _CONFERENCE.search(pub_type) is not None


@lru_cache(maxsize=65536)
def _is_conference_journal(journal: str) -> bool:
    return bool(journal) and _CONFERENCE_JOURNAL.search(journal) is not None


def normalise_record(index: int, record: Record) -> NormRecord:
    """Normalise every compared field of one record."""
    parts = title_parts(record.title)
    conference = _is_conference(record.pub_type) or _is_conference_journal(record.journal)
    authors = normalise_authors(record.authors)
    first_page, last_page = normalise_pages(record.pages)
    words = parts.core.split()
    # Too short to identify an article: under three words (or six characters of a script
    # written without spaces, such as Chinese or Japanese).
    short = len(words) < 3 if parts.core.isascii() else len(parts.core) < 6
    generic = parts.core in data.GENERIC_TITLES or short
    return NormRecord(
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
        first_author=first_author_family(authors),
        journals=journal_forms(record.journal, record.journal_abbrev),
        year=normalise_year(record.year),
        volume=normalise_volume(record.volume),
        first_page=first_page,
        last_page=last_page,
        doi=record.doi,
        pmid=record.pmid,
    )
