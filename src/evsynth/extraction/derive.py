"""Log hazard ratio and its standard error from what a paper prints.

Formulas from Parmar, Torri and Stewart (1998), "Extracting summary statistics to perform
meta-analyses of the published literature for survival endpoints", Stat Med 17:2815-2834, and
Tierney, Stewart, Ghersi, Burdett and Sydes (2007), "Practical methods for incorporating summary
time-to-event data into meta-analysis", Trials 8:16. Everything here works on the log scale, where
the estimators are (asymptotically) normal.
"""

from __future__ import annotations

import json
import math
import re
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from statistics import NormalDist

# The standard normal (stdlib: Wichura's AS241 quantile, accurate to ~1e-16; no scipy import cost).
_NORMAL = NormalDist()

__all__ = [
    "Derived",
    "PValue",
    "ci_asymmetry",
    "from_ci",
    "from_hr_p",
    "from_oe_v",
    "from_p_events",
    "p_from_estimate",
    "parse_p",
    "read_km_reconstruction",
    "z_for_level",
    "z_from_p",
]

_P_RE = re.compile(r"^\s*(<=|>=|<|>|≤|≥|=)?\s*(.+?)\s*$")


@dataclass(frozen=True, slots=True)
class PValue:
    """A reported p-value: its number, and whether it is exact or only a bound (``<0.001``)."""

    value: float
    relation: str  # "=", "<", "<=", ">", ">="
    text: str

    @property
    def exact(self) -> bool:
        return self.relation == "="


def parse_p(text: str) -> PValue:
    """Parse a printed p-value such as ``0.029``, ``<0.001`` or ``≤0.0005``."""
    match = _P_RE.match(text)
    if not match:
        raise ValueError(f"not a p-value: {text!r}")
    relation = {"≤": "<=", "≥": ">=", None: "="}.get(match.group(1), match.group(1))
    value = float(match.group(2))
    if not 0 <= value <= 1:
        raise ValueError(f"p-value {text!r} is outside [0, 1]")
    return PValue(value, relation, text.strip())


@dataclass(frozen=True, slots=True)
class Derived:
    """A log hazard ratio with its standard error and the method that produced them."""

    log_hr: float
    se: float
    method: str


def z_for_level(level: float) -> float:
    """Standard normal quantile of a two-sided confidence level in percent (95 -> 1.959964)."""
    return -_NORMAL.inv_cdf((1 - level / 100) / 2)


def z_from_p(p: float) -> float:
    """The |z| of a two-sided p-value: the normal quantile of 1 - p/2."""
    return -_NORMAL.inv_cdf(p / 2)


def from_ci(hr: float, low: float, high: float, level: float) -> Derived:
    """log HR = ln HR; SE = (ln high - ln low) / (2 z) (Parmar et al. 1998; Tierney et al. 2007)."""
    z = z_for_level(level)
    return Derived(math.log(hr), (math.log(high) - math.log(low)) / (2 * z), "hr_ci")


def from_oe_v(observed_minus_expected: float, variance: float) -> Derived:
    """log HR = (O-E)/V, SE = 1/sqrt(V): the Peto log-rank estimate (Parmar et al. 1998)."""
    return Derived(observed_minus_expected / variance, 1 / math.sqrt(variance), "oe_v")


def from_hr_p(hr: float, p: float) -> Derived:
    """SE = |ln HR| / z with z the normal quantile of 1 - p/2 (exact two-sided p; Tierney 2007).

    Undefined when HR = 1 or p is 0 or 1 (no information about the SE): raises ValueError.
    """
    if hr == 1 or not 0 < p < 1:
        raise ValueError("HR 1 or p of 0 or 1 carry no information about the standard error")
    z = z_from_p(p)
    return Derived(math.log(hr), abs(math.log(hr)) / z, "hr_p")


