"""Individual patient data rebuilt from published Kaplan-Meier curves (Guyot et al. 2012).

``evsynth km-reconstruct`` reads digitised curve points and the numbers at risk, rebuilds the
individual event and censoring times arm by arm (:mod:`evsynth.km.guyot`), fits a Cox model to
them (:mod:`evsynth.km.cox`) and draws the digitised points over the rebuilt curves.
"""

from __future__ import annotations

__all__: list[str] = []
