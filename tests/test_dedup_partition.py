"""A partitioned dedup (prepare -> score K/N -> merge) gives the one job's outputs, byte for byte.

Checked on the default review's records (tests/data/dedup_partition/, see its README) and on a
generated corpus (scripts/make_dedup_corpus.py), for N = 1, 2, 3, 7, with and without a person's
decisions; a missing, duplicated or foreign partition at merge is a clear InputError; and the
Snakemake path with dedup.partitions: 3 writes the same results/dedup/ as partitions: 1.
"""

from __future__ import annotations

import csv
import itertools
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from evsynth.cli import main
from evsynth.dedup import partition
from evsynth.dedup.engine import finish, load_inputs, partition_bounds, prepare
from evsynth.errors import InputError
from tests.support.workflow import snakemake

ROOT = Path(__file__).resolve().parents[1]
REVIEW = sorted((Path(__file__).parent / "data" / "dedup_partition" / "2025-12-31").glob("*.tsv"))
OUTPUTS = ("pairs.tsv", "clusters.tsv", "unique.tsv", "possible.csv", "summary.json")


def _outputs(out: Path) -> dict[str, bytes]:
    return {name: (out / name).read_bytes() for name in OUTPUTS}


def _partitioned(records: list[str], work: Path, out: Path, n: int, *extra: str) -> None:
    assert main(["dedup-prepare", *records, "--work", str(work), "--quiet"]) == 0
    # The jobs' order does not matter: score the partitions last to first.
    for k in range(n, 0, -1):
        assert main(["dedup-score", "--work", str(work), "--partition", f"{k}/{n}",
                     "--quiet"]) == 0  # fmt: skip
    files = [str(work / partition.scored_name(k, n)) for k in range(1, n + 1)]
    assert main(["dedup-merge", *files, "--work", str(work), "--out", str(out), "--quiet",
                 *extra]) == 0  # fmt: skip


