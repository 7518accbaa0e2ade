"""Reading inputs: block boundaries, line endings, input kinds."""

from __future__ import annotations

import io
from pathlib import Path

import pytest

from evsynth.errors import InputError
from evsynth.sources import inputs
from evsynth.sources.ris import RisReader
from evsynth.sources.wos import WosReader

DATA = Path(__file__).parent / "data" / "sources"


@pytest.mark.parametrize("block", [1, 5, 7, 64])
def test_tiny_read_blocks_give_the_same_records(
    monkeypatch: pytest.MonkeyPatch, block: int
) -> None:
    # Block edges fall inside lines and between CR and LF; nothing may change.
    expected = list(RisReader().read(DATA / "ris_embase.ris"))
    wos = list(WosReader().read(DATA / "wos_part1.txt"))
    monkeypatch.setattr(inputs, "_TEXT_BLOCK", block)
    assert list(RisReader().read(DATA / "ris_embase.ris")) == expected
    assert list(WosReader().read(DATA / "wos_part1.txt")) == wos


def test_line_numbers_with_cr_only_and_mixed_endings() -> None:
    data = b"TY  - JOUR\rTI  - one\rER  - \r\r\nTY  - JOUR\nTI  - two\r\nER  - \n"
    records = list(RisReader().read(data))
    assert [(r.title, r.source_line) for r in records] == [("one", "1"), ("two", "5")]


def test_stream_input_and_label() -> None:
    (record,) = RisReader().read(io.BytesIO(b"TY  - JOUR\nTI  - x\nER  - \n"), label="dir/a.ris")
    assert record.source_file == "a.ris"


def test_text_stream_refused() -> None:
    with pytest.raises(InputError, match="expected a binary stream"):
        list(RisReader().read(io.StringIO("TY  - JOUR\n")))


def test_unsupported_input_type() -> None:
    with pytest.raises(InputError, match="cannot read int; give a path, bytes or a binary stream"):
        list(RisReader().read(3))  # type: ignore[arg-type]


def test_missing_path() -> None:
    with pytest.raises(InputError, match=r"nope\.ris: cannot open"):
        list(RisReader().read(DATA / "nope.ris"))
