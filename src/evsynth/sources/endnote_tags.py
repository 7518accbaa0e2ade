"""EndNote XML element paths -> canonical fields (data only).

EndNote, Zotero and Mendeley write ``<xml><records><record>``; text is often wrapped in
``<style face="normal" font="default" size="100%">`` elements, which is why values are read as
all the text inside an element. Paths are relative to ``<record>``; each path's name is the "tag"
the field map refers to. The accession number's meaning depends on the remote database, so it
goes through the same ordered identifier rules as RIS.
"""

from __future__ import annotations

from evsynth.sources.fields import FieldMap, IdRule
from evsynth.sources.ris_tags import PUBMED_DATABASE

__all__ = ["FIELD_MAP", "KNOWN_CHILDREN", "PATHS"]

PATHS = {
    "title": "titles/title",
    "secondary-title": "titles/secondary-title",
    "alt-title": "titles/alt-title",
    "full-title": "periodical/full-title",
    "abbr-1": "periodical/abbr-1",
    "alt-full-title": "alt-periodical/full-title",
    "alt-abbr-1": "alt-periodical/abbr-1",
    "author": "contributors/authors/author",
    "year": "dates/year",
    "pub-date": "dates/pub-dates/date",
    "volume": "volume",
    "number": "number",
    "pages": "pages",
    "abstract": "abstract",
    "isbn": "isbn",
    "url": "urls/related-urls/url",
    "pdf-url": "urls/pdf-urls/url",
    "language": "language",
    "keyword": "keywords/keyword",
    "work-type": "work-type",
    "accession-num": "accession-num",
    "electronic-resource-num": "electronic-resource-num",
    "remote-database-name": "remote-database-name",
    "remote-database-provider": "remote-database-provider",
    "notes": "notes",
    "custom1": "custom1",
    "custom2": "custom2",
    "custom3": "custom3",
    "custom6": "custom6",
    "call-num": "call-num",
    "label": "label",
}

_IDS = ("accession-num", "call-num", "notes", "custom1", "custom2", "custom3", "custom6", "label")
_LINKS = ("url", "pdf-url")

FIELD_MAP = FieldMap(
    single={
        "title": ("title",),
        "journal": ("full-title", "secondary-title", "alt-full-title"),
        "journal_abbrev": ("abbr-1", "alt-title", "alt-abbr-1"),
        "year": ("year", "pub-date"),
        "volume": ("volume",),
        "issue": ("number",),
        "pages": ("pages",),
        "abstract": ("abstract",),
        "issn": ("isbn",),
        "url": ("url",),
    },
    multi={
        "authors": ("author",),
        "keywords": ("keyword",),
        "language": ("language",),
        "pub_type": ("work-type", "ref-type"),
    },
    ids=(
        IdRule("source_id", (*_IDS, *_LINKS), r"\b(CN-\d{6,})\b", needles=("CN-", "cn-")),
        IdRule("source_id", _IDS, r"^\s*(L\d{6,})\s*$"),
        IdRule("source_id", _LINKS, r"[?&]id=(L\d{6,})\b", needles=("id=L",)),
        IdRule(
            "source_id",
            _IDS,
            r"\b(?:WOS|ISI):([0-9A-Z]{15})\b",
            needles=("WOS:", "ISI:", "wos:", "isi:"),
        ),
        IdRule("source_id", (*_IDS, *_LINKS), r"\b(2-s2\.0-\d{6,})\b", needles=("2-s2.0-",)),
        IdRule("source_id", ("accession-num",), r"^\s*(\d{6,12})\s*$", database=r"embase"),
        IdRule(
            "pmid", (*_IDS, *_LINKS), r"\bPMID:?\s*(\d{1,9})\b", needles=("PMID", "pmid", "Pmid")
        ),
        IdRule(
            "pmid",
            _LINKS,
            r"(?:pubmed\.ncbi\.nlm\.nih\.gov/|/pubmed/)(\d{1,9})\b",
            needles=("pubmed",),
        ),
        IdRule("pmid", ("accession-num",), r"^\s*(\d{1,9})\s*$", database=r"pub\s*med|medline|nlm"),
        IdRule("doi", ("electronic-resource-num",), r"(10\.\d{4,9}/\S+)", needles=("10.",)),
        IdRule("doi", ("notes", *_LINKS), r"doi\.org/(10\.\d{4,9}/\S+)", needles=("doi.org",)),
    ),
    database_tags=("remote-database-name", "remote-database-provider"),
    pmid_accession_database=PUBMED_DATABASE,
)

#: Children of <record> that are read or deliberately ignored (others are reported).
KNOWN_CHILDREN = frozenset({
    "database", "source-app", "rec-number", "foreign-keys", "ref-type", "contributors", "titles",
    "periodical", "alt-periodical", "pages", "volume", "number", "keywords", "dates", "isbn",
    "accession-num", "electronic-resource-num", "remote-database-name", "remote-database-provider",
    "language", "urls", "abstract", "notes", "custom1", "custom2", "custom3", "custom4", "custom5",
    "custom6", "custom7", "work-type", "label", "call-num", "auth-address", "edition", "section",
    "pub-location", "publisher", "orig-pub", "reprint-edition", "research-notes", "caption",
    "num-vols", "access-date", "modified-date", "auth-affiliaton", "translated-title", "misc1",
    "misc2", "misc3", "reviewed-item",
})  # fmt: skip
