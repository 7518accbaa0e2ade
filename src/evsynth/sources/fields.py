"""Turning a record's raw tagged values into canonical fields, driven by data-only field maps.

Tagged formats (RIS, Web of Science, MEDLINE, Cochrane, Ovid, EndNote XML) differ in which tag
holds what, not in how a field is derived, so each format supplies a :class:`FieldMap` (in its
``*_tags`` module) and :func:`build_record` does the rest. Identifiers are found by ordered rules,
because vendors put accession numbers and PMIDs in different tags and even in URLs or notes.
"""

from __future__ import annotations

import re
import sys
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from functools import cached_property

from evsynth.contracts.records import Record

__all__ = [
    "REPEATED_FIELDS",
    "FieldMap",
    "IdRule",
    "TableLayout",
    "build_record",
    "find_id",
    "first_year",
    "join_pages",
    "normalise_author",
    "parse_citation",
]

#: Fields whose values repeat across records (one journal for hundreds of records): interned, so a
#: 100,000-record export holds one copy of each value instead of one per record.
REPEATED_FIELDS = (
    "journal", "journal_abbrev", "year", "volume", "issue", "language", "pub_type", "issn",
)  # fmt: skip

_YEAR = re.compile(r"(?<!\d)(1[5-9]\d\d|20\d\d)(?!\d)")
# "Smith JA", "van der Berg A.-M.", "O'Neil K.", "Brownstein C D" (EPPI-Reviewer): family name
# then initials (optionally space-separated), without a comma.
_FAMILY_INITIALS = re.compile(
    r"^(?P<family>.+?)\s+(?P<initials>[A-Z][a-z]?\.?-?(?:\s?[A-Z][a-z]?\.?-?){0,4})$"
)
_DOI_INSIDE = re.compile(r"10\.\d{4,9}/\S+")
_ISSN = re.compile(r"\b\d{4}-?\d{3}[\dXx]\b")


@dataclass(frozen=True, slots=True)
class IdRule:
    """Take ``field`` (source_id, pmid or doi) from the first of ``tags`` whose value matches.

    ``pattern`` is a regular expression; its first group (or the whole match) is the value.
    ``database`` (optional) is a pattern the record's database tags must match, for bare numbers
    whose meaning depends on the database (an Ovid MEDLINE ``AN`` is a PMID, an Embase one is not).
    ``prefix`` is put before the value (Embase accessions are written ``L`` + digits).
    ``needles``: literal strings of which a value must contain one before the pattern is tried
    (a substring test is about ten times cheaper than a regular-expression search).
    ``without_accession``: only for records without a ``source_id`` (see the attribute).
    """

    field: str
    tags: tuple[str, ...]
    pattern: str
    database: str | None = None
    prefix: str = ""
    needles: tuple[str, ...] = ()
    #: True: skipped when the record already has a ``source_id`` (another database's accession
    #: says the record is not from the database a bare number would belong to).
    without_accession: bool = False


_IdStep = tuple[
    tuple[str, ...],
    frozenset[str],
    re.Pattern[str],
    re.Pattern[str] | None,
    str,
    tuple[str, ...],
    bool,
]


