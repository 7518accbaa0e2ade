"""`evsynth pool` and `evsynth effect-size` on a user's own file: one table in, a result out.

The review's pooling runs through `pool-analysis` (config in, results JSON out, in cli.py); these
two commands serve a user checking a table against metafor, so they read any of the layouts
metafor takes (yi/se, yi/vi, HR and CI, 2x2 counts, group means) and print to the console.
"""

from __future__ import annotations

import argparse
import csv
import io
import json
import sys
from pathlib import Path
from typing import Any

from evsynth.errors import InputError
from evsynth.pooling import escalc
from evsynth.pooling.bias import begg, egger, trim_and_fill
from evsynth.pooling.console import text_report
from evsynth.pooling.effects import (
    EffectTable,
    _read_delimited,
    effects,
    read_effects_csv,
    select_effects_rows,
)
from evsynth.pooling.mh import mantel_haenszel, peto
from evsynth.pooling.models import pool
from evsynth.pooling.sensitivity import leave_one_out
from evsynth.tables import write_text

__all__ = ["cmd_effect_size", "cmd_pool"]


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
    if _test(args) != "z" or args.all or args.prediction_interval != "default":
        raise InputError(
            f"--test knha, --prediction-interval and --all do not apply to --method {args.method}"
        )
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


def cmd_effect_size(args: argparse.Namespace) -> int:
    """per-study effect sizes yi, vi from 2x2 counts or group means (metafor escalc)

    Compute yi and vi as R's metafor escalc() with its defaults, from a CSV/TSV with metafor's
    column names: ai,bi,ci,di or ai,n1i,ci,n2i (OR, RR, RD) or m1i,sd1i,n1i,m2i,sd2i,n2i (MD,
    SMD = Hedges' g, ROM); optional study. Writes the input columns plus yi,vi; each zero-cell
    correction is logged.
    """
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


def cmd_pool(args: argparse.Namespace) -> int:
    """meta-analyse one table of log effects and standard errors

    Fit a fixed-effect or random-effects model (as R's metafor rma()) to a CSV/TSV with columns
    study,yi,se or study,yi,vi (yi on the log scale for ratios), or to counts or means with
    --measure (effect sizes as `evsynth effect-size`), or to the selected rows of extraction's
    effects.tsv for one analysis; or pool 2x2 counts by Mantel-Haenszel (--method MH, as rma.mh())
    or Peto (--method PETO, as rma.peto()); print the result.
    """
    if args.method in ("MH", "PETO"):
        result = _pool_tables(args)
        _print_result(args, result)
        return 0
    table = _load_table(args)
    test = _test(args)
    fit = pool(
        table, method=args.method, test=test, level=args.level, pi_type=args.prediction_interval
    )
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
        sys.stdout.write(text_report(result))
