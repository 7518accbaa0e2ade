"""The HTML report: content, self-containment, accessibility, byte stability, and input errors."""

from __future__ import annotations

import hashlib
import json
import os
import re
import shutil
from html import unescape
from html.parser import HTMLParser
from pathlib import Path

import pytest
import yaml

from evsynth.cli import main
from evsynth.contracts.format import format_hr, format_p, format_p_clause
from evsynth.errors import InputError
from evsynth.report import load_config, load_inputs, render_html
from evsynth.report.facts import published_difference
from evsynth.tables import read_tsv, write_json
from tests.support.report import build_report, copy_report_project

DATA = Path(__file__).parent / "data" / "report"


class Page(HTMLParser):
    """Collects the tags of a page with their attributes, and the text inside each table."""

    def __init__(self, html: str) -> None:
        super().__init__()
        self.tags: list[tuple[str, dict[str, str]]] = []
        self.tables: list[dict[str, object]] = []
        self._table_depth = 0
        self._in_caption = False
        self.text_of: dict[int, str] = {}
        self._open_field: list[int] = []
        self.feed(html)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        attributes = {k: v or "" for k, v in attrs}
        self.tags.append((tag, attributes))
        if tag == "table":
            self.tables.append({"attrs": attributes, "caption": "", "th": 0})
        elif tag == "caption":
            self._in_caption = True
        elif tag == "th" and self.tables:
            self.tables[-1]["th"] = int(self.tables[-1]["th"]) + 1
        if tag == "td" and "data-field" in attributes:
            self._open_field.append(len(self.tags) - 1)
            self.text_of[len(self.tags) - 1] = ""

    def handle_endtag(self, tag: str) -> None:
        if tag == "caption":
            self._in_caption = False
        if tag == "td" and self._open_field:
            self._open_field.pop()

    def handle_data(self, data: str) -> None:
        if self._in_caption and self.tables:
            self.tables[-1]["caption"] = str(self.tables[-1]["caption"]) + data
        for index in self._open_field:
            self.text_of[index] += data

    def fields(self) -> list[tuple[dict[str, str], str]]:
        return [(self.tags[i][1], text) for i, text in sorted(self.text_of.items())]


@pytest.fixture()
def project(tmp_path: Path) -> Path:
    """A writable copy of the fixture project (config.yaml + results/)."""
    return copy_report_project(tmp_path)


@pytest.fixture()
def html(project: Path) -> str:
    return build_report(project)


def text_of(html: str) -> str:
    """Visible text with tags removed and whitespace collapsed (for phrase checks)."""
    no_tags = re.sub(r"<[^>]+>", " ", re.sub(r"<style>.*?</style>", "", html, flags=re.S))
    return " ".join(unescape(no_tags).split())


# ---------------------------------------------------------------- self-contained, accessible
def test_page_is_self_contained(html: str) -> None:
    page = Page(html)
    tags = [t for t, _ in page.tags]
    assert "script" not in tags
    assert "link" not in tags
    assert "@import" not in html and "url(" not in html
    images = [a for t, a in page.tags if t == "img"]
    assert len(images) == 4  # prisma + three forest plots of the fixture
    assert all(
        a["src"].startswith(("data:image/svg+xml;base64,", "data:image/png;base64,"))
        for a in images
    )
    # The only absolute URL is the protocol registration link, never a loaded resource.
    urls = [
        a.get("href", "") for t, a in page.tags if t == "a" and a.get("href", "").startswith("http")
    ]
    assert urls == ["https://www.crd.york.ac.uk/prospero/"]


def test_tables_have_captions_and_headers_and_images_alt(html: str) -> None:
    page = Page(html)
    assert len(page.tables) >= 15
    for table in page.tables:
        assert str(table["caption"]).strip(), table
        assert int(table["th"]) > 0, table
    for tag, attrs in page.tags:
        if tag == "img":
            assert len(attrs.get("alt", "")) > 20
    assert '<html lang="en">' in html
    assert "@media print" in html


def test_title_question_eligibility_and_registration(html: str) -> None:
    text = text_of(html)
    assert "<h1>Pulmonary metastasectomy and survival in osteosarcoma" in html
    assert (
        "is complete pulmonary metastasectomy associated with longer post-relapse survival?" in text
    )
    assert "Protocol registered in PROSPERO: CRD420250000000" in text
    assert "Study designs cohort studies; randomised trials" in text


