"""`evsynth screen` and `evsynth screen-agreement` (PRISMA counts: :mod:`evsynth.prisma.cli`)."""

from __future__ import annotations

import argparse
import json
import os
import sys
from pathlib import Path

from evsynth.commands import add_command
from evsynth.errors import InputError
from evsynth.screening import vocab
from evsynth.screening.ingest import DecisionFile
from evsynth.screening.output import write_stage
from evsynth.screening.run import screen_files
from evsynth.screening.stage import StageSettings
from evsynth.tables import write_json

__all__ = ["combine_agreement", "register"]

SCREEN_EXAMPLE = """\
example:
  evsynth screen --records results/dedup/unique.tsv --stage title_abstract \\
      --decisions resources/screening/title_abstract/ --reviewers alice,bob \\
      --required-reviewers 2 --adjudication resources/screening/adjudication_ta.csv \\
      --out results/screening/
  evsynth screen --records results/dedup/unique.tsv --stage full_text \\
      --previous-stage results/screening/title_abstract.tsv \\
      --decisions alice=exports/alice_asreview.xlsx bob=exports/bob.ris \\
      --reason "wrong population" --reason "no survival outcome" --out results/screening/

A --decisions value is a file, a directory of files, or REVIEWER=FILE for a file without a reviewer
column (else the file name is the reviewer). Formats are detected from content: plain CSV, ASReview
LAB (CSV/TSV/XLSX/RIS export or .asreview project), Rayyan (articles CSV, zip or RIS), Covidence
(CSV/RIS of one list; --list FILE=included when the content cannot say which), Abstrackr CSV,
EPPI-Reviewer (Excel; RIS with --list).
"""

AGREEMENT_EXAMPLE = """\
example:
  evsynth screen-agreement results/screening/agreement_title_abstract.json \\
      results/screening/agreement_full_text.json --out results/screening/agreement.json \\
      --require-complete \\
      --publish results/screening/unchecked/title_abstract.tsv results/screening/title_abstract.tsv

With --require-complete it stops, naming the counts and the queue files, while a stage has records
without a final decision; --publish copies stage tables only after that check passed.
"""


def _reasons(args: argparse.Namespace) -> list[str]:
    reasons = list(args.reason or [])
    if args.reasons_file:
        path = Path(args.reasons_file)
        try:
            text = path.read_text(encoding="utf-8-sig")
        except OSError as exc:
            raise InputError(f"cannot read the reasons file: {exc}", path=str(path)) from exc
        reasons += [
            line.strip() for line in text.splitlines() if line.strip() and not line.startswith("#")
        ]
    return reasons


def _pairs(values: list[str] | None, option: str) -> dict[str, str]:
    """``A=B`` option values -> {A: B} (split at the last ``=``, so paths may hold one)."""
    out = {}
    for value in values or []:
        left, sep, right = value.rpartition("=")
        if not sep or not left.strip() or not right.strip():
            raise InputError(f"{option} {value!r}: expected A=B")
        out[left.strip()] = right.strip()
    return out


def _decision_specs(args: argparse.Namespace) -> list[DecisionFile]:
    """--decisions values, with the lists --list declares for Covidence/EPPI-Reviewer exports."""
    lists = _pairs(args.list, "--list")
    specs = [DecisionFile.parse(s) for s in args.decisions]
    known = {spec.path for spec in specs}
    for path in lists:
        if path not in known:
            raise InputError(
                f"--list {path}={lists[path]}: {path} is not one of the --decisions files"
            )
    for spec in specs:
        spec.list = lists.get(spec.path, spec.list)
    return specs


def _incomplete_message(stage: str, counts: dict, queue_csv: str) -> str:
    return (
        f"screening stage {stage} is incomplete: {counts['queued']} of {counts['records']} records "
        f"still need a decision ({counts['awaiting_reviewers']} awaiting reviewers, "
        f"{counts['conflicts_unresolved']} unresolved conflicts, {counts['maybe_unresolved']} "
        f"'maybe' at full text); fill {queue_csv} and add it to the stage's decisions, or set "
        "screening.require_complete: false to continue and mark the review incomplete"
    )


def _screen(args: argparse.Namespace) -> int:
    """combine screening decisions for one stage; write the stage table and queue

    Read decision files (any supported tool), match them to study records, combine reviewers,
    resolve conflicts with the adjudication file, compute Cohen's kappa, and write {stage}.tsv,
    queue_{stage}.csv/.ris and agreement_{stage}.json.
    """
    reviewers = [r.strip() for r in (args.reviewers or "").split(",") if r.strip()]
    settings = StageSettings(
        stage=args.stage,
        reviewers=reviewers,
        required_reviewers=args.required_reviewers,
        exclusion_reasons=_reasons(args),
        require_complete=args.require_complete,
        reason_aliases=_pairs(args.reason_alias, "--reason-alias"),
    )
    if args.stage == "full_text" and not args.previous_stage:
        raise InputError(
            "--stage full_text needs --previous-stage results/screening/title_abstract.tsv"
        )
    result, records = screen_files(
        args.records,
        _decision_specs(args),
        settings=settings,
        adjudication=[DecisionFile.parse(s) for s in args.adjudication or []],
        previous_stage=args.previous_stage,
    )
    paths = write_stage(result, records, args.out, table=args.table)
    counts = result.counts()
    print(
        f"{args.stage}: {counts['records']} records, {counts['include']} include, "
        f"{counts['exclude']} exclude, {counts['maybe']} maybe, {counts['queued']} queued "
        f"-> {paths['tsv']}",
        file=sys.stderr,
    )
    if not result.complete and args.require_complete:
        raise InputError(_incomplete_message(args.stage, counts, str(paths["queue_csv"])))
    return 0


