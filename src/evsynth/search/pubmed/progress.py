"""The progress line of a retrieval: records fetched of the total, rate and ETA."""

from __future__ import annotations

import sys
import time
from typing import TextIO

from tqdm import tqdm

__all__ = ["Progress"]


_PROGRESS_FORMAT = (
    "pubmed [{bar:30}] {n:,}/{total:,} records ({percentage:5.1f}%) {rate_noinv_fmt} "
    "ETA {remaining}"
)


class Progress:
    """Records fetched / total, percent, rate and ETA on stderr, drawn by tqdm.

    On a terminal tqdm redraws the bar in place. In a log file (Snakemake) a whole line, laid out
    by tqdm's ``format_meter``, is written at most every ``interval`` seconds and at the end, so
    logs stay short and hold no carriage returns. The rate counts fetched records only: batches
    reused from the archive would make the ETA of the rest look too short.
    """

    def __init__(
        self, total: int, *, stream: TextIO | None = None, enabled: bool = True, interval=5.0
    ):
        self.total = total
        self.done = 0
        self.stream = stream or sys.stderr
        self.enabled = enabled
        self.tty = bool(getattr(self.stream, "isatty", lambda: False)())
        self.interval = interval
        self.start = time.monotonic()
        self._last = 0.0
        self._fetched = 0
        self._bar = (
            tqdm(
                total=total,
                file=self.stream,
                unit=" rec",
                ascii=True,
                bar_format=_PROGRESS_FORMAT,
            )
            if enabled and self.tty
            else None
        )

    def update(self, records: int, *, fetched: bool = True) -> None:
        """Count ``records`` more done (``fetched=False``: reused from the archive)."""
        self.done += records
        if fetched:
            self._fetched += records
        if self._bar is not None:
            self._bar.update(records)
            if self.done >= self.total:
                self._bar.close()
            return
        now = time.monotonic()
        final = self.done >= self.total
        if not self.enabled or (not final and now - self._last < self.interval):
            return
        self._last = now
        elapsed = max(now - self.start, 1e-9)
        line = tqdm.format_meter(
            self.done,
            self.total,
            elapsed,
            unit=" rec",
            ascii=True,
            bar_format=_PROGRESS_FORMAT,
            rate=self._fetched / elapsed,
        )
        self.stream.write(line + "\n")
        self.stream.flush()