# ---------------------------------------------------------------- search and selection
def test_search_summary_reports_every_run_and_full_query(html: str) -> None:
    text = text_of(html)
    for run, source in [
        ("2025-12-31", "pubmed"),
        ("2025-12-31", "embase"),
        ("2026-03-31", "pubmed"),
    ]:
        log = json.loads(
            (DATA / "results_fixture" / "search" / run / f"{source}.log.json").read_text()
        )
        assert log["query"].replace("'", "'") in text
        assert f"{log['platform']}" in text
    assert "1900-01-01 to 2025-12-31 (pdat)" in text
    assert "inception to 2025-12-31" in text  # Embase gave no start date
    assert "2026-01-01 to 2026-03-31 (edat)" in text
    assert "As translated by the database" in text
    # Embase reported 119 but 118 were parsed: flagged, not hidden.
    assert re.search(r"119</td><td class=\"num\">118 <span class=\"badge warn\">differs", html)


def test_prisma_counts_table_and_figure(html: str) -> None:
    page = Page(html)
    counts = json.loads((DATA / "results_fixture" / "prisma" / "counts.json").read_text())
    cells = {a["data-field"]: a for t, a in page.tags if t == "td" and "data-field" in a}
    assert "records_screened" in cells
    assert 'data-field="records_screened">301<' in html
    assert 'data-field="dbr_excluded">33<' in html  # the reasons' sum
    for reason, n in counts["dbr_excluded"].items():
        assert f'{reason}</td><td class="num">{n}<' in html
    assert "PRISMA 2020 flow diagram: records identified from databases 412" in html


def test_dedup_and_agreement(html: str) -> None:
    text = text_of(html)
    assert "Duplicates removed 111" in text
    assert "Unique records 301" in text
    assert "Title and abstract AB, CD 0.79 95.0% cohen" in text
    assert "Full text AB, CD 0.71 92.1% cohen" in text
    assert "Screening incomplete" not in text


def test_incomplete_screening_is_flagged(project: Path) -> None:
    path = project / "results" / "screening" / "agreement.json"
    data = json.loads(path.read_text())
    doc = data["stages"]["full_text"]
    doc["complete"] = False
    doc["counts"]["queued"] = 6
    data["complete"] = False
    data["incomplete_stages"] = ["full_text"]
    write_json(path, data)
    text = text_of(build_report(project))
    assert (
        "Screening incomplete. Records still without a final decision (Full text: 6 of 38)" in text
    )
    assert "Screening is incomplete at: full_text" in text


def test_incomplete_screening_from_stage_tables_without_agreement(project: Path) -> None:
    (project / "results" / "screening" / "agreement.json").unlink()
    path = project / "results" / "screening" / "title_abstract.tsv"
    path.write_text(path.read_text() + "pubmed:30000001\t\t\tAB\tfalse\n")
    text = text_of(build_report(project))
    assert "(Title and abstract: 1 of 4)" in text
    assert "Agreement not computed" in text


def test_study_characteristics_and_subgroup_column(html: str) -> None:
    text = text_of(html)
    assert "Characteristics of the 5 included studies" in text
    assert "Kempf-Bielack 2005 2005 Germany retrospective cohort 1980-1998 576 Europe" in text
    assert "pubmed:15713796" not in text  # record ids stay in the file, not the table


def test_risk_of_bias_table_or_not_assessed(project: Path, html: str) -> None:
    assert "Risk of bias (NOS): judgement per study and domain" in html
    assert "Kempf-Bielack 2005</th><td>2 \u2605</td><td>3 \u2605</td><td>4 \u2605</td>" in html
    (project / "results" / "extraction" / "risk_of_bias.tsv").unlink()
    assert "Risk of bias: not assessed." in build_report(project)


