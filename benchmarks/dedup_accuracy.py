#!/usr/bin/env python
"""Accuracy, speed and memory of `evsynth dedup` on generated corpora of growing size.

For each size the corpus comes from scripts/make_dedup_corpus.py (same seed), deduplication runs in
a fresh process (so peak memory is that run's own), and pairwise precision, recall and F1 are
computed from clusters.tsv against truth.tsv: a pair of records is a predicted duplicate when they
share a study record, a true duplicate when they share a group (the usual pairwise measure, e.g.
Hair et al. 2023, BMC Biol 21:189). Wall time covers reading, deduplicating and writing.

Example: python benchmarks/dedup_accuracy.py --sizes 1000 10000 100000 --threads 1

With ``--partitions N`` each size is also run as the partitioned dedup (``dedup-prepare``, N
``dedup-score --partition K/N`` one after another, ``dedup-merge``, each in a fresh process): wall
time and peak memory per step, and whether the five outputs are byte-identical to the one job's.
Example: python benchmarks/dedup_accuracy.py --sizes 1000000 --partitions 4
Targets (issue 4): precision >= 0.999, recall >= 0.98; 100k records <= 60 s and < 2 GB;
1M <= 15 min; time(100k) / time(10k) <= 15.
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import subprocess
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

# Runs `evsynth dedup` with only the dedup subcommand registered: the `evsynth` entry point also
# imports every other stage (scipy, matplotlib), which is start-up time, not deduplication.
_RUNNER = """
import argparse, resource, sys
from evsynth.dedup import cli
parser = argparse.ArgumentParser(prog="evsynth")
cli.register(parser.add_subparsers())
args = parser.parse_args(sys.argv[1:])
code = args.func(args)
usage = resource.getrusage(resource.RUSAGE_SELF)
print(f"PEAK_KB={usage.ru_maxrss} CPU_S={usage.ru_utime + usage.ru_stime}", file=sys.stderr)
sys.exit(code)
"""


def _read(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle, delimiter="\t", quoting=csv.QUOTE_NONE))


def _pairs(sizes: Counter) -> int:
    return sum(k * (k - 1) // 2 for k in sizes.values())


def pairwise_scores(truth_path: Path, clusters_path: Path) -> tuple[float, float, float]:
    """Pairwise precision, recall and F1 of the clustering against the truth groups."""
    group = {r["record_id"]: r["group_id"] for r in _read(truth_path)}
    study = {r["record_id"]: r["study_record_id"] for r in _read(clusters_path)}
    true_pairs = _pairs(Counter(group.values()))
    predicted = _pairs(Counter(study.values()))
    both = _pairs(Counter((study[r], group[r]) for r in group))
    precision = both / predicted if predicted else 1.0
    recall = both / true_pairs if true_pairs else 1.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return precision, recall, f1


def run_size(n: int, *, seed: int, threads: int, work: Path) -> dict[str, float]:
    """Generate a corpus of n records, deduplicate it, and measure."""
    corpus = work / f"corpus-{n}-seed{seed}"
    if not (corpus / "truth.tsv").exists():  # generated once per --work directory
        subprocess.run(
            [sys.executable, str(ROOT / "scripts" / "make_dedup_corpus.py"), "--records",
             str(n), "--seed", str(seed), "--out", str(corpus)],
            check=True,
        )  # fmt: skip
    out = work / f"dedup-{n}"
    start = time.perf_counter()
    proc = subprocess.run(
        [sys.executable, "-c", _RUNNER, "dedup", str(corpus / "records.tsv"), "--out", str(out),
         "--threads", str(threads), "--quiet"],
        check=True, capture_output=True, text=True,
    )  # fmt: skip
    wall = time.perf_counter() - start
    peak_kb = int(proc.stderr.rsplit("PEAK_KB=", 1)[1].split()[0])
    # CPU of the main process (with --threads > 1 the workers' CPU is not included).
    cpu = float(proc.stderr.rsplit("CPU_S=", 1)[1].split()[0])
    precision, recall, f1 = pairwise_scores(corpus / "truth.tsv", out / "clusters.tsv")
    summary = json.loads((out / "summary.json").read_text(encoding="utf-8"))
    return {
        "records": n,
        "precision": precision,
        "recall": recall,
        "f1": f1,
        "seconds": wall,
        "cpu_seconds": cpu,
        "peak_mb": peak_kb / 1024,
        "possible": summary["possible_pairs"],
        "candidates": summary["candidate_pairs"],
    }


def _step(*args: str) -> tuple[float, float]:
    """Run one evsynth dedup command in a fresh process; (wall s, peak MB)."""
    start = time.perf_counter()
    proc = subprocess.run(
        [sys.executable, "-c", _RUNNER, *args, "--quiet"],
        check=True,
        capture_output=True,
        text=True,
    )
    wall = time.perf_counter() - start
    return wall, int(proc.stderr.rsplit("PEAK_KB=", 1)[1].split()[0]) / 1024


def run_partitioned(n: int, partitions: int, *, seed: int, work: Path) -> bool:
    """Prepare + N scoring jobs + merge of the size-n corpus; prints one line per step and
    returns whether the outputs equal the one job's (run_size must have run first)."""
    corpus = work / f"corpus-{n}-seed{seed}"
    state = work / f"partitions-{n}"
    out = work / f"dedup-{n}-partitioned"
    steps = [("prepare", ("dedup-prepare", str(corpus / "records.tsv"), "--work", str(state)))]
    steps += [
        (f"score {k}/{partitions}",
         ("dedup-score", "--work", str(state), "--partition", f"{k}/{partitions}"))
        for k in range(1, partitions + 1)
    ]  # fmt: skip
    steps.append(("merge", ("dedup-merge", "--work", str(state), "--out", str(out))))
    total = 0.0
    for label, args in steps:
        wall, peak = _step(*args)
        total += wall
        print(f"  {n:>9} {label:<12} {wall:>8.1f} s {peak:>8.0f} MB", flush=True)
    single = work / f"dedup-{n}"
    names = ("pairs.tsv", "clusters.tsv", "unique.tsv", "possible.csv", "summary.json")
    same = all((single / f).read_bytes() == (out / f).read_bytes() for f in names)
    print(f"  {n:>9} {'all steps':<12} {total:>8.1f} s; outputs byte-identical to the one job: "
          f"{'yes' if same else 'NO'}", flush=True)  # fmt: skip
    return same


