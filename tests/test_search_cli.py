"""`evsynth search pubmed` on the command line, and the search_pubmed Snakemake rule."""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

import pytest
import yaml

from evsynth.cli import build_parser, main
from evsynth.contracts.records import Record, assign_record_ids, write_records
from evsynth.search.cli import write_records_streaming
from tests.support.mock_eutils import MockEutils, generate_corpus
from tests.support.workflow import snakemake

ROOT = Path(__file__).resolve().parents[1]
REVIEW_ARCHIVE = ROOT / "resources" / "searches" / "2025-12-31" / "pubmed"


def _config() -> dict:
    return yaml.safe_load((ROOT / "config" / "config.yaml").read_text(encoding="utf-8"))


def test_help_shows_examples(capsys):
    with pytest.raises(SystemExit):
        build_parser().parse_args(["search", "pubmed", "--help"])
    out = capsys.readouterr().out
    assert "examples:" in out and "--offline-cache" in out and "NCBI_API_KEY" in out


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        ([], "exactly one of --out"),
        (["--out", "a", "--offline-cache", "b"], "exactly one of --out"),
        (["--offline-cache", "b"], "offline mode needs --records"),
        (["--out", "a", "--query", "x"], "missing --from, --to"),
        (
            ["--out", "a", "--query", "x", "--from", "2020-02-30", "--to", "2021-01-01"],
            "not a date",
        ),
    ],
)
def test_bad_invocations_are_explained(argv, message, capsys):
    assert main(["search", "pubmed", *argv]) == 1
    assert message in capsys.readouterr().err


def test_streaming_writer_is_byte_identical_to_write_records(tmp_path):
    records = assign_record_ids(
        [
            Record(source_id="2", title="B\ttab", abstract="line\nbreak"),
            Record(source_id="10", title="A", authors="Müller, Z"),
            Record(source_id="", title="No id", year="2020"),
            Record(source_id="2", title="B again"),
        ],
        "pubmed",
    )
    write_records(tmp_path / "a.tsv", records)
    assert write_records_streaming(tmp_path / "b.tsv", records) == 4
    assert (tmp_path / "a.tsv").read_bytes() == (tmp_path / "b.tsv").read_bytes()


def test_offline_reparse_of_the_reviews_archive(tmp_path):
    source = _config()["search"]["runs"][0]["sources"]["pubmed"]
    argv = ["search", "pubmed", "--offline-cache", str(REVIEW_ARCHIVE), "--run", "2025-12-31"]
    argv += ["--query", source["query"], "--from", "1900-01-01", "--to", "2025-12-31"]
    argv += ["--records", str(tmp_path / "r.tsv"), "--log", str(tmp_path / "l.json")]
    assert main(argv) == 0
    log = json.loads((tmp_path / "l.json").read_text())
    rows = (tmp_path / "r.tsv").read_text(encoding="utf-8").splitlines()
    assert log["count_parsed"] == log["count_reported"] == len(rows) - 1 > 0
    assert all(line.startswith("pubmed:") for line in rows[1:])


def test_offline_refuses_an_archive_of_another_search(tmp_path, capsys):
    argv = ["search", "pubmed", "--offline-cache", str(REVIEW_ARCHIVE), "--query", "other"]
    argv += ["--from", "1900-01-01", "--to", "2025-12-31"]
    argv += ["--records", str(tmp_path / "r.tsv"), "--log", str(tmp_path / "l.json")]
    assert main(argv) == 1
    assert "holds a different search than configured" in capsys.readouterr().err
    assert not (tmp_path / "r.tsv").exists()


def _workdir(tmp_path: Path, *, mode: str, archive: Path, url: str | None = None) -> Path:
    """A copy of the review's config whose PubMed source uses ``archive`` in ``mode``."""
    config = _config()
    run = config["search"]["runs"][0]
    run["sources"] = {"pubmed": {**run["sources"]["pubmed"], "mode": mode, "archive": str(archive)}}
    if url:
        config["search"]["pubmed"].update(
            email="reviewer@example.org", eutils_url=url, requests_per_second=50
        )
    work = tmp_path / "work"
    work.mkdir()
    (work / "config.yaml").write_text(yaml.safe_dump(config, sort_keys=False), encoding="utf-8")
    return work


def _snakemake(work: Path, *targets: str) -> subprocess.CompletedProcess:
    return snakemake(
        work,
        *targets,
        "--configfile",
        str(work / "config.yaml"),
        "--resources",
        "ncbi_eutils=1",
        snakefile=ROOT / "Snakefile",
        timeout=300,
    )


@pytest.mark.slow
def test_rule_offline_reads_the_archive_and_online_retrieves_into_it(tmp_path):
    records = "results/search/2025-12-31/pubmed.records.tsv"
    log = "results/search/2025-12-31/pubmed.log.json"
    # offline: the review's archive is the input; nothing is fetched.
    archive = tmp_path / "offline-archive"
    shutil.copytree(REVIEW_ARCHIVE, archive)
    work = _workdir(tmp_path, mode="offline", archive=archive)
    done = _snakemake(work, records)
    assert done.returncode == 0, done.stderr[-3000:]
    assert json.loads((work / log).read_text())["count_parsed"] > 0
    again = _snakemake(work, records)
    assert "Nothing to be done" in again.stdout + again.stderr
    # online: retrieve from the mock into a new archive, then parse it.
    shutil.rmtree(work)
    archive = tmp_path / "online-archive"
    with MockEutils(generate_corpus(120)) as server:
        work = _workdir(tmp_path, mode="online", archive=archive, url=server.url)
        done = _snakemake(work, records)
        assert done.returncode == 0, done.stderr[-3000:]
        assert server.requests["esearch"] == 1 and server.requests["efetch"] == 1
    assert json.loads((archive / "log.json").read_text())["complete"] is True
    assert json.loads((work / log).read_text())["count_parsed"] == 120


def test_client_settings_come_from_the_config_and_the_environment(tmp_path, monkeypatch):
    # The workflow hands client settings over in the config file (not as rule parameters), and
    # a scheduled job gives the email in $NCBI_EMAIL.
    monkeypatch.setenv("NCBI_EMAIL", "reviewer@example.org")
    search = ["search", "pubmed", "--query", "osteosarcoma", "--from", "2000-01-01"]
    search += ["--to", "2001-12-31"]
    archive = tmp_path / "archive"
    with MockEutils(generate_corpus(40, seed=5)) as server:
        config = tmp_path / "config.yaml"
        config.write_text(
            yaml.safe_dump({"search": {"pubmed": {"eutils_url": server.url, "batch_size": 7}}}),
            encoding="utf-8",
        )
        args = [*search, "--client-config", str(config), "--out", str(archive), "--no-progress"]
        assert main(args) == 0
        log = json.loads((archive / "log.json").read_text(encoding="utf-8"))
        assert server.requests["efetch"] == -(
            -log["count_retrieved"] // 7
        )  # batch size from config
        fetched = dict(server.requests)
    # Finished: a rerun needs no email, no key and no server (the clone of an updated review).
    monkeypatch.delenv("NCBI_EMAIL")
    records = tmp_path / "records.tsv"
    rerun = [*search, "--eutils-url", "http://127.0.0.1:9", "--out", str(archive)]
    assert main([*rerun, "--records", str(records), "--log", str(tmp_path / "l.json")]) == 0
    assert records.read_text(encoding="utf-8").count("\n") == log["count_retrieved"] + 1
    assert fetched["esearch"] >= 1