# ---------------------------------------------------------------- analyses
def test_summary_numbers_equal_summary_tsv(html: str) -> None:
    summary = {
        r["analysis"]: r for r in read_tsv(DATA / "results_fixture" / "pooling" / "summary.tsv")
    }
    rows = re.findall(r'<tr data-analysis="([a-z0-9_]+)">(.*?)</tr>', html)
    seen = set()
    for analysis, row in rows:
        if analysis not in summary or not summary[analysis]["hr"]:
            continue
        seen.add(analysis)
        s = summary[analysis]
        value = re.search(r'data-field="hr" data-value="([^"]*)">([^<]*)<', row)
        assert value is not None
        assert float(value.group(1)) == float(s["hr"])
        assert value.group(2) == format_hr(float(s["hr"]))
        ci = re.search(r'data-low="([^"]*)" data-high="([^"]*)"[^>]*>([^<]*)<', row)
        assert float(ci.group(1)) == float(s["ci_low"])
        assert ci.group(3) == f"[{float(s['ci_low']):.2f}, {float(s['ci_high']):.2f}]"
        p = re.search(r'data-field="p" data-value="([^"]*)">([^<]*)<', row)
        assert p.group(2).replace("&lt;", "<") == format_p(float(s["p"]))
    assert seen == {"complete_resection_prs", "complete_resection_prs_no_kempf", "bilateral_pmos"}


def test_pooled_table_marks_chosen_model_and_both_models(html: str) -> None:
    result = json.loads(
        (DATA / "results_fixture" / "pooling" / "complete_resection_prs.json").read_text()
    )
    assert result["chosen"] == "random"
    chosen = re.search(
        r'<tr class="chosen" data-model="random" data-analysis="complete_resection_prs">(.*?)</tr>',
        html,
    )
    assert chosen is not None
    assert "chosen</span>" in chosen.group(1)
    assert f">{result['random']['exp_estimate']:.2f}<" in chosen.group(1)
    fixed = re.search(
        r'<tr data-model="fixed" data-analysis="complete_resection_prs">(.*?)</tr>', html
    )
    assert fixed is not None and "chosen" not in fixed.group(1)
    text = text_of(html)
    rnd = result["random"]
    assert (
        f"Cochran's Q = {rnd['q']:.2f} on 3 df ({format_p_clause(rnd['q_p'])}); "
        f"I\u00b2 = {rnd['i2']:.1f}%" in text
    )
    assert (
        f"prediction interval for the HR in a new study is [{rnd['exp_pi_low']:.2f}, "
        f"{rnd['exp_pi_high']:.2f}]" in text
    )


def test_sensitivity_subgroups_and_declared(html: str) -> None:
    text = text_of(html)
    result = json.loads(
        (DATA / "results_fixture" / "pooling" / "complete_resection_prs.json").read_text()
    )
    first = result["leave_one_out"][0]
    assert (
        f"{first['study']} {first['k']} {first['exp_estimate']:.2f} "
        f"[{first['exp_ci_low']:.2f}, {first['exp_ci_high']:.2f}]" in text
    )
    assert "Cumulative meta-analysis, studies added in order of publication year" in text
    assert "Subgroups by continent" in text
    sub = result["subgroups"]
    assert f"Test for subgroup differences: Q = {sub['q_between']:.2f} on 2 df" in text
    assert (
        'href="#analysis-complete_resection_prs_no_kempf">Complete resection and PRS, without'
        in html
    )


def test_bias_reason_when_k_below_ten_and_results_when_present(project: Path, html: str) -> None:
    assert "not computed: k = 4 < 10" in text_of(html)
    path = project / "results" / "pooling" / "complete_resection_prs.json"
    data = json.loads(path.read_text())
    data["egger"] = {"k": 4, "intercept": -1.234, "se": 0.8, "t": -1.5, "df": 2, "p": 0.27}
    data["begg"] = {"k": 4, "tau": -0.333, "p": 0.75, "exact": True}
    data["trim_and_fill"] = {
        "k0": 1,
        "side": "left",
        "exp_estimate": 0.31,
        "exp_ci_low": 0.15,
        "exp_ci_high": 0.64,
    }
    write_json(path, data)
    text = text_of(build_report(project))
    assert "Egger's regression test intercept -1.23, p = 0.270" in text
    assert "Begg's rank correlation test Kendall's \u03c4 -0.33, p = 0.750" in text
    assert "Trim-and-fill 1 studies imputed, left side; adjusted HR 0.31 [0.15, 0.64]" in text


def test_a_bias_test_s_own_reason_is_shown(project: Path) -> None:
    """A reason another tool wrote into a test (the contract's ``reason``) replaces the k rule."""
    path = project / "results" / "pooling" / "complete_resection_prs.json"
    data = json.loads(path.read_text())
    data["egger"] = {"reason": "not run: the studies share one cohort"}
    write_json(path, data)
    text = text_of(build_report(project))
    assert "Egger's regression test not run: the studies share one cohort" in text
    assert "Begg's rank correlation test not computed: k = 4 < 10" in text


