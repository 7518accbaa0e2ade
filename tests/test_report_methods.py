"""The report's Methods section says what the config says, and nothing of the shipped review."""

from __future__ import annotations

import re
from pathlib import Path

from evsynth.report.facts import describe_rule, methods_paragraphs

REPORT_CODE = Path(__file__).resolve().parents[1] / "src" / "evsynth" / "report"


def _config(**screening: object) -> dict:
    return {
        "review": {"title": "T", "question": "Q"},
        "search": {"runs": [{"id": "2026-01-01", "sources": {"x": {"database": "X"}}}]},
        "screening": {
            "reviewers": ["ann", "bob"],
            "required_reviewers": 1,
            "stages": {"title_abstract": {}, "full_text": {}},
            **screening,
        },
        "analyses": [],
    }


def _methods(config: dict) -> str:
    return " ".join(methods_paragraphs(config, [], dedup={}, screening_complete={}))


def test_reviewers_required_per_stage_come_from_the_config() -> None:
    config = _config(
        stages={"title_abstract": {"required_reviewers": 2}, "full_text": {"required_reviewers": 1}}
    )
    text = _methods(config)
    assert "2 independent decisions required per record at title and abstract" in text
    assert "1 independent decision required per record at full text" in text
    assert "with 1 independent decision required per record" in _methods(_config())


def test_whether_a_published_review_is_compared_comes_from_the_config() -> None:
    config = _config()
    assert "No published review's pooled estimates are compared." in _methods(config)
    config["review"]["reference"] = "Doe et al. (2020), a review of X."
    config["analyses"] = [
        {"id": "a", "label": "A vs B", "published": {"hr": 0.5, "ci_low": 0.3, "ci_high": 0.8}},
        {"id": "b", "label": "C vs D", "published": None},
    ]
    text = _methods(config)
    assert "compared with those of Doe et al. (2020), a review of X, in 1 analysis: A vs B." in text


def test_the_model_rule_is_described_without_the_shipped_review() -> None:
    text = describe_rule({"name": "heterogeneity", "i2_threshold": 40, "q_p_threshold": 0.05})
    assert "I\u00b2 > 40%" in text and "p < 0.05" in text
    assert "seed" not in text


def test_report_code_has_no_prose_of_the_shipped_review() -> None:
    pattern = re.compile(
        r"seed review|osteosarcoma|metastasectom|pulmonary|Ning et al|post-relapse", re.I
    )
    hits = [
        f"{path.name}:{n}"
        for path in sorted(REPORT_CODE.rglob("*"))
        if path.is_file() and path.suffix in {".py", ".html", ".css", ".js"}
        for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1)
        if pattern.search(line)
    ]
    assert hits == []
