"""``evsynth import``: read database exports into the canonical records table and a search log.

This layer only wires things together: importers compute records, :mod:`evsynth.contracts.records`
writes the table, and the log records what was read (file checksums, formats, counts, unknown tags)
so a reader of the review can check each export against the PRISMA flow diagram. Nothing in the
outputs depends on the clock or on where the files were, so a rerun is byte-identical.
"""

from __future__ import annotations

import argparse
import gc
import re
import shutil
import sys
from collections import Counter
from pathlib import Path
from typing import Any

from evsynth import __version__
from evsynth.commands import add_command
from evsynth.contracts.records import Record, assign_record_ids, write_records
from evsynth.errors import InputError
from evsynth.sources.base import Importer
from evsynth.sources.detect import IMPORTERS, detect_format, importer_for
from evsynth.sources.tabular import TabularReader, parse_columns
from evsynth.tables import sha256_file, write_json

__all__ = ["ImportedFile", "import_files", "register", "run_import"]

_SOURCE_NAME = re.compile(r"^[A-Za-z0-9_][A-Za-z0-9_.-]*$")
_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")

EPILOG = (
    """\
example:
  evsynth import exports/embase-1.ris exports/embase-2.ris --format auto --source embase \\
      --out results/search/2025-12-31/embase.records.tsv \\
      --log results/search/2025-12-31/embase.log.json \\
      --raw-dir results/search/2025-12-31/raw/embase --run 2025-12-31 \\
      --database Embase --platform Embase.com --from 1900-01-01 --to 2025-12-31

formats: auto (detect from content), """
    + ", ".join(IMPORTERS)
    + "\n"
)


def register(subparsers: argparse._SubParsersAction) -> None:
    """Add ``evsynth import``."""
    parser = add_command(subparsers, "import", run_import, epilog=EPILOG)
    parser.add_argument("files", nargs="+", metavar="FILE", help="export file(s)")
    parser.add_argument(
        "--format",
        default="auto",
        choices=["auto", *IMPORTERS],
        help="export format (default: auto, detected from each file's content)",
    )
    parser.add_argument(
        "--columns",
        metavar="MAP",
        help="read CSV/TSV/XLSX files whose header matches no known layout, mapping columns by "
        "hand: 'title=Article Title,authors=Authors,year=Year,doi=DOI,source_id=ID' (fields: "
        "title authors journal journal_abbrev year volume issue pages start_page end_page doi "
        "pmid abstract keywords issn url language pub_type source_id)",
    )
    parser.add_argument("--source", required=True, help="source name, the record id prefix")
    parser.add_argument("--out", required=True, type=Path, help="records TSV to write")
    parser.add_argument("--log", type=Path, help="search log JSON to write")
    parser.add_argument("--raw-dir", type=Path, help="directory to copy the raw exports into")
    parser.add_argument("--run", help="search run id (its date, YYYY-MM-DD)")
    parser.add_argument("--database", help="database searched, e.g. Embase")
    parser.add_argument("--platform", help="platform or interface, e.g. Embase.com, Ovid")
    parser.add_argument("--query", help="the search strategy exactly as run")
    parser.add_argument("--from", dest="date_from", help="start of the search's date window")
    parser.add_argument("--to", dest="date_to", help="end of the search's date window")


class ImportedFile:
    """What one export gave: its records and the facts the search log reports about it."""

    __slots__ = (
        "databases",
        "format",
        "name",
        "path",
        "records",
        "search_queries",
        "sha256",
        "skipped_lines",
        "skipped_rows",
        "unknown_tags",
        "warnings",
    )

    def __init__(self, path: Path, fmt: str) -> None:
        self.path = path
        self.name = path.name
        self.format = fmt
        self.records: list[Record] = []
        self.sha256 = ""
        self.unknown_tags: Counter[str] = Counter()
        self.skipped_lines = 0
        #: Rows of a table that are not records, as "file:line: why" (preamble, captions).
        self.skipped_rows: list[str] = []
        #: Search query text found in the export itself (Embase's "SEARCH QUERY" preamble).
        self.search_queries: list[str] = []
        self.warnings: list[str] = []
        self.databases: Counter[str] = Counter()


