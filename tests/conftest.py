"""Shared test fixtures. Helpers that tests import live in tests/support/ (not in the package).

The whole default review runs once, in tests/test_workflow.py's module fixture: it is the only
module that needs the full run (the others build small projects of their own), so a
session-scoped full run would save nothing today; move that fixture here when a second module
needs the finished review.
"""

from __future__ import annotations

from collections.abc import Callable

import pytest

from tests.support.workflow import snakemake as _snakemake


@pytest.fixture()
def snakemake() -> Callable[..., object]:
    """:func:`tests.support.workflow.snakemake`, for tests that prefer a fixture to an import."""
    return _snakemake
