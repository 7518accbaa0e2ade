"""`evsynth pool`, `evsynth pool-analysis`, `evsynth pool-summary`: the pooling stage's commands.

This module holds the argument parsers and the review's two stage commands (pool-analysis: one
configured analysis to its JSON; pool-summary: the JSONs to summary.tsv). `pool` and
`effect-size` on a user's own file are in :mod:`evsynth.pooling.adhoc`, their text summary in
:mod:`evsynth.pooling.console`. These three are the only layer of the pooling package that reads
configs and writes files or prints.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

import yaml

from evsynth.commands import add_command
from evsynth.contracts.options import add_renamed
from evsynth.contracts.pooling_result import read_pooling_result, write_pooling_result
from evsynth.contracts.study_tables import read_analysis
from evsynth.errors import InputError
from evsynth.pooling import escalc
from evsynth.pooling.adhoc import cmd_effect_size, cmd_pool
from evsynth.pooling.analysis import (
    SUMMARY_COLUMNS,
    PoolingSettings,
    run_analysis,
    summary_row,
)
from evsynth.pooling.effects import read_effects_csv
from evsynth.pooling.models import METHODS, PI_TYPES
from evsynth.tables import write_tsv

__all__ = ["register"]

POOL_EXAMPLE = """\
examples:
  evsynth pool tests/data/pooling/bcg.csv --method REML --test knha --json
  evsynth pool tests/data/pooling/metadat/egger2001.csv --measure OR --method MH --json
  evsynth pool tests/data/pooling/metadat/yusuf1985.csv --method PETO --json
  evsynth pool tests/data/pooling/metadat/normand1999.csv --measure SMD --method REML --json
  evsynth pool studies.tsv --method DL --level 0.90 --prediction-interval k-2 --json --all
  evsynth pool --effects results/extraction/effects.tsv --analysis complete_resection_prs --json
"""

ANALYSIS_EXAMPLE = """\
example:
  evsynth pool-analysis results/extraction/analyses/complete_resection_prs.tsv \\
      --config config/config.yaml --analysis complete_resection_prs \\
      --runs 2025-12-31 2026-11-27 --out results/pooling/complete_resection_prs.json
"""

EFFECT_SIZE_EXAMPLE = """\
examples:
  evsynth effect-size --measure OR tests/data/pooling/metadat/egger2001.csv --out egger_or.csv
  evsynth effect-size --measure SMD tests/data/pooling/metadat/normand1999.csv --out smd.tsv
