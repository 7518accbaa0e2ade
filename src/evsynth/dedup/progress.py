"""A progress bar on stderr for long dedup runs (silent for small inputs and when disabled)."""

from __future__ import annotations

import sys
import time
from typing import TextIO

from tqdm import tqdm

__all__ = ["Progress"]

# One layout for the redrawn bar and the log lines: count, share, time so far and left.
_BAR_FORMAT = "{desc:<12} [{bar:30}] {n_fmt}/{total_fmt} ({elapsed}<{remaining})"
_LINE_FORMAT = "{n_fmt}/{total_fmt} ({percentage:.0f}%, {elapsed})"


class Progress:
    """Progress of one dedup step, drawn by tqdm: a bar redrawn in place on a terminal, else a
    line per 10% (laid out by ``tqdm.format_meter``; Snakemake logs get no carriage returns).

    Progress goes to stderr so that it never mixes with outputs, and only when the step has at
    least ``min_total`` items, so that tests and small reviews stay quiet.
    """

    def __init__(
        self,
        label: str,
        total: int,
        *,
        enabled: bool = True,
        min_total: int = 20000,
        stream: TextIO | None = None,
    ) -> None:
        self.label = label
        self.total = max(total, 1)
        self.stream = stream or sys.stderr
        self.enabled = enabled and total >= min_total
        self.done = 0
        self._last_tenth = -1
        self._start = time.monotonic()
        tty = bool(getattr(self.stream, "isatty", lambda: False)())
        self._bar = (
            tqdm(
                total=self.total,
                desc=label,
                file=self.stream,
                ascii=" #",
                bar_format=_BAR_FORMAT,
                leave=True,
            )
            if self.enabled and tty
            else None
        )

    def update(self, n: int = 1) -> None:
        """Advance by ``n`` items and redraw (terminal) or write a line at each new tenth."""
        if not self.enabled:
            return
        step = min(n, self.total - self.done)
        self.done += step
        if self._bar is not None:
            self._bar.update(step)
            return
        tenth = self.done * 10 // self.total
        if tenth != self._last_tenth:
            self._last_tenth = tenth
            line = tqdm.format_meter(
                self.done, self.total, time.monotonic() - self._start, bar_format=_LINE_FORMAT
            )
            self.stream.write(f"{self.label}: {line}\n")

    def stage(self, label: str) -> None:
        """Announce a step without a count (blocking, clustering), under the same conditions."""
        if self.enabled:
            elapsed = tqdm.format_interval(time.monotonic() - self._start)
            self.stream.write(f"{label}... ({elapsed})\n")
            self.stream.flush()

    def close(self) -> None:
        """Finish the bar (tqdm ends the terminal line)."""
        if self._bar is not None:
            self._bar.close()
            self._bar = None
        elif self.enabled:
            self.stream.flush()
