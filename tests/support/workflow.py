"""Run Snakemake in a test as a user runs it: from the project folder, this venv's evsynth first.

One helper for every workflow test (there were five copies that differed in small ways: the
cores, the PATH, a timeout, an environment variable dropped), and one reader of the job table
Snakemake prints, which the tests of incremental runs compare (there were four).
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from collections.abc import Mapping
from pathlib import Path
from typing import Any

__all__ = ["ROOT", "copy_review", "job_table", "planned_jobs", "snakemake"]

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


def job_table(text: str) -> dict[str, int]:
    """Rule -> job count from the first ``Job stats:`` table in Snakemake's output (a run or a
    dry run); empty when Snakemake says there is nothing to be done.

    No table at all is an error rather than "no jobs", so that a changed output format fails the
    tests that compare job counts instead of passing them.
    """
    if "Nothing to be done" in text:
        return {}
    lines = iter(text.splitlines())
    for line in lines:
        if line.startswith("Job stats:"):
            break
    else:
        raise AssertionError(f"no job table in Snakemake's output:\n{text[-3000:]}")
    jobs: dict[str, int] = {}
    for line in lines:
        parts = line.split()
        if not parts:
            if jobs:
                break
            continue
        if parts[0] == "total":
            break
        if parts[0] == "job" or set(parts[0]) == {"-"}:
            continue
        jobs[parts[0]] = int(parts[1])
    return jobs


def planned_jobs(workdir: Path, **options: Any) -> dict[str, int]:
    """What Snakemake would run now in ``workdir``: :func:`job_table` of a dry run (``-n``);
    ``options`` go to :func:`snakemake` (cores, env)."""
    result = snakemake(workdir, "-n", **options)
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    return job_table(result.stdout + "\n" + result.stderr)
