"""Benchmark `evsynth import` on a synthetic 100,000-record RIS file and PubMed XML file.

Writes the files (deterministically: a seeded generator, so every run measures the same input),
times `evsynth import` on each in a subprocess and prints records/s and peak memory (maximum
resident set size of the child, from getrusage). A smaller file is measured too, so that memory
growth with file size can be compared with the size of the output table.

Then, on the same files, the parsers alone side by side with the libraries others use: our RIS
reader against ``rispy.load`` and our PubMed XML reader against Biopython's ``Entrez.parse``
(``validate=False``; it reads the DTD Biopython ships). Each runs in its own process, must yield
every record (a wrong count fails the benchmark), and is timed without writing any table.

    python benchmarks/import_speed.py [--records 100000] [--workdir DIR] [--keep] [--parsers-only]
    python benchmarks/import_speed.py --trees OLD/src NEW/src [--repeat 3] [--records 100000]

``--trees`` compares source trees (main and a branch, say) back to back instead: for each file,
our parser alone and the full ``evsynth import`` run under each tree in turn (``PYTHONPATH``),
``--repeat`` rounds alternating which tree goes first, and the best CPU time of each is reported
(on a shared machine the best is the run least disturbed by the others).

Targets (issue 2): >= 20,000 records/s and < 1 GB for either format on the 2-core test machine.
"""

from __future__ import annotations

import argparse
import os
import random
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from pathlib import Path

__all__ = ["main", "write_pubmed_xml", "write_ris"]

_WORDS = (
    "osteosarcoma pulmonary metastasectomy survival resection lung metastases patients relapse "
    "complete thoracotomy chemotherapy outcome analysis retrospective cohort hazard ratio overall "
    "disease free interval nodules bilateral unilateral surgery prognostic factors children "
    "adolescents young adults sarcoma treatment multivariable recurrence event free months years"
).split()
_FAMILY = ("Smith Müller García Rossi Nakamura Okafor Dupont Kim Lee Bielack Harting Choi Ferrari "
           "Bacci Letourneau Huang Zhao Keller Andersen Novak").split()  # fmt: skip
_JOURNALS = (
    ("Journal of Clinical Oncology", "J Clin Oncol"),
    ("Annals of Surgical Oncology", "Ann Surg Oncol"),
    ("Pediatric Blood and Cancer", "Pediatr Blood Cancer"),
    ("Journal of Thoracic Disease", "J Thorac Dis"),
    ("Cancer", "Cancer"),
)


def _records(n: int, seed: int) -> Iterator[dict[str, object]]:
    rng = random.Random(seed)
    for i in range(1, n + 1):
        journal, abbrev = _JOURNALS[i % len(_JOURNALS)]
        start = rng.randint(1, 2000)
        yield {
            "i": i,
            "title": " ".join(rng.choices(_WORDS, k=14)).capitalize(),
            "authors": [
                (rng.choice(_FAMILY), "".join(rng.choices("ABCDEFGHJKLMNPRST", k=2)))
                for _ in range(rng.randint(2, 6))
            ],
            "journal": journal,
            "abbrev": abbrev,
            "year": 1980 + i % 45,
            "volume": rng.randint(1, 80),
            "issue": rng.randint(1, 12),
            "pages": (start, start + rng.randint(3, 12)),
            "abstract": " ".join(rng.choices(_WORDS, k=160)),
            "keywords": rng.sample(_WORDS, 5),
        }


def write_ris(path: Path, n: int, *, seed: int = 2) -> None:
    """An Embase.com-style RIS file with ``n`` records."""
    with path.open("w", encoding="utf-8", newline="\n") as out:
        out.write("\ufeff")
        for r in _records(n, seed):
            i = r["i"]
            lines = ["TY  - JOUR", f"T1  - {r['title']}"]
            lines += [f"A1  - {family}, {initials}" for family, initials in r["authors"]]
            lines += [
                f"Y1  - {r['year']}//",
                f"N2  - {r['abstract']}",
                *(f"KW  - {k}" for k in r["keywords"]),
                f"JF  - {r['journal']}",
                f"JA  - {r['abbrev']}",
                "LA  - English",
                f"VL  - {r['volume']}",
                f"IS  - {r['issue']}",
                f"SP  - {r['pages'][0]}",
                f"EP  - {r['pages'][1]}",
                "SN  - 0732-183X",
                "M3  - Article",
                "DB  - Embase",
                f"U2  - L{2000000000 + i}",
                f"C5  - {30000000 + i}",
                f"DO  - 10.1000/bench.{i}",
                "UR  - https://www.embase.com/search/results?subaction=viewrecord"
                f"&id=L{2000000000 + i}&from=export",
                "ER  - ",
                "",
            ]
            out.write("\n".join(lines) + "\n")


