"""A living review end to end: a first search run, then an update run, against the mock E-utilities.

A small review project is built in a scratch folder (the repository's Snakefile and workflow, a
config written here, decision and extraction sheets from ``tests/data/living/``). The first run
(``2025-12-31``) searches the mock PubMed online and archives it; then records entered in 2026
appear, ``evsynth update --to 2026-11-27`` appends the update run, and Snakemake runs again. The
checks: only the new run is fetched, it holds exactly the records entered in its window, earlier
study record ids and screening decisions stand, the new records wait in the screening queue, the
PRISMA counts carry per-run numbers; and the incremental contract, read from Snakemake's own
dry-run job table (issue 10).
"""

from __future__ import annotations

import csv
import hashlib
import json
import re
import shutil
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

import pytest
import yaml

from tests.support.mock_eutils import MockArticle, MockEutils
from tests.support.workflow import job_table
from tests.support.workflow import planned_jobs as support_planned_jobs
from tests.support.workflow import snakemake as run_snakemake

ROOT = Path(__file__).resolve().parents[1]
DATA = Path(__file__).parent / "data" / "living"
EVSYNTH = Path(sys.executable).with_name("evsynth")

pytestmark = pytest.mark.slow

FIRST_RUN = "2025-12-31"
UPDATE_RUN = "2026-11-27"

# Records of the first run: entered (edat) up to 2025-12-31, the last one on the boundary day.
FIRST = [
    MockArticle(30000001, date(2012, 3, 1), date(2012, 3, 9), date(2013, 1, 1)),
    MockArticle(30000002, date(2015, 6, 1), date(2015, 6, 20), date(2016, 1, 1)),
    MockArticle(30000003, date(2018, 9, 1), date(2018, 9, 3), date(2019, 1, 1)),
    MockArticle(30000004, date(2020, 2, 1), date(2020, 2, 2), date(2021, 1, 1)),
    MockArticle(30000005, date(2023, 5, 1), date(2023, 5, 30), date(2024, 1, 1)),
    MockArticle(30000006, date(2025, 12, 1), date(2025, 12, 31), date(2026, 2, 1)),
]
# Records that appear in 2026. 30000008 was published in 2025 but entered in 2026: a window by
# entry date finds it, one by publication date would have missed it for good. The window is
# inclusive at both ends (2026-01-01 and 2026-11-27).
NEW_IN_WINDOW = [
    MockArticle(30000007, date(2026, 1, 1), date(2026, 1, 1), date(2026, 1, 2)),
    MockArticle(30000008, date(2025, 12, 20), date(2026, 1, 4), date(2026, 1, 5)),
    MockArticle(30000009, date(2026, 6, 1), date(2026, 6, 15), date(2026, 7, 1)),
    MockArticle(30000010, date(2026, 11, 20), date(2026, 11, 27), date(2026, 11, 27)),
]
# Entered the day after the update's window: the next update's business.
AFTER_WINDOW = [MockArticle(30000011, date(2026, 11, 28), date(2026, 11, 28), date(2026, 11, 28))]

QUERY = "osteosarcoma[tiab] AND metastasectomy[tiab]"


