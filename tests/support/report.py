"""The report's fixture project (tests/data/report/: config.yaml and a finished results/ tree) and
the page built from it, for every test module that renders the report from those inputs.
"""

from __future__ import annotations

import shutil
from pathlib import Path

from evsynth.report import write_report

__all__ = ["REPORT_DATA", "build_report", "copy_report_project"]

REPORT_DATA = Path(__file__).resolve().parents[1] / "data" / "report"


def copy_report_project(dest: Path) -> Path:
    """A writable copy of the fixture project in ``dest`` (``config.yaml`` + ``results/``), so a
    test can change an input before it builds the page."""
    shutil.copytree(REPORT_DATA / "results_fixture", dest / "results")
    shutil.copy(REPORT_DATA / "config.yaml", dest / "config.yaml")
    return dest


def build_report(project: Path) -> str:
    """The HTML report of ``project``, written where the workflow writes it
    (``results/report/index.html``), and its text."""
    out = write_report(
        config_path=project / "config.yaml",
        results=project / "results",
        out=project / "results" / "report" / "index.html",
    )
    return out.read_text(encoding="utf-8")