def write_pubmed_xml(path: Path, n: int, *, seed: int = 2) -> None:
    """An EFetch-style PubmedArticleSet with ``n`` PubmedArticle records."""
    with path.open("w", encoding="utf-8", newline="\n") as out:
        out.write('<?xml version="1.0" ?>\n<!DOCTYPE PubmedArticleSet PUBLIC "-//NLM//DTD '
                  'PubMedArticle, 1st January 2025//EN" "https://dtd.nlm.nih.gov/ncbi/pubmed/out/'
                  'pubmed_250101.dtd">\n<PubmedArticleSet>\n')  # fmt: skip
        for r in _records(n, seed):
            pmid = 30000000 + r["i"]
            authors = "".join(
                f'<Author ValidYN="Y"><LastName>{family}</LastName><ForeName>{initials}</ForeName>'
                f"<Initials>{initials}</Initials></Author>"
                for family, initials in r["authors"]
            )
            keywords = "".join(f'<Keyword MajorTopicYN="N">{k}</Keyword>' for k in r["keywords"])
            out.write(
                f'<PubmedArticle><MedlineCitation Status="MEDLINE" Owner="NLM">'
                f'<PMID Version="1">{pmid}</PMID><Article PubModel="Print"><Journal>'
                f'<ISSN IssnType="Print">0732-183X</ISSN><JournalIssue CitedMedium="Print">'
                f"<Volume>{r['volume']}</Volume><Issue>{r['issue']}</Issue><PubDate>"
                f"<Year>{r['year']}</Year><Month>May</Month></PubDate></JournalIssue>"
                f"<Title>{r['journal']}</Title><ISOAbbreviation>{r['abbrev']}</ISOAbbreviation>"
                f"</Journal><ArticleTitle>{r['title']}</ArticleTitle><Pagination><MedlinePgn>"
                f"{r['pages'][0]}-{r['pages'][1]}</MedlinePgn></Pagination>"
                f'<ELocationID EIdType="doi" ValidYN="Y">10.1000/bench.{r["i"]}</ELocationID>'
                f"<Abstract><AbstractText>{r['abstract']}</AbstractText></Abstract>"
                f'<AuthorList CompleteYN="Y">{authors}</AuthorList><Language>eng</Language>'
                f'<PublicationTypeList><PublicationType UI="D016428">Journal Article'
                f"</PublicationType></PublicationTypeList></Article><MedlineJournalInfo>"
                f"<Country>United States</Country><MedlineTA>{r['abbrev']}</MedlineTA>"
                f'</MedlineJournalInfo><KeywordList Owner="NOTNLM">{keywords}</KeywordList>'
                f'</MedlineCitation><PubmedData><ArticleIdList><ArticleId IdType="pubmed">{pmid}'
                f'</ArticleId><ArticleId IdType="doi">10.1000/bench.{r["i"]}</ArticleId>'
                f"</ArticleIdList></PubmedData></PubmedArticle>\n"
            )
        out.write("</PubmedArticleSet>\n")


_MEASURE = """
import resource, subprocess, sys, time
t = time.perf_counter()
code = subprocess.run(sys.argv[1:], stdout=subprocess.DEVNULL).returncode
elapsed = time.perf_counter() - t
usage = resource.getrusage(resource.RUSAGE_CHILDREN)
print(code, elapsed, usage.ru_utime + usage.ru_stime, usage.ru_maxrss)
"""


