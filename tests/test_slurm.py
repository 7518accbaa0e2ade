"""The review through a real Slurm: profiles, rule resources, one run on a single-node cluster.

The first tests always run: every rule declares threads, mem_mb and runtime, and the two profiles
under workflow/profiles/ agree. The last one (marker ``slurm``) runs only when selected with
``pytest -m slurm``, because it installs Debian's ``slurm-wlm`` and ``munge`` if they are missing
(root and apt-get) and starts munged, slurmctld and slurmd on localhost. It runs the default review
once locally and once with ``snakemake --profile workflow/profiles/slurm``, then checks that every
job went through Slurm with the resources its rule declares, and that results/ is byte-identical.

Job records without a database: ``sacct`` reads Slurm's accounting storage, which since Slurm 15.08
has no file backend (``accounting_storage/filetxt`` is gone): it needs slurmdbd and MySQL/MariaDB.
The test node instead writes Slurm's job completion log (``JobCompType=jobcomp/filetxt``), one line
per finished job written by slurmctld itself, which Slurm 22.05 (Debian 12) also shows with
``sacct --completion``. The executor plugin queries job states with ``squeue`` here for the same
reason (``--slurm-status-command squeue``; ``MinJobAge`` keeps finished jobs visible).
"""

from __future__ import annotations

import difflib
import hashlib
import os
import re
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

import pytest
import yaml

from tests.support.workflow import copy_review, job_table

ROOT = Path(__file__).resolve().parents[1]
SNAKEMAKE = [sys.executable, "-m", "snakemake"]
PROFILES = ROOT / "workflow" / "profiles"
DAEMONS = ("munged", "slurmctld", "slurmd")
CLIENTS = ("sbatch", "squeue", "sinfo", "srun", "sacct", "scontrol")
SBIN_PATH = "/usr/local/sbin:/usr/sbin:/sbin"


def _copy_review(dest: Path) -> Path:
    dest.mkdir(parents=True, exist_ok=True)
    return copy_review(dest)


# --- every rule declares its resources; the profiles agree (always run) -------------------------


def _rule_blocks(text: str) -> dict[str, str]:
    """The body of every `rule NAME:` in a rules file, cut at the next line indented as deep."""
    blocks: dict[str, str] = {}
    lines = text.splitlines()
    for i, line in enumerate(lines):
        match = re.match(r"^(\s*)rule (\w+):", line)
        if not match:
            continue
        indent = len(match.group(1))
        body = []
        for following in lines[i + 1 :]:
            if following.strip() and len(following) - len(following.lstrip()) <= indent:
                break
            body.append(following)
        blocks[match.group(2)] = "\n".join(body)
    return blocks


def test_every_rule_declares_threads_memory_and_runtime() -> None:
    rules = {}
    for path in sorted((ROOT / "workflow" / "rules").glob("*.smk")):
        rules.update(
            {name: (path.name, body) for name, body in _rule_blocks(path.read_text()).items()}
        )
    assert len(rules) >= 10, sorted(rules)
    missing = []
    for name, (file, body) in sorted(rules.items()):
        resources = body.split("resources:", 1)[1] if "resources:" in body else ""
        for key, present in (
            ("threads", re.search(r"^\s+threads:", body, re.M)),
            ("mem_mb", re.search(r"^\s+mem_mb=", resources, re.M)),
            ("runtime", re.search(r"^\s+runtime=", resources, re.M)),
        ):
            if not present:
                missing.append(f"{file}: rule {name} declares no {key}")
    assert not missing, "\n".join(missing)