@dataclass(frozen=True)
class FieldMap:
    """Where each canonical field comes from in one tagged format.

    single: field -> tags in priority order; the first non-empty value wins. Besides the record
        columns it may name ``start_page`` and ``end_page`` (joined into ``pages``) and
        ``citation`` (a free-text citation parsed for journal/volume/issue/pages/year when those
        are missing).
    multi: field -> tags whose values are all kept, in order, without repeats (authors, keywords).
    split: tag -> separator pattern, for tags holding several values in one line.
    ids: ordered identifier rules (:class:`IdRule`).
    database_tags: tags naming the database a record came from (for ``IdRule.database``).
    type_names: record type code -> publication type, used when no type tag is present.
    type_tag: the tag holding that code (RIS ``TY``).
    pmid_accession_database: see the attribute.
    """

    single: Mapping[str, tuple[str, ...]]
    multi: Mapping[str, tuple[str, ...]]
    ids: tuple[IdRule, ...] = ()
    split: Mapping[str, str] = field(default_factory=dict)
    database_tags: tuple[str, ...] = ()
    type_names: Mapping[str, str] = field(default_factory=dict)
    type_tag: str = ""
    #: Pattern for the database tags of records from PubMed/MEDLINE, whose accession is the PMID
    #: (a reference manager's RIS of PubMed records); "" for formats without such records.
    pmid_accession_database: str = ""

    @cached_property
    def compiled_ids(self) -> tuple[tuple[IdRule, re.Pattern[str], re.Pattern[str] | None], ...]:
        return tuple(
            (
                rule,
                re.compile(rule.pattern, re.IGNORECASE),
                re.compile(rule.database, re.IGNORECASE) if rule.database else None,
            )
            for rule in self.ids
        )

    @cached_property
    def id_plan(self) -> dict[str, tuple[_IdStep, ...]]:
        """Per identifier field: tags, tag set, pattern, database, prefix, needles, flag."""
        plan: dict[str, list[_IdStep]] = {}
        for rule, pattern, database in self.compiled_ids:
            plan.setdefault(rule.field, []).append(
                (
                    rule.tags,
                    frozenset(rule.tags),
                    pattern,
                    database,
                    rule.prefix,
                    rule.needles,
                    rule.without_accession,
                )
            )
        return {name: tuple(steps) for name, steps in plan.items()}

    @cached_property
    def _layouts(self) -> dict[tuple[str, ...], _Layout]:
        return {}

    def layout(self, tags: Mapping[str, list[str]]) -> _Layout:
        """The map narrowed to the tags one record has, cached per tag layout.

        Records of one export share a handful of layouts, so the rules are filtered once per
        layout instead of looking up every candidate tag in every record.
        """
        key = tuple(tags)
        cache = self._layouts
        found = cache.get(key)
        if found is None:
            if len(cache) >= _LAYOUT_CACHE:
                cache.clear()  # bounded: memory must not grow with the file
            found = cache[key] = _Layout(self, frozenset(key))
        return found

    @cached_property
    def compiled_split(self) -> dict[str, re.Pattern[str]]:
        return {tag: re.compile(sep) for tag, sep in self.split.items()}

    @cached_property
    def known_tags(self) -> frozenset[str]:
        tags: set[str] = set(self.database_tags)
        for group in (*self.single.values(), *self.multi.values()):
            tags.update(group)
        for rule in self.ids:
            tags.update(rule.tags)
        if self.type_tag:
            tags.add(self.type_tag)
        return frozenset(tags)

    @cached_property
    def identity_fields(self) -> str:
        """Where this format puts a title or an identifier, for the message of a record without.

        Taken from the map itself (the title tags, then the first tag of each identifier's
        rules) so that every format, and a ``--columns`` table, names its own fields alike.
        """
        names = list(self.single.get("title", ()))
        for name in ("source_id", "doi", "pmid"):
            tags = [*self.single.get(name, ()), *(r.tags[0] for r in self.ids if r.field == name)]
            if tags and tags[0] not in names:
                names.append(tags[0])
        where = f" in one of: {', '.join(names)}" if names else ""
        return f"a title or an identifier{where}"


_LAYOUT_CACHE = 4096


@dataclass(frozen=True)
class TableLayout:
    """One tabular export layout (CSV/TSV/XLSX): how to recognise its header, what each column is.

    Column names are matched ignoring case, spaces and punctuation (``Author(s)``, ``author_s``
    and ``AUTHORS`` are one name), because vendors change spelling between releases.

    name, title: the ``--format`` name and a human name for messages.
    field_map: columns -> canonical fields, as for tagged formats; its ``split`` says how a
        multi-valued cell is split (a regular expression per column).
    markers: columns only this vendor writes; any one of them identifies the layout.
    signature: columns that together identify it when no marker is present.
    excluded: columns whose presence means another layout.
    ignored: documented columns that carry nothing we keep (not reported as unknown);
        ``ignored_prefixes`` does the same for families of columns (OpenAlex's ``concepts.*``).
    given_first: author cells hold "Given Family" (inverted to "Family, Given").
    strip: column -> pattern removed from its cells before splitting (PubMed's final ".").
    null_values: cell values that mean "empty" in this export ("None", "nan", "null").
    """

    name: str
    title: str
    field_map: FieldMap
    markers: tuple[str, ...] = ()
    signature: tuple[str, ...] = ()
    excluded: tuple[str, ...] = ()
    ignored: frozenset[str] = frozenset()
    ignored_prefixes: tuple[str, ...] = ()
    given_first: bool = False
    strip: Mapping[str, str] = field(default_factory=dict)
    null_values: frozenset[str] = frozenset()


