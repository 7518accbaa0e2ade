"""Failure patterns seen in real searches (issue 14), one rule and one fixture each.

Each fixture is written from the rule it tests (the general form of the pattern), not copied from
a benchmark set.
"""

from __future__ import annotations

import pytest

from evsynth.contracts.records import Record
from evsynth.dedup import deduplicate
from evsynth.dedup.engine import DedupResult
from evsynth.dedup.normalise import (
    is_missing,
    normalise_authors,
    normalise_dedup_doi,
    normalise_pages,
    normalise_record,
    normalise_title,
    normalise_volume,
    split_authors,
    title_parts,
)
from evsynth.dedup.score import journal_similarity
from tests.support.dedup import clusters, pair_of, run_fixture, score_records


def rule_of(result: DedupResult, a: str, b: str) -> tuple[str, str]:
    p = pair_of(result, a, b)
    return p.rule, p.decision


# -- container DOIs ---------------------------------------------------------------------------


def test_a_doi_on_several_distinct_titles_never_decides_same() -> None:
    result = run_fixture("container_doi")
    # Three abstracts of one supplement carry its DOI; only the one abstract exported by two
    # databases is merged, on its fields, and pairs.tsv says the DOI was a container's.
    assert clusters(result) == [
        ["embase:L700000001", "wos:000360000000001"],
        ["embase:L700000002"],
        ["embase:L700000003"],
    ]
    rule, decision = rule_of(result, "embase:L700000001", "wos:000360000000001")
    assert decision == "same" and rule.endswith("+container_doi")
    assert not any(p.rule.startswith("doi_match") for p in result.pairs)
    assert result.summary["container_dois"] == 1
    assert result.summary["possible_pairs"] == 0


def test_a_doi_shared_by_one_article_in_two_languages_is_not_a_container() -> None:
    common = dict(authors="Weber, H.", journal="Zentralbl Chir", year="2011", volume="136",
                  pages="210-5", doi="10.1055/s-0031-1271234")  # fmt: skip
    en = Record(record_id="a:1", title="Resection of lung metastases in bone sarcoma", **common)
    de = Record(
        record_id="b:1", title="Resektion von Lungenherden beim Knochensarkom", language="ger",
        **common,
    )  # fmt: skip
    result = deduplicate(_tables(en, de), progress=False)
    assert result.summary["container_dois"] == 0
    assert len(result.studies) == 1


def _tables(*records: Record):
    from evsynth.dedup.engine import InputTable

    return [InputTable("mem.tsv", "input-1", 0, list(records))]


# -- supplements ------------------------------------------------------------------------------


def test_supplement_volume_issue_and_pages_agree_with_the_plain_citation() -> None:
    assert normalise_volume("60 (1 Supplement 1)") == normalise_volume("60") == "60"
    assert normalise_pages("S548-S549") == normalise_pages("548-9") == ("548", "549")
    result = run_fixture("supplement_citation")
    assert clusters(result) == [["embase:L700000011", "pubmed:37000011"]]


# -- authors ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "raw",
    [
        "Gilbert R. E.Zhang Y.Thai K.",  # run together, no separator
        "Gilbert, R. E. and Zhang, Y. and Thai, K.",  # BibTeX " and "
        "Gilbert, R.E.; Zhang, Y.; Thai, K.",
        "Gilbert RE; Zhang Y; Thai K",  # initials without dots
        "Gilbert RE, Zhang Y, Thai K",  # Vancouver, comma-separated
        "Richard E Gilbert; Yanling Zhang; Kerri Thai",  # "Given Family"
        "R. E. Gilbert and Y. Zhang and K. Thai",
    ],
)
def test_author_lists_in_every_format_give_the_same_keys(raw: str) -> None:
    assert normalise_authors(raw) == ("gilbert r", "zhang y", "thai k")


def test_split_authors_keeps_one_entry_per_author() -> None:
    assert split_authors("Gilbert R. E.Zhang Y.Thai K.") == ["Gilbert R. E.", "Zhang Y.", "Thai K."]
    assert split_authors("Smith, J. and Jones, K.") == ["Smith, J.", "Jones, K."]
    assert split_authors("NA") == []


