"""One name per setting: renamed options keep their old spelling, with a warning on stderr."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from evsynth.cli import build_parser, main

DATA = Path(__file__).parent / "data" / "pooling"


@pytest.mark.parametrize(
    ("command", "new", "old", "value", "dest", "parsed"),
    [
        (["pool", "x.csv"], "--prediction-interval", "--pi", "k-2", "prediction_interval", "k-2"),
        (["search", "pubmed"], "--requests-per-second", "--rps", "2.5", "rps", 2.5),
        (
            ["search", "pubmed"],
            "--requests-per-second-with-key",
            "--rps-with-key",
            "7",
            "rps_with_key",
            7.0,
        ),
        (["plot", "rob"], "--risk-of-bias", "--rob", "rob.tsv", "rob", "rob.tsv"),
    ],
)
def test_old_spelling_sets_the_same_option_and_warns(
    command: list[str], new: str, old: str, value: str, dest: str, parsed: object, capsys
) -> None:
    parser = build_parser(command[0])
    current = parser.parse_args([*command, new, value])
    assert capsys.readouterr().err == ""
    legacy = parser.parse_args([*command, old, value])
    assert vars(legacy) == vars(current)
    assert getattr(legacy, dest) == parsed
    err = capsys.readouterr().err
    assert f"{old} is deprecated, use {new}" in err
    assert err.count("deprecated") == 1


def test_pool_gives_the_same_result_by_either_spelling(capsys) -> None:
    args = ["pool", str(DATA / "bcg.csv"), "--json"]
    assert main([*args, "--prediction-interval", "k-2"]) == 0
    new = capsys.readouterr()
    assert main([*args, "--pi", "k-2"]) == 0
    old = capsys.readouterr()
    assert json.loads(old.out) == json.loads(new.out)
    assert json.loads(new.out)["pi_type"] == "k-2"
    assert "--pi is deprecated, use --prediction-interval" in old.err
