"""The shared writers: atomic, usual permissions, byte-stable."""

import os
import stat
from pathlib import Path

import pytest

from evsynth.tables import atomic_path, read_tsv, write_json, write_text, write_tsv


def test_written_files_get_the_usual_permissions(tmp_path: Path) -> None:
    old = os.umask(0o022)
    try:
        write_text(tmp_path / "a.txt", "x\n")
        write_tsv(tmp_path / "b.tsv", [{"k": "v"}], ["k"])
        write_json(tmp_path / "c.json", {"k": 1})
    finally:
        os.umask(old)
    for name in ("a.txt", "b.tsv", "c.json"):
        assert stat.S_IMODE((tmp_path / name).stat().st_mode) == 0o644, name


def test_a_failed_write_leaves_the_old_file_and_no_temporary(tmp_path: Path) -> None:
    target = tmp_path / "out.tsv"
    target.write_text("old\n", encoding="utf-8")
    with pytest.raises(RuntimeError), atomic_path(target) as tmp:
        tmp.write_text("half", encoding="utf-8")
        raise RuntimeError("interrupted")
    assert target.read_text(encoding="utf-8") == "old\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out.tsv"]


def test_chunks_and_sorted_rows_round_trip(tmp_path: Path) -> None:
    write_text(tmp_path / "t.txt", iter(["a", "b\n"]))
    assert (tmp_path / "t.txt").read_text(encoding="utf-8") == "ab\n"
    rows = [{"id": "b", "v": "two\tparts"}, {"id": "a", "v": None}]
    write_tsv(tmp_path / "r.tsv", rows, ["id", "v"], sort_by=("id",))
    assert read_tsv(tmp_path / "r.tsv") == [{"id": "a", "v": ""}, {"id": "b", "v": "two parts"}]
