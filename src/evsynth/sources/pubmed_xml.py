"""PubMed XML (EFetch ``PubmedArticleSet``): ``PubmedArticle`` and ``PubmedBookArticle``.

The parser streams: each article element is turned into a :class:`~evsynth.contracts.records.Record`
and cleared, so a 100,000-record file needs no more memory than one record. DTDs are never fetched
and entity declarations are refused (see :mod:`evsynth.sources.xmlstream`). Element paths follow the
NLM PubMed DTD (``pubmed_250101.dtd``): identifiers are read only from the article's own
``PubmedData/ArticleIdList`` and ``ELocationID``, never from its reference list, whose
``ArticleIdList`` elements name the cited papers.
"""

from __future__ import annotations

import os
import re
import sys
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from typing import BinaryIO

from evsynth.contracts.records import Record
from evsynth.errors import InputError
from evsynth.sources.fields import REPEATED_FIELDS
from evsynth.sources.inputs import Source
from evsynth.sources.xmlstream import XmlImporter, element_text

__all__ = [
    "FORMAT",
    "PubmedXmlReader",
    "iter_pubmed_xml",
    "looks_like_pubmed_xml",
    "pubmed_record",
]

FORMAT = "pubmed-xml"
_RECORD_TAGS = frozenset({"PubmedArticle", "PubmedBookArticle"})
_ROOT_TAGS = frozenset({"PubmedArticleSet", "PubmedBookArticleSet"})
_START = re.compile(rb"<Pubmed(?:Book)?Article[\s>]")
_YEAR = re.compile(r"\b(1[5-9]\d\d|2\d\d\d)\b")
_PUBMED_URL = "https://pubmed.ncbi.nlm.nih.gov/{}/"


def looks_like_pubmed_xml(head: str) -> bool:
    """True when the start of a file is a PubMed EFetch document (used by format detection)."""
    return "<PubmedArticleSet" in head or "<PubmedBookArticleSet" in head


def iter_pubmed_xml(
    src: str | os.PathLike[str] | bytes | BinaryIO, *, label: str | None = None
) -> Iterator[Record]:
    """Yield one :class:`Record` per ``PubmedArticle``/``PubmedBookArticle``, in file order.

    Parameters
    ----------
    src
        A path, the document as bytes, or a binary stream (an EFetch response body).
    label
        Name used in error messages and, as its basename, in the ``source_file`` column;
        defaults to the path (or ``<bytes>``/the stream's name).

    Raises
    ------
    InputError
        Malformed or truncated XML, entity declarations, an ``<ERROR>`` response from
        E-utilities, a wrong root element, or an article without a PMID.
    """
    return PubmedXmlReader().read(src, label=label)


def pubmed_record(
    elem: ET.Element, *, source_file: str = "", line: int = 0, label: str = ""
) -> Record:
    """Convert one ``PubmedArticle`` or ``PubmedBookArticle`` element to a :class:`Record`."""
    if elem.tag == "PubmedBookArticle":
        return _book_record(elem, source_file=source_file, line=line, label=label)
    citation, pmid = _with_pmid(elem, "MedlineCitation", label=label, line=line)
    article = citation.find("Article")
    if article is None:
        raise InputError(
            "PubmedArticle without Article", path=label, line=line, record=pmid, field="Article"
        )
    journal = article.find("Journal")
    issue = journal.find("JournalIssue") if journal is not None else None
    pub_date = issue.find("PubDate") if issue is not None else None
    journal_info = citation.find("MedlineJournalInfo")
    abbrev = ""
    if journal is not None:
        abbrev = (journal.findtext("ISOAbbreviation") or "").strip()
    if not abbrev and journal_info is not None:
        abbrev = (journal_info.findtext("MedlineTA") or "").strip()
    issn = ""
    if journal is not None:
        issn = (journal.findtext("ISSN") or "").strip()
    if not issn and journal_info is not None:
        issn = (journal_info.findtext("ISSNLinking") or "").strip()
    year = _year(pub_date) or _year(article.find("ArticleDate"))
    title = element_text(article.find("ArticleTitle")) or element_text(
        article.find("VernacularTitle")
    )
    record = Record(
        source_id=pmid,
        title=title,
        authors="; ".join(_authors(article.find("AuthorList"))),
        journal=(journal.findtext("Title") or "") if journal is not None else "",
        journal_abbrev=abbrev,
        year=year,
        volume=(issue.findtext("Volume") or "") if issue is not None else "",
        issue=(issue.findtext("Issue") or "") if issue is not None else "",
        pages=_pages(article.find("Pagination")),
        doi=_doi(_find(elem, "PubmedData", "ArticleIdList"), article),
        pmid=pmid,
        abstract=_abstract(article.find("Abstract")),
        pub_type="; ".join(_texts(article.find("PublicationTypeList"), "PublicationType")),
        language="; ".join(_texts(article, "Language")),
        keywords="; ".join(_keywords(citation)),
        issn=issn,
        url=_PUBMED_URL.format(pmid),
        source_file=source_file,
        source_line=str(line) if line else "",
    )
    _intern_repeated(record)
    return record


