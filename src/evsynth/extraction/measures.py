"""Effect sizes other than the hazard ratio (OR, RR, RD, MD, SMD, ROM) of one effects-sheet row.

The formulas live in :mod:`evsynth.pooling.escalc` (checked against metafor); this module turns a
row's counts or means into its estimate in the factor's configured direction.
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING

from evsynth.errors import InputError

if TYPE_CHECKING:
    from evsynth.extraction.result import EffectResult

__all__ = ["BINARY", "CONTINUOUS", "assumed_log_hr", "effect_size", "measure_estimate"]

BINARY = ("OR", "RR", "RD")
CONTINUOUS = ("MD", "SMD", "ROM")


def effect_size(e: EffectResult, measure: str) -> tuple[float, float, str | None] | str:
    """yi, vi of a counts/means row for ``measure`` (group 1 = exposure_as_reported), as metafor's
    escalc() with its defaults (add 1/2 to tables with a zero cell), or why there is none.

    The formulas live in :mod:`evsynth.pooling.escalc` (checked against metafor); imported here
    only when an analysis asks for a measure other than HR, so `evsynth extract` stays light.
    """
    if measure in e.effect_sizes:
        return e.effect_sizes[measure]
    from evsynth.pooling import escalc  # lazy: scipy is not needed otherwise

    v = e.v
    result: tuple[float, float, str | None] | str
    if measure in BINARY:
        if v["events_exposure"] is None:
            result = f"no 2x2 counts (events_exposure, events_reference) for {measure}"
        else:
            a, n1, c, n2 = (
                v["events_exposure"],
                v["n_exposure"],
                v["events_reference"],
                v["n_reference"],
            )
            table = escalc.BinaryStudy(e.study_id, e.row.line, a, n1 - a, c, n2 - c)
            adjusted, rule = escalc.zero_cell_adjust([table])[0]
            assert adjusted is not None
            yi, vi = escalc.binary_effect(measure, adjusted)
            result = (yi, vi, rule and f"zero cell: {rule.split(':')[0]}")
    elif v["mean_exposure"] is None:
        result = f"no means and SDs (mean_exposure, sd_exposure, ...) for {measure}"
    else:
        study = escalc.ContinuousStudy(
            e.study_id,
            e.row.line,
            v["mean_exposure"],
            v["sd_exposure"],
            v["n_exposure"],
            v["mean_reference"],
            v["sd_reference"],
            v["n_reference"],
        )
        try:
            yi, vi = escalc.continuous_effect(measure, study)
            result = (yi, vi, None)
        except InputError as exc:
            result = str(exc).split(": ", 1)[-1]
    e.effect_sizes[measure] = result
    return result


def measure_estimate(e: EffectResult, measure: str) -> tuple[float, float, str | None]:
    """The row's estimate and SE for ``measure`` in the factor's configured direction.

    Swapping the two groups negates yi (log OR, log RR, RD, MD, g, log ROM) and leaves vi as it is.
    """
    es = effect_size(e, measure)
    assert not isinstance(es, str)
    yi, vi, rule = es
    sign = 1.0 if e.exposure_level == e.factor.exposure else -1.0
    return sign * yi, math.sqrt(vi), rule


def assumed_log_hr(e: EffectResult) -> float | None:
    if e.derived is None:
        return None
    return e.derived.log_hr if e.exposure_level == e.factor.exposure else -e.derived.log_hr
