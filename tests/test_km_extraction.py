"""A study that prints only a Kaplan-Meier curve: km-reconstruct -> extraction -> pooling -> forest.

The effects row names the km-reconstruct output; extraction records the derivation
`km_reconstruction` with the Cox log HR and SE of the rebuilt data, the analysis table carries the
derivation, and the forest plot marks the row and explains the mark in a footnote.
"""

from __future__ import annotations

import copy
import csv
import json
import shutil
from pathlib import Path

import numpy as np
import pytest
import yaml

from evsynth.cli import main
from evsynth.errors import InputError
from evsynth.extraction.build import extract
from evsynth.extraction.schema import read_sheet
from evsynth.extraction.settings import parse_settings
from evsynth.extraction.write import write_result
from evsynth.km.cli import run as km_run
from evsynth.km.plot import km_step
from evsynth.tables import read_tsv

DATA = Path(__file__).parent / "data" / "extraction"
CONFIG = yaml.safe_load((DATA / "config.yaml").read_text(encoding="utf-8"))


def _km_output(tmp: Path) -> Path:
    rng = np.random.default_rng(11)
    n = 120
    group = np.r_[np.zeros(n), np.ones(n)].astype(int)  # 1 = complete resection
    t_event = rng.exponential(1 / (0.05 * np.where(group == 1, 0.5, 1.0)))
    cens = rng.uniform(20, 60, 2 * n)
    time, event = np.minimum(t_event, cens).round(2) + 0.01, (t_event <= cens).astype(int)
    curves = {}
    for arm, g in (("complete", 1), ("incomplete", 0)):
        kt, ks = km_step(time[group == g], event[group == g])
        lines = ["time,survival", "0,1"]
        for j in range(1, len(kt)):
            lines += [f"{kt[j]:.3f},{ks[j - 1]:.4f}", f"{kt[j]:.3f},{ks[j]:.4f}"]
        (tmp / f"{arm}.csv").write_text("\n".join(lines) + "\n")
        curves[arm] = str(tmp / f"{arm}.csv")
    rows = ["time,complete,incomplete"] + [
        f"{rt},{int(np.sum(time[group == 1] >= rt))},{int(np.sum(time[group == 0] >= rt))}"
        for rt in range(0, 60, 6)
    ]
    (tmp / "risk.csv").write_text("\n".join(rows) + "\n")
    out = tmp / "sheets" / "km" / "Fox2018"
    km_run(curves, str(tmp / "risk.csv"), "incomplete", out)
    return out


def _sheets(tmp: Path, km_ref: str, *, hr: str = "") -> tuple[Path, Path]:
    sheets = tmp / "sheets"
    sheets.mkdir(exist_ok=True)
    studies = sheets / "studies.csv"
    text = (DATA / "studies.csv").read_text()
    header = text.splitlines()[0].split(",")
    extra = dict.fromkeys(header, "")
    extra.update(
        {
            "study_id": "Fox2018",
            "first_author": "Fox",
            "year": "2018",
            "n_total": "240",
            "histology": "osteosarcoma",
        }
    )
    studies.write_text(text.rstrip("\n") + "\n" + ",".join(extra[h] for h in header) + "\n")
    effects = sheets / "effects.csv"
    with (DATA / "effects.csv").open() as handle:
        rows = list(csv.DictReader(handle))
    fields = [*rows[0].keys(), "km_reconstruction"]
    new = dict.fromkeys(fields, "")
    new.update(
        {
            "effect_id": "Fox2018.1",
            "study_id": "Fox2018",
            "factor": "complete_vs_incomplete",
            "outcome": "OS",
            "comparison_as_reported": "complete vs incomplete",
            "exposure_as_reported": "complete",
            "reference_as_reported": "incomplete",
            "analysis_type": "univariable",
            "hr": hr,
            "source": "Figure 2 (KM curve)",
            "km_reconstruction": km_ref,
        }
    )
    with effects.open("w", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=fields)
        writer.writeheader()
        writer.writerows([*rows, new])
    return studies, effects


def _extract(studies: Path, effects: Path):
    return extract(
        read_sheet(studies, "studies"),
        read_sheet(effects, "effects"),
        parse_settings(copy.deepcopy(CONFIG)),
    )


def test_a_curve_row_is_derived_pooled_and_marked(tmp_path: Path) -> None:
    km = _km_output(tmp_path)
    hr = json.loads((km / "hr.json").read_text())
    studies, effects = _sheets(tmp_path, "km/Fox2018")
    result = _extract(studies, effects)
    (fox,) = [e for e in result.effects if e.effect_id == "Fox2018.1"]
    assert fox.derived.method == "km_reconstruction" and fox.poolable
    assert fox.log_hr == pytest.approx(hr["log_hr"]) and fox.derived.se == pytest.approx(hr["se"])
    out = tmp_path / "extraction"
    write_result(result, out)
    table = {r["study_id"]: r for r in read_tsv(out / "analyses" / "complete_os.tsv")}
    assert table["Fox2018"]["derivation"] == "km_reconstruction"
    assert {r["derivation"] for k, r in table.items() if k != "Fox2018"} <= {
        "hr_ci",
        "oe_v",
        "hr_p",
        "p_events",
    }
    derivations = json.loads((out / "summary.json").read_text())["derivations"]
    assert derivations["km_reconstruction"] == 1
    config = tmp_path / "config.yaml"
    shutil.copy(DATA / "config.yaml", config)
    pooled = tmp_path / "complete_os.json"
    assert (
        main(
            [
                "pool-analysis",
                str(out / "analyses" / "complete_os.tsv"),
                "--config",
                str(config),
                "--analysis",
                "complete_os",
                "--out",
                str(pooled),
            ]
        )
        == 0
    )
    svg = tmp_path / "forest.svg"
    assert (
        main(
            [
                "plot",
                "forest",
                "--pooling",
                str(pooled),
                "--effects",
                str(out / "analyses" / "complete_os.tsv"),
                "--svg",
                str(svg),
            ]
        )
        == 0
    )
    text = svg.read_text()
    assert "Fox 2018 \u2020" in text
    assert "\u2020 HR from individual data rebuilt from the published Kaplan-Meier curve" in text
    assert text.count("\u2020") == 2  # the marked row and its footnote, nothing else


def test_no_curve_row_no_mark(tmp_path: Path) -> None:
    from evsynth.figures.forest import forest_table
    from evsynth.figures.inputs import StudyEffect, read_pooling

    pooling = Path(__file__).parent / "data" / "figures"
    name = sorted(p.stem for p in pooling.glob("pooling_*.json"))[0]
    result = read_pooling(pooling / f"{name}.json")
    effects = [StudyEffect(study=s, yi=-0.5, se=0.3) for s in result.studies]
    table = forest_table(result, effects)
    assert not any("Kaplan-Meier" in f for f in table.footnotes)


@pytest.mark.parametrize(
    ("ref", "hr", "message"),
    [
        ("km/Nope", "", "not found (run evsynth km-reconstruct"),
        ("km/Fox2018", "0.5", "either a printed hr or km_reconstruction"),
    ],
)
def test_bad_curve_reference_names_the_row(tmp_path: Path, ref: str, hr: str, message: str) -> None:
    _km_output(tmp_path)
    studies, effects = _sheets(tmp_path, ref, hr=hr)
    with pytest.raises(InputError) as info:
        _extract(studies, effects)
    assert message in str(info.value) and "effects.csv:" in str(info.value)
