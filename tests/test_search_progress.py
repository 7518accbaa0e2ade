"""The PubMed progress line (tqdm): whole lines in a log, a redrawn bar on a terminal."""

from __future__ import annotations

import io

from evsynth.search.pubmed import Progress


class _Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_log_gets_whole_lines_and_always_the_last_one():
    log = io.StringIO()
    bar = Progress(10, stream=log, interval=3600)
    bar.update(4, fetched=False)  # first call: a line (nothing printed yet)
    bar.update(3)  # inside the interval: nothing
    bar.update(3)  # the end: always a line
    lines = log.getvalue().split("\n")
    assert lines[-1] == "" and len(lines) == 3
    assert "\r" not in log.getvalue()
    assert lines[0].startswith("pubmed [") and "4/10 records ( 40.0%)" in lines[0]
    assert "10/10 records (100.0%)" in lines[1] and " rec/s ETA " in lines[1]


def test_terminal_bar_is_redrawn_in_place_and_disabled_means_silent():
    term = _Terminal()
    bar = Progress(2, stream=term)
    bar.update(1)
    bar.update(1)
    assert "\r" in term.getvalue() and "2/2" in term.getvalue()
    quiet = _Terminal()
    off = Progress(2, stream=quiet, enabled=False)
    off.update(2)
    assert quiet.getvalue() == ""
