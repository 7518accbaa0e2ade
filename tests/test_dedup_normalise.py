"""Each normalisation dedup relies on: DOIs, titles, authors, journals, pages, years."""

from __future__ import annotations

import pytest

from evsynth.contracts.records import Record
from evsynth.dedup.normalise import (
    fold,
    journal_forms,
    normalise_authors,
    normalise_pages,
    normalise_volume,
    normalise_year,
    title_parts,
)
from evsynth.dedup.score import journal_similarity
from tests.support.dedup import score_records


@pytest.mark.parametrize(
    "raw",
    [
        "https://doi.org/10.1016/J.JPEDSURG.2005.10.089",
        "doi:10.1016/j.jpedsurg.2005.10.089",
        "http://dx.doi.org/10.1016/j.jpedsurg.2005.10.089.",
        "10.1016/j.jpedsurg.2005.10.089 [doi]",
    ],
)
def test_doi_forms_match(raw: str) -> None:
    a = Record(record_id="x:1", title="Lung metastases in osteosarcoma", doi=raw)
    b = Record(record_id="y:1", title="Lung metastases in osteosarcoma",
               doi="10.1016/j.jpedsurg.2005.10.089")  # fmt: skip
    pair = score_records(a, b)
    assert pair.doi_match is True
    assert pair.rule == "doi_match"


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("Survival After Resection.", "survival after resection"),
        ("SURVIVAL AFTER RESECTION", "survival after resection"),
        ("Survival after <i>resection</i>", "survival after resection"),
        (
            "Survival <mml:math><mml:mi>after</mml:mi></mml:math> resection",
            "survival after resection",
        ),
        ("Survival after r&eacute;section", "survival after resection"),
        ("Survíval àfter résection", "survival after resection"),
        ("[Survival after resection]. [Article in German]", "survival after resection"),
        ("[Survival after resection]", "survival after resection"),
        ("Survival after resection [In Process Citation]", "survival after resection"),
        ("TNF-α after resection", "tnf alpha after resection"),
        ("TNF-alpha after resection", "tnf alpha after resection"),
        ("TNF-&alpha; after resection", "tnf alpha after resection"),
        ("Straße und Ærø", "strasse und aero"),
        ("RETRACTED: Survival after resection", "survival after resection"),
    ],
)
def test_title_normalisation(raw: str, expected: str) -> None:
    assert title_parts(raw).core == expected


@pytest.mark.parametrize(
    ("raw", "kind", "core"),
    [
        ("Erratum: Survival after resection", "erratum", "survival after resection"),
        ("Correction to: Survival after resection", "erratum", "survival after resection"),
        ("Corrigendum to 'Survival after resection'", "erratum", "survival after resection"),
        ("Retraction notice: Survival after resection", "retraction", "survival after resection"),
        (
            "Notice of retraction: Survival after resection",
            "retraction",
            "survival after resection",
        ),
        ("Expression of concern: Survival after resection", "concern", "survival after resection"),
        ("Re: Survival after resection", "comment", "survival after resection"),
        ("Comment on: Survival after resection", "comment", "survival after resection"),
        ("Reply to: Survival after resection", "reply", "survival after resection"),
        ("In reply", "reply", "reply"),
        ("Reply.", "reply", "reply"),
        ("Correction.", "erratum", "erratum"),
        (
            "Response to chemotherapy in osteosarcoma",
            "",
            "response to chemotherapy in osteosarcoma",
        ),
        ("Correction of scoliosis in children", "", "correction of scoliosis in children"),
    ],
)
def test_notice_prefixes(raw: str, kind: str, core: str) -> None:
    parts = title_parts(raw)
    assert (parts.kind, parts.core) == (kind, core)


@pytest.mark.parametrize(
    ("raw", "part"),
    [
        ("Bone sarcoma surgery. Part I: selection", 1),
        ("Bone sarcoma surgery, part 2", 2),
        ("Bone sarcoma surgery - Part II", 2),
        ("Bone sarcoma surgery: part two", 2),
        ("Bone sarcoma surgery", 0),
    ],
)
def test_part_numbers(raw: str, part: int) -> None:
    assert title_parts(raw).part == part


def test_title_numbers_exclude_part() -> None:
    assert title_parts("Registry: 5-year results. Part 2").numbers == ("5",)


def test_authors_family_and_initial_any_format() -> None:
    expected = ("garcialopez j", "smith a", "obrien p")
    assert normalise_authors("García-López, José; Smith, Anna B.; O'Brien, Peter") == expected
    assert normalise_authors("Garcia Lopez, J.; Smith, A.B.; OBrien, P.") == expected
    assert normalise_authors("García-López J; Smith AB; O'Brien P; et al.") == expected
    assert normalise_authors("") == ()


