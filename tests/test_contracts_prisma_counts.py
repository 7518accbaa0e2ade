"""contracts.prisma_counts: what `prisma counts` writes, the diagram reads back unchanged."""

from __future__ import annotations

import json

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


def test_an_update_draws_the_latest_run_and_keeps_the_whole_review(tmp_path):
    """``values`` is the latest run's flow (the diagram); ``review`` the file's own counts."""
    latest = _counts(database_specific_results={"PubMed": 4}, database_results=4, duplicates=1)
    whole = _counts(previous_studies=2, previous_reports=3).to_dict()
    whole["update_flow"] = latest.to_dict()
    path = tmp_path / "counts.json"
    path.write_text(json.dumps(whole))
    flow = read_prisma_counts(path)
    assert flow.get("database_results") == 4 and flow.get("duplicates") == 1
    assert flow.review == whole and flow.review["database_results"] == 10
    plain = tmp_path / "plain.json"
    write_prisma_counts(plain, _counts())
    assert read_prisma_counts(plain).review == _counts().to_dict()


def test_a_bad_count_of_the_whole_review_is_refused_in_an_update(tmp_path):
    """The latest run's flow replaces the diagram's counts, but the report shows the file's."""
    data = _counts().to_dict()
    data.update(records_screened="7", update_flow={"records_screened": 2})
    path = tmp_path / "counts.json"
    path.write_text(json.dumps(data))
    with pytest.raises(InputError, match="records_screened") as info:
        read_prisma_counts(path)
    assert str(path) in str(info.value) and "'7'" in str(info.value)
