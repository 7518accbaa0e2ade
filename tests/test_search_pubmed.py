"""PubMed retrieval against the local E-utilities mock: completeness, faults, resume, archive."""

from __future__ import annotations

import dataclasses
import itertools
import json
import logging
import os
import subprocess
import sys
from datetime import UTC, date, datetime
from pathlib import Path

import pytest

from evsynth.cli import main
from evsynth.contracts.records import assign_record_ids, write_records
from evsynth.errors import InputError
from evsynth.search.eutils import ClientSettings, EutilsClient, EutilsError
from evsynth.search.pubmed import SearchRequest, parse_archive, retrieve_pubmed
from evsynth.search.pubmed import retrieval as pubmed_mod
from tests.support.mock_eutils import FAULTS, MockEutils, generate_corpus

QUERY = "osteosarcoma AND metastasectomy"
PINNED = datetime(2026, 11, 28, 3, 0, tzinfo=UTC)  # a Saturday: off-peak, no warning
REQUEST = SearchRequest(query=QUERY, date_from=date(1990, 1, 1), date_to=date(2025, 12, 31))


@pytest.fixture
def mock():
    """A fault-free mock E-utilities with 240 records and no rate limit."""
    with MockEutils(generate_corpus(240, seed=1), slow_seconds=1.0) as server:
        yield server


def client_for(server: MockEutils, **overrides) -> EutilsClient:
    settings = {
        "email": "reviewer@example.org",
        "base_url": server.url,
        "requests_per_second": 200,
        "read_timeout": 0.4,
        "backoff_base": 0.01,
        "max_attempts": 6,
        **overrides,
    }
    return EutilsClient(ClientSettings(**settings))


def retrieve(server, archive, *, batch_size=50, page_cap=9999, **client_overrides):
    return retrieve_pubmed(
        REQUEST,
        archive,
        client=client_for(server, **client_overrides),
        batch_size=batch_size,
        page_cap=page_cap,
        progress=False,
        clock=lambda: PINNED,
    )


def tree(root: Path) -> dict[str, bytes]:
    """Every file under ``root`` by relative path, with its bytes."""
    return {
        str(p.relative_to(root)): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()
    }


def records_tsv(archive: Path, out: Path) -> bytes:
    records, _ = parse_archive(archive)
    write_records(out, assign_record_ids(records, "pubmed"))
    return out.read_bytes()


def test_retrieves_every_record_and_writes_the_archive(mock, tmp_path):
    state = retrieve(mock, tmp_path / "a")
    assert state["complete"] is True
    assert state["count_reported"] == state["count_retrieved"] == 240
    assert state["query"] == QUERY
    assert state["query_translation"] == f'"{QUERY}"[All Fields]'
    assert (state["date_from"], state["date_to"], state["date_type"]) == (
        "1990-01-01",
        "2025-12-31",
        "pdat",
    )
    assert state["started"] == state["finished"] == "2026-11-28T03:00:00Z"
    assert state["requests"]["calls"] == {"efetch": 5, "esearch": 1}
    files = sorted(tree(tmp_path / "a"))
    assert files == sorted(
        ["log.json", "raw/esearch-00001.xml"] + [f"raw/batch-0000{n}.xml" for n in range(1, 6)]
    )
    records, _ = parse_archive(tmp_path / "a")
    assert sorted(int(r.pmid) for r in records) == [a.pmid for a in mock.articles.values()]


def test_every_request_sends_tool_and_email(mock, tmp_path):
    retrieve(mock, tmp_path / "a")
    assert mock.request_log
    for params in mock.request_log:
        assert params["tool"] == "evsynth"
        assert params["email"] == "reviewer@example.org"
        assert "api_key" not in params


def test_online_without_email_is_refused(mock, tmp_path, monkeypatch):
    monkeypatch.delenv("NCBI_EMAIL", raising=False)
    with pytest.raises(InputError, match="email address is required"):
        client_for(mock, email="")
    code = main(
        [
            *("search", "pubmed", "--query", QUERY, "--from", "2000-01-01", "--to", "2001-01-01"),
            *("--eutils-url", mock.url, "--out", str(tmp_path / "a")),
        ]
    )
    assert code == 1
    assert mock.requests == {}


FAULTS_ESEARCH = ("503", "error", "truncated", "drop")
# Every fault of the mock that the client must ride out (a client error, "400", is not retried and
# ends the run; "ok" is no fault), so a fault added to the mock is covered here too, plus an
# <ERROR> that carries NCBI's message.
FAULTS_EFETCH = (
    *(fault for fault in FAULTS if fault not in ("ok", "400")),
    "error:The resource is temporarily unavailable",
)


