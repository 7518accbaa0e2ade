"""Write the report page: the only I/O layer of the report (reading is in inputs.py)."""

from __future__ import annotations

from pathlib import Path

from evsynth.report.inputs import load_config, load_inputs
from evsynth.report.render import render_html
from evsynth.tables import write_text

__all__ = ["write_report"]


def write_report(
    *,
    config_path: str | Path,
    results: str | Path,
    out: str | Path,
    root: str | Path | None = None,
) -> Path:
    """Build the page for one config and results directory and write it atomically to ``out``."""
    config = load_config(config_path)
    inputs = load_inputs(config, results, config_path=config_path, root=root)
    page = render_html(inputs)
    out = Path(out)
    write_text(out, page)
    return out
