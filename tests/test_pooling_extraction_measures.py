"""Analyses of counts and means: extraction computes yi/se per measure, pooling pools them.

The sheets (tests/data/extraction/measures/) hold metadat's dat.bcg counts and dat.normand1999
means, some entered with the groups swapped; the expected numbers are metafor's escalc()/rma()
values in tests/reference/metafor_effects_reference.json.
"""

from __future__ import annotations

import copy
import csv
import json
import math
from pathlib import Path

import pytest
import yaml

from evsynth.cli import main
from evsynth.errors import InputError
from evsynth.extraction.build import extract
from evsynth.extraction.schema import read_sheet
from evsynth.extraction.settings import parse_settings
from tests.support.argv import extract_args

ROOT = Path(__file__).parent
DATA = ROOT / "data" / "extraction" / "measures"
CONFIG = yaml.safe_load((DATA / "config.yaml").read_text(encoding="utf-8"))
REFERENCE = json.loads(
    (ROOT / "reference" / "metafor_effects_reference.json").read_text(encoding="utf-8")
)


def run(effects: Path = DATA / "effects.csv", config: dict | None = None):
    return extract(
        read_sheet(DATA / "studies.csv", "studies"),
        read_sheet(effects, "effects"),
        parse_settings(config or CONFIG),
    )


def escalc_ref(dataset: str, measure: str) -> dict:
    return next(
        c
        for c in REFERENCE["escalc"]
        if c["dataset"] == dataset
        and c["measure"] == measure
        and (c["add"], c["to"], c["drop00"]) == (0.5, "only0", False)
    )


@pytest.mark.parametrize(
    "analysis, dataset, measure",
    [
        ("bcg_or", "bcg", "OR"),
        ("bcg_rr", "bcg", "RR"),
        ("bcg_rd", "bcg", "RD"),
        ("los_md", "normand1999", "MD"),
        ("los_smd", "normand1999", "SMD"),
        ("los_rom", "normand1999", "ROM"),
    ],
)
def test_analysis_rows_carry_metafor_effect_sizes_in_the_configured_direction(
    analysis, dataset, measure
):
    result = run()
    (a,) = [x for x in result.settings.analyses if x.id == analysis]
    assert a.measure == measure
    rows = {r["study"]: r for r in result.analysis_rows(a)}
    ref = escalc_ref(dataset, measure)
    labels = [
        r["study"] for r in csv.DictReader(open(ROOT / "data/pooling/metadat" / f"{dataset}.csv"))
    ]
    assert sorted(rows) == sorted(labels)
    for label, yi, vi in zip(labels, ref["yi"], ref["vi"], strict=True):
        got = rows[label]
        assert math.isclose(got["yi"], yi, rel_tol=1e-12, abs_tol=1e-15), (label, got["yi"], yi)
        assert math.isclose(got["se"] ** 2, vi, rel_tol=1e-12), (label, got["se"], vi)
    # Rows entered with the groups the other way round were swapped back (the label says so).
    assert (
        any("inverted: reported unvaccinated vs vaccinated" in r["label"] for r in rows.values())
        or dataset != "bcg"
    )


def test_counts_rows_are_not_hr_rows_and_missing_data_is_accounted_for():
    result = run()
    by = {a.id: a for a in result.settings.analyses}
    assert result.analysis_rows(by["bcg_hr"]) == []  # no hazard ratios in the sheet
    out = [m for m in result.members if m.analysis == "los_or"]
    assert len(out) == 9 and not any(m.included for m in out)
    assert all("no OR: no 2x2 counts" in m.reason for m in out)
    e = next(x for x in result.effects if x.study_id == "Aronson1948")
    assert not e.poolable and {"bcg_or", "bcg_rr", "bcg_rd"} <= set(e.analyses)


def _sheet(tmp_path: Path, edit) -> Path:
    rows = list(csv.DictReader(open(DATA / "effects.csv", encoding="utf-8")))
    edit(rows)
    path = tmp_path / "effects.csv"
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)
    return path


@pytest.mark.parametrize(
    "edit, message",
    [
        (lambda rows: rows[0].update(events_exposure="500"), "events_exposure = 500 exceeds"),
        (lambda rows: rows[0].update(events_reference=""), "missing events_reference"),
        (lambda rows: rows[14].update(sd_reference=""), "missing sd_reference"),
    ],
)
def test_bad_counts_or_means_are_errors_naming_the_row(tmp_path, edit, message):
    with pytest.raises(InputError) as err:
        run(_sheet(tmp_path, edit))
    assert message in str(err.value)


def test_zero_cell_rule_is_in_the_row_label(tmp_path):
    def zero(rows):
        rows[0].update(events_exposure="0")

    result = run(_sheet(tmp_path, zero))
    (a,) = [x for x in result.settings.analyses if x.id == "bcg_or"]
    row = next(r for r in result.analysis_rows(a) if r["study"] == "Aronson 1948")
    assert "zero cell: added 0.5 to each cell" in row["label"]
    assert math.isclose(row["yi"], math.log(0.5 * 128.5 / (123.5 * 11.5)), rel_tol=1e-12)


def test_unknown_measure_in_config_is_an_error():
    config = copy.deepcopy(CONFIG)
    config["analyses"][0]["measure"] = "HR2"
    with pytest.raises(InputError, match="measure 'HR2' is not one of"):
        parse_settings(config)


@pytest.mark.parametrize(
    "analysis, dataset, measure, method",
    [("bcg_rr", "bcg", "RR", "REML"), ("los_smd", "normand1999", "SMD", "REML")],
)
def test_extract_then_pool_analysis_matches_rma(tmp_path, analysis, dataset, measure, method):
    assert main(extract_args(DATA, "--out", str(tmp_path / "extraction"))) == 0
    narrative = (tmp_path / "extraction" / "narrative.tsv").read_text(encoding="utf-8")
    assert "Aronson1948" not in narrative  # pooled as counts, not a narrative finding
    entry = next(a for a in CONFIG["analyses"] if a["id"] == analysis)
    settings = {"analysis": entry, "pooling": {"rule": "heterogeneity", "random_method": method}}
    out = tmp_path / f"{analysis}.json"
    table = tmp_path / "extraction" / "analyses" / f"{analysis}.tsv"
    argv = ["pool-analysis", str(table), "--settings", json.dumps(settings)]
    assert main([*argv, "--analysis", analysis, "--out", str(out)]) == 0
    got = json.loads(out.read_text(encoding="utf-8"))
    assert got["measure"] == measure
    want = next(
        c
        for c in REFERENCE["rma_uni"]
        if (c["dataset"], c["measure"], c["method"]) == (dataset, measure, method)
    )
    random = got["random"]
    for f in ("k", "estimate", "se", "ci_low", "ci_high", "tau2", "q", "i2"):
        assert math.isclose(random[f], want[f], rel_tol=1e-6, abs_tol=1e-8), f
    assert ("exp_estimate" in random) == (measure in ("OR", "RR", "ROM"))
