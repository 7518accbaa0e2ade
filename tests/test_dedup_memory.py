"""Records read from disk are slimmed while scoring and read again to merge (peak memory).

The fields deduplication does not compare are dropped once a record is normalised and re-read
from the TSVs before merging; the result must be exactly that of records held in memory, and a
file changed in between must be an error, not a silent mix of two versions.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

from evsynth.dedup import deduplicate, load_inputs
from evsynth.dedup.engine import InputTable
from evsynth.dedup.write import write_outputs
from evsynth.errors import InputError

DATA = Path(__file__).parent / "data" / "dedup"
SETS = ("same_article_four_databases", "erratum_same_title", "translated_title")


def _outputs(out: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted(out.iterdir())}


@pytest.mark.parametrize("slim", [False, True])
@pytest.mark.parametrize("name", SETS)
def test_reread_fields_give_the_in_memory_result(tmp_path: Path, name: str, slim: bool) -> None:
    path = DATA / f"{name}.records.tsv"
    from_disk = load_inputs([path], slim=slim)
    assert all(t.on_disk for t in from_disk)
    if slim:  # normalised while read, only id and source kept until merging
        assert all(t.norms is not None for t in from_disk)
        assert not any(r.title for t in from_disk for r in t.records)
    # The same records, held in memory only (nothing to re-read): the reference result.
    in_memory = [InputTable(t.path, t.run, t.rank, list(t.records)) for t in load_inputs([path])]
    write_outputs(deduplicate(from_disk, progress=False), tmp_path / "disk")
    write_outputs(deduplicate(in_memory, progress=False), tmp_path / "memory")
    assert _outputs(tmp_path / "disk") == _outputs(tmp_path / "memory")
    # The caller's records are whole again afterwards.
    assert any(r.journal for t in from_disk for r in t.records)


@pytest.mark.parametrize("slim", [False, True])
def test_file_changed_while_deduplicating_is_an_error(
    tmp_path: Path, monkeypatch, slim: bool
) -> None:
    path = tmp_path / "x.records.tsv"
    shutil.copy(DATA / "same_article_four_databases.records.tsv", path)
    tables = load_inputs([path], slim=slim)
    from evsynth.dedup import engine

    real = engine.cluster_records

    def touch_then_cluster(*args, **kwargs):
        with path.open("a", encoding="utf-8") as handle:
            handle.write("")
        stat = path.stat()
        os.utime(path, ns=(stat.st_atime_ns, stat.st_mtime_ns + 10**9))
        return real(*args, **kwargs)

    monkeypatch.setattr(engine, "cluster_records", touch_then_cluster)
    with pytest.raises(InputError, match="changed while deduplicating"):
        deduplicate(tables, progress=False)
