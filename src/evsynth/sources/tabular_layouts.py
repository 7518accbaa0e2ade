"""Tabular export layouts (CSV, TSV, XLSX) -> canonical fields (data only).

One :class:`~evsynth.sources.fields.TableLayout` per vendor, written from the vendor's documented
or observed column list (FORMATS.md, docs/formats.md). Columns are found by name, never by
position; a column a layout knows but a file lacks is fine, and a column it does not know is
reported in the search log. ``source_id`` is the exporting database's own accession, or for
reference managers and screening tools their own record key (Zotero ``Key``, Rayyan ``key``,
``Covidence #``), which is what stays stable when the same library or review is exported again.
"""

from __future__ import annotations

from evsynth.sources import embase_tags, scopus_tags
from evsynth.sources.fields import FieldMap, IdRule, TableLayout

__all__ = ["LAYOUTS", "MAPPABLE_FIELDS"]

_DOI = r"(10\.\d{4,9}/\S+)"
_PMID = r"^\s*(?:PUBMED\s*|PMID:?\s*)?([1-9]\d{0,8})\s*$"
_SEMI = r"\s*;\s*"
_PIPE = r"\s*\|\s*"

EMBASE = TableLayout(
    name="embase-csv",
    title="Embase.com CSV/XLSX export",
    field_map=embase_tags.FIELD_MAP,
    markers=("Embase Accession ID", "PUI", "Embase Link", "Emtree Medical Index Terms"),
    signature=embase_tags.SIGNATURE,
    excluded=("EID",),
    ignored=embase_tags.IGNORED_COLUMNS,
)

SCOPUS = TableLayout(
    name="scopus-csv",
    title="Scopus CSV export",
    field_map=scopus_tags.FIELD_MAP,
    markers=("EID",),
    signature=scopus_tags.SIGNATURE,
    excluded=("Author Names", "Embase Accession ID", "Lens ID", "Issue Number"),
    ignored=scopus_tags.IGNORED_COLUMNS,
)

COCHRANE = TableLayout(
    name="cochrane-csv",
    title="Cochrane Library CSV export",
    field_map=FieldMap(
        single={
            "title": ("Title",),
            "journal": ("Source",),
            "year": ("Year",),
            "volume": ("Volume",),
            "issue": ("Issue",),
            "pages": ("Pages",),
            "abstract": ("Abstract",),
            "url": ("URL",),
        },
        multi={
            "authors": ("Author(s)",),
            "keywords": ("Keywords",),
            "pub_type": ("Publication Type",),
        },
        ids=(
            IdRule("source_id", ("CENTRAL ID", "URL"), r"\b(CN-\d{6,})\b", needles=("CN-",)),
            IdRule("pmid", ("PubMed ID",), _PMID),
            IdRule("doi", ("DOI",), _DOI, needles=("10.",)),
        ),
        split={"Author(s)": _SEMI, "Keywords": _SEMI, "Publication Type": _SEMI},
    ),
    markers=("CENTRAL ID", "Cochrane Review Group Code"),
    signature=("Author(s)", "Title", "Source", "Year", "Database Name"),
    ignored=frozenset(
        {
            "Database Name",
            "Embase ID",
            "CTgov ID",
            "CINAHL ID",
            "ICTRP ID",
            "Cochrane Review Group Code",
        }
    ),
)