class _Layout:
    """A :class:`FieldMap` restricted to the tags present in a record (see ``FieldMap.layout``)."""

    __slots__ = ("database", "empty", "ids", "multi", "single")

    def __init__(self, fmap: FieldMap, present: frozenset[str]) -> None:
        def keep(names: Sequence[str]) -> tuple[str, ...]:
            return tuple(name for name in names if name in present)

        self.single = tuple(
            (name, keep(names)) for name, names in fmap.single.items() if keep(names)
        )
        self.empty = {name: "" for name, names in fmap.single.items() if not keep(names)}
        self.multi = tuple((name, keep(names)) for name, names in fmap.multi.items())
        self.database = keep(fmap.database_tags)
        self.ids = {
            wanted: tuple(
                (keep(rule_tags), pattern, database, prefix, needles, without)
                for rule_tags, _set, pattern, database, prefix, needles, without in steps
                if keep(rule_tags)
            )
            for wanted, steps in fmap.id_plan.items()
        }


def _find_in_layout(
    steps: Sequence[
        tuple[tuple[str, ...], re.Pattern[str], re.Pattern[str] | None, str, tuple[str, ...], bool]
    ],
    tags: Mapping[str, list[str]],
    database: str,
    has_accession: bool = False,
) -> str:
    """:func:`find_id` over rules already narrowed to the record's tags."""
    for rule_tags, pattern, database_pattern, prefix, needles, without in steps:
        if without and has_accession:
            continue
        if database_pattern is not None and not database_pattern.search(database):
            continue
        for tag in rule_tags:
            for value in tags[tag]:
                if needles:
                    for needle in needles:
                        if needle in value:
                            break
                    else:
                        continue
                match = pattern.search(value)
                if match:
                    found = match.group(1) if match.re.groups else match.group(0)
                    return prefix + found.strip()
    return ""


def first_year(text: str) -> str:
    """The first plausible four-digit year in ``text`` ("2009 May", "2020//", "Spring 1998")."""
    match = _YEAR.search(text)
    return match.group(1) if match else ""


def join_pages(start: str, end: str) -> str:
    """ "897-902" from a start and an end page; a start that is already a range is kept."""
    start, end = start.strip(), end.strip()
    if not start:
        return end
    if not end or "-" in start or end == start:
        return start
    return f"{start}-{end}"


def normalise_author(name: str) -> str:
    """ "Family, Initials" for "Family Initials" (MEDLINE/Ovid/Embase style); others unchanged."""
    name = " ".join(name.split()).strip(" ;")
    if not name or "," in name:
        return name
    match = _FAMILY_INITIALS.match(name)
    if match and any(c.islower() for c in match.group("family")):
        return f"{match.group('family')}, {match.group('initials')}"
    return name


_CITATION_PATTERNS = (
    # Embase: "Annals of Oncology (2009) 20:5 (897-902). Date of Publication: May 2009"
    #         "Frontiers in Oncology (2020) 11 Article Number: 562220. Date of Publication: ..."
    re.compile(
        r"^(?P<journal>.+?)\s*\((?P<year>\d{4})\)\s*(?P<volume>[^\s:(.]+)?"
        r"(?::(?P<issue>[^\s(.]+))?\s*(?:Suppl\w*\.?\s*(?:[A-Z]?\d+\s*)?)?"
        r"(?:\((?P<pages>[^)]*)\)|Article Number:?\s*(?P<article>[^\s.]+))?"
    ),
    # PubMed (NLM) citation: "Eur J Med Genet. 2020 Feb;63(2):103640. doi: ..." (PubMed CSV)
    re.compile(
        r"^(?P<journal>.+?)\.\s+(?P<year>\d{4})\b[^;]{0,30};(?P<volume>[^\s(:;.]+)?"
        r"(?:\((?P<issue>[^)]*)\))?(?::(?P<pages>[^\s.;]+))?"
    ),
    # Ovid/MEDLINE: "Annals of Oncology. 20(5):897-902, 2009 May."
    re.compile(
        r"^(?P<journal>.+?)\.\s+(?P<volume>[^\s(:]+)?(?:\((?P<issue>[^)]*)\))?"
        r"(?::(?P<pages>[^,\s]+))?,?\s*(?P<year>\d{4})?"
    ),
)


def parse_citation(text: str) -> dict[str, str]:
    """Journal, year, volume, issue and pages from a free-text citation string.

    Handles the Embase ``Source`` layout "Journal (Year) Volume:Issue (Pages)" (or "Article
    Number: N") and the Ovid/MEDLINE ``SO`` layout "Journal. Volume(Issue):Pages, Year Month.";
    returns only what it found.
    """
    text = " ".join(text.split())
    for pattern in _CITATION_PATTERNS:
        match = pattern.match(text)
        if match and match.group("journal"):
            parts = {k: (v or "").strip() for k, v in match.groupdict().items()}
            if parts.pop("article", ""):
                parts["pages"] = parts.get("pages") or match.group("article")
            if not parts.get("year"):
                parts["year"] = first_year(text)
            return {k: v for k, v in parts.items() if v}
    return {"year": first_year(text)} if first_year(text) else {}


