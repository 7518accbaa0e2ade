#!/usr/bin/env python
"""Generate a labelled deduplication corpus: the same articles exported by four databases.

Writes ``DIR/records.tsv`` (the canonical records format) and ``DIR/truth.tsv`` (``record_id``,
``group_id``: records with the same group id are the same article). Deterministic for a given
``--records`` and ``--seed``.

Each article is rendered the way each database exports it, with the differences seen in real
exports: PubMed ends titles with a period, wraps translated titles in brackets and adds "[Article in
German]", abbreviates page ranges ("1347-58"); Embase spells Greek letters as symbols, keeps HTML
markup, sometimes gives the original-language title, has no DOI or PMID on some records and a year
off by one on others; Web of Science upper-cases titles and journals and writes "Family, AB";
CENTRAL abbreviates journals and often lacks a publication type, volume or pages. A few percent of
records carry a typo in the title, or lack authors or pages.

The hard non-duplicates are separate articles (separate groups): errata, retraction notices,
comments and replies with the article's title, conference abstracts of a later full article,
companion papers (Part I / Part II), generic titles ("Editorial", "Reply"), and reports of one
series that differ only in a number ("5-year" and "10-year" results).

Example: python scripts/make_dedup_corpus.py --records 10000 --seed 1 --out /tmp/corpus10k
"""

from __future__ import annotations

import argparse
import random
import sys
from pathlib import Path

from evsynth.contracts.records import Record, write_records
from evsynth.tables import write_tsv

MEDICAL_WORDS = """
osteosarcoma pulmonary metastasectomy survival resection lung metastases chemotherapy outcome
patients children adolescents thoracotomy thoracoscopic surgery recurrence prognostic factors
analysis cohort retrospective prospective multicenter randomized trial sarcoma bone tumor disease
relapse overall progression free response neoadjuvant adjuvant methotrexate cisplatin doxorubicin
ifosfamide imaging computed tomography nodules complete incomplete margin laterality bilateral
unilateral approach video assisted minimally invasive open repeat second third management treatment
strategy evaluation assessment risk score model nomogram validation population registry national
institutional experience series review meta systematic long term follow up impact role predictors
factors associated with after before during in of the and for versus among young adult pediatric
""".split()

GREEK = ["alpha", "beta", "gamma", "kappa"]
GREEK_SYMBOL = {"alpha": "α", "beta": "β", "gamma": "γ", "kappa": "κ"}
FOREIGN_WORDS = """
lungenmetastasen beim osteosarkom ergebnisse chirurgische behandlung der und bei kindern
metastases pulmonaires chez les enfants resultats chirurgie traitement des
metastasis pulmonares en ninos resultados cirugia tratamiento del con
""".split()
FAMILIES = """
Smith Müller García-López Wang Li Zhang Kim Lee Park Nguyen Rossi Bianchi Dubois Martin Bernard
Schmidt Schneider Fischer Weber Meyer Wagner Becker Hoffmann Tanaka Suzuki Sato Watanabe Ito
Yamamoto Nakamura Kobayashi Silva Santos Oliveira Souza Pereira Costa Rodríguez Fernández González
Sánchez Pérez Martínez Jones Brown Taylor Wilson Davies Evans Thomas Johnson Roberts Walker Novak
Kowalski Nowak Wiśniewski Dąbrowski Andersson Johansson Karlsson Nilsson Eriksson Hansen Jensen
Nielsen Petersen O'Brien MacDonald van der Berg de Vries Janssen Bakker Visser Smit Meijer Gupta
Sharma Singh Kumar Patel Shah Chen Liu Yang Huang Zhao Wu Zhou Xu Sun Ma Hu Guo Lin He Gao Luo
""".split()
GIVEN = (
    "John Maria Anna Peter Wei Jun Hiroshi Yuki Carlos Ana Luca Sofia Jan Eva Lars Ingrid".split()
)
JOURNALS = [
    ("Journal of Clinical Oncology", "J Clin Oncol"),
    ("Annals of Thoracic Surgery", "Ann Thorac Surg"),
    ("Journal of Pediatric Surgery", "J Pediatr Surg"),
    ("Pediatric Blood & Cancer", "Pediatr Blood Cancer"),
    ("European Journal of Cardio-Thoracic Surgery", "Eur J Cardiothorac Surg"),
    ("Journal of Thoracic and Cardiovascular Surgery", "J Thorac Cardiovasc Surg"),
    ("Cancer", "Cancer"),
    ("Annals of Surgical Oncology", "Ann Surg Oncol"),
    ("Journal of Surgical Oncology", "J Surg Oncol"),
    ("Clinical Orthopaedics and Related Research", "Clin Orthop Relat Res"),
    ("Journal of Bone and Joint Surgery. American Volume", "J Bone Joint Surg Am"),
    ("European Journal of Cancer", "Eur J Cancer"),
    ("Sarcoma", "Sarcoma"),
    ("Oncology Letters", "Oncol Lett"),
    ("World Journal of Surgical Oncology", "World J Surg Oncol"),
    ("Journal of the National Cancer Institute", "J Natl Cancer Inst"),
    ("Japanese Journal of Clinical Oncology", "Jpn J Clin Oncol"),
    ("Deutsche Medizinische Wochenschrift", "Dtsch Med Wochenschr"),
    ("Zhonghua Zhong Liu Za Zhi", "Zhonghua Zhong Liu Za Zhi"),
    ("Pediatric Hematology and Oncology", "Pediatr Hematol Oncol"),
]
GENERIC_TITLES = ["Editorial", "Reply", "Correction", "In this issue", "Letter to the Editor"]
LANGUAGES = [("ger", "German"), ("fre", "French"), ("spa", "Spanish")]


