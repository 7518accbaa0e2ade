"""Field comparisons the pair rules use: journal names, notice kinds, pages, authors, numbers.

Split from ``score.py`` (issue 15); ``score`` re-exports the public names.
"""

from __future__ import annotations

import re

from rapidfuzz import fuzz

from evsynth.dedup.normalise import LOST_LETTER, NormRecord

_DIGITS = re.compile(r"\d+")


# Notice kinds that databases label inconsistently (PubMed "Letter; Comment", Embase "Editorial").
_KIND_CLASS = {"comment": "commentary", "editorial": "commentary", "reply": "commentary"}


def _abbreviates(short: str, word: str) -> bool:
    """True when ``short`` is an ISO 4 abbreviation of ``word``: a truncation ("Clin" for
    "Clinical") or a contraction keeping the first letter and some later letters in order
    ("Natl" for "National", "Geneeskd" for "Geneeskunde"; ISO 4:1997 section 5)."""
    if word.startswith(short):
        return True
    if LOST_LETTER in short or LOST_LETTER in word:
        return _abbreviates_lost(short, word)
    if len(short) < 2 or short[0] != word[0] or len(short) >= len(word):
        return False
    pos = 1
    for ch in short[1:]:
        pos = word.find(ch, pos) + 1
        if pos == 0:
            return False
    return True


def _abbreviates_lost(short: str, word: str) -> bool:
    """:func:`_abbreviates` where LOST_LETTER (a letter lost in export) matches any letter."""

    def same(x: str, y: str) -> bool:
        return x == y or x == LOST_LETTER or y == LOST_LETTER

    if len(short) <= len(word) and all(same(x, y) for x, y in zip(short, word, strict=False)):
        return True
    if len(short) < 2 or not same(short[0], word[0]) or len(short) >= len(word):
        return False
    pos = 1
    for ch in short[1:]:
        while pos < len(word) and not same(ch, word[pos]):
            pos += 1
        if pos == len(word):
            return False
        pos += 1
    return True


def _words_compatible(x: tuple[str, ...], y: tuple[str, ...]) -> bool:
    if len(x) != len(y):
        return False
    for u, v in zip(x, y, strict=True):
        if not (_abbreviates(u, v) or _abbreviates(v, u)):
            return False
    return True


def _run_together(word: str, words: tuple[str, ...]) -> bool:
    """True when ``word`` is the abbreviated words written without spaces, each cut to a prefix
    ("jthoraccardiovascsurg" for "Journal of Thoracic and Cardiovascular Surgery"), as some
    exports print ISO 4 abbreviations. Long words only: a short run is too easily matched."""
    if len(word) < 8 or len(words) < 2:
        return False
    reach = {0}
    for w in words:
        nxt = set()
        for pos in reach:
            k = 0
            while k < len(w) and pos + k < len(word) and word[pos + k] == w[k]:
                k += 1
                nxt.add(pos + k)
        if not nxt:
            return False
        reach = nxt
    return len(word) in reach


def journal_similarity(
    forms_a: tuple[tuple[str, ...], ...], forms_b: tuple[tuple[str, ...], ...]
) -> float | None:
    """Best agreement between any form of each journal; 1.0 when one abbreviates the other.

    ISO 4 abbreviates a title word by truncation ("Clin" for "Clinical") or contraction ("Natl"),
    so two forms match when they have the same number of significant words and each word
    abbreviates the other's.
    Otherwise the Indel similarity of the joined words is used.
    """
    if not forms_a or not forms_b:
        return None
    best = 0.0
    for x in forms_a:
        for y in forms_b:
            if x == y or _words_compatible(x, y) or "".join(x) == "".join(y):
                return 1.0
            if (len(x) == 1 and _run_together(x[0], y)) or (len(y) == 1 and _run_together(y[0], x)):
                return 1.0
            sim = fuzz.ratio(" ".join(x), " ".join(y)) / 100.0
            if sim > best:
                best = sim
    return best


