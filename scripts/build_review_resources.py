#!/usr/bin/env python3
"""Build the osteosarcoma review's search exports from public bibliographic facts.

Licensed database exports (Embase, Web of Science, Cochrane Library) cannot be redistributed, so
the default review ships exports *reconstructed* from the verified facts in
``resources/data/records.csv`` and ``resources/data/studies.csv``. Each record is rendered the
way each database formats it (tags, author styles, journal names and abbreviations, page formats,
title case and trailing periods), with realistic coverage (a record is in PubMed only when its
PMID is known; Web of Science and CENTRAL hold subsets), so that deduplication has real work.
Nothing is invented: a field that is not in the facts is left out of every export (no accession
numbers, no abstracts, no made-up PMIDs).

The output is deterministic: running the script twice gives byte-identical files. It also writes
``manifest.tsv`` (which bibliographic item each exported record renders), which the tests use to
check that deduplication finds exactly the planted cross-database duplicates. With
``--decisions`` it also writes the one reviewer's screening decisions, keyed by the record ids
evsynth's importers give the exported records.

Usage: ``python scripts/build_review_resources.py [--out DIR] [--decisions resources/screening]``
"""

from __future__ import annotations

import argparse
import csv
import hashlib
import json
import re
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path
from xml.sax.saxutils import escape

ROOT = Path(__file__).resolve().parents[1]
DATA = ROOT / "resources" / "data"
RUN = "2025-12-31"

# ISO 639-2 codes PubMed uses for the languages present in the data.
PUBMED_LANG = {
    "English": "eng",
    "Spanish": "spa",
    "German": "ger",
    "Chinese": "chi",
    "Japanese": "jpn",
    "Korean": "kor",
}


@dataclass
class Item:
    """One bibliographic item (an article as it exists), merged from the fact sheets."""

    key: str
    title: str = ""
    authors: list[tuple[str, str]] = field(default_factory=list)  # (family, initials)
    year: str = ""
    journal: str = ""
    journal_abbrev: str = ""
    volume: str = ""
    issue: str = ""
    pages: str = ""
    doi: str = ""
    pmid: str = ""
    pub_type: str = ""
    language: str = ""
    origin: str = ""  # "records.csv:<line>" or "studies.csv:<line>"
    decision: str = ""  # records.csv judgement: include | exclude
    exclusion_reason: str = ""
    stage: str = ""  # the stage at which records.csv's judgement was made
    study_ids: list[str] = field(default_factory=list)  # studies.csv rows describing this item


def fold(text: str) -> str:
    text = unicodedata.normalize("NFKD", text)
    text = "".join(ch for ch in text if not unicodedata.combining(ch))
    return re.sub(r"[^a-z0-9]+", " ", text.lower()).strip()


def parse_authors(cell: str, first_author: str) -> list[tuple[str, str]]:
    """'Huang YM; Hou CH' -> [('Huang', 'YM'), ('Hou', 'CH')]; drops '[et al. ...]' notes."""
    cell = re.sub(r"\[.*?\]", "", cell or "").strip()
    names = [n.strip() for n in cell.split(";") if n.strip()]
    if not names and first_author and not first_author.startswith("("):
        names = [first_author.strip()]
    out = []
    for name in names:
        match = re.match(r"^(.*?)\s+([A-Z]{1,4})$", name)
        if match:
            out.append((match.group(1), match.group(2)))
        else:
            out.append((name, ""))
    return out