def test_an_update_s_selection_table_shows_the_whole_review(project: Path) -> None:
    """counts.json's update_flow is the diagram's; the counts table keeps the review's totals."""
    path = project / "results" / "prisma" / "counts.json"
    counts = json.loads(path.read_text())
    counts["update_flow"] = {"records_screened": 20, "records_excluded": 16, "duplicates": 3}
    write_json(path, counts)
    shown = {attrs["data-field"]: value for attrs, value in Page(build_report(project)).fields()}
    assert shown["records_screened"] == "301" and shown["duplicates"] == "111"


@pytest.mark.parametrize(
    ("name", "change", "key"),
    [
        ("pooling/complete_resection_prs.json", {"random": {"estimate": "big"}}, "random.estimate"),
        ("pooling/vats_prs.json", {"by_search_run": {}}, "by_search_run"),
        ("prisma/counts.json", {"dbr_assessed": -1}, "dbr_assessed"),
    ],
)
def test_a_malformed_contract_file_names_the_file_and_key(
    project: Path, name: str, change: dict, key: str
) -> None:
    path = project / "results" / name
    write_json(path, {**json.loads(path.read_text()), **change})
    with pytest.raises(InputError, match=rf"{re.escape(name)}.*field '{re.escape(key)}'"):
        build_report(project)


def test_single_study_and_empty_analyses(html: str) -> None:
    text = text_of(html)
    assert "single study, not pooled Only one study (Hu 2020) contributes" in text
    assert "no poolable estimate k = 0" in text
    assert "Synthesised narratively by protocol" in text


def test_published_comparison_with_reason(html: str) -> None:
    row = re.search(r'<tr data-analysis="complete_resection_prs">(.*?)</tr>', html).group(1)
    assert row.endswith('<td class="num">0.21 [0.12, 0.38]</td>')
    row = re.search(r'<tr data-analysis="vats_prs">(.*?)</tr>', html).group(1)
    assert row.endswith('No poolable estimate</td><td class="num">\u2013</td>')
    text = text_of(html)
    assert "Published 5 0.21 [0.12, 0.38] Seed review (2026), Figure 3" in text
    assert (
        "k = 1 here vs 4 in the published analysis: only 1 study's HR with CI is available in "
        "public abstracts." in text
    )
    assert "1 study reports this comparison only as a p-value or direction" in text


@pytest.mark.parametrize(
    ("k_ours", "hr", "narrative", "excluded", "expected"),
    [
        (0, None, 0, [], "k = 0 here vs 5 in the published analysis: no included study"),
        (1, 0.2, 0, [], "only 1 study's HR with CI is available in the sources extracted"),
        (3, 0.2, 0, [], "only 3 studies' HRs with CIs are available"),
        (3, 0.2, 2, [], "2 studies report this comparison only as a p-value"),
        (5, 0.2, 0, [], "Same number of studies (k = 5)"),
        (6, 0.2, 0, [], "this review pools 1 more study"),
        (5, 0.5, 0, ["S09"], "Excluded by the protocol: S09. Our estimate lies outside"),
    ],
)
def test_published_difference_reasons(k_ours, hr, narrative, excluded, expected) -> None:
    published = {"hr": 0.21, "ci_low": 0.12, "ci_high": 0.38, "k": 5, "source": "x"}
    reason = published_difference(
        k_ours=k_ours,
        hr_ours=hr,
        published=published,
        narrative_count=narrative,
        excluded=excluded,
        model="random effects",
    )
    assert expected in reason


def test_narrative_table(html: str) -> None:
    text = text_of(html)
    assert (
        "Choi 2014 Number of nodules post-relapse survival > 3 vs <= 3 nodules multivariable"
        in text
    )
    assert "p-value only, no HR or CI" in text


def test_methods_paragraph_comes_from_config_and_results(html: str) -> None:
    text = text_of(html)
    assert "We searched Embase, PubMed in 2 dated runs (2025-12-31, 2026-03-31)" in text
    assert "decisions in resources/dedup/decisions.csv" in text
    assert "111 duplicates were removed, leaving 301 records" in text
    assert "by 2 named reviewers, with 2 independent decisions required per record" in text
    assert "conflicts were resolved by adjudication" in text
    assert "DerSimonian-Laird estimator of \u03c4\u00b2" in text
    assert "random effects when I\u00b2 > 50% or Cochran's Q p < 0.1, otherwise fixed" in text
    assert "Sensitivity analyses (with at least 3 studies)" in text
    assert "Confidence level 95%" in text


