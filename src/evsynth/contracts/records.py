"""The canonical bibliographic record, its stable id, and the records TSV.

Every importer produces :class:`Record` objects; every later stage reads the records TSV written by
:func:`write_records`. The id rules (DESIGN.md, "Identities") make a record's id depend only on what
the database says about it, so re-exporting or re-running never renames a record.
"""

from __future__ import annotations

import hashlib
import operator
import re
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, fields
from pathlib import Path

from evsynth.contracts.match import fold_title
from evsynth.errors import InputError
from evsynth.tables import iter_tsv, write_rows

__all__ = [
    "COLUMNS",
    "Record",
    "assign_record_ids",
    "hash_record_id",
    "iter_records",
    "normalise_doi",
    "normalise_pmid",
    "read_records",
    "write_records",
]


@dataclass(slots=True)
class Record:
    """One bibliographic record as one database exported it.

    All fields are plain strings; "" means the export did not give the value. Multi-valued fields
    (``authors``, ``keywords``) are joined with "; "; authors are "Family, Given" or "Family, I.".
    ``source_id`` is the database's own accession (PMID for PubMed, ``L...`` for Embase, the UT
    without its ``WOS:`` prefix for Web of Science, ``CN-...`` for CENTRAL, the Scopus EID), never
    another database's identifier; ``doi`` is lower-case
    without a resolver prefix and ``pmid`` is digits only, whichever database supplied them.
    """

    record_id: str = ""
    source: str = ""
    source_id: str = ""
    title: str = ""
    authors: str = ""
    journal: str = ""
    journal_abbrev: str = ""
    year: str = ""
    volume: str = ""
    issue: str = ""
    pages: str = ""
    doi: str = ""
    pmid: str = ""
    abstract: str = ""
    pub_type: str = ""
    language: str = ""
    keywords: str = ""
    issn: str = ""
    url: str = ""
    source_file: str = ""
    source_line: str = ""

    def __post_init__(self) -> None:
        values = _ALL_FIELDS(self)
        try:
            # join refuses anything but strings (None, numbers), which the loop below converts.
            joined = "".join(values)
        except TypeError:
            joined = None
        if joined is not None:
            # One check for the whole record (C-level loops): no tab, line break or double space
            # anywhere and nothing to strip means the per-field loop below would change nothing.
            if not (
                "\t" in joined
                or "\n" in joined
                or "\r" in joined
                or _DOUBLE_SPACE.search(joined) is not None
            ) and (sum(map(len, map(str.strip, values))) == len(joined)):
                self.doi = normalise_doi(self.doi)
                self.pmid = normalise_pmid(self.pmid)
                return
        for name in _FIELD_NAMES:
            value = getattr(self, name)
            if value.__class__ is str:
                # The common case, kept cheap: 100,000-record imports build one Record each.
                if not value:
                    continue
                if "\t" in value or "\n" in value or "\r" in value or "  " in value:
                    setattr(self, name, " ".join(value.split()))
                else:
                    stripped = value.strip()
                    if stripped is not value:
                        setattr(self, name, stripped)
                continue
            if not value:
                if value is not None and value == "":
                    continue
                value = "" if value is None else str(value)
            elif not isinstance(value, str):
                value = str(value)
            if "\t" in value or "\n" in value or "\r" in value or "  " in value:
                value = " ".join(value.split())
            elif value[:1].isspace() or value[-1:].isspace():
                value = value.strip()
            setattr(self, name, value)
        self.doi = normalise_doi(self.doi)
        self.pmid = normalise_pmid(self.pmid)

    def to_dict(self) -> dict[str, str]:
        """The record as a column -> value mapping in :data:`COLUMNS` order."""
        # Not dataclasses.asdict: it deep-copies, which dominated writing 100,000-record tables.
        return {name: getattr(self, name) for name in COLUMNS}


COLUMNS: tuple[str, ...] = tuple(f.name for f in fields(Record))
_FIELD_NAMES = COLUMNS
_ALL_FIELDS = operator.attrgetter(*_FIELD_NAMES)
# Searched for in a whole record's text: the regular-expression engine finds "  " in ordinary
# prose in about half the time ``"  " in text`` takes (spaces are so common that ``in`` keeps
# stopping at candidate matches).
_DOUBLE_SPACE = re.compile("  ")

