"""The search runs of ``results/search/{run}/{source}.records.tsv``: a table's run is its folder.

Extraction (which run found each record) and PRISMA (counts per run and source) both need the runs
in order, oldest first, and every table walked in that order, so "the earliest run that found a
record" means the same in both.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from evsynth.errors import InputError

__all__ = ["records_tables_by_run"]


def records_tables_by_run(
    paths: Sequence[str | Path], runs: Sequence[str] | None
) -> tuple[list[str], list[tuple[str | Path, str]]]:
    """The run order (``runs``, else the folder names sorted) and each table with its run, in order.

    Raises InputError, naming a table, when a table's run is not among ``runs``.
    """
    folders = sorted({Path(p).parent.name for p in paths})
    order = list(runs) if runs else folders
    unknown = [f for f in folders if f not in order]
    if unknown:
        raise InputError(
            f"records tables of run(s) {', '.join(unknown)} but --runs lists only "
            f"{', '.join(order)}; pass every run (the folder under results/search/)",
            path=str(next(p for p in paths if Path(p).parent.name in unknown)),
        )
    ordered = sorted(paths, key=lambda p: (order.index(Path(p).parent.name), str(p)))
    return order, [(p, Path(p).parent.name) for p in ordered]