def import_files(
    paths: list[Path], *, fmt: str = "auto", columns: dict[str, str] | None = None
) -> list[ImportedFile]:
    """Read every export (each file's format detected separately under ``auto``).

    ``columns`` (``--columns``) reads every file as a table with that hand-made column map.
    """
    imported = []
    names: dict[str, Path] = {}
    for path in paths:
        if not path.is_file():
            raise InputError("no such file", path=str(path))
        if path.name in names:
            raise InputError(
                f"two inputs share the file name {path.name!r} ({names[path.name]} and {path}); "
                "rename one so the raw copies and source_file values stay distinct",
                path=str(path),
            )
        names[path.name] = path
        importer: Importer
        if columns:
            if fmt != "auto":
                raise InputError(f"--columns reads tables; it cannot be used with --format {fmt}")
            name, importer = TabularReader.format, TabularReader(columns)
        else:
            name = detect_format(path) if fmt == "auto" else fmt
            importer = importer_for(name)
        result = ImportedFile(path, name)
        # The parsers allocate many small objects and no reference cycles; pausing the cyclic
        # collector avoids repeated full scans of the growing record list.
        enabled = gc.isenabled()
        gc.disable()
        try:
            result.records = list(importer.read(path))
        finally:
            if enabled:
                gc.enable()
        result.sha256 = sha256_file(path)
        result.unknown_tags = importer.unknown_tags
        result.skipped_lines = importer.skipped_lines
        if isinstance(importer, TabularReader):
            result.skipped_rows = [f"{path.name}:{n}: {why}" for n, why in importer.skipped_rows]
            result.search_queries = list(importer.search_queries)
            for row in result.skipped_rows:
                print(f"evsynth import: skipped {row}", file=sys.stderr)
        result.warnings = list(importer.warnings)
        result.databases = importer.databases
        imported.append(result)
    return imported


def build_log(args: argparse.Namespace, imported: list[ImportedFile], count: int) -> dict[str, Any]:
    """The search log of an imported export (contract in docs/architecture.md)."""
    unknown: Counter[str] = Counter()
    for item in imported:
        unknown.update(item.unknown_tags)
    run_date = args.run if args.run and _DATE.match(args.run) else None
    # The query as the export records it (PRISMA-S item 8) when --query did not give it.
    exported = list(dict.fromkeys(q for item in imported for q in item.search_queries))
    query = args.query if args.query else ("\n".join(exported) if exported else None)
    return {
        "source": args.source,
        "run": args.run,
        "database": args.database,
        "platform": args.platform,
        "query": query,
        "date_from": args.date_from,
        "date_to": args.date_to,
        "date_type": None,
        "run_date": run_date,
        "count_reported": None,
        "count_parsed": count,
        "files": [_file_entry(item) for item in imported],
        "unknown_tags": dict(sorted(unknown.items())),
        "tool_version": f"evsynth {__version__}",
    }


def _file_entry(item: ImportedFile) -> dict[str, Any]:
    entry: dict[str, Any] = {
        "path": item.name,
        "sha256": item.sha256,
        "records": len(item.records),
        "format": item.format,
        "skipped_lines": item.skipped_lines,
        "warnings": item.warnings,
        "databases": dict(sorted(item.databases.items())),
    }
    # Only tables have these; absent (not empty) elsewhere so other formats' logs are unchanged.
    if item.search_queries:
        entry["search_query"] = "\n".join(item.search_queries)
    if item.skipped_rows:
        entry["skipped_rows"] = item.skipped_rows
    return entry


def run_import(args: argparse.Namespace) -> int:
    """read database exports (RIS, WoS, Embase, Cochrane, PubMed, ...) into records

    Read one or more exports of one database search into the canonical records TSV, with a log of
    what was read. Several files (Web of Science's 500-record portions, Ovid's 1,000-record ones)
    are read as one export.
    """
    if not _SOURCE_NAME.match(args.source):
        raise InputError(
            f"invalid --source {args.source!r}; use letters, digits, '_', '.' or '-' (it "
            "becomes the record id prefix, e.g. embase:L2005812345)"
        )
    columns = parse_columns(args.columns) if getattr(args, "columns", None) else None
    imported = import_files([Path(p) for p in args.files], fmt=args.format, columns=columns)
    records = [r for item in imported for r in item.records]
    # As in import_files: records and rows hold no reference cycles, and with 100,000 records
    # alive the cyclic collector's repeated scans cost more than writing the table.
    enabled = gc.isenabled()
    gc.disable()
    try:
        assign_record_ids(records, args.source)
        count = write_records(args.out, records)
    finally:
        if enabled:
            gc.enable()
    if args.raw_dir is not None:
        args.raw_dir.mkdir(parents=True, exist_ok=True)
        for item in imported:
            target = args.raw_dir / item.name
            if target.resolve() != item.path.resolve():
                shutil.copyfile(item.path, target)
    if args.log is not None:
        write_json(args.log, build_log(args, imported, count))
    formats = ", ".join(sorted({item.format for item in imported}))
    unknown = sum(sum(item.unknown_tags.values()) for item in imported)
    note = f"; {unknown} value(s) under unknown tags (see the log)" if unknown else ""
    for item in imported:
        for warning in item.warnings:
            print(f"evsynth import: warning: {item.name}: {warning}", file=sys.stderr)
    print(
        f"evsynth import: {args.source}: {count} record(s) from {len(imported)} file(s) "
        f"({formats}) -> {args.out}{note}",
        file=sys.stderr,
    )
    return 0
