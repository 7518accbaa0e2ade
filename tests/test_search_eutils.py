"""The E-utilities client's politeness and resilience rules, and the archive's parsers."""

from __future__ import annotations

import io
import random
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime
from pathlib import Path

import pytest

from evsynth.errors import InputError
from evsynth.search.eutils import (
    ClientSettings,
    EutilsClient,
    EutilsError,
    HistoryExpired,
    RateLimiter,
    RetryableResponse,
    _retry_after,
    is_off_peak,
)
from evsynth.search.pubmed import Progress, SearchRequest, parse_date, parse_esearch, scan_efetch
from tests.support.mock_eutils import MockEutils, generate_corpus

DATA = Path(__file__).parent / "data" / "search"


class FakeClock:
    """A clock that only moves when something sleeps."""

    def __init__(self) -> None:
        self.now = 1000.0
        self.sleeps: list[float] = []

    def __call__(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.sleeps.append(seconds)
        self.now += seconds


@pytest.mark.parametrize("rps", [3, 10, 0.5])
def test_rate_limiter_never_exceeds_the_limit_in_any_window(rps):
    clock = FakeClock()
    limiter = RateLimiter(rps, margin=0.05, clock=clock, sleep=clock.sleep)
    starts = []
    for _ in range(40):
        limiter.wait()
        starts.append(clock.now)
        clock.now += 0.01  # each request takes 10 ms
    limit, window = (int(rps), 1.0) if rps >= 1 else (1, 1 / rps)
    for i, t in enumerate(starts):
        in_window = [s for s in starts[i:] if s - t < window]
        assert len(in_window) <= limit
    # ... and it is not needlessly slow: 40 requests take about 40 / rps seconds.
    assert starts[-1] - starts[0] <= (40 / limit) * window * 1.1


def test_backoff_grows_exponentially_with_jitter_and_honours_retry_after():
    settings = ClientSettings(email="a@b.org", backoff_base=1.0, backoff_cap=8.0)
    client = EutilsClient(settings, rng=random.Random(0))
    delays = [client._backoff(attempt, None) for attempt in range(1, 7)]
    for attempt, delay in enumerate(delays, start=1):
        ceiling = min(8.0, 2 ** (attempt - 1))
        assert ceiling / 2 <= delay <= ceiling
    assert client._backoff(1, 30.0) == 30.0  # Retry-After beats a shorter backoff
    assert client._backoff(1, 10_000.0) == settings.max_retry_after


def test_retry_after_header_forms():
    assert _retry_after("7") == 7.0
    later = datetime.now(UTC) + timedelta(seconds=120)
    assert 100 < _retry_after(format_datetime(later, usegmt=True)) <= 120
    assert _retry_after("soon") is None
    assert _retry_after(None) is None


def test_retry_after_is_honoured_by_the_client(tmp_path):
    clock = FakeClock()
    with MockEutils(generate_corpus(5), retry_after_seconds=3) as server:
        server.inject("esearch", "429-retry-after")
        settings = ClientSettings(email="a@b.org", base_url=server.url, backoff_base=0.01)
        client = EutilsClient(settings, clock=clock, sleep=clock.sleep)
        tmp, result = client.call(
            "esearch",
            {"db": "pubmed", "term": "x", "retmax": "10"},
            validate=parse_esearch,
            dest_dir=tmp_path,
            what="test",
        )
        tmp.unlink()
    assert result.count == 5
    assert 3.0 in clock.sleeps
    assert client.stats.retries == {"http_429": 1}


def test_client_error_other_than_429_is_not_retried(tmp_path):
    with MockEutils(generate_corpus(5)) as server:
        server.inject("esearch", "400")
        client = EutilsClient(ClientSettings(email="a@b.org", base_url=server.url))
        with pytest.raises(EutilsError, match="esearch answered HTTP 400"):
            client.call(
                "esearch", {"term": "x"}, validate=parse_esearch, dest_dir=tmp_path, what="t"
            )
        assert server.requests["esearch"] == 1
    assert list(tmp_path.iterdir()) == []  # no partial file left behind


@pytest.mark.parametrize(
    ("moment", "off_peak"),
    [
        (datetime(2026, 11, 25, 17, 0, tzinfo=UTC), False),  # Wednesday 12:00 EST
        (datetime(2026, 11, 26, 2, 30, tzinfo=UTC), True),  # Wednesday 21:30 EST
        (datetime(2026, 11, 26, 9, 59, tzinfo=UTC), True),  # Thursday 04:59 EST
        (datetime(2026, 11, 26, 10, 0, tzinfo=UTC), False),  # Thursday 05:00 EST
        (datetime(2026, 11, 28, 17, 0, tzinfo=UTC), True),  # Saturday
        (datetime(2026, 7, 1, 1, 30, tzinfo=UTC), True),  # Tuesday 21:30 EDT (summer time)
        (datetime(2026, 7, 1, 0, 30, tzinfo=UTC), False),  # Tuesday 20:30 EDT
    ],
)
def test_off_peak_hours_are_us_eastern(moment, off_peak):
    assert is_off_peak(moment) is off_peak


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"email": None}, "email address is required"),
        ({"email": "not an address"}, "email address is required"),
        ({"tool": "two words"}, "tool must be one word"),
        ({"base_url": "ftp://x"}, "must start with http"),
        ({"requests_per_second": 0}, "must be > 0"),
    ],
)
def test_bad_client_settings_are_refused(overrides, message):
    with pytest.raises(InputError, match=message):
        ClientSettings(**{"email": "a@b.org", **overrides})