def test_methods_follow_the_cochrane_rule(project: Path) -> None:
    config = yaml.safe_load((project / "config.yaml").read_text())
    config["pooling"]["rule"] = "cochrane"
    (project / "config.yaml").write_text(yaml.safe_dump(config))
    for name in ("complete_resection_prs", "complete_resection_prs_no_kempf", "bilateral_pmos"):
        path = project / "results" / "pooling" / f"{name}.json"
        data = json.loads(path.read_text())
        data["rule"] = {"name": "cochrane", "description": "REML + HKSJ + PI"}
        data["settings"] |= {"random_method": "REML", "test": "knha", "min_k_report": 12}
        data["random"]["method"], data["random"]["test"] = "REML", "knha"
        write_json(path, data)
    text = text_of(build_report(project))
    assert "restricted maximum-likelihood (REML)" in text
    assert "Hartung-Knapp-Sidik-Jonkman (HKSJ) adjustment" in text
    assert "Cochrane preset" in text
    assert "not computed: k = 4 < 12" in text  # pooling's own minimum for bias tests


# ---------------------------------------------------------------- provenance, stability
def test_provenance_lists_every_input_with_its_sha256(project: Path, html: str) -> None:
    listed = dict(
        re.findall(r"<tr><td><code>([^<]+)</code></td><td><code>([0-9a-f]{64})</code>", html)
    )
    expected = {"config.yaml"} | {
        str(p.relative_to(project))
        for p in (project / "results").rglob("*")
        if p.is_file() and "report" not in p.parts
    }
    assert set(listed) == expected
    for path, digest in listed.items():
        assert hashlib.sha256((project / path).read_bytes()).hexdigest() == digest
    assert "search run of 2026-03-31" in html
    assert re.search(r"numpy</th><td>\d+\.\d+", html)


def test_rerun_is_byte_identical_and_independent_of_location(project: Path, tmp_path: Path) -> None:
    first = build_report(project)
    assert build_report(project) == first
    moved = tmp_path / "elsewhere"
    shutil.copytree(project, moved)
    shutil.rmtree(moved / "results" / "report")
    assert build_report(moved) == first


def test_figures_absent_are_explained(project: Path) -> None:
    shutil.rmtree(project / "results" / "figures")
    html = build_report(project)
    assert "<img" not in html
    assert "PRISMA flow diagram not drawn" in html
    assert "Forest plot not drawn for this analysis." in html


def test_png_used_when_svg_absent(project: Path) -> None:
    figures = project / "results" / "figures"
    (figures / "complete_resection_prs.forest.svg").unlink()
    shutil.copy(figures / "prisma.png", figures / "complete_resection_prs.forest.png")
    inputs = load_inputs(load_config(project / "config.yaml"), project / "results")
    main = next(a for a in inputs.analyses if a.id == "complete_resection_prs")
    assert main.figures["forest"].name == "complete_resection_prs.forest.png"
    assert render_html(inputs).count("data:image/png;base64,") == 2


# ---------------------------------------------------------------- errors and CLI
@pytest.mark.parametrize(
    ("missing", "writer"),
    [
        ("results/pooling/summary.tsv", "evsynth pool"),
        ("results/pooling/vats_prs.json", "evsynth pool"),
        ("results/extraction/studies.tsv", "evsynth extract"),
        ("results/extraction/narrative.tsv", "evsynth extract"),
        ("results/dedup/summary.json", "evsynth dedup"),
        ("results/prisma/counts.json", "evsynth prisma counts"),
        ("results/search/2026-03-31/pubmed.log.json", "evsynth search pubmed"),
    ],
)
def test_missing_required_input_is_an_input_error(project: Path, missing: str, writer: str) -> None:
    (project / missing).unlink()
    with pytest.raises(
        InputError, match=rf"{re.escape(missing)}: required input is missing.*{writer}"
    ):
        build_report(project)


def test_analysis_without_summary_row_is_an_error(project: Path) -> None:
    path = project / "results" / "pooling" / "summary.tsv"
    lines = path.read_text().splitlines()
    path.write_text("\n".join(line for line in lines if not line.startswith("vats_prs")) + "\n")
    with pytest.raises(InputError, match="analysis 'vats_prs' has a pooling result but no row"):
        build_report(project)


