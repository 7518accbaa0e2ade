"""A polite, resilient HTTP client for NCBI E-utilities.

NCBI's usage rules (FORMATS.md): at most 3 requests/s without an API key and 10/s with one, ``tool``
and ``email`` on every request, large jobs off-peak. The service also fails in known ways: HTTP 429
and 5xx, timeouts, dropped connections, truncated XML and ``<ERROR>`` elements inside HTTP 200
answers. This client spaces requests with a sliding one-second window, retries those failures with
exponential backoff and jitter ("Exponential Backoff And Jitter", AWS Architecture Blog, 2015),
honours ``Retry-After``, and streams every answer to a file so large batches never sit in memory.
The retry loop is tenacity's (stop after ``max_attempts``, retry only :class:`RetryableResponse`);
the wait is ours, because it must honour the server's ``Retry-After`` on top of the jitter.

Bio.Entrez is not used: it hard-codes the base URL and does not back off on HTTP errors.
Every request is an HTTP POST, so parameters (among them the API key) never appear in a URL, and
therefore never in an exception message or a proxy log; every message is also passed through
:meth:`EutilsClient.redact` before it is logged or raised.
"""

from __future__ import annotations

import email.utils
import functools
import logging
import os
import random
import tempfile
import time
from collections import Counter, deque
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import TypeVar
from zoneinfo import ZoneInfo

import requests
import tenacity

from evsynth.errors import EvsynthError, InputError

__all__ = [
    "DEFAULT_EUTILS_URL",
    "ClientSettings",
    "EutilsClient",
    "EutilsError",
    "HistoryExpired",
    "RateLimiter",
    "RetryableResponse",
    "is_off_peak",
]

DEFAULT_EUTILS_URL = "https://eutils.ncbi.nlm.nih.gov/entrez/eutils/"
# NCBI's published limits (requests per second) without and with an API key.
NCBI_RPS_WITHOUT_KEY = 3.0
NCBI_RPS_WITH_KEY = 10.0

log = logging.getLogger("evsynth.search")

T = TypeVar("T")


class EutilsError(EvsynthError):
    """E-utilities kept failing, or answered something no retry can fix."""


class RetryableResponse(Exception):
    """A response that arrived but is unusable (truncated, ``<ERROR>``, incomplete); try again."""

    def __init__(self, reason: str, message: str, *, retry_after: float | None = None) -> None:
        super().__init__(message)
        self.reason = reason
        #: seconds the server asked us to wait (HTTP ``Retry-After``), if it said
        self.retry_after = retry_after


class HistoryExpired(EutilsError):
    """The history server no longer knows the WebEnv/query_key ("Unable to obtain query")."""


@dataclass(frozen=True, slots=True, kw_only=True)
class ClientSettings:
    """How to reach E-utilities and how politely; ``api_key`` is never printed (``repr=False``)."""

    email: str
    tool: str = "evsynth"
    base_url: str = DEFAULT_EUTILS_URL
    api_key: str | None = field(default=None, repr=False)
    requests_per_second: float | None = None
    connect_timeout: float = 10.0
    read_timeout: float = 120.0
    max_attempts: int = 8
    backoff_base: float = 1.0
    backoff_cap: float = 60.0
    max_retry_after: float = 600.0

    def __post_init__(self) -> None:
        if not self.email or "@" not in self.email or any(c.isspace() for c in self.email):
            raise InputError(
                f"an email address is required for online PubMed searches (got {self.email!r}); "
                "NCBI asks every E-utilities client to send one so it can contact you before "
                "blocking; pass --email ADDRESS or set search.pubmed.email in config/config.yaml",
                field="email",
            )
        if not self.tool or any(c.isspace() for c in self.tool):
            raise InputError(
                f"tool must be one word without spaces, got {self.tool!r}", field="tool"
            )
        if not self.base_url.startswith(("http://", "https://")):
            raise InputError(
                f"E-utilities URL must start with http:// or https://, got {self.base_url!r}",
                field="eutils_url",
            )
        if self.requests_per_second is not None and self.requests_per_second <= 0:
            raise InputError(
                f"requests per second must be > 0, got {self.requests_per_second}", field="rps"
            )
        if self.max_attempts < 1:
            raise InputError(f"max_attempts must be >= 1, got {self.max_attempts}")

    @property
    def rps(self) -> float:
        """Requests per second: the configured value, else NCBI's limit for this key status."""
        if self.requests_per_second is not None:
            return self.requests_per_second
        return NCBI_RPS_WITH_KEY if self.api_key else NCBI_RPS_WITHOUT_KEY