def load_items() -> list[Item]:
    items: list[Item] = []
    with (DATA / "records.csv").open(encoding="utf-8", newline="") as handle:
        for lineno, row in enumerate(csv.DictReader(handle), start=2):
            items.append(
                Item(
                    key=f"R{lineno:03d}",
                    title=row["title"].strip(),
                    authors=parse_authors(row["authors"], row["first_author"]),
                    year=row["year"].strip(),
                    journal=row["journal"].strip(),
                    journal_abbrev=row["journal_abbrev"].strip(),
                    volume=row["volume"].strip(),
                    issue=row["issue"].strip(),
                    pages=row["pages"].strip(),
                    doi=row["doi"].strip(),
                    pmid=row["pmid"].strip(),
                    pub_type=row["publication_type"].strip(),
                    language=row["language"].strip(),
                    origin=f"records.csv:{lineno}",
                    decision=row["decision"].strip(),
                    exclusion_reason=row["exclusion_reason"].strip(),
                    stage=row["stage"].strip(),
                )
            )
    by_doi = {i.doi.lower(): i for i in items if i.doi}
    by_pmid = {i.pmid: i for i in items if i.pmid}
    by_title = {fold(i.title): i for i in items if i.title}
    with (DATA / "studies.csv").open(encoding="utf-8", newline="") as handle:
        for lineno, row in enumerate(csv.DictReader(handle), start=2):
            doi, pmid, title = row["doi"].strip(), row["pmid"].strip(), row["title"].strip()
            known = (
                (doi and by_doi.get(doi.lower()))
                or (pmid and by_pmid.get(pmid))
                or (title and by_title.get(fold(title)))
            )
            if known:
                known.study_ids.append(row["study_id"])
                # Fill gaps of the records.csv entry with facts from studies.csv.
                for attr, value in (
                    ("year", row["year"]),
                    ("doi", doi),
                    ("pmid", pmid),
                    ("volume", row["volume"]),
                    ("issue", row["issue"]),
                    ("pages", row["pages"]),
                ):
                    if value.strip() and not getattr(known, attr):
                        setattr(known, attr, value.strip())
                if row["journal"].strip() and not known.journal and not known.journal_abbrev:
                    known.journal_abbrev = row["journal"].strip()
                continue
            journal = row["journal"].strip()
            if journal.startswith("(") or ("journal" in journal.lower() and "(" in journal):
                journal = ""
            items.append(
                Item(
                    key=f"S{lineno:03d}",
                    title=title,
                    authors=parse_authors(row["authors"], row["first_author"]),
                    year=row["year"].strip(),
                    journal_abbrev=re.sub(r"\s*\(.*\)$", "", journal),
                    volume=row["volume"].strip(),
                    issue=row["issue"].strip(),
                    pages=row["pages"].strip(),
                    doi=doi,
                    pmid=pmid,
                    pub_type="journal article",
                    language="English",
                    origin=f"studies.csv:{lineno}",
                    study_ids=[row["study_id"]],
                )
            )
    return items


def bucket(item: Item, salt: str) -> int:
    """A stable number 0-99 per item and purpose, so coverage is deterministic."""
    digest = hashlib.sha256(f"{salt}|{item.key}".encode()).hexdigest()
    return int(digest[:8], 16) % 100


def coverage(item: Item) -> list[str]:
    """The databases that index this item (a realistic, deterministic assignment)."""
    dbs = []
    if item.pmid:
        dbs.append("pubmed")
    if not item.title:
        # Only the identifiers are known: such a record is kept where an identifier finds it.
        return dbs or ["embase"]
    if bucket(item, "embase") < 88 or item.pub_type == "conference abstract":
        dbs.append("embase")
    if (item.journal or item.journal_abbrev) and item.year and bucket(item, "wos") < 65:
        if item.pub_type != "conference abstract":
            dbs.append("wos")
    if "trial" in item.pub_type or bucket(item, "cochrane") < 8:
        dbs.append("cochrane")
    if not dbs:
        dbs.append("embase")
    return dbs


# --- Rendering helpers ------------------------------------------------------------------------


def medline_pages(pages: str) -> str:
    """MEDLINE abbreviates the last page: 1347-1358 -> 1347-58."""
    match = re.fullmatch(r"(\d+)-(\d+)", pages)
    if not match:
        return pages
    first, last = match.groups()
    if len(first) == len(last):
        i = 0
        while i < len(first) - 1 and first[i] == last[i]:
            i += 1
        return f"{first}-{last[i:]}"
    return pages


