"""What a Snakemake run of a review says on the terminal: a failed rule's own error, the warnings a
person must look at, and where the report is.

Each rule sends the evsynth command's messages to its log under ``logs/``; Snakemake itself only
prints "check log file(s) for error details". ``on_error`` reads Snakemake's run log for the
failed rules and prints their logs' error lines, so the clear message is on the screen where the
user is looking. Standard library only: the Snakefile imports this before any rule runs.
"""

from __future__ import annotations

import atexit
import csv
import re
import sys
from collections.abc import Iterable
from pathlib import Path

__all__ = ["failed_rule_logs", "on_error", "on_success", "workflow_file"]

HERE = Path(__file__).resolve().parent
REPORT = Path("results/report/index.html")
WARNINGS = Path("results/extraction/warnings.tsv")
# Lines of a rule log shown when none of them says "error" (a traceback's end, a tool's last words).
TAIL_LINES = 15
MAX_WARNINGS = 20

_ERROR_RULE = re.compile(r"^Error in rule (\S+?):\s*$")
_LOG_LINE = re.compile(r"^\s+log: (.*?)(?: \(check log file\(s\) for error details\))?\s*$")


def workflow_file(name: str) -> str:
    """Path of a file of the installed workflow (``Snakefile``, ``workflow/...``)."""
    path = Path(__file__).parent / name
    if not path.exists():
        raise FileNotFoundError(
            f"evsynth's workflow file {name} is not installed beside {HERE} (a broken install? "
            "reinstall evsynth)"
        )
    return str(path)


def _log_files(log: str | Iterable[str] | None) -> list[Path]:
    if not log:
        return []
    items = [log] if isinstance(log, str) else list(log)
    return [Path(p) for p in items if p and Path(p).is_file()]


def failed_rule_logs(run_log_text: str) -> list[tuple[str, list[str]]]:
    """(rule, [its log files]) for every "Error in rule" block of a Snakemake run log."""
    failed: list[tuple[str, list[str]]] = []
    current: tuple[str, list[str]] | None = None
    for line in run_log_text.splitlines():
        match = _ERROR_RULE.match(line)
        if match:
            current = (match.group(1), [])
            failed.append(current)
            continue
        if current is None:
            continue
        if line and not line[0].isspace():
            current = None
            continue
        log_match = _LOG_LINE.match(line)
        if log_match:
            current[1].extend(p.strip() for p in log_match.group(1).split(",") if p.strip())
    return failed


def _error_lines(path: Path) -> list[str]:
    try:
        lines = path.read_text(encoding="utf-8", errors="replace").splitlines()
    except OSError as exc:
        return [f"(cannot read {path}: {exc.strerror})"]
    errors = [line for line in lines if "error" in line.lower()]
    return errors or lines[-TAIL_LINES:]


def on_error(log: str | Iterable[str] | None, stream=None) -> None:
    """Print each failed rule's error, read from its log file (Snakemake's ``onerror:``)."""
    stream = stream or sys.stderr
    seen: set[tuple[str, str]] = set()
    for run_log in _log_files(log):
        text = run_log.read_text(encoding="utf-8", errors="replace")
        for rule, logs in failed_rule_logs(text):
            for name in logs or [""]:
                if (rule, name) in seen:
                    continue
                seen.add((rule, name))
                if not name:
                    print(f"evsynth: rule {rule} failed (it has no log file)", file=stream)
                    continue
                print(f"evsynth: rule {rule} failed; {name} says:", file=stream)
                for line in _error_lines(Path(name)):
                    print(f"    {line}", file=stream)
    stream.flush()


def _warnings(path: Path) -> list[dict[str, str]]:
    if not path.is_file():
        return []
    with path.open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle, delimiter="\t", quoting=csv.QUOTE_NONE))


def summary_lines(root: Path = Path(".")) -> list[str]:
    """The end-of-run summary: extraction warnings to check, then where the report is (last)."""
    lines = []
    rows = _warnings(root / WARNINGS)
    if rows:
        lines.append(
            f"evsynth: {len(rows)} extraction warning{'s' if len(rows) != 1 else ''} to check "
            f"(also beside each row in the report; all in {WARNINGS}):"
        )
        for row in rows[:MAX_WARNINGS]:
            where = row.get("effect_id") or row.get("study_id") or ""
            sheet = f"{row.get('sheet', '')} sheet line {row.get('line', '')}".strip()
            lines.append(f"    {where} ({sheet}): {row.get('message', '')}")
        if len(rows) > MAX_WARNINGS:
            lines.append(f"    ... and {len(rows) - MAX_WARNINGS} more in {WARNINGS}")
    report = root / REPORT
    if report.is_file():
        lines.append(f"evsynth: the report is {REPORT} ({report.resolve().as_uri()})")
    else:
        lines.append(f"evsynth: finished; this run did not build the report ({REPORT})")
    return lines


def on_success(log: str | Iterable[str] | None = None, stream=None) -> None:
    """Print the summary after Snakemake's own closing lines (Snakemake's ``onsuccess:``).

    Snakemake prints the path of its run log and the elapsed time after this handler returns, so
    the summary is printed when the process exits, to be the run's last lines.
    """
    lines = summary_lines()

    def _print() -> None:
        out = stream or sys.stderr
        for line in lines:
            print(line, file=out)
        out.flush()

    atexit.register(_print)