def _intern_repeated(record: Record) -> None:
    """Intern :data:`REPEATED_FIELDS` (one copy of each journal name, not one per record)."""
    for name in REPEATED_FIELDS:
        value = getattr(record, name)
        if value:
            setattr(record, name, sys.intern(value))


def _with_pmid(elem: ET.Element, part: str, *, label: str, line: int) -> tuple[ET.Element, str]:
    """The article's ``part`` (MedlineCitation, BookDocument) and its PMID; without either the
    article cannot be identified, so the file fails at once."""
    found = elem.find(part)
    if found is None:
        raise InputError(f"{elem.tag} without {part}", path=label, line=line, field=part)
    pmid = (found.findtext("PMID") or "").strip()
    if not pmid:
        raise InputError(f"{elem.tag} without a PMID", path=label, line=line, field="PMID")
    return found, pmid


def _book_record(elem: ET.Element, *, source_file: str, line: int, label: str) -> Record:
    document, pmid = _with_pmid(elem, "BookDocument", label=label, line=line)
    book = document.find("Book")
    book_title = element_text(book.find("BookTitle")) if book is not None else ""
    chapter_title = element_text(document.find("ArticleTitle"))
    authors = _authors(document.find("AuthorList"))
    if not authors and book is not None:
        authors = _authors(book.find("AuthorList"))
    year = _year(book.find("PubDate")) if book is not None else ""
    isbn = (book.findtext("Isbn") or "").strip() if book is not None else ""
    keywords = _texts(document.find("KeywordList"), "Keyword")
    return Record(
        source_id=pmid,
        title=chapter_title or book_title,
        authors="; ".join(authors),
        journal=book_title if chapter_title else "",
        year=year,
        volume=(book.findtext("Volume") or "") if book is not None else "",
        pages=_pages(document.find("Pagination")),
        doi=_doi(_find(elem, "PubmedBookData", "ArticleIdList"), document),
        pmid=pmid,
        abstract=_abstract(document.find("Abstract")),
        pub_type="; ".join(_texts(document, "PublicationType")) or "Book",
        language="; ".join(_texts(document, "Language")),
        keywords="; ".join(keywords),
        issn=isbn,
        url=_PUBMED_URL.format(pmid),
        source_file=source_file,
        source_line=str(line) if line else "",
    )


# Element.find/findall with a plain tag run in C; paths and iterfind go through the much slower
# pure-Python ElementPath, hence these helpers.


def _find(elem: ET.Element, *tags: str) -> ET.Element | None:
    found: ET.Element | None = elem
    for tag in tags:
        found = found.find(tag) if found is not None else None
    return found


def _texts(elem: ET.Element | None, tag: str) -> list[str]:
    """Stripped, non-empty texts of the ``tag`` children of ``elem``."""
    if elem is None:
        return []
    return [t.text.strip() for t in elem.findall(tag) if t.text and t.text.strip()]