def test_malformed_json_and_missing_column(project: Path) -> None:
    (project / "results" / "dedup" / "summary.json").write_text("{not json")
    with pytest.raises(InputError, match=r"summary.json:1: not valid JSON"):
        build_report(project)


def test_studies_missing_column(project: Path) -> None:
    path = project / "results" / "extraction" / "studies.tsv"
    path.write_text(path.read_text().replace("label\t", "name\t", 1))
    with pytest.raises(InputError, match=r"missing column.*label"):
        build_report(project)


def test_cli_writes_report_and_reports_errors(project: Path, capsys) -> None:
    out = project / "out" / "index.html"
    args = [
        "report",
        "--config",
        str(project / "config.yaml"),
        "--results",
        str(project / "results"),
        "--out",
        str(out),
    ]
    assert main(args) == 0
    assert out.read_text().startswith("<!DOCTYPE html>")
    (project / "results" / "dedup" / "summary.json").unlink()
    assert main(args) == 1
    assert "evsynth report: error:" in capsys.readouterr().err
    assert (
        main(
            ["report", "--config", str(project / "nope.yaml"), "--results", "r", "--out", str(out)]
        )
        == 1
    )
    assert "config file not found" in capsys.readouterr().err


def test_page_is_readable_by_others_like_any_shared_file(project: Path) -> None:
    previous = os.umask(0o022)
    try:
        build_report(project)
    finally:
        os.umask(previous)
    mode = (project / "results" / "report" / "index.html").stat().st_mode & 0o777
    assert mode == 0o644


@pytest.mark.parametrize(
    ("edit", "message"),
    [
        (lambda c: c.pop("review"), "the config has no 'review' section"),
        (lambda c: c["search"].update(runs=[]), "search.runs must list at least one run"),
        (lambda c: c["search"]["runs"][1].pop("sources"), r"search.runs\[1\] needs an id"),
        (lambda c: c["analyses"][2].pop("id"), r"analyses\[2\] needs an id"),
    ],
)
def test_bad_config_is_an_input_error(project: Path, edit, message: str) -> None:
    config = yaml.safe_load((project / "config.yaml").read_text())
    edit(config)
    (project / "config.yaml").write_text(yaml.safe_dump(config))
    with pytest.raises(InputError, match=message):
        build_report(project)


def test_synthesis_defaults_to_meta_analysis(project: Path) -> None:
    config = yaml.safe_load((project / "config.yaml").read_text())
    del config["analyses"][0]["synthesis"]
    (project / "config.yaml").write_text(yaml.safe_dump(config))
    html = build_report(project)
    assert '<tr class="chosen" data-model="random" data-analysis="complete_resection_prs">' in html


class _Nesting(HTMLParser):
    """Checks that every element is closed in order (void elements excepted)."""

    VOID = frozenset({"meta", "img", "br", "hr", "link", "input"})

    def __init__(self) -> None:
        super().__init__()
        self.stack: list[str] = []
        self.errors: list[tuple[str, tuple[int, int]]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag not in self.VOID:
            self.stack.append(tag)

    def handle_endtag(self, tag: str) -> None:
        if self.stack and self.stack[-1] == tag:
            self.stack.pop()
        else:
            self.errors.append((tag, self.getpos()))


def test_page_is_well_formed(html: str) -> None:
    checker = _Nesting()
    checker.feed(html)
    assert checker.errors == []
    assert checker.stack == []


def test_stale_pooling_json_is_an_error(project: Path) -> None:
    path = project / "results" / "pooling" / "complete_resection_prs.json"
    data = json.loads(path.read_text())
    data["random"]["exp_estimate"] = 0.5
    write_json(path, data)
    with pytest.raises(InputError, match=r"record complete_resection_prs.*pooled HR is 0.5 here"):
        build_report(project)


def test_review_without_analyses_needs_no_pooling(project: Path) -> None:
    config = yaml.safe_load((project / "config.yaml").read_text())
    config["analyses"] = []
    (project / "config.yaml").write_text(yaml.safe_dump(config))
    shutil.rmtree(project / "results" / "pooling")
    text = text_of(build_report(project))
    assert "No analyses are configured." in text
    assert "No meta-analysis was configured; findings are synthesised narratively." in text
