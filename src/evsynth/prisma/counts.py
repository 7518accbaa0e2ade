"""PRISMA 2020 flow-diagram counts from the dedup summary, screening and extraction results.

Field names are those of the PRISMA2020 R package / Shiny app (Haddaway et al. 2022, Campbell Syst
Rev 18:e1230), so ``results/prisma/counts.json`` can be fed to it or to ``evsynth prisma diagram``.
Every number is derived, and the identities a reader checks on the diagram are asserted:

    database_results - duplicates - excluded_automatic - excluded_other = unique records
    unique records = records_screened + awaiting_screening
    records_screened = records_excluded + dbr_sought_reports
    dbr_sought_reports = dbr_notretrieved_reports + dbr_assessed + awaiting_assessment
    dbr_assessed = sum(dbr_excluded) + new_reports
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from evsynth.contracts.jsonfile import read_json
from evsynth.contracts.prisma_counts import PrismaCounts
from evsynth.contracts.search_runs import records_tables_by_run
from evsynth.contracts.study_tables import StudyGroup, read_study_groups
from evsynth.errors import InputError
from evsynth.screening import vocab
from evsynth.tables import read_tsv

__all__ = [
    "RUN_TABLE_COLUMNS",
    "PrismaCounts",
    "load_prisma_inputs",
    "per_run_counts",
    "prisma_counts",
]

#: results/prisma/study_record_runs.tsv: the search run that first found each study record (empty
#: when none of its records is in a run's table), so the report can list what an update added.
RUN_TABLE_COLUMNS = ("study_record_id", "search_run", "title", "year")

_QUEUED = ("awaiting_reviewers", "conflict", "maybe")


def _final(rows: Sequence[Mapping[str, str]]) -> dict[str, tuple[str, str]]:
    """study_record_id -> (decision, reason) for rows with a final decision."""
    out = {}
    for row in rows:
        if row.get("status", "") in _QUEUED or not row.get("decision"):
            continue
        out[row["study_record_id"]] = (row["decision"], row.get("reason", ""))
    return out


def per_run_counts(
    title_abstract: Sequence[Mapping[str, str]],
    full_text: Sequence[Mapping[str, str]],
    *,
    members: Mapping[str, Sequence[str]],
    record_runs: Mapping[str, str],
    run_order: Sequence[str],
) -> dict[str, dict[str, Any]]:
    """Screening numbers per search run, each study record counted in the earliest run it came from.

    For an updated review this gives the PRISMA update diagram's "new" column: the study records an
    update search added, and what became of them. ``members`` maps study_record_id -> member record
    ids (unique.tsv), ``record_runs`` record_id -> the earliest run whose records TSV holds it.
    A study record none of whose members is in any run's table is counted under "unattributed".
    """
    rank = {run: i for i, run in enumerate(run_order)}
    ta = _final(title_abstract)
    ft = _final(full_text)
    out: dict[str, dict[str, Any]] = {}
    for row in title_abstract:
        sid = row["study_record_id"]
        runs = [record_runs[m] for m in members.get(sid, [sid]) if m in record_runs]
        run = min(runs, key=lambda r: rank.get(r, len(rank))) if runs else "unattributed"
        entry = out.setdefault(
            run,
            {
                "study_records": 0,
                "records_screened": 0,
                "records_excluded": 0,
                "dbr_sought_reports": 0,
                "dbr_notretrieved_reports": 0,
                "dbr_assessed": 0,
                "dbr_excluded": {},
                "new_reports": 0,
            },
        )
        entry["study_records"] += 1
        if sid not in ta:
            continue
        entry["records_screened"] += 1
        if ta[sid][0] == "exclude":
            entry["records_excluded"] += 1
            continue
        entry["dbr_sought_reports"] += 1
        if sid not in ft:
            continue
        decision, reason = ft[sid]
        if reason == vocab.NOT_RETRIEVED:
            entry["dbr_notretrieved_reports"] += 1
        elif decision == "exclude":
            entry["dbr_assessed"] += 1
            key = reason or "no reason given"
            entry["dbr_excluded"][key] = entry["dbr_excluded"].get(key, 0) + 1
        elif decision == "include":
            entry["dbr_assessed"] += 1
            entry["new_reports"] += 1
    for entry in out.values():
        entry["dbr_excluded"] = dict(sorted(entry["dbr_excluded"].items()))
    return out


def prisma_counts(
    summary: Mapping[str, Any],
    title_abstract: Sequence[Mapping[str, str]],
    full_text: Sequence[Mapping[str, str]],
    *,
    studies: Sequence[StudyGroup] | None = None,
    not_retrieved: Sequence[str] = (),
    previous_studies: int | None = None,
    previous_reports: int | None = None,
    database_names: Mapping[str, str] | None = None,
    per_run: Mapping[str, Mapping[str, Any]] | None = None,
    study_record_runs: Mapping[str, str] | None = None,
    run_order: Sequence[str] = (),
    database_results_per_run_source: Mapping[str, Mapping[str, int]] | None = None,
) -> PrismaCounts:
    """Compute the PRISMA 2020 counts; raises InputError when the inputs disagree.

    ``database_names`` maps source names (the dedup summary's keys) to the databases' names from
    the search logs ("pubmed" -> "PubMed"), as the diagram should show them.

    With more than one search run (``run_order``, oldest first) and each study record's run
    (``study_record_runs``, with ``per_run``), the counts follow the PRISMA 2020 updated-review
    template (Page et al. 2021, BMJ 372:n71, figure 2): ``previous_studies``/``previous_reports``
    are the studies and reports first found in earlier runs (values given here win),
    ``new_studies``/``new_reports`` those of the latest run, and ``update_flow`` holds the latest
    run's own identification and screening numbers for the diagram. A study counts in the earliest
    run of its reports. The top-level flow fields keep counting every run.
    """
    per_source: dict[str, int] = {}
    for source, n in summary.get("records_per_source", {}).items():
        name = (database_names or {}).get(str(source)) or str(source)
        per_source[name] = per_source.get(name, 0) + int(n)
    total = int(summary.get("records_total", sum(per_source.values())))
    duplicates = int(summary.get("duplicates_removed", 0))
    unique = int(summary.get("unique_records", total - duplicates))
    notes = []
    if len(title_abstract) != unique:
        raise InputError(
            f"the title/abstract results list {len(title_abstract)} study records but the dedup "
            f"summary has {unique} unique records; rerun screening on the current dedup output"
        )
    ta = _final(title_abstract)
    sought = sorted(s for s, (d, _) in ta.items() if d in ("include", "maybe"))
    excluded_ta = sum(1 for d, _ in ta.values() if d == "exclude")
    ft_ids = {r["study_record_id"] for r in full_text}
    if ft_ids != set(sought):
        missing = sorted(set(sought) - ft_ids)[:5]
        extra = sorted(ft_ids - set(sought))[:5]
        raise InputError(
            "the full-text results do not cover exactly the records included at title/abstract "
            f"(missing {missing}, unexpected {extra}); rerun the full-text stage"
        )
    ft = _final(full_text)
    not_retrieved_set = set()
    for sid in not_retrieved:
        if sid not in ft_ids:
            raise InputError(f"not-retrieved record {sid} was not sought at full text")
        if sid in ft and ft[sid][1] != vocab.NOT_RETRIEVED:
            raise InputError(
                f"record {sid} is listed as not retrieved but has a full-text decision "
                f"({ft[sid][0]}); remove one of them"
            )
        not_retrieved_set.add(sid)
    excluded_ft: dict[str, int] = {}
    included = []
    for sid, (decision, reason) in ft.items():
        if reason == vocab.NOT_RETRIEVED:
            not_retrieved_set.add(sid)
        elif decision == "exclude":
            key = reason or "no reason given"
            excluded_ft[key] = excluded_ft.get(key, 0) + 1
        elif decision == "include":
            included.append(sid)
    assessed = sum(excluded_ft.values()) + len(included)
    awaiting_assessment = len(sought) - len(not_retrieved_set) - assessed

    new_studies = len(included)
    study_of: dict[str, str] = {}
    if studies is not None:
        included_set = set(included)
        for group in studies:
            for sid in group.record_ids:
                study_of[sid] = group.study_id
            stray = [s for s in group.record_ids if s not in included_set]
            if stray:
                notes.append(
                    f"study {group.study_id} lists record(s) not included at full text: "
                    + ", ".join(stray)
                )
        groups = {study_of.get(sid, sid) for sid in included}
        unassigned = [s for s in included if s not in study_of]
        if unassigned:
            notes.append(
                f"{len(unassigned)} included report(s) are in no study of studies.tsv and count as "
                "one study each"
            )
        new_studies = len(groups)

    new_reports = len(included)
    all_reports = None
    update_flow = None
    if per_run is not None and study_record_runs is not None and len(run_order) > 1:
        if "unattributed" in per_run:
            notes.append(
                "updated-review counts not derived: some study records are in no run's records "
                "table (per_run 'unattributed')"
            )
        else:
            latest = run_order[-1]
            rank = {run: i for i, run in enumerate(run_order)}
            run_of = {sid: rank.get(study_record_runs.get(sid, ""), len(rank)) for sid in included}
            first_of: dict[str, int] = {}
            for sid in included:
                group = study_of.get(sid, sid) if studies is not None else sid
                first_of[group] = min(first_of.get(group, len(rank)), run_of[sid])
            last = len(run_order) - 1
            new_reports = sum(1 for r in run_of.values() if r == last)
            all_reports = len(included)
            new_studies = sum(1 for r in first_of.values() if r == last)
            if previous_studies is None:
                previous_studies = len(first_of) - new_studies
            if previous_reports is None:
                previous_reports = all_reports - new_reports
            # The run's records tables are what it retrieved; dedup's records_per_run should agree.
            latest_sources = dict((database_results_per_run_source or {}).get(latest, {}))
            reported = summary.get("records_per_run", {}).get(latest)
            found = sum(latest_sources.values()) if latest_sources else int(reported or 0)
            if latest_sources and reported is not None and int(reported) != found:
                notes.append(
                    f"run {latest}: the records tables hold {found} records but the dedup summary "
                    f"says {reported}; the update flow uses the tables (rerun dedup if stale)"
                )
            update_flow = _update_flow(
                latest, per_run.get(latest), found, latest_sources, database_names or {}
            )
            update_flow["previous_runs"] = list(run_order[:-1])
            update_flow["new_studies"] = new_studies
            notes.append(
                f"updated review: previous = studies first found in runs "
                f"{', '.join(run_order[:-1])}; new = run {latest}; update_flow is run {latest}'s "
                "own flow"
            )

    counts = PrismaCounts(
        database_specific_results=per_source,
        database_results=total,
        register_results=0,
        duplicates=duplicates,
        excluded_automatic=0,
        excluded_other=0,
        records_screened=len(ta),
        records_excluded=excluded_ta,
        dbr_sought_reports=len(sought),
        dbr_notretrieved_reports=len(not_retrieved_set),
        dbr_assessed=assessed,
        dbr_excluded=excluded_ft,
        new_studies=new_studies,
        new_reports=new_reports,
        previous_studies=previous_studies,
        previous_reports=previous_reports,
        awaiting_screening=unique - len(ta),
        awaiting_assessment=awaiting_assessment,
        database_results_per_run={
            str(k): int(v) for k, v in summary.get("records_per_run", {}).items()
        },
        notes=notes,
        per_run={k: dict(v) for k, v in (per_run or {}).items()},
        all_reports=all_reports,
        update_flow=update_flow,
    )
    counts.check()
    return counts


def _update_flow(
    run: str,
    entry: Mapping[str, Any] | None,
    records: int,
    per_source: Mapping[str, int],
    names: Mapping[str, str],
) -> dict[str, Any]:
    """One run's flow under the PRISMA2020 names: what the update search found and became of it.

    Records of the run that did not start a new study record (duplicates within the run, and
    records of studies already known from earlier runs) are the duplicates removed.
    """
    e = dict(entry or {})
    study_records = int(e.get("study_records", 0))
    by_db: dict[str, int] = {}
    for source, n in per_source.items():
        name = names.get(str(source)) or str(source)
        by_db[name] = by_db.get(name, 0) + int(n)
    screened = int(e.get("records_screened", 0))
    sought = int(e.get("dbr_sought_reports", 0))
    not_retrieved = int(e.get("dbr_notretrieved_reports", 0))
    assessed = int(e.get("dbr_assessed", 0))
    return {
        "run": run,
        "database_specific_results": dict(sorted(by_db.items())),
        "database_results": records,
        "duplicates": records - study_records,
        "records_screened": screened,
        "records_excluded": int(e.get("records_excluded", 0)),
        "dbr_sought_reports": sought,
        "dbr_notretrieved_reports": not_retrieved,
        "dbr_assessed": assessed,
        "dbr_excluded": dict(sorted((e.get("dbr_excluded") or {}).items())),
        "new_reports": int(e.get("new_reports", 0)),
        "awaiting_screening": study_records - screened,
        "awaiting_assessment": sought - not_retrieved - assessed,
    }


def _read_ids(path: str | Path) -> list[str]:
    """study_record_ids from a one-column list or a table with a study_record_id column."""
    text = Path(path).read_text(encoding="utf-8-sig")
    lines = [line.strip() for line in text.splitlines() if line.strip()]
    if lines and lines[0].split(",")[0].split("\t")[0].strip().lower() == "study_record_id":
        return [line.split(",")[0].split("\t")[0].strip() for line in lines[1:]]
    return lines


def load_prisma_inputs(
    *,
    dedup_summary: str | Path,
    title_abstract: str | Path,
    full_text: str | Path,
    studies: str | Path | None = None,
    not_retrieved: str | Path | None = None,
    search_logs: Sequence[str | Path] = (),
    records: str | Path | None = None,
    search_records: Sequence[str | Path] = (),
    runs: Sequence[str] | None = None,
) -> dict[str, Any]:
    """Read the files prisma_counts needs (the I/O layer of the CLI).

    ``runs`` orders the search runs oldest first (config order); by default the run folders'
    names sorted (dated run ids sort by date).
    """
    names: dict[str, str] = {}
    for log in search_logs:
        doc = read_json(log)
        source, database = doc.get("source"), doc.get("database")
        if source and database:
            if names.get(source, database) != database:
                raise InputError(
                    f"source {source!r} is called {names[source]!r} in one search log and "
                    f"{database!r} in this one; use one database name per source",
                    path=str(log),
                    field="database",
                )
            names[source] = database
    summary = read_json(dedup_summary)
    need = ("study_record_id", "decision", "reason")
    title_abstract_rows = read_tsv(title_abstract, required=need)
    full_text_rows = read_tsv(full_text, required=need)
    per_run = None
    study_runs: dict[str, str] | None = None
    run_order: list[str] = []
    per_run_source: dict[str, dict[str, int]] = {}
    run_rows: list[dict[str, str]] = []
    if records is not None and search_records:
        unique = read_tsv(records, required=("study_record_id",))
        members = {
            r["study_record_id"]: [
                m.strip() for m in r.get("member_ids", "").split(";") if m.strip()
            ]
            for r in unique
        }
        run_order, tables = records_tables_by_run(search_records, runs)
        record_runs: dict[str, str] = {}
        for path, run in tables:
            source = Path(path).name.removesuffix(".tsv").removesuffix(".records")
            rows = read_tsv(path, required=("record_id",))
            by_source = per_run_source.setdefault(run, {})
            by_source[source] = by_source.get(source, 0) + len(rows)
            for row in rows:
                record_runs.setdefault(row["record_id"], run)
        per_run = per_run_counts(
            title_abstract_rows,
            full_text_rows,
            members=members,
            record_runs=record_runs,
            run_order=run_order,
        )
        rank = {run: i for i, run in enumerate(run_order)}
        study_runs = {}
        titles = {r["study_record_id"]: (r.get("title", ""), r.get("year", "")) for r in unique}
        for row in title_abstract_rows:
            sid = row["study_record_id"]
            found = [record_runs[m] for m in members.get(sid, [sid]) if m in record_runs]
            if found:
                study_runs[sid] = min(found, key=lambda r: rank[r])
            title, year = titles.get(sid, ("", ""))
            run_rows.append(
                {
                    "study_record_id": sid,
                    "search_run": study_runs.get(sid, ""),
                    "title": title,
                    "year": year,
                }
            )
    return {
        "summary": summary,
        "title_abstract": title_abstract_rows,
        "full_text": full_text_rows,
        "per_run": per_run,
        "study_record_runs": study_runs,
        "study_record_run_rows": run_rows,
        "run_order": run_order,
        "database_results_per_run_source": per_run_source,
        "studies": read_study_groups(studies) if studies else None,
        "not_retrieved": _read_ids(not_retrieved) if not_retrieved else [],
        "database_names": names,
    }
