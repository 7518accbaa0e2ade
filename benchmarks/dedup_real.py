#!/usr/bin/env python
"""evsynth dedup vs bib-dedupe 0.11.0 on four real labelled searches, in the same run.

The sets (benchmarks/data/dedup-real/, see its README for provenance and licence) are BibTeX-style
CSV exports of real EndNote libraries with hand-checked duplicate groups. Each set is converted to
evsynth's records TSV (records.COLUMNS) field by field, without cleaning: authors stay a BibTeX
` and ` list, pages/volumes stay as exported; normalising them is deduplication's job.

Both tools see the same records. Scoring is pairwise (Hair et al. 2023, BMC Biol 21:189):
- found pairs = pairs of records placed in one study record (evsynth clusters.tsv) or one
  duplicate set (bib-dedupe `cluster()` of its "duplicate" pairs): the automatic tier;
- precision = true pairs found / pairs found; recall = true pairs found / true pairs;
- possible = pairs left for a person (evsynth possible.csv, bib-dedupe "maybe" pairs).
Wall time: reading and deduplicating in one process (evsynth also writes its outputs); for
bib-dedupe prep + block + match + cluster, both single-process (bib-dedupe cpu=1, evsynth
--threads 1), interpreter start-up and imports excluded for both.

bib-dedupe runs in its own virtual environment (it is not a project dependency): pass
--bibdedupe-python, or the benchmark creates benchmarks/out/venv-bibdedupe with
`pip install bib-dedupe==0.11.0` on first use.

Targets (issue 14), per set: precision >= 0.999; recall >= bib-dedupe's; possible pairs <= 3% of
records; evsynth time <= 1/10 of bib-dedupe's.

Example: python benchmarks/dedup_real.py --bibdedupe-python /work/bench-venv-bibdedupe/bin/python
"""

from __future__ import annotations

import argparse
import csv
import json
import subprocess
import sys
import tempfile
import time
import venv
from collections.abc import Iterable
from itertools import combinations
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DATA = ROOT / "benchmarks" / "data" / "dedup-real"
SETS = ("stroke", "haematology", "cytology_screening", "respiratory")
DEFAULT_VENV = ROOT / "benchmarks" / "out" / "venv-bibdedupe"
BIBDEDUPE = "bib-dedupe==0.11.0"

# Runs inside the bib-dedupe venv: read one set, deduplicate, print pairs and time as JSON.
_BIBDEDUPE_RUNNER = r"""
import json, sys, time
import pandas as pd
from bib_dedupe.bib_dedupe import block, cluster, match, prep
from bib_dedupe import verbose_print
verbose_print.verbosity_level = 0
df = pd.read_csv(sys.argv[1])
start = time.perf_counter()
prepped = prep(df, cpu=1)
blocked = block(prepped, cpu=1)
matched = match(blocked, cpu=1)
groups = cluster(matched)
seconds = time.perf_counter() - start
maybe = matched[matched["duplicate_label"] == "maybe"]
maybe_pairs = {tuple(sorted((str(a), str(b)))) for a, b in zip(maybe["ID_1"], maybe["ID_2"])}
print(json.dumps({"seconds": seconds, "groups": [list(map(str, g)) for g in groups],
                  "maybe": len(maybe_pairs)}))
"""


def _pairs_of(groups: Iterable[Iterable[str]]) -> set[tuple[str, str]]:
    out: set[tuple[str, str]] = set()
    for group in groups:
        out.update(combinations(sorted(set(group)), 2))
    return out


def true_pairs(name: str) -> set[tuple[str, str]]:
    """Every pair of records in one hand-checked duplicate group."""
    path = DATA / name / "merged_record_ids.csv"
    with path.open(encoding="utf-8", newline="") as handle:
        return _pairs_of(row["merged_ids"].split(";") for row in csv.DictReader(handle))


def convert(name: str, out: Path) -> Path:
    """The set's CSV as an evsynth records TSV, field for field (no cleaning)."""
    from evsynth.contracts.records import Record, write_records

    src = DATA / name / "records_pre_merged.csv"
    records = []
    with src.open(encoding="utf-8", newline="") as handle:
        for line, row in enumerate(csv.DictReader(handle), start=2):
            records.append(
                Record(
                    record_id=row["ID"],
                    source="endnote",
                    source_id=row["ID"],
                    title=row["title"],
                    authors=row["author"],
                    journal=row["journal"],
                    year=row["year"],
                    volume=row["volume"],
                    issue=row["number"],
                    pages=row["pages"],
                    pub_type=row["ENTRYTYPE"],
                    source_file=str(src.relative_to(ROOT)),
                    source_line=str(line),
                )
            )
    path = out / f"{name}.records.tsv"
    write_records(path, records)
    return path


def run_evsynth(tsv: Path, out: Path) -> dict:
    """evsynth's automatic-tier pairs, possible pairs and wall time."""
    from evsynth.dedup.engine import deduplicate, load_inputs, paused_gc
    from evsynth.dedup.write import write_outputs

    start = time.perf_counter()
    with paused_gc():
        result = deduplicate(load_inputs([tsv]), threads=1, progress=False)
        write_outputs(result, out)
    seconds = time.perf_counter() - start
    groups: dict[str, list[str]] = {}
    for rid, study in result.study_of.items():
        groups.setdefault(study, []).append(rid)
    return {
        "seconds": seconds,
        "pairs": _pairs_of(groups.values()),
        "possible": len(result.possible),
    }