def review_config(eutils_url: str) -> dict:
    """The small review's protocol: one online PubMed run, one reviewer, one meta-analysis."""
    return {
        "review": {
            "title": "Surgery and survival: a living-review test",
            "question": "Is surgery associated with post-relapse survival?",
        },
        "search": {
            "pubmed": {
                "email": "reviewer@example.org",
                "tool": "evsynth-test",
                "eutils_url": eutils_url,
                # No key in the environment under this name: the keyless path (3 requests/s).
                "api_key_env": "EVSYNTH_TEST_NO_API_KEY",
                "batch_size": 500,
                "timeout": 10,
                "max_attempts": 2,
            },
            "runs": [
                {
                    "id": FIRST_RUN,
                    "from": "1900-01-01",
                    "to": FIRST_RUN,
                    "sources": {
                        "pubmed": {
                            "database": "PubMed",
                            "platform": "PubMed (NCBI E-utilities)",
                            "mode": "online",
                            "archive": f"resources/searches/{FIRST_RUN}/pubmed",
                            "datetype": "edat",
                            "query": QUERY,
                        }
                    },
                }
            ],
        },
        "dedup": {"decisions": None, "threads": 1},
        "screening": {
            "reviewers": ["reviewer_1"],
            "required_reviewers": 1,
            "require_complete": False,
            "stages": {
                "title_abstract": {
                    "decisions": ["resources/screening/title_abstract/"],
                    "adjudication": None,
                    "required_reviewers": None,
                },
                "full_text": {
                    "decisions": ["resources/screening/full_text/"],
                    "adjudication": None,
                    "required_reviewers": None,
                    "exclusion_reasons": ["wrong_population", "wrong_outcome", "wrong_design"],
                },
            },
            "prisma": {
                "studies": "results/extraction/studies.tsv",
                "previous_studies": None,
                "previous_reports": None,
            },
        },
        "extraction": {
            "studies": "resources/extraction/studies.csv",
            "effects": "resources/extraction/effects.csv",
            "risk_of_bias": None,
            "link_to_screening": True,
            "default_ci_level": 95,
            "factors": {
                "surgery_vs_none": {
                    "label": "Pulmonary metastasectomy",
                    "exposure": "surgery",
                    "reference": "no_surgery",
                    "favours_exposure": "Favours surgery",
                    "favours_reference": "Favours no surgery",
                }
            },
            "outcomes": {"PRS": {"label": "post-relapse survival"}},
        },
        "analyses": [
            {
                "id": "surgery_prs",
                "label": "Metastasectomy vs none, post-relapse survival",
                "factor": "surgery_vs_none",
                "outcome": "PRS",
                "synthesis": "meta_analysis",
                "exclude_studies": [],
                "sensitivity_of": None,
                "subgroup": None,
                "published": None,
            }
        ],
        "pooling": {"rule": "heterogeneity", "random_method": "REML", "level": 0.95},
        "report": {"decimals": 2, "figure_format": "svg"},
    }


def build_project(dest: Path, eutils_url: str) -> Path:
    """A fresh review project: the repository's workflow, this module's config and sheets."""
    shutil.copy2(ROOT / "Snakefile", dest / "Snakefile")
    shutil.copytree(ROOT / "workflow", dest / "workflow")
    (dest / "config").mkdir()
    (dest / "config" / "config.yaml").write_text(
        "# Living-review test protocol (written by tests/test_living_review.py).\n"
        + yaml.safe_dump(review_config(eutils_url), sort_keys=False, allow_unicode=True),
        encoding="utf-8",
    )
    shutil.copytree(DATA / "resources", dest / "resources")
    return dest


# The environment change that lifts the test-only switch hiding the API key.
SHOW_API_KEY = {"EVSYNTH_TEST_NO_API_KEY": None}


def snakemake(workdir: Path, *args: str, cores: int = 2) -> subprocess.CompletedProcess[str]:
    """Snakemake as a user runs it, without the test-only switch that hides the API key."""
    return run_snakemake(workdir, *args, cores=cores, env=SHOW_API_KEY)


def planned_jobs(workdir: Path) -> dict[str, int]:
    """What Snakemake would run now (empty: nothing to be done), as :func:`snakemake` runs it."""
    return support_planned_jobs(workdir, cores=2, env=SHOW_API_KEY)


def read_table(path: Path, *, delimiter: str = "\t") -> list[dict[str, str]]:
    with path.open(encoding="utf-8-sig", newline="") as handle:
        quoting = csv.QUOTE_NONE if delimiter == "\t" else csv.QUOTE_MINIMAL
        return list(csv.DictReader(handle, delimiter=delimiter, quoting=quoting))


def tree_digest(folder: Path) -> dict[str, str]:
    """sha256 of every file under a folder, by relative path."""
    return {
        str(p.relative_to(folder)): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(folder.rglob("*"))
        if p.is_file()
    }


def pubmed_ids(rows: list[dict[str, str]], column: str) -> set[str]:
    return {r[column] for r in rows if r[column].startswith("pubmed:")}


def record_id(article: MockArticle) -> str:
    return f"pubmed:{article.pmid}"


# The first version of the review is built up to the pooled estimates and PRISMA counts; its
# figures and report are left to the second run, which draws them over both runs anyway (keeps
# this file's runtime down; every stage still runs twice).
FIRST_TARGETS = ("results/prisma/counts.json", "results/pooling/summary.tsv")