LENS = TableLayout(
    name="lens-csv",
    title="Lens.org scholarly works CSV/TSV/XLSX export",
    field_map=FieldMap(
        single={
            "title": ("Title",),
            "journal": ("Source Title",),
            "year": ("Publication Year", "Date Published"),
            "volume": ("Volume",),
            "issue": ("Issue Number",),
            "start_page": ("Start Page",),
            "end_page": ("End Page",),
            "abstract": ("Abstract",),
            "issn": ("ISSNs",),
            "url": ("External URL", "Source URLs"),
        },
        multi={
            "authors": ("Author/s",),
            "keywords": ("Keywords", "MeSH Terms"),
            "pub_type": ("Publication Type",),
        },
        ids=(
            IdRule("source_id", ("Lens ID",), r"^\s*(\d{3}-\d{3}-\d{3}-\d{3}-\d{2}[\dX])\s*$"),
            IdRule("pmid", ("PMID",), _PMID),
            IdRule("doi", ("DOI",), _DOI, needles=("10.",)),
        ),
        split={"Author/s": _SEMI, "Keywords": _SEMI, "MeSH Terms": _SEMI},
    ),
    markers=("Lens ID",),
    signature=("Title", "Author/s", "Source Title", "Issue Number", "Start Page"),
    given_first=True,
    ignored=frozenset(
        {
            "Date Published",
            "Publisher",
            "Source Country",
            "Fields of Study",
            "Chemicals",
            "Funding",
            "Source URLs",
            "Microsoft Academic ID",
            "PMCID",
            "Citing Patents Count",
            "References",
            "Citing Works Count",
            "Open Access License",
            "Open Access Colour",
            "Publication Date",
            "Citing Works",
            "Patent Citations",
            "Institutions",
            "Author Count",
        }
    ),
)

OPENALEX = TableLayout(
    name="openalex-csv",
    title="OpenAlex works CSV export",
    field_map=FieldMap(
        single={
            "title": ("title", "display_name"),
            "journal": ("primary_location.source.display_name", "host_venue.display_name"),
            "year": ("publication_year", "publication_date"),
            "volume": ("biblio.volume",),
            "issue": ("biblio.issue",),
            "start_page": ("biblio.first_page",),
            "end_page": ("biblio.last_page",),
            "abstract": ("abstract",),
            "issn": ("primary_location.source.issn_l", "primary_location.source.issn"),
            "url": ("primary_location.landing_page_url", "doi"),
            "language": ("language",),
        },
        multi={
            "authors": ("authorships.author.display_name", "authorships.raw_author_name"),
            "keywords": ("keywords.display_name",),
            "pub_type": ("type",),
        },
        ids=(
            IdRule("source_id", ("id", "ids.openalex"), r"(?:^|/)(W\d+)\s*$"),
            IdRule("pmid", ("ids.pmid",), r"(?:^|/)([1-9]\d{0,8})/?\s*$"),
            IdRule("doi", ("doi", "ids.doi"), _DOI, needles=("10.",)),
        ),
        split={
            "authorships.author.display_name": _PIPE,
            "authorships.raw_author_name": _PIPE,
            "keywords.display_name": _PIPE,
        },
    ),
    markers=("ids.openalex", "authorships.author.display_name", "primary_location.source.id"),
    signature=("id", "display_name", "publication_year", "cited_by_count"),
    given_first=True,
    null_values=frozenset({"None", "nan", "NaN"}),
    ignored=frozenset(
        {
            "display_name",
            "relevance_score",
            "publication_date",
            "type_crossref",
            "indexed_in",
            "countries_distinct_count",
            "institutions_distinct_count",
            "corresponding_author_ids",
            "corresponding_institution_ids",
            "fwci",
            "has_fulltext",
            "fulltext_origin",
            "cited_by_count",
            "is_retracted",
            "is_paratext",
            "mesh",
            "locations_count",
            "datasets",
            "versions",
            "referenced_works_count",
            "referenced_works",
            "related_works",
            "ngrams_url",
            "cited_by_api_url",
            "updated_date",
            "created_date",
            "citation_normalized_percentile",
            "apc_list",
            "apc_paid",
        }
    ),
    # OpenAlex flattens its nested JSON: whole families of derived columns we do not keep.
    ignored_prefixes=(
        "ids.",
        "primary_location.",
        "best_oa_location.",
        "locations.",
        "open_access.",
        "apc_list.",
        "apc_paid.",
        "citation_normalized_percentile.",
        "cited_by_percentile_year.",
        "biblio.",
        "primary_topic.",
        "topics.",
        "keywords.",
        "concepts.",
        "authorships.",
        "sustainable_development_goals.",
        "grants.",
        "counts_by_year.",
        "host_venue.",
    ),
)