def full_pages(pages: str) -> tuple[str, str]:
    """'447-56' -> ('447', '456'); a single page or article number -> (p, '')."""
    pages = pages.rstrip("-")
    match = re.fullmatch(r"([A-Za-z]*\d+)-([A-Za-z]*\d+)", pages)
    if not match:
        return pages, ""
    first, last = match.groups()
    if last.isdigit() and first.isdigit() and len(last) < len(first):
        last = first[: len(first) - len(last)] + last
    return first, last


def journal_name(item: Item) -> str:
    return item.journal or item.journal_abbrev


def journal_abbrev(item: Item) -> str:
    return item.journal_abbrev or item.journal


def embase_type(item: Item) -> str:
    pt = item.pub_type.lower()
    if "conference" in pt:
        return "Conference Abstract"
    if "review" in pt or "meta-analysis" in pt or "guideline" in pt:
        return "Review"
    if "editorial" in pt:
        return "Editorial"
    return "Article"


def pubmed_types(item: Item) -> list[str]:
    pt = item.pub_type.lower()
    types = ["Journal Article"]
    if "systematic review" in pt:
        types.append("Systematic Review")
    elif "review" in pt:
        types.append("Review")
    if "meta-analysis" in pt:
        types.append("Meta-Analysis")
    if "case report" in pt:
        types.append("Case Reports")
    if "phase ii" in pt:
        types.append("Clinical Trial, Phase II")
    elif "trial" in pt:
        types.append("Clinical Trial")
    if "comparative" in pt:
        types.append("Comparative Study")
    if "guideline" in pt:
        types.append("Guideline")
    return types


def wrap(text: str, width: int = 75) -> list[str]:
    words, lines, line = text.split(), [], ""
    for word in words:
        if line and len(line) + 1 + len(word) > width:
            lines.append(line)
            line = word
        else:
            line = f"{line} {word}" if line else word
    if line:
        lines.append(line)
    return lines or [""]


# --- PubMed: an archived E-utilities run --------------------------------------------------------


def pubmed_article(item: Item) -> str:
    out = ["<PubmedArticle>", '<MedlineCitation Status="MEDLINE" Owner="NLM">']
    out.append(f'<PMID Version="1">{item.pmid}</PMID>')
    out.append('<Article PubModel="Print">')
    out.append("<Journal>")
    out.append('<JournalIssue CitedMedium="Print">')
    if item.volume:
        out.append(f"<Volume>{escape(item.volume)}</Volume>")
    if item.issue:
        out.append(f"<Issue>{escape(item.issue)}</Issue>")
    out.append("<PubDate>" + (f"<Year>{item.year}</Year>" if item.year else "") + "</PubDate>")
    out.append("</JournalIssue>")
    if journal_name(item):
        out.append(f"<Title>{escape(journal_name(item))}</Title>")
        out.append(f"<ISOAbbreviation>{escape(journal_abbrev(item))}</ISOAbbreviation>")
    out.append("</Journal>")
    title = item.title
    if title and not title.endswith((".", "?", "!")):
        title += "."
    out.append(f"<ArticleTitle>{escape(title)}</ArticleTitle>")
    if item.pages:
        out.append(
            f"<Pagination><MedlinePgn>{escape(medline_pages(item.pages))}</MedlinePgn></Pagination>"
        )
    if item.doi:
        out.append(f'<ELocationID EIdType="doi" ValidYN="Y">{escape(item.doi)}</ELocationID>')
    if item.authors:
        out.append('<AuthorList CompleteYN="Y">')
        for family, initials in item.authors:
            out.append('<Author ValidYN="Y">')
            out.append(f"<LastName>{escape(family)}</LastName>")
            if initials:
                out.append(f"<ForeName>{escape(initials)}</ForeName>")
                out.append(f"<Initials>{escape(initials)}</Initials>")
            out.append("</Author>")
        out.append("</AuthorList>")
    if item.language:
        out.append(f"<Language>{PUBMED_LANG.get(item.language, 'und')}</Language>")
    out.append("<PublicationTypeList>")
    for pt in pubmed_types(item):
        out.append(f"<PublicationType>{escape(pt)}</PublicationType>")
    out.append("</PublicationTypeList>")
    out.append("</Article>")
    if journal_abbrev(item):
        out.append(
            "<MedlineJournalInfo><MedlineTA>"
            + escape(journal_abbrev(item).replace(".", ""))
            + "</MedlineTA></MedlineJournalInfo>"
        )
    out.append("</MedlineCitation>")
    out.append("<PubmedData><ArticleIdList>")
    out.append(f'<ArticleId IdType="pubmed">{item.pmid}</ArticleId>')
    if item.doi:
        out.append(f'<ArticleId IdType="doi">{escape(item.doi)}</ArticleId>')
    out.append("</ArticleIdList></PubmedData>")
    out.append("</PubmedArticle>")
    return "\n".join(out)


