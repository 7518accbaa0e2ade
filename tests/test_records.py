"""The canonical record: normalisation, stable ids, TSV round trip."""

from pathlib import Path

import pytest

from evsynth.contracts.records import (
    COLUMNS,
    Record,
    assign_record_ids,
    hash_record_id,
    normalise_doi,
    normalise_pmid,
    read_records,
    write_records,
)
from evsynth.errors import InputError


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("10.1093/annonc/mdn731", "10.1093/annonc/mdn731"),
        ("https://doi.org/10.1093/ANNONC/MDN731", "10.1093/annonc/mdn731"),
        ("http://dx.doi.org/10.1093/annonc/mdn731.", "10.1093/annonc/mdn731"),
        ("doi: 10.1371/journal.pone.0152621", "10.1371/journal.pone.0152621"),
        ("10.4103/ijc.IJC_497_18 [doi]", "10.4103/ijc.ijc_497_18"),
        ("not a doi", ""),
        ("", ""),
    ],
)
def test_normalise_doi(raw: str, expected: str) -> None:
    assert normalise_doi(raw) == expected


def test_normalise_pmid() -> None:
    assert normalise_pmid("PMID: 15659502") == "15659502"
    assert normalise_pmid("") == ""


def test_whitespace_is_folded() -> None:
    record = Record(title="  A title\twith\n line breaks  ")
    assert record.title == "A title with line breaks"


def test_ids_from_accession_and_hash() -> None:
    records = assign_record_ids(
        [
            Record(source_id="L123", title="Alpha", authors="Smith, J", year="2001"),
            Record(title="Alpha", authors="Smith, J", year="2001"),
            Record(title="ALPHA.", authors="Smith, John", year="2001"),
        ],
        "embase",
    )
    assert records[0].record_id == "embase:L123"
    assert records[1].record_id.startswith("embase:h") and len(records[1].record_id) == 20
    # Case, punctuation and given names do not change the hash id; the repeat is kept, numbered.
    assert records[2].record_id == records[1].record_id + "~2"


def test_hash_id_keeps_non_latin_titles_apart() -> None:
    chinese = Record(title="骨肉瘤临床循证诊疗指南", authors="郭卫", year="2018")
    japanese = Record(title="骨軟部悪性腫瘍肺転移切除例", authors="山道 尭", year="2018")
    a, b = hash_record_id("embase", chinese), hash_record_id("embase", japanese)
    assert a != b


def test_hash_id_depends_on_title() -> None:
    a = hash_record_id("wos", Record(title="Alpha", authors="Smith, J", year="2001"))
    b = hash_record_id("wos", Record(title="Beta", authors="Smith, J", year="2001"))
    assert a != b


def test_round_trip(tmp_path: Path) -> None:
    records = assign_record_ids(
        [
            Record(source_id="2", title="Été: ß and ü", authors="Müller, A; Ng, B", doi="10.1/X"),
            Record(source_id="1", title="Second", abstract="line one\nline two", year="1999"),
        ],
        "pubmed",
    )
    path = tmp_path / "r.tsv"
    assert write_records(path, records) == 2
    back = read_records(path)
    assert [r.record_id for r in back] == ["pubmed:1", "pubmed:2"]
    assert {r.record_id: r for r in back} == {r.record_id: r for r in records}
    first = path.read_bytes()
    write_records(path, list(reversed(records)))
    assert path.read_bytes() == first
    assert path.read_text(encoding="utf-8").splitlines()[0].split("\t") == list(COLUMNS)


def test_unknown_column_is_an_error(tmp_path: Path) -> None:
    path = tmp_path / "bad.tsv"
    path.write_text("record_id\tsource\ttitle\tcolour\nx:1\tx\tT\tred\n", encoding="utf-8")
    with pytest.raises(InputError, match=r"bad\.tsv:1.*unexpected column\(s\) colour"):
        read_records(path)


def test_the_old_module_name_is_the_contract() -> None:
    """``evsynth.records`` moved to ``evsynth.contracts.records``; old imports get its objects."""
    import evsynth.contracts.records as contract
    import evsynth.records as old

    assert old.__all__ == contract.__all__
    assert all(getattr(old, name) is getattr(contract, name) for name in contract.__all__)