def test_faults_give_byte_identical_records_and_archive(tmp_path):
    corpus = generate_corpus(240, seed=1)
    with MockEutils(corpus) as clean_server:
        clean = retrieve(clean_server, tmp_path / "clean", page_cap=100, batch_size=20)
    sleeps: list[float] = []

    def sleep(seconds: float) -> None:
        sleeps.append(seconds)
        import time

        time.sleep(seconds)

    with MockEutils(corpus, slow_seconds=1.0) as server:
        server.inject("esearch", *FAULTS_ESEARCH)
        for fault in FAULTS_EFETCH:  # one fault per batch, so backoff delays stay short
            server.inject("efetch", fault, "ok")
        client = client_for(server)
        client._sleep = sleep
        faulty = retrieve_pubmed(
            REQUEST,
            tmp_path / "faulty",
            client=client,
            batch_size=20,
            page_cap=100,
            progress=False,
            clock=lambda: PINNED,
        )
    retries = faulty["requests"]["retries"]
    assert sum(retries.values()) == len(FAULTS_ESEARCH) + len(FAULTS_EFETCH)
    assert retries["http_429"] == 2 and retries["timeout"] == 1 and retries["connection"] == 2
    assert max(sleeps) >= 1.0  # Retry-After: 1 honoured although the backoff base is 0.01 s
    assert clean["requests"]["retries"] == {}
    # Same calls; only the retry statistics differ.
    assert faulty["requests"]["calls"] == clean["requests"]["calls"]
    a, b = tree(tmp_path / "clean"), tree(tmp_path / "faulty")
    assert sorted(a) == sorted(b)
    for name in a:
        if name != "log.json":
            assert a[name] == b[name], name
    log_a, log_b = json.loads(a["log.json"]), json.loads(b["log.json"])
    assert log_a.pop("eutils_url") != log_b.pop("eutils_url")  # two servers, two ports
    del log_a["requests"], log_b["requests"]
    assert log_a == log_b
    assert records_tsv(tmp_path / "clean", tmp_path / "a.tsv") == records_tsv(
        tmp_path / "faulty", tmp_path / "b.tsv"
    )


def test_gives_up_after_max_attempts_with_a_clear_error(mock, tmp_path):
    mock.inject("efetch", "503", "503", "503")
    with pytest.raises(EutilsError, match=r"EFetch batch 1: .* failed 3 times; last: HTTP 503"):
        retrieve(mock, tmp_path / "a", max_attempts=3)


def test_api_key_never_written_or_logged(mock, tmp_path, monkeypatch, capsys, caplog):
    key = "K3Y-do-not-leak-0123456789abcdef"
    monkeypatch.setenv("NCBI_API_KEY", key)
    mock.inject("efetch", "503", "429", "truncated", "error")
    out = tmp_path / "out"
    argv = ["search", "pubmed", "--query", QUERY, "--from", "1990-01-01", "--to", "2025-12-31"]
    argv += ["--email", "reviewer@example.org", "--eutils-url", mock.url, "--backoff", "0.01"]
    argv += ["--requests-per-second", "100", "--batch-size", "60", "--out", str(out / "archive")]
    argv += ["--records", str(out / "pubmed.records.tsv"), "--log", str(out / "pubmed.log.json")]
    with caplog.at_level(logging.DEBUG):
        assert main(argv) == 0
        # An error page echoing the request (with the key) must be redacted in the error.
        mock.inject("esearch", "400")
        assert main([*argv[:-6], "--out", str(out / "second")]) == 1
    captured = capsys.readouterr()
    assert all(p["api_key"] == key for p in mock.request_log)  # the key was really used
    assert "***" in captured.err and "HTTP 400" in captured.err
    assert caplog.records  # retries were logged
    for text in (captured.out, captured.err, caplog.text):
        assert key not in text
    files = tree(out)
    assert "archive/log.json" in files and "pubmed.records.tsv" in files
    for name, data in files.items():
        assert key.encode() not in data, name
    assert json.loads(files["archive/log.json"])["api_key_used"] is True


def test_client_repr_hides_the_key():
    settings = ClientSettings(email="a@b.org", api_key="SECRET-KEY-42")
    assert "SECRET-KEY-42" not in repr(settings)
    assert settings.rps == 10.0
    assert ClientSettings(email="a@b.org").rps == 3.0