PUBMED = TableLayout(
    name="pubmed-csv",
    title="PubMed CSV export",
    field_map=FieldMap(
        single={
            "title": ("Title",),
            "journal": ("Journal/Book",),
            "year": ("Publication Year",),
            "citation": ("Citation",),
        },
        multi={"authors": ("Authors",)},
        ids=(
            IdRule("source_id", ("PMID",), _PMID),
            IdRule("pmid", ("PMID",), _PMID),
            IdRule("doi", ("DOI", "Citation"), _DOI, needles=("10.",)),
        ),
        # "Griffin DK, Larkin DM, O'Connor RE." (the final "." ends the list, see ``strip``).
        split={"Authors": r",\s+"},
    ),
    markers=("Journal/Book", "NIHMS ID"),
    signature=("PMID", "Title", "Authors", "Citation"),
    strip={"Authors": r"\.\s*$"},
    ignored=frozenset({"First Author", "Create Date", "PMCID", "NIHMS ID"}),
)

CINAHL = TableLayout(
    name="cinahl-csv",
    title="EBSCOhost CSV export (CINAHL and other EBSCO databases)",
    field_map=FieldMap(
        single={
            "title": ("Article Title", "Title"),
            "journal": ("Journal Title", "Source"),
            "year": ("Publication Date", "Publication Year"),
            "volume": ("Volume",),
            "issue": ("Issue",),
            "start_page": ("First Page", "Start Page"),
            "end_page": ("End Page",),
            "abstract": ("Abstract",),
            "issn": ("ISSN",),
            "url": ("PLink", "URL"),
            "language": ("Language",),
        },
        multi={
            "authors": ("Author", "Authors"),
            "keywords": ("Subjects", "Keywords"),
            "pub_type": ("Doctype", "Publication Type", "Document Type"),
        },
        ids=(
            IdRule("source_id", ("Accession Number",), r"^\s*(\S+)\s*$"),
            IdRule("source_id", ("PLink",), r"[?&]AN=([^&\s]+)", needles=("AN=",)),
            IdRule("pmid", ("PMID", "PubMed ID"), _PMID),
            IdRule("doi", ("DOI",), _DOI, needles=("10.",)),
        ),
        split={"Author": _SEMI, "Authors": _SEMI, "Subjects": _SEMI, "Keywords": _SEMI},
    ),
    markers=("PLink", "Doctype"),
    signature=("Article Title", "Author", "Journal Title", "Accession Number"),
    ignored=frozenset({"ISBN", "Page Count", "Publisher"}),
)

GOOGLE_SCHOLAR = TableLayout(
    name="scholar-csv",
    title="Google Scholar (My library) CSV export",
    field_map=FieldMap(
        single={
            "title": ("Title",),
            "journal": ("Publication",),
            "year": ("Year",),
            "volume": ("Volume",),
            "issue": ("Number",),
            "pages": ("Pages",),
        },
        multi={"authors": ("Authors",)},
        split={"Authors": _SEMI},
    ),
    signature=("Authors", "Title", "Publication", "Year"),
    excluded=("Source title", "Publication Title"),
    ignored=frozenset({"Publisher"}),
)

