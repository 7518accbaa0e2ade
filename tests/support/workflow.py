"""Run Snakemake in a test as a user runs it: from the project folder, this venv's evsynth first.

One helper for every workflow test (there were five copies that differed in small ways: the
cores, the PATH, a timeout, an environment variable dropped).
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from collections.abc import Mapping
from pathlib import Path

__all__ = ["ROOT", "copy_review", "snakemake"]

ROOT = Path(__file__).resolve().parents[2]


def snakemake(
    workdir: Path,
    *args: str,
    cores: int = 1,
    snakefile: Path | None = None,
    env: Mapping[str, str | None] | None = None,
    timeout: float | None = 900,
) -> subprocess.CompletedProcess[str]:
    """``snakemake --cores N [-s SNAKEFILE] ARGS`` in ``workdir``; output captured, never raises.

    The rules call `evsynth`, so the directory of this interpreter (the venv's bin/) goes first on
    PATH. ``env`` adds variables to the environment; a value of None removes one.
    """
    environ = dict(os.environ)
    environ["PATH"] = f"{Path(sys.executable).parent}{os.pathsep}{environ.get('PATH', '')}"
    for key, value in (env or {}).items():
        if value is None:
            environ.pop(key, None)
        else:
            environ[key] = value
    cmd = [sys.executable, "-m", "snakemake", "--cores", str(cores)]
    if snakefile is not None:
        cmd += ["-s", str(snakefile)]
    return subprocess.run(
        [*cmd, *args],
        cwd=workdir,
        env=environ,
        capture_output=True,
        text=True,
        check=False,
        timeout=timeout,
    )


def copy_review(dest: Path) -> Path:
    """A scratch copy of the repository's default review (Snakefile, config, workflow,
    resources) in ``dest``, as a user's checkout has it."""
    for name in ("Snakefile", "config", "workflow", "resources"):
        src = ROOT / name
        if src.is_dir():
            shutil.copytree(src, dest / name)
        else:
            shutil.copy2(src, dest / name)
    return dest
