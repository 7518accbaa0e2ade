"""`evsynth update`: append a dated search run to the review's protocol.

A living review adds search runs; it never rewrites earlier ones (their archives are the record
of what was found when). The new run covers the days after the previous run up to its own date:
by entry date (``edat``) for PubMed, so records indexed late are not missed, and by the window the
reviewer sets for each imported database. The config file is edited as text, appending one block,
so that the comments that make ``config/config.yaml`` the review's manual survive.
"""

from __future__ import annotations

import argparse
import datetime as dt
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from evsynth.commands import add_command
from evsynth.errors import InputError

__all__ = ["NewRun", "append_run", "plan_run", "register"]

_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
# Export files a reviewer may drop into resources/searches/{run}/ for an imported database.
_EXPORT_SUFFIXES = (".ris", ".txt", ".csv", ".tsv", ".xml", ".nbib")
# How far the first entry-date (edat) window reaches back after a publication-date (pdat) run:
# records indexed before their issue date wait weeks, rarely a quarter, between entry and issue.
OVERLAP_DAYS = 92


@dataclass(frozen=True)
class NewRun:
    """The run to append, and what the reviewer still has to do for it."""

    run: dict[str, Any]
    missing_exports: tuple[str, ...]
    # Every database of the previous run, in its order: (source, database, what happens to it in
    # the new run, the file the user must add or None). Imported ones without an export are left
    # out of `run` until their file is in place, but never out of this list.
    databases: tuple[tuple[str, str, str, str | None], ...] = ()


def _parse_date(value: str, what: str) -> dt.date:
    if not _DATE.match(value):
        raise InputError(f"{what} {value!r} is not a date; write YYYY-MM-DD")
    try:
        return dt.date.fromisoformat(value)
    except ValueError as exc:
        raise InputError(f"{what} {value!r} is not a valid date: {exc}") from None


def plan_run(
    config: dict[str, Any], to: str, *, root: Path, overlap_days: int = OVERLAP_DAYS
) -> NewRun:
    """Work out the new run from the last one: same sources and queries, the next window.

    PubMed sources become ``mode: online`` with ``datetype: edat`` and an archive under
    ``resources/searches/{to}/``; imported sources are included when export files for them
    already sit in that folder (named after the source, e.g. ``embase.ris``), and reported
    missing otherwise. When the previous PubMed search was by publication date, the first
    entry-date window starts ``overlap_days`` early (see :data:`OVERLAP_DAYS`).
    """
    runs = config.get("search", {}).get("runs") or []
    if not runs:
        raise InputError("config has no search.runs; the first run must be declared by hand")
    last = runs[-1]
    to_date = _parse_date(to, "--to")
    last_to = _parse_date(str(last.get("to") or last["id"]), f"run {last['id']} 'to'")
    if any(str(r["id"]) == to for r in runs):
        raise InputError(
            f"search run {to} already exists in config; earlier runs are never rewritten"
        )
    if to_date <= last_to:
        raise InputError(
            f"--to {to} is not after the last run's end ({last_to.isoformat()}); "
            "an update covers the days after the previous run"
        )
    folder = Path("resources") / "searches" / to
    sources: dict[str, Any] = {}
    missing = []
    databases = []
    for name, source in last["sources"].items():
        database = str(source.get("database") or name)
        mode = source.get("mode", "import")
        new = {k: v for k, v in source.items() if k not in ("files", "archive")}
        if mode in ("offline", "online"):
            if source.get("datetype", "pdat") != "edat":
                # The previous run searched by publication date: a record entered before its end
                # but published after it (next year's issue) is in neither window, so the first
                # entry-date window reaches back; records found twice keep their ids in dedup.
                start = last_to + dt.timedelta(days=1) - dt.timedelta(days=overlap_days)
                new["from"] = start.isoformat()
            else:
                new.pop("from", None)
            new.pop("to", None)
            new["mode"] = "online"
            new["datetype"] = "edat"
            new["archive"] = str(folder / name)
            sources[name] = new
            databases.append(
                (
                    name,
                    database,
                    "searched online through E-utilities by entry date, archived in "
                    f"{folder / name}",
                    None,
                )
            )
            continue
        found = sorted(
            str(p.relative_to(root))
            for p in (root / folder).glob(f"{name}*")
            if p.is_file() and p.suffix.lower() in _EXPORT_SUFFIXES
        )
        if found:
            new["files"] = found
            sources[name] = new
            databases.append((name, database, f"export found: {', '.join(found)}", None))
        else:
            missing.append(f"{name} ({source.get('database', name)})")
            previous = [Path(f).suffix for f in source.get("files") or []]
            suffix = previous[0] if previous and previous[0] else ".ris"
            needed = str(folder / f"{name}{suffix}")
            databases.append(
                (name, database, "no export yet: left out of the run until it is added", needed)
            )
    run = {
        "id": to,
        "from": (last_to + dt.timedelta(days=1)).isoformat(),
        "to": to,
        "sources": sources,
    }
    if not sources:
        raise InputError(
            f"no source can be updated automatically and no exports were found in {folder}/; "
            "put the exports there (named after each source, e.g. embase.ris) and run again"
        )
    return NewRun(run=run, missing_exports=tuple(missing), databases=tuple(databases))