@dataclass
class LivingReview:
    """The project after its first run and its update, with what was observed in between."""

    root: Path
    first_jobs: dict[str, int]
    first_requests: dict[str, int]
    first_archive: dict[str, str]
    first_records_mtime: int
    first_clusters: dict[str, str]
    first_title_abstract: list[dict[str, str]]
    update_stdout: str
    update_jobs: dict[str, int]
    update_requests: dict[str, int]
    update_log: list[dict[str, str]] = field(default_factory=list)


@pytest.fixture(scope="module")
def living(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LivingReview]:
    with MockEutils(FIRST) as server:
        root = build_project(tmp_path_factory.mktemp("living"), server.url)
        first = snakemake(root, *FIRST_TARGETS)
        assert first.returncode == 0, first.stderr[-5000:]
        archive = root / "resources" / "searches" / FIRST_RUN / "pubmed"
        state = {
            "first_jobs": job_table(first.stdout + "\n" + first.stderr),
            "first_requests": dict(server.requests),
            "first_archive": tree_digest(archive),
            "first_records_mtime": (root / "results" / "search" / FIRST_RUN / "pubmed.records.tsv")
            .stat()
            .st_mtime_ns,
            "first_clusters": {
                r["record_id"]: r["study_record_id"]
                for r in read_table(root / "results" / "dedup" / "clusters.tsv")
            },
            "first_title_abstract": read_table(
                root / "results" / "screening" / "title_abstract.tsv"
            ),
        }

        # 2026: new records are entered in PubMed; the reviewer appends the update run.
        for article in NEW_IN_WINDOW + AFTER_WINDOW:
            server.articles[article.pmid] = article
        server.reset_counters()
        update = subprocess.run(
            [
                str(EVSYNTH),
                "update",
                "--to",
                UPDATE_RUN,
                "--config",
                str(root / "config" / "config.yaml"),
            ],
            capture_output=True,
            text=True,
            check=False,
        )
        assert update.returncode == 0, update.stderr
        second = snakemake(root)
        assert second.returncode == 0, second.stderr[-5000:]
        yield LivingReview(
            root=root,
            update_stdout=update.stdout,
            update_jobs=job_table(second.stdout + "\n" + second.stderr),
            update_requests=dict(server.requests),
            update_log=list(server.request_log),
            **state,
        )


# -- the update ------------------------------------------------------------------------------------


def test_first_run_fetched_online_and_archived(living: LivingReview) -> None:
    assert living.first_requests.get("esearch", 0) >= 1
    assert living.first_requests.get("efetch", 0) >= 1
    archive = living.first_archive
    assert "log.json" in archive
    assert any(re.fullmatch(r"raw/batch-\d{5}\.xml", name) for name in archive)
    rows = read_table(living.root / "results" / "search" / FIRST_RUN / "pubmed.records.tsv")
    assert pubmed_ids(rows, "record_id") == {record_id(a) for a in FIRST}


def test_update_appends_the_next_window_by_entry_date(living: LivingReview) -> None:
    config = yaml.safe_load((living.root / "config" / "config.yaml").read_text(encoding="utf-8"))
    first, new = config["search"]["runs"]
    assert first["id"] == FIRST_RUN and first["sources"]["pubmed"]["mode"] == "online"
    assert (new["id"], new["from"], new["to"]) == (UPDATE_RUN, "2026-01-01", UPDATE_RUN)
    assert new["sources"]["pubmed"]["datetype"] == "edat"
    assert "queue_title_abstract.csv" in living.update_stdout


