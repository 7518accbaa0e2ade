"""Write a new review folder: Snakefile (the installed workflow as a module), a commented protocol,
the exports in place and every sheet with its header.

A reviewer's first run should reach the first thing only a person can do (screen titles and
abstracts) without hand-written configuration; everything that is the review's own (question,
factors, analyses) is marked TODO in the protocol, never copied from the shipped review.
"""

from __future__ import annotations

import datetime as dt
import json
import re
import shutil
from dataclasses import dataclass
from pathlib import Path

from evsynth.contracts.schemas import load_schema
from evsynth.errors import InputError

__all__ = ["Export", "init_review", "parse_export", "source_name"]

TEMPLATES = Path(__file__).resolve().parent / "templates"
DEFAULT_TITLE = "TODO: the title of the review"
STAGES = ("title_abstract", "full_text")
REVIEWERS = ("reviewer_1", "reviewer_2")


@dataclass(frozen=True)
class Export:
    """One export file of one database (``--export "DATABASE=FILE"``)."""

    database: str
    path: Path


def parse_export(text: str) -> Export:
    """``DATABASE=FILE`` -> Export; the database is the name the report and PRISMA show."""
    database, sep, path = text.partition("=")
    if not sep or not database.strip() or not path.strip():
        raise InputError(f'--export {text!r}: expected DATABASE=FILE, e.g. "Embase=embase.ris"')
    file = Path(path.strip()).expanduser()
    if not file.is_file():
        raise InputError("export file not found", path=str(file))
    return Export(database.strip(), file)


def source_name(database: str) -> str:
    """The config's source key for a database name: ``Web of Science`` -> ``web_of_science``."""
    name = re.sub(r"[^a-z0-9]+", "_", database.lower()).strip("_")
    if not name or not name[0].isalpha():
        name = f"db_{name}" if name else "db"
    return name


def _schema_columns(name: str) -> list[str]:
    """A sheet's columns, in the order its schema (in the installed workflow) lists them."""
    return list(load_schema(name)["properties"])


def _write_new(path: Path, text: str) -> None:
    if path.exists():
        raise InputError("already exists; evsynth init never overwrites a review", path=str(path))
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")


def _yaml_string(value: str) -> str:
    return json.dumps(value, ensure_ascii=False)  # a JSON string is a valid YAML scalar


def _sources_block(run: str, placed: dict[str, tuple[str, list[str]]]) -> str:
    lines = []
    for source, (database, files) in placed.items():
        lines += [
            f"        {source}:",
            "          # The database searched (shown in the report and the PRISMA diagram).",
            f"          database: {_yaml_string(database)}",
            "          # TODO: the interface searched (PRISMA-S item 1), e.g. Ovid, Embase.com.",
            "          # platform: ...",
            "          mode: import",
            f"          files: [{', '.join(files)}]",
            "          format: auto",
            "          # TODO: the full strategy as run (PRISMA-S item 8); `|-` keeps its lines.",
            "          # query: |-",
            "          #   ...",
        ]
    return "\n".join(lines) + "\n"


def init_review(
    directory: Path,
    *,
    title: str | None = None,
    exports: list[Export] | None = None,
    run_date: str | None = None,
) -> list[Path]:
    """Create the review folder; returns the files written (relative to ``directory``)."""
    exports = exports or []
    run = run_date or dt.datetime.now(dt.UTC).date().isoformat()
    try:
        dt.date.fromisoformat(run)
    except ValueError:
        raise InputError(f"--date {run!r}: expected YYYY-MM-DD") from None
    directory = Path(directory)
    if directory.exists() and any(directory.iterdir()):
        raise InputError(
            "is not empty; evsynth init writes a new review into an empty or new folder",
            path=str(directory),
        )
    directory.mkdir(parents=True, exist_ok=True)
    written: list[Path] = []

    def write(rel: str, text: str) -> None:
        _write_new(directory / rel, text)
        written.append(Path(rel))

    placed: dict[str, tuple[str, list[str]]] = {}
    taken: set[str] = set()
    for export in exports:
        source = source_name(export.database)
        database, files = placed.setdefault(source, (export.database, []))
        if database != export.database:
            raise InputError(
                f"databases {database!r} and {export.database!r} would share the source name "
                f"{source!r}; give them names that differ in letters or digits"
            )
        name = export.path.name
        if name in taken:
            name = f"{source}_{name}"
        taken.add(name)
        rel = f"resources/searches/{run}/{name}"
        (directory / rel).parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(export.path, directory / rel)
        written.append(Path(rel))
        files.append(rel)
    if not placed:
        raise InputError(
            'give at least one export: --export "DATABASE=FILE" (e.g. "PubMed=pubmed.nbib")'
        )

    heading = title or DEFAULT_TITLE
    snakefile = (TEMPLATES / "Snakefile.tmpl").read_text(encoding="utf-8")
    write("Snakefile", snakefile.replace("@TITLE@", heading.replace("\n", " ")))
    config = (TEMPLATES / "config.yaml.tmpl").read_text(encoding="utf-8")
    config = (
        config.replace("@TITLE_YAML@", _yaml_string(heading))
        .replace("@RUN@", run)
        .replace("@SOURCES@", _sources_block(run, placed))
    )
    write("config/config.yaml", config)

    write("resources/dedup/decisions.csv", ",".join(_schema_columns("dedup_decisions")) + "\n")
    screening_header = "record_id,decision,reason,note\n"
    for stage in STAGES:
        for reviewer in REVIEWERS:
            write(f"resources/screening/{stage}/{reviewer}.csv", screening_header)
    write(
        "resources/screening/README.md",
        "# Screening decisions\n\n"
        "One file per reviewer in each stage folder; the file name is the reviewer's name (as in\n"
        "config `screening.reviewers`). Columns: record_id (or study_record_id), decision\n"
        "(include | exclude | maybe; not_retrieved at full text), reason, note. Start from\n"
        "results/screening/queue_<stage>.csv (or its RIS, for ASReview, Rayyan or Zotero);\n"
        "exports of ASReview LAB, Rayyan and Covidence can be saved here as they are.\n",
    )
    for sheet in ("studies", "effects"):
        columns = _schema_columns(f"extraction_{sheet}")
        write(f"resources/extraction/{sheet}.csv", ",".join(columns) + "\n")
    write(
        ".gitignore",
        "# Outputs the workflow rebuilds from config/ and resources/.\n"
        "results/\nlogs/\n.snakemake/\n",
    )
    return written