class Corpus:
    """Accumulates rendered records and their truth groups."""

    def __init__(self, seed: int) -> None:
        self.rng = random.Random(seed)
        syll = "ba ke lo mi nu ra so ti ve za do ge hi ju ko pe qu ri su ta".split()
        rng = random.Random(seed + 1)
        self.words = MEDICAL_WORDS + sorted(
            {"".join(rng.choice(syll) for _ in range(rng.randint(2, 4))) for _ in range(6000)}
        )
        self.families = FAMILIES + sorted(
            {"".join(rng.choice(syll) for _ in range(3)).capitalize() for _ in range(6000)}
        )
        self.records: list[Record] = []
        self.truth: list[dict[str, str]] = []
        self.group = 0
        self.counters = {"pmid": 1000000, "embase": 600000000, "wos": 1, "cochrane": 1, "doi": 1}

    # -- articles ---------------------------------------------------------------------------------
    def title(self) -> str:
        r = self.rng
        words = [
            r.choice(MEDICAL_WORDS) if r.random() < 0.6 else r.choice(self.words)
            for _ in range(r.randint(7, 13))
        ]
        if r.random() < 0.1:
            words.insert(r.randint(0, len(words)), f"TNF-{r.choice(GREEK)}")
        words[0] = words[0].capitalize()
        return " ".join(words)

    def article(self, **over: object) -> dict:
        r = self.rng
        journal = r.choice(JOURNALS)
        n_auth = r.randint(1, 8)
        first = r.randint(1, 3000)
        year = r.randint(1980, 2025)
        self.counters["doi"] += 1
        art = {
            "title": self.title(),
            "authors": [(r.choice(self.families), r.choice(GIVEN), r.choice("ABCDEHJKLMR"))
                        for _ in range(n_auth)],
            "journal": journal,
            "year": year,
            "volume": str(r.randint(1, 150)),
            "issue": str(r.randint(1, 12)),
            "first": first,
            "last": first + r.randint(2, 14),
            "doi": f"10.{1000 + r.randint(0, 8999)}/j.x.{year}.{self.counters['doi']:07d}"
            if r.random() < 0.8 else "",
            "pmid": "",
            "language": "",
            "foreign_title": "",
            "pub_type": "",
            "conference": False,
            "abstract": " ".join(r.choice(self.words) for _ in range(20)) if r.random() < 0.3
            else "",
        }  # fmt: skip
        if r.random() < 0.85:
            self.counters["pmid"] += r.randint(1, 7)
            art["pmid"] = str(self.counters["pmid"])
        if r.random() < 0.08:
            art["language"] = r.choice(LANGUAGES)
            art["foreign_title"] = " ".join(
                r.choice(FOREIGN_WORDS) for _ in range(r.randint(6, 10))
            ).capitalize()
        art.update(over)
        return art

    # -- database renderings ---------------------------------------------------------------------
    def typo(self, text: str) -> str:
        r = self.rng
        if len(text) < 30:  # a typo in "Reply" would make it another title
            return text
        k = r.randint(1, len(text) - 2)
        return text[:k] + r.choice("aeiourstn") + text[k + 1 :]

    def render(self, art: dict, db: str) -> Record:
        r = self.rng
        title = art["title"]
        lang = art["language"]
        fam = art["authors"]
        first, last = art["first"], art["last"]
        full_pages = f"{first}-{last}"
        medline_pages = _medline_pages(first, last)
        jfull, jabbr = art["journal"]
        rec = Record(year=str(art["year"]), volume=art["volume"], issue=art["issue"],
                     abstract=art["abstract"], doi=art["doi"])  # fmt: skip
        if art.get("pages_override"):
            full_pages = medline_pages = art["pages_override"]
        if db == "pubmed":
            self.counters["pmid"] += 1
            pmid = art["pmid"] or str(self.counters["pmid"])
            rec.source, rec.source_id, rec.pmid = "pubmed", pmid, pmid
            rec.title = f"[{title}]." if lang else title + "."
            if lang and r.random() < 0.5:
                rec.title += f" [Article in {lang[1]}]"
            rec.authors = "; ".join(f"{f}, {g} {m}" for f, g, m in fam)
            rec.journal, rec.journal_abbrev, rec.pages = jfull, jabbr, medline_pages
            rec.pub_type = art["pub_type"] or "Journal Article"
            rec.language = lang[0] if lang else "eng"
        elif db == "embase":
            self.counters["embase"] += 1
            rec.source, rec.source_id = "embase", f"L{self.counters['embase']}"
            rec.pmid = art["pmid"] if r.random() < 0.6 else ""
            rec.doi = art["doi"] if r.random() < 0.85 else ""
            rec.title = art["foreign_title"] if lang and r.random() < 0.3 else title
            for g in GREEK:
                rec.title = rec.title.replace(f"TNF-{g}", f"TNF-{GREEK_SYMBOL[g]}")
            if r.random() < 0.1:
                words = rec.title.split()
                k = r.randrange(len(words))
                words[k] = f"<i>{words[k]}</i>"
                rec.title = " ".join(words)
            rec.authors = "; ".join(f"{f}, {g[0]}.{m}." for f, g, m in fam)
            rec.journal, rec.pages = jfull, full_pages
            if r.random() < 0.05:
                rec.year = str(art["year"] + r.choice((-1, 1)))
            rec.pub_type = art["pub_type"] or "Article"
            if art["conference"]:
                rec.pub_type = "Conference Abstract"
                rec.journal = f"{jfull}. Conference: Annual Meeting {art['year']}"
            rec.language = lang[1] if lang else "English"
        elif db == "wos":
            self.counters["wos"] += 1
            rec.source, rec.source_id = "wos", f"WOS:{self.counters['wos']:015d}"
            rec.pmid = art["pmid"] if r.random() < 0.2 else ""
            rec.doi = art["doi"] if r.random() < 0.9 else ""
            rec.title = title.upper() if r.random() < 0.3 else title
            rec.authors = "; ".join(f"{_ascii(f)}, {g[0]}{m}" for f, g, m in fam)
            rec.journal, rec.journal_abbrev = jfull.upper(), jabbr.upper()
            rec.pages = full_pages
            rec.pub_type = art["pub_type"] or "Article"
            if art["conference"]:
                rec.pub_type = "Meeting Abstract"
            rec.language = lang[1] if lang else "English"
        else:
            self.counters["cochrane"] += 1
            rec.source, rec.source_id = "cochrane", f"CN-{self.counters['cochrane']:08d}"
            rec.pmid = art["pmid"] if r.random() < 0.5 else ""
            rec.doi = art["doi"] if r.random() < 0.5 else ""
            rec.title = title
            rec.authors = "; ".join(f"{f} {g[0]}" for f, g, m in fam)
            rec.journal = jabbr
            rec.pages = medline_pages if r.random() < 0.5 else full_pages
            if r.random() < 0.2:
                rec.volume = rec.pages = ""
            rec.pub_type = (art["pub_type"] or "Journal article") if r.random() < 0.7 else ""
            if art["conference"]:
                rec.pub_type = "Conference proceeding"
        if r.random() < 0.03:
            rec.title = self.typo(rec.title)
        if r.random() < 0.02:
            rec.authors = ""
        if r.random() < 0.05:
            rec.pages = ""
        rec.record_id = f"{rec.source}:{rec.source_id}"
        rec.__post_init__()
        return rec

    def emit(self, art: dict, dbs: list[str] | None = None) -> None:
        r = self.rng
        if dbs is None:
            odds = (
                ("pubmed", 0.85 if art["pmid"] else 0.0),
                ("embase", 0.7),
                ("wos", 0.5),
                ("cochrane", 0.25),
            )
            dbs = [db for db, p in odds if r.random() < p]
            if not dbs:
                dbs = [r.choice(("embase", "wos", "cochrane"))]
        self.group += 1
        for db in dbs:
            rec = self.render(art, db)
            self.records.append(rec)
            self.truth.append({"record_id": rec.record_id, "group_id": f"g{self.group:07d}"})

    # -- one article and its hard non-duplicates ------------------------------------------------
    def add_article(self) -> None:
        r = self.rng
        art = self.article()
        self.emit(art)
        u = r.random()
        if u < 0.02:  # erratum: same title, notice type
            if r.random() < 0.5:
                t, pt = f"Erratum: {art['title']}", "Published Erratum"
            else:
                t, pt = art["title"], "Published Erratum"
            self.emit(self.article(title=t, pub_type=pt, journal=art["journal"],
                                   year=art["year"], authors=art["authors"][:1]),
                      ["pubmed", "embase"][: r.randint(1, 2)])  # fmt: skip
        elif u < 0.025:
            self.emit(self.article(title=f"Retraction notice: {art['title']}",
                                   pub_type="Retraction of Publication",
                                   journal=art["journal"]))  # fmt: skip
        elif u < 0.04:  # comment or reply with the very same title
            pt = r.choice(("Comment", "Letter"))
            t = r.choice((art["title"], f"Re: {art['title']}", f"Reply to: {art['title']}"))
            self.emit(self.article(title=t, pub_type=pt, journal=art["journal"],
                                   year=art["year"]), ["pubmed", "embase"])  # fmt: skip
        elif u < 0.07:  # conference abstract a year before the full article
            self.emit(self.article(title=art["title"], authors=art["authors"], conference=True,
                                   journal=art["journal"], year=art["year"] - 1, doi="",
                                   pmid="", pages_override=f"S{r.randint(1, 400)}"),
                      ["embase", "cochrane", "wos"][: r.randint(1, 3)])  # fmt: skip
        elif u < 0.08:  # companion paper
            base = art["title"]
            self.emit(self.article(title=f"{base}. Part II: outcome", authors=art["authors"],
                                   journal=art["journal"], year=art["year"]))  # fmt: skip
            self.emit(self.article(title=f"{base}. Part I: methods", authors=art["authors"],
                                   journal=art["journal"], year=art["year"]))  # fmt: skip
        elif u < 0.09:  # generic titles
            for _ in range(r.randint(1, 3)):
                self.emit(self.article(title=r.choice(GENERIC_TITLES), pub_type="Editorial"))
        elif u < 0.095:  # a series reported at two follow-up times
            words = art["title"]
            self.emit(self.article(title=f"{words}: 5-year results", authors=art["authors"]))
            self.emit(self.article(title=f"{words}: 10-year results", authors=art["authors"]))


