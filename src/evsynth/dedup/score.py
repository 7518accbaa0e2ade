"""Score a candidate pair and decide it with named rules, so every decision can be explained.

Identifiers decide when both records carry them (a PMID or DOI names one article); otherwise the
fields must agree. Before any field agreement is trusted, the known false-duplicate patterns are
ruled out: notices (errata, retractions, comments, replies) against the article they concern,
conference abstracts against the later full article, companion papers (Part I / Part II), titles
that differ in their numbers, and generic titles ("Editorial", "Reply"). These are the failure modes
reported for EndNote, Mendeley and Rayyan by Bramer et al. 2016 (J Med Libr Assoc 104:240) and
McKeown & Mir 2021 (Syst Rev 10:38), and handled as rules by ASySD (Hair et al. 2023, BMC Biol
21:189).

Field agreement then follows the principle shared by ASySD and bib-dedupe (Wagner et al., CoLRev):
a near-identical title needs corroboration by other fields, and several agreeing fields outweigh
one that disagrees (journals are translated, pages and volumes mistyped, author names reordered
by one database), while a missing field neither agrees nor disagrees.
"""

from __future__ import annotations

from dataclasses import dataclass

from rapidfuzz import fuzz

from evsynth.dedup.normalise import NormRecord
from evsynth.dedup.score_fields import (
    _author_similarity,
    _identical,
    _numbers_differ,
    _page_range,
    _pages_agree,
    conference_conflict,
    journal_similarity,
    kinds_conflict,
)

__all__ = [
    "DECISIONS",
    "PairScore",
    "Thresholds",
    "conference_conflict",
    "journal_similarity",
    "kinds_conflict",
    "score_pair",
]


DECISIONS = ("same", "different", "possible")


# Notices that correct an article; "" is a record with no notice label.
_CORRECTION_KINDS = frozenset({"", "erratum", "retraction", "concern"})


@dataclass(frozen=True, slots=True)
class Thresholds:
    """Similarity thresholds of the decision rules (all in [0, 1]).

    Parameters
    ----------
    title_same
        Title similarity (normalised Indel similarity of the folded titles) above which a pair
        whose other fields agree is the same article.
    title_strong
        Title similarity above which one conflicting field (a journal given in translation, a
        mistyped page) is outweighed by at least two other agreeing fields.
    title_possible
        Lower bound of the "possible" band: a person decides pairs between this and title_same.
    title_conflict
        Below this the titles disagree: the pair is never merged on its other fields alone unless
        the full citation (journal, volume, first page, year, authors) agrees, as for a title given
        in the original language by one database and in English by another.
    author_min
        Author similarity below which the author lists conflict.
    journal_min
        Journal similarity below which the journals conflict.
    citation_journal, citation_author
        Journal and author agreement required by the citation rule (and for a field to count
        as agreeing).
    author_strong
        Author agreement required where only the authors can vouch for the pair (different page
        ranges, a conference abstract without pages).
    """

    title_same: float = 0.90
    title_strong: float = 0.95
    title_possible: float = 0.80
    title_conflict: float = 0.50
    author_min: float = 0.50
    journal_min: float = 0.60
    citation_journal: float = 0.85
    citation_author: float = 0.75
    author_strong: float = 0.90


@dataclass(frozen=True, slots=True)
class PairScore:
    """The comparison of two records: similarities, the rule that decided, and the decision.

    Similarities are None when a field is missing on either side; ``*_match`` are None when either
    record lacks the identifier or year.
    """

    a: int
    b: int
    score: float
    title_sim: float
    author_sim: float | None
    journal_sim: float | None
    year_match: bool | None
    doi_match: bool | None
    pmid_match: bool | None
    rule: str
    decision: str


