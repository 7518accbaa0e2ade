"""EndNote tagged ("Refer"-style) export, ``.enw``: tags -> canonical fields (data only).

Source: EndNote's tagged import/export format (the "EndNote Import" filter and its tag list in the
EndNote manual): each field is ``%X value`` with a one-character tag after ``%``, ``%0`` names the
reference type and starts a record, authors repeat ``%A``. Google Scholar, PubMed's citation
manager, publishers' "download citation" links and EndNote itself write it.
"""

from __future__ import annotations

from evsynth.sources.fields import FieldMap, IdRule
from evsynth.sources.ris_tags import PUBMED_DATABASE

__all__ = ["FIELD_MAP", "IGNORED_TAGS", "ONE_VALUE_PER_LINE", "TAGS"]

#: The tags EndNote documents that we recognise, with EndNote's field names (any other tag is
#: read and reported in the log as unknown).
TAGS = {
    "%0": "Reference Type",
    "%A": "Author",
    "%B": "Secondary Title (journal or book title)",
    "%C": "Place Published",
    "%D": "Year",
    "%E": "Editor / Secondary Author",
    "%F": "Label",
    "%G": "Language",
    "%I": "Publisher",
    "%J": "Secondary Title (journal name)",
    "%K": "Keywords",
    "%L": "Call Number",
    "%M": "Accession Number",
    "%N": "Number (issue)",
    "%O": "Alternate Title (journal abbreviation)",
    "%P": "Pages",
    "%R": "Electronic Resource Number (DOI)",
    "%S": "Tertiary Title (series)",
    "%T": "Title",
    "%U": "URL",
    "%V": "Volume",
    "%W": "Database Provider",
    "%X": "Abstract",
    "%Y": "Tertiary Author",
    "%Z": "Notes",
    "%1": "Custom 1",
    "%2": "Custom 2",
    "%3": "Custom 3",
    "%4": "Custom 4",
    "%7": "Edition",
    "%8": "Date",
    "%9": "Type of Work",
    "%?": "Subsidiary Author",
    "%@": "ISBN/ISSN",
    "%!": "Short Title",
    "%&": "Section",
    "%(": "Original Publication",
    "%)": "Reprint Edition",
    "%*": "Reviewed Item",
    "%+": "Author Address",
    "%^": "Caption",
    "%>": "File Attachments",
    "%<": "Research Notes",
    "%~": "Name of Database",
}

_IDS = ("%M", "%L", "%Z", "%1", "%2", "%3", "%4", "%F")

FIELD_MAP = FieldMap(
    single={
        "title": ("%T",),
        # %J is the journal of a journal article; %B the book (or, in some writers, the journal).
        "journal": ("%J", "%B", "%S"),
        "journal_abbrev": ("%O",),
        "year": ("%D", "%8"),
        "volume": ("%V",),
        "issue": ("%N",),
        "pages": ("%P",),
        "abstract": ("%X",),
        "issn": ("%@",),
        "url": ("%U",),
    },
    multi={
        "authors": ("%A",),
        "keywords": ("%K",),
        "language": ("%G",),
        "pub_type": ("%9",),
    },
    ids=(
        IdRule("source_id", (*_IDS, "%U"), r"\b(CN-\d{6,})\b", needles=("CN-",)),
        IdRule("source_id", _IDS, r"^\s*(L\d{6,})\s*$"),
        IdRule("source_id", ("%U",), r"[?&]id=(L\d{6,})\b", needles=("id=L",)),
        IdRule("source_id", _IDS, r"\b(?:WOS|ISI):([0-9A-Z]{15})\b", needles=("WOS:", "ISI:")),
        IdRule("source_id", (*_IDS, "%U"), r"\b(2-s2\.0-\d{6,})\b", needles=("2-s2.0-",)),
        IdRule("source_id", ("%M",), r"^\s*(\d{6,12})\s*$", database=r"embase"),
        IdRule("pmid", (*_IDS, "%U"), r"(?:^|[;|]\s*)PMID:?\s*(\d{1,9})\b", needles=("PMID",)),
        IdRule(
            "pmid",
            ("%U",),
            r"(?:pubmed\.ncbi\.nlm\.nih\.gov/|/pubmed/)(\d{1,9})\b",
            needles=("pubmed",),
        ),
        IdRule(
            "pmid",
            ("%M",),
            r"^\s*(\d{1,9})\s*$",
            database=PUBMED_DATABASE,
            without_accession=True,
        ),
        IdRule("doi", ("%R",), r"(10\.\d{4,9}/\S+)", needles=("10.",)),
        IdRule("doi", ("%U", "%Z"), r"doi\.org/(10\.\d{4,9}/\S+)", needles=("doi.org",)),
    ),
    database_tags=("%~", "%W"),
    type_tag="%0",
    pmid_accession_database=PUBMED_DATABASE,
)

#: Tags whose continuation lines are separate values (EndNote writes one keyword per line).
ONE_VALUE_PER_LINE = frozenset({"%K"})

#: Tags read but not kept.
IGNORED_TAGS = frozenset(TAGS) - FIELD_MAP.known_tags