def write_pubmed(items: list[Item], out: Path, query: str, date_from: str, date_to: str) -> None:
    archive = out / "pubmed"
    raw = archive / "raw"
    raw.mkdir(parents=True, exist_ok=True)
    pmids = sorted((i.pmid for i in items), key=int, reverse=True)
    esearch = [
        '<?xml version="1.0" encoding="UTF-8" ?>',
        "<eSearchResult>",
        f"<Count>{len(pmids)}</Count><RetMax>{len(pmids)}</RetMax><RetStart>0</RetStart>",
        "<QueryKey>1</QueryKey><WebEnv>RECONSTRUCTED</WebEnv>",
        "<IdList>",
        *[f"<Id>{p}</Id>" for p in pmids],
        "</IdList>",
        f"<QueryTranslation>{escape(query)}</QueryTranslation>",
        "</eSearchResult>",
    ]
    (raw / "esearch-00001.xml").write_text("\n".join(esearch) + "\n", encoding="utf-8")
    by_pmid = {i.pmid: i for i in items}
    body = [
        '<?xml version="1.0" encoding="UTF-8" ?>',
        "<PubmedArticleSet>",
        *[pubmed_article(by_pmid[p]) for p in pmids],
        "</PubmedArticleSet>",
    ]
    (raw / "batch-00001.xml").write_text("\n".join(body) + "\n", encoding="utf-8")
    log = {
        "reconstructed": True,
        "note": (
            "Reconstructed from public bibliographic facts (resources/data/); not a live NCBI "
            "response. QueryTranslation repeats the query because PubMed's translation is unknown."
        ),
        "query": query,
        "query_translation": query,
        "date_from": date_from,
        "date_to": date_to,
        "date_type": "pdat",
        "count_reported": len(pmids),
        "count_retrieved": len(pmids),
        "slices": [{"from": date_from, "to": date_to, "count": len(pmids)}],
        "batches": 1,
        "complete": True,
        "eutils_url": "https://eutils.ncbi.nlm.nih.gov/entrez/eutils/",
        "started": f"{RUN}T00:00:00Z",
        "finished": f"{RUN}T00:00:00Z",
    }
    (archive / "log.json").write_text(json.dumps(log, indent=2, sort_keys=True) + "\n", "utf-8")


# --- Embase.com: RIS and CSV --------------------------------------------------------------------


def embase_author(family: str, initials: str) -> str:
    return f"{family} {'.'.join(initials)}." if initials else family


def embase_ris(items: list[Item]) -> str:
    lines = []
    for item in items:
        lines.append("TY  - JOUR")
        if item.title:
            lines.append(f"T1  - {item.title.rstrip('.')}")
        for family, initials in item.authors:
            lines.append(f"A1  - {embase_author(family, initials)}")
        if item.year:
            lines.append(f"Y1  - {item.year}//")
        if journal_name(item):
            lines.append(f"JF  - {journal_name(item)}")
            lines.append(f"JA  - {journal_abbrev(item)}")
        if item.volume:
            lines.append(f"VL  - {item.volume}")
        if item.issue:
            lines.append(f"IS  - {item.issue}")
        if item.pages:
            first, last = full_pages(item.pages)
            lines.append(f"SP  - {first}")
            if last:
                lines.append(f"EP  - {last}")
        lines.append(f"M3  - {embase_type(item)}")
        if item.language:
            lines.append(f"LA  - {item.language}")
        # Embase drops some DOIs that publishers register late; mimic that for one item in six.
        if item.doi and bucket(item, "embase-doi") >= 17:
            lines.append(f"DO  - {item.doi}")
        lines.append("ER  - ")
        lines.append("")
    return "\ufeff" + "\r\n".join(lines) + "\r\n"


