"""Entity refusal in the XML readers (defusedxml on the prolog, where entities are declared)."""

from __future__ import annotations

import pytest

from evsynth.errors import InputError
from evsynth.sources.pubmed_xml import iter_pubmed_xml

ARTICLE = (
    "<PubmedArticle><MedlineCitation><PMID>7</PMID><Article><ArticleTitle>{title}</ArticleTitle>"
    "</Article></MedlineCitation></PubmedArticle>"
)


def _doc(prolog: str, title: str = "Lung metastases") -> bytes:
    body = ARTICLE.format(title=title)
    return f'<?xml version="1.0"?>\n{prolog}<PubmedArticleSet>{body}</PubmedArticleSet>'.encode()


def test_entity_after_a_comment_that_looks_like_a_tag_is_refused():
    prolog = '<!-- exported <by> a tool -->\n<!DOCTYPE PubmedArticleSet [\n<!ENTITY x "y">\n]>\n'
    with pytest.raises(InputError, match=r"<bytes>:4: the XML declares entities"):
        list(iter_pubmed_xml(_doc(prolog, "&x;")))


def test_parameter_entity_and_external_dtd_subset_are_refused():
    prolog = '<!DOCTYPE PubmedArticleSet [\n<!ENTITY % p SYSTEM "file:///etc/passwd">\n]>\n'
    with pytest.raises(InputError, match="declares entities"):
        list(iter_pubmed_xml(_doc(prolog)))


def test_entity_text_inside_a_record_is_data_not_a_declaration():
    # Before defusedxml, a raw-byte scan refused any "<!ENTITY" in the file, even in CDATA.
    records = list(iter_pubmed_xml(_doc("", '<![CDATA[The <!ENTITY x "y"> trick]]>')))
    assert records[0].title == 'The <!ENTITY x "y"> trick'


def test_a_plain_doctype_is_fine_and_an_undeclared_entity_is_malformed():
    doctype = '<!DOCTYPE PubmedArticleSet PUBLIC "-//NLM//DTD PubMedArticle//EN" "x.dtd">\n'
    assert [r.pmid for r in iter_pubmed_xml(_doc(doctype))] == ["7"]
    with pytest.raises(InputError, match="malformed XML"):
        list(iter_pubmed_xml(_doc("", "&nope;")))
