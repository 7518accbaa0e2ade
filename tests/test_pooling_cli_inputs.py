"""`evsynth pool` on the tables people have: repeated labels, HR + CI, `;` and decimal commas."""

from __future__ import annotations

import json
import math
import re
from pathlib import Path

import pytest

from evsynth.cli import main
from evsynth.errors import InputError
from evsynth.pooling.effects import read_effects_csv, unique_labels

DATA = Path(__file__).parent / "data" / "pooling"
Z975 = 1.959963984540054


def _json(capsys: pytest.CaptureFixture[str], *argv: str) -> dict:
    assert main(["pool", *argv, "--json"]) == 0
    return json.loads(capsys.readouterr().out)


def test_repeated_study_labels_are_kept_apart_with_a_warning(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "dup.csv"
    path.write_text("study,yi,se\nShechter,-0.5,0.2\nKim,-0.2,0.3\nShechter,-0.1,0.25\n")
    out = _json(capsys, str(path))
    assert out["k"] == 3
    assert out["studies"] == ["Shechter", "Kim", "Shechter (2)"]
    assert main(["pool", str(path)]) == 0
    err = capsys.readouterr().err
    assert "warning" in err and "'Shechter' is repeated" in err and "'Shechter (2)'" in err
    assert unique_labels(["A", "A (2)", "A"])[0] == ["A", "A (2)", "A (3)"]


def test_an_hr_and_ci_file_is_pooled_as_its_log_hr_and_se(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    hr = tmp_path / "hr.csv"
    hr.write_text(
        "study,HR,ci_low,ci_high,ci_level\nLiu 2022,0.185,0.103,0.330,95\n"
        "Smolle 2023,0.33,0.2,0.54,\nOther,0.5,0.3,0.9,90\n"
    )
    rows = [("Liu 2022", 0.185, 0.103, 0.330, Z975), ("Smolle 2023", 0.33, 0.2, 0.54, Z975)]
    rows.append(("Other", 0.5, 0.3, 0.9, 1.6448536269514722))
    log = tmp_path / "log.csv"
    log.write_text(
        "study,yi,se\n"
        + "".join(
            f"{s},{math.log(h)!r},{(math.log(u) - math.log(lo)) / (2 * z)!r}\n"
            for s, h, lo, u, z in rows
        )
    )
    got, want = _json(capsys, str(hr)), _json(capsys, str(log))
    for key in ("estimate", "se", "ci_low", "ci_high", "tau2", "q"):
        assert math.isclose(got[key], want[key], rel_tol=1e-12, abs_tol=1e-15), key
    table = read_effects_csv(hr)
    assert math.isclose(math.sqrt(table.vi[0]), 0.297037, rel_tol=1e-5)


def test_hr_file_errors_name_the_row(tmp_path: Path) -> None:
    path = tmp_path / "bad.csv"
    path.write_text("study,hr,ci_low,ci_high\nA,0.5,0.3,0.9\nB,2.0,0.5,1.5\n")
    with pytest.raises(
        InputError, match=r"bad\.csv:3, record B, field 'hr': hr '2.0' is outside its CI"
    ):
        read_effects_csv(path)


def test_semicolon_csv_with_decimal_commas(tmp_path: Path, capsys: pytest.CaptureFixture[str]):
    comma = tmp_path / "comma.csv"
    comma.write_text("study,yi,se\nA,-0.5,0.2\nB,-0.25,0.3\nC,0.1,0.15\n")
    semi = tmp_path / "semi.csv"
    semi.write_text("study;yi;se\nA;-0,5;0,2\nB;-0,25;0,3\nC;0,1;0,15\n")
    assert _json(capsys, str(semi))["estimate"] == _json(capsys, str(comma))["estimate"]
    hr = tmp_path / "hr_semi.csv"
    hr.write_text("study;hr;ci_low;ci_high\nA;0,61;0,41;0,90\nB;0,78;0,55;1,1\n")
    assert _json(capsys, str(hr))["k"] == 2


def test_all_prints_every_section_in_text_and_no_zero_p(capsys: pytest.CaptureFixture[str]):
    assert main(["pool", str(DATA / "bcg.csv"), "--all"]) == 0
    text = capsys.readouterr().out
    for heading in (
        "Egger's regression test",
        "Begg's rank correlation test",
        "Trim-and-fill",
        "Leave-one-out",
        "without Aronson 1948",
    ):
        assert heading in text
    assert "Q 152.2330 (df 12, p < 0.001)" in text  # the Q test's p of BCG is 7e-27
    assert "p = 0.189" in text  # Egger's test, 3 decimals as in the figures and report
    assert not re.search(r"p =? ?0\.000", text)
