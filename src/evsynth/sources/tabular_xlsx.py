"""Tabular exports, workbooks: XLSX read row by row with openpyxl, with sheet row numbers.

A zip or OLE2 file is a workbook and never read as text; an old ``.xls`` (OLE2) or a zip that is
not a workbook (Rayyan's zipped CSV) gets an error saying what to import instead. Cell values
become the text Excel shows (whole floats without ``.0``, dates in ISO form).
"""

from __future__ import annotations

import datetime as _dt
import io
import os
import zipfile
from collections.abc import Iterator
from typing import Any, BinaryIO

from evsynth.errors import InputError
from evsynth.sources.tabular_layouts import LAYOUTS
from evsynth.sources.tabular_match import SAMPLE_ROWS, columns_hint, find_header, no_header_found

__all__ = ["detect_workbook", "is_workbook", "open_workbook", "sheet_rows", "workbook_sample"]

_ZIP_MAGIC = b"PK\x03\x04"
_OLE2_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"


def _magic(src: str | os.PathLike[str] | bytes | BinaryIO) -> bytes:
    if isinstance(src, bytes | bytearray):
        return bytes(src[:8])
    if isinstance(src, str | os.PathLike):
        try:
            with open(src, "rb") as handle:
                return handle.read(8)
        except OSError:
            return b""
    return b""


def is_workbook(src: str | os.PathLike[str] | bytes | BinaryIO) -> bool:
    """True for a zip (XLSX) or OLE2 (old .xls) file: read as a workbook, never as text."""
    return _magic(src).startswith((_ZIP_MAGIC, _OLE2_MAGIC))


def _cell_text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, str):
        return value
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, float) and value.is_integer() and abs(value) < 1e15:
        return str(int(value))
    if isinstance(value, _dt.datetime):
        return value.date().isoformat() if value.time() == _dt.time() else value.isoformat()
    if isinstance(value, _dt.date | _dt.time):
        return value.isoformat()
    return str(value)


def open_workbook(src: str | os.PathLike[str] | bytes | BinaryIO, label: str) -> Any:
    import openpyxl  # imported here: only XLSX inputs need it

    if _magic(src).startswith(_OLE2_MAGIC):
        raise InputError(
            "an old Excel .xls workbook (OLE2), which is not read; save it as .xlsx or CSV "
            "and import that",
            path=label,
        )
    source = src if isinstance(src, str | os.PathLike) else io.BytesIO(bytes(src))  # type: ignore[arg-type]
    try:
        with zipfile.ZipFile(source) as archive:
            members = archive.namelist()
    except (zipfile.BadZipFile, OSError) as exc:
        raise InputError(
            f"cannot read the XLSX workbook: {exc}; expected an .xlsx file as Excel or "
            "LibreOffice saves it (or export the table as CSV and import that)",
            path=label,
        ) from None
    if "xl/workbook.xml" not in members:
        shown = ", ".join(members[:10]) + (
            f" and {len(members) - 10} more" if len(members) > 10 else ""
        )
        raise InputError(
            f"a zip archive, not an XLSX workbook; it holds {shown or 'nothing'}. Unzip it "
            "and import the export inside (Rayyan, for one, downloads its CSV in a zip)",
            path=label,
        )
    if not isinstance(source, str | os.PathLike):
        source.seek(0)
    try:
        return openpyxl.load_workbook(source, read_only=True, data_only=True)
    except Exception as exc:  # zipfile/openpyxl raise many types for a damaged file
        raise InputError(
            f"cannot read the XLSX workbook: {exc}; expected an .xlsx file as Excel or "
            "LibreOffice saves it (or export the table as CSV and import that)",
            path=label,
        ) from None


def sheet_rows(sheet: Any) -> Iterator[tuple[int, list[str]]]:
    """(row number, cell texts) for every row of a sheet, blank rows included."""
    sheet.reset_dimensions()  # some writers record a wrong sheet size; read every row
    for number, row in enumerate(sheet.iter_rows(values_only=True), start=1):
        cells = [_cell_text(v) for v in row]
        while cells and not cells[-1]:
            cells.pop()
        yield number, cells


def workbook_sample(book: Any) -> list[tuple[Any, list[list[str]]]]:
    samples = []
    for sheet in book.worksheets:
        rows = []
        for _number, cells in sheet_rows(sheet):
            rows.append(cells)
            if len(rows) >= SAMPLE_ROWS:
                break
        samples.append((sheet, rows))
    return samples


def detect_workbook(src: str | os.PathLike[str] | bytes, *, label: str) -> str:
    """The layout name of an XLSX workbook, or InputError listing its columns."""
    book = open_workbook(src, label)
    try:
        samples = workbook_sample(book)
    finally:
        book.close()
    for _sheet, rows in samples:
        found = find_header(rows, LAYOUTS, forced=False)
        if found:
            return found[1].name
    for sheet, rows in samples:
        hint = columns_hint(rows)
        if hint:
            raise InputError(
                f"unrecognised XLSX export: {hint} (sheet {sheet.title!r})", path=label
            )
    raise InputError(
        f"unrecognised XLSX export: no sheet has a header row ({len(samples)} sheet(s) "
        f"read); {no_header_found()}",
        path=label,
    )