def _medline_pages(first: int, last: int) -> str:
    """MEDLINE drops the leading digits shared with the first page: 1347-1358 -> 1347-58."""
    a, b = str(first), str(last)
    if len(a) != len(b):
        return f"{a}-{b}"
    k = 0
    while k < len(a) - 1 and a[k] == b[k]:
        k += 1
    return f"{a}-{b[k:]}"


def _ascii(text: str) -> str:
    import unicodedata

    text = unicodedata.normalize("NFKD", text)
    return "".join(c for c in text if not unicodedata.combining(c))


def main(argv: list[str] | None = None) -> int:
    """Write DIR/records.tsv and DIR/truth.tsv."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0], epilog=__doc__)
    parser.add_argument("--records", type=int, required=True, help="number of records")
    parser.add_argument("--seed", type=int, default=1, help="random seed")
    parser.add_argument("--out", required=True, help="output directory")
    args = parser.parse_args(argv)
    corpus = Corpus(args.seed)
    while len(corpus.records) < args.records:
        corpus.add_article()
    records = corpus.records[: args.records]
    keep = {r.record_id for r in records}
    truth = [t for t in corpus.truth if t["record_id"] in keep]
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    write_records(out / "records.tsv", records)
    write_tsv(out / "truth.tsv", truth, ("record_id", "group_id"), sort_by=("record_id",))
    print(f"{len(records)} records, {len({t['group_id'] for t in truth})} groups -> {out}",
          file=sys.stderr)  # fmt: skip
    return 0


if __name__ == "__main__":
    sys.exit(main())