EMBASE_CSV_HEADER = [
    "Title",
    "Author Names",
    "Full Record Entry Date",
    "Source",
    "Source title",
    "Publication Year",
    "Date of Publication",
    "Publication Type",
    "Abstract",
    "Author Keywords",
    "Emtree Drug Index Terms (Major Focus)",
    "Emtree Drug Index Terms",
    "Emtree Medical Index Terms (Major Focus)",
    "Emtree Medical Index Terms",
    "Embase Classification",
    "Embase Accession ID",
    "Medline PMID",
    "PUI",
    "DOI",
    "Full Text Link",
]


def embase_source(item: Item) -> str:
    parts = [journal_name(item)]
    if item.year:
        parts.append(f"({item.year})")
    vol = item.volume + (f":{item.issue}" if item.issue else "")
    if vol:
        parts.append(vol)
    if item.pages:
        first, last = full_pages(item.pages)
        parts.append(f"({first}-{last})" if last else f"Article Number: {first}")
    return " ".join(p for p in parts if p)


def embase_csv(items: list[Item], path: Path) -> None:
    with path.open("w", encoding="utf-8-sig", newline="") as handle:
        writer = csv.writer(handle, quoting=csv.QUOTE_ALL, lineterminator="\r\n")
        writer.writerow(EMBASE_CSV_HEADER)
        for item in items:
            doi = item.doi if bucket(item, "embase-doi") >= 17 else ""
            row = {
                "Title": item.title.rstrip("."),
                "Author Names": ", ".join(embase_author(f, i) for f, i in item.authors),
                "Source": embase_source(item),
                "Source title": journal_name(item),
                "Publication Year": item.year,
                "Publication Type": embase_type(item),
                "Medline PMID": item.pmid,
                "DOI": doi,
            }
            writer.writerow([row.get(col, "") for col in EMBASE_CSV_HEADER])


# --- Web of Science: plain-text tagged export --------------------------------------------------


def wos_export(items: list[Item]) -> str:
    lines = ["FN Clarivate Analytics Web of Science", "VR 1.0"]

    def tag(name: str, values: list[str]) -> None:
        values = [v for v in values if v]
        if not values:
            return
        lines.append(f"{name} {values[0]}")
        lines.extend(f"   {v}" for v in values[1:])

    for item in items:
        tag("PT", ["J"])
        tag("AU", [f"{f}, {i}" if i else f for f, i in item.authors])
        tag("AF", [f"{f}, {i}" if i else f for f, i in item.authors])
        if item.title:
            tag("TI", wrap(item.title.rstrip(".")))
        tag("SO", [journal_name(item).upper()])
        tag("LA", [item.language])
        tag("DT", ["Review" if embase_type(item) == "Review" else "Article"])
        tag("PY", [item.year])
        tag("VL", [item.volume])
        tag("IS", [item.issue])
        if item.pages:
            first, last = full_pages(item.pages)
            if last:
                tag("BP", [first])
                tag("EP", [last])
            else:
                tag("AR", [first])
        tag("DI", [item.doi])
        tag("PM", [item.pmid])
        tag("J9", [journal_abbrev(item).replace(".", "").upper()])
        tag("JI", [journal_abbrev(item)])
        lines.append("ER")
        lines.append("")
    lines.append("EF")
    return "\ufeff" + "\n".join(lines) + "\n"


# --- Cochrane Library (CENTRAL): plain text ------------------------------------------------------


