"""The review report: one self-contained HTML page built from every stage's outputs.

``load_inputs`` reads the contracts (docs/architecture.md), ``render_html`` turns them into a page,
``write_report`` writes it; `evsynth report` wires them together.
"""

from __future__ import annotations

from evsynth.report.build import write_report
from evsynth.report.inputs import ReportInputs, load_config, load_inputs, report_input_paths
from evsynth.report.render import render_html

__all__ = [
    "ReportInputs",
    "load_config",
    "load_inputs",
    "render_html",
    "report_input_paths",
    "write_report",
]
