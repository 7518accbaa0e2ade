"""Inter-rater agreement: Cohen's kappa for each pair of reviewers, Light's kappa for more.

Cohen's kappa (Cohen 1960, Educ Psychol Meas 20:37-46) is (p_o - p_e) / (1 - p_e), p_o the observed
proportion of agreement and p_e the agreement expected from each reviewer's marginal proportions.
With more than two reviewers we report every pair and their mean (Light's kappa; Light 1971, Psychol
Bull 76:365-377), as the Cochrane Handbook (section 4.6.4) suggests reporting agreement per pair.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from itertools import combinations

__all__ = ["Agreement", "PairAgreement", "agreement", "cohen_kappa"]


@dataclass(slots=True)
class PairAgreement:
    """Agreement of two reviewers over the records both decided."""

    reviewers: tuple[str, str]
    n: int
    agreed: int
    raw_agreement: float | None
    expected_agreement: float | None
    kappa: float | None
    table: dict[str, dict[str, int]] = field(default_factory=dict)
    note: str = ""

    def to_dict(self) -> dict[str, object]:
        return {
            "reviewers": list(self.reviewers),
            "n": self.n,
            "agreed": self.agreed,
            "raw_agreement": self.raw_agreement,
            "expected_agreement": self.expected_agreement,
            "kappa": self.kappa,
            "table": self.table,
            "note": self.note,
        }


@dataclass(slots=True)
class Agreement:
    pairs: list[PairAgreement]
    kappa: float | None
    raw_agreement: float | None
    method: str

    def to_dict(self) -> dict[str, object]:
        return {
            "kappa": self.kappa,
            "raw_agreement": self.raw_agreement,
            "method": self.method,
            "pairs": [p.to_dict() for p in self.pairs],
        }


def cohen_kappa(
    a: Sequence[str], b: Sequence[str], *, reviewers: tuple[str, str] = ("a", "b")
) -> PairAgreement:
    """Cohen's kappa of two equally long label sequences (any number of categories).

    Kappa is undefined when chance agreement is 1 (both reviewers used one and the same category
    throughout); it is then ``None`` with a note, not 1 or 0.
    """
    if len(a) != len(b):
        raise ValueError("label sequences differ in length")
    n = len(a)
    categories = sorted(set(a) | set(b))
    table = {x: {y: 0 for y in categories} for x in categories}
    for x, y in zip(a, b, strict=True):
        table[x][y] += 1
    agreed = sum(table[c][c] for c in categories)
    if n == 0:
        return PairAgreement(reviewers, 0, 0, None, None, None, table, "no record decided by both")
    po = agreed / n
    pe = sum((a.count(c) / n) * (b.count(c) / n) for c in categories)
    if pe >= 1.0:
        note = "kappa undefined: both reviewers gave every record the same decision"
        return PairAgreement(reviewers, n, agreed, po, pe, None, table, note)
    kappa = (po - pe) / (1.0 - pe)
    return PairAgreement(reviewers, n, agreed, round(po, 6), round(pe, 6), round(kappa, 6), table)


def agreement(decisions: Mapping[str, Mapping[str, str]]) -> Agreement:
    """Pairwise Cohen's kappa over {reviewer: {study_record_id: decision}}; mean if several."""
    names = sorted(decisions)
    pairs = []
    for r1, r2 in combinations(names, 2):
        common = sorted(set(decisions[r1]) & set(decisions[r2]))
        pairs.append(
            cohen_kappa(
                [decisions[r1][s] for s in common],
                [decisions[r2][s] for s in common],
                reviewers=(r1, r2),
            )
        )
    kappas = [p.kappa for p in pairs if p.kappa is not None]
    total = sum(p.n for p in pairs)
    raw = round(sum(p.agreed for p in pairs) / total, 6) if total else None
    if len(pairs) == 1:
        return Agreement(pairs, pairs[0].kappa, pairs[0].raw_agreement, "cohen")
    kappa = round(sum(kappas) / len(kappas), 6) if kappas else None
    return Agreement(pairs, kappa, raw, "light (mean pairwise cohen)" if pairs else "none")
