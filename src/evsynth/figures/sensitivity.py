"""Leave-one-out and cumulative meta-analysis plots.

Leave-one-out (the influence analysis of Viechtbauer and Cheung 2010, Res Synth Methods 1:112;
metafor's ``leave1out``) shows the pooled estimate with each study omitted in turn, against a
band for the estimate from all studies; a row whose interval leaves the band points at an
influential study. The cumulative plot (Lau et al. 1992, N Engl J Med 327:248; metafor's
``cumul``) adds studies in the order the pooling stage used (publication year) and shows how the
estimate and its precision evolved.
"""

from __future__ import annotations

import math

from matplotlib.figure import Figure

from evsynth.contracts.format import format_estimate_ci, format_number
from evsynth.contracts.pooling_result import PoolingResult, SensitivityRow
from evsynth.figures.common import is_ratio, message_figure
from evsynth.figures.render import styled
from evsynth.figures.style import COLOURS, MODEL_LABELS
from evsynth.figures.table import IntervalTable, Row, draw_interval_table, measure_table

__all__ = ["cumulative_table", "leave_one_out_table", "plot_cumulative", "plot_leave_one_out"]


def _drawn(rows: tuple[SensitivityRow, ...]) -> tuple[SensitivityRow, ...]:
    """The rows with an estimate: a refit that could not be computed draws no row."""
    return tuple(r for r in rows if r.estimate is not None)


def _i2(row: SensitivityRow) -> str:
    return "" if row.i2 is None else f"{row.i2:.0f}%"


def _tau2(row: SensitivityRow) -> str:
    if row.tau2 is None:
        return ""
    return "0" if row.tau2 == 0 else format_number(row.tau2, 3 if row.tau2 >= 0.001 else 4)


def _ci(estimate: float, low: float, high: float, ratio: bool = True) -> str:
    if not ratio:  # a difference measure (RD, MD, SMD) is shown as it is
        return format_estimate_ci(estimate, low, high)
    return format_estimate_ci(math.exp(estimate), math.exp(low), math.exp(high))


def _overall_rows(
    result: PoolingResult, label: str, gid: str, ratio: bool = True
) -> tuple[list[Row], tuple[float, float, float] | None]:
    model = result.model()
    if model is None:
        return [], None
    row = Row(
        "diamond",
        label,
        (
            _ci(model.estimate, model.ci_low, model.ci_high, ratio),
            "" if model.i2 is None else f"{model.i2:.0f}%",
            "" if model.tau2 is None else _tau2(SensitivityRow("", 0, 0, 0, tau2=model.tau2)),
        ),
        model.estimate,
        model.ci_low,
        model.ci_high,
        bold=True,
        colour=COLOURS["chosen"],
        gid=gid,
    )
    return [row], (model.estimate, model.ci_low, model.ci_high)


def _model_name(result: PoolingResult) -> str:
    model = result.model()
    return MODEL_LABELS[model.name].lower() if model is not None else "model"


def _step(row: SensitivityRow, label: str, cells: tuple[str, str], gid: str, ratio: bool) -> Row:
    """One refit's row: its estimate and CI, then ``cells``, on a small point."""
    return Row(
        "point",
        label,
        (_ci(row.estimate, row.ci_low, row.ci_high, ratio), *cells),
        row.estimate,
        row.ci_low,
        row.ci_high,
        size=4.0,
        gid=gid,
    )


def leave_one_out_table(
    result: PoolingResult,
    *,
    favours: tuple[str, str] | None = None,
    measure: str = "HR",
    title: str | None = None,
    xlim: tuple[float, float] | None = None,
) -> IntervalTable:
    """Rows: the estimate with each study omitted, then the estimate from all studies."""
    ratio = is_ratio(measure)
    rows = [
        _step(row, row.study, (_i2(row), _tau2(row)), f"loo-study-{i}", ratio)
        for i, row in enumerate(_drawn(result.leave_one_out), start=1)
    ]
    rows.append(Row("blank"))
    overall, ref = _overall_rows(result, f"All studies (k = {result.k})", "loo-overall", ratio)
    rows += overall
    return measure_table(
        rows,
        ratio=ratio,
        axis_label=f"{measure} without the study",
        left_header="Study omitted",
        right_headers=(f"{measure} [95% CI]", "I\u00b2", "\u03c4\u00b2"),
        favours=favours,
        title=title,
        footnotes=(
            f"Each row refits the {_model_name(result)} without that study; the band is the 95% "
            "CI from all studies.",
        ),
        xlim=xlim,
        gid_prefix="loo",
        reference=ref,
    )


def cumulative_table(
    result: PoolingResult,
    *,
    favours: tuple[str, str] | None = None,
    measure: str = "HR",
    title: str | None = None,
    xlim: tuple[float, float] | None = None,
) -> IntervalTable:
    """Rows: the estimate after adding each study, in the pooling stage's order."""
    ratio = is_ratio(measure)
    rows = [
        _step(row, f"+ {row.study}", (str(_k(row, i)), _i2(row)), f"cumulative-step-{i}", ratio)
        for i, row in enumerate(_drawn(result.cumulative), start=1)
    ]
    return measure_table(
        rows,
        ratio=ratio,
        axis_label=f"Cumulative {measure}",
        left_header="Study added",
        right_headers=(f"{measure} [95% CI]", "k", "I\u00b2"),
        favours=favours,
        title=title,
        footnotes=(
            f"Each row pools the studies up to and including that one ({_model_name(result)}).",
        ),
        xlim=xlim,
        gid_prefix="cumulative",
    )


def _k(row: SensitivityRow, step: int) -> int:
    """Studies pooled at a cumulative step: as the pooling stage wrote it, else the step."""
    return row.k if row.k is not None else step


@styled
def plot_leave_one_out(
    result: PoolingResult,
    *,
    favours: tuple[str, str] | None = None,
    measure: str = "HR",
    title: str | None = None,
    xlim: tuple[float, float] | None = None,
) -> Figure:
    """Draw the leave-one-out plot, or say why there is none (k < 3)."""
    if result.status != "pooled" or not _drawn(result.leave_one_out):
        return message_figure(
            title,
            f"Leave-one-out analysis not available (k = {result.k}; it needs at least 3 studies).",
            gid="loo",
        )
    return draw_interval_table(
        leave_one_out_table(result, favours=favours, measure=measure, title=title, xlim=xlim)
    )


@styled
def plot_cumulative(
    result: PoolingResult,
    *,
    favours: tuple[str, str] | None = None,
    measure: str = "HR",
    title: str | None = None,
    xlim: tuple[float, float] | None = None,
) -> Figure:
    """Draw the cumulative meta-analysis plot, or say why there is none."""
    if result.status != "pooled" or not _drawn(result.cumulative):
        return message_figure(
            title, f"Cumulative meta-analysis not available (k = {result.k}).", gid="cumulative"
        )
    return draw_interval_table(
        cumulative_table(result, favours=favours, measure=measure, title=title, xlim=xlim)
    )