"""

POOL_METHODS = (*METHODS, "MH", "PETO")

SUMMARY_EXAMPLE = """\
example:
  evsynth pool-summary results/pooling/*.json --out results/pooling/summary.tsv
"""


def _zero_cell_options(parser: argparse.ArgumentParser, *, pooling: bool) -> None:
    parser.add_argument(
        "--add", type=float, default=0.5, help="added to the cells of a table (default 1/2)"
    )
    parser.add_argument(
        "--to",
        default="only0",
        choices=escalc.TO_RULES,
        help="which tables get --add: only0 (with a zero cell; default), all, if0all, none",
    )
    default = "yes for MH/PETO, no otherwise" if pooling else "no"
    parser.add_argument(
        "--drop00",
        choices=("yes", "no"),
        default=None,
        help="no estimate for a table without events (or only events) in both groups "
        f"(default {default}, as metafor)",
    )


def register(subparsers: argparse._SubParsersAction) -> None:
    e = add_command(subparsers, "effect-size", cmd_effect_size, epilog=EFFECT_SIZE_EXAMPLE)
    e.add_argument("input", help="CSV or TSV of counts or means")
    e.add_argument(
        "--measure",
        required=True,
        type=str.upper,
        choices=escalc.MEASURES,
        help="OR, RR, RD (log scale for OR/RR) from counts; MD, SMD (Hedges' g), ROM from means",
    )
    e.add_argument("--out", required=True, help="output CSV (or TSV for a .tsv name)")
    _zero_cell_options(e, pooling=False)

    p = add_command(subparsers, "pool", cmd_pool, epilog=POOL_EXAMPLE)
    p.add_argument(
        "input", nargs="?", help="CSV or TSV: study,yi,se | study,yi,vi | counts | means"
    )
    p.add_argument("--effects", help="extraction's effects.tsv (use with --analysis)")
    p.add_argument("--analysis", help="analysis id whose selected rows to pool (with --effects)")
    p.add_argument(
        "--method",
        default="REML",
        type=str.upper,
        choices=POOL_METHODS,
        help="estimator (default REML); MH and PETO pool 2x2 counts",
    )
    p.add_argument(
        "--measure",
        type=str.upper,
        choices=escalc.MEASURES,
        help="effect measure of counts/means in INPUT (needed for MH; PETO is OR)",
    )
    p.add_argument(
        "--test",
        choices=("z", "knha"),
        default=None,
        help="test and CI of the model: z (normal, default) or knha (Hartung-Knapp-Sidik-Jonkman "
        "t); config pooling.test, metafor's test=",
    )
    p.add_argument("--knha", action="store_true", help="deprecated: use --test knha")
    p.add_argument("--level", type=float, default=0.95, help="confidence level (default 0.95)")
    add_renamed(
        p,
        "pool",
        "--prediction-interval",
        "--pi",
        dest="prediction_interval",
        default="default",
        choices=PI_TYPES,
        help="prediction interval: default (metafor's predict()) or k-2 (Higgins et al. 2009); "
        "config pooling.prediction_interval",
    )
    p.add_argument(
        "--difference",
        action="store_true",
        help="yi is a difference, not a log ratio (no exp_* values)",
    )
    p.add_argument("--json", action="store_true", help="print JSON (default: a short text report)")
    p.add_argument(
        "--all",
        action="store_true",
        help="add Egger, Begg, trim-and-fill and leave-one-out results",
    )
    p.add_argument("--min-k", type=int, default=3, help="least k for the --all analyses (3)")
    _zero_cell_options(p, pooling=True)

    a = add_command(subparsers, "pool-analysis", _cmd_pool_analysis, epilog=ANALYSIS_EXAMPLE)
    a.add_argument("table", help="results/extraction/analyses/{id}.tsv")
    source = a.add_mutually_exclusive_group(required=True)
    source.add_argument("--config", help="config.yaml with `analyses` and `pooling` sections")
    source.add_argument(
        "--settings",
        help='JSON {"analysis": {...}, "pooling": {...}} (what the Snakemake rule passes)',
    )
    a.add_argument("--analysis", required=True, help="the analysis id")
    a.add_argument(
        "--runs",
        nargs="+",
        metavar="RUN",
        help="search run ids, oldest first (config search.runs): adds by_search_run, the "
        "cumulative meta-analysis by search run, from the table's search_run column (default: "
        "the column's values sorted)",
    )
    a.add_argument("--out", required=True, help="output JSON path")

    s = add_command(subparsers, "pool-summary", _cmd_pool_summary, epilog=SUMMARY_EXAMPLE)
    s.add_argument("json", nargs="*", help="results/pooling/{analysis}.json files")
    s.add_argument("--out", required=True, help="output TSV path")


def _analysis_and_pooling(args: argparse.Namespace) -> tuple[dict[str, Any], dict[str, Any]]:
    if args.settings:
        try:
            settings = json.loads(args.settings)
        except json.JSONDecodeError as exc:
            raise InputError(f"--settings is not valid JSON: {exc}") from None
        analysis = settings.get("analysis") or {"id": args.analysis}
        return dict(analysis), dict(settings.get("pooling") or {})
    path = Path(args.config)
    if not path.exists():
        raise InputError("file not found", path=str(path))
    config = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    for entry in config.get("analyses") or []:
        if entry.get("id") == args.analysis:
            return dict(entry), dict(config.get("pooling") or {})
    known = ", ".join(str(e.get("id")) for e in config.get("analyses") or []) or "none"
    raise InputError(
        f"no analysis {args.analysis!r} in the config's analyses (known: {known})",
        path=str(path),
        field="analyses",
    )


def _cmd_pool_analysis(args: argparse.Namespace) -> int:
    """pool one configured analysis: both models, the rule's choice, bias, sensitivity

    Read extraction's analyses/{id}.tsv (columns study yi se study_id year label subgroup), pool it
    with the config's pooling settings and write the analysis JSON.
    """
    analysis, pooling = _analysis_and_pooling(args)
    analysis.setdefault("id", args.analysis)
    settings = PoolingSettings.from_config(pooling)
    path = Path(args.table)
    if not path.exists():
        raise InputError("file not found", path=str(path))
    analysis_table = read_analysis(path)
    rows = analysis_table.rows
    # An analysis declaring its measure says whether yi is a log ratio (HR, OR, RR, ROM).
    measure = str(analysis.get("measure") or "").upper()
    ratio = measure in escalc.RATIO_MEASURES if measure else settings.ratio
    table = read_effects_csv(path, ratio=ratio)
    study_ids = tuple(r.study_id for r in rows)
    search_runs, run_order = None, list(args.runs or [])
    if (rows and "search_run" in analysis_table.columns) or args.runs:
        search_runs = [r.search_run for r in rows]
        if not run_order:
            run_order = sorted({r for r in search_runs if r})
    result = run_analysis(
        table,
        analysis,
        settings,
        study_ids=study_ids,
        search_runs=search_runs,
        run_order=run_order,
    )
    write_pooling_result(args.out, result.to_result())
    chosen = result.chosen_fit
    print(
        f"{analysis['id']}: {result.status}, k = {result.table.k}"
        + (f", {result.chosen} effect chosen ({result.reason})" if result.chosen else "")
        + (f", estimate {chosen.estimate:.4f}" if chosen else ""),
        file=sys.stderr,
    )
    return 0


def _cmd_pool_summary(args: argparse.Namespace) -> int:
    """one summary.tsv row per analysis JSON

    Collect the per-analysis JSONs into summary.tsv (docs/architecture.md).
    """
    rows = []
    for name in args.json:
        rows.append(summary_row(read_pooling_result(name)))
    n = write_tsv(args.out, rows, SUMMARY_COLUMNS, sort_by=["analysis"])
    print(f"pool-summary: {n} analyses -> {args.out}", file=sys.stderr)
    return 0