def test_author_formats_fixture_is_one_study() -> None:
    result = run_fixture("author_formats")
    assert clusters(result) == [["embase:L700000021", "endnote:21", "ris:21"]]
    assert all(p.author_sim == 1.0 for p in result.pairs)


def test_author_family_order_does_not_split_an_article() -> None:
    # Databases disagree on which word of a compound or East Asian name is the family name.
    common = dict(title="Anti-factor H autoantibodies in a renal transplant recipient",
                  journal="Am J Transplant", year="2009", volume="9",
                  pages="1223-1229")  # fmt: skip
    a = Record(record_id="a:1", authors="Le Quintrec, M.; Zuber, J.; Noel, L. H.", **common)
    b = Record(record_id="b:1", authors="Le, Quintrec M.; Zuber, J.; Noel, L. H.", **common)
    p = score_records(a, b)
    assert p.author_sim == 1.0 and p.decision == "same"


# -- identifiers and placeholders -------------------------------------------------------------


@pytest.mark.parametrize(
    "raw",
    [
        "http://dx.doi.org/10.1016/S0140-6736(10)60001-2",
        "https://doi.org/10.1016/s0140-6736%2810%2960001-2",
        "10.1016/S0140-6736%2810%2960001-2",
        "doi:10.1016/s0140-6736(10)60001-2",
    ],
)
def test_doi_url_encoded_and_case_forms_are_one_doi(raw: str) -> None:
    assert normalise_dedup_doi(raw) == "10.1016/s0140-6736(10)60001-2"


@pytest.mark.parametrize("raw", ["NA", "nan", "NaN", "NULL", "n/a", " ", ""])
def test_placeholders_are_missing(raw: str) -> None:
    assert is_missing(raw)
    assert normalise_dedup_doi(raw) == ""
    assert normalise_pages(raw) == ("", "")


def test_na_and_nan_fields_are_empty_not_values() -> None:
    result = run_fixture("missing_literals")
    # "NA" volumes and DOIs agree with nothing and conflict with nothing; two records with an
    # "NA" DOI are not a DOI match.
    assert clusters(result) == [["csv:1", "csv:2"], ["csv:3"]]
    assert all(p.doi_match is None for p in result.pairs)


# -- titles -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "raw",
    [
        "Efficacy of batroxobin in vascular cognitive impairment. [Chinese]",
        "[Efficacy of batroxobin in vascular cognitive impairment]",
        "[Efficacy of batroxobin in vascular cognitive impairment]. [Article in Chinese]",
        "Efficacy of batroxobin in vascular cognitive impairment [Review] [33 refs]",
        "Efficacy of batroxobin in vascular cognitive impairment.[Erratum appears in J X. 2010 Ju",
    ],
)
def test_language_tags_and_trailing_notes_are_not_the_title(raw: str) -> None:
    assert normalise_title(raw) == "efficacy of batroxobin in vascular cognitive impairment"


@pytest.mark.parametrize(
    "raw",
    [
        "Liver transplantation in a child with atypical HUS: Brief communication",
        "Liver transplantation in a child with atypical HUS. Original article.",
        "Liver transplantation in a child with atypical HUS - a short report",
    ],
)
def test_a_section_heading_appended_to_the_title_is_dropped(raw: str) -> None:
    assert normalise_title(raw) == "liver transplantation in a child with atypical hus"
    # A title that is only the heading is kept (it is a generic title then).
    assert normalise_title("Brief communication") == "brief communication"


def test_language_tag_fixture_is_one_study() -> None:
    assert clusters(run_fixture("language_tag")) == [["endnote:31", "endnote:32"]]


@pytest.mark.parametrize(
    "raw",
    [
        "Eculizumab for atypical haemolytic uraemic syndrome (vol 360, pg 542, 2009)",
        "Eculizumab for atypical haemolytic uraemic syndrome (N Engl J Med (2009) 360 (542-4))",
    ],
)
def test_a_trailing_citation_of_the_corrected_article_marks_an_erratum(raw: str) -> None:
    parts = title_parts(raw)
    assert parts.kind == "erratum"
    assert parts.core == "eculizumab for atypical haemolytic uraemic syndrome"