def test_only_the_new_run_is_fetched(living: LivingReview) -> None:
    # Snakemake's own job table: one search job in each run, the second one the new run's.
    assert living.first_jobs.get("search_pubmed") == 1
    assert living.update_jobs.get("search_pubmed") == 1
    assert "dedup_records" in living.update_jobs
    assert living.update_requests.get("esearch", 0) >= 1
    assert living.update_requests.get("efetch", 0) >= 1
    esearches = [r for r in living.update_log if r["endpoint"] == "esearch"]
    # Every ESearch of the update asked for the update's window by entry date, none for 2025.
    assert esearches
    for request in esearches:
        assert request["datetype"] == "edat", request
        assert request["mindate"] == "2026/01/01", request
        assert request["maxdate"] == "2026/11/27", request
    # The first run's archive and records table were not touched.
    archive = living.root / "resources" / "searches" / FIRST_RUN / "pubmed"
    assert tree_digest(archive) == living.first_archive
    first_records = living.root / "results" / "search" / FIRST_RUN / "pubmed.records.tsv"
    assert first_records.stat().st_mtime_ns == living.first_records_mtime
    assert (living.root / "resources" / "searches" / UPDATE_RUN / "pubmed" / "log.json").is_file()


def test_update_run_holds_exactly_the_records_entered_in_its_window(living: LivingReview) -> None:
    rows = read_table(living.root / "results" / "search" / UPDATE_RUN / "pubmed.records.tsv")
    assert pubmed_ids(rows, "record_id") == {record_id(a) for a in NEW_IN_WINDOW}
    log = json.loads(
        (living.root / "results" / "search" / UPDATE_RUN / "pubmed.log.json").read_text("utf-8")
    )
    window = (log["date_from"], log["date_to"], log["date_type"])
    assert window == ("2026-01-01", UPDATE_RUN, "edat")
    assert log["count_reported"] == log["count_parsed"] == len(NEW_IN_WINDOW)


def test_dedup_keeps_every_earlier_study_record_id(living: LivingReview) -> None:
    clusters = {
        r["record_id"]: r["study_record_id"]
        for r in read_table(living.root / "results" / "dedup" / "clusters.tsv")
    }
    for rec, study in living.first_clusters.items():
        assert clusters.get(rec) == study, rec
    unique = pubmed_ids(
        read_table(living.root / "results" / "dedup" / "unique.tsv"), "study_record_id"
    )
    assert set(living.first_clusters.values()) <= unique
    assert unique == {record_id(a) for a in FIRST + NEW_IN_WINDOW}
    summary = json.loads(
        (living.root / "results" / "dedup" / "summary.json").read_text(encoding="utf-8")
    )
    assert summary["records_per_run"] == {FIRST_RUN: len(FIRST), UPDATE_RUN: len(NEW_IN_WINDOW)}


def test_earlier_screening_decisions_stand(living: LivingReview) -> None:
    keep = ("study_record_id", "decision", "reason", "reviewers", "status")
    before = {r["study_record_id"]: tuple(r[k] for k in keep) for r in living.first_title_abstract}
    after = {
        r["study_record_id"]: tuple(r[k] for k in keep)
        for r in read_table(living.root / "results" / "screening" / "title_abstract.tsv")
    }
    assert before  # every first-run record was decided ...
    assert all(row[1] in ("include", "exclude") for row in before.values())
    for rid, row in before.items():  # ... and still is, the same way
        assert after[rid] == row, rid
    for article in NEW_IN_WINDOW:  # the new records are undecided
        assert after[record_id(article)][1] == "", article.pmid


def test_exactly_the_new_records_are_queued(living: LivingReview) -> None:
    queue = read_table(
        living.root / "results" / "screening" / "queue_title_abstract.csv", delimiter=","
    )
    assert {r["study_record_id"] for r in queue} == {record_id(a) for a in NEW_IN_WINDOW}


def test_prisma_counts_carry_per_run_numbers(living: LivingReview) -> None:
    counts = json.loads(
        (living.root / "results" / "prisma" / "counts.json").read_text(encoding="utf-8")
    )
    assert counts["database_results_per_run"] == {
        FIRST_RUN: len(FIRST),
        UPDATE_RUN: len(NEW_IN_WINDOW),
    }
    per_run = counts["per_run"]
    assert per_run[FIRST_RUN]["study_records"] == len(FIRST)
    assert per_run[FIRST_RUN]["records_screened"] == len(FIRST)
    # The first run: 6 screened, 2 excluded at title/abstract, 4 assessed, 1 excluded, 3 included.
    first = per_run[FIRST_RUN]
    assert (first["records_excluded"], first["dbr_assessed"], first["new_reports"]) == (2, 4, 3)
    assert first["dbr_excluded"] == {"wrong_population": 1}
    # The update: 4 new study records, none screened yet.
    assert per_run[UPDATE_RUN]["study_records"] == len(NEW_IN_WINDOW)
    assert per_run[UPDATE_RUN]["records_screened"] == 0
    assert per_run[UPDATE_RUN]["new_reports"] == 0
    assert counts["awaiting_screening"] == len(NEW_IN_WINDOW)
    assert counts["screening_complete"] is False
    assert counts["database_results"] == len(FIRST) + len(NEW_IN_WINDOW)


