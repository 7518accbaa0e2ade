"""`evsynth km-reconstruct`: individual data and a hazard ratio from digitised KM curves."""

from __future__ import annotations

import argparse
from pathlib import Path

import numpy as np

from evsynth.commands import add_command
from evsynth.errors import InputError

__all__ = ["register", "run"]

EXAMPLE = """\
example:
  evsynth km-reconstruct --curve surgery=curves/surgery.csv --curve none=curves/none.csv \\
      --at-risk curves/at_risk.csv --reference none --total-events surgery=41 \\
      --out resources/km/Smith2010
  Writes ipd.tsv (arm time event), hr.json (Cox HR of surgery vs none), log.json (every
  cleaning of the points and the algorithm's interval fits) and km.svg / km.png.
"""


def _pairs(values: list[str], option: str) -> dict[str, str]:
    out: dict[str, str] = {}
    for value in values:
        arm, sep, rest = value.partition("=")
        if not sep or not arm or not rest:
            raise InputError(f"{option} {value!r}: expected ARM=VALUE")
        if arm in out:
            raise InputError(f"{option}: arm {arm!r} given twice")
        out[arm] = rest
    return out


def run(
    curves: dict[str, str],
    at_risk: str,
    reference: str,
    out: str | Path,
    *,
    total_events: dict[str, int] | None = None,
    time_label: str = "Time",
) -> dict[str, object]:
    """Reconstruct every arm, fit the Cox model and write the outputs; returns hr.json's content."""
    from evsynth import __version__
    from evsynth.km.cox import cox_hr
    from evsynth.km.digitised import read_at_risk, read_curve
    from evsynth.km.guyot import reconstruct
    from evsynth.km.plot import plot_reconstruction
    from evsynth.tables import write_json, write_tsv

    total_events = total_events or {}
    if len(curves) < 2:
        raise InputError("give a --curve for at least two arms")
    if reference not in curves:
        raise InputError(f"--reference {reference!r} is not one of the arms {', '.join(curves)}")
    unknown = sorted(set(total_events) - set(curves))
    if unknown:
        raise InputError(f"--total-events for unknown arm(s) {', '.join(unknown)}")
    arms = list(curves)
    table = read_at_risk(at_risk, arms)
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    rows: list[dict[str, object]] = []
    log: dict[str, object] = {"at_risk": table.path, "arms": {}}
    plotted = []
    rebuilt = {}
    for arm in arms:
        curve = read_curve(curves[arm], arm)
        n0 = table.counts[arm][0]
        total = total_events.get(arm)
        if total is not None and not 0 <= total <= n0:
            raise InputError(
                f"--total-events {arm}={total}: must be between 0 and the {n0} at risk at time 0"
            )
        rec = reconstruct(
            curve.time, curve.survival, table.time, table.counts[arm], total_events=total
        )
        rebuilt[arm] = rec
        for tm, ev in zip(rec.time.tolist(), rec.event.tolist(), strict=True):
            rows.append({"arm": arm, "time": f"{tm:.6g}", "event": str(ev)})
        log["arms"][arm] = {  # type: ignore[index]
            "curve": curve.path,
            "scale": curve.scale,
            "points_read": len(curve.raw_time),
            "cleaning": curve.log,
            "reconstruction": rec.log,
            "intervals": rec.intervals,
            "n": len(rec.time),
            "events": rec.events,
            "total_events_reported": total,
        }
        plotted.append(
            {
                "arm": arm,
                "time": rec.time,
                "event": rec.event,
                "raw_time": curve.raw_time,
                "raw_survival": curve.raw_survival,
            }
        )
    comparisons = []
    for arm in arms:
        if arm == reference:
            continue
        a, b = rebuilt[arm], rebuilt[reference]
        time = np.concatenate([a.time, b.time])
        event = np.concatenate([a.event, b.event])
        group = np.concatenate([np.ones(len(a.time)), np.zeros(len(b.time))])
        fit = cox_hr(time, event, group)
        comparisons.append(
            {
                "arm": arm,
                "reference": reference,
                **fit,
                "n_arm": len(a.time),
                "n_reference": len(b.time),
                "events_arm": a.events,
                "events_reference": b.events,
            }
        )
    result: dict[str, object] = {
        "method": {
            "reconstruction": "Guyot et al. 2012, BMC Med Res Methodol 12:9",
            "model": "Cox proportional hazards, Efron ties (statsmodels PHReg)",
            "ci": "Wald, exp(log_hr +- z se)",
            "tool_version": __version__,
        },
        "reference": reference,
        "arms": arms,
        "comparisons": comparisons,
    }
    if len(comparisons) == 1:
        result.update(
            {
                k: comparisons[0][k]
                for k in ("arm", "hr", "ci_low", "ci_high", "ci_level", "log_hr", "se", "p")
            }
        )
        result["events"] = sum(r.events for r in rebuilt.values())
        result["n"] = sum(len(r.time) for r in rebuilt.values())
    write_tsv(out / "ipd.tsv", rows, ["arm", "time", "event"])
    write_json(out / "hr.json", result)
    write_json(out / "log.json", log)
    plot_reconstruction(plotted, svg=out / "km.svg", png=out / "km.png", time_label=time_label)
    return result


def _cmd(args: argparse.Namespace) -> int:
    """rebuild individual data and a Cox HR from digitised Kaplan-Meier curves

    Rebuild individual event and censoring times from digitised Kaplan-Meier points and the
    numbers at risk (Guyot et al. 2012, BMC Med Res Methodol 12:9), fit a Cox model and draw the
    rebuilt curves over the points.
    """
    curves = _pairs(args.curve, "--curve")
    totals_raw = _pairs(args.total_events or [], "--total-events")
    totals: dict[str, int] = {}
    for arm, value in totals_raw.items():
        try:
            totals[arm] = int(value)
        except ValueError:
            raise InputError(f"--total-events {arm}={value}: not a whole number") from None
    result = run(
        curves,
        args.at_risk,
        args.reference,
        args.out,
        total_events=totals,
        time_label=args.time_label,
    )
    for c in result["comparisons"]:  # type: ignore[attr-defined]
        print(
            f"{c['arm']} vs {c['reference']}: HR {c['hr']:.3f} ({c['ci_low']:.3f} to "
            f"{c['ci_high']:.3f}); events {c['events_arm']}/{c['n_arm']} vs "
            f"{c['events_reference']}/{c['n_reference']}"
        )
    return 0


def register(subparsers: argparse._SubParsersAction) -> None:
    p = add_command(subparsers, "km-reconstruct", _cmd, epilog=EXAMPLE)
    p.add_argument(
        "--curve",
        action="append",
        required=True,
        metavar="ARM=CSV",
        help="digitised points of one arm (time,survival; survival 0-1 or 0-100)",
    )
    p.add_argument(
        "--at-risk",
        required=True,
        metavar="CSV",
        help="numbers at risk: column time, then one column per arm",
    )
    p.add_argument(
        "--reference", required=True, metavar="ARM", help="the arm in the HR's denominator"
    )
    p.add_argument(
        "--total-events",
        action="append",
        metavar="ARM=N",
        help="total events of an arm as reported (fits the last interval)",
    )
    p.add_argument("--time-label", default="Time", help="x-axis label of the plot")
    p.add_argument("--out", required=True, help="output directory")