def test_killed_retrieval_resumes_without_refetching_finished_batches(tmp_path):
    corpus = generate_corpus(200, seed=3)
    archive = tmp_path / "archive"
    with MockEutils(corpus) as server:
        server.pause_at("efetch", 6)  # hold batch 6 while batches 1-5 are archived
        env = {k: v for k, v in os.environ.items() if k != "NCBI_API_KEY"}
        cmd = [sys.executable, "-m", "evsynth.cli", "search", "pubmed", "--query", QUERY]
        cmd += ["--from", "1990-01-01", "--to", "2025-12-31", "--email", "reviewer@example.org"]
        cmd += ["--eutils-url", server.url, "--requests-per-second", "100", "--batch-size", "20"]
        cmd += ["--out", str(archive), "--no-progress"]
        proc = subprocess.Popen(cmd, env=env, stderr=subprocess.PIPE)
        try:
            assert server.paused.wait(60), proc.stderr.read().decode() if proc.poll() else ""
        finally:
            proc.kill()
            proc.wait()
            server.release()
        assert sorted(p.name for p in (archive / "raw").glob("batch-*.xml")) == [
            f"batch-0000{n}.xml" for n in range(1, 6)
        ]
        assert json.loads((archive / "log.json").read_text())["complete"] is False
        server.reset_counters()
        state = retrieve(server, archive, batch_size=20)
        assert dict(server.requests) == {"efetch": 5}  # batches 6-10 only, no new ESearch
        assert state["batches_reused"] == 5 and state["count_retrieved"] == 200
        server.reset_counters()
        again = retrieve(server, archive, batch_size=20)
        assert dict(server.requests) == {}  # a complete archive is never downloaded again
        assert again == state
        retrieve(server, tmp_path / "fresh", batch_size=20)
    assert not list((archive / "raw").glob(".*.part"))
    assert records_tsv(archive, tmp_path / "a.tsv") == records_tsv(
        tmp_path / "fresh", tmp_path / "b.tsv"
    )
    for name, data in tree(tmp_path / "fresh").items():
        if name != "log.json":
            assert tree(archive)[name] == data, name


def test_expired_history_falls_back_to_pmid_lists(mock, tmp_path):
    clean = retrieve(mock, tmp_path / "clean")
    mock.reset_counters()
    mock.inject("efetch", "error:Unable to obtain query #1")
    retrieve(mock, tmp_path / "expired")
    fetches = [p for p in mock.request_log if p["endpoint"] == "efetch"]
    assert "WebEnv" in fetches[0] and all("id" in p for p in fetches[1:])
    assert fetches[1]["id"].count(",") == 49  # POSTed id list of a 50-PMID batch
    assert (
        tree(tmp_path / "clean")["raw/batch-00002.xml"]
        == tree(tmp_path / "expired")["raw/batch-00002.xml"]
    )
    assert clean["count_retrieved"] == 240


def test_slicing_by_date_when_more_than_the_paging_cap(tmp_path):
    corpus = generate_corpus(1000, seed=5)
    with MockEutils(corpus, page_cap=150) as server:
        state = retrieve(server, tmp_path / "a", page_cap=150, batch_size=60)
        with pytest.raises(EutilsError, match="failed"):
            # the mock enforces its cap: paging past it is an ESearch ERROR, not silent loss
            retrieve(server, tmp_path / "b", page_cap=1000, max_attempts=1)
    slices = state["slices"]
    assert len(slices) > 1 and all(s["count"] <= 150 for s in slices)
    assert sum(s["count"] for s in slices) == 1000 == state["count_retrieved"]
    # Contiguous, chronological, covering the whole window.
    assert slices[0]["from"] == "1990-01-01" and slices[-1]["to"] == "2025-12-31"
    for left, right in itertools.pairwise(slices):
        assert date.fromisoformat(right["from"]).toordinal() == (
            date.fromisoformat(left["to"]).toordinal() + 1
        )
    assert len(list((tmp_path / "a" / "raw").glob("esearch-*.xml"))) == len(slices)
    records, _ = parse_archive(tmp_path / "a")
    assert sorted(int(r.pmid) for r in records) == [a.pmid for a in corpus]


def test_slicing_at_pubmeds_real_cap(tmp_path):
    corpus = generate_corpus(10_050, seed=7)
    with MockEutils(corpus, abstract_sentences=0) as server:
        state = retrieve(server, tmp_path / "a", batch_size=10_000, read_timeout=60)
        assert server.requests["esearch"] == 3  # the window, then its two halves
    assert state["count_reported"] == state["count_retrieved"] == 10_050
    assert [s["count"] for s in state["slices"]] != [10_050]
    assert all(s["count"] <= 9_999 for s in state["slices"])


def test_a_single_day_beyond_the_cap_fails_naming_the_day(tmp_path):
    corpus = generate_corpus(30, dates=[date(2020, 5, 5)])
    with MockEutils(corpus) as server:
        with pytest.raises(EutilsError, match=r"30 records for the single day 2020-05-05"):
            retrieve(server, tmp_path / "a", page_cap=20)


