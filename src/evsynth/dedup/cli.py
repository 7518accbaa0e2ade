"""`evsynth dedup`: deduplicate the records of every search run, in one job or in partitions.

``evsynth dedup`` does everything in one process. ``evsynth dedup-prepare``, ``dedup-score
--partition K/N`` (N jobs, in any order or at once) and ``dedup-merge`` are the same computation
split for a cluster (:mod:`evsynth.dedup.partition`), with byte-identical outputs.
"""

from __future__ import annotations

import argparse

from evsynth.commands import add_command
from evsynth.dedup import partition
from evsynth.dedup.engine import (
    deduplicate,
    finish,
    load_inputs,
    paused_gc,
    prepare,
    score_partition,
)
from evsynth.dedup.write import write_outputs

__all__ = ["register", "run", "run_merge", "run_prepare", "run_score"]

EPILOG = """\
example:
  evsynth dedup results/search/*/*.records.tsv --out results/dedup/ \\
      --decisions resources/dedup/decisions.csv --threads 2

Writes pairs.tsv (every candidate pair, its similarities, rule and decision), clusters.tsv,
unique.tsv (one merged record per study record), possible.csv (pairs for a person to decide:
fill in `decision` with same|different and save as the decisions file) and summary.json.
"""


PARTITION_EPILOG = """\
example (the same outputs as `evsynth dedup`, byte for byte, for any N):
  evsynth dedup-prepare results/search/*/*.records.tsv --work results/dedup-partitions/
  evsynth dedup-score --work results/dedup-partitions/ --partition 1/3   # 3 jobs: 1/3, 2/3, 3/3
  evsynth dedup-score --work results/dedup-partitions/ --partition 2/3
  evsynth dedup-score --work results/dedup-partitions/ --partition 3/3
  evsynth dedup-merge --work results/dedup-partitions/ --out results/dedup/ \\
      --decisions resources/dedup/decisions.csv

prepare reads, normalises and blocks (records.pkl, norms.pkl); score K/N scores the K-th of N
consecutive slices of the sorted candidate pairs (scored-K-of-N.pkl); merge checks that the
partitions are 1..N of one N from this prepare run, then applies the decisions and the global
rules, clusters and writes the five files of `evsynth dedup`. The records TSVs must stay where
and as they were until the merge (it reads their fields again).
"""


def register(subparsers: argparse._SubParsersAction) -> None:
    """Add the `dedup`, `dedup-prepare`, `dedup-score` and `dedup-merge` subcommands."""
    parser = add_command(subparsers, "dedup", run, epilog=EPILOG)
    parser.add_argument("tsv", nargs="+", metavar="TSV", help="records TSVs of all runs")
    parser.add_argument("--out", required=True, metavar="DIR", help="output directory")
    parser.add_argument(
        "--decisions",
        metavar="CSV",
        default=None,
        help="a person's pair decisions (record_id_a,record_id_b,decision,note); they always "
        "win over the rules",
    )
    parser.add_argument(
        "--threads", type=int, default=1, metavar="N", help="processes for scoring (default 1)"
    )
    parser.add_argument("--quiet", action="store_true", help="no progress bar on stderr")

    prep = add_command(subparsers, "dedup-prepare", run_prepare, epilog=PARTITION_EPILOG)
    prep.add_argument("tsv", nargs="+", metavar="TSV", help="records TSVs of all runs")
    prep.add_argument("--work", required=True, metavar="DIR", help="work directory")
    prep.add_argument("--quiet", action="store_true", help="no progress bar on stderr")

    score = add_command(subparsers, "dedup-score", run_score, epilog=PARTITION_EPILOG)
    score.add_argument("--work", required=True, metavar="DIR", help="dedup-prepare's directory")
    score.add_argument("--partition", required=True, metavar="K/N", help="e.g. 2/4")
    score.add_argument("--out", default=None, metavar="FILE", help="default WORK/scored-K-of-N.pkl")
    score.add_argument(
        "--threads", type=int, default=1, metavar="N", help="processes for scoring (default 1)"
    )
    score.add_argument("--quiet", action="store_true", help="no progress bar on stderr")

    merge = add_command(subparsers, "dedup-merge", run_merge, epilog=PARTITION_EPILOG)
    merge.add_argument(
        "scored",
        nargs="*",
        metavar="SCORED",
        help="partition files (default: every WORK/scored-*-of-*.pkl)",
    )
    merge.add_argument("--work", required=True, metavar="DIR", help="dedup-prepare's directory")
    merge.add_argument("--out", required=True, metavar="DIR", help="output directory")
    merge.add_argument(
        "--decisions",
        metavar="CSV",
        default=None,
        help="a person's pair decisions (as for `evsynth dedup`); they always win",
    )
    merge.add_argument("--quiet", action="store_true", help="no progress bar on stderr")


def run(args: argparse.Namespace) -> int:
    """find duplicate records across databases and search runs

    Deduplicate records TSVs: normalise, block, score, cluster without chaining, merge. A records
    TSV in a directory named like a date (results/search/2025-12-31/) belongs to that search run.
    """
    with paused_gc():
        tables = load_inputs(args.tsv, slim=True)
        result = deduplicate(
            tables, decisions=args.decisions, threads=max(1, args.threads), progress=not args.quiet
        )
        write_outputs(result, args.out)
    return 0


def run_prepare(args: argparse.Namespace) -> int:
    """partitioned dedup, step 1: read, normalise and block once

    Read the records TSVs, normalise, find container DOIs and the candidate pairs, and write them
    to a work directory for dedup-score and dedup-merge.
    """
    with paused_gc():
        tables = load_inputs(args.tsv, slim=True)
        state = prepare(tables, progress=not args.quiet)
        partition.write_prepared(state, args.work)
    return 0


def run_score(args: argparse.Namespace) -> int:
    """partitioned dedup, step 2: score partition K of N of the candidate pairs

    Score the K-th of N consecutive slices of the sorted candidate pairs (every pair is in exactly
    one partition); writes WORK/scored-K-of-N.pkl.
    """
    k, n = partition.parse_partition(args.partition)
    with paused_gc():
        state, fingerprint = partition.read_norms(args.work)
        scored = score_partition(state, k, n, threads=max(1, args.threads), progress=not args.quiet)
        partition.write_scored(
            scored, args.work, k, n, fingerprint, len(state.candidates), out=args.out
        )
    return 0


def run_merge(args: argparse.Namespace) -> int:
    """partitioned dedup, step 3: merge the partitions and write results/dedup/

    Check and join every partition's scores, apply the decisions and the global rules, cluster and
    write the outputs of `evsynth dedup`.
    """
    with paused_gc():
        state, fingerprint = partition.read_prepared(args.work)
        files = args.scored or partition.scored_files(args.work)
        scored = partition.read_scored(files, state, fingerprint, args.work)
        result = finish(state, scored, decisions=args.decisions, progress=not args.quiet)
        write_outputs(result, args.out)
    return 0