# One parser over one file in a fresh process; exits non-zero unless it yields ``n`` records.
_PARSE = """
import sys
kind, path, n = sys.argv[1], sys.argv[2], int(sys.argv[3])
if kind == "evsynth-ris":
    from evsynth.sources.ris import RisReader
    count = sum(1 for _ in RisReader().read(path))
elif kind == "rispy":
    import rispy
    with open(path, encoding="utf-8-sig") as handle:
        count = len(rispy.load(handle))
elif kind == "evsynth-xml":
    from evsynth.sources.pubmed_xml import PubmedXmlReader
    count = sum(1 for _ in PubmedXmlReader().read(path))
elif kind == "entrez":
    from Bio import Entrez
    with open(path, "rb") as handle:
        try:
            count = sum(1 for _ in Entrez.parse(handle, validate=False))
        except ValueError:
            # Biopython 1.88's parse refuses a PubmedArticleSet ("does not represent a list"),
            # the shape EFetch returns; read() is what it then asks for.
            handle.seek(0)
            count = len(Entrez.read(handle, validate=False)["PubmedArticle"])
else:
    raise SystemExit(f"unknown parser {kind}")
sys.exit(0 if count == n else f"{kind}: {count} records, expected {n}")
"""

#: (label, file suffix, writer, parsers compared on it)
_COMPARED = (
    ("RIS", "ris", "write_ris", (("evsynth RisReader", "evsynth-ris"), ("rispy.load", "rispy"))),
    (
        "PubMed XML",
        "xml",
        "write_pubmed_xml",
        (("evsynth PubmedXmlReader", "evsynth-xml"), ("Bio.Entrez.parse/read", "entrez")),
    ),
)


def compare_parsers(workdir: Path, n: int) -> None:
    """Print our parsers and the reference libraries side by side on the same generated files."""
    print(f"\nparsers alone, {n} records (no table written), each in its own process:")
    print(f"{'file':<11} {'parser':<24} {'wall s':>7} {'CPU s':>7} {'rec/s':>7} {'rec/cpu':>8} "
          f"{'peak MiB':>8}")  # fmt: skip
    for label, suffix, writer, parsers in _COMPARED:
        path = workdir / f"compare-{n}.{suffix}"
        globals()[writer](path, n)
        try:
            for name, kind in parsers:
                seconds, cpu, peak = measure(["-c", _PARSE, kind, str(path), str(n)])
                print(
                    f"{label:<11} {name:<24} {seconds:>7.1f} {cpu:>7.1f} {n / seconds:>7.0f} "
                    f"{n / max(cpu, 1e-9):>8.0f} {peak:>8.0f}",
                    flush=True,
                )
        finally:
            path.unlink()
    print(
        "rispy keeps one value for tags it is not told repeat and reports no lines; Biopython "
        "1.88's Entrez.parse refuses a PubmedArticleSet (EFetch's shape), so Entrez.read is "
        "timed, which returns nested dicts without field mapping; ours build canonical records."
    )


def measure(argv: list[str], env: dict[str, str] | None = None) -> tuple[float, float, float]:
    """(wall seconds, CPU seconds, peak RSS in MiB) of one command, in a fresh wrapper process.

    CPU seconds are reported too because the benchmark machine is shared: wall time includes
    waiting for a core, CPU time does not. ``env``: the command's environment (default: ours).
    """
    if argv and argv[0] == "-c":
        argv = [sys.executable, *argv]
    out = subprocess.run(
        [sys.executable, "-c", _MEASURE, *argv],
        check=True,
        capture_output=True,
        text=True,
        env=env,
    ).stdout.split()
    if out[0] != "0":
        raise SystemExit(f"command failed: {' '.join(argv)}")
    return float(out[1]), float(out[2]), int(out[3]) / 1024


