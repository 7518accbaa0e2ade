"""Inter-rater agreement: Cohen's kappa for each pair of reviewers; Light's and Fleiss' for more.

Cohen's kappa (Cohen 1960, Educ Psychol Meas 20:37-46) is (p_o - p_e) / (1 - p_e), p_o the observed
proportion of agreement and p_e the agreement expected from each reviewer's marginal proportions.
With more than two reviewers we report every pair and their mean (Light's kappa; Light 1971, Psychol
Bull 76:365-377), as the Cochrane Handbook (section 4.6.4) suggests reporting agreement per pair,
and Fleiss' kappa (Fleiss 1971, Psychol Bull 76:378-382) over the records every reviewer decided.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from itertools import combinations

__all__ = [
    "Agreement",
    "FleissAgreement",
    "PairAgreement",
    "agreement",
    "cohen_kappa",
    "fleiss_kappa",
]


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
class FleissAgreement:
    """Fleiss' kappa of m reviewers over the n records all of them decided."""

    reviewers: tuple[str, ...]
    n: int
    mean_agreement: float | None  # P-bar
    expected_agreement: float | None  # P-bar_e
    kappa: float | None
    category_proportions: dict[str, float] = field(default_factory=dict)
    note: str = ""

    def to_dict(self) -> dict[str, object]:
        return {
            "reviewers": list(self.reviewers),
            "n": self.n,
            "mean_agreement": self.mean_agreement,
            "expected_agreement": self.expected_agreement,
            "kappa": self.kappa,
            "category_proportions": self.category_proportions,
            "note": self.note,
        }


@dataclass(slots=True)
class Agreement:
    pairs: list[PairAgreement]
    kappa: float | None
    raw_agreement: float | None
    method: str
    fleiss: FleissAgreement | None = None

    def to_dict(self) -> dict[str, object]:
        return {
            "kappa": self.kappa,
            "raw_agreement": self.raw_agreement,
            "method": self.method,
            "pairs": [p.to_dict() for p in self.pairs],
            "fleiss": self.fleiss.to_dict() if self.fleiss else None,
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


def fleiss_kappa(
    ratings: Sequence[Sequence[str]], *, reviewers: Sequence[str] = ()
) -> FleissAgreement:
    """Fleiss' kappa of records each rated by the same number m >= 2 of reviewers.

    Fleiss (1971), equations 2-9: with n_ij the reviewers putting record i in category j,
    P_i = (sum_j n_ij^2 - m) / (m (m - 1)), P-bar the mean of P_i, p_j = sum_i n_ij / (N m),
    P-bar_e = sum_j p_j^2 and kappa = (P-bar - P-bar_e) / (1 - P-bar_e). ``None`` with a note
    when undefined (every rating in one category, or no record).
    """
    names = tuple(reviewers)
    n = len(ratings)
    if n == 0:
        return FleissAgreement(
            names, 0, None, None, None, {}, "no record decided by every reviewer"
        )
    m = len(ratings[0])
    if m < 2 or any(len(r) != m for r in ratings):
        raise ValueError("every record needs the same number (>= 2) of ratings")
    categories = sorted({c for r in ratings for c in r})
    totals = {c: 0 for c in categories}
    p_i_sum = 0.0
    for r in ratings:
        counts = {c: r.count(c) for c in set(r)}
        for c, k in counts.items():
            totals[c] += k
        p_i_sum += (sum(k * k for k in counts.values()) - m) / (m * (m - 1))
    p_bar = p_i_sum / n
    proportions = {c: totals[c] / (n * m) for c in categories}
    p_e = sum(p * p for p in proportions.values())
    rounded = {c: round(p, 6) for c, p in proportions.items()}
    if p_e >= 1.0:
        note = "kappa undefined: every reviewer gave every record the same decision"
        return FleissAgreement(names, n, round(p_bar, 6), round(p_e, 6), None, rounded, note)
    kappa = (p_bar - p_e) / (1.0 - p_e)
    return FleissAgreement(names, n, round(p_bar, 6), round(p_e, 6), round(kappa, 6), rounded)


def agreement(decisions: Mapping[str, Mapping[str, str]]) -> Agreement:
    """Pairwise Cohen's kappa over {reviewer: {study_record_id: decision}}; with more than two
    reviewers also their mean (Light) and Fleiss' kappa over the records all of them decided."""
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
    fleiss = None
    if len(names) > 2:
        common = sorted(set.intersection(*(set(decisions[r]) for r in names)))
        fleiss = fleiss_kappa([[decisions[r][s] for r in names] for s in common], reviewers=names)
    return Agreement(pairs, kappa, raw, "light (mean pairwise cohen)" if pairs else "none", fleiss)