def from_p_events(
    p: float, events: int, n_exposure: int, n_reference: int, *, exposure_better: bool
) -> Derived:
    """Log HR from an exact two-sided log-rank p, total events and group sizes (Tierney 2007).

    V = events x n1 x n2 / (n1 + n2)^2 (events shared in proportion to the group sizes, as with
    1:1 allocation when n1 = n2), O-E = +-z sqrt(V), so log HR = (O-E)/V = +-z/sqrt(V) and
    SE = 1/sqrt(V).
    The sign is negative when the exposure group did better (fewer events than expected).
    """
    if not 0 < p < 1:
        raise ValueError("p must be strictly between 0 and 1")
    variance = events * n_exposure * n_reference / (n_exposure + n_reference) ** 2
    z = z_from_p(p)
    sign = -1.0 if exposure_better else 1.0
    return Derived(sign * z / math.sqrt(variance), 1 / math.sqrt(variance), "p_events")


def p_from_estimate(log_hr: float, se: float) -> float:
    """Two-sided Wald p-value of a log HR and its SE."""
    return math.erfc(abs(log_hr / se) / math.sqrt(2))


def _bounds(text: str) -> tuple[float, float]:
    """The interval of true values that round to a printed number (half a unit of its last "
    "digit)."""
    value = Decimal(text)
    exponent = value.as_tuple().exponent
    half = (
        Decimal(5) * Decimal(10) ** (int(exponent) - 1) if isinstance(exponent, int) else Decimal(0)
    )
    return float(value - half), float(value + half)


def ci_asymmetry(
    hr: float, low: float, high: float, level: float, *, printed: tuple[str, str, str] | None = None
) -> tuple[float, float, float, bool]:
    """The SE implied by each half of a CI, their relative difference, whether rounding explains it.

    Returns ``(se_lower, se_upper, relative_difference, explained_by_rounding)``; the relative
    difference is ``|se_upper - se_lower| / min(se_lower, se_upper)``. With ``printed`` (the three
    numbers as printed) the asymmetry counts as explained by rounding when some values within half a
    unit of each printed digit give a CI exactly symmetric about the HR (HR^2 = lower x upper).
    """
    z = z_for_level(level)
    se_lower = (math.log(hr) - math.log(low)) / z
    se_upper = (math.log(high) - math.log(hr)) / z
    relative = abs(se_upper - se_lower) / min(se_lower, se_upper)
    explained = False
    if printed is not None:
        try:
            hr_lo, hr_hi = _bounds(printed[0])
            lo_lo, lo_hi = _bounds(printed[1])
            hi_lo, hi_hi = _bounds(printed[2])
        except ArithmeticError:
            explained = False
        else:
            explained = hr_lo**2 <= lo_hi * hi_hi and lo_lo * hi_lo <= hr_hi**2
    return se_lower, se_upper, relative, explained


def read_km_reconstruction(base: Path, ref: str) -> dict:
    """The two-arm result of `evsynth km-reconstruct` (its hr.json, or the directory holding it).

    The Cox log HR and SE of individual data rebuilt from a Kaplan-Meier curve (Guyot et al. 2012,
    BMC Med Res Methodol 12:9); the file contract is in docs/km.md. Raises ValueError naming what
    is wrong, so the caller can point at the sheet row.
    """
    path = Path(ref) if Path(ref).is_absolute() else base / ref
    if path.is_dir():
        path = path / "hr.json"
    if not path.is_file():
        raise ValueError(f"{path} not found (run evsynth km-reconstruct --out DIR first)")
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        raise ValueError(f"{path} is not valid JSON ({exc})") from None
    if not isinstance(data, dict):
        raise ValueError(f"{path} is not a km-reconstruct hr.json")
    if "log_hr" not in data:
        arms = len(data.get("comparisons") or [])
        raise ValueError(f"{path} has {arms} comparisons; a row needs a two-arm reconstruction")
    try:
        log_hr, se = float(data["log_hr"]), float(data["se"])
    except (KeyError, TypeError, ValueError):
        raise ValueError(f"{path}: log_hr and se must be numbers") from None
    if not (math.isfinite(log_hr) and math.isfinite(se) and se > 0):
        raise ValueError(f"{path}: log_hr {log_hr} / se {se} are not a finite estimate")
    return {**data, "path": str(path)}
