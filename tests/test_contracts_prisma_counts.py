"""contracts.prisma_counts: what `prisma counts` writes, the diagram reads back unchanged."""

from __future__ import annotations

import pytest

from evsynth.contracts.prisma_counts import PrismaCounts, read_prisma_counts, write_prisma_counts
from evsynth.errors import InputError


def _counts(**changes) -> PrismaCounts:
    values = dict(
        database_specific_results={"Embase": 4, "PubMed": 6},
        database_results=10,
        register_results=0,
        duplicates=3,
        excluded_automatic=0,
        excluded_other=0,
        records_screened=7,
        records_excluded=4,
        dbr_sought_reports=3,
        dbr_notretrieved_reports=1,
        dbr_assessed=2,
        dbr_excluded={"wrong population": 1},
        new_studies=1,
        new_reports=1,
    )
    values.update(changes)
    return PrismaCounts(**values)


def test_written_counts_read_back_with_the_same_values(tmp_path):
    counts = _counts()
    counts.check()
    path = tmp_path / "counts.json"
    write_prisma_counts(path, counts)
    flow = read_prisma_counts(path)
    assert flow.values == counts.to_dict()
    assert flow.get("total_reports") == 1 and flow.get("screening_complete") is True
    assert not flow.is_update and not flow.has_other_methods


def test_an_update_is_seen_by_the_reader(tmp_path):
    path = tmp_path / "counts.json"
    write_prisma_counts(path, _counts(previous_studies=2, previous_reports=3))
    assert read_prisma_counts(path).is_update


def test_counts_that_do_not_add_up_are_refused():
    with pytest.raises(InputError, match="records excluded \\+ reports sought"):
        _counts(records_excluded=5).check()


def test_reader_names_the_field_of_a_bad_count(tmp_path):
    path = tmp_path / "counts.json"
    path.write_text('{"duplicates": -1}')
    with pytest.raises(InputError, match="duplicates"):
        read_prisma_counts(path)