def test_no_job_of_the_review_falls_back_to_default_resources(tmp_path: Path) -> None:
    """Snakemake's own view: with sentinel defaults, no job of the default review shows them."""
    workdir = _copy_review(tmp_path)
    result = subprocess.run(
        [
            *SNAKEMAKE,
            "-n",
            "-F",
            "--cores",
            "2",
            "--default-resources",
            "mem_mb=987654",
            "runtime=876543",
        ],
        cwd=workdir,
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stderr[-4000:]
    jobs, rule = [], None
    for line in (result.stdout + result.stderr).splitlines():
        match = re.match(r"^(?:local)?rule (\w+):", line)
        if match:
            rule = match.group(1)
        elif line.strip().startswith("resources:") and rule != "all":
            jobs.append((rule, line.strip()))  # `all` runs nothing: a target, in Snakemake itself
    assert len(jobs) >= 30, result.stdout[-3000:]
    fallback = [job for job in jobs if "987654" in job[1] or "876543" in job[1]]
    assert not fallback, fallback


def _profile(name: str) -> dict:
    with (PROFILES / name / "config.yaml").open(encoding="utf-8") as handle:
        return yaml.safe_load(handle)


def test_profiles_share_the_workflow_settings() -> None:
    slurm, default = _profile("slurm"), _profile("default")
    assert slurm["executor"] == "slurm"
    assert "executor" not in default, "plain `snakemake` must stay local"
    for key in ("default-resources", "resources"):
        assert slurm[key] == default[key], key
    assert slurm["resources"] == {"ncbi_eutils": 1}
    assert {"mem_mb", "runtime"} <= set(slurm["default-resources"])
    search = (ROOT / "workflow" / "rules" / "search.smk").read_text()
    assert re.search(r"^\s+ncbi_eutils=", search, re.M), "search_pubmed must request ncbi_eutils"


def test_slurm_profile_is_read_by_snakemake_and_its_executor(tmp_path: Path) -> None:
    """A dry run with the profile parses every key (the executor plugin is installed by [test])."""
    workdir = _copy_review(tmp_path)
    result = subprocess.run(
        [*SNAKEMAKE, "-n", "--profile", "workflow/profiles/slurm"],
        cwd=workdir,
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stderr[-4000:]
    # `executor: slurm` is a choice of --executor only when the plugin is installed, and every
    # other key must be an option of snakemake or of the plugin: a dry run that starts read them.
    assert "Using profile workflow/profiles/slurm" in result.stderr
    assert "Job stats:" in result.stdout


# --- a single-node Slurm on localhost -------------------------------------------------------------


class SlurmUnavailable(Exception):
    """Slurm cannot be installed or started on this machine (the only reason to skip)."""


def _which(name: str) -> str | None:
    return shutil.which(name, path=f"{os.environ.get('PATH', '')}:{SBIN_PATH}")


def _install_slurm() -> None:
    """Debian's slurm-wlm and munge, if a daemon or client is missing."""
    missing = [name for name in (*DAEMONS, *CLIENTS) if _which(name) is None]
    if not missing:
        return
    if os.geteuid() != 0 or shutil.which("apt-get") is None:
        raise SlurmUnavailable(
            f"{', '.join(missing)} not installed, and installing slurm-wlm and munge needs root "
            "and apt-get (Debian)"
        )
    env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
    for command in (
        ["apt-get", "update", "-qq"],
        ["apt-get", "install", "-y", "-qq", "-o", "DPkg::Lock::Timeout=600", "slurm-wlm", "munge"],
    ):
        result = subprocess.run(command, capture_output=True, text=True, env=env, check=False)
        if result.returncode != 0:
            raise SlurmUnavailable(f"`{' '.join(command)}` failed: {result.stderr.strip()[-1500:]}")
    missing = [name for name in (*DAEMONS, *CLIENTS) if _which(name) is None]
    if missing:
        raise SlurmUnavailable(f"installed slurm-wlm and munge, but {', '.join(missing)} not found")


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _memory_mb() -> int:
    for line in Path("/proc/meminfo").read_text().splitlines():
        if line.startswith("MemTotal:"):
            return int(line.split()[1]) // 1024
    raise SlurmUnavailable("no MemTotal in /proc/meminfo")


class SingleNodeSlurm:
    """munged, slurmctld and slurmd in one directory, on their own ports and munge socket.

    Nothing outside `base` is written: client commands find slurm.conf through SLURM_CONF
    (`env`). The slurm-jobstep plugin drops SLURM_* variables before the `srun` it runs inside a
    job, where a real node reads /etc/slurm/slurm.conf; `bin/srun` restores SLURM_CONF so that
    /etc is left alone.
    """

    def __init__(self, base: Path) -> None:
        self.base = base
        self.conf = base / "slurm.conf"
        self.jobcomp = base / "log" / "jobcomp.txt"
        self.processes: list[subprocess.Popen] = []
        bin_dir = base / "bin"
        self.env = {
            **os.environ,
            "SLURM_CONF": str(self.conf),
            "PATH": os.pathsep.join(
                [
                    str(bin_dir),
                    str(Path(sys.executable).parent),
                    os.environ.get("PATH", ""),
                    SBIN_PATH,
                ]
            ),
        }

    def _write_config(self) -> None:
        base = self.base
        for name, mode in (
            ("munge", 0o755),
            ("state", 0o700),
            ("spool", 0o700),
            ("log", 0o755),
            ("bin", 0o755),
        ):
            (base / name).mkdir(mode=mode)
            (base / name).chmod(mode)
        key = base / "munge" / "munge.key"
        key.write_bytes(os.urandom(1024))
        key.chmod(0o400)
        srun = base / "bin" / "srun"
        srun.write_text(
            f'#!/bin/sh\nSLURM_CONF={self.conf} exec {_which("srun")} "$@"\n', encoding="utf-8"
        )
        srun.chmod(0o755)
        memory = int(_memory_mb() * 0.95)
        self.conf.write_text(
            "\n".join(
                [
                    "ClusterName=evsynth-test",
                    "SlurmctldHost=localhost",
                    f"SlurmctldPort={_free_port()}",
                    f"SlurmdPort={_free_port()}",
                    "SlurmUser=root",
                    "SlurmdUser=root",
                    "AuthType=auth/munge",
                    "CredType=cred/munge",
                    f"AuthInfo=socket={base}/munge/munge.socket",
                    f"StateSaveLocation={base}/state",
                    f"SlurmdSpoolDir={base}/spool",
                    f"SlurmctldPidFile={base}/slurmctld.pid",
                    f"SlurmdPidFile={base}/slurmd.pid",
                    f"SlurmctldLogFile={base}/log/slurmctld.log",
                    f"SlurmdLogFile={base}/log/slurmd.log",
                    "ProctrackType=proctrack/linuxproc",
                    "TaskPlugin=task/none",
                    "SelectType=select/cons_tres",
                    "SelectTypeParameters=CR_Core_Memory",
                    "JobAcctGatherType=jobacct_gather/none",
                    "AccountingStorageType=accounting_storage/none",
                    "JobCompType=jobcomp/filetxt",
                    f"JobCompLoc={self.jobcomp}",
                    "MinJobAge=600",
                    "MpiDefault=none",
                    "ReturnToService=2",
                    "SchedulerType=sched/builtin",
                    f"NodeName=localhost NodeAddr=127.0.0.1 CPUs={os.cpu_count() or 1} "
                    f"RealMemory={memory} State=UNKNOWN",
                    "PartitionName=evsynth Nodes=localhost Default=YES MaxTime=INFINITE State=UP",
                    "",
                ]
            ),
            encoding="utf-8",
        )

    def _spawn(self, name: str, *args: str) -> None:
        log = (self.base / "log" / f"{name}.out").open("wb")
        self.processes.append(
            subprocess.Popen(
                [_which(name) or name, *args],
                stdout=log,
                stderr=subprocess.STDOUT,
                env=self.env,
                cwd=self.base,
            )
        )

    def _logs(self) -> str:
        tails = []
        for path in sorted((self.base / "log").glob("*")):
            if path.is_file() and path != self.jobcomp:
                text = path.read_text(errors="replace").strip().splitlines()[-8:]
                tails.append(f"--- {path.name}\n" + "\n".join(text))
        return "\n".join(tails)

    def start(self) -> None:
        self._write_config()
        munge = self.base / "munge"
        self._spawn(
            "munged",
            "-F",
            f"--socket={munge}/munge.socket",
            f"--key-file={munge}/munge.key",
            f"--log-file={munge}/munged.log",
            f"--pid-file={munge}/munged.pid",
            f"--seed-file={munge}/munged.seed",
        )
        self._wait(lambda: (munge / "munge.socket").exists(), "munged did not create its socket")
        self._spawn("slurmctld", "-D", "-f", str(self.conf))
        self._spawn("slurmd", "-D", "-f", str(self.conf), "-N", "localhost")
        self._wait(self._node_idle, "the node did not come up idle")

    def _node_idle(self) -> bool:
        result = subprocess.run(
            ["sinfo", "-h", "-N", "-o", "%N %T"],
            capture_output=True,
            text=True,
            env=self.env,
            check=False,
        )
        return result.returncode == 0 and result.stdout.split() == ["localhost", "idle"]

    def _wait(self, ready, what: str, timeout: float = 60) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            exited = [p.args[0] for p in self.processes if p.poll() is not None]
            if exited:
                raise SlurmUnavailable(f"{', '.join(exited)} exited at start-up\n{self._logs()}")
            if ready():
                return
            time.sleep(0.5)
        raise SlurmUnavailable(f"{what} within {timeout:.0f} s\n{self._logs()}")

    def stop(self) -> None:
        for process in reversed(self.processes):
            if process.poll() is None:
                process.terminate()
                try:
                    process.wait(timeout=30)
                except subprocess.TimeoutExpired:
                    process.kill()
                    process.wait()


@pytest.fixture(scope="module")
def slurm(request: pytest.FixtureRequest):
    if "slurm" not in (request.config.getoption("markexpr") or ""):
        pytest.skip(
            "the Slurm integration test runs only when selected: pytest -m slurm "
            "(it installs and starts a single-node Slurm as root)"
        )
    base = Path(tempfile.mkdtemp(prefix="evsynth-slurm-"))
    base.chmod(0o755)  # munged wants every directory above its socket searchable by all
    cluster = SingleNodeSlurm(base)
    try:
        _install_slurm()
        cluster.start()
    except SlurmUnavailable as error:
        cluster.stop()
        pytest.skip(
            f"Slurm cannot start on this machine, so the review was not run through Slurm: {error}"
        )
    yield cluster
    cluster.stop()
    shutil.rmtree(base, ignore_errors=True)


# --- the review on that cluster ------------------------------------------------------------------


SLURM_ARGS = (
    "--profile",
    "workflow/profiles/slurm",
    # the test node has no accounts and no slurmdbd (module docstring)
    "--slurm-no-account",
    "--slurm-status-command",
    "squeue",
    # a first status check after 2 s, not 40 s: the jobs here take seconds
    "--slurm-init-seconds-before-status-checks",
    "2",
    "--slurm-keep-successful-logs",
)
DEDUP_OUTPUTS = ("pairs.tsv", "clusters.tsv", "unique.tsv", "possible.csv", "summary.json")


def _through_slurm(cwd: Path, env: dict[str, str], *targets: str, timeout: float) -> str:
    """Snakemake with the Slurm profile in ``cwd``; its output, after checking it succeeded."""
    result = subprocess.run(
        [*SNAKEMAKE, *SLURM_ARGS, *targets],
        cwd=cwd,
        capture_output=True,
        text=True,
        env=env,
        check=False,
        timeout=timeout,
    )
    output = result.stdout + result.stderr
    assert result.returncode == 0, output[-6000:]
    return output


def _hashes(results: Path) -> dict[str, str]:
    return {
        str(path.relative_to(results)): hashlib.sha256(path.read_bytes()).hexdigest()
        for path in sorted(results.rglob("*"))
        if path.is_file()
    }


def _jobcomp(path: Path, run_id: str) -> dict[str, dict[str, str]]:
    """This run's jobs in Slurm's completion log: job id -> its `Key=value` fields."""
    jobs = {}
    for line in path.read_text(encoding="utf-8").splitlines():
        fields = dict(re.findall(r"(\w+)=(\S*)", line))
        if fields.get("Name") == run_id:
            jobs[fields["JobId"]] = fields
    return jobs


def _sacct_completion(env: dict[str, str]) -> dict[str, tuple[str, ...]] | None:
    """`sacct --completion` rows (job id -> name, state, exit code, node, time limit), or None
    where this Slurm has no --completion (it reads the same log as _jobcomp)."""
    result = subprocess.run(
        [
            "sacct",
            "--completion",
            "--parsable2",
            "--noheader",
            "--format=JobID,JobName,State,ExitCode,NodeList,Timelimit",
        ],
        capture_output=True,
        text=True,
        env=env,
        check=False,
    )
    if result.returncode != 0 and "completion" in (result.stderr + result.stdout).lower():
        return None
    assert result.returncode == 0, result.stderr
    rows = [line.split("|") for line in result.stdout.splitlines() if line.strip()]
    return {row[0]: tuple(row[1:]) for row in rows}


@pytest.mark.slurm
def test_review_through_slurm_is_identical_to_a_local_run(slurm, tmp_path: Path) -> None:
    local = _copy_review(tmp_path / "local")
    result = subprocess.run(
        [*SNAKEMAKE, "--cores", "2"],
        cwd=local,
        capture_output=True,
        text=True,
        env=slurm.env,
        check=False,
    )
    assert result.returncode == 0, result.stderr[-4000:]
    expected = job_table(result.stdout + result.stderr)
    del expected["all"]  # the target rule runs no command, in Snakemake's own process

    cluster = _copy_review(tmp_path / "slurm")
    output = _through_slurm(cluster, slurm.env, timeout=3600)
    assert "Using profile workflow/profiles/slurm" in output
    run_id = re.search(r"SLURM run ID: (\S+)", output).group(1)

    # Every job is in Slurm's completion log, completed on the node with exit code 0.
    jobs = _jobcomp(slurm.jobcomp, run_id)
    assert sum(expected.values()) >= 30
    assert len(jobs) == sum(expected.values()), (len(jobs), expected)
    for job in jobs.values():
        assert (job["JobState"], job["ExitCode"], job["NodeList"]) == (
            "COMPLETED",
            "0:0",
            "localhost",
        ), job
        assert job["WorkDir"] == str(cluster), job

    # The same jobs through sacct (Slurm 22.05's --completion reads that log).
    rows = _sacct_completion(slurm.env)
    if rows is not None:
        mine = {job_id: row for job_id, row in rows.items() if row[0] == run_id}
        assert set(mine) == set(jobs)
        assert {row[1] for row in mine.values()} == {"COMPLETED"}

    # Each Slurm job was one job of the rule it was submitted for, with that rule's resources:
    # the plugin's log of the job names the rule (directory) and the job id (file), and the
    # jobstep's own log line shows the resources Slurm was asked for (--mem, --time).
    logs = sorted((cluster / ".snakemake" / "slurm_logs").glob("rule_*/**/*.log"))
    by_rule: Counter = Counter()
    for log in logs:
        rule = log.relative_to(cluster / ".snakemake" / "slurm_logs").parts[0][len("rule_") :]
        by_rule[rule] += 1
        job = jobs[log.stem]
        declared = re.search(r"^\s+resources: (.*)$", log.read_text(), re.M).group(1)
        mem_mb = re.search(r"\bmem_mb=(\d+)", declared).group(1)
        runtime = re.search(r"\bruntime=(\d+)", declared).group(1)
        assert f"mem={mem_mb}M" in job["Tres"], (rule, declared, job["Tres"])
        assert job["TimeLimit"] == runtime, (rule, declared, job["TimeLimit"])
    assert by_rule == expected

    # The results are the same bytes: no file under results/ carries a date, host or path.
    local_hashes, cluster_hashes = _hashes(local / "results"), _hashes(cluster / "results")
    assert len(local_hashes) > 100
    differing = sorted(
        name
        for name in local_hashes.keys() | cluster_hashes.keys()
        if local_hashes.get(name) != cluster_hashes.get(name)
    )
    if differing:
        first = differing[0]
        diff = difflib.unified_diff(
            (local / "results" / first).read_text(errors="replace").splitlines(),
            (cluster / "results" / first).read_text(errors="replace").splitlines(),
            "local",
            "slurm",
            lineterm="",
        )
        raise AssertionError(f"{differing}\n" + "\n".join(list(diff)[:60]))


@pytest.mark.slurm
def test_partitioned_dedup_through_slurm_gives_the_one_job_clusters(slurm, tmp_path: Path) -> None:
    """dedup.partitions: 3 runs prepare, three scoring jobs and the merge as separate Slurm jobs;
    the five dedup outputs are the bytes of one local dedup job (partitions: 1)."""
    targets = [f"results/dedup/{name}" for name in DEDUP_OUTPUTS]
    local = _copy_review(tmp_path / "local")
    result = subprocess.run(
        [*SNAKEMAKE, "--cores", "2", *targets],
        cwd=local,
        capture_output=True,
        text=True,
        env=slurm.env,
        check=False,
    )
    assert result.returncode == 0, result.stderr[-4000:]
    assert "dedup_score" not in result.stdout + result.stderr

    cluster = _copy_review(tmp_path / "slurm")
    config = cluster / "config" / "config.yaml"
    text = config.read_text(encoding="utf-8")
    assert text.count("\n  partitions: 1\n") == 1
    config.write_text(text.replace("\n  partitions: 1\n", "\n  partitions: 3\n"), encoding="utf-8")
    output = _through_slurm(cluster, slurm.env, *targets, timeout=1800)
    counts = job_table(output)
    assert (counts["dedup_prepare"], counts["dedup_score"], counts["dedup_records"]) == (1, 3, 1)
    run_id = re.search(r"SLURM run ID: (\S+)", output).group(1)
    jobs = _jobcomp(slurm.jobcomp, run_id)
    assert len(jobs) == sum(counts.values()), (len(jobs), counts)
    assert {(job["JobState"], job["ExitCode"]) for job in jobs.values()} == {("COMPLETED", "0:0")}
    scored = sorted(p.name for p in (cluster / "results" / "dedup-partitions").glob("scored-*"))
    assert scored == [f"scored-{k}-of-3.pkl" for k in (1, 2, 3)]
    for name in DEDUP_OUTPUTS:
        assert (cluster / "results" / "dedup" / name).read_bytes() == (
            local / "results" / "dedup" / name
        ).read_bytes(), name
