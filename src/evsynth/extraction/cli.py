"""`evsynth extract`: validate the extraction sheets and write the extraction tables.

The command reads the review's config file for the factors, outcomes, selection rule and analyses:
those choices are part of the protocol, so passing the protocol itself is the simplest honest
interface (no second copy of the choices on the command line).
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

import yaml

from evsynth.commands import add_command
from evsynth.contracts.search_runs import records_tables_by_run
from evsynth.errors import InputError
from evsynth.extraction.build import extract
from evsynth.extraction.schema import read_sheet
from evsynth.extraction.settings import parse_settings
from evsynth.extraction.write import write_result
from evsynth.tables import read_tsv

__all__ = ["register", "run"]

EPILOG = """example:
  evsynth extract --studies resources/extraction/studies.csv \\
      --effects resources/extraction/effects.csv --config config/config.yaml \\
      --screening results/screening/full_text.tsv --records results/dedup/unique.tsv \\
      --search-records results/search/*/*.records.tsv --runs 2025-12-31 2026-11-27 \\
      --out results/extraction

Writes effects.tsv, studies.tsv, narrative.tsv, analyses/{analysis}.tsv (one per meta-analysis in
config), analysis_members.tsv, warnings.tsv, summary.json, and risk_of_bias.tsv when --risk-of-bias
is given. Without --screening, links to screened records are not checked (the output says so).
"""


def register(subparsers: Any) -> None:
    parser = add_command(subparsers, "extract", run, epilog=EPILOG)
    parser.add_argument("--studies", required=True, help="studies sheet (CSV)")
    parser.add_argument("--effects", required=True, help="effects sheet (CSV)")
    parser.add_argument(
        "--config",
        default="config/config.yaml",
        help="review config (YAML) with the extraction and analyses sections "
        "(default: config/config.yaml)",
    )
    parser.add_argument("--out", required=True, help="output directory")
    parser.add_argument(
        "--screening", help="full-text screening decisions (results/screening/full_text.tsv)"
    )
    parser.add_argument(
        "--records",
        help="deduplicated records (results/dedup/unique.tsv) to link studies by pmid/doi/title",
    )
    parser.add_argument(
        "--risk-of-bias", dest="risk_of_bias", help="risk-of-bias sheet (CSV, NOS or QUIPS)"
    )
    parser.add_argument(
        "--search-records",
        nargs="+",
        default=[],
        metavar="TSV",
        help="the runs' records tables (results/search/{run}/{source}.records.tsv; the run is the "
        "folder name): each study's search_run is the earliest run that found it",
    )
    parser.add_argument(
        "--runs",
        nargs="+",
        default=None,
        metavar="RUN",
        help="search run ids oldest first (config order; default: the folder names sorted)",
    )


def _load_config(path: str) -> dict[str, Any]:
    try:
        with Path(path).open(encoding="utf-8") as handle:
            config = yaml.safe_load(handle) or {}
    except FileNotFoundError:
        raise InputError("config file not found", path=path) from None
    except yaml.YAMLError as exc:
        raise InputError(f"not valid YAML: {exc}", path=path) from None
    if not isinstance(config, dict):
        raise InputError("config must be a mapping", path=path)
    return config


def _record_runs(
    paths: list[str], runs: list[str] | None
) -> tuple[dict[str, str] | None, list[str]]:
    """record_id -> earliest run, from results/search/{run}/{source}.records.tsv files."""
    if not paths:
        return None, list(runs or [])
    order, tables = records_tables_by_run(paths, runs)
    record_runs: dict[str, str] = {}
    for path, run in tables:
        for row in read_tsv(path, required=("record_id",)):
            record_runs.setdefault(row["record_id"], run)
    return record_runs, order


def run(args: argparse.Namespace) -> int:
    """validate extraction sheets; derive, harmonise and select hazard ratios

    Validate the studies and effects sheets against their schemas, derive log HR and SE, turn
    estimates into each factor's configured direction, select one per study, and write the pooling
    input of every configured analysis.
    """
    settings = parse_settings(_load_config(args.config), path=args.config)
    studies = read_sheet(args.studies, "studies")
    effects = read_sheet(args.effects, "effects")
    rob = read_sheet(args.risk_of_bias, "risk_of_bias") if args.risk_of_bias else None
    screening = (
        read_tsv(args.screening, required=("study_record_id", "decision"))
        if args.screening
        else None
    )
    records = read_tsv(args.records, required=("study_record_id",)) if args.records else None
    record_runs, run_order = _record_runs(args.search_records, args.runs)
    result = extract(
        studies,
        effects,
        settings,
        screening=screening,
        records=records,
        risk_of_bias=rob,
        record_runs=record_runs,
        run_order=run_order,
    )
    summary = write_result(result, args.out)
    err = sys.stderr
    for w in result.warnings:
        print(
            f"warning: {w.sheet} line {w.line} (study {w.study_id}, effect {w.effect_id}): "
            f"{w.message}",
            file=err,
        )
    if not result.links_checked:
        print(
            "note: no --screening given: links from studies to full-text inclusions were NOT "
            "checked",
            file=err,
        )
    for rid in result.included_without_extraction:
        print(
            f"note: study record {rid} is included at full text but no study in the studies sheet "
            f"links to it",
            file=err,
        )
    print(
        f"extract: {summary['effects_in']} effect rows, {summary['effects_poolable']} poolable, "
        f"{summary['effects_narrative']} in the narrative table, {summary['warnings']} warning(s); "
        + ", ".join(f"{a} k={s['k']}" for a, s in summary["analyses"].items()),
        file=err,
    )
    return 0