def score_pair(a: NormRecord, b: NormRecord, t: Thresholds) -> PairScore:
    """Compare two records and decide: same, different or possible, with the rule's name."""
    title_sim = fuzz.ratio(a.title, b.title) / 100.0 if a.title and b.title else 0.0
    if (a.title_head or b.title_head) and title_sim < 1.0:
        # One database appends the title in the original language after "; " or " = ".
        for head, other in ((a.title_head, b.title), (b.title_head, a.title)):
            if head and other:
                title_sim = max(title_sim, fuzz.ratio(head, other) / 100.0)
    author_sim = _author_similarity(a, b)
    journal_sim = journal_similarity(a.journals, b.journals)
    year_match = (a.year == b.year) if a.year and b.year else None
    year_near = a.year == 0 or b.year == 0 or abs(a.year - b.year) <= 1
    doi_match = (a.doi == b.doi) if a.doi and b.doi else None
    pmid_match = (a.pmid == b.pmid) if a.pmid and b.pmid else None
    pages = _pages_agree(a, b)
    volume = (a.volume == b.volume) if a.volume and b.volume else None

    score = 0.55 * title_sim
    score += 0.15 * (author_sim if author_sim is not None else 0.5)
    score += 0.10 * (journal_sim if journal_sim is not None else 0.5)
    score += 0.10 * (1.0 if year_match else (0.5 if year_match is None or year_near else 0.0))
    score += 0.10 * (1.0 if pages else (0.5 if pages is None else 0.0))
    if pmid_match or doi_match:
        score = max(score, 0.99 if title_sim >= t.title_conflict else score)

    # Journal, volume, first page, year and authors agree (a citation).
    cited = (
        pages is True
        and volume is True
        and year_near
        and journal_sim is not None
        and journal_sim >= t.citation_journal
        and author_sim is not None
        and author_sim >= t.citation_author
    )
    # A full citation names one article only when it has a page range: an abstract supplement
    # prints several abstracts on one page ("B11", "597"), with the same authors.
    citation = (
        pages is True
        and _page_range(a)
        and _page_range(b)
        and a.last_page == b.last_page
        and volume is True
        and year_near
        and journal_sim is not None
        and journal_sim >= t.citation_journal
        and author_sim is not None
        and author_sim >= t.citation_author
    )
    type_conflict = kinds_conflict(a, b) or conference_conflict(a, b)

    def result(rule: str, decision: str) -> PairScore:
        return PairScore(
            a.index,
            b.index,
            round(score, 4),
            round(title_sim, 4),
            None if author_sim is None else round(author_sim, 4),
            None if journal_sim is None else round(journal_sim, 4),
            year_match,
            doi_match,
            pmid_match,
            rule,
            decision,
        )

    # 1. Identifiers: different PMIDs or DOIs are different articles.
    if pmid_match is False:
        return result("pmid_conflict", "different")
    if doi_match is False:
        return result("doi_conflict", "different")
    # The same record exported twice (or by two databases alike): every compared field equal.
    # Never sent to a person, never "ambiguous" with its copies.
    if not (pmid_match or doi_match) and _identical(a, b) and (not a.generic or cited):
        return result("identical_record", "same")
    # Titles in two languages cannot be compared; the other fields must then agree.
    fields_agree = (
        year_near
        and author_sim is not None
        and author_sim >= t.citation_author
        and journal_sim is not None
        and journal_sim >= t.citation_journal
        and pages is not False
        and volume is not False
    )
    foreign = a.foreign or b.foreign
    if pmid_match or doi_match:
        name = "pmid_match" if pmid_match else "doi_match"
        if type_conflict:
            return result(f"{name}_type_conflict", "possible")
        if title_sim < t.title_conflict and not citation:
            if foreign and fields_agree:
                return result(f"{name}_translated_title", "same")
            return result(f"{name}_title_conflict", "possible")
        return result(name, "same")
    # 2. The hard non-duplicates.
    if kinds_conflict(a, b):
        # A correction notice and the article it corrects never start on the same page: the
        # same journal, volume, first page, year and authors are the notice itself, listed
        # without its "Erratum:" label by another database.
        kinds = {a.title_kind or a.type_kind, b.title_kind or b.type_kind}
        if cited and title_sim >= t.title_same and kinds <= _CORRECTION_KINDS:
            return result("notice_same_citation", "same")
        return result("notice_vs_article", "different")
    if conference_conflict(a, b):
        # The abstract as printed in the journal's supplement, listed by one database as a
        # conference item and by another as an article: one printed item, same page.
        printed = (
            title_sim >= t.title_same
            and year_match is True
            and journal_sim is not None
            and journal_sim >= t.citation_journal
            and author_sim is not None
            and author_sim >= t.citation_author
        )
        if printed and pages is True and volume is not False:
            return result("conference_same_citation", "same")
        if printed and pages is None and volume is not False:
            # The abstract-book entry without pages against the journal-supplement record:
            # one printed item when title, authors, journal and year all agree closely. A
            # full paper after the abstract has its own pages (or another year or title).
            if (
                title_sim >= t.title_strong
                and author_sim is not None
                and author_sim >= t.author_strong
                and not (a.first_page and b.first_page)
            ):
                return result("conference_same_journal_year", "same")
            return result("conference_vs_article_unclear", "possible")
        return result("conference_vs_article", "different")
    # Part and number markers compare only titles in one language.
    comparable = not foreign or title_sim >= t.title_conflict
    if comparable and a.part != b.part:
        return result("part_mismatch", "different")
    if comparable and _numbers_differ(a, b):
        # A number mistyped by one database ("p6INK4a" for "p16(INK4a)"): two articles never
        # share journal, volume, the whole page range, year and authors, and a follow-up
        # report with another number in its title has its own pages.
        if citation and title_sim >= t.title_same:
            return result("title_number_typo_citation", "same")
        return result("title_number_mismatch", "different")
    if not year_near:
        return result("year_mismatch", "different")
    if a.generic or b.generic:
        if title_sim >= t.title_same and cited:
            return result("generic_title_citation", "same")
        if title_sim >= t.title_same and fields_agree and year_match:
            return result("generic_title_fields", "possible")
        return result("generic_title", "different")
    # 3. Field agreement.
    conflicts = []
    if author_sim is not None and author_sim < t.author_min:
        conflicts.append("authors")
    if journal_sim is not None and journal_sim < t.journal_min:
        conflicts.append("journal")
    if pages is False:
        conflicts.append("pages")
    if volume is False:
        conflicts.append("volume")
    support = [
        name
        for name, ok in (
            ("authors", author_sim is not None and author_sim >= t.citation_author),
            ("journal", journal_sim is not None and journal_sim >= t.citation_journal),
            ("volume", volume is True),
            ("pages", pages is True),
        )
        if ok
    ]
    if title_sim >= t.title_same:
        if not conflicts:
            # Below title_strong the titles differ by a word or more ("Adult" / "Pediatric"):
            # one agreeing field (often a corporate author) is not enough.
            if len(support) >= (1 if title_sim >= t.title_strong else 2):
                return result("title_and_fields", "same")
            if support:
                return result("title_close_fields", "possible")
            # Nothing but a title (and a year) to go on, as for trial-registry entries.
            if title_sim == 1.0 and year_match is not False and a.authors_text == b.authors_text:
                return result("title_identical", "same")
            return result("title_only", "possible")
        if len(conflicts) == 1:
            # Letters, comments and replies share title, journal, volume and page: for them the
            # authors are what tells them apart. Two different first pages are two items.
            notice = bool(a.title_kind or b.title_kind or a.type_kind or b.type_kind)
            if (
                title_sim >= t.title_strong
                # An epub-ahead-of-print year is one off: then three agreeing fields are needed.
                and len(support) >= (2 if year_match is not False else 3)
                and conflicts[0] != "pages"
                and not (notice and conflicts[0] == "authors")
            ):
                # One field given differently (a journal in translation, a mistyped page or
                # volume, an author list in another order) against two or more that agree.
                return result(f"title_and_fields_but_{conflicts[0]}", "same")
            # Different page ranges under the same title, authors, journal, volume and year:
            # a page typed wrong in one database, or an article number against the PDF's pages
            # ("e12724" / "1-6"). Two articles cannot share all of that; a notice (one page)
            # and a companion part (ruled out above) can.
            if (
                conflicts[0] == "pages"
                and not notice
                and title_sim >= t.title_strong
                and _page_range(a)
                and _page_range(b)
                and len(support) == 3
                and author_sim is not None
                and author_sim >= t.author_strong
                and year_match is True
            ):
                return result("title_and_fields_but_pages", "same")
            return result(f"title_but_{conflicts[0]}", "possible")
        # Two fields against: a person decides; three or more: another item with this title.
        if (
            len(conflicts) == 2
            and title_sim >= t.title_strong
            and "authors" in support
            and year_match is True
        ):
            return result("title_but_" + "_".join(conflicts), "possible")
        return result("title_but_" + "_".join(conflicts), "different")
    if citation:
        # Journal, volume, first page, year and authors all agree: a title in another language.
        return result("citation_match", "same")
    if (
        conflicts == ["journal"]
        and title_sim >= t.title_possible
        and pages is True
        and _page_range(a)
        and _page_range(b)
        and a.last_page == b.last_page
        and volume is True
        and year_match is True
        and author_sim is not None
        and author_sim >= t.author_strong
    ):
        # A close title with the whole citation but the journal's name: the journal given under
        # another of its titles ("Praxis" / "Schweizerische Rundschau fur Medizin Praxis"). Two
        # articles never share volume, page range, year and authors.
        return result("citation_but_journal", "same")
    if title_sim >= t.title_possible and not conflicts:
        return result("title_close", "possible")
    if foreign and fields_agree and volume is not None:
        return result("translated_title_fields", "possible")
    return result("no_agreement", "different")