def bibdedupe_python(given: str | None) -> str:
    """The interpreter of a venv with bib-dedupe, created under benchmarks/out/ if needed."""
    if given:
        return given
    python = DEFAULT_VENV / "bin" / "python"
    if not python.exists():
        print(f"creating {DEFAULT_VENV} with {BIBDEDUPE} ...", file=sys.stderr, flush=True)
        venv.create(DEFAULT_VENV, with_pip=True)
        subprocess.run([str(python), "-m", "pip", "install", "-q", BIBDEDUPE], check=True)
    return str(python)


def run_bibdedupe(python: str, name: str) -> dict:
    """bib-dedupe's duplicate pairs, maybe pairs and time on the set's original CSV."""
    proc = subprocess.run(
        [python, "-c", _BIBDEDUPE_RUNNER, str(DATA / name / "records_pre_merged.csv")],
        check=True, capture_output=True, text=True,
    )  # fmt: skip
    result = json.loads(proc.stdout.strip().splitlines()[-1])
    return {
        "seconds": result["seconds"],
        "pairs": _pairs_of(result["groups"]),
        "possible": result["maybe"],
    }


def precision_recall(found: set, truth: set) -> tuple[float, float]:
    """Pairwise precision and recall."""
    both = len(found & truth)
    return (both / len(found) if found else 1.0), (both / len(truth) if truth else 1.0)


def main(argv: list[str] | None = None) -> int:
    """Print the side-by-side table and whether each target is met; exit 1 if any is not."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0], epilog=__doc__)
    parser.add_argument("--sets", nargs="+", default=list(SETS), choices=SETS)
    parser.add_argument("--bibdedupe-python", default=None, help="python of a bib-dedupe venv")
    parser.add_argument("--no-bibdedupe", action="store_true", help="evsynth only (no targets)")
    parser.add_argument("--errors", type=int, default=0, help="print N false/missed pairs per set")
    args = parser.parse_args(argv)
    python = None if args.no_bibdedupe else bibdedupe_python(args.bibdedupe_python)
    print(
        f"{'set':<19} {'records':>7} {'evsynth P':>9} {'R':>6} {'possible':>8} {'%':>5} "
        f"{'sec':>6} | {'bib-dedupe P':>12} {'R':>6} {'maybe':>5} {'sec':>6} | targets"
    )
    all_met = True
    with tempfile.TemporaryDirectory() as tmp:
        for name in args.sets:
            work = Path(tmp) / name
            work.mkdir()
            tsv = convert(name, work)
            n = sum(1 for _ in tsv.open(encoding="utf-8")) - 1
            truth = true_pairs(name)
            ev = run_evsynth(tsv, work / "dedup")
            p, r = precision_recall(ev["pairs"], truth)
            share = 100.0 * ev["possible"] / n
            line = (
                f"{name:<19} {n:>7} {p:>9.4f} {r:>6.4f} {ev['possible']:>8} {share:>5.1f} "
                f"{ev['seconds']:>6.2f} |"
            )
            if python:
                bd = run_bibdedupe(python, name)
                bp, br = precision_recall(bd["pairs"], truth)
                met = {
                    "P": p >= 0.999,
                    "R": r >= br,
                    "possible": share <= 3.0,
                    "time": ev["seconds"] * 10 <= bd["seconds"],
                }
                all_met &= all(met.values())
                flags = " ".join(f"{k}:{'met' if v else 'MISSED'}" for k, v in met.items())
                line += (
                    f" {bp:>12.4f} {br:>6.4f} {bd['possible']:>5} {bd['seconds']:>6.2f} | {flags}"
                )
            print(line, flush=True)
            if args.errors:
                _print_errors(work / "dedup", tsv, ev["pairs"], truth, args.errors)
    return 0 if all_met else 1


def _print_errors(out: Path, tsv: Path, found: set, truth: set, limit: int) -> None:
    """False merges and missed pairs with the rule that decided them (to find failure classes)."""
    with tsv.open(encoding="utf-8", newline="") as handle:
        rows = {
            r["record_id"]: r
            for r in csv.DictReader(handle, delimiter="\t", quoting=csv.QUOTE_NONE)
        }
    with (out / "pairs.tsv").open(encoding="utf-8", newline="") as handle:
        rules = {
            (r["a"], r["b"]): r
            for r in csv.DictReader(handle, delimiter="\t", quoting=csv.QUOTE_NONE)
        }
    for label, pairs in (("FALSE", sorted(found - truth)), ("MISSED", sorted(truth - found))):
        for a, b in pairs[:limit]:
            rule = rules.get((a, b))
            why = (
                f"{rule['rule']} {rule['decision']} t={rule['title_sim']} au={rule['author_sim']}"
                if rule
                else "not a candidate"
            )
            print(f"  {label} {a} {b} {why}")
            for rid in (a, b):
                r = rows[rid]
                print(
                    f"      {r['title'][:90]!r} | {r['authors'][:50]!r} | {r['journal'][:30]!r} "
                    f"{r['year']} v{r['volume']} n{r['issue']} p{r['pages']}"
                )


if __name__ == "__main__":
    sys.exit(main())
