"""Cox proportional-hazards fit of rebuilt individual data.

statsmodels' ``PHReg`` with Efron's handling of tied event times, the default of R's
``survival::coxph`` (Therneau and Grambsch 2000, Modeling Survival Data, sec. 3.3); a Wald
interval ``exp(beta +- z se)`` as ``summary.coxph`` prints.
"""

from __future__ import annotations

import math
from statistics import NormalDist

import numpy as np
from statsmodels.duration.hazard_regression import PHReg

__all__ = ["cox_hr"]


def cox_hr(
    time: np.ndarray, event: np.ndarray, group: np.ndarray, *, level: float = 0.95
) -> dict[str, float]:
    """Hazard ratio of ``group == 1`` vs ``group == 0`` with its Wald CI (Efron ties)."""
    exog = np.asarray(group, dtype=float).reshape(-1, 1)
    model = PHReg(
        np.asarray(time, dtype=float), exog, status=np.asarray(event, dtype=int), ties="efron"
    )
    fit = model.fit(disp=False)
    beta = float(fit.params[0])
    se = float(fit.bse[0])
    z = NormalDist().inv_cdf(0.5 + level / 2)
    return {
        "log_hr": beta,
        "se": se,
        "hr": math.exp(beta),
        "ci_low": math.exp(beta - z * se),
        "ci_high": math.exp(beta + z * se),
        "ci_level": level * 100,
        "p": math.erfc(abs(beta / se) / math.sqrt(2)),
    }