def _authors(author_list: ET.Element | None) -> list[str]:
    """ "Family, Initials" per author; a group author (CollectiveName) is kept as written."""
    if author_list is None or author_list.get("Type") == "editors":
        return []
    names = []
    for author in author_list.findall("Author"):
        family = (author.findtext("LastName") or "").strip()
        if family:
            initials = (author.findtext("Initials") or "").strip()
            if not initials:
                initials = (author.findtext("ForeName") or "").strip()
            suffix = (author.findtext("Suffix") or "").strip()
            name = f"{family}, {initials}" if initials else family
            names.append(f"{name} {suffix}" if suffix else name)
            continue
        collective = element_text(author.find("CollectiveName"))
        if collective:
            names.append(collective)
    return names


def _year(date: ET.Element | None) -> str:
    """The year of a PubDate: its Year, else the first year inside a free-text MedlineDate."""
    if date is None:
        return ""
    year = (date.findtext("Year") or "").strip()
    if year:
        return year
    match = _YEAR.search(date.findtext("MedlineDate") or "")
    return match.group(1) if match else ""


def _pages(pagination: ET.Element | None) -> str:
    if pagination is None:
        return ""
    medline = (pagination.findtext("MedlinePgn") or "").strip()
    if medline:
        return medline
    start = (pagination.findtext("StartPage") or "").strip()
    end = (pagination.findtext("EndPage") or "").strip()
    return f"{start}-{end}" if start and end else start


def _doi(id_list: ET.Element | None, article: ET.Element) -> str:
    """The article's DOI: PubmedData/ArticleIdList first, then ELocationID (never references)."""
    if id_list is not None:
        for article_id in id_list.findall("ArticleId"):
            if article_id.get("IdType") == "doi" and article_id.text:
                return article_id.text.strip()
    for location in article.findall("ELocationID"):
        if location.get("EIdType") == "doi" and location.text:
            return location.text.strip()
    return ""


def _abstract(abstract: ET.Element | None) -> str:
    """All AbstractText sections, each prefixed by its Label ("METHODS: ...")."""
    if abstract is None:
        return ""
    parts = []
    for section in abstract.findall("AbstractText"):
        text = element_text(section)
        label = (section.get("Label") or "").strip()
        if label and text:
            parts.append(f"{label}: {text}")
        elif text:
            parts.append(text)
    return " ".join(parts)


def _keywords(citation: ET.Element) -> list[str]:
    """Author keywords, then MeSH headings as "Descriptor/qualifier" (MEDLINE's MH form)."""
    terms = []
    for keyword_list in citation.findall("KeywordList"):
        for keyword in keyword_list.findall("Keyword"):
            terms.append(element_text(keyword))
    headings = citation.find("MeshHeadingList")
    for heading in headings.findall("MeshHeading") if headings is not None else ():
        descriptor = element_text(heading.find("DescriptorName"))
        qualifiers = [element_text(q) for q in heading.findall("QualifierName")]
        if descriptor:
            terms.append("/".join([descriptor, *qualifiers]))
    # The first of each term, in order, without the empty ones.
    return list(dict.fromkeys(filter(None, terms)))


class PubmedXmlReader(XmlImporter):
    """PubMed XML behind the common importer interface (for ``evsynth import``).

    A PubMed article always has its PMID (:func:`pubmed_record` raises at once for one
    without), so every article read is a record.
    """

    format = FORMAT
    title = "PubMed XML (PubmedArticleSet)"
    document = title
    record_tags = _RECORD_TAGS
    start_pattern = _START
    root_tags = _ROOT_TAGS
    error_roots = frozenset({"eFetchResult", "ERROR"})

    def record(self, elem: ET.Element, source: Source, line: int) -> Record:
        return pubmed_record(elem, source_file=source.name, line=line, label=source.label)

    @classmethod
    def sniff(cls, head: str) -> bool:
        return looks_like_pubmed_xml(head)
