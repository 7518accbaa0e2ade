"""`evsynth import` end to end: records TSV, search log, raw copies, byte-stable reruns, errors."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import pytest

from evsynth.cli import main
from evsynth.contracts.records import read_records
from evsynth.sources.detect import IMPORTERS, detect_format, importer_for

DATA = Path(__file__).parent / "data" / "sources"

GOOD = [
    "pubmed_articles.xml",
    "endnote.xml",
    "pubmed.nbib",
    "wos_part1.txt",
    "wos_tab.txt",
    "cochrane_central.txt",
    "ovid_medline.txt",
    "ris_embase.ris",
    "enw/endnote.enw",
    "bibtex/scopus.bib",
    "embase_classic.csv",
    "scopus.csv",
    # Tabular layouts (real exports, see tool-exports/README.md; EndNote's from its rules).
    "tool-exports/CSV/_baseline_cochrane.csv",
    "tool-exports/TSV/_baseline.tsv",
    "tool-exports/CSV/_baseline_openalex.csv",
    "tool-exports/CSV/_baseline_pubmed.csv",
    "tool-exports/CSV/_baseline_cinahl.csv",
    "tool-exports/CSV/_baseline_zotero.csv",
    "tool-exports/TSV/_baseline_refworks.tsv",
    "endnote_tab.txt",
    "tool-exports/CSV/_baseline_covidence.csv",
    "tool-exports/CSV/_baseline_abstrackr.csv",
    "tool-exports/CSV/_baseline_rayyan.csv",
    "tool-exports/XLSX/_baseline_eppireviewer.xlsx",
    "tool-exports/CSV/_baseline_googlescholar.csv",
]


def run(tmp_path: Path, *files: str, extra: tuple[str, ...] = ()) -> int:
    return main(
        [
            "import",
            *(str(DATA / f) for f in files),
            "--source",
            "wos",
            "--out",
            str(tmp_path / "out" / "wos.records.tsv"),
            "--log",
            str(tmp_path / "out" / "wos.log.json"),
            "--raw-dir",
            str(tmp_path / "out" / "raw" / "wos"),
            "--run",
            "2025-12-31",
            *extra,
        ]
    )


def test_import_two_wos_files_as_one_export(tmp_path: Path, capsys: pytest.CaptureFixture) -> None:
    extra = ("--database", "Web of Science Core Collection", "--platform", "Web of Science",
             "--query", "TS=(osteosarcoma AND metastasectom*)", "--from", "1900-01-01",
             "--to", "2025-12-31")  # fmt: skip
    assert run(tmp_path, "wos_part1.txt", "wos_part2.txt", extra=extra) == 0
    records = read_records(tmp_path / "out" / "wos.records.tsv")
    assert [r.record_id for r in records] == [
        "wos:000226539300016",
        "wos:000235093500036",
        "wos:000235093500036~2",  # the overlap between the two files is kept for dedup
        "wos:000280000000001",
    ]
    assert {r.source_file for r in records} == {"wos_part1.txt", "wos_part2.txt"}
    log = json.loads((tmp_path / "out" / "wos.log.json").read_text())
    sha = hashlib.sha256((DATA / "wos_part1.txt").read_bytes()).hexdigest()
    assert log["files"][0] == {
        "path": "wos_part1.txt",
        "sha256": sha,
        "records": 2,
        "format": "wos",
        "skipped_lines": 0,
        "warnings": [],
        "databases": {"Web of Science Core Collection": 2},
    }
    assert (log["source"], log["run"], log["run_date"]) == ("wos", "2025-12-31", "2025-12-31")
    assert (log["database"], log["platform"]) == (
        "Web of Science Core Collection",
        "Web of Science",
    )
    assert (log["date_from"], log["date_to"]) == ("1900-01-01", "2025-12-31")
    assert log["query"] == "TS=(osteosarcoma AND metastasectom*)"
    assert (log["count_reported"], log["count_parsed"]) == (None, 4)
    assert log["unknown_tags"] == {}
    assert log["tool_version"].startswith("evsynth ")
    raw = sorted(p.name for p in (tmp_path / "out" / "raw" / "wos").iterdir())
    assert raw == ["wos_part1.txt", "wos_part2.txt"]
    assert "wos: 4 record(s) from 2 file(s) (wos)" in capsys.readouterr().err


def test_rerun_is_byte_identical(tmp_path: Path) -> None:
    assert run(tmp_path, "cochrane_central.txt") == 0
    first = [(tmp_path / "out" / n).read_bytes() for n in ("wos.records.tsv", "wos.log.json")]
    assert run(tmp_path, "cochrane_central.txt") == 0
    second = [(tmp_path / "out" / n).read_bytes() for n in ("wos.records.tsv", "wos.log.json")]
    assert first == second
    log = json.loads(first[1])
    assert log["unknown_tags"] == {"ZZ": 1}


@pytest.mark.parametrize("name", GOOD)
def test_round_trip_every_format(tmp_path: Path, name: str) -> None:
    importer = importer_for(detect_format(DATA / name))
    records = list(importer.read(DATA / name))
    assert run(tmp_path, name) == 0
    back = read_records(tmp_path / "out" / "wos.records.tsv")
    by_line = {r.source_line: r for r in back}
    assert len(back) == len(records)
    for record in records:
        again = by_line[record.source_line]
        record.record_id, record.source = again.record_id, again.source
        assert again == record


def test_every_format_has_a_fixture() -> None:
    assert {detect_format(DATA / name) for name in GOOD} == set(IMPORTERS)


def test_explicit_format_mismatch_fails(tmp_path: Path, capsys: pytest.CaptureFixture) -> None:
    assert run(tmp_path, "scopus.csv", extra=("--format", "ris")) == 1
    assert "no records found; expected 'TY  - '" in capsys.readouterr().err
    assert not (tmp_path / "out" / "wos.records.tsv").exists()


def test_unknown_format_fails_cleanly(tmp_path: Path, capsys: pytest.CaptureFixture) -> None:
    assert run(tmp_path, "unknown_format.txt") == 1
    err = capsys.readouterr().err
    assert "evsynth import: error:" in err
    assert "unrecognised export format; tried pubmed-xml" in err


def test_accounting_failure_writes_nothing(tmp_path: Path, capsys: pytest.CaptureFixture) -> None:
    assert run(tmp_path, "ris_embase.ris", "ris_missing_er.ris") == 1
    assert "4 record start(s) but 3 record(s) read" in capsys.readouterr().err
    assert not (tmp_path / "out").exists()


def test_missing_file(tmp_path: Path, capsys: pytest.CaptureFixture) -> None:
    assert run(tmp_path, "no_such_file.ris") == 1
    assert "no_such_file.ris: no such file" in capsys.readouterr().err


def test_invalid_source_name(tmp_path: Path, capsys: pytest.CaptureFixture) -> None:
    argv = ["import", str(DATA / "scopus.csv"), "--source", "a:b", "--out", str(tmp_path / "x")]
    assert main(argv) == 1
    assert "invalid --source 'a:b'" in capsys.readouterr().err


def test_same_basename_twice_refused(tmp_path: Path, capsys: pytest.CaptureFixture) -> None:
    other = tmp_path / "copy" / "scopus.csv"
    other.parent.mkdir()
    other.write_bytes((DATA / "scopus.csv").read_bytes())
    argv = ["import", str(DATA / "scopus.csv"), str(other), "--source", "scopus",
            "--out", str(tmp_path / "x.tsv")]  # fmt: skip
    assert main(argv) == 1
    assert "two inputs share the file name 'scopus.csv'" in capsys.readouterr().err


def test_help_shows_an_example(capsys: pytest.CaptureFixture) -> None:
    with pytest.raises(SystemExit):
        main(["import", "--help"])
    assert "example:\n  evsynth import " in capsys.readouterr().out


def test_cochrane_download_warnings_reach_the_log_and_stderr(
    tmp_path: Path, capsys: pytest.CaptureFixture
) -> None:
    assert run(tmp_path, "tool-exports/RIS/_baseline_cochrane_refman.ris") == 0
    err = capsys.readouterr().err
    assert "warning: _baseline_cochrane_refman.ris: 3 line(s) before the first record" in err
    log = json.loads((tmp_path / "out" / "wos.log.json").read_text())
    (entry,) = log["files"]
    assert (entry["records"], entry["format"], entry["skipped_lines"]) == (3, "ris", 9)
    assert [w.split(" skipped ")[0] for w in entry["warnings"]] == [
        "3 line(s) before the first record",
        "6 line(s) between records",
    ]
    records = read_records(tmp_path / "out" / "wos.records.tsv")
    assert sorted(r.record_id for r in records) == [
        "wos:CN-00778158",
        "wos:CN-02575572",
        "wos:CN-02677909",
    ]
