"""Match decision rows back to study records (dedup clusters).

By identifier first (a study record id, or any member record id of a cluster, so a decision made
on any copy of a duplicated record applies to its study), then the tool's own record key (Rayyan
``rayyan-123``, Covidence #, EPPI-Reviewer item ID) when the records were imported from that tool's
export and carry it as their source id, then PMID, then DOI; when a tool dropped every identifier,
by normalised title + year + first author's family name. A row that matches
nothing, or more than one study, is reported, never guessed.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

from evsynth.contracts.match import fold_title
from evsynth.contracts.records import normalise_doi, normalise_pmid
from evsynth.screening.ingest import RawDecision

__all__ = ["Match", "StudyIndex", "fold", "split_ids"]


_NON_WORD = re.compile(r"[^a-z0-9]+")
# How alike (difflib ratio of the folded titles) a row and the record its tool key names must be.
_KEY_TITLE_RATIO = 0.8


def fold(text: str) -> str:
    """Lower-case words: accents, case, punctuation and spacing removed; CJK letters kept."""
    return fold_title(text)


def split_ids(value: str) -> list[str]:
    return [v.strip() for v in (value or "").split(";") if v.strip()]


def _source_key(record_id: str) -> str:
    """The source's own id inside a record id ``source:source_id`` (``~2`` suffix removed)."""
    key = record_id.split(":", 1)[-1]
    return re.sub(r"~\d+$", "", key)


def _first_author_family(authors: str) -> str:
    """Family name of the first author from "Family, Given; ..." (the records contract)."""
    first = authors.split(";")[0]
    family = first.split(",")[0] if "," in first else first.split(" ")[0]
    return fold(family)


@dataclass(slots=True)
class Match:
    """Where a decision row landed: the study record, the member record and how it matched."""

    study_record_id: str
    member_id: str
    by: str


@dataclass
class StudyIndex:
    """Lookups from every identifier of the unique records to their study record id."""

    records: dict[str, dict[str, str]]
    by_id: dict[str, str] = field(default_factory=dict)
    by_key: dict[str, set[str]] = field(default_factory=dict)
    by_pmid: dict[str, set[str]] = field(default_factory=dict)
    by_doi: dict[str, set[str]] = field(default_factory=dict)
    by_title_year: dict[tuple[str, str], set[str]] = field(default_factory=dict)
    by_title: dict[str, set[str]] = field(default_factory=dict)

    @classmethod
    def build(cls, rows: Sequence[Mapping[str, str]]) -> StudyIndex:
        """Index the rows of ``results/dedup/unique.tsv``."""
        index = cls(records={r["study_record_id"]: dict(r) for r in rows})
        for row in rows:
            sid = row["study_record_id"]
            index.by_id[sid] = sid
            for member in split_ids(row.get("member_ids", "")):
                index.by_id[member] = sid
                index.by_key.setdefault(_source_key(member), set()).add(sid)
            if row.get("source_id"):
                index.by_key.setdefault(row["source_id"].strip(), set()).add(sid)
            pmid = normalise_pmid(row.get("pmid", ""))
            if pmid:
                index.by_pmid.setdefault(pmid, set()).add(sid)
            doi = normalise_doi(row.get("doi", ""))
            if doi:
                index.by_doi.setdefault(doi, set()).add(sid)
            title = fold(row.get("title", ""))
            if title:
                index.by_title_year.setdefault((title, row.get("year", "").strip()), set()).add(sid)
                index.by_title.setdefault(title, set()).add(sid)
        return index

    def match(self, item: RawDecision) -> Match | str:
        """The study the row belongs to, or a reason why it matches none (or several)."""
        for value in item.ids:
            value = value.strip().lstrip("'")
            if value in self.by_id:
                return Match(self.by_id[value], value, "record id")
        if item.id_is_strict:
            return f"unknown record id {item.ids[0]!r}"
        for key in item.tool_keys:
            found = self.by_key.get(key.strip())
            if found and len(found) == 1:
                sid = next(iter(found))
                if self._same_title(sid, item.title):
                    return Match(sid, sid, "tool record key")
        pmid = normalise_pmid(item.pmid)
        if pmid and pmid in self.by_pmid:
            return self._one(self.by_pmid[pmid], "PMID", pmid)
        doi = normalise_doi(item.doi)
        if doi and doi in self.by_doi:
            return self._one(self.by_doi[doi], "DOI", doi)
        title = fold(item.title)
        if not title:
            return "no record id, PMID, DOI or title to match on"
        year = item.year.strip()[:4]
        if not year and not item.authors:
            return "only a title to match on (no year, no authors)"
        if year:
            candidates = set(self.by_title_year.get((title, year), set()))
        else:  # the tool dropped the year: title + first author must then be unique
            candidates = set(self.by_title.get(title, set()))
        if item.authors and candidates:
            row_authors = fold(item.authors)
            candidates = {
                sid
                for sid in candidates
                if _first_author_family(self.records[sid].get("authors", "")) in row_authors
            }
        if not candidates:
            tried = [f"PMID {pmid}" if pmid else "", f"DOI {doi}" if doi else ""]
            tried = [t for t in tried if t]
            return (
                "no study record with "
                + (", ".join(tried) + " or " if tried else "")
                + "this title, year and first author"
            )
        return self._one(candidates, "title, year and first author", title[:60])

    def _same_title(self, sid: str, title: str) -> bool:
        """A key is only a tool's own numbering (Covidence #1, Abstrackr's ids), which another
        source may reuse: it counts when the titles agree too (or either side has none)."""
        mine, theirs = fold(title), fold(self.records[sid].get("title", ""))
        if not mine or not theirs:
            return True
        return difflib.SequenceMatcher(None, mine, theirs).ratio() >= _KEY_TITLE_RATIO

    @staticmethod
    def _one(candidates: set[str], by: str, key: str) -> Match | str:
        if len(candidates) > 1:
            return f"{by} {key!r} matches several study records: {', '.join(sorted(candidates))}"
        sid = next(iter(candidates))
        return Match(sid, sid, by)