@pytest.fixture(scope="module")
def corpus(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """3,000 generated records (errata, conference abstracts, translated titles, ...)."""
    out = tmp_path_factory.mktemp("corpus")
    subprocess.run(
        [sys.executable, str(ROOT / "scripts" / "make_dedup_corpus.py"), "--records", "3000",
         "--seed", "7", "--out", str(out)],
        check=True, capture_output=True,
    )  # fmt: skip
    return out / "records.tsv"


def _decisions_from(single: Path, path: Path) -> Path:
    """A decisions file that changes the one job's clusters: the first merged pair split, and
    the first pair left to a person (or else called different) joined."""
    with (single / "pairs.tsv").open(encoding="utf-8", newline="") as handle:
        pairs = list(csv.DictReader(handle, delimiter="\t", quoting=csv.QUOTE_NONE))
    split = next(p for p in pairs if p["decision"] == "same")
    used = {split["a"], split["b"]}
    join = next(
        p
        for decision in ("possible", "different")
        for p in pairs
        if p["decision"] == decision
        and not {p["a"], p["b"]} & used
        and "_conflict" not in p["rule"]
    )
    path.write_text(
        "record_id_a,record_id_b,decision,note\n"
        f"{split['a']},{split['b']},different,test\n{join['a']},{join['b']},same,test\n",
        encoding="utf-8",
    )
    return path


@pytest.mark.parametrize("with_decisions", [False, True])
@pytest.mark.parametrize("data", ["review", "corpus"])
def test_partitions_give_the_single_job_outputs(
    tmp_path: Path, request: pytest.FixtureRequest, data: str, with_decisions: bool
) -> None:
    records = (
        [str(p) for p in REVIEW] if data == "review" else [str(request.getfixturevalue("corpus"))]
    )
    extra: list[str] = []
    if with_decisions:
        plain = tmp_path / "plain"
        assert main(["dedup", *records, "--out", str(plain), "--quiet"]) == 0
        extra = ["--decisions", str(_decisions_from(plain, tmp_path / "decisions.csv"))]
    assert main(["dedup", *records, "--out", str(tmp_path / "single"), "--quiet", *extra]) == 0
    single = _outputs(tmp_path / "single")
    summary = single["summary.json"].decode()
    assert '"candidate_pairs": 0' not in summary
    if with_decisions:
        assert '"decisions_applied": 2' in summary
    for n in (1, 2, 3, 7):
        out = tmp_path / f"out-{n}"
        _partitioned(records, tmp_path / f"work-{n}", out, n, *extra)
        got = _outputs(out)
        for name in OUTPUTS:
            assert got[name] == single[name], (n, name)


def test_every_candidate_pair_is_in_exactly_one_partition() -> None:
    for total in (0, 1, 5, 122, 1001):
        for n in (1, 2, 3, 7, 50):
            slices = [partition_bounds(total, k, n) for k in range(1, n + 1)]
            assert slices[0][0] == 0 and slices[-1][1] == total
            assert all(a[1] == b[0] for a, b in itertools.pairwise(slices))
            sizes = [end - start for start, end in slices]
            assert max(sizes) - min(sizes) <= 1


@pytest.fixture()
def work(tmp_path: Path) -> Path:
    work = tmp_path / "work"
    assert main(["dedup-prepare", *map(str, REVIEW), "--work", str(work), "--quiet"]) == 0
    for k in (1, 2, 3):
        assert main(["dedup-score", "--work", str(work), "--partition", f"{k}/3",
                     "--quiet"]) == 0  # fmt: skip
    return work


def _merge_error(work: Path, files: list[Path], tmp_path: Path) -> InputError:
    state, fingerprint = partition.read_prepared(work)
    with pytest.raises(InputError) as info:
        partition.read_scored(files, state, fingerprint, work)
    # And the command line says it without a traceback.
    code = main(["dedup-merge", *map(str, files), "--work", str(work), "--out",
                 str(tmp_path / "never"), "--quiet"])  # fmt: skip
    assert code == 1 and not (tmp_path / "never").exists()
    return info.value


def test_missing_partition_is_an_error(work: Path, tmp_path: Path) -> None:
    files = [work / "scored-1-of-3.pkl", work / "scored-3-of-3.pkl"]
    error = _merge_error(work, files, tmp_path)
    assert "partition 2/3 missing" in str(error)
    (work / "scored-2-of-3.pkl").unlink()  # the default: every file in the work directory
    assert main(["dedup-merge", "--work", str(work), "--out", str(tmp_path / "x"), "--quiet"]) == 1


def test_duplicated_partition_is_an_error(work: Path, tmp_path: Path) -> None:
    copy = tmp_path / "copy-of-2.pkl"
    shutil.copy(work / "scored-2-of-3.pkl", copy)
    files = [
        work / "scored-1-of-3.pkl",
        work / "scored-2-of-3.pkl",
        copy,
        work / "scored-3-of-3.pkl",
    ]
    error = _merge_error(work, files, tmp_path)
    assert "partition 2/3 given twice" in str(error) and error.path == str(copy)


def test_partitions_of_two_splits_are_an_error(work: Path, tmp_path: Path) -> None:
    assert main(["dedup-score", "--work", str(work), "--partition", "1/2", "--quiet"]) == 0
    files = [work / "scored-1-of-2.pkl", work / "scored-2-of-3.pkl", work / "scored-3-of-3.pkl"]
    error = _merge_error(work, files, tmp_path)
    assert "different splits" in str(error)


def test_partition_of_another_prepare_run_is_an_error(work: Path, tmp_path: Path) -> None:
    other = tmp_path / "other"
    assert main(["dedup-prepare", str(REVIEW[0]), "--work", str(other), "--quiet"]) == 0
    assert main(["dedup-score", "--work", str(other), "--partition", "2/3", "--quiet"]) == 0
    files = [work / "scored-1-of-3.pkl", other / "scored-2-of-3.pkl", work / "scored-3-of-3.pkl"]
    error = _merge_error(work, files, tmp_path)
    assert "another prepare run" in str(error) and error.path == str(other / "scored-2-of-3.pkl")


def test_damaged_or_foreign_work_files_are_errors(work: Path, tmp_path: Path) -> None:
    bad = tmp_path / "scored-2-of-3.pkl"
    bad.write_bytes((work / "scored-2-of-3.pkl").read_bytes()[:-40])
    error = _merge_error(work, [work / "scored-1-of-3.pkl", bad, work / "scored-3-of-3.pkl"],
                         tmp_path)  # fmt: skip
    assert "damaged" in str(error) and error.path == str(bad)
    foreign = tmp_path / "foreign.pkl"
    foreign.write_text("record_id\tsource\n", encoding="utf-8")
    with pytest.raises(InputError, match="not a dedup work file"):
        partition.read_scored([foreign], *partition.read_prepared(work), work)
    with pytest.raises(InputError, match="--partition"):
        partition.parse_partition("4/3")
    assert main(["dedup-score", "--work", str(tmp_path / "none"), "--partition", "1/2"]) == 1


def test_records_changed_after_prepare_is_an_error(tmp_path: Path) -> None:
    copy = tmp_path / "in" / "x.records.tsv"
    copy.parent.mkdir()
    shutil.copy(REVIEW[1], copy)
    work = tmp_path / "work"
    assert main(["dedup-prepare", str(copy), "--work", str(work), "--quiet"]) == 0
    assert main(["dedup-score", "--work", str(work), "--partition", "1/1", "--quiet"]) == 0
    stat = copy.stat()  # the file is touched after prepare: merging must refuse it
    os.utime(copy, ns=(stat.st_atime_ns, stat.st_mtime_ns + 10**9))
    state, fingerprint = partition.read_prepared(work)
    scored = partition.read_scored(partition.scored_files(work), state, fingerprint, work)
    with pytest.raises(InputError, match="changed while deduplicating"):
        finish(state, scored, progress=False)


def test_prepare_state_survives_the_round_trip(tmp_path: Path) -> None:
    state = prepare(load_inputs([str(p) for p in REVIEW], slim=True), progress=False)
    fingerprint = partition.write_prepared(state, tmp_path)
    again, fp2 = partition.read_prepared(tmp_path)
    assert fp2 == fingerprint
    assert again.candidates == state.candidates and len(again.records) == len(state.records) == 206
    assert [n.record_id for n in again.norms] == [n.record_id for n in state.norms]
    assert again.per_source == state.per_source and again.stamps == state.stamps


def _copy_review(dest: Path, partitions: int) -> Path:
    dest.mkdir(parents=True)
    for name in ("Snakefile", "config", "workflow", "resources"):
        src = ROOT / name
        (shutil.copytree if src.is_dir() else shutil.copy2)(src, dest / name)
    path = dest / "config" / "config.yaml"
    config = yaml.safe_load(path.read_text(encoding="utf-8"))
    config["dedup"]["partitions"] = partitions
    path.write_text(yaml.safe_dump(config, sort_keys=False), encoding="utf-8")
    return dest


def test_snakemake_with_three_partitions_gives_the_same_dedup(tmp_path: Path) -> None:
    outs = {}
    for n in (1, 3):
        workdir = _copy_review(tmp_path / f"p{n}", n)
        result = snakemake(workdir, "results/dedup/summary.json", cores=2)
        assert result.returncode == 0, result.stderr[-3000:]
        log = result.stdout + result.stderr
        if n == 3:
            assert "rule dedup_prepare:" in log and log.count("rule dedup_score:") == 3, log[-3000:]
            assert sorted(p.name for p in (workdir / "results/dedup-partitions").iterdir()) == [
                "norms.pkl", "records.pkl", "scored-1-of-3.pkl", "scored-2-of-3.pkl",
                "scored-3-of-3.pkl",
            ]  # fmt: skip
        else:
            assert (
                "rule dedup_score:" not in log
                and not (workdir / "results/dedup-partitions").exists()
            )
        outs[n] = {p.name: p.read_bytes() for p in sorted((workdir / "results/dedup").iterdir())}
    assert sorted(outs[1]) == sorted(OUTPUTS)
    assert outs[3] == outs[1]
