"""Record identity (DESIGN.md, "Identities"): ``source_id`` is the database's own accession only.

A record without its accession gets the hash id, never its PMID or DOI as a stand-in: an id such
as ``wos:25705707`` would look like a Web of Science accession and would change if the export
later included the UT.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from evsynth.contracts.records import Record, assign_record_ids
from evsynth.sources.cochrane import CochraneReader
from evsynth.sources.delimited import EmbaseCsvReader
from evsynth.sources.ris import RisReader
from evsynth.sources.wos import WosReader, WosTabReader

DATA = Path(__file__).parent / "data" / "sources"


def only_hash_id(record: Record, source: str) -> str:
    (record,) = assign_record_ids([record], source)
    return record.record_id


@pytest.mark.parametrize(
    ("reader", "fixture", "source"),
    [
        (WosReader, "wos_no_ut.txt", "wos"),
        (EmbaseCsvReader, "embase_no_accession.csv", "embase"),
        (CochraneReader, "cochrane_no_accession.txt", "cochrane"),
        (RisReader, "ris_wos_no_accession.ris", "wos"),
    ],
)
def test_pmid_is_never_a_stand_in_accession(reader: type, fixture: str, source: str) -> None:
    record = next(iter(reader().read(DATA / fixture)))
    assert record.pmid == "25705707"
    assert record.source_id == ""
    assert only_hash_id(record, source).startswith(f"{source}:h")


def test_wos_ut_without_wos_prefix_and_other_collections_keep_theirs() -> None:
    _no_ut, medline = WosReader().read(DATA / "wos_no_ut.txt")
    assert medline.source_id == "MEDLINE:26001234"
    first, *_ = WosReader().read(DATA / "wos_part1.txt")
    assert first.source_id == "000226539300016"
    tab_first, *_ = WosTabReader().read(DATA / "wos_tab.txt")
    assert tab_first.source_id == "000226539300016"
    assert only_hash_id(first, "wos") == "wos:000226539300016"


def test_wos_ris_accession_is_prefix_free() -> None:
    (record,) = RisReader().read(DATA / "ris_wos.ris")
    assert record.source_id == "000226539300016"


def test_pubmed_records_in_reference_manager_ris_keep_the_pmid_as_accession() -> None:
    # Zotero's RIS of a PubMed record (DP - PubMed): the PMID is PubMed's own accession.
    (record,) = RisReader().read(DATA / "ris_zotero.ris")
    assert (record.source_id, record.pmid) == ("21619910", "21619910")
