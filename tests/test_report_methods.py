"""The report's Methods section says what the config says, and nothing of the shipped review."""

from __future__ import annotations

import re
from pathlib import Path

from evsynth.contracts.pooling_result import Rule
from evsynth.report.facts import describe_rule, methods_paragraphs
from tests.support.report import build_report, copy_report_project

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
    text = describe_rule(Rule("heterogeneity", i2_threshold=40, q_p_threshold=0.05))
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


def test_extraction_warnings_are_shown_beside_their_rows(tmp_path: Path) -> None:
    copy_report_project(tmp_path)
    extraction = tmp_path / "results" / "extraction"
    lines = (extraction / "narrative.tsv").read_text(encoding="utf-8").splitlines()
    rows = [lines[0] + "\teffect_id"]
    rows += [line + ("\tS03.1" if line.startswith("S03\t") else "\t") for line in lines[1:]]
    (extraction / "narrative.tsv").write_text("\n".join(rows) + "\n", encoding="utf-8")
    (extraction / "warnings.tsv").write_text(
        "sheet\tline\tstudy_id\teffect_id\tcheck\tmessage\n"
        "effects\t4\tS01\tS01.1\tci_asymmetry\tthe CI is asymmetric on the log scale (likely a "
        "typo)\n"
        "effects\t9\tS03\tS03.1\tp_vs_ci\tp-value inconsistent with the CI\n",
        encoding="utf-8",
    )
    (extraction / "effects.tsv").write_text(
        "effect_id\tanalyses\nS01.1\tcomplete_resection_prs\nS03.1\t\n", encoding="utf-8"
    )
    html = build_report(tmp_path)
    analysis = html[html.index('id="analysis-complete_resection_prs"') :]
    analysis = analysis[: analysis.index("</section>")]
    assert "Extraction warning on S01.1 (effects sheet, line 4): the CI is asymmetric" in analysis
    narrative = html[html.index('id="narrative"') :]
    narrative = narrative[: narrative.index("</section>")]
    s03 = narrative.index('data-study="S03"') if 'data-study="S03"' in narrative else None
    row = narrative.index('<tr class="extraction-warning" data-effect="S03.1">')
    assert "p-value inconsistent with the CI" in narrative[row:]
    assert s03 is None or s03 < row
    table = html[html.index('id="extraction-warnings"') :]
    assert "likely a typo" in table and "complete_resection_prs" in table
    assert "none (narrative)" in table