def test_pmids_missing_from_efetch_are_an_error_naming_them(mock, tmp_path):
    mock.withheld = {10_000_007, 10_000_100}
    with pytest.raises(
        EutilsError, match=r"failed 2 times; last: EFetch batch 3 .* missing PMIDs: 10000100;"
    ):
        retrieve(mock, tmp_path / "a", max_attempts=2)
    mock.withheld = set()
    mock.extra = [10_000_003]
    with pytest.raises(EutilsError, match=r"unexpected PMIDs: 10000003"):
        retrieve(mock, tmp_path / "b", max_attempts=1)


def test_slices_that_do_not_add_up_are_an_error(mock, tmp_path, monkeypatch):
    original = pubmed_mod.parse_esearch
    calls = []

    def overcount_first(path):
        result = original(path)
        calls.append(path)
        return dataclasses.replace(result, count=241) if len(calls) == 1 else result

    monkeypatch.setattr(pubmed_mod, "parse_esearch", overcount_first)
    with pytest.raises(
        EutilsError, match=r"2 date slices .* hold 240 PMIDs but ESearch reported 241"
    ):
        retrieve(mock, tmp_path / "a", page_cap=200)


def test_offline_reparse_equals_online_result(mock, tmp_path):
    archive = tmp_path / "archive"
    common = ["--records", str(tmp_path / "{}.tsv"), "--log", str(tmp_path / "{}.json")]
    online = ["search", "pubmed", "--query", QUERY, "--from", "1990-01-01"]
    online += ["--to", "2025-12-31", "--email", "r@example.org", "--eutils-url", mock.url]
    online += [
        "--requests-per-second",
        "100",
        "--out",
        str(archive),
        "--no-progress",
        "--run",
        "2025-12-31",
    ]
    assert main(online + [c.format("online") for c in common]) == 0
    offline = ["search", "pubmed", "--offline-cache", str(archive), "--run", "2025-12-31"]
    offline += ["--query", QUERY, "--from", "1990-01-01", "--to", "2025-12-31"]
    mock.reset_counters()
    assert main(offline + [c.format("offline") for c in common]) == 0
    assert mock.requests == {}
    assert (tmp_path / "online.tsv").read_bytes() == (tmp_path / "offline.tsv").read_bytes()
    assert (tmp_path / "online.json").read_bytes() == (tmp_path / "offline.json").read_bytes()
    result = json.loads((tmp_path / "offline.json").read_text())
    assert result["count_parsed"] == result["count_reported"] == 240
    assert result["run"] == "2025-12-31" and result["source"] == "pubmed"
    assert result["files"][0]["path"] == f"{archive}/raw/batch-00001.xml"


def test_offline_rejects_a_damaged_or_different_archive(mock, tmp_path):
    archive = tmp_path / "archive"
    retrieve(mock, archive)
    with pytest.raises(InputError, match="different search"):
        retrieve_pubmed(
            SearchRequest(query="other", date_from=date(1990, 1, 1), date_to=date(2025, 12, 31)),
            archive,
            client=client_for(mock),
        )
    batch = archive / "raw" / "batch-00002.xml"
    batch.write_bytes(batch.read_bytes().replace(b"cohort", b"cohorts", 1))
    with pytest.raises(InputError, match="SHA-256 mismatch"):
        parse_archive(archive)
    batch.unlink()
    with pytest.raises(
        InputError, match=r"batch-00002\.xml: batch file listed in log\.json is missing"
    ):
        parse_archive(archive)
    with pytest.raises(InputError, match=r"no log\.json"):
        parse_archive(tmp_path / "nothing")


def test_large_job_at_peak_time_is_warned_about(mock, tmp_path, monkeypatch, caplog):
    monkeypatch.setattr(pubmed_mod, "LARGE_JOB_REQUESTS", 3)
    weekday_noon_eastern = datetime(2026, 11, 25, 17, 0, tzinfo=UTC)
    with caplog.at_level(logging.WARNING, logger="evsynth.search"):
        retrieve_pubmed(
            REQUEST,
            tmp_path / "a",
            client=client_for(mock),
            batch_size=50,
            progress=False,
            clock=lambda: weekday_noon_eastern,
        )
    assert "large jobs" in caplog.text
    caplog.clear()
    with caplog.at_level(logging.WARNING, logger="evsynth.search"):
        retrieve(mock, tmp_path / "b")  # Saturday
    assert "large jobs" not in caplog.text


def test_a_search_without_results_is_complete_and_empty(tmp_path):
    with MockEutils(generate_corpus(10), queries={QUERY: []}) as server:
        state = retrieve(server, tmp_path / "a")
    assert state["complete"] and state["count_reported"] == state["count_retrieved"] == 0
    records, _ = parse_archive(tmp_path / "a")
    assert records == []