def main(argv: list[str] | None = None) -> int:
    """Print one table row per corpus size."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0], epilog=__doc__)
    parser.add_argument("--sizes", type=int, nargs="+", default=[1000, 10000, 100000])
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--threads", type=int, default=1)
    parser.add_argument("--work", default=None, help="keep corpora and outputs here")
    parser.add_argument(
        "--partitions", type=int, default=0, help="also run as prepare + N score jobs + merge"
    )
    args = parser.parse_args(argv)
    all_same = True
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(args.work) if args.work else Path(tmp)
        header = (
            f"{'records':>9} {'precision':>9} {'recall':>7} {'F1':>7} {'seconds':>8} {'cpu s':>7} "
            f"{'peak MB':>8} {'possible':>8} {'candidates':>10}"
        )
        print(header, flush=True)
        times = {}
        for n in args.sizes:
            row = run_size(n, seed=args.seed, threads=args.threads, work=work)
            times[n] = row["seconds"]
            print(
                f"{n:>9} {row['precision']:>9.5f} {row['recall']:>7.4f} {row['f1']:>7.4f} "
                f"{row['seconds']:>8.1f} {row['cpu_seconds']:>7.1f} {row['peak_mb']:>8.0f} "
                f"{row['possible']:>8} {row['candidates']:>10}",
                flush=True,
            )
            if args.partitions:
                all_same &= run_partitioned(n, args.partitions, seed=args.seed, work=work)
        if 10000 in times and 100000 in times:
            print(f"time(100k)/time(10k) = {times[100000] / times[10000]:.1f}")
        print(f"load average at the end: {os.getloadavg()[0]:.1f} (other jobs slow the wall time)")
    return 0 if all_same else 1


if __name__ == "__main__":
    sys.exit(main())
