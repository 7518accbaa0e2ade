"""Recall rules from the misses on real labelled searches (issue 14), one fixture per rule.

Each fixture is written from the general form of the rule (an export convention or a known
corruption), not copied from a benchmark set.
"""

from __future__ import annotations

from evsynth.dedup.normalise import (
    journal_forms,
    normalise_authors,
    normalise_pages,
    normalise_record,
)
from evsynth.dedup.score import Thresholds, journal_similarity, score_pair
from evsynth.records import Record


def _pair(a: Record, b: Record):
    return score_pair(normalise_record(0, a), normalise_record(1, b), Thresholds())


# -- authors ----------------------------------------------------------------------------------


def test_a_generational_suffix_is_no_part_of_the_family_name() -> None:
    plain = ("lynch t", "kalish l")
    assert normalise_authors("Lynch Jr, T. J. and Kalish, L.") == plain
    assert normalise_authors("Lynch, T. J., Jr.; Kalish, L.") == plain
    assert normalise_authors("Lynch Jr., Thomas; Kalish, Leslie") == plain
    assert normalise_authors("Lynch, T. J. III; Kalish, L.") == plain
    # A family name that merely ends in those letters is kept whole.
    assert normalise_authors("Srivastava, A; Junior, B") == ("srivastava a", "junior b")


# -- journals ---------------------------------------------------------------------------------


def _jsim(a: str, b: str) -> float | None:
    return journal_similarity(journal_forms(a), journal_forms(b))


def test_alternative_journal_titles_in_one_field_are_each_a_form() -> None:
    # MEDLINE's " = " between parallel titles, a translation in brackets, a bilingual "/" title.
    assert _jsim("Ai zheng = Aizheng = Chinese journal of cancer", "Chinese Journal of Cancer") == 1
    assert _jsim("Gan to Kagaku Ryoho [Japanese Journal of Cancer & Chemotherapy]",
                 "Japanese Journal of Cancer and Chemotherapy") == 1.0  # fmt: skip
    assert _jsim("Schweizerische Rundschau fur Medizin/Praxis", "Praxis") == 1.0
    assert _jsim("Revista Panamericana de Salud Publica/Pan American Journal of Public Health",
                 "Pan American Journal of Public Health") == 1.0  # fmt: skip
    # A medium note is no title: two online journals do not agree through it.
    assert _jsim("PLoS ONE [Electronic Resource]", "BMC Cancer [Electronic Resource]") < 0.6
    # A date-like "and/or" inside a title is not a split ("Diabetes/Metabolism" would be).
    assert journal_forms("Diabetes/metabolism research and reviews") == (
        ("diabetes", "metabolism", "research", "reviews"),
    )


def test_an_abbreviation_written_without_spaces_matches_its_words() -> None:
    full = "The Journal of Thoracic and Cardiovascular Surgery"
    assert _jsim("Jthoraccardiovascsurg", full) == 1.0
    assert _jsim("JThoracCardiovascSurg", "J Thorac Cardiovasc Surg") == 1.0
    # Every letter must come from the words, in order, and every word must give one.
    assert _jsim("Nengljmed", "New England Journal of Medicine") == 1.0
    assert _jsim("Jthoracsurgery", "Journal of Thoracic Oncology") < 0.85
    assert _jsim("Jneurosurgery", "Journal of Neurology") < 0.85
    assert _jsim("Jthoraccardiovascsurg", "Journal of Cardiovascular Surgery") < 0.85


# -- pages ------------------------------------------------------------------------------------


def test_page_ranges_a_spreadsheet_turned_into_dates_are_read_back() -> None:
    # Excel reads "1-10" as 1 October ("01-Oct") and "10-15" as October 2015 ("Oct-15").
    assert normalise_pages("01-Oct") == ("1", "10")
    assert normalise_pages("Oct-15") == ("10", "15")
    assert normalise_pages("08-Aug") == ("8", "8")
    assert normalise_pages("1-10") == ("1", "10")
    common = dict(title="Pleural catheters reduce hospital admissions in malignant effusion",
                  authors="Fysh, E; Lee, Y C", journal="Respirology", year="2011", volume="16")
    a = Record(record_id="a:1", pages="01-Oct", **common)  # fmt: skip
    b = Record(record_id="b:1", pages="1-10", **common)
    assert _pair(a, b).decision == "same"
    # The decoded range still conflicts with other pages (here the print version a year on).
    c = Record(record_id="c:1", pages="515-523", **{**common, "year": "2012", "volume": ""})
    assert _pair(a, c).decision != "same"
