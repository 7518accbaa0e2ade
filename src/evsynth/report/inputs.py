"""Read everything the report shows, from the files earlier stages wrote (docs/architecture.md).

The report never recomputes a statistic: it reads the contracts of search, dedup, screening,
extraction, pooling and figures, and records the sha256 of every file it opened so the provenance
section can prove which inputs produced the page. Required files missing is an InputError naming the
file and the stage that writes it; optional keys and files (bias tests, subgroups, risk of bias,
agreement, figures) may be absent and the page then says why.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from evsynth.contracts.pooling_result import PoolingResult, read_pooling_result
from evsynth.contracts.prisma_counts import PrismaFlow, read_prisma_counts
from evsynth.errors import InputError
from evsynth.report.facts import analysis_status, to_float
from evsynth.report.reader import InputFile, Reader, expect_mapping, figure_candidates

__all__ = [
    "AnalysisInput",
    "InputFile",
    "ReportInputs",
    "SearchLog",
    "figure_candidates",
    "load_config",
    "load_inputs",
    "report_input_paths",
]

STUDIES_REQUIRED = ("study_id", "label", "year")
NARRATIVE_REQUIRED = ("study_id", "factor", "outcome", "reason")
SUMMARY_REQUIRED = ("analysis", "k", "chosen", "hr", "ci_low", "ci_high")
FIGURE_KINDS = ("forest", "funnel", "leave_one_out", "cumulative")
SCREENING_STAGES = ("title_abstract", "full_text")


@dataclass(slots=True)
class SearchLog:
    """One source of one dated search run (results/search/{run}/{source}.log.json)."""

    run: str
    source: str
    data: dict[str, Any]


@dataclass(slots=True)
class AnalysisInput:
    """One configured analysis: its config entry, and for meta-analyses the pooling result.

    ``pooling`` is the result read through its contract (contracts.pooling_result), the only
    way the page sees results/pooling/{analysis}.json.
    """

    id: str
    config: dict[str, Any]
    summary: dict[str, str] | None
    figures: dict[str, Path] = field(default_factory=dict)
    pooling: PoolingResult | None = None


@dataclass(slots=True)
class ReportInputs:
    """Everything the page shows, plus the files read (for provenance)."""

    config: dict[str, Any]
    root: Path
    searches: list[SearchLog]
    dedup: dict[str, Any]
    #: results/prisma/counts.json read through its contract; the tables show ``prisma.review``.
    prisma: PrismaFlow
    agreement: dict[str, Any] | None
    screening: dict[str, list[dict[str, str]]]
    studies: list[dict[str, str]]
    narrative: list[dict[str, str]]
    summary: list[dict[str, str]]
    analyses: list[AnalysisInput]
    risk_of_bias: list[dict[str, str]] | None
    prisma_figure: Path | None
    rob_figures: list[Path]
    files: list[InputFile]
    #: results/prisma/study_record_runs.tsv: each study record's first search run (optional).
    record_runs: list[dict[str, str]] | None = None
    #: results/extraction/warnings.tsv (optional): checks a person must look at, per sheet row.
    warnings: list[dict[str, str]] | None = None
    #: effect_id -> the analyses its row enters (results/extraction/effects.tsv, optional).
    effect_analyses: dict[str, list[str]] | None = None
    #: results/grade/{analysis}.json by analysis id (optional: `evsynth grade`).
    grade: dict[str, dict[str, Any]] = field(default_factory=dict)


def load_config(path: str | Path) -> dict[str, Any]:
    """Read the YAML config; a missing or non-mapping file is an InputError."""
    path = Path(path)
    if not path.is_file():
        raise InputError("config file not found", path=str(path))
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except yaml.YAMLError as exc:
        raise InputError(f"not valid YAML: {exc}", path=str(path)) from exc
    if not isinstance(data, dict):
        raise InputError("the config must be a mapping of sections", path=str(path))
    for key in ("review", "search"):
        if key not in data:
            raise InputError(f"the config has no {key!r} section", path=str(path), field=key)
    runs = (data.get("search") or {}).get("runs")
    if not isinstance(runs, list) or not runs:
        raise InputError("search.runs must list at least one run", path=str(path), field="runs")
    for index, run in enumerate(runs):
        if (
            not isinstance(run, dict)
            or not run.get("id")
            or not isinstance(run.get("sources"), dict)
        ):
            raise InputError(
                f"search.runs[{index}] needs an id and a sources mapping; found {run!r}",
                path=str(path),
                field="runs",
            )
    for index, entry in enumerate(data.get("analyses") or []):
        if not isinstance(entry, dict) or not entry.get("id"):
            raise InputError(
                f"analyses[{index}] needs an id ([a-z0-9_]+); found {entry!r}",
                path=str(path),
                field="analyses",
            )
    return data


def _meta_analyses(config: dict[str, Any]) -> list[dict[str, Any]]:
    """Analyses pooled by the pooling stage (synthesis defaults to meta_analysis, as there)."""
    return [
        a
        for a in config.get("analyses") or []
        if a.get("synthesis", "meta_analysis") == "meta_analysis"
    ]


def report_input_paths(
    config: dict[str, Any], results: str | Path, *, figures: bool = False
) -> list[str]:
    """The required inputs of the report for a config, as the Snakemake rule lists them.

    Optional inputs (agreement, screening tables, risk of bias, figures) are added by the rule only
    when the stages that write them are part of the workflow.
    """
    results = Path(results)
    paths = [
        str(results / "search" / run["id"] / f"{source}.log.json")
        for run in config["search"]["runs"]
        for source in run["sources"]
    ]
    paths += [
        str(results / "dedup" / "summary.json"),
        str(results / "prisma" / "counts.json"),
        str(results / "extraction" / "studies.tsv"),
        str(results / "extraction" / "narrative.tsv"),
    ]
    analyses = _meta_analyses(config)
    if analyses:
        paths.append(str(results / "pooling" / "summary.tsv"))
        paths += [str(results / "pooling" / f"{a['id']}.json") for a in analyses]
    return paths


def _check_agreement(
    result: PoolingResult, summary: dict[str, str], path: Path, summary_path: Path
) -> None:
    """The page shows both files; a stale one (edited or rerun by hand) must not slip through."""
    model = result.model(result.chosen or "fixed")
    if model is None:
        return
    from_json = model.exp_estimate
    from_summary = to_float(summary.get("hr"))
    if from_json is None or from_summary is None:
        return
    if abs(from_json - from_summary) > 1e-9 * max(1.0, abs(from_json)):
        raise InputError(
            f"the pooled HR is {from_json!r} here but {from_summary!r} in {summary_path}; "
            "rerun the pooling step so both come from the same run",
            path=str(path),
            record=str(result.analysis or summary.get("analysis")),
            field="exp_estimate",
        )


def load_inputs(
    config: dict[str, Any],
    results: str | Path,
    *,
    config_path: str | Path | None = None,
    root: str | Path | None = None,
) -> ReportInputs:
    """Read every input of the report for one config and results directory.

    ``root`` is the directory paths are shown relative to (default: the parent of ``results``,
    i.e. the project root when results is ``results/``), so the page holds no absolute paths and
    is byte-identical wherever the project is checked out.
    """
    results = Path(results)
    root_path = Path(root) if root is not None else results.resolve().parent
    reader = Reader(root_path)
    if config_path is not None:
        reader.note(Path(config_path))
    report_cfg = config.get("report") or {}
    preferred = report_cfg.get("figure_format", "svg")

    searches = []
    for run in config["search"]["runs"]:
        for source in run["sources"]:
            path = results / "search" / run["id"] / f"{source}.log.json"
            data = expect_mapping(reader.json(path, "search"), path)
            searches.append(SearchLog(run=run["id"], source=source, data=data))

    dedup_path = results / "dedup" / "summary.json"
    dedup = expect_mapping(reader.json(dedup_path, "dedup"), dedup_path)
    prisma_path = results / "prisma" / "counts.json"
    prisma = read_prisma_counts(reader.require(prisma_path, "prisma"))
    record_runs = reader.tsv(
        results / "prisma" / "study_record_runs.tsv", None, ("study_record_id", "search_run")
    )
    agreement = reader.json(results / "screening" / "agreement.json", None)
    screening = {}
    for stage in SCREENING_STAGES:
        rows = reader.tsv(results / "screening" / f"{stage}.tsv", None, ("decision",))
        if rows is not None:
            screening[stage] = rows

    extraction = results / "extraction"
    studies = reader.tsv(extraction / "studies.tsv", "extraction", STUDIES_REQUIRED) or []
    narrative = reader.tsv(extraction / "narrative.tsv", "extraction", NARRATIVE_REQUIRED) or []
    risk_of_bias = reader.tsv(extraction / "risk_of_bias.tsv", None, ("study_id",))
    warnings = reader.tsv(
        extraction / "warnings.tsv", None, ("sheet", "line", "study_id", "effect_id", "message")
    )
    effect_rows = (
        reader.tsv(extraction / "effects.tsv", None, ("effect_id", "analyses"))
        if warnings
        else None
    )
    effect_analyses = (
        {
            r["effect_id"]: [a.strip() for a in (r.get("analyses") or "").split(";") if a.strip()]
            for r in effect_rows
        }
        if effect_rows is not None
        else None
    )

    meta_ids = {a["id"] for a in _meta_analyses(config)}
    summary: list[dict[str, str]] = []
    if meta_ids:
        summary = reader.tsv(results / "pooling" / "summary.tsv", "pooling", SUMMARY_REQUIRED) or []
    by_id = {row["analysis"]: row for row in summary}
    analyses = []
    for entry in config.get("analyses") or []:
        aid = entry["id"]
        pooling = None
        figures: dict[str, Path] = {}
        if aid in meta_ids:
            path = results / "pooling" / f"{aid}.json"
            pooling = read_pooling_result(reader.require(path, "pooling"))
            if aid not in by_id:
                raise InputError(
                    f"analysis {aid!r} has a pooling result but no row in summary.tsv",
                    path=str(results / "pooling" / "summary.tsv"),
                    record=aid,
                )
            _check_agreement(pooling, by_id[aid], path, results / "pooling" / "summary.tsv")
            # Only a pooled analysis shows funnel, leave-one-out and cumulative plots; the page
            # lists in provenance exactly the figures it embeds.
            status = analysis_status(pooling, by_id.get(aid))
            for kind in FIGURE_KINDS if status == "pooled" else ("forest",):
                found = reader.figure(results, f"{aid}.{kind}", preferred)
                if found is not None:
                    figures[kind] = found
        analyses.append(
            AnalysisInput(
                id=aid,
                config=entry,
                summary=by_id.get(aid),
                figures=figures,
                pooling=pooling,
            )
        )

    grade = {}
    for aid in sorted(meta_ids):
        found = reader.json(results / "grade" / f"{aid}.json", None)
        if isinstance(found, dict):
            grade[aid] = found

    prisma_figure = reader.figure(results, "prisma", preferred)
    rob_figures = []
    figures_dir = results / "figures"
    if figures_dir.is_dir():
        names = sorted(
            {p.stem for p in figures_dir.glob("rob_*.*") if p.suffix in (".svg", ".png")}
        )
        for name in names:
            found = reader.figure(results, name, preferred)
            if found is not None:
                rob_figures.append(found)

    return ReportInputs(
        config=config,
        root=root_path,
        searches=searches,
        dedup=dedup,
        prisma=prisma,
        agreement=agreement if isinstance(agreement, dict) else None,
        screening=screening,
        studies=studies,
        narrative=narrative,
        summary=summary,
        analyses=analyses,
        risk_of_bias=risk_of_bias,
        prisma_figure=prisma_figure,
        rob_figures=rob_figures,
        files=sorted(reader.files.values(), key=lambda f: f.path),
        record_runs=record_runs,
        warnings=warnings,
        effect_analyses=effect_analyses,
        grade=grade,
    )
