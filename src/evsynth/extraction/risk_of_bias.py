"""The risk-of-bias sheet checked against its tool (NOS or QUIPS) and summarised per study."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from typing import Any

from evsynth.extraction.rob_items import NOS_ITEMS, QUIPS_DOMAINS, TOOL_ITEMS
from evsynth.extraction.schema import SheetRow
from evsynth.extraction.validate import Problems

__all__ = ["risk_of_bias_rows", "risk_of_bias_text"]


def risk_of_bias_rows(rows: Sequence[SheetRow], study_ids: set[str]) -> list[dict[str, Any]]:
    problems = Problems()
    seen: set[tuple[str, str, str]] = set()
    out: list[dict[str, Any]] = []
    totals: dict[tuple[str, str], int] = defaultdict(int)
    for row in rows:
        v = row.values
        sid, tool, item = v["study_id"], v["tool"], v["item"]
        if sid not in study_ids:
            problems.add(row, f"study {sid!r} is not in the studies sheet")
        if item not in TOOL_ITEMS[tool]:
            problems.add(
                row, f"item {item!r} is not a {tool} item; valid: {', '.join(TOOL_ITEMS[tool])}"
            )
            continue
        if (sid, tool, item) in seen:
            problems.add(row, f"{tool} item {item!r} given twice for this study")
        seen.add((sid, tool, item))
        if tool == "NOS":
            domain, most = NOS_ITEMS[item]
            if v["stars"] is None or v["judgement"] is not None:
                problems.add(row, "NOS rows need `stars` (and no `judgement`)")
                continue
            if v["stars"] > most:
                problems.add(row, f"{item} gets at most {most} star(s), not {v['stars']}")
            totals[(sid, tool)] += v["stars"]
        else:
            domain = item
            if v["judgement"] is None or v["stars"] is not None:
                problems.add(row, "QUIPS rows need `judgement` low/moderate/high (and no `stars`)")
                continue
        out.append(
            {
                "study_id": sid,
                "tool": tool,
                "domain": domain,
                "item": item,
                "stars": v["stars"],
                "judgement": v["judgement"],
                "support": v["support"],
                "assessor": v["assessor"],
            }
        )
    for sid, tool in sorted({(r["study_id"], r["tool"]) for r in out}):
        expected = set(TOOL_ITEMS[tool])
        have = {r["item"] for r in out if r["study_id"] == sid and r["tool"] == tool}
        if have != expected:
            problems.items.append(
                f"risk of bias: study {sid} {tool} lacks item(s) "
                f"{', '.join(sorted(expected - have))}"
            )
    tools = sorted({r["tool"] for r in out})
    if len(tools) > 1:
        # One table, one plot: a review assesses all its studies with one tool.
        problems.items.append(
            f"risk of bias: the sheet mixes tools ({', '.join(tools)}); use one tool per review"
        )
    problems.raise_if_any("risk-of-bias sheet")
    assert set(QUIPS_DOMAINS) == set(TOOL_ITEMS["QUIPS"])
    return out


def risk_of_bias_text(rob: Sequence[dict[str, Any]] | None) -> dict[str, str]:
    """study_id -> the one-line summary the studies table carries (NOS stars, QUIPS high risks)."""
    rob_text: dict[str, str] = {}
    for sid in sorted({r["study_id"] for r in rob or []}):
        mine = [r for r in rob or [] if r["study_id"] == sid]
        if mine[0]["tool"] == "NOS":
            rob_text[sid] = f"NOS {sum(r['stars'] for r in mine)}/9"
        else:
            high = sum(r["judgement"] == "high" for r in mine)
            rob_text[sid] = f"QUIPS: {high} of 6 domains at high risk"
    return rob_text
