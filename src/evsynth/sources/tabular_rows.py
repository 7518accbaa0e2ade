"""Tabular exports, cells to field values: Excel's text guard, null placeholders, authors.

What a row's cells need before :func:`~evsynth.sources.fields.build_record` sees them: ``="0123"``
unwrapped, a layout's null words emptied, multi-value cells split, one link kept per record, and
authors written "Family, Given" (inverted from "Given Family" for layouts that write that).
"""

from __future__ import annotations

import re

from evsynth.sources.tabular_match import CompiledLayout

__all__ = ["clean_author", "clean_cell_value", "split_values"]

_EXCEL_TEXT = re.compile(r'^="(.*)"$', re.DOTALL)  # ="0123": Excel's keep-as-text guard
_PARTICLES = frozenset(
    "van von der den de del della dei di da das dos du la le lo ten ter zu af al el bin ibn".split()
)
_SUFFIXES = frozenset({"jr", "jr.", "sr", "sr.", "ii", "iii", "iv"})


def clean_cell_value(cell: str, nulls: frozenset[str]) -> str:
    cell = cell.strip()
    if cell.startswith('="'):
        match = _EXCEL_TEXT.match(cell)
        if match:
            cell = match.group(1).strip()
    return "" if cell in nulls else cell


def clean_author(name: str, *, given_first: bool = False) -> str:
    """One author as "Family, Given": placeholders dropped, "Given Family" inverted if asked."""
    name = " ".join(name.split()).strip(" ;,")
    # RefWorks writes "Family,null" for a missing given name and omits the space after commas.
    name = re.sub(r"\s*,\s*null$", "", name, flags=re.IGNORECASE)
    name = re.sub(r"^null\s*,\s*|^null\s+(?=\S)", "", name, flags=re.IGNORECASE)
    name = re.sub(r"\s*,(?=\S)", ", ", name)
    if not given_first or "," in name:
        return name
    words = name.split()
    suffix = ""
    if len(words) > 2 and words[-1].lower() in _SUFFIXES:
        suffix = words.pop()
    if len(words) < 2:
        return name
    start = len(words) - 1
    while start > 0 and words[start - 1] in _PARTICLES:
        start -= 1
    if start == 0:  # only a family name ("van den Hoven")
        return name
    family, given = " ".join(words[start:]), " ".join(words[:start])
    return f"{family}, {given}" + (f" {suffix}" if suffix else "")


def split_values(compiled: CompiledLayout, tags: dict[str, list[str]]) -> dict[str, list[str]]:
    """A row's cells as its layout wants them: stripped, split into values, authors cleaned."""
    given_first = compiled.layout.given_first
    for column, values in tags.items():
        strip = compiled.strip.get(column)
        if strip is not None:
            values = [strip.sub("", v) for v in values]
        separator = compiled.split.get(column)
        if separator is not None:
            values = [p.strip() for v in values for p in separator.split(v) if p.strip()]
        if column in compiled.urls:
            # One link per record: RefWorks lists several, Rayyan appends RIS leftovers
            # ("...&from=export     U2  - L2029880245").
            values = [v.split()[0] for v in values if v.split()]
        if column in compiled.authors:
            values = [clean_author(v, given_first=given_first) for v in values]
            values = [v for v in values if v]
        tags[column] = values
    return tags