def combine_agreement(documents: list[dict]) -> dict:
    """agreement.json: the per-stage documents keyed by stage, and whether all are complete."""
    stages = {doc["stage"]: doc for doc in documents}
    return {
        "stages": stages,
        "complete": all(doc["complete"] for doc in documents),
        "incomplete_stages": sorted(s for s, d in stages.items() if not d["complete"]),
    }


def _agreement(args: argparse.Namespace) -> int:
    """combine agreement_{stage}.json files into agreement.json

    Join the agreement_{stage}.json files of `evsynth screen` into results/screening/agreement.json,
    which says whether every stage is complete and which are not.
    """
    documents = []
    for path in args.stage_files:
        try:
            documents.append(json.loads(Path(path).read_text(encoding="utf-8")))
        except (OSError, json.JSONDecodeError) as exc:
            raise InputError(f"cannot read a stage agreement file: {exc}", path=path) from exc
    combined = combine_agreement(documents)
    combined["require_complete"] = args.require_complete
    if not combined["complete"] and args.require_complete:
        messages = [
            _incomplete_message(s, d["counts"], d["queue"]["csv"])
            for s, d in sorted(combined["stages"].items())
            if not d["complete"]
        ]
        raise InputError("\n".join(messages))
    for source, target in args.publish or []:
        _copy(Path(source), Path(target))
    write_json(args.out, combined)
    return 0


def _copy(source: Path, target: Path) -> None:
    """Publish a checked stage table: byte copy, written atomically."""
    try:
        data = source.read_bytes()
    except OSError as exc:
        raise InputError(
            f"cannot read the stage table to publish: {exc}", path=str(source)
        ) from exc
    target.parent.mkdir(parents=True, exist_ok=True)
    tmp = target.with_name(f".{target.name}.tmp")
    tmp.write_bytes(data)
    os.replace(tmp, target)


def register(subparsers: argparse._SubParsersAction) -> None:
    """Add `screen` and `screen-agreement` to the evsynth CLI."""
    p = add_command(subparsers, "screen", _screen, epilog=SCREEN_EXAMPLE)
    p.add_argument("--records", required=True, metavar="TSV", help="results/dedup/unique.tsv")
    p.add_argument(
        "--decisions", nargs="*", default=[], metavar="FILE", help="decision files or directories"
    )
    p.add_argument("--stage", required=True, choices=vocab.STAGES)
    p.add_argument("--out", required=True, help="output directory (results/screening/)")
    p.add_argument(
        "--table", metavar="TSV", help="write the stage table here (default OUT/STAGE.tsv)"
    )
    p.add_argument(
        "--reviewers", default="", help="comma-separated reviewer names (others are an error)"
    )
    p.add_argument(
        "--required-reviewers",
        type=int,
        default=1,
        metavar="N",
        help="reviewers who must decide each record (default 1)",
    )
    p.add_argument(
        "--adjudication",
        nargs="*",
        default=[],
        metavar="FILE",
        help="plain decision file(s) whose decisions override the reviewers'",
    )
    p.add_argument(
        "--reason", action="append", metavar="R", help="an allowed full-text exclusion reason"
    )
    p.add_argument("--reasons-file", metavar="FILE", help="allowed exclusion reasons, one a line")
    p.add_argument(
        "--reason-alias",
        action="append",
        metavar="TOOL=PROTOCOL",
        help="map a tool's wording of an exclusion reason to the protocol's reason",
    )
    p.add_argument(
        "--list",
        action="append",
        metavar="FILE=LIST",
        help="the list a Covidence (included, excluded, irrelevant, select) or EPPI-Reviewer "
        "(included, excluded) export holds, when its content cannot say",
    )
    p.add_argument(
        "--previous-stage", metavar="TSV", help="title_abstract.tsv (for --stage full_text)"
    )
    p.add_argument(
        "--require-complete",
        action=argparse.BooleanOptionalAction,
        default=False,
        help="exit with an error (after writing everything) if records remain queued",
    )

    a = add_command(subparsers, "screen-agreement", _agreement, epilog=AGREEMENT_EXAMPLE)
    a.add_argument("stage_files", nargs="+", metavar="JSON", help="agreement_{stage}.json files")
    a.add_argument("--out", required=True, metavar="JSON", help="results/screening/agreement.json")
    a.add_argument(
        "--publish",
        nargs=2,
        action="append",
        metavar=("SRC", "DEST"),
        help="copy a stage table to its contract path once the completeness check passed",
    )
    a.add_argument(
        "--require-complete",
        action=argparse.BooleanOptionalAction,
        default=False,
        help="stop with the counts and queue paths when any stage is incomplete",
    )
