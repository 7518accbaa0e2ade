"""`evsynth pool`, `evsynth pool-analysis`, `evsynth pool-summary`: the pooling stage's commands.

This is the only layer of the pooling package that reads configs and writes files or prints.
"""

from __future__ import annotations

import argparse
import csv
import io
import json
import sys
from pathlib import Path
from typing import Any

import yaml

from evsynth.contracts.pooling_result import read_pooling_result, write_pooling_result
from evsynth.errors import InputError
from evsynth.pooling import escalc
from evsynth.pooling.analysis import (
    SUMMARY_COLUMNS,
    PoolingSettings,
    run_analysis,
    summary_row,
)
from evsynth.pooling.bias import begg, egger, trim_and_fill
from evsynth.pooling.effects import (
    EffectTable,
    _read_delimited,
    effects,
    read_effects_csv,
    select_effects_rows,
)
from evsynth.pooling.mh import mantel_haenszel, peto
from evsynth.pooling.models import METHODS, PI_TYPES, pool
from evsynth.pooling.sensitivity import leave_one_out
from evsynth.tables import read_tsv, write_text, write_tsv

__all__ = ["register"]

POOL_EXAMPLE = """\
examples:
  evsynth pool tests/data/pooling/bcg.csv --method REML --test knha --json
  evsynth pool tests/data/pooling/metadat/egger2001.csv --measure OR --method MH --json
  evsynth pool tests/data/pooling/metadat/yusuf1985.csv --method PETO --json
  evsynth pool tests/data/pooling/metadat/normand1999.csv --measure SMD --method REML --json
  evsynth pool studies.tsv --method DL --level 0.90 --pi k-2 --json --all
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
    e = subparsers.add_parser(
        "effect-size",
        help="per-study effect sizes yi, vi from 2x2 counts or group means (metafor escalc)",
        description=(
            "Compute yi and vi as R's metafor escalc() with its defaults, from a CSV/TSV with "
            "metafor's column names: ai,bi,ci,di or ai,n1i,ci,n2i (OR, RR, RD) or "
            "m1i,sd1i,n1i,m2i,sd2i,n2i (MD, SMD = Hedges' g, ROM); optional study. Writes the "
            "input columns plus yi,vi; each zero-cell correction is logged."
        ),
        epilog=EFFECT_SIZE_EXAMPLE,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
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
    e.set_defaults(func=_cmd_effect_size)

    p = subparsers.add_parser(
        "pool",
        help="meta-analyse one table of log effects and standard errors",
        description=(
            "Fit a fixed-effect or random-effects model (as R's metafor rma()) to a CSV/TSV with "
            "columns study,yi,se or study,yi,vi (yi on the log scale for ratios), or to counts or "
            "means with --measure (effect sizes as `evsynth effect-size`), or to the selected "
            "rows of extraction's effects.tsv for one analysis; or pool 2x2 counts by "
            "Mantel-Haenszel (--method MH, as rma.mh()) or Peto (--method PETO, as rma.peto()); "
            "print the result."
        ),
        epilog=POOL_EXAMPLE,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
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
    p.add_argument("--pi", default="default", choices=PI_TYPES, help="prediction interval type")
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
    p.set_defaults(func=_cmd_pool)

    a = subparsers.add_parser(
        "pool-analysis",
        help="pool one configured analysis: both models, the rule's choice, bias, sensitivity",
        description=(
            "Read extraction's analyses/{id}.tsv (columns study yi se study_id year label "
            "subgroup), pool it with the config's pooling settings and write the analysis JSON."
        ),
        epilog=ANALYSIS_EXAMPLE,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
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
    a.set_defaults(func=_cmd_pool_analysis)

    s = subparsers.add_parser(
        "pool-summary",
        help="one summary.tsv row per analysis JSON",
        description="Collect the per-analysis JSONs into summary.tsv (docs/architecture.md).",
        epilog=SUMMARY_EXAMPLE,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    s.add_argument("json", nargs="*", help="results/pooling/{analysis}.json files")
    s.add_argument("--out", required=True, help="output TSV path")
    s.set_defaults(func=_cmd_pool_summary)


def _drop00(args: argparse.Namespace, default: bool) -> bool:
    return default if args.drop00 is None else args.drop00 == "yes"


def _read_rows(name: str) -> tuple[Path, list[str], list[tuple[int, dict[str, str]]]]:
    path = Path(name)
    if not path.exists():
        raise InputError("file not found", path=str(path))
    header, rows, _delimiter = _read_delimited(path)
    return path, header, rows


def _effect_sizes(
    args: argparse.Namespace, path: Path, header: list[str], rows: list, drop00: bool
) -> list[tuple[str, int | None, escalc.EffectSize]]:
    """escalc() on the rows, with each zero-cell rule applied logged to stderr."""
    result = escalc.compute(
        args.measure, rows, header, source=path, add=args.add, to=args.to, drop00=drop00
    )
    for study, line, es in result:
        if es.rule:
            print(f"{args.command}: {path}:{line} {study}: {es.rule}", file=sys.stderr)
    return result


def _load_table(args: argparse.Namespace) -> EffectTable:
    if args.effects:
        if args.input:
            raise InputError("give either INPUT or --effects, not both")
        if not args.analysis:
            raise InputError("--effects needs --analysis ID")
        if args.measure:
            raise InputError(
                "--measure applies to an INPUT file of counts or means; effects.tsv holds log "
                "HRs (analyses of other measures: pool-analysis on analyses/{id}.tsv)"
            )
        return select_effects_rows(args.effects, args.analysis)
    if not args.input:
        raise InputError("give INPUT (study,yi,se) or --effects TSV --analysis ID")
    if args.measure is None:
        warnings: list[str] = []
        table = read_effects_csv(args.input, ratio=not args.difference, warnings=warnings)
        for warning in warnings:
            print(f"evsynth pool: warning: {args.input}: {warning}", file=sys.stderr)
        return table
    path, header, rows = _read_rows(args.input)
    ratio = args.measure in escalc.RATIO_MEASURES
    if "yi" in header:
        return read_effects_csv(path, ratio=ratio)
    computed = _effect_sizes(args, path, header, rows, _drop00(args, False))
    missing = [(s, line) for s, line, es in computed if es.yi is None]
    if missing:
        study, line = missing[0]
        raise InputError(
            f"no effect size ({len(missing)} table(s) left without one by --drop00); remove "
            "them from the input or pool with --method MH/PETO",
            path=str(path),
            line=line,
            record=study,
        )
    by_line = {n: r for n, r in rows}
    return effects(
        [es.yi for _, _, es in computed],
        vi=[es.vi for _, _, es in computed],
        study=[s for s, _, _ in computed],
        year=[by_line[n].get("year", "") for _, n, _ in computed] if "year" in header else None,
        subgroup=[by_line[n].get("subgroup", "") for _, n, _ in computed]
        if "subgroup" in header
        else None,
        ratio=ratio,
        source=str(path),
        rows=[n for _, n, _ in computed],
    )


def _pool_tables(args: argparse.Namespace) -> dict[str, Any]:
    """Mantel-Haenszel or Peto on the 2x2 counts of INPUT."""
    if args.effects or not args.input:
        raise InputError(f"--method {args.method} pools 2x2 counts: give INPUT with ai,bi,ci,di")
    measure = args.measure or ("OR" if args.method == "PETO" else None)
    if measure is None:
        raise InputError("--method MH needs --measure OR, RR or RD")
    if args.method == "PETO" and measure != "OR":
        raise InputError(f"Peto's method pools odds ratios, not {measure}", field="measure")
    if measure not in escalc.BINARY_MEASURES:
        raise InputError(f"--method {args.method} pools 2x2 counts; {measure} is not binary")
    if _test(args) != "z" or args.all or args.pi != "default":
        raise InputError(f"--test knha, --pi and --all do not apply to --method {args.method}")
    path, header, rows = _read_rows(args.input)
    tables = escalc.read_binary(rows, header, str(path))
    options = dict(level=args.level, add=args.add, to=args.to, drop00=_drop00(args, True))
    fit = (
        peto(tables, **options)
        if args.method == "PETO"
        else mantel_haenszel(tables, measure, **options)
    )
    for note in fit.notes:
        print(f"pool: {path}: {note}", file=sys.stderr)
    return fit.to_dict()


def _cmd_effect_size(args: argparse.Namespace) -> int:
    path, header, rows = _read_rows(args.input)
    computed = _effect_sizes(args, path, header, rows, _drop00(args, False))
    columns = [c for c in header if c not in ("yi", "vi")] + ["yi", "vi"]
    if "yi" in header or "vi" in header:
        print(f"effect-size: {path}: the input's yi/vi columns are replaced", file=sys.stderr)
    out_rows = []
    for (_lineno, row), (_, _, es) in zip(rows, computed, strict=True):
        record = {c: row.get(c, "") for c in columns}
        record["yi"] = "" if es.yi is None else repr(es.yi)
        record["vi"] = "" if es.vi is None else repr(es.vi)
        out_rows.append(record)
    out = Path(args.out)
    delimiter = "\t" if out.suffix.lower() in {".tsv", ".tab"} else ","
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=columns, delimiter=delimiter, lineterminator="\n")
    writer.writeheader()
    writer.writerows(out_rows)
    write_text(out, buffer.getvalue())
    corrected = sum(1 for _, _, es in computed if es.rule)
    print(
        f"effect-size: {len(out_rows)} studies, measure {args.measure}, {corrected} with a "
        f"zero-cell rule applied -> {out}",
        file=sys.stderr,
    )
    return 0


def _test(args: argparse.Namespace) -> str:
    """--test, with the deprecated --knha still accepted (one name per setting: `test`)."""
    if args.knha:
        if args.test == "z":
            raise InputError("--knha contradicts --test z; give --test only")
        print("evsynth pool: --knha is deprecated, use --test knha", file=sys.stderr)
        return "knha"
    return args.test or "z"


def _cmd_pool(args: argparse.Namespace) -> int:
    if args.method in ("MH", "PETO"):
        result = _pool_tables(args)
        _print_result(args, result)
        return 0
    table = _load_table(args)
    test = _test(args)
    fit = pool(table, method=args.method, test=test, level=args.level, pi_type=args.pi)
    result: dict[str, Any] = fit.to_dict()
    if args.measure:
        result["measure"] = args.measure
    if args.all:
        extras = {
            "egger": lambda: egger(table, min_k=args.min_k, level=args.level).to_dict(),
            "begg": lambda: begg(table, min_k=args.min_k).to_dict(),
            "trim_and_fill": lambda: trim_and_fill(
                table, method=args.method, level=args.level, min_k=args.min_k
            ).to_dict(),
            "leave_one_out": lambda: leave_one_out(
                table, method=args.method, test=test, level=args.level, min_k=args.min_k
            ).to_list(),
        }
        for name, compute in extras.items():
            try:
                result[name] = compute()
            except InputError as exc:
                result[name] = None
                result.setdefault("notes", []).append(f"{name}: not computed: {exc}")
    _print_result(args, result)
    return 0


def _print_result(args: argparse.Namespace, result: dict[str, Any]) -> None:
    if args.json:
        json.dump(result, sys.stdout, indent=2, sort_keys=True, allow_nan=False)
        sys.stdout.write("\n")
    else:
        sys.stdout.write(_text_report(result))


def _fmt(value: Any) -> str:
    return "NA" if value is None else f"{value:.4f}"


def _fmt_p(value: Any) -> str:
    """A p-value as ``p = 0.0123`` or ``p < 0.0001``: four decimals never print a zero p."""
    if value is None:
        return "p = NA"
    return "p < 0.0001" if value < 0.00005 else f"p = {value:.4f}"


def _section(r: dict[str, Any], name: str) -> list[str]:
    """One --all section in text (the same numbers as the JSON)."""
    value = r.get(name)
    if value is None:
        return []
    if name == "egger":
        return [
            f"Egger's regression test: intercept {_fmt(value['intercept'])} "
            f"(se {_fmt(value['se'])}), t = {_fmt(value['t'])}, df {value['df']}, "
            f"{_fmt_p(value['p'])}; limit estimate {_fmt(value['limit_estimate'])} "
            f"[{_fmt(value['limit_ci_low'])}, {_fmt(value['limit_ci_high'])}]"
        ]
    if name == "begg":
        exact = "exact" if value.get("exact") else "normal approximation"
        return [
            f"Begg's rank correlation test: Kendall's tau {_fmt(value['tau'])}, "
            f"{_fmt_p(value['p'])} ({exact})"
        ]
    if name == "trim_and_fill":
        line = (
            f"Trim-and-fill ({value.get('estimator')}, {value.get('side')} side): "
            f"{value['k0']} {'study' if value['k0'] == 1 else 'studies'} filled, k = {value['k']}, "
            f"estimate {_fmt(value['estimate'])} "
            f"[{_fmt(value['ci_low'])}, {_fmt(value['ci_high'])}]"
        )
        if "exp_estimate" in value:
            line += (
                f"; exp {_fmt(value['exp_estimate'])} [{_fmt(value['exp_ci_low'])}, "
                f"{_fmt(value['exp_ci_high'])}]"
            )
        return [line]
    if name == "leave_one_out":
        lines = ["Leave-one-out (estimate [CI], p, I2 without the study):"]
        for row in value:
            lines.append(
                f"  without {row['study']}: {_fmt(row['estimate'])} "
                f"[{_fmt(row['ci_low'])}, {_fmt(row['ci_high'])}], {_fmt_p(row['p'])}, "
                f"I2 {_fmt(row['i2'])}%"
            )
        return lines
    return []


def _text_report(r: dict[str, Any]) -> str:
    if r["status"] == "single_study":
        heading = "Single study, not pooled"
    else:
        heading = {"FE": "Fixed-effect model", "MH": "Mantel-Haenszel fixed-effect model"}.get(
            r["method"],
            "Peto fixed-effect model" if r["method"] == "PETO" else "Random-effects model",
        )
    lines = [
        f"{heading} (k = {r['k']}; method {r['method']}; test {r['test']}; level {r['level']})",
        f"estimate {_fmt(r['estimate'])}  se {_fmt(r['se'])}  "
        f"CI [{_fmt(r['ci_low'])}, {_fmt(r['ci_high'])}]  stat {_fmt(r['stat'])}  {_fmt_p(r['p'])}",
    ]
    if "exp_estimate" in r:
        lines.append(
            f"exp: {_fmt(r['exp_estimate'])} [{_fmt(r['exp_ci_low'])}, {_fmt(r['exp_ci_high'])}]"
            f"  PI [{_fmt(r['exp_pi_low'])}, {_fmt(r['exp_pi_high'])}]"
        )
    lines.append(
        f"tau2 {_fmt(r['tau2'])} [{_fmt(r['tau2_ci_low'])}, {_fmt(r['tau2_ci_high'])}]  "
        f"I2 {_fmt(r['i2'])}% [{_fmt(r['i2_ci_low'])}, {_fmt(r['i2_ci_high'])}]  "
        f"H2 {_fmt(r['h2'])}  Q {_fmt(r['q'])} (df {r['q_df']}, {_fmt_p(r['q_p'])})"
    )
    for name in ("egger", "begg", "trim_and_fill", "leave_one_out"):
        lines.extend(_section(r, name))
    lines.extend(f"note: {n}" for n in r.get("notes", []))
    return "\n".join(lines) + "\n"


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
    analysis, pooling = _analysis_and_pooling(args)
    analysis.setdefault("id", args.analysis)
    settings = PoolingSettings.from_config(pooling)
    path = Path(args.table)
    if not path.exists():
        raise InputError("file not found", path=str(path))
    rows = read_tsv(path, required=("study", "yi", "se"))
    # An analysis declaring its measure says whether yi is a log ratio (HR, OR, RR, ROM).
    measure = str(analysis.get("measure") or "").upper()
    ratio = measure in escalc.RATIO_MEASURES if measure else settings.ratio
    table = read_effects_csv(path, ratio=ratio)
    rows = [r for r in rows if any(r.values())]
    study_ids = tuple(r.get("study_id") or r["study"] for r in rows)
    search_runs, run_order = None, list(args.runs or [])
    if (rows and "search_run" in rows[0]) or args.runs:
        search_runs = [r.get("search_run") or None for r in rows]
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
    rows = []
    for name in args.json:
        rows.append(summary_row(read_pooling_result(name)))
    n = write_tsv(args.out, rows, SUMMARY_COLUMNS, sort_by=["analysis"])
    print(f"pool-summary: {n} analyses -> {args.out}", file=sys.stderr)
    return 0
