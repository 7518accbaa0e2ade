"""Shared test fixtures. Helpers that tests import live in tests/support/ (not in the package).

``full_run`` is the one Snakemake run of the whole default review, shared by every test in the
session that reads a finished review's results (tests/test_workflow.py, and the contract checks
of tests/test_contracts_schemas.py): the run takes about a minute, so no module runs its own.
Tests that change it must put it back (or work on a copy, as tests/test_workflow.py's
``_copy_finished`` does).
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from tests.support.workflow import copy_review
from tests.support.workflow import snakemake as _snakemake


@pytest.fixture()
def snakemake() -> Callable[..., object]:
    """:func:`tests.support.workflow.snakemake`, for tests that prefer a fixture to an import."""
    return _snakemake


@pytest.fixture(scope="session")
def full_run(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The default review in a scratch copy, run once by ``snakemake --cores 2``; its stderr is
    kept in ``snakemake.stderr`` beside it."""
    workdir = copy_review(tmp_path_factory.mktemp("review"))
    result = _snakemake(workdir, cores=2)
    assert result.returncode == 0, result.stderr[-4000:]
    (workdir / "snakemake.stderr").write_text(result.stderr, encoding="utf-8")
    return workdir
