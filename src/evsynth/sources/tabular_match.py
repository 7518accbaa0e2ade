"""Tabular exports, layout detection: which known layout (or ``--columns`` map) a header row is.

A layout (:mod:`.tabular_layouts`) names its columns; a header row is a layout's when it holds a
marker column or the whole signature, names compared ignoring case, spaces and punctuation
(:func:`column_key`). A layout's prepared form (:class:`CompiledLayout`) is built once and cached.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace

from evsynth.errors import InputError
from evsynth.sources.fields import FieldMap, IdRule, TableLayout
from evsynth.sources.tabular_layouts import MAPPABLE_FIELDS

__all__ = [
    "SAMPLE_ROWS",
    "CompiledLayout",
    "column_key",
    "columns_hint",
    "columns_layout",
    "compiled_layout",
    "find_header",
    "generic_header",
    "no_header_found",
    "parse_columns",
]

#: Rows read to find the header row (in text, under each candidate dialect; in each sheet).
SAMPLE_ROWS = 60


def column_key(name: str) -> str:
    """A column name ignoring case, spaces and punctuation (``Author(s)`` = ``AUTHORS``)."""
    return re.sub(r"[\W_]+", "", name.casefold())


@dataclass(frozen=True)
class CompiledLayout:
    """A layout prepared for matching: canonical names by key, split and strip patterns."""

    layout: TableLayout
    names: dict[str, str]
    prefixes: tuple[str, ...]
    markers: frozenset[str]
    signature: frozenset[str]
    excluded: frozenset[str]
    split: dict[str, re.Pattern[str]]
    strip: dict[str, re.Pattern[str]]
    field_map: FieldMap
    authors: frozenset[str]
    urls: frozenset[str]

    def knows(self, key: str) -> bool:
        return key in self.names or any(key.startswith(p) for p in self.prefixes)


_COMPILED: dict[int, tuple[TableLayout, CompiledLayout]] = {}


def compiled_layout(layout: TableLayout) -> CompiledLayout:
    """The prepared form of a layout, cached by identity (layouts hold dicts: not hashable)."""
    entry = _COMPILED.get(id(layout))
    if entry is not None and entry[0] is layout:
        return entry[1]
    if len(_COMPILED) > 256:
        _COMPILED.clear()
    compiled = _compile_layout(layout)
    _COMPILED[id(layout)] = (layout, compiled)
    return compiled


def _compile_layout(layout: TableLayout) -> CompiledLayout:
    fmap = layout.field_map
    names: dict[str, str] = {}
    for name in sorted(fmap.known_tags | layout.ignored):
        names.setdefault(column_key(name), name)
    return CompiledLayout(
        layout=layout,
        names=names,
        prefixes=tuple(column_key(p) for p in layout.ignored_prefixes),
        markers=frozenset(map(column_key, layout.markers)),
        signature=frozenset(map(column_key, layout.signature)),
        excluded=frozenset(map(column_key, layout.excluded)),
        split={name: re.compile(sep) for name, sep in fmap.split.items()},
        strip={name: re.compile(pattern) for name, pattern in layout.strip.items()},
        # Cells are split here (before author clean-up), so build_record must not split again.
        field_map=replace(fmap, split={}),
        authors=frozenset(fmap.multi.get("authors", ())),
        urls=frozenset(fmap.single.get("url", ())),
    )


def _match(
    compiled: CompiledLayout, keys: frozenset[str], *, forced: bool
) -> tuple[int, int] | None:
    """(marker hit, known columns) when a header with ``keys`` is this layout, else None."""
    if not forced and compiled.excluded & keys:
        return None
    marker = bool(compiled.markers & keys)
    if not (marker or (compiled.signature and compiled.signature <= keys)):
        return None
    return int(marker), sum(1 for key in keys if compiled.knows(key))


def _best_layout(
    cells: Sequence[str], layouts: Sequence[TableLayout], *, forced: bool = False
) -> TableLayout | None:
    keys = frozenset(column_key(c) for c in cells if c.strip())
    if len(keys) < (1 if forced else 2):  # one filled cell is a caption, unless asked for
        return None
    best: tuple[tuple[int, int, int], TableLayout] | None = None
    for order, layout in enumerate(layouts):
        score = _match(compiled_layout(layout), keys, forced=forced)
        if score is not None:
            ranked = (*score, -order)
            if best is None or ranked > best[0]:
                best = (ranked, layout)
    return best[1] if best else None


def find_header(
    rows: Sequence[Sequence[str]],
    layouts: Sequence[TableLayout],
    *,
    forced: bool,
) -> tuple[int, TableLayout] | None:
    for index, row in enumerate(rows):
        layout = _best_layout(row, layouts, forced=forced)
        if layout is not None:
            return index, layout
    return None


def generic_header(rows: Sequence[Sequence[str]]) -> int | None:
    """Index of the first row that looks like a header: at least half as full as the fullest."""
    counts = [sum(1 for c in row if c.strip()) for row in rows]
    if not counts or max(counts) < 2:
        return None
    need = max(2, (max(counts) + 1) // 2)
    for index, count in enumerate(counts):
        if count >= need:
            return index
    return None


def columns_layout(columns: Mapping[str, str]) -> TableLayout:
    """A layout from ``--columns`` (field -> column name)."""
    single: dict[str, tuple[str, ...]] = {}
    multi: dict[str, tuple[str, ...]] = {}
    split: dict[str, str] = {}
    ids: list[IdRule] = []
    for name, column in columns.items():
        if name == "source_id":
            ids.append(IdRule("source_id", (column,), r"^\s*(\S(?:.*\S)?)\s*$"))
        elif name == "pmid":
            ids.append(IdRule("pmid", (column,), r"(?:^|\D)([1-9]\d{0,8})\s*$"))
        elif name == "doi":
            ids.append(IdRule("doi", (column,), r"(10\.\d{4,9}/\S+)", needles=("10.",)))
        elif name in ("authors", "keywords", "language", "pub_type"):
            multi[name] = (column,)
            # One value per line, or ";"- or "|"-separated; commas are kept ("Family, Given").
            split[column] = r"\s*[;|\n]\s*"
        else:
            single[name] = (column,)
    return TableLayout(
        name="table",
        title="table with --columns",
        field_map=FieldMap(single=single, multi=multi, ids=tuple(ids), split=split),
        signature=tuple(columns.values()),
    )


def parse_columns(text: str) -> dict[str, str]:
    """``title=Article Title,authors=Authors`` -> ``{"title": "Article Title", ...}``.

    A comma separates two mappings only when a field name and ``=`` follow it, so column names
    may themselves hold commas (``authors=Authors, Primary``).
    """
    fields = "|".join(sorted({*MAPPABLE_FIELDS, "accession"}, key=len, reverse=True))
    parts = re.split(rf",\s*(?=(?:{fields})\s*=)", text.strip())
    mapping: dict[str, str] = {}
    for part in parts:
        name, sep, column = part.partition("=")
        name, column = name.strip().lower(), column.strip()
        if name == "accession":
            name = "source_id"
        if not sep or not column or name not in MAPPABLE_FIELDS:
            raise InputError(
                f"--columns: cannot read {part!r}; give FIELD=Column pairs separated by commas, "
                f"FIELD one of {', '.join(MAPPABLE_FIELDS)} (accession = source_id)"
            )
        if name in mapping:
            raise InputError(f"--columns: {name} is mapped twice; map each field to one column")
        mapping[name] = column
    if "title" not in mapping and not {"source_id", "doi", "pmid"} & mapping.keys():
        raise InputError("--columns: map at least title (or an identifier: source_id, doi, pmid)")
    return mapping


def no_header_found() -> str:
    """What a file without a recognisable header row lacks, and what would be valid."""
    return (
        f"no header row found in the first {SAMPLE_ROWS} rows; expected a row naming the "
        "columns (for example Title, Authors, Year, DOI), then one row per record"
    )


def columns_hint(rows: Sequence[Sequence[str]], line: int | None = None) -> str:
    index = generic_header(rows)
    if index is None:
        return ""
    columns = [c.strip() for c in rows[index] if c.strip()]
    where = f"line {line}" if line else f"row {index + 1}"
    shown = ", ".join(repr(c) for c in columns[:40])
    if len(columns) > 40:
        shown += f", ... ({len(columns)} columns)"
    return (
        f"its header ({where}) has the columns {shown}, which match no known layout; map them "
        "by hand with evsynth import --columns 'title=Article Title,authors=Authors,year=Year,"
        "doi=DOI,...' (fields: " + ", ".join(MAPPABLE_FIELDS) + ")"
    )