class RateLimiter:
    """At most ``limit`` request starts in any window of ``window`` seconds (plus a margin).

    A sliding window, not a fixed spacing, because servers count requests per window: spacing
    at exactly 1/rps lets network jitter put rps + 1 arrivals into one server-side second. The
    margin absorbs that jitter at a cost of a few percent of throughput.
    """

    def __init__(
        self,
        rps: float,
        *,
        margin: float = 0.05,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        if rps >= 1:
            self.limit, self.window = int(rps), 1.0
        else:
            self.limit, self.window = 1, 1.0 / rps
        self.window += margin
        self._starts: deque[float] = deque()
        self._clock = clock
        self._sleep = sleep

    def wait(self) -> None:
        """Block until one more request may start, then record its start."""
        while True:
            now = self._clock()
            while self._starts and now - self._starts[0] >= self.window:
                self._starts.popleft()
            if len(self._starts) < self.limit:
                self._starts.append(now)
                return
            # At least 1 ms: a float remainder of ~1e-16 s would not move the clock.
            self._sleep(max(self.window - (now - self._starts[0]), 0.001))


def is_off_peak(moment: datetime) -> bool:
    """True on weekends and 21:00-05:00 US Eastern on weekdays, when NCBI wants large jobs run."""
    eastern = moment.astimezone(ZoneInfo("America/New_York"))
    return eastern.weekday() >= 5 or eastern.hour >= 21 or eastern.hour < 5


def _retry_after(value: str | None) -> float | None:
    """Seconds to wait from a ``Retry-After`` header (delta-seconds or an HTTP date)."""
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return max(0.0, (when - datetime.now(UTC)).total_seconds())


@dataclass(slots=True)
class RequestStats:
    """Requests made: logical calls per endpoint, HTTP attempts, and retries by reason."""

    calls: Counter[str] = field(default_factory=Counter)
    attempts: int = 0
    retries: Counter[str] = field(default_factory=Counter)

    def to_dict(self) -> dict[str, object]:
        return {
            "calls": dict(sorted(self.calls.items())),
            "attempts": self.attempts,
            "retries": dict(sorted(self.retries.items())),
        }


class EutilsClient:
    """Calls one E-utility at a time, rate-limited, retried, streamed to a file and validated."""

    def __init__(
        self,
        settings: ClientSettings,
        *,
        session: requests.Session | None = None,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], None] = time.sleep,
        rng: random.Random | None = None,
    ) -> None:
        self.settings = settings
        self.session = session or requests.Session()
        self.session.headers["User-Agent"] = f"{settings.tool} (mailto:{settings.email})"
        self.limiter = RateLimiter(settings.rps, clock=clock, sleep=sleep)
        self.stats = RequestStats()
        self._sleep = sleep
        self._rng = rng or random.Random()
        base = settings.base_url
        self.base_url = base if base.endswith("/") else base + "/"

    def redact(self, text: str) -> str:
        """``text`` with the API key replaced, for every message that leaves the client."""
        key = self.settings.api_key
        return text.replace(key, "***") if key else text

    def _backoff(self, attempt: int, retry_after: float | None) -> float:
        ceiling = min(self.settings.backoff_cap, self.settings.backoff_base * 2 ** (attempt - 1))
        # "Equal jitter": at least half the exponential step, so retries never bunch at zero.
        delay = ceiling / 2 + self._rng.uniform(0, ceiling / 2)
        if retry_after is not None:
            delay = max(delay, min(retry_after, self.settings.max_retry_after))
        return delay

    def call(
        self,
        utility: str,
        params: Mapping[str, str],
        *,
        validate: Callable[[Path], T],
        dest_dir: Path,
        what: str,
    ) -> tuple[Path, T]:
        """POST ``utility`` (``esearch``/``efetch``) and return (temporary file, validated value).

        The answer is streamed into a temporary file in ``dest_dir`` (the caller renames it into the
        archive, so a half-written file never has an archive name); ``validate`` reads it and
        raises :class:`RetryableResponse` for answers worth another try.
        """
        s = self.settings
        data = {**params, "tool": s.tool, "email": s.email}
        if s.api_key:
            data["api_key"] = s.api_key
        url = f"{self.base_url}{utility}.fcgi"
        self.stats.calls[utility] += 1
        retrying = tenacity.Retrying(
            stop=tenacity.stop_after_attempt(s.max_attempts),
            retry=tenacity.retry_if_exception_type(RetryableResponse),
            wait=self._wait,
            sleep=self._sleep,
            before_sleep=functools.partial(self._log_retry, what),
            reraise=True,
        )
        try:
            return retrying(self._attempt, utility, url, data, validate, dest_dir, what)
        except RetryableResponse as exc:
            last = self.redact(str(exc))
        raise EutilsError(
            f"{what}: E-utilities at {self.base_url} failed {s.max_attempts} times; last: {last}. "
            "Rerun the same command later: finished batches are kept and not fetched again."
        )

    def _wait(self, state: tenacity.RetryCallState) -> float:
        """tenacity's wait: backoff with jitter, at least the server's Retry-After."""
        assert state.outcome is not None
        exc = state.outcome.exception()
        retry_after = exc.retry_after if isinstance(exc, RetryableResponse) else None
        return self._backoff(state.attempt_number, retry_after)

    def _log_retry(self, what: str, state: tenacity.RetryCallState) -> None:
        assert state.outcome is not None and state.next_action is not None
        log.warning(
            "%s: %s; retry %d of %d in %.1f s",
            what,
            self.redact(str(state.outcome.exception())),
            state.attempt_number,
            self.settings.max_attempts - 1,
            state.next_action.sleep,
        )

    def _attempt(
        self,
        utility: str,
        url: str,
        data: Mapping[str, str],
        validate: Callable[[Path], T],
        dest_dir: Path,
        what: str,
    ) -> tuple[Path, T]:
        """One HTTP attempt; raises :class:`RetryableResponse` for answers worth another try."""
        s = self.settings
        self.limiter.wait()
        self.stats.attempts += 1
        fd, tmp_name = tempfile.mkstemp(dir=dest_dir, prefix=f".{utility}.", suffix=".part")
        tmp = Path(tmp_name)
        keep = False
        try:
            try:
                with os.fdopen(fd, "wb") as out:
                    response = self.session.post(
                        url, data=data, timeout=(s.connect_timeout, s.read_timeout), stream=True
                    )
                    with response:
                        status = response.status_code
                        if status == 429 or status >= 500:
                            raise RetryableResponse(
                                f"http_{status}",
                                f"HTTP {status}",
                                retry_after=_retry_after(response.headers.get("Retry-After")),
                            )
                        if status != 200:
                            body = response.content[:500].decode("utf-8", "replace")
                            raise EutilsError(
                                self.redact(
                                    f"{what}: {utility} answered HTTP {status}: {body.strip()}"
                                )
                            )
                        for chunk in response.iter_content(chunk_size=1 << 16):
                            out.write(chunk)
            except requests.Timeout as exc:
                raise RetryableResponse("timeout", f"timed out ({type(exc).__name__})") from exc
            except (requests.ConnectionError, requests.exceptions.ChunkedEncodingError) as exc:
                raise RetryableResponse(
                    "connection", f"connection failed or dropped ({type(exc).__name__})"
                ) from exc
            value = validate(tmp)
            keep = True
            return tmp, value
        except RetryableResponse as exc:
            self.stats.retries[exc.reason] += 1
            raise
        finally:
            if not keep:
                tmp.unlink(missing_ok=True)


def now_utc() -> datetime:
    """The current time (UTC), whole seconds; one place so tests can pin it."""
    return datetime.now(UTC).replace(microsecond=0)