def compare_trees(workdir: Path, n: int, trees: list[Path], repeat: int) -> None:
    """Print the best CPU time of our parsers and of ``evsynth import`` under each source tree."""
    print(f"\n{n} records, best CPU of {repeat} alternating rounds, trees: "
          + ", ".join(map(str, trees)))  # fmt: skip
    print(f"{'file':<11} {'run':<16} {'tree':<28} {'best CPU s':>10} {'rec/cpu':>8}  all CPU s")
    for label, suffix, writer, parsers in _COMPARED:
        path = workdir / f"trees-{n}.{suffix}"
        globals()[writer](path, n)
        kind = parsers[0][1]
        fmt = "ris" if suffix == "ris" else "pubmed-xml"
        out = workdir / f"trees-{n}.tsv"
        runs = (
            ("parser alone", ["-c", _PARSE, kind, str(path), str(n)]),
            (
                "evsynth import",
                ["-m", "evsynth.cli", "import", str(path), "--format", fmt, "--source", "bench",
                 "--out", str(out)],
            ),
        )  # fmt: skip
        try:
            for name, command in runs:
                cpu: dict[Path, list[float]] = {tree: [] for tree in trees}
                for round_ in range(repeat):
                    order = trees if round_ % 2 == 0 else trees[::-1]
                    for tree in order:
                        env = {**os.environ, "PYTHONPATH": str(tree)}
                        cpu[tree].append(measure([sys.executable, *command], env=env)[1])
                for tree in trees:
                    best = min(cpu[tree])
                    print(
                        f"{label:<11} {name:<16} {str(tree)[-28:]:<28} {best:>10.2f} "
                        f"{n / best:>8.0f}  {' '.join(f'{c:.2f}' for c in cpu[tree])}",
                        flush=True,
                    )
        finally:
            path.unlink()
            out.unlink(missing_ok=True)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--records", type=int, default=100_000)
    parser.add_argument("--workdir", type=Path, default=None)
    parser.add_argument("--keep", action="store_true", help="keep the generated files")
    parser.add_argument(
        "--parsers-only", action="store_true", help="only the parser-vs-library comparison"
    )
    parser.add_argument(
        "--trees",
        nargs="+",
        type=Path,
        metavar="SRC",
        help="compare these source trees (each put on PYTHONPATH) back to back",
    )
    parser.add_argument("--repeat", type=int, default=3, help="rounds for --trees (default 3)")
    args = parser.parse_args(argv)
    workdir = args.workdir or Path(tempfile.mkdtemp(prefix="evsynth-bench-"))
    workdir.mkdir(parents=True, exist_ok=True)
    if args.trees:
        try:
            compare_trees(workdir, args.records, [t.resolve() for t in args.trees], args.repeat)
        finally:
            if not args.keep and args.workdir is None:
                shutil.rmtree(workdir, ignore_errors=True)
        return 0
    if args.parsers_only:
        try:
            compare_parsers(workdir, args.records)
        finally:
            if not args.keep and args.workdir is None:
                shutil.rmtree(workdir, ignore_errors=True)
        return 0
    evsynth = [sys.executable, "-m", "evsynth.cli"]
    startup, startup_cpu, startup_mem = measure([*evsynth, "import", "--help"])
    print(f"load average before: {' '.join(f'{x:.2f}' for x in os.getloadavg())} "
          f"on {os.cpu_count()} cores")  # fmt: skip
    print(
        f"CLI start-up (imports every stage): {startup:.2f} s wall, {startup_cpu:.2f} s CPU, "
        f"{startup_mem:.0f} MiB"
    )
    print(f"{'format':<11} {'records':>8} {'file MB':>8} {'table MB':>8} {'wall s':>7} "
          f"{'CPU s':>7} {'rec/s':>7} {'rec/cpu':>7} {'rec/cpu*':>8} {'peak MiB':>8}")  # fmt: skip
    try:
        for fmt, writer, suffix in (
            ("ris", write_ris, "ris"),
            ("pubmed-xml", write_pubmed_xml, "xml"),
        ):
            for n in (args.records // 2, args.records):
                path = workdir / f"bench-{n}.{suffix}"
                writer(path, n)
                out = workdir / f"bench-{n}-{suffix}.tsv"
                seconds, cpu, peak = measure(
                    [
                        *evsynth,
                        "import",
                        str(path),
                        "--format",
                        fmt,
                        "--source",
                        "bench",
                        "--out",
                        str(out),
                    ]
                )
                size = path.stat().st_size / 1e6
                table = out.stat().st_size / 1e6
                print(
                    f"{fmt:<11} {n:>8} {size:>8.1f} {table:>8.1f} {seconds:>7.1f} {cpu:>7.1f} "
                    f"{n / seconds:>7.0f} {n / max(cpu, 1e-9):>7.0f} "
                    f"{n / max(cpu - startup_cpu, 1e-9):>8.0f} {peak:>8.0f}",
                    flush=True,
                )
                path.unlink()
                out.unlink()
        compare_parsers(workdir, args.records)
    finally:
        if not args.keep and args.workdir is None:
            shutil.rmtree(workdir, ignore_errors=True)
    print(
        "rec/s: records / wall time; rec/cpu: records / CPU time (user + sys of the child, which "
        "does not count waiting for a core on a shared machine); rec/cpu*: the same without the "
        "CLI start-up. Target (issue 2): >= 20,000 records/s, < 1 GB peak."
    )
    print(f"load average after: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
