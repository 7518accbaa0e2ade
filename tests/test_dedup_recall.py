"""Recall rules from the misses on real labelled searches (issue 14), one fixture per rule.

Each fixture is written from the general form of the rule (an export convention or a known
corruption), not copied from a benchmark set.
"""

from __future__ import annotations

from dataclasses import replace

import pytest

from evsynth.contracts.records import Record
from evsynth.dedup.normalise import (
    journal_forms,
    normalise_authors,
    normalise_dedup_doi,
    normalise_pages,
    normalise_record,
    normalise_title,
)
from evsynth.dedup.score import journal_similarity
from tests.support.dedup import score_records

# -- authors ----------------------------------------------------------------------------------


def test_a_generational_suffix_is_no_part_of_the_family_name() -> None:
    plain = ("lynch t", "kalish l")
    assert normalise_authors("Lynch Jr, T. J. and Kalish, L.") == plain
    assert normalise_authors("Lynch, T. J., Jr.; Kalish, L.") == plain
    assert normalise_authors("Lynch Jr., Thomas; Kalish, Leslie") == plain
    assert normalise_authors("Lynch, T. J. III; Kalish, L.") == plain
    # A family name that merely ends in those letters is kept whole.
    assert normalise_authors("Srivastava, A; Junior, B") == ("srivastava a", "junior b")


@pytest.mark.parametrize(
    "raw",
    [
        "Smith J., Jones K.L., van der Berg P.",  # Scopus: dotted initials, comma-separated
        "Smith J, Jones KL, van der Berg P",  # Vancouver
        "Smith, J., Jones, K. L., van der Berg, P.",  # family and initials alternate
        "Smith J., Jones K.L., van der Berg P., et al.",
    ],
)
def test_comma_separated_author_lists_give_one_entry_per_author(raw: str) -> None:
    assert normalise_authors(raw) == ("smith j", "jones k", "vanderberg p")


def test_given_names_first_comma_separated() -> None:
    assert normalise_authors("John Smith, Kate L. Jones, Ann Brown") == (
        "smith j", "jones k", "brown a",
    )  # fmt: skip


def test_a_comma_inside_one_author_name_is_not_a_list() -> None:
    # "Family, Given" with several words on each side, or a corporate name: one entry.
    assert normalise_authors("Le Quintrec, Moglie Anne") == ("lequintrec m",)
    assert len(normalise_authors("Alexion Pharmaceuticals, Inc")) == 1


# -- journals ---------------------------------------------------------------------------------


def _jsim(a: str, b: str) -> float | None:
    return journal_similarity(journal_forms(a), journal_forms(b))


def test_alternative_journal_titles_in_one_field_are_each_a_form() -> None:
    # MEDLINE's " = " between parallel titles, a translation in brackets, a bilingual "/" title.
    assert _jsim("Ai zheng = Aizheng = Chinese journal of cancer", "Chinese Journal of Cancer") == 1
    assert _jsim("Gan to Kagaku Ryoho [Japanese Journal of Cancer & Chemotherapy]",
                 "Japanese Journal of Cancer and Chemotherapy") == 1.0  # fmt: skip
    assert _jsim("Canadian Journal of Anaesthesia/Journal canadien d'anesthesie",
                 "Journal Canadien d'Anesthesie") == 1.0  # fmt: skip
    # A one-word part is no alternative title.
    assert _jsim("Diabetes/Metabolism Research and Reviews", "Diabetes") < 0.6
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
    common = dict(
        title="Pleural catheters reduce hospital admissions in malignant effusion",
        authors="Fysh, E; Lee, Y C",
        journal="Respirology",
        year="2011",
        volume="16",
    )
    a = Record(record_id="a:1", pages="01-Oct", **common)  # fmt: skip
    b = Record(record_id="b:1", pages="1-10", **common)
    assert score_records(a, b).decision == "same"
    # The decoded range still conflicts with other pages (here the print version a year on).
    c = Record(record_id="c:1", pages="515-523", **{**common, "year": "2012", "volume": ""})
    assert score_records(a, c).decision != "same"


def test_an_article_printed_in_several_runs_has_one_span_whatever_the_order() -> None:
    assert normalise_pages("233-238+230-235+246-251") == ("230", "251")
    assert normalise_pages("233-8, 230-5, 246-51") == ("230", "251")
    assert normalise_pages("230-5; 246-51; 233-8") == ("230", "251")
    # One range and a bracketed note stay as they were.
    assert normalise_pages("1347-58") == ("1347", "1358")
    assert normalise_pages("P63 [tp 104]") == ("63", "")


