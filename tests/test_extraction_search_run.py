"""Each study's search run (living review): the earliest run that found any of its records."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from evsynth.cli import main
from evsynth.errors import InputError
from evsynth.extraction.build import extract
from evsynth.extraction.cli import _record_runs
from evsynth.extraction.schema import read_sheet
from evsynth.extraction.settings import parse_settings
from evsynth.extraction.studies import study_record_runs
from evsynth.tables import read_tsv
from tests.support.argv import extract_args

DATA = Path(__file__).parent / "data" / "extraction"
RUNS = DATA / "search_runs"
FIRST, UPDATE = "2025-12-31", "2026-11-27"
TABLES = sorted(str(p) for p in RUNS.glob("*/*.records.tsv"))


def cli_args(tmp_path: Path, *extra: str) -> list[str]:
    return extract_args(
        DATA,
        *("--screening", str(DATA / "full_text.tsv"), "--records", str(RUNS / "unique.tsv")),
        *("--out", str(tmp_path), *extra),
    )


def test_study_record_run_is_the_earliest_member_run() -> None:
    records = read_tsv(RUNS / "unique.tsv")
    record_runs = {"wos:000001": FIRST, "embase:L200": UPDATE, "embase:L100": UPDATE}
    assert study_record_runs(records, record_runs, run_order=[FIRST, UPDATE]) == {
        "embase:L100": UPDATE,
        "wos:000001": FIRST,
    }
    # The config order, not the name, decides which run is earlier.
    assert study_record_runs(records, record_runs, run_order=[UPDATE, FIRST])["wos:000001"] == (
        UPDATE
    )


def test_cli_writes_search_run_to_studies_and_analyses(tmp_path: Path) -> None:
    assert main(cli_args(tmp_path, "--search-records", *TABLES, "--runs", FIRST, UPDATE)) == 0
    studies = {r["study_id"]: r["search_run"] for r in read_tsv(tmp_path / "studies.tsv")}
    assert studies == {
        "Abel2001": FIRST,
        "Baker2005": FIRST,
        "Cole2010": UPDATE,
        "Dunn2012": FIRST,  # found again in the update (embase:L200) but first in 2025
        "Eve2015": UPDATE,
    }
    tables = sorted((tmp_path / "analyses").glob("*.tsv"))
    assert tables
    seen = 0
    for path in tables:
        for row in read_tsv(path):
            assert row["search_run"] == studies[row["study_id"]], (path.name, row["study_id"])
            seen += 1
    assert seen


def test_without_search_records_the_column_is_empty(tmp_path: Path) -> None:
    assert main(cli_args(tmp_path)) == 0
    rows = read_tsv(tmp_path / "studies.tsv")
    assert rows and all(r["search_run"] == "" for r in rows)


def test_runs_must_name_every_folder(tmp_path: Path) -> None:
    with pytest.raises(InputError, match=r"records tables of run\(s\) 2026-11-27 but --runs"):
        _record_runs(TABLES, [FIRST])


def test_extract_without_unique_uses_the_study_record_ids() -> None:
    result = extract(
        read_sheet(DATA / "studies.csv", "studies"),
        read_sheet(DATA / "effects.csv", "effects"),
        parse_settings(yaml.safe_load((DATA / "config.yaml").read_text(encoding="utf-8"))),
        record_runs={"pubmed:22222222": UPDATE},
        run_order=[FIRST, UPDATE],
    )
    runs = {s["study_id"]: s["search_run"] for s in result.studies}
    assert runs["Baker2005"] == UPDATE
    assert runs["Abel2001"] is None  # no study_record_ids and no records to link through