ZOTERO = TableLayout(
    name="zotero-csv",
    title="Zotero CSV export",
    field_map=FieldMap(
        single={
            "title": ("Title",),
            "journal": ("Publication Title",),
            "journal_abbrev": ("Journal Abbreviation",),
            "year": ("Publication Year", "Date"),
            "volume": ("Volume",),
            "issue": ("Issue",),
            "pages": ("Pages",),
            "abstract": ("Abstract Note",),
            "issn": ("ISSN",),
            "url": ("Url",),
            "language": ("Language",),
        },
        multi={
            "authors": ("Author",),
            "keywords": ("Manual Tags", "Automatic Tags"),
            "pub_type": (),  # from the Item Type code (type_names)
        },
        ids=(
            IdRule("source_id", ("Key",), r"^\s*([A-Z0-9]{8})\s*$"),
            IdRule("pmid", ("Extra",), r"\bPMID:\s*(\d{1,9})\b", needles=("PMID",)),
            IdRule("doi", ("DOI",), _DOI, needles=("10.",)),
            IdRule("doi", ("Extra",), r"\bDOI:\s*" + _DOI, needles=("DOI",)),
        ),
        split={"Author": _SEMI, "Manual Tags": _SEMI, "Automatic Tags": _SEMI},
        # Zotero's item type codes, spelled as the other formats spell publication types.
        type_tag="Item Type",
        type_names={
            "JOURNALARTICLE": "Journal Article",
            "BOOK": "Book",
            "BOOKSECTION": "Book Section",
            "CONFERENCEPAPER": "Conference Paper",
            "THESIS": "Thesis",
            "REPORT": "Report",
            "PREPRINT": "Preprint",
            "WEBPAGE": "Web Page",
            "MAGAZINEARTICLE": "Magazine Article",
            "NEWSPAPERARTICLE": "Newspaper Article",
            "DOCUMENT": "Document",
        },
    ),
    markers=("Abstract Note", "Manual Tags", "Automatic Tags", "Item Type"),
    signature=("Key", "Item Type", "Title", "Author"),
    ignored=frozenset(
        {
            "Item Type",
            "ISBN",
            "Date",
            "Date Added",
            "Date Modified",
            "Access Date",
            "Num Pages",
            "Number Of Volumes",
            "Short Title",
            "Series",
            "Series Number",
            "Series Text",
            "Series Title",
            "Publisher",
            "Place",
            "Rights",
            "Type",
            "Archive",
            "Archive Location",
            "Library Catalog",
            "Call Number",
            "Extra",
            "Notes",
            "File Attachments",
            "Link Attachments",
            "Editor",
            "Series Editor",
            "Translator",
            "Contributor",
            "Attorney Agent",
            "Book Author",
            "Cast Member",
            "Commenter",
            "Composer",
            "Cosponsor",
            "Counsel",
            "Interviewer",
            "Producer",
            "Recipient",
            "Reviewed Author",
            "Scriptwriter",
            "Words By",
            "Guest",
            "Number",
            "Edition",
            "Running Time",
            "Scale",
            "Medium",
            "Artwork Size",
            "Filing Date",
            "Application Number",
            "Assignee",
            "Issuing Authority",
            "Country",
            "Meeting Name",
            "Conference Name",
            "Court",
            "References",
            "Reporter",
            "Legal Status",
            "Priority Numbers",
            "Programming Language",
            "Version",
            "System",
            "Code",
            "Code Number",
            "Section",
            "Session",
            "Committee",
            "History",
            "Legislative Body",
        }
    ),
)

REFWORKS = TableLayout(
    name="refworks-tab",
    title="RefWorks tab-delimited export",
    field_map=FieldMap(
        single={
            "title": ("Title Primary",),
            "journal": ("Periodical Full",),
            "journal_abbrev": ("Periodical Abbrev",),
            "year": ("Pub Year", "Pub Date Free From"),
            "volume": ("Volume",),
            "issue": ("Issue",),
            "start_page": ("Start Page",),
            "end_page": ("Other Pages",),
            "abstract": ("Abstract",),
            "issn": ("ISSN/ISBN",),
            "url": ("URL", "Links"),
            "language": ("Language",),
        },
        multi={
            "authors": ("Authors, Primary",),
            "keywords": ("Keywords",),
            "pub_type": ("Reference Type",),
        },
        ids=(
            # "100,doc:61b997e48f08e21cc56b3955": the doc id is RefWorks's own record key.
            IdRule("source_id", ("Reference Id",), r"(doc:[0-9a-f]+)", needles=("doc:",)),
            IdRule("source_id", ("Reference Id",), r"^\s*(\S+)\s*$"),
            IdRule("pmid", ("PMID",), _PMID),
            IdRule("doi", ("DOI",), _DOI, needles=("10.",)),
        ),
        split={"Authors, Primary": _SEMI, "Keywords": _SEMI},
    ),
    markers=("Authors, Primary", "Title Primary", "Periodical Full"),
    signature=("Reference Type", "Reference Id", "Title Primary"),
    ignored=frozenset(
        {
            "Pub Month & Day",
            "Notes",
            "Personal Notes",
            "Authors, Secondary",
            "Title Secondary",
            "Edition",
            "Publisher",
            "Place Of Publication",
            "Authors, Tertiary",
            "Authors, Quaternary",
            "Authors, Quinary",
            "Title, Tertiary",
            "Availability",
            "Author/Address",
            "Accession Number",
            "Output Language",
            "Classification",
            "Sub file/Database",
            "Original Foreign Title",
            "PMCID",
            "Call Number",
            "Database",
            "Data Source",
            "Identifying Phrase",
            "Retrieved Date",
            "Shortened Title",
            *(f"User {n}" for n in range(1, 16)),
        }
    ),
)