def test_report_lists_what_changed_since_the_previous_version(living: LivingReview) -> None:
    html = (living.root / "results" / "report" / "index.html").read_text(encoding="utf-8")
    match = re.search(
        r"<section[^>]*>\s*<h2[^>]*>[^<]*(?:changed|changes|since the previous|update)[^<]*</h2>"
        r"(.*?)</section>",
        html,
        flags=re.IGNORECASE | re.DOTALL,
    )
    assert match, "no 'what changed since the previous version' section"
    section = match.group(1)
    # Exactly the update's new study records are listed as new: not the first run's records, not
    # the one entered after the update's window.
    listed = {int(pmid) for pmid in re.findall(r"pubmed:(\d+)", section)}
    assert listed == {a.pmid for a in NEW_IN_WINDOW}
    assert UPDATE_RUN in section and FIRST_RUN in section
    # Pooled estimates before and after the update, per analysis.
    assert review_config("")["analyses"][0]["label"] in section


def _search(url: str, out: Path, run: dict, *, datetype: str) -> set[int]:
    """PMIDs `evsynth search pubmed` finds for one run's window (online, against the mock)."""
    result = subprocess.run(
        [
            str(EVSYNTH),
            "search",
            "pubmed",
            "--query",
            QUERY,
            "--from",
            run["from"],
            "--to",
            run["to"],
            "--datetype",
            datetype,
            "--email",
            "reviewer@example.org",
            "--eutils-url",
            url,
            "--out",
            str(out / "archive"),
            "--records",
            str(out / "records.tsv"),
            "--log",
            str(out / "log.json"),
            "--no-progress",
        ],
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    return {int(r["pmid"]) for r in read_table(out / "records.tsv")}


def test_switching_from_publication_to_entry_dates_misses_no_record(tmp_path: Path) -> None:
    from evsynth.update import plan_run

    # Entered 2025-12-10 in a January 2026 issue: after the first run's pdat window, before the
    # update's edat window.
    next_issue = MockArticle(30000020, date(2026, 1, 15), date(2025, 12, 10), date(2025, 12, 10))
    first = {"id": FIRST_RUN, "from": "1900-01-01", "to": FIRST_RUN}
    source = {"mode": "offline", "archive": "a", "datetype": "pdat", "query": QUERY}
    config = {"search": {"runs": [{**first, "sources": {"pubmed": source}}]}}
    update = plan_run(config, UPDATE_RUN, root=tmp_path).run
    assert update["sources"]["pubmed"]["datetype"] == "edat"
    found: set[int] = set()
    with MockEutils([*FIRST, next_issue, *NEW_IN_WINDOW]) as server:
        (tmp_path / "first").mkdir()
        (tmp_path / "update").mkdir()
        found |= _search(server.url, tmp_path / "first", first, datetype="pdat")
        window = {**update, **update["sources"]["pubmed"]}  # the source's own window wins
        found |= _search(server.url, tmp_path / "update", window, datetype="edat")
    assert {a.pmid for a in FIRST + NEW_IN_WINDOW} <= found
    assert next_issue.pmid in found


# -- incremental re-runs, read from Snakemake's dry-run job table ----------------------------------


def _copy(living: LivingReview, dest: Path) -> Path:
    """A copy of the finished project that keeps every file's mtime and Snakemake's metadata."""
    shutil.copytree(living.root, dest, symlinks=True)
    return dest


def test_after_a_full_run_nothing_is_to_be_done(living: LivingReview) -> None:
    assert planned_jobs(living.root) == {}


UPSTREAM = {"search_pubmed", "import_export", "dedup_records"}
SCREENING_AND_AFTER = {
    "screening_title_abstract",
    "screening_full_text",
    "screening_agreement",
    "prisma_counts",
    "extraction_tables",
    "pooling_analysis",
    "pooling_summary",
    "grade_analysis",
    "figures_analysis",
    "figures_prisma",
    "report_html",
    "all",
}


def test_editing_a_screening_file_reruns_screening_and_what_follows(
    living: LivingReview, tmp_path: Path
) -> None:
    project = _copy(living, tmp_path / "project")
    decisions = project / "resources" / "screening" / "full_text" / "reviewer_1.csv"
    text = decisions.read_text(encoding="utf-8")
    edited = text.replace("wrong_population", "wrong_outcome")
    assert edited != text
    decisions.write_text(edited, encoding="utf-8")
    jobs = planned_jobs(project)
    assert not UPSTREAM & set(jobs), jobs
    assert "screening_full_text" in jobs
    assert "screening_title_abstract" not in jobs  # its inputs did not change
    assert {"screening_agreement", "prisma_counts", "extraction_tables", "report_html"} <= set(jobs)
    assert set(jobs) <= SCREENING_AND_AFTER | {"config_snapshot"}, jobs


def test_a_title_abstract_decision_reruns_both_stages_not_dedup(
    living: LivingReview, tmp_path: Path
) -> None:
    project = _copy(living, tmp_path / "project")
    decisions = project / "resources" / "screening" / "title_abstract" / "reviewer_1.csv"
    # The reviewer screens one of the update's records.
    with decisions.open("a", encoding="utf-8") as handle:
        handle.write(f"{record_id(NEW_IN_WINDOW[0])},exclude,wrong_design,\n")
    jobs = planned_jobs(project)
    assert not UPSTREAM & set(jobs), jobs
    assert {"screening_title_abstract", "screening_full_text", "prisma_counts"} <= set(jobs)


POOLING_AND_AFTER = {
    "pooling_analysis",
    "pooling_summary",
    "grade_analysis",
    "figures_analysis",
    "report_html",
    "config_snapshot",
    "all",
}


def test_a_pooling_setting_reruns_only_pooling_figures_and_report(
    living: LivingReview, tmp_path: Path
) -> None:
    project = _copy(living, tmp_path / "project")
    path = project / "config" / "config.yaml"
    text = path.read_text(encoding="utf-8")
    edited = text.replace("random_method: REML", "random_method: PM")
    assert edited != text
    path.write_text(edited, encoding="utf-8")
    jobs = planned_jobs(project)
    assert {"pooling_analysis", "pooling_summary", "report_html"} <= set(jobs), jobs
    assert set(jobs) <= POOLING_AND_AFTER, jobs
    # The report's snapshot and each analysis's pooling snapshot change (extraction's holds no
    # pooling settings).
    analyses = len(list((project / "results" / "pooling").glob("*.json")))
    assert jobs.get("config_snapshot", 0) <= 1 + analyses


def test_pubmed_client_settings_rerun_no_search(living: LivingReview, tmp_path: Path) -> None:
    # How politely we ask NCBI does not change what an archived run found.
    project = _copy(living, tmp_path / "project")
    path = project / "config" / "config.yaml"
    text = path.read_text(encoding="utf-8")
    edited = text.replace("email: reviewer@example.org", "email: someone.else@example.org")
    assert edited != text
    path.write_text(edited, encoding="utf-8")
    jobs = planned_jobs(project)
    assert not UPSTREAM & set(jobs), jobs


def test_require_complete_stops_the_update_naming_the_queue(
    living: LivingReview, tmp_path: Path
) -> None:
    # The scheduled update's contract: with new records unscreened, the run fails loudly and
    # names the queue file the reviewer has to fill.
    project = _copy(living, tmp_path / "project")
    path = project / "config" / "config.yaml"
    text = path.read_text(encoding="utf-8")
    edited = text.replace("require_complete: false", "require_complete: true")
    assert edited != text
    path.write_text(edited, encoding="utf-8")
    result = snakemake(project, "results/screening/agreement.json")
    assert result.returncode != 0
    message = result.stdout + result.stderr
    assert "queue_title_abstract.csv" in message
    assert f"{len(NEW_IN_WINDOW)} of {len(FIRST) + len(NEW_IN_WINDOW)} records" in message
