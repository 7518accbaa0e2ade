"""Benchmark screening ingestion at scale: many study records, several reviewers and tools.

Writes a deterministic unique.tsv of N study records, two reviewers' plain CSV files keyed by study
record id, and a Rayyan-style export without ids (matched back by title, year and first author, the
slow path), then times one title/abstract stage and prints wall time, CPU time and peak memory.

    python benchmarks/screening_scale.py [--records 20000]
"""

from __future__ import annotations

import argparse
import csv
import random
import resource
import tempfile
import time
from pathlib import Path

from evsynth.contracts.records import COLUMNS
from evsynth.screening.ingest import DecisionFile
from evsynth.screening.output import write_stage
from evsynth.screening.run import screen_files
from evsynth.screening.stage import StageSettings
from evsynth.tables import write_tsv


def build(folder: Path, n: int) -> list[DecisionFile]:
    """The inputs: unique.tsv, alice.csv and bob.csv (by id), rayyan.csv (by title only)."""
    rows = [
        {
            "study_record_id": f"pubmed:{i}",
            "record_id": f"pubmed:{i}",
            "source": "pubmed",
            "title": f"Survival after pulmonary metastasectomy, cohort {i}",
            "authors": f"Author{i}, A",
            "year": str(1990 + i % 35),
            "doi": f"10.1000/x{i}",
            "pmid": str(i),
            "sources": "embase; pubmed",
            "member_ids": f"pubmed:{i}; embase:L{i}",
        }
        for i in range(1, n + 1)
    ]
    columns = ["study_record_id", *COLUMNS, "sources", "member_ids"]
    write_tsv(folder / "unique.tsv", rows, columns, sort_by=("study_record_id",))
    rng = random.Random(1)
    for reviewer in ("alice", "bob"):
        with (folder / f"{reviewer}.csv").open("w", newline="", encoding="utf-8") as handle:
            writer = csv.writer(handle)
            writer.writerow(["study_record_id", "decision"])
            for i in range(1, n + 1):
                writer.writerow([f"pubmed:{i}", "include" if rng.random() < 0.1 else "exclude"])
    with (folder / "rayyan.csv").open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(["key", "title", "authors", "year", "notes"])
        for i in range(1, n + 1):
            writer.writerow(
                [
                    f"r{i}",
                    f"Survival after pulmonary metastasectomy, cohort {i}",
                    f"Author{i}, A",
                    str(1990 + i % 35),
                    'RAYYAN-INCLUSION: {"carol"=>"Excluded"}',
                ]
            )
    return [DecisionFile(str(folder / f"{name}.csv")) for name in ("alice", "bob", "rayyan")]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--records", type=int, default=20000)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        files = build(folder, args.records)
        settings = StageSettings(
            stage="title_abstract", reviewers=("alice", "bob", "carol"), required_reviewers=2
        )
        wall, cpu = time.perf_counter(), time.process_time()
        result, records = screen_files(folder / "unique.tsv", files, settings=settings)
        write_stage(result, records, folder / "out")
        wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(
        f"{args.records:,} study records, 3 reviewers ({3 * args.records:,} decisions, "
        f"{args.records:,} matched by title, year and first author): wall {wall:.1f} s, "
        f"CPU {cpu:.1f} s, peak {peak_mb:.0f} MB; queued {len(result.queue)}, "
        f"kappa {result.agreement.kappa}"
    )


if __name__ == "__main__":
    main()