def _runs_block_end(text: str) -> tuple[int, int]:
    """Line index after the last item of ``search.runs``, and the indent of its items.

    Uses YAML's own node positions (block scalars may hold lines that look like comments, such as
    a Cochrane strategy's ``#1`` lines), then steps back over trailing blank lines.
    """
    root = yaml.compose(text)
    runs = None
    if isinstance(root, yaml.MappingNode):
        for key, value in root.value:
            if key.value == "search" and isinstance(value, yaml.MappingNode):
                for k2, v2 in value.value:
                    if k2.value == "runs" and isinstance(v2, yaml.SequenceNode):
                        runs = v2
    if runs is None or not runs.value:
        raise InputError("config has no 'runs:' list under 'search:'")
    last = runs.value[-1]
    lines = text.splitlines(keepends=True)
    end = min(last.end_mark.line + (1 if last.end_mark.column else 0), len(lines))
    while end > last.start_mark.line + 1 and not lines[end - 1].strip():
        end -= 1
    return end, max(last.start_mark.column - 2, 0)


def append_run(config_path: Path, new: NewRun) -> None:
    """Append the run as YAML text after the last run, leaving every other line untouched."""
    text = config_path.read_text(encoding="utf-8")
    lines = text.splitlines(keepends=True)
    end, indent = _runs_block_end(text)
    dumped = yaml.safe_dump([new.run], sort_keys=False, allow_unicode=True, width=100)
    pad = " " * indent
    block = [f"{pad}# Update run appended by `evsynth update` on {new.run['to']}.\n"]
    block += [pad + line + "\n" if line else "\n" for line in dumped.splitlines()]
    lines[end:end] = block
    updated = "".join(lines)
    # The edit must leave a config that parses and holds the new run last.
    parsed = yaml.safe_load(updated)
    if str(parsed["search"]["runs"][-1]["id"]) != new.run["id"]:
        raise InputError(f"could not append the run to {config_path}: unexpected layout")
    config_path.write_text(updated, encoding="utf-8")


def database_lines(new: NewRun) -> list[str]:
    """Every database of the update, imported ones included, with the file still to be added."""
    lines = [f"Databases of search run {new.run['id']} ({new.run['from']} to {new.run['to']}):"]
    for name, database, what, needed in new.databases:
        line = f"  {name} ({database}): {what}"
        if needed:
            line += f"; save its export as {needed}"
        lines.append(line)
    return lines


def next_steps(new: NewRun, config_path: Path, *, appended: bool) -> list[str]:
    """What the reviewer does next, in the order it must be done."""
    run = new.run
    steps = []
    missing = [(name, db, needed) for name, db, _, needed in new.databases if needed]
    for name, database, needed in missing:
        window = f"{run['from']}..{run['to']}"
        if appended:
            steps.append(
                f"Export {name} ({database}) for {window} into {needed} and add it to run "
                f"{run['id']} in {config_path} (sources: {name}: files: [{needed}], as in the "
                "previous run)."
            )
        else:
            steps.append(f"Export {name} ({database}) for {window} into {needed}.")
    if not appended:
        steps.append(
            f"evsynth update --to {run['to']} --config {config_path} (without --dry-run): "
            "appends the run with every export in place."
        )
    if any(s.get("mode") == "online" for s in run["sources"].values()):
        steps.append(
            "Set search.pubmed.email in the config (and NCBI_API_KEY in the environment if you "
            "have one): PubMed is queried online for the new window."
        )
    steps.append(
        "snakemake --cores 4: searches and imports the new run, deduplicates against the earlier "
        "runs and stops at the records to screen."
    )
    steps.append(
        "Screen the new records in results/screening/queue_title_abstract.csv (earlier decisions "
        "stand), then the full texts (queue_full_text.csv), rerunning `snakemake --cores 4` after "
        "each stage."
    )
    steps.append(f"Commit {config_path} and resources/searches/{run['id']}/.")
    return [f"  {n}. {step}" for n, step in enumerate(steps, start=1)]


def _run(args: argparse.Namespace) -> int:
    """append a dated search run (a living-review update) to the config

    Append a dated search run to the review's protocol.
    """
    config_path = Path(args.config)
    if not config_path.exists():
        raise InputError("config file not found", path=str(config_path))
    config = yaml.safe_load(config_path.read_text(encoding="utf-8"))
    root = config_path.resolve().parent.parent
    to = args.to or dt.date.today().isoformat()
    new = plan_run(config, to, root=root, overlap_days=args.overlap_days)
    if args.dry_run:
        print(f"Dry run: this run would be appended to {config_path}:")
        print(yaml.safe_dump([new.run], sort_keys=False, allow_unicode=True), end="")
        print("\n".join(database_lines(new)))
        print("Next, in order:")
        print("\n".join(next_steps(new, config_path, appended=False)))
        return 0
    append_run(config_path, new)
    run = new.run
    print(f"Appended search run {run['id']} ({run['from']} to {run['to']}) to {config_path}.")
    print("\n".join(database_lines(new)))
    print("Next, in order:")
    print("\n".join(next_steps(new, config_path, appended=True)))
    return 0


def register(subparsers: argparse._SubParsersAction) -> None:
    """Add `evsynth update`."""
    parser = add_command(
        subparsers,
        "update",
        _run,
        epilog="example: evsynth update --to 2026-11-27 --config config/config.yaml",
    )
    parser.add_argument("--to", help="last day of the new run's window (default: today)")
    parser.add_argument("--config", default="config/config.yaml", help="the review's config file")
    parser.add_argument(
        "--overlap-days",
        type=int,
        default=OVERLAP_DAYS,
        help="after a PubMed run by publication date, start the entry-date window this many days "
        f"early so no record falls between the two (default {OVERLAP_DAYS})",
    )
    parser.add_argument(
        "--dry-run", action="store_true", help="print the run that would be appended and stop"
    )