# -- titles and journals of translated records ------------------------------------------------


def test_an_original_language_title_after_its_tag_is_dropped() -> None:
    assert (
        normalise_title(
            "Neoadjuvant chemotherapy in stage IIIA <ORIGINAL> NEOADJUVANTE CHEMOTHERAPIE"
        )
        == "neoadjuvant chemotherapy in stage iiia"
    )
    # A title that is only the tagged text is kept.
    assert normalise_title("<ORIGINAL> Neoadjuvante Chemotherapie") == "neoadjuvante chemotherapie"


def test_letters_lost_in_export_and_elided_articles_do_not_split_a_journal() -> None:
    full = "Annales Francaises d'Anesthesie et de Reanimation"
    assert _jsim("Annales fran?aises d'anesth?sie et de r?animation", full) == 1.0
    assert _jsim("Ann Fr Anesth Reanim", full) == 1.0
    # The lost letter matches any one letter, also where it was the abbreviation's ("Reanim").
    assert _jsim("Annales fran?aises d'anesth?sie et de r?animation", "Ann Fr Anesth Reanim") == 1
    # It is one letter, not a free pass: other words still have to agree.
    assert _jsim("Annales fran?aises de chirurgie", "Ann Fr Anesth Reanim") < 0.85
    # A "?" at a word's end is punctuation, not a lost letter.
    assert journal_forms("Why? Journal") == (("why", "journal"),)


def test_a_close_title_with_the_whole_citation_but_the_journal_name_is_one_article() -> None:
    common = dict(authors="Eberhardt, W; Korfee, S", year="1997", volume="86",
                  pages="1647-53")  # fmt: skip
    a = Record(record_id="a:1", journal="Praxis",
               title="Neoadjuvant chemotherapy in locally advanced stage IIIA and IIIB bronchial "
               "carcinoma (the Essen concept)", **common)  # fmt: skip
    b = Record(record_id="b:1", journal="Revue suisse de medecine",
               title="Neoadjuvant chemotherapy in locally advanced stages IIIA and IIIB "
               "bronchial carcinoma", **common)  # fmt: skip
    p = score_records(a, b)
    assert (p.rule, p.decision) == ("citation_but_journal", "same")
    # Another last page, or a single page, is not the whole citation.
    c = replace(b, record_id="c:1", pages="1647-1649")
    assert score_records(a, c).decision != "same"
    d = replace(b, record_id="d:1", pages="1647")
    assert score_records(a, d).decision != "same"


def test_a_parallel_title_in_the_original_language_does_not_hide_the_english_one() -> None:
    english = "Effect of positive airway pressure on fluid absorption in tuberculous effusion"
    common = dict(authors="Oliveira, J F; Mello, F C", year="2010", volume="14", pages="127-32")
    a = Record(record_id="a:1", title=english, journal="Revista Brasileira de Fisioterapia",
               **common)  # fmt: skip
    b = Record(
        record_id="b:1",
        journal="Braz J Phys Ther",
        **common,
        title=english + "; Efeito da pressao positiva nas vias aereas sobre a absorcao",
    )
    p = score_records(a, b)
    assert p.title_sim == 1.0 and p.decision == "same"
    # A short head is a heading, not a title: "Stroke and aphasia; ..." keeps its whole title.
    short = normalise_record(0, Record(record_id="c:1", title="Stroke and aphasia; Overcoming "
                                       "the challenges of capacity evaluation"))  # fmt: skip
    assert short.title_head == ""


# -- identifiers ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "raw",
    [
        "10.1016/j.jdiacomp.2010.01.001 [doi]",  # MEDLINE AID tag
        "DOI 10.1016/j.jdiacomp.2010.01.001",
        "10.1016/J.JDIACOMP.2010.01.001.",
        "10.1016/j.jdiacomp.2010.01.001; 10.1016/j.other.2010.01.002",
    ],
)
def test_a_doi_with_a_tag_label_or_second_doi_is_its_first_doi_token(raw: str) -> None:
    assert normalise_dedup_doi(raw) == "10.1016/j.jdiacomp.2010.01.001"
    # Text without a DOI is no DOI.
    assert normalise_dedup_doi("not available online") == ""
