"""Write the report page: the only I/O layer of the report (reading is in inputs.py)."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

from evsynth.report.inputs import load_config, load_inputs
from evsynth.report.render import render_html

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
    out.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=out.parent, prefix=f".{out.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="\n") as handle:
            handle.write(page)
        # mkstemp creates the file 0600; a report is meant to be shared, so honour the umask.
        umask = os.umask(0)
        os.umask(umask)
        os.chmod(tmp, 0o666 & ~umask)
        os.replace(tmp, out)
    except BaseException:
        if os.path.exists(tmp):
            os.unlink(tmp)
        raise
    return out
