"""Each effects-sheet row's log hazard ratio: derived by the first method its numbers allow,
checked for consistency (warnings), and judged poolable or not, with the reason.
"""

from __future__ import annotations

from collections.abc import Sequence

from evsynth.extraction.derive import (
    Derived,
    ci_asymmetry,
    from_ci,
    from_hr_p,
    from_oe_v,
    from_p_events,
    p_from_estimate,
    z_from_p,
)
from evsynth.extraction.result import EffectResult, ExtractionWarning
from evsynth.extraction.settings import ExtractionSettings

__all__ = ["check_consistency", "derive_estimate", "estimate_all"]


def estimate_all(
    results: Sequence[EffectResult], settings: ExtractionSettings
) -> list[ExtractionWarning]:
    """Derive, check and judge every row in place; returns the warnings the checks raised."""
    warnings: list[ExtractionWarning] = []
    for e in results:
        derive_estimate(e)
        check_consistency(e, settings, warnings)
        if not e.factor.harmonised:
            e.not_poolable_reason = (
                f"factor {e.factor.key!r} has no configured exposure/reference (narrative only)"
            )
        elif e.derived is None:
            e.not_poolable_reason = e.not_derivable
        elif not e.direction_known or e.assumed:
            e.not_poolable_reason = (
                "direction unknown (the paper does not say which group the HR is for)"
                + (
                    "; an assumption declared in config is used only by sensitivity analyses"
                    if e.assumed
                    else ""
                )
            )
        else:
            e.poolable = True
            e.inverted = e.exposure_level != e.factor.exposure
        if e.assumed:
            e.inverted = e.exposure_level != e.factor.exposure
    return warnings


def derive_estimate(e: EffectResult) -> None:
    v = e.v
    hr, low, high, p = v["hr"], v["ci_low"], v["ci_high"], e.p
    if hr is not None and low is not None and e.ci_level is not None:
        e.derived = from_ci(hr, low, high, e.ci_level)
        return
    if v["observed_minus_expected"] is not None:
        e.derived = from_oe_v(v["observed_minus_expected"], v["variance"])
        return
    if e.km is not None:
        e.derived = Derived(float(e.km["log_hr"]), float(e.km["se"]), "km_reconstruction")
        return
    if hr is not None and p is not None and p.exact:
        if hr == 1 or not 0 < p.value < 1:
            e.not_derivable = f"HR {hr} with p {p.text}: no standard error can be derived"
            return
        e.derived = from_hr_p(hr, p.value)
        return
    if hr is not None:
        e.not_derivable = (
            f"HR without a CI and with a p-value given only as a bound ({p.text}): not exact, so "
            f"no "
            "standard error"
            if p is not None
            else "HR without a CI or p-value: no standard error"
        )
        return
    if p is None:
        e.not_derivable = "no hazard ratio or p-value reported"
        return
    if not p.exact:
        e.not_derivable = (
            f"p-value only, given as a bound ({p.text}): not exact, so it cannot give an estimate "
            "(narrative synthesis)"
        )
        return
    needs = [c for c in ("events", "n_exposure", "n_reference") if v[c] is None]
    if needs:
        e.not_derivable = (
            f"p-value only ({p.text}) without {', '.join(needs)} (Tierney et al. 2007 needs them)"
        )
        return
    if not e.direction_known or e.better_level in (None, "none"):
        e.not_derivable = f"p-value only ({p.text}): which group did better is not known"
        return
    if not 0 < p.value < 1:
        e.not_derivable = f"p-value {p.text} carries no information about the size of the effect"
        return
    e.derived = from_p_events(
        p.value,
        v["events"],
        v["n_exposure"],
        v["n_reference"],
        exposure_better=e.better_level == e.exposure_level,
    )


def check_consistency(
    e: EffectResult, settings: ExtractionSettings, warnings: list[ExtractionWarning]
) -> None:
    v = e.v

    def warn(check: str, message: str) -> None:
        warnings.append(
            ExtractionWarning("effects", e.row.line, e.study_id, e.effect_id, check, message)
        )

    hr, low, high = v["hr"], v["ci_low"], v["ci_high"]
    if e.derived is not None and e.derived.method == "hr_ci":
        se_low, se_high, rel, explained = ci_asymmetry(
            hr,
            low,
            high,
            e.ci_level or 95.0,
            printed=(e.row.raw["hr"], e.row.raw["ci_low"], e.row.raw["ci_high"]),
        )
        if rel > settings.ci_asymmetry_tolerance and not explained:
            warn(
                "ci_asymmetry",
                f"CI {low}-{high} is asymmetric about HR {hr} on the log scale beyond rounding "
                f"({rel:.0%} > {settings.ci_asymmetry_tolerance:.0%}): the lower limit implies SE "
                f"{se_low:.4f}, the upper SE {se_high:.4f}; likely a typo (the SE from the whole "
                f"CI "
                f"is used)",
            )
        if e.p is not None:
            p_ci = p_from_estimate(e.derived.log_hr, e.derived.se)
            alpha = 1 - (e.ci_level or 95.0) / 100
            ci_excludes_1 = low > 1 or high < 1
            problem = ""
            if e.p.exact:
                if (e.p.value < alpha) != ci_excludes_1 and low != 1 and high != 1:
                    problem = (
                        f"the CI {'excludes' if ci_excludes_1 else 'includes'} 1 but p = "
                        f"{e.p.text} "
                        f"is {'not ' if ci_excludes_1 else ''}below {alpha:g}"
                    )
                elif 0 < e.p.value < 1 and 0 < p_ci < 1:
                    z_rep, z_ci = z_from_p(e.p.value), z_from_p(p_ci)
                    if abs(z_rep - z_ci) / z_ci > settings.p_tolerance:
                        problem = f"p = {e.p.text} but the CI implies p = {p_ci:.3g}"
            elif e.p.relation in ("<", "<=") and p_ci > e.p.value * (1 + settings.p_tolerance):
                problem = f"p {e.p.text} but the CI implies p = {p_ci:.3g}"
            elif e.p.relation in (">", ">=") and p_ci < e.p.value / (1 + settings.p_tolerance):
                problem = f"p {e.p.text} but the CI implies p = {p_ci:.3g}"
            if problem:
                warn("p_vs_ci", f"p-value inconsistent with the CI: {problem}")
    if (
        hr is not None
        and hr != 1
        and e.direction_known
        and not e.assumed
        and e.better_level not in (None, "none")
    ):
        exposure_better = e.better_level == e.exposure_level
        if exposure_better != (hr < 1):
            warn(
                "direction",
                f"HR {hr} for {v['exposure_as_reported']} vs {v['reference_as_reported']} says the "
                f"{'exposure' if hr < 1 else 'reference'} did better, but better_group is "
                f"{v['better_group']!r}; check which group the HR is for",
            )
