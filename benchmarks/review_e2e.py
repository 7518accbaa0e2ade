"""Wall times of the whole review: a fresh build, a no-op rerun, and a living-review update.

(a) The default review (Snakefile, config, workflow, resources copied from this repository into a
    scratch folder, as after a fresh clone and install): ``snakemake --cores 4``.
(b) The same command again with nothing changed (issue 10's target: under 3 s on this machine).
(c) An update run with 1,000 new PubMed records: the small review of
    ``tests/test_living_review.py`` is built and run once against the mock E-utilities, then
    1,000 records entered in 2026 appear, ``evsynth update --to 2026-11-27`` appends the run, and
    ``snakemake --cores 4`` (fetch, dedup over all runs, screening queue, ..., report) is timed.

Run from the repository root: ``python benchmarks/review_e2e.py [--cores 4] [--keep DIR]``.
Figures are printed; nothing is asserted (speed targets are not tests).
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from datetime import date
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests"))
sys.path.insert(0, str(ROOT))  # tests.support (the mock server) is not part of the package

import test_living_review as living  # noqa: E402  (the small review project's builder)

from tests.support.mock_eutils import MockEutils, generate_corpus  # noqa: E402
from tests.support.workflow import copy_review  # noqa: E402

EVSYNTH = Path(sys.executable).with_name("evsynth")


def _env() -> dict[str, str]:
    env = dict(os.environ)
    env["PATH"] = f"{EVSYNTH.parent}{os.pathsep}{env.get('PATH', '')}"
    return env


def timed(cmd: list[str], cwd: Path) -> tuple[float, subprocess.CompletedProcess[str]]:
    """Wall time of one command; a failure stops the benchmark with the command's output."""
    start = time.perf_counter()
    result = subprocess.run(cmd, cwd=cwd, capture_output=True, text=True, check=False, env=_env())
    elapsed = time.perf_counter() - start
    if result.returncode != 0:
        sys.stderr.write(result.stdout[-4000:] + result.stderr[-4000:])
        raise SystemExit(f"failed ({result.returncode}): {' '.join(cmd)} in {cwd}")
    return elapsed, result


def jobs_run(result: subprocess.CompletedProcess[str]) -> int:
    table = living.job_table(result.stdout + "\n" + result.stderr)
    return sum(table.values())


def default_review(work: Path, cores: int) -> None:
    project = work / "default"
    project.mkdir()
    copy_review(project)
    snake = [sys.executable, "-m", "snakemake", "--cores", str(cores)]
    full, result = timed(snake, project)
    jobs = jobs_run(result)
    print(f"(a) default review, fresh copy, --cores {cores}: {full:8.1f} s ({jobs} jobs)")
    noop, result = timed(snake, project)
    status = "nothing to do" if "Nothing to be done" in result.stdout + result.stderr else "WORK"
    print(f"(b) no-op rerun:                             {noop:8.2f} s ({status}; target < 3 s)")


def update_run(work: Path, cores: int, new_records: int) -> None:
    project = work / "living"
    project.mkdir()
    snake = [sys.executable, "-m", "snakemake", "--cores", str(cores)]
    with MockEutils(living.FIRST) as server:
        living.build_project(project, server.url)
        first, _ = timed(snake, project)
        print(f"    small review, first run ({len(living.FIRST)} records):  {first:8.1f} s")
        corpus = generate_corpus(
            new_records,
            start=date(2026, 1, 1),
            end=date(2026, 10, 27),  # entry dates up to 30 days later: all in the window
            first_pmid=31_000_001,
            seed=10,
        )
        for article in corpus:
            server.articles[article.pmid] = article
        server.reset_counters()
        config = project / "config" / "config.yaml"
        timed([str(EVSYNTH), "update", "--to", living.UPDATE_RUN, "--config", str(config)], ROOT)
        update, result = timed(snake, project)
        requests = dict(server.requests)
    table = project / "results" / "search" / living.UPDATE_RUN / "pubmed.records.tsv"
    fetched = sum(1 for _ in table.open(encoding="utf-8")) - 1
    queue = project / "results" / "screening" / "queue_title_abstract.csv"
    queued = sum(1 for _ in queue.open(encoding="utf-8-sig")) - 1
    print(
        f"(c) update run, {new_records:,} new records, --cores {cores}: {update:8.1f} s "
        f"({jobs_run(result)} jobs; {requests.get('esearch', 0)} ESearch + "
        f"{requests.get('efetch', 0)} EFetch requests; {fetched:,} records retrieved, "
        f"{queued:,} queued for screening)"
    )
    noop, result = timed(snake, project)
    status = "nothing to do" if "Nothing to be done" in result.stdout + result.stderr else "WORK"
    print(f"    small review, no-op rerun after the update: {noop:8.2f} s ({status})")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--cores", type=int, default=4, help="snakemake --cores (default 4)")
    parser.add_argument("--new-records", type=int, default=1000, help="records in the update")
    parser.add_argument("--keep", type=Path, help="build in this folder and keep it")
    parser.add_argument(
        "--only", choices=("default", "update"), help="run one part only (default: both)"
    )
    args = parser.parse_args(argv)
    print(f"machine: {os.cpu_count()} CPUs, load average {os.getloadavg()[0]:.1f}")
    if args.keep:
        args.keep.mkdir(parents=True, exist_ok=False)
        work_ctx = None
        work = args.keep
    else:
        work_ctx = tempfile.TemporaryDirectory(prefix="evsynth-bench-")
        work = Path(work_ctx.name)
    try:
        if args.only in (None, "default"):
            default_review(work, args.cores)
        if args.only in (None, "update"):
            update_run(work, args.cores, args.new_records)
    finally:
        if work_ctx is not None:
            work_ctx.cleanup()
    print(f"load average at the end: {os.getloadavg()[0]:.1f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