_DOI_PREFIX = re.compile(
    r"^(?:https?://(?:dx\.)?doi\.org/|doi\.org/|doi:\s*|https?://doi\.[a-z]+\.org/)", re.IGNORECASE
)
_DOI_SHAPE = re.compile(r"10\.\d{4,9}/\S+")
_DOI_SUFFIX = re.compile(r"\s*\[doi\]\s*$", re.IGNORECASE)
_PMID = re.compile(r"\d{1,9}")


def normalise_doi(value: str) -> str:
    """Return the bare, lower-case DOI (``10.xxxx/...``) or "" if ``value`` holds none.

    DOIs are case-insensitive (DOI Handbook, section 2.4), exports add resolver prefixes, and some
    append " [doi]" (MEDLINE) or trailing punctuation; all of that is stripped.
    """
    if not value:
        return ""
    text = value.strip()
    if "[" in text:
        text = _DOI_SUFFIX.sub("", text)
    text = _DOI_PREFIX.sub("", text)
    match = _DOI_SHAPE.search(text)
    if not match:
        return ""
    doi = match.group(0).rstrip(".,;)]")
    return doi.lower()


def normalise_pmid(value: str) -> str:
    """Return the PMID as digits only ("PMID: 123" -> "123"), or "" if there is none."""
    if not value:
        return ""
    if len(value) <= 9 and value.isascii() and value.isdigit():
        return value.lstrip("0")
    match = _PMID.search(value)
    return match.group(0).lstrip("0") if match else ""


# \w keeps letters of every script: CJK or Cyrillic titles must not fold to "".
_fold = fold_title


def hash_record_id(source: str, record: Record) -> str:
    """``{source}:h`` + 12 hex digits of a hash of normalised first author, year and title.

    Used when an export carries no accession; folding case, accents and punctuation keeps the id
    stable when the same export is produced again with cosmetic differences.
    """
    first_author = record.authors.split(";")[0].split(",")[0] if record.authors else ""
    key = "|".join([_fold(first_author), record.year.strip(), _fold(record.title)])
    digest = hashlib.sha1(key.encode("utf-8")).hexdigest()[:12]
    return f"{source}:h{digest}"


def assign_record_ids(records: Sequence[Record], source: str) -> list[Record]:
    """Give every record ``{source}:{accession}`` or a hash id; repeats get ``~2``, ``~3``.

    A repeated id means the export holds the same record twice (overlapping Web of Science files,
    say). Both rows are kept, in file order, so the importer's count still matches the file and
    deduplication removes the copy with a reason.
    """
    seen: dict[str, int] = {}
    out = []
    for record in records:
        record.source = source
        accession = record.source_id.strip()
        base = f"{source}:{accession}" if accession else hash_record_id(source, record)
        n = seen.get(base, 0) + 1
        seen[base] = n
        record.record_id = base if n == 1 else f"{base}~{n}"
        out.append(record)
    return out


def write_records(path: str | Path, records: Iterable[Record]) -> int:
    """Write the canonical records TSV (sorted by ``record_id``); returns the row count.

    The rows are the records' fields in :data:`COLUMNS` order, rendered as :func:`write_tsv`
    renders them (the same bytes), without a dict per record on the way.
    """
    return write_rows(path, map(_ALL_FIELDS, records), COLUMNS, sort_by=("record_id",))


def read_records(path: str | Path) -> list[Record]:
    """Read a records TSV; unknown extra columns are an error because they signal a wrong file."""
    return list(iter_records(path))


def iter_records(path: str | Path) -> Iterator[Record]:
    """The records of :func:`read_records` one at a time (a caller can keep part of each)."""
    # Streamed: holding every row's dict next to its Record was a third of a 1M-record peak.
    rows = iter_tsv(path, required=("record_id", "source", "title"))
    known = set(COLUMNS)
    for lineno, row in enumerate(rows, start=2):
        extra = [k for k in row if k not in known]
        if extra:
            raise InputError(
                f"unexpected column(s) {', '.join(extra)}; a records TSV has {', '.join(COLUMNS)}",
                path=str(path),
                line=1,
            )
        if not row["record_id"]:
            raise InputError("empty record_id", path=str(path), line=lineno, field="record_id")
        yield Record(**row)