def test_search_request_validation():
    with pytest.raises(InputError, match="not one of pdat, edat, mdat"):
        SearchRequest(
            query="x",
            date_from=parse_date("2020-01-01", field="f"),
            date_to=parse_date("2020-01-02", field="t"),
            datetype="xdat",
        )
    with pytest.raises(InputError, match=r"starts .* after it ends"):
        SearchRequest(
            query="x",
            date_from=parse_date("2021-01-01", field="f"),
            date_to=parse_date("2020-01-02", field="t"),
        )
    with pytest.raises(InputError, match="'2020-13-01' is not a date"):
        parse_date("2020-13-01", field="--from")
    with pytest.raises(InputError, match="query is empty"):
        SearchRequest(
            query="  ",
            date_from=parse_date("2020-01-01", field="f"),
            date_to=parse_date("2020-01-02", field="t"),
        )


def test_parse_esearch_reads_ids_translation_and_warnings():
    result = parse_esearch(DATA / "esearch_phrase_not_found.xml")
    assert result.count == 3
    assert result.ids == ("39000003", "39000002", "39000001")
    assert (result.webenv, result.query_key) == ("MCID_0123456789abcdef", "1")
    assert result.query_translation == '"osteosarcoma"[MeSH Terms] AND "metastasectomy"[All Fields]'
    assert result.warnings == (
        "PhraseNotFound: metastasektomy",
        "OutputMessage: No items found.",
    )


@pytest.mark.parametrize(
    ("fixture", "reason"),
    [
        ("esearch_error.xml", "error_payload"),
        ("esearch_truncated.xml", "unparsable_xml"),
    ],
)
def test_parse_esearch_flags_answers_worth_retrying(fixture, reason):
    with pytest.raises(RetryableResponse) as info:
        parse_esearch(DATA / fixture)
    assert info.value.reason == reason


def test_scan_efetch_lists_pmids_of_articles_and_books_not_of_references():
    assert scan_efetch(DATA / "efetch_two_records.xml") == ["31000001", "31000002"]


@pytest.mark.parametrize(
    ("fixture", "reason"),
    [
        ("efetch_truncated.xml", "unparsable_xml"),
        ("efetch_error.xml", "error_payload"),
        ("efetch_entity.xml", "unexpected_xml"),
        ("esearch_error.xml", "error_payload"),
        ("esearch_phrase_not_found.xml", "unexpected_xml"),
    ],
)
def test_scan_efetch_flags_answers_worth_retrying(fixture, reason):
    with pytest.raises(RetryableResponse) as info:
        scan_efetch(DATA / fixture)
    assert info.value.reason == reason


def test_scan_efetch_recognises_an_expired_history():
    with pytest.raises(HistoryExpired, match="Unable to obtain query #1"):
        scan_efetch(DATA / "efetch_history_expired.xml")


def test_progress_line_shows_count_total_and_rate():
    stream = io.StringIO()
    bar = Progress(1200, stream=stream, interval=0.0)
    bar.update(500)
    bar.update(700)
    lines = stream.getvalue().splitlines()
    assert len(lines) == 2
    assert "500/1,200 records" in lines[0] and "rec/s" in lines[0]
    assert "1,200/1,200 records (100.0%)" in lines[1]
    silent = io.StringIO()
    Progress(10, stream=silent, enabled=False).update(10)
    assert silent.getvalue() == ""
