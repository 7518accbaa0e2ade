"""GRADE certainty of the evidence, per pooled analysis, proposed from the data and overridable.

References: the GRADE Handbook (Schünemann, Brożek, Guyatt, Oxman, eds., 2013) and the GRADE
guidelines series in J Clin Epidemiol (Guyatt et al. 2011): 3 rating the quality (64:401),
4 risk of bias (64:407), 5 publication bias (64:1277), 6 imprecision (64:1283), 7 inconsistency
(64:1294), 8 indirectness (64:1303); for prognostic factors, Iorio et al. 2015, BMJ 350:h870, and
Huguet et al. 2013, Syst Rev 2:71.
"""

from __future__ import annotations

__all__: list[str] = []