def cochrane_export(items: list[Item]) -> str:
    lines = []
    n = len(items)
    for index, item in enumerate(items, start=1):
        lines.append(f"Record #{index} of {n}")
        for family, initials in item.authors:
            lines.append(f"AU: {family} {initials}".rstrip())
        if item.title:
            lines.append(f"TI: {item.title}")
        if journal_name(item):
            lines.append(f"SO: {journal_name(item)}")
        if item.year:
            lines.append(f"YR: {item.year}")
        if item.volume:
            lines.append(f"VL: {item.volume}")
        if item.issue:
            lines.append(f"NO: {item.issue}")
        if item.pages:
            lines.append(f"PG: {item.pages}")
        if item.pmid:
            lines.append(f"PM: PUBMED {item.pmid}")
        if item.doi:
            lines.append(f"DOI: {item.doi}")
        lines.append(f"PT: {'; '.join(pubmed_types(item))}")
        lines.append("")
    return "\n".join(lines)


# --- Screening decisions: the one reviewer's judgements, keyed by imported record ids -------------

REVIEWER = "reviewer_1"
DECISION_COLUMNS = ["record_id", "reviewer", "decision", "reason", "note"]


def imported_record_ids(out: Path, per_db: dict[str, list[Item]]) -> dict[str, str]:
    """item key -> the record id evsynth gives one of its exported records (PubMed first).

    The ids come from running ``evsynth import`` on the exports just written, so they are exactly
    the ids the pipeline will see; the record at position i of a file renders the i-th item.
    """
    import subprocess
    import sys
    import tempfile

    ids: dict[str, str] = {}
    for item in per_db["pubmed"]:
        ids.setdefault(item.key, f"pubmed:{item.pmid}")
    files = {"embase": out / "embase.ris", "wos": out / "wos.txt", "cochrane": out / "cochrane.txt"}
    with tempfile.TemporaryDirectory() as tmp:
        for db, path in files.items():
            table = Path(tmp) / f"{db}.tsv"
            subprocess.run(
                [
                    sys.executable,
                    "-m",
                    "evsynth.cli",
                    "import",
                    str(path),
                    "--format",
                    "auto",
                    "--source",
                    db,
                    "--out",
                    str(table),
                ],
                check=True,
                capture_output=True,
            )
            with table.open(encoding="utf-8", newline="") as handle:
                rows = list(csv.DictReader(handle, delimiter="\t", quoting=csv.QUOTE_NONE))
            rows.sort(key=lambda r: int(r["source_line"]))
            if len(rows) != len(per_db[db]):
                raise SystemExit(f"{db}: {len(rows)} records imported, {len(per_db[db])} written")
            for item, row in zip(per_db[db], rows, strict=True):
                ids.setdefault(item.key, row["record_id"])
    return ids


def stage_decisions(item: Item) -> tuple[tuple[str, str, str] | None, tuple[str, str, str] | None]:
    """(decision, reason, note) at title/abstract and at full text; None where none was made.

    records.csv says at which stage each judgement was made: a record excluded at full text passed
    title/abstract screening; an include judged at title/abstract has no full-text decision unless
    the item was extracted as a candidate study (studies.csv), which is a full-text inclusion.
    Studies known only from studies.csv were extracted, hence included at both stages.
    """
    extracted = (
        f"full text read and extracted as candidate study {', '.join(item.study_ids)} "
        "(resources/data/studies.csv)"
    )
    if item.origin.startswith("studies.csv"):
        ta = ("include", "", "candidate primary study (resources/data/studies.csv)")
        return ta, ("include", "", extracted)
    if item.decision == "exclude" and item.stage == "title_abstract":
        return ("exclude", item.exclusion_reason, ""), None
    ta = ("include", "", "")
    if item.stage == "full_text":
        reason = item.exclusion_reason if item.decision == "exclude" else ""
        return ta, (item.decision, reason, "")
    if item.study_ids:
        return ta, ("include", "", extracted)
    return ta, None