def kinds_conflict(a: NormRecord, b: NormRecord) -> bool:
    """True when one record is a notice (erratum, comment, ...) of a kind the other is not.

    A title prefix ("Erratum:", "Re:") is decisive; publication types are compared only when both
    records carry one, since CENTRAL and some exports leave them empty.
    """
    if a.title_kind and b.title_kind:
        return a.title_kind != b.title_kind
    if a.title_kind or b.title_kind:
        noticed, other = (a, b) if a.title_kind else (b, a)
        return _KIND_CLASS.get(other.type_kind, other.type_kind) != _KIND_CLASS.get(
            noticed.title_kind, noticed.title_kind
        )
    if a.has_pub_type and b.has_pub_type:
        # "Editorial" alone is weak: Embase labels some items so that PubMed calls articles.
        ka = "" if a.type_kind == "editorial" else _KIND_CLASS.get(a.type_kind, a.type_kind)
        kb = "" if b.type_kind == "editorial" else _KIND_CLASS.get(b.type_kind, b.type_kind)
        return ka != kb
    return False


def conference_conflict(a: NormRecord, b: NormRecord) -> bool:
    """True when one record is a conference abstract and the other is known to be an article.

    The other record must carry a publication type or a journal: a bare CENTRAL entry may be
    the abstract itself, listed without either.
    """
    if a.conference == b.conference:
        return False
    other = b if a.conference else a
    return other.has_pub_type or bool(other.journals)


def _pages_agree(a: NormRecord, b: NormRecord) -> bool | None:
    """First pages compared; a last page is too often mistyped or cut to decide on.

    A single page equal to the other's last page agrees (some exports keep only one end of
    the range); an article number against print pages is unknown, not a conflict.
    """
    if not a.first_page or not b.first_page:
        return None
    if a.first_page == b.first_page:
        return True
    if (not _page_range(a) and a.first_page == b.last_page) or (
        not _page_range(b) and b.first_page == a.last_page
    ):
        return True
    if a.article_number != b.article_number:
        return None
    return False


def _page_range(r: NormRecord) -> bool:
    return bool(r.last_page) and r.last_page != r.first_page


def _author_similarity(a: NormRecord, b: NormRecord) -> float | None:
    """The better of two views: family names, and all name words.

    Databases disagree on which word is the family name ("Le Quintrec, M." / "Le, Quintrec M.",
    Chinese names in either order); comparing every name word does not depend on that choice.
    """
    if not a.authors_text or not b.authors_text:
        return None
    sim = fuzz.token_set_ratio(a.authors_text, b.authors_text) / 100.0
    if sim < 1.0 and a.author_words and b.author_words:
        sim = max(sim, fuzz.token_set_ratio(a.author_words, b.author_words) / 100.0)
    return sim


def _identical(a: NormRecord, b: NormRecord) -> bool:
    return (
        a.title == b.title
        and a.title_kind == b.title_kind
        and a.type_kind == b.type_kind
        and a.conference == b.conference
        and a.part == b.part
        and a.authors == b.authors
        and a.journals == b.journals
        and a.year == b.year
        and a.volume == b.volume
        and a.first_page == b.first_page
        and a.last_page == b.last_page
        and a.doi == b.doi
        and a.pmid == b.pmid
        and bool(a.title)
    )


def _numbers_differ(a: NormRecord, b: NormRecord) -> bool:
    """Title numbers differ, over the part both titles have (one may be cut by the export)."""
    if not a.numbers or not b.numbers or a.numbers == b.numbers:
        return False
    short, long_ = (a, b) if len(a.title) <= len(b.title) else (b, a)
    if len(long_.title) > len(short.title) + 10 and long_.title.startswith(short.title[:-10]):
        head = long_.title[: len(short.title)]
        return set(_DIGITS.findall(head)) != set(_DIGITS.findall(short.title))
    return True