def test_numbers_joined_to_letters_and_cut_titles_do_not_differ() -> None:
    common = dict(authors="Syrjanen, K", journal="Eur J Gynaecol Oncol", year="2011",
                  volume="32", pages="17-33")  # fmt: skip
    a = Record(record_id="a:1", title="Persistent HPV infection with new (non-HPV16/18) types",
               **common)  # fmt: skip
    b = Record(record_id="b:1", title="Persistent HPV infection with new (non-HPV 16/18) types",
               **common)  # fmt: skip
    assert score_records(a, b).decision == "same"
    # Two follow-up reports: same journal and authors, each on its own pages.
    c = Record(record_id="c:1", title="Persistent HPV infection: 5-year follow-up", **common)
    d = Record(record_id="d:1", title="Persistent HPV infection: 10-year follow-up",
               **{**common, "pages": "341-349"})  # fmt: skip
    assert score_records(c, d).rule == "title_number_mismatch"
    # A report with the same number on another first page, or no pages, stays apart too.
    e = Record(record_id="e:1", title="Persistent HPV infection: 10-year follow-up",
               **{**common, "pages": ""})  # fmt: skip
    assert score_records(c, e).decision == "different"


def test_a_title_number_typo_under_the_same_full_citation_is_one_article() -> None:
    # Journal, volume, the whole page range, year and authors agree: one printed article whose
    # title one database mistyped ("p6INK4a" for "p16(INK4a)").
    common = dict(authors="Guedes, A C; Brenna, S M; Coelho, S A", journal="Int J Gynecol Cancer",
                  year="2007", volume="17", pages="1099-1103")  # fmt: skip
    a = Record(record_id="a:1", title="p16(INK4a) expression does not predict the outcome of "
               "cervical intraepithelial neoplasia grade 2", **common)  # fmt: skip
    b = Record(record_id="b:1", title="p6INK4a expression does not predict the outcome of "
               "cervical intraepithelial neoplasia grade 2", **common)  # fmt: skip
    assert score_records(a, b).rule == "title_number_typo_citation"
    assert score_records(a, b).decision == "same"
    # One page, however: abstracts printed on one page of a supplement share it.
    one = {**common, "pages": "1099"}
    c = Record(record_id="c:1", title=a.title, **one)
    d = Record(record_id="d:1", title=b.title, **one)
    assert score_records(c, d).decision == "different"


# -- journals ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("full", "abbrev"),
    [
        ("Journal of the National Cancer Institute", "J Natl Cancer Inst"),  # contraction
        ("Deutsche Medizinische Wochenschrift", "Dtsch Med Wochenschr"),
        ("Nederlands Tijdschrift voor Geneeskunde", "Ned Tijdschr Geneeskd"),
        ("Japanese Journal of Clinical Oncology", "Jpn J Clin Oncol"),
        ("JPEN: Journal of Parenteral and Enteral Nutrition", "JPEN. Journal of parenteral and"
         " enteral nutrition"),
        ("Haematologica", "Hematologica"),
    ],
)  # fmt: skip
def test_journal_abbreviations_follow_iso4(full: str, abbrev: str) -> None:
    a = normalise_record(0, Record(record_id="a", journal=full))
    b = normalise_record(1, Record(record_id="b", journal=abbrev))
    assert journal_similarity(a.journals, b.journals) == 1.0


def test_different_journals_with_a_shared_first_word_do_not_match() -> None:
    a = normalise_record(0, Record(record_id="a", journal="Cancer"))
    b = normalise_record(1, Record(record_id="b", journal="Cancer Research"))
    sim = journal_similarity(a.journals, b.journals)
    assert sim is not None and sim < 0.85


# -- decisions on fields ----------------------------------------------------------------------


