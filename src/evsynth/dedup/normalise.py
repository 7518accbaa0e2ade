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

import re
from dataclasses import dataclass
from functools import lru_cache

from evsynth.contracts.records import Record
from evsynth.dedup import data
from evsynth.dedup.normalise_authors import (
    _author_key,
    _family_key,
    _initial,
    author_words,
    first_author_family,
    normalise_authors,
    split_authors,
)
from evsynth.dedup.normalise_fields import (
    is_article_number,
    normalise_dedup_doi,
    normalise_pages,
    normalise_volume,
    normalise_year,
)
from evsynth.dedup.normalise_journal import _journal_form, _journal_full_form, journal_forms
from evsynth.dedup.normalise_text import LOST_LETTER, fold, is_missing
from evsynth.dedup.normalise_title import (
    _part_number,
    normalise_title,
    notice_kind_from_pubtype,
    title_parts,
)

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


_CONFERENCE = re.compile(data.CONFERENCE_PATTERN, re.IGNORECASE)


_CONFERENCE_JOURNAL = re.compile(data.CONFERENCE_JOURNAL_PATTERN, re.IGNORECASE)


_MULTIPLE_LETTERS = re.compile(data.MULTIPLE_LETTERS_PATTERN, re.IGNORECASE)


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
