"""A progress bar on stderr for long runs (silent for small inputs and when disabled)."""

from __future__ import annotations

import sys
import time
from typing import TextIO

__all__ = ["Progress"]


class Progress:
    """Report progress of one step on stderr: a redrawn bar on a terminal, else a line per 10%.

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
        self.tty = bool(getattr(self.stream, "isatty", lambda: False)())
        self.done = 0
        self._last_tenth = -1
        self._start = time.monotonic()

    def update(self, n: int = 1) -> None:
        """Advance by ``n`` items and redraw when the shown value changes."""
        if not self.enabled:
            return
        self.done = min(self.done + n, self.total)
        tenth = self.done * 10 // self.total
        if self.tty:
            width = 30
            filled = self.done * width // self.total
            bar = "#" * filled + "." * (width - filled)
            self.stream.write(f"\r{self.label:<12} [{bar}] {self.done}/{self.total}")
            self.stream.flush()
        elif tenth != self._last_tenth:
            self._last_tenth = tenth
            elapsed = time.monotonic() - self._start
            self.stream.write(
                f"{self.label}: {self.done}/{self.total} ({tenth * 10}%, {elapsed:.1f} s)\n"
            )

    def stage(self, label: str) -> None:
        """Announce a step without a count (blocking, clustering), under the same conditions."""
        if self.enabled:
            elapsed = time.monotonic() - self._start
            self.stream.write(f"{label}... ({elapsed:.1f} s)\n")
            self.stream.flush()

    def close(self) -> None:
        """Finish the bar (newline on a terminal)."""
        if self.enabled:
            if self.tty:
                self.stream.write("\n")
            self.stream.flush()
