"""The GRADE Summary of Findings table of the report (GRADEpro layout).

Columns as GRADEpro's Summary of Findings table for a relative effect: outcome, № of
participants (studies), certainty of the evidence (GRADE) with footnotes giving the reason of
every domain rated down, overridden or not assessed, and the relative effect (95% CI)
(GRADE Handbook, sec. 5; Guyatt et al. 2013, J Clin Epidemiol 66:158). The page reads
results/grade/{analysis}.json and never rates anything itself; the markup is in
templates/grade.html.j2.
"""

from __future__ import annotations

from typing import Any

from evsynth.contracts.format import format_estimate_ci

__all__ = ["grade_view"]

# GRADEpro's certainty symbols: filled circled plus for each level, empty circle for the rest.
_SYMBOLS = {"high": 4, "moderate": 3, "low": 2, "very_low": 1}
_LEVEL_TEXT = {"high": "High", "moderate": "Moderate", "low": "Low", "very_low": "Very low"}
_DOMAIN_TEXT = {
    "risk_of_bias": "Risk of bias",
    "inconsistency": "Inconsistency",
    "indirectness": "Indirectness",
    "imprecision": "Imprecision",
    "publication_bias": "Publication bias",
}
_RATING_TEXT = {
    "not_serious": "not serious",
    "serious": "serious (rated down one level)",
    "very_serious": "very serious (rated down two levels)",
    "not_assessed": "not assessed",
    "not_applicable": "not applicable",
}


def _letter(i: int) -> str:
    out = ""
    i += 1
    while i:
        i, r = divmod(i - 1, 26)
        out = chr(ord("a") + r) + out
    return out


def _note(name: str, d: dict[str, Any]) -> str:
    """One footnote: the domain, its rating and why (with the proposal when overridden)."""
    rating = d.get("rating")
    said = _RATING_TEXT.get(rating, str(rating))
    if name == "publication_bias" and rating == "not_assessed":
        said = "not assessable"
    text = f"{_DOMAIN_TEXT.get(name, name)}: {said} \u2013 {d.get('reason', '')}."
    if d.get("overridden"):
        proposed = _RATING_TEXT.get(d.get("proposed"), str(d.get("proposed")))
        text += (
            f" Reviewer's judgement; proposed from the data: {proposed} \u2013 "
            f"{d.get('proposed_reason', '')}."
        )
    return text


def _number(value: Any) -> float | None:
    return float(value) if isinstance(value, (int, float)) else None


def grade_view(
    grades: dict[str, dict[str, Any]], order: list[str], digits: int
) -> dict[str, Any] | None:
    """The rows and footnotes of the table, or None when no analysis was graded."""
    if not grades:
        return None
    rows = []
    notes: list[str] = []  # each distinct text once; rows share a letter (as GRADEpro does)
    for aid in order:
        g = grades.get(aid)
        if not g:
            continue
        level = g.get("certainty")
        marks = []
        domains = g.get("domains") or {}
        for name in _DOMAIN_TEXT if level in _SYMBOLS else ():
            d = domains.get(name)
            if not d:
                continue
            if d.get("downgrade") or d.get("overridden") or d.get("rating") == "not_assessed":
                text = _note(name, d)
                if text not in notes:
                    notes.append(text)
                marks.append(notes.index(text))
        if level in _SYMBOLS:
            n = _SYMBOLS[level]
            cert = f"{chr(0x2A01) * n}{chr(0x25EF) * (4 - n)} {_LEVEL_TEXT[level]}"
        else:
            cert = "not rated: no poolable estimate"
        k = int(g.get("k") or 0)
        studies = f"{k} observational stud{'y' if k == 1 else 'ies'}"
        participants = g.get("participants")
        if k == 0:
            who = "no studies"
        elif participants is not None:
            who = f"{participants} ({studies})"
        else:
            who = f"not reported by every study ({studies})"
        eff = g.get("relative_effect") or {}
        if eff.get("hr") is not None:
            rel = "HR " + format_estimate_ci(
                _number(eff["hr"]),
                _number(eff.get("ci_low")),
                _number(eff.get("ci_high")),
                digits=digits,
            )
        else:
            rel = "\u2013"
        start = g.get("start") or {}
        rows.append(
            {
                "id": aid,
                "label": str(g.get("label", aid)),
                "who": who,
                "level": str(level),
                "certainty": cert,
                "letters": ",".join(_letter(i) for i in sorted(marks)),
                "start": {
                    "level": _LEVEL_TEXT.get(start.get("level"), ""),
                    "reason": str(start.get("reason", "")),
                }
                if level in _SYMBOLS
                else None,
                "effect": rel,
            }
        )
    return {"rows": rows, "notes": [(_letter(i), t) for i, t in enumerate(notes)]}
