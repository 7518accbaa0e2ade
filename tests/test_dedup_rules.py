"""The hard cases, one fixture each: what must be merged and what must never be."""

from __future__ import annotations

import pytest

from tests.support.dedup import clusters, pair_of, run_fixture


def test_same_article_from_four_databases_is_one_study() -> None:
    # Missing DOI (WoS), URL-form DOI (Embase), abbreviated journal (Cochrane), "194-9" vs
    # "194-199", trailing period, upper-case title: all one article.
    result = run_fixture("same_article_four_databases")
    assert clusters(result) == [
        ["cochrane:CN-00556677", "embase:L43123456", "pubmed:16487786", "wos:000235012300033"]
    ]
    assert result.studies[0].study_record_id == "pubmed:16487786"
    assert pair_of(result, "embase:L43123456", "pubmed:16487786").rule == "doi_match"
    assert pair_of(result, "cochrane:CN-00556677", "pubmed:16487786").rule == "pmid_match"


def test_erratum_with_the_articles_title_is_not_the_article() -> None:
    result = run_fixture("erratum_same_title")
    assert clusters(result) == [["embase:L43199999", "pubmed:16600001"], ["pubmed:16487786"]]
    p = pair_of(result, "embase:L43199999", "pubmed:16487786")
    assert (p.rule, p.decision) == ("notice_vs_article", "different")


def test_retraction_notice_is_not_the_retracted_article() -> None:
    result = run_fixture("retraction_notice")
    # "RETRACTED: <title>" is the article itself, relabelled; the notice stays apart.
    assert clusters(result) == [["embase:L600000003", "pubmed:20000001"], ["pubmed:20000002"]]
    assert pair_of(result, "embase:L600000003", "pubmed:20000002").rule == "notice_vs_article"


def test_comment_and_reply_with_the_same_title_stay_apart() -> None:
    result = run_fixture("comment_reply_same_title")
    assert clusters(result) == [
        ["cochrane:CN-01000001", "pubmed:30000001"],
        ["embase:L600000011"],
        ["pubmed:30000002"],
    ]
    assert pair_of(result, "embase:L600000011", "pubmed:30000001").rule == "notice_vs_article"
    assert pair_of(result, "cochrane:CN-01000001", "pubmed:30000002").decision == "different"


def test_conference_abstract_is_not_the_later_full_article() -> None:
    result = run_fixture("conference_abstract_vs_article")
    assert len(result.studies) == 2
    p = pair_of(result, "embase:L600000021", "pubmed:31000001")
    assert (p.rule, p.decision) == ("conference_vs_article", "different")
    assert p.title_sim == 1.0 and p.author_sim == 1.0


def test_part_one_and_part_two_are_different_articles() -> None:
    result = run_fixture("part_one_two")
    assert len(result.studies) == 2
    assert pair_of(result, "embase:L600000031", "pubmed:32000001").rule == "part_mismatch"


def test_generic_titles_never_match_on_title_alone() -> None:
    result = run_fixture("generic_titles")
    ids = clusters(result)
    # Two different editorials by one author in one volume stay apart; the same reply in two
    # databases (same volume, issue, page and author) is merged.
    assert ["embase:L600000041"] in ids and ["pubmed:33000001"] in ids
    assert ["cochrane:CN-01000041", "wos:000300000000041"] in ids
    assert pair_of(result, "embase:L600000041", "pubmed:33000001").rule == "generic_title"
    assert pair_of(result, "cochrane:CN-01000041", "wos:000300000000041").rule == (
        "generic_title_citation"
    )


def test_translated_title_is_the_same_article() -> None:
    result = run_fixture("translated_title")
    assert clusters(result) == [["embase:L600000051", "pubmed:34000001", "wos:000300000000051"]]
    assert pair_of(result, "embase:L600000051", "pubmed:34000001").rule == "citation_match"


def test_markup_greek_letters_and_diacritics_do_not_hide_a_duplicate() -> None:
    result = run_fixture("markup_greek_diacritics")
    assert len(result.studies) == 1
    assert all(p.title_sim == 1.0 for p in result.pairs)


def test_reports_differing_in_a_number_are_different() -> None:
    result = run_fixture("series_numbers")
    assert len(result.studies) == 2


@pytest.mark.parametrize("rule", ["pmid_conflict", "doi_conflict"])
def test_identifier_conflicts_are_decisive(rule: str) -> None:
    from evsynth.contracts.records import Record
    from tests.support.dedup import score_records

    ids = {"pmid_conflict": ("pmid", "1", "2"), "doi_conflict": ("doi", "10.1000/a", "10.1000/b")}
    name, x, y = ids[rule]
    common = dict(title="Lung metastases in osteosarcoma: a cohort", authors="Smith, A",
                  journal="Cancer", year="2001")  # fmt: skip
    a = Record(record_id="a:1", **{name: x}, **common)
    b = Record(record_id="b:1", **{name: y}, **common)
    p = score_records(a, b)
    assert (p.rule, p.decision) == (rule, "different")


def test_clusters_cannot_chain_across_different_dois() -> None:
    # The sparse CENTRAL record matches both, but the two carry different DOIs: neither merge is
    # made, both pairs go to a person, and no cluster holds two DOIs.
    result = run_fixture("chain_different_dois")
    assert len(result.studies) == 3
    assert {result.records[p.a].record_id for p in result.possible} == {"cochrane:CN-01000071"}
    assert all("ambiguous" in p.rule for p in result.possible)
    for study in result.studies:
        dois = {r.doi for r in result.records if r.record_id in study.member_ids and r.doi}
        assert len(dois) <= 1


def test_every_pair_in_a_cluster_is_checked_not_just_the_path() -> None:
    from evsynth.dedup.cluster import cluster_records

    # 0~1 and 1~2 are "same", but the rules say 0 and 2 differ: 2 may not join 0's cluster.
    decisions = {(0, 1): "same", (1, 2): "same", (0, 2): "different"}
    result = cluster_records(
        3, [(0.99, "a", "b", 0, 1), (0.95, "b", "c", 1, 2)], [], lambda i, j: decisions[(i, j)]
    )
    assert result.labels == [0, 0, 2]
    assert result.blocked == {(1, 2): (0, 2)}


def test_titles_in_cjk_scripts_are_compared_not_erased() -> None:
    result = run_fixture("cjk_title")
    assert clusters(result) == [
        ["embase:L600000081", "wos:000300000000081"],
        ["embase:L600000082"],
    ]


def test_an_editorial_label_alone_does_not_split_an_article() -> None:
    # Embase labels this discussion paper "Editorial"; PubMed calls it a journal article.
    result = run_fixture("editorial_label_vs_article")
    assert len(result.studies) == 1
    assert result.studies[0].study_record_id == "pubmed:1439653"


def test_a_journal_named_proceedings_is_not_a_conference() -> None:
    from evsynth.contracts.records import Record
    from tests.support.dedup import score_records

    title = "Lung metastasis of osteosarcoma depends on ezrin signalling in mice"
    a = Record(record_id="pubmed:1", title=title, authors="Khanna, C", year="2004",
               journal="Proceedings of the National Academy of Sciences of the United States of "
               "America", pub_type="Journal Article")  # fmt: skip
    b = Record(record_id="cochrane:CN-1", title=title, authors="Khanna C", year="2004",
               journal="Proc Natl Acad Sci U S A")  # fmt: skip
    p = score_records(a, b)
    assert (p.rule, p.decision) == ("title_and_fields", "same")
