"""Benchmark of PubMed retrieval against the local E-utilities mock: speed and peak memory.

1. Speed: 25,000 records from a mock limited to 10 requests/s (with an API key), batch size 500.
   Prints wall time, requests made, and the ratio of the wall time to the floor set by the rate
   limit and the batch size: (ceil(records / batch) + 1 ESearch) / rate. Target: ratio <= 1.2.
   25,000 > 9,999, so the run also includes PubMed's date slicing (extra ESearch calls and a
   partial last batch per slice), which the floor does not grant.
2. Memory: peak resident memory of the full `evsynth search pubmed` command (retrieve, parse,
   write the records table) for 100,000 records. Target: < 500 MB.

The mock runs in its own process so that it does not compete with the client for the GIL.

Usage: python benchmarks/search_speed.py [--records 25000] [--memory-records 100000]
"""

from __future__ import annotations

import argparse
import math
import os
import subprocess
import sys
import tempfile
import time
from datetime import date
from pathlib import Path


def start_mock(
    records: int, rate_limit: tuple[float, float] | None
) -> tuple[subprocess.Popen, str]:
    cmd = [sys.executable, "-m", "tests.support.mock_eutils", "--records", str(records)]
    if rate_limit:
        cmd += ["--rate-limit", str(rate_limit[0]), str(rate_limit[1])]
    # tests.support is not installed with evsynth: run it from the repository root
    root = Path(__file__).resolve().parents[1]
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, text=True, cwd=root)
    url = proc.stdout.readline().strip()
    return proc, url


def cli(url: str, out: Path, *, extra: list[str]) -> list[str]:
    return [
        sys.executable,
        "-m",
        "evsynth.cli",
        "search",
        "pubmed",
        "--query",
        "osteosarcoma",
        "--from",
        "1990-01-01",
        "--to",
        "2025-12-31",
        "--email",
        "benchmark@example.org",
        "--eutils-url",
        url,
        "--batch-size",
        "500",
        "--out",
        str(out / "archive"),
        "--no-progress",
        *extra,
    ]


def speed(records: int, workdir: Path) -> None:
    from evsynth.search.eutils import ClientSettings, EutilsClient
    from evsynth.search.pubmed import SearchRequest, retrieve_pubmed

    mock, url = start_mock(records, (3, 10))
    request = SearchRequest(
        query="osteosarcoma", date_from=date(1990, 1, 1), date_to=date(2025, 12, 31)
    )
    settings = ClientSettings(email="benchmark@example.org", base_url=url, api_key="benchmark-key")
    try:
        t0 = time.perf_counter()
        log = retrieve_pubmed(
            request,
            workdir / "speed",
            client=EutilsClient(settings),
            batch_size=500,
            progress=False,
        )
        wall = time.perf_counter() - t0
    finally:
        mock.terminate()
        mock.wait()
    calls = log["requests"]["calls"]
    made = sum(calls.values())
    floor = (math.ceil(records / 500) + 1) / 10.0
    print(f"speed: {log['count_retrieved']:,} records retrieved and archived in {wall:.2f} s")
    print(
        f"  requests: {made} ({calls}), attempts {log['requests']['attempts']}, "
        f"retries {log['requests']['retries']}, date slices {len(log['slices'])}"
    )
    print(f"  floor at 10 requests/s and 500 records/batch: {floor:.2f} s")
    print(f"  ratio wall / floor: {wall / floor:.2f} (target <= 1.2)")
    print(f"  ratio wall / ({made} requests actually needed at 10/s): {wall / (made / 10.0):.2f}")


def memory(records: int, workdir: Path) -> None:
    mock, url = start_mock(records, None)
    try:
        out = workdir / "memory"
        extra = ["--requests-per-second", "1000", "--records", str(out / "pubmed.records.tsv")]
        extra += ["--log", str(out / "pubmed.log.json")]
        env = {k: v for k, v in os.environ.items() if k != "NCBI_API_KEY"}
        t0 = time.perf_counter()
        proc = subprocess.Popen(cli(url, out, extra=extra), env=env)
        _, status, usage = os.wait4(proc.pid, 0)
        wall = time.perf_counter() - t0
        proc.returncode = os.waitstatus_to_exitcode(status)
    finally:
        mock.terminate()
        mock.wait()
    if proc.returncode:
        raise SystemExit(f"memory run failed with exit code {proc.returncode}")
    rows = sum(1 for _ in (out / "pubmed.records.tsv").open(encoding="utf-8")) - 1
    size = sum(p.stat().st_size for p in (out / "archive" / "raw").iterdir()) / 1e6
    print(f"memory: {rows:,} records ({size:,.0f} MB of XML) retrieved+parsed in {wall:.1f} s")
    print(f"  peak RSS of `evsynth search pubmed`: {usage.ru_maxrss / 1024:.0f} MB (target < 500)")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--records", type=int, default=25_000)
    parser.add_argument("--memory-records", type=int, default=100_000)
    parser.add_argument("--skip-memory", action="store_true")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="evsynth-search-bench-") as tmp:
        speed(args.records, Path(tmp))
        if not args.skip_memory:
            memory(args.memory_records, Path(tmp))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