def test_a_journal_in_translation_is_outweighed_by_the_other_fields() -> None:
    common = dict(title="[Fast track surgery in lung cancer surgery]",
                  authors="Zhao, G.; Huang, Y.", year="2010", volume="13",
                  pages="102-106")  # fmt: skip
    a = Record(record_id="a:1", journal="Chinese Journal of Lung Cancer", **common)
    b = Record(record_id="b:1", journal="Zhongguo fei ai za zhi", **common)
    p = score_records(a, b)
    assert (p.rule, p.decision) == ("title_and_fields_but_journal", "same")


def test_a_single_page_equal_to_the_last_page_agrees() -> None:
    common = dict(title="Prior knowledge of HPV status improves detection by cytology",
                  authors="Benoy, I H", journal="Am J Obstet Gynecol", year="2011",
                  volume="205")  # fmt: skip
    a = Record(record_id="a:1", pages="569", **common)
    b = Record(record_id="b:1", pages="567-569", **common)
    assert score_records(a, b).decision == "same"


def test_an_article_number_and_print_pages_do_not_conflict() -> None:
    common = dict(title="Long term predictive values of cytology and HPV testing",
                  authors="Dillner, J; Rebolj, M", journal="BMJ", year="2008",
                  volume="337")  # fmt: skip
    a = Record(record_id="a:1", pages="a1754", **common)
    b = Record(record_id="b:1", pages="969-972", **common)
    assert score_records(a, b).decision == "same"


def test_abstracts_on_one_page_are_not_one_article() -> None:
    # An abstract supplement prints several abstracts by one group on one page.
    common = dict(authors="Maskell, N. A.; Jones, E.", journal="Am J Respir Crit Care Med",
                  year="2002", volume="165", pages="B11")  # fmt: skip
    a = Record(record_id="a:1", title="Talc pleurodesis induces hypoxaemia", **common)
    b = Record(record_id="b:1", title="Characteristics of 300 patients in a pleural trial",
               **common)  # fmt: skip
    assert score_records(a, b).decision == "different"


def test_a_notice_with_the_same_citation_is_the_notice_unlabelled() -> None:
    common = dict(authors="Veyradier, A.", journal="J Pediatr", year="2003", volume="142",
                  pages="616")  # fmt: skip
    a = Record(record_id="a:1", title="Erratum: Severe ADAMTS13 deficiency in children", **common)
    b = Record(record_id="b:1", title="Severe ADAMTS13 deficiency in children", **common)
    assert score_records(a, b).rule == "notice_same_citation"
    # The article itself (other pages) stays apart from its erratum.
    c = Record(record_id="c:1", title="Severe ADAMTS13 deficiency in children",
               **{**common, "pages": "310-317"})  # fmt: skip
    assert score_records(a, c).rule == "notice_vs_article"


def test_a_title_without_any_other_field_is_not_enough_unless_identical() -> None:
    a = Record(record_id="a:1", title="Open-label trial of drug X in adult patients", year="2011")
    b = Record(record_id="b:1", title="Open-label trial of drug X in adolescent patients",
               year="2011")  # fmt: skip
    assert score_records(a, b).decision != "same"
    c = Record(record_id="c:1", title="Open-label trial of drug X in adult patients.", year="2011")
    assert score_records(a, c).decision == "same"


# -- identical records, no chaining -----------------------------------------------------------


def test_identical_records_are_one_study_and_never_possible() -> None:
    result = run_fixture("identical_three")
    assert clusters(result) == [["endnote:41", "endnote:42", "endnote:43"]]
    assert {p.rule for p in result.pairs} == {"identical_record"}
    assert result.possible == []


def test_titles_that_disagree_share_a_study_only_through_an_identifier() -> None:
    result = run_fixture("no_chain_titles")
    # The German record shares a PMID with the Embase record; the CENTRAL record matches the
    # Embase record on its fields but has the English title only and no PMID: it can never end
    # up with the German record, so the PMID pair goes to a person instead of chaining.
    study = {rid: result.study_of[rid] for rid in result.study_of}
    assert study["cochrane:CN-00800051"] != study["pubmed:38000001"]
    rule, decision = rule_of(result, "embase:L700000051", "pubmed:38000001")
    assert "blocked_by:cochrane:CN-00800051|pubmed:38000001" in rule
    assert decision == "possible"
