"""What every analysis figure shares: the measure's name and scale, the rows pooling used, and
the small figure that says why there is nothing to draw.

The forest, funnel and sensitivity plots each need these; they live here rather than in one
plot's module so that no figure imports another.
"""

from __future__ import annotations

from collections.abc import Sequence

from matplotlib.figure import Figure

from evsynth.contracts.pooling_result import PoolingResult
from evsynth.errors import InputError
from evsynth.figures.formatting import text_width_in
from evsynth.figures.inputs import StudyEffect
from evsynth.figures.render import draw_title, new_figure
from evsynth.figures.style import FONT_SIZE

__all__ = [
    "MEASURE_NAMES",
    "RATIO_MEASURES",
    "is_ratio",
    "measure_name",
    "message_figure",
    "pooled_effects",
]


MEASURE_NAMES = {
    "HR": "Hazard ratio",
    "OR": "Odds ratio",
    "RR": "Risk ratio",
    "PETO": "Peto odds ratio",
    "ROM": "Ratio of means",
    "RD": "Risk difference",
    "MD": "Mean difference",
    "SMD": "Standardised mean difference",
}
RATIO_MEASURES = frozenset({"HR", "OR", "RR", "PETO", "ROM"})


def is_ratio(measure: str) -> bool:
    """Whether ``measure`` is a ratio pooled on the log scale (unknown names count as ratios)."""
    return measure.upper() in RATIO_MEASURES or measure.upper() not in MEASURE_NAMES


def measure_name(measure: str) -> str:
    """The measure in words for axis labels (``Odds ratio``); unknown names as given."""
    return MEASURE_NAMES.get(measure.upper(), measure)


def message_figure(title: str | None, message: str, *, gid: str) -> Figure:
    """A small figure that says why there is nothing to draw (k = 0, test not computable)."""
    width = max(
        4.0,
        text_width_in(message, size=FONT_SIZE + 1) + 0.5,
        text_width_in(title or "", size=FONT_SIZE + 1.5, bold=True) + 0.5,
    )
    fig = new_figure(width, 1.0 if title else 0.7)
    if title:
        draw_title(fig, 0.12 / width, 0.88, title, gid=f"{gid}-title")
    fig.text(
        0.12 / width, 0.3, message, ha="left", va="center", size=FONT_SIZE + 1, gid=f"{gid}-message"
    )
    return fig


def pooled_effects(
    result: PoolingResult, effects: Sequence[StudyEffect], source: str = ""
) -> tuple[tuple[StudyEffect, ...], tuple[str, ...]]:
    """The analysis rows the pooling result used, and the labels it left out.

    Pooling drops the studies of an analysis' ``exclude_studies``; those rows are not drawn and
    are named in a footnote. A study in the pooling result but not in the table means the two
    files come from different runs: an error, since weights would be matched to the wrong rows.
    """
    labels = result.study_labels()
    if not labels:
        return tuple(effects), ()
    listed = set(labels)
    given = {e.study for e in effects}
    only_json = sorted(listed - given)
    if only_json:
        raise InputError(
            f"the pooling result and the analysis input disagree on the studies: only in the "
            f"pooling JSON: {', '.join(only_json)}; only in {source or 'the TSV'}: "
            f"{', '.join(sorted(given - listed)) or '-'}. Rerun pooling on the current extraction",
            path=result.source,
            field="studies",
        )
    kept = tuple(e for e in effects if e.study in listed)
    dropped = tuple(e.study for e in effects if e.study not in listed)
    return kept, dropped