ENDNOTE_TAB = TableLayout(
    name="endnote-tab",
    title="EndNote tab-delimited export",
    field_map=FieldMap(
        single={
            "title": ("Title",),
            "journal": ("Secondary Title", "Journal"),
            "journal_abbrev": ("Alternate Title", "Alternate Journal"),
            "year": ("Year", "Date"),
            "volume": ("Volume",),
            "issue": ("Number", "Issue"),
            "pages": ("Pages",),
            "abstract": ("Abstract",),
            "issn": ("ISBN/ISSN", "ISSN", "ISBN"),
            "url": ("URL",),
            "language": ("Language",),
        },
        multi={
            "authors": ("Author", "Authors"),
            "keywords": ("Keywords",),
            "pub_type": ("Type of Work", "Reference Type"),
        },
        ids=(
            IdRule("source_id", ("Record Number",), r"^\s*(\d+)\s*$"),
            IdRule("source_id", ("Accession Number",), r"^\s*(\S+)\s*$"),
            IdRule("pmid", ("PMID", "Accession Number"), _PMID, database=r"pubmed|medline"),
            IdRule("doi", ("DOI", "Electronic Resource Number"), _DOI, needles=("10.",)),
        ),
        # EndNote separates repeated values with "//" (its import rules) or writes one per line.
        split={
            "Author": r"\s*//\s*|\s*;\s*|\s*\n\s*",
            "Authors": r"\s*//\s*|\s*;\s*|\s*\n\s*",
            "Keywords": r"\s*//\s*|\s*;\s*|\s*\n\s*",
        },
        database_tags=("Name of Database", "Database Provider", "Remote Database Name"),
    ),
    markers=("Secondary Title", "Record Number", "Electronic Resource Number", "Name of Database"),
    signature=("Reference Type", "Author", "Year", "Title"),
    excluded=("Item Type", "Authors, Primary"),
    ignored=frozenset(
        {
            "Short Title",
            "Label",
            "Notes",
            "Research Notes",
            "Publisher",
            "Place Published",
            "Edition",
            "Call Number",
            "Author Address",
            "Caption",
            "Access Date",
            "Tertiary Title",
            "Tertiary Author",
            "Secondary Author",
            "Subsidiary Author",
            "Translated Author",
            "Translated Title",
            "Original Publication",
            "Reprint Edition",
            "Reviewed Item",
            "Section",
            "Number of Volumes",
            "Custom 1",
            "Custom 2",
            "Custom 3",
            "Custom 4",
            "Custom 5",
            "Custom 6",
            "Custom 7",
            "Custom 8",
            "PMCID",
            "NIHMSID",
            "Link to PDF",
            "Image",
            "File Attachments",
            "Figure",
            "Date",
            "Name of Database",
            "Database Provider",
            "Remote Database Name",
        }
    ),
)

RAYYAN = TableLayout(
    name="rayyan-csv",
    title="Rayyan articles CSV export",
    field_map=FieldMap(
        single={
            "title": ("title",),
            "journal": ("journal",),
            "year": ("year",),
            "volume": ("volume",),
            "issue": ("issue",),
            "pages": ("pages",),
            "abstract": ("abstract",),
            "issn": ("issn",),
            "url": ("url",),
            "language": ("language",),
        },
        multi={"authors": ("authors",), "keywords": ("keywords",)},
        ids=(
            IdRule("source_id", ("key",), r"^\s*(\S+)\s*$"),
            IdRule("pmid", ("pubmed_id",), _PMID),
            IdRule("doi", ("doi",), _DOI, needles=("10.",)),
        ),
        # "Yang, Z. and Jiang, B." (BibTeX style); keywords "keratin;melanin".
        split={"authors": r"\s+and\s+", "keywords": _SEMI},
    ),
    signature=("key", "title", "authors", "journal", "notes"),
    excluded=("Item Type", "Covidence #"),
    ignored=frozenset({"month", "day", "publisher", "location", "notes", "pmc_id"}),
)