def _values(tags: Mapping[str, list[str]], names: Sequence[str]) -> list[str]:
    out: list[str] = []
    for name in names:
        values = tags.get(name)
        if values:
            out.extend(values)
    return out


def _first(tags: Mapping[str, list[str]], names: Sequence[str]) -> str:
    for name in names:
        for value in tags.get(name, ()):
            if value.strip():
                return value
    return ""


def find_id(
    fmap: FieldMap,
    tags: Mapping[str, list[str]],
    wanted: str,
    database: str,
    *,
    has_accession: bool = False,
) -> str:
    """Apply the field map's identifier rules for ``wanted``; "" when none matches."""
    keys = tags.keys()
    for rule_tags, tag_set, pattern, database_pattern, prefix, needles, without in fmap.id_plan.get(
        wanted, ()
    ):
        if without and has_accession:
            continue
        if tag_set.isdisjoint(keys):
            continue
        if database_pattern is not None and not database_pattern.search(database):
            continue
        for tag in rule_tags:
            for value in tags.get(tag, ()):
                if needles:
                    for needle in needles:
                        if needle in value:
                            break
                    else:
                        continue
                match = pattern.search(value)
                if match:
                    found = match.group(1) if match.re.groups else match.group(0)
                    return prefix + found.strip()
    return ""


def build_record(
    fmap: FieldMap, tags: Mapping[str, list[str]], *, source_file: str, line: int
) -> Record:
    """A :class:`Record` from one record's ``tag -> [values]``, following ``fmap``."""
    for tag, separator in fmap.compiled_split.items():
        if tag in tags:
            tags = dict(tags)
            tags[tag] = [p.strip() for v in tags[tag] for p in separator.split(v) if p.strip()]
    layout = fmap.layout(tags)
    values = dict(layout.empty)
    for name, names in layout.single:
        # The first value that is not blank, in tag priority order (as _first).
        found = ""
        for tag in names:
            for value in tags[tag]:
                if value.strip():
                    found = value
                    break
            if found:
                break
        values[name] = found
    if "citation" in values:
        citation = parse_citation(values.pop("citation"))
        for name in ("journal", "volume", "issue", "pages", "year"):
            if not values.get(name) and citation.get(name):
                values[name] = citation[name]
    pages = join_pages(values.pop("start_page", ""), values.pop("end_page", ""))
    if not values.get("pages"):
        values["pages"] = pages
    values["year"] = first_year(values.get("year", ""))
    issn = values.get("issn")
    if issn:
        found_issn = _ISSN.search(issn)
        if found_issn:
            values["issn"] = found_issn.group(0).upper()
    multi: dict[str, str] = {}
    for name, names in layout.multi:
        seen: dict[str, None] = {}
        authors = name == "authors"
        pub_type = name == "pub_type"
        for tag in names:
            for value in tags[tag]:
                value = normalise_author(value) if authors else " ".join(value.split())
                if pub_type and ("://" in value or ("10." in value and _DOI_INSIDE.search(value))):
                    continue
                if value:
                    seen[value] = None
        multi[name] = "; ".join(seen)
    if "pub_type" in multi and not multi["pub_type"] and fmap.type_tag:
        code = _first(tags, (fmap.type_tag,)).strip()
        multi["pub_type"] = fmap.type_names.get(code.upper(), code)
    database = " ".join([v for tag in layout.database for v in tags[tag]])
    ids = layout.ids
    doi = _find_in_layout(ids.get("doi", ()), tags, database)
    # Only the database's own accession (DESIGN.md, "Identities"): never the PMID or DOI, or a
    # Web of Science record without UT would get an id like wos:25705707 that looks like one.
    source_id = _find_in_layout(ids.get("source_id", ()), tags, database)
    pmid = _find_in_layout(ids.get("pmid", ()), tags, database, bool(source_id))
    if not source_id and pmid and fmap.pmid_accession_database:
        if re.search(fmap.pmid_accession_database, database, re.IGNORECASE):
            source_id = pmid
    values.update(multi)
    values.pop("doi", None)
    values.pop("pmid", None)
    values.pop("source_id", None)
    for name in REPEATED_FIELDS:
        value = values.get(name)
        if value:
            values[name] = sys.intern(value)
    return Record(
        source_id=source_id,
        doi=doi,  # Record.__post_init__ normalises it (once)
        pmid=pmid,
        source_file=source_file,
        source_line=str(line),
        **values,
    )