def write_decisions(items: list[Item], ids: dict[str, str], folder: Path) -> dict[str, int]:
    rows: dict[str, list[dict[str, str]]] = {"title_abstract": [], "full_text": []}
    for item in items:
        for stage, decided in zip(rows, stage_decisions(item), strict=True):
            if decided is None:
                continue
            decision, reason, note = decided
            rows[stage].append(
                {
                    "record_id": ids[item.key],
                    "reviewer": REVIEWER,
                    "decision": decision,
                    "reason": reason,
                    "note": note,
                }
            )
    counts = {}
    for stage, stage_rows in rows.items():
        stage_rows.sort(key=lambda r: r["record_id"])
        path = folder / stage / f"{REVIEWER}.csv"
        path.parent.mkdir(parents=True, exist_ok=True)
        with path.open("w", encoding="utf-8", newline="") as handle:
            writer = csv.DictWriter(handle, DECISION_COLUMNS, lineterminator="\n")
            writer.writeheader()
            writer.writerows(stage_rows)
        counts[stage] = len(stage_rows)
    return counts


# --- Driver --------------------------------------------------------------------------------------

QUERIES = {
    "pubmed": (
        '("Osteosarcoma"[Mesh] OR osteosarcoma*[tiab] OR "osteogenic sarcoma"[tiab]) AND '
        '("Lung Neoplasms/secondary"[Mesh] OR "Lung Neoplasms/surgery"[Mesh] OR '
        "((lung[tiab] OR pulmonary[tiab]) AND metasta*[tiab])) AND "
        '("Metastasectomy"[Mesh] OR metastasectom*[tiab] OR resection*[tiab] OR '
        "thoracotom*[tiab] OR thoracoscop*[tiab] OR VATS[tiab] OR surg*[tiab])"
    ),
}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--out", type=Path, default=ROOT / "resources" / "searches" / RUN)
    parser.add_argument(
        "--decisions",
        type=Path,
        default=None,
        help="also write the reviewer's decision files into this folder (resources/screening)",
    )
    args = parser.parse_args()
    out: Path = args.out
    out.mkdir(parents=True, exist_ok=True)

    items = load_items()
    per_db: dict[str, list[Item]] = {"pubmed": [], "embase": [], "wos": [], "cochrane": []}
    for item in items:
        for db in coverage(item):
            per_db[db].append(item)
    # Databases order their exports differently; sort by a per-database key so files differ.
    for db, members in per_db.items():
        members.sort(key=lambda i, db=db: bucket(i, f"order-{db}") * 1000 + int(i.key[1:]))

    write_pubmed(per_db["pubmed"], out, QUERIES["pubmed"], "1900-01-01", RUN)
    (out / "embase.ris").write_bytes(embase_ris(per_db["embase"]).encode("utf-8"))
    embase_csv(per_db["embase"], out / "embase.csv")
    (out / "wos.txt").write_bytes(wos_export(per_db["wos"]).encode("utf-8"))
    (out / "cochrane.txt").write_bytes(cochrane_export(per_db["cochrane"]).encode("utf-8"))

    with (out / "manifest.tsv").open("w", encoding="utf-8", newline="") as handle:
        handle.write("database\tposition\titem\torigin\tdoi\tpmid\ttitle\n")
        for db, members in per_db.items():
            if db == "pubmed":
                members = sorted(members, key=lambda i: int(i.pmid), reverse=True)
            for position, item in enumerate(members, start=1):
                handle.write(
                    f"{db}\t{position}\t{item.key}\t{item.origin}\t{item.doi}\t{item.pmid}\t"
                    f"{item.title}\n"
                )
    counts = {db: len(m) for db, m in per_db.items()}
    print(f"items {len(items)}; records per database {counts}; written to {out}")
    if args.decisions is not None:
        ids = imported_record_ids(out, per_db)
        written = write_decisions(items, ids, args.decisions)
        print(f"decisions per stage {written}; written to {args.decisions}")


if __name__ == "__main__":
    main()