COVIDENCE = TableLayout(
    name="covidence-csv",
    title="Covidence references CSV export",
    field_map=FieldMap(
        single={
            "title": ("Title",),
            "journal": ("Journal",),
            "year": ("Published Year",),
            "volume": ("Volume",),
            "issue": ("Issue",),
            "pages": ("Pages",),
            "abstract": ("Abstract",),
        },
        multi={"authors": ("Authors",)},
        ids=(
            IdRule("source_id", ("Covidence #",), r"^\s*#?\s*(\d+)\s*$"),
            IdRule("doi", ("DOI",), _DOI, needles=("10.",)),
        ),
        split={"Authors": _SEMI},
    ),
    markers=("Covidence #",),
    signature=("Title", "Authors", "Published Year", "Journal", "Study"),
    ignored=frozenset({"Published Month", "Accession Number", "Ref", "Study", "Notes", "Tags"}),
)

ABSTRACKR = TableLayout(
    name="abstrackr-csv",
    title="Abstrackr labels CSV export",
    field_map=FieldMap(
        single={"title": ("title",), "journal": ("journal",), "abstract": ("abstract",)},
        multi={"authors": ("authors",), "keywords": ("keywords",)},
        ids=(
            IdRule("source_id", ("(internal) id",), r"^\s*(\d+)\s*$"),
            IdRule("pmid", ("pubmed id",), _PMID),
        ),
        # "Longrich, N.R.\n and Pereda-Suberbiola, X.\n": one author per line, " and "-joined.
        split={"authors": r"\s*\n\s*(?:and\s+)?|\s+and\s+", "keywords": r"\s*,\s*"},
    ),
    markers=("(internal) id", "(source) id"),
    signature=("title", "authors", "pubmed id", "consensus"),
    ignored=frozenset({"(source) id", "tags", "consensus", "labeled_at"}),
    # Per-reviewer label and notes columns are named after the reviewer ("Anonymous").
    ignored_prefixes=("general notes", "population notes", "intervention", "outcome notes"),
)

EPPI = TableLayout(
    name="eppi-xlsx",
    title="EPPI-Reviewer items export (XLSX/CSV)",
    field_map=FieldMap(
        single={
            "title": ("Title",),
            "journal": ("ParentTitle",),
            "year": ("Year",),
            "volume": ("Volume",),
            "issue": ("Issue",),
            "pages": ("Pages",),
            "abstract": ("Abstract",),
            "url": ("URL",),
        },
        multi={"authors": ("Authors",), "keywords": ("Keywords",), "pub_type": ("TypeName",)},
        ids=(
            IdRule("source_id", ("ID", "ItemId"), r"^\s*(\d+)\s*$"),
            IdRule("doi", ("DOI",), _DOI, needles=("10.",)),
        ),
        split={"Authors": _SEMI, "Keywords": r"\s*;\s*|\s*\n\s*"},
    ),
    markers=("ShortTitle", "ParentTitle", "ItemId"),
    signature=("ID", "ShortTitle", "Title"),
    excluded=("Item Type", "Key"),
    ignored=frozenset({"Included", "ShortTitle", "ParentAuthors", "OldItemId", "Edition"}),
)

#: Every layout, most specific first (ties in detection go to the earlier one).
LAYOUTS: tuple[TableLayout, ...] = (
    EMBASE,
    SCOPUS,
    COCHRANE,
    LENS,
    OPENALEX,
    PUBMED,
    CINAHL,
    ZOTERO,
    REFWORKS,
    ENDNOTE_TAB,
    COVIDENCE,
    ABSTRACKR,
    RAYYAN,
    EPPI,
    GOOGLE_SCHOLAR,
)

#: Fields ``--columns`` may map (``accession`` is accepted for ``source_id``).
MAPPABLE_FIELDS = (
    "title", "authors", "journal", "journal_abbrev", "year", "volume", "issue", "pages",
    "start_page", "end_page", "doi", "pmid", "abstract", "keywords", "issn", "url", "language",
    "pub_type", "source_id",
)  # fmt: skip