def test_author_order_does_not_matter_for_similarity() -> None:
    a = Record(record_id="x:1", title="Lung metastases in osteosarcoma: a cohort",
               authors="Smith, A; Jones, B; Brown, C")  # fmt: skip
    b = Record(record_id="y:1", title="Lung metastases in osteosarcoma: a cohort",
               authors="Jones, B; Smith, A; Brown, C")  # fmt: skip
    assert score_records(a, b).author_sim == 1.0


@pytest.mark.parametrize(
    ("full", "abbrev"),
    [
        ("Journal of Clinical Oncology", "J Clin Oncol"),
        ("Annals of Thoracic Surgery", "Ann. Thorac. Surg."),
        ("JOURNAL OF PEDIATRIC SURGERY", "J Pediatr Surg"),
        ("Journal of the National Cancer Institute", "J Natl Cancer Inst"),
        ("Japanese Journal of Clinical Oncology", "Jpn J Clin Oncol"),
        ("Journal of Bone and Joint Surgery. American Volume", "J Bone Joint Surg Am"),
        ("Pediatric Blood & Cancer", "Pediatric Blood and Cancer"),
        ("Journal of Paediatric Surgery", "J Pediatr Surg"),
        ("Journal of Clinical Oncology : official journal of ASCO", "J Clin Oncol"),
        ("Zhonghua Zhong Liu Za Zhi [Chinese Journal of Oncology]", "Zhonghua zhongliu zazhi"),
        ("Deutsche Medizinische Wochenschrift", "Dtsch Med Wochenschr"),
    ],
)
def test_journal_full_name_matches_abbreviation(full: str, abbrev: str) -> None:
    assert journal_similarity(journal_forms(full), journal_forms(abbrev)) == 1.0


def test_different_journals_do_not_match() -> None:
    sim = journal_similarity(journal_forms("Journal of Clinical Oncology"), journal_forms("Cancer"))
    assert sim is not None and sim < 0.6
    assert journal_similarity(journal_forms(""), journal_forms("Cancer")) is None


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("1347-58", ("1347", "1358")),
        ("1347-1358", ("1347", "1358")),
        ("1347–58", ("1347", "1358")),
        ("pp. 1347-1358", ("1347", "1358")),
        ("194-9", ("194", "199")),
        # Letter prefixes are dropped: a supplement's S-pages, "c37", article number "e123".
        ("S23-5", ("23", "25")),
        ("S548-S549", ("548", "549")),
        ("548-9", ("548", "549")),
        ("c37-c42", ("37", "42")),
        ("e0123456", ("123456", "")),
        ("NA", ("", "")),
        ("No Pagination Specified", ("", "")),
        ("1010", ("1010", "")),
        ("", ("", "")),
    ],
)
def test_pages(raw: str, expected: tuple[str, str]) -> None:
    assert normalise_pages(raw) == expected


def test_page_formats_agree_in_scoring() -> None:
    common = dict(title="Lung metastases in osteosarcoma: a cohort", authors="Smith, A",
                  journal="Cancer", year="2001", volume="91")  # fmt: skip
    a = Record(record_id="x:1", pages="1347-58", **common)
    b = Record(record_id="y:1", pages="1347-1358", **common)
    assert score_records(a, b).decision == "same"
    # A single page against the range, later in the volume: an erratum reprinting the title.
    c = Record(record_id="z:1", pages="1401", **common)
    assert score_records(a, c).decision != "same"
    # Another range under the same title, authors, journal, volume and year: a page typed
    # wrong in one database (two articles cannot share all of that).
    d = Record(record_id="w:1", pages="1348-1358", **common)
    assert score_records(a, d).rule == "title_and_fields_but_pages"
    # ... but not when the authors differ too.
    e = Record(record_id="v:1", pages="1348-1358", **{**common, "authors": "Brown, C"})
    assert score_records(a, e).decision != "same"


@pytest.mark.parametrize(
    ("raw", "year"), [("2006", 2006), ("2006 Jan", 2006), ("Jan-Feb 2006", 2006), ("", 0)]
)
def test_years(raw: str, year: int) -> None:
    assert normalise_year(raw) == year


def test_year_off_by_one_allowed_two_not() -> None:
    common = dict(title="Lung metastases in osteosarcoma: a cohort", authors="Smith, A",
                  journal="Cancer")  # fmt: skip
    a = Record(record_id="x:1", year="2006", **common)
    assert score_records(a, Record(record_id="y:1", year="2007", **common)).decision == "same"
    assert score_records(a, Record(record_id="y:2", year="2008", **common)).rule == "year_mismatch"


def test_volume_and_fold() -> None:
    assert normalise_volume("Vol. 012") == "12"
    assert fold("  Ça  va—bien ") == "ca va bien"
