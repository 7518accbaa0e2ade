"""Render the review report as one self-contained HTML page.

The page must open offline and be byte-identical on rerun: CSS is inline, figures are data URIs,
there is no script and no external font, and the only date on it is the latest search run's id.
Tables have captions and header cells, figures alt text (WCAG 2.1: 1.1.1, 1.3.1), and a print
stylesheet lays each analysis out on its own page.
"""

from __future__ import annotations

import base64
import importlib.metadata
import platform
from collections.abc import Iterable, Sequence
from html import escape
from pathlib import Path
from typing import Any

from evsynth import __version__
from evsynth.report.facts import (
    ModelValues,
    analysis_status,
    bias_reason,
    methods_paragraphs,
    model_values,
    published_difference,
    rule_name,
    to_float,
)
from evsynth.report.grade import grade_section
from evsynth.report.inputs import AnalysisInput, ReportInputs
from evsynth.report.labels import (
    CSS,
    ELIGIBILITY_ORDER,
    PRISMA_EXTRA_LABELS,
    PRISMA_FIELDS,
    SCREENING_STAGE_LABELS,
    STUDY_COLUMNS,
    VERSION_PACKAGES,
)

__all__ = ["fmt_hr", "fmt_p", "render_html"]

DASH = "\u2013"
NA = "NA"


# ---------------------------------------------------------------- formatting
def fmt_hr(value: float | None, digits: int = 2) -> str:
    """An HR or CI bound with fixed decimals; unknown is "NA"."""
    return NA if value is None else f"{value:.{digits}f}"


def fmt_p(value: float | None) -> str:
    """A p-value the way journals print it: 3 decimals, "< 0.001" below that."""
    if value is None:
        return NA
    return "< 0.001" if value < 0.001 else f"{value:.3f}"


def _fmt(value: float | None, digits: int) -> str:
    return NA if value is None else f"{value:.{digits}f}"


def _ci(low: float | None, high: float | None, digits: int = 2) -> str:
    if low is None and high is None:
        return NA
    return f"{_fmt(low, digits)} to {_fmt(high, digits)}"


def _num(value: Any) -> str:
    """An exact machine-readable value for data-value attributes (what tests compare)."""
    number = to_float(value)
    return "" if number is None else repr(number)


def _td(text: str, *, num: bool = False, field: str | None = None, value: Any = None) -> str:
    """A cell of plain ``text`` (escaped here); ``field``/``value`` tag machine-checked numbers."""
    attrs = ' class="num"' if num else ""
    if field is not None:
        attrs += f' data-field="{escape(field)}" data-value="{escape(_num(value))}"'
    return f"<td{attrs}>{escape(text)}</td>"


def _table(
    caption: str,
    headers: Sequence[str | tuple[str, bool]],
    rows: Iterable[str],
    *,
    table_id: str | None = None,
    empty: str = "None.",
    wide: bool = False,
) -> str:
    """A table with a caption and scoped header cells; rows are pre-rendered <tr> strings."""
    rows = list(rows)
    head = "".join(
        f'<th scope="col" class="num">{escape(h[0])}</th>'
        if isinstance(h, tuple) and h[1]
        else f'<th scope="col">{escape(h if isinstance(h, str) else h[0])}</th>'
        for h in headers
    )
    if not rows:
        rows = [f'<tr><td colspan="{len(headers)}" class="note">{escape(empty)}</td></tr>']
    ident = f' id="{escape(table_id)}"' if table_id else ""
    if wide:
        ident += ' class="wide"'
    table = (
        f"<table{ident}><caption>{escape(caption)}</caption><thead><tr>{head}</tr></thead>"
        f"<tbody>{''.join(rows)}</tbody></table>"
    )
    # A wide table scrolls inside its own box, never the page (WCAG 1.4.10 reflow).
    return f'<div class="table-scroll">{table}</div>' if wide else table


def _data_uri(path: Path) -> str:
    mime = "image/svg+xml" if path.suffix.lower() == ".svg" else "image/png"
    data = base64.b64encode(path.read_bytes()).decode("ascii")
    return f"data:{mime};base64,{data}"


def _figure(path: Path | None, alt: str, caption: str, *, missing: str) -> str:
    if path is None:
        return f'<p class="note">{escape(missing)}</p>' if missing else ""
    return (
        f'<figure><img src="{_data_uri(path)}" alt="{escape(alt)}">'
        f"<figcaption>{escape(caption)}</figcaption></figure>"
    )


def _label(table: dict[str, Any], key: Any) -> str:
    """The configured label of a factor or outcome key; the key itself, or a dash when unset."""
    if key in (None, ""):
        return DASH
    return str((table.get(key) or {}).get("label") or key)


def _anchor(text: str) -> str:
    return "".join(c if c.isalnum() else "-" for c in text.lower()).strip("-")


# ---------------------------------------------------------------- sections
def _header(inputs: ReportInputs, run_date: str) -> str:
    review = inputs.config.get("review") or {}
    parts = [f'<header class="title"><h1>{escape(str(review.get("title", "")))}</h1>']
    if review.get("question"):
        parts.append(
            f'<p class="question"><strong>Review question.</strong> '
            f"{escape(str(review['question']))}</p>"
        )
    meta = [f"Searches current to {escape(run_date)}"]
    if review.get("authors"):
        meta.insert(0, escape(", ".join(str(a) for a in review["authors"])))
    reg = review.get("registration") or {}
    if reg.get("id"):
        text = f"Protocol registered in {escape(str(reg.get('registry', '')))}: "
        if reg.get("url"):
            text += f'<a href="{escape(str(reg["url"]))}">{escape(str(reg["id"]))}</a>'
        else:
            text += escape(str(reg["id"]))
        meta.append(text)
    else:
        meta.append("No protocol registration given")
    parts.append(f'<p class="meta">{" &middot; ".join(meta)}</p>')
    if review.get("reference"):
        parts.append(
            f'<p class="meta">Published review compared: {escape(str(review["reference"]))}</p>'
        )
    parts.append("</header>")
    elig = review.get("eligibility") or {}
    if elig:
        order = [k for k in ELIGIBILITY_ORDER if k in elig] + [
            k for k in elig if k not in ELIGIBILITY_ORDER
        ]
        elig = {k: elig[k] for k in order}
        items = "".join(
            f"<dt>{escape(key.replace('_', ' ').capitalize())}</dt><dd>"
            f"{escape('; '.join(map(str, value)) if isinstance(value, list) else str(value))}</dd>"
            for key, value in elig.items()
        )
        parts.append(
            f'<section id="eligibility"><h2>Eligibility criteria</h2><dl class="kv">{items}</dl>'
            "</section>"
        )
    return "".join(parts)


def _toc(inputs: ReportInputs) -> str:
    items = [
        ("summary", "Summary of findings"),
        *([("certainty", "Certainty of the evidence (GRADE)")] if inputs.grade else []),
        ("changes", CHANGES_TITLE),
        ("methods", "Methods"),
        ("search", "Search (PRISMA-S)"),
        ("selection", "Study selection"),
        ("studies", "Included studies"),
        ("risk-of-bias", "Risk of bias"),
    ]
    items += [(f"analysis-{a.id}", a.config.get("label", a.id)) for a in inputs.analyses]
    items += [("narrative", "Narrative synthesis"), ("provenance", "Provenance")]
    links = "".join(f'<li><a href="#{escape(i)}">{escape(str(t))}</a></li>' for i, t in items)
    return f'<nav class="toc" aria-label="Contents"><strong>Contents</strong><ol>{links}</ol></nav>'


def _chosen(a: AnalysisInput) -> ModelValues | None:
    if not a.result:
        return None
    name = str(a.result.get("chosen") or "random")
    return model_values(a.result.get(name), name)


def _published_text(published: dict[str, Any] | None, digits: int) -> str:
    """The published pooled HR (95% CI) of an analysis, or a dash when the config gives none."""
    if not published or to_float(published.get("hr")) is None:
        return DASH
    ci = _ci(to_float(published.get("ci_low")), to_float(published.get("ci_high")), digits)
    return f"{fmt_hr(to_float(published.get('hr')), digits)} ({ci})"


def _summary_of_findings(inputs: ReportInputs, digits: int) -> str:
    factors = (inputs.config.get("extraction") or {}).get("factors") or {}
    outcomes = (inputs.config.get("extraction") or {}).get("outcomes") or {}
    rows = []
    for a in inputs.analyses:
        cfg = a.config
        label = escape(str(cfg.get("label", a.id)))
        link = f'<a href="#analysis-{escape(a.id)}">{label}</a>'
        factor = escape(_label(factors, cfg.get("factor")))
        outcome = escape(_label(outcomes, cfg.get("outcome")))
        published = _td(_published_text(cfg.get("published"), digits), num=True)
        if cfg.get("synthesis", "meta_analysis") != "meta_analysis":
            rows.append(
                f'<tr data-analysis="{escape(a.id)}"><th scope="row">{link}</th><td>{factor}</td>'
                f'<td>{outcome}</td><td colspan="6">Narrative synthesis (not pooled by protocol)'
                f"</td>{published}</tr>"
            )
            continue
        s = a.summary or {}
        status = analysis_status(a.result, s)
        k = s.get("k", "")
        if status == "empty":
            rows.append(
                f'<tr data-analysis="{escape(a.id)}"><th scope="row">{link}</th><td>{factor}</td>'
                f"<td>{outcome}</td>{_td('0', num=True, field='k', value=0)}"
                f'<td colspan="5">No poolable estimate</td>{published}</tr>'
            )
            continue
        hr, lo, hi = to_float(s.get("hr")), to_float(s.get("ci_low")), to_float(s.get("ci_high"))
        model = (
            "single study, not pooled"
            if status == "single_study"
            else f"{s.get('chosen', '')} ({s.get('method', '')})"
        )
        i2 = to_float(s.get("i2")) if status == "pooled" else None
        rows.append(
            f'<tr data-analysis="{escape(a.id)}"><th scope="row">{link}</th><td>{factor}</td>'
            f"<td>{outcome}</td>"
            + _td(k, num=True, field="k", value=k)
            + _td(fmt_hr(hr, digits), num=True, field="hr", value=s.get("hr"))
            + _td(_ci(lo, hi, digits), num=True).replace(
                "<td", f'<td data-field="ci" data-low="{_num(lo)}" data-high="{_num(hi)}"', 1
            )
            + _td(fmt_p(to_float(s.get("p"))), num=True, field="p", value=s.get("p"))
            + _td(
                f"{_fmt(i2, 1)}%" if i2 is not None else DASH,
                num=True,
                field="i2",
                value=i2,
            )
            + f"<td>{escape(model)}</td>{published}</tr>"
        )
    return (
        '<section id="summary"><h2>Summary of findings</h2>'
        + _table(
            "Pooled hazard ratios, one row per configured analysis (the model chosen by the rule)",
            [
                "Analysis",
                "Factor",
                "Outcome",
                ("k", True),
                ("HR", True),
                ("95% CI", True),
                ("p", True),
                ("I\u00b2", True),
                "Model",
                ("Published HR (95% CI)", True),
            ],
            rows,
            table_id="summary-table",
            wide=True,
            empty="No analyses are configured.",
        )
        + '<p class="note">HR &lt; 1 favours the exposure named in each factor (fewer deaths).</p>'
        "</section>"
    )


def _stage_documents(agreement: dict[str, Any] | None) -> dict[str, dict[str, Any]]:
    """Per-stage documents of agreement.json ({"stages": {stage: doc}}; a flat form is accepted)."""
    if not agreement:
        return {}
    stages = agreement.get("stages", agreement)
    return {k: v for k, v in stages.items() if isinstance(v, dict)}


def _screening_waiting(inputs: ReportInputs) -> dict[str, tuple[int, int]]:
    """Per stage: (records still without a final decision, records), from agreement or the TSVs."""
    waiting: dict[str, tuple[int, int]] = {}
    for stage, doc in _stage_documents(inputs.agreement).items():
        counts = doc.get("counts") if isinstance(doc.get("counts"), dict) else {}
        queued = to_float(counts.get("queued"))
        total = to_float(counts.get("records", counts.get("n", doc.get("n"))))
        if doc.get("complete") is False or queued:
            waiting[stage] = (int(queued or 0), int(total or 0))
        elif queued is not None or doc.get("complete") is True:
            waiting[stage] = (0, int(total or 0))
    for stage, rows in inputs.screening.items():
        if stage not in waiting:
            undecided = sum(1 for r in rows if r.get("decision", "") in ("", "maybe"))
            waiting[stage] = (undecided, len(rows))
    return waiting


def _screening_complete(inputs: ReportInputs) -> dict[str, bool]:
    return {stage: n == 0 for stage, (n, _) in _screening_waiting(inputs).items()}


def _methods(inputs: ReportInputs) -> str:
    results = [a.result for a in inputs.analyses if a.result]
    paras = methods_paragraphs(
        inputs.config,
        results,
        dedup=inputs.dedup,
        screening_complete=_screening_complete(inputs),
    )
    body = "".join(f"<p>{escape(p)}</p>" for p in paras)
    return f'<section id="methods"><h2>Methods</h2>{body}</section>'


def _search(inputs: ReportInputs) -> str:
    rows = []
    queries = []
    for log in inputs.searches:
        d = log.data
        reported, parsed = d.get("count_reported"), d.get("count_parsed")
        flag = ""
        if reported is not None and parsed is not None and reported != parsed:
            flag = ' <span class="badge warn">differs</span>'
        window = f"{d.get('date_from') or 'inception'} to {d.get('date_to') or 'run date'}" + (
            f" ({d['date_type']})" if d.get("date_type") else ""
        )
        rows.append(
            f'<tr><td class="date">{escape(log.run)}</td>'
            f"<td>{escape(str(d.get('database') or log.source))}</td>"
            f"<td>{escape(str(d.get('platform') or NA))}</td><td>{escape(window)}</td>"
            f'<td class="date">{escape(str(d.get("run_date") or NA))}</td>'
            f'<td class="num">{escape(str(reported if reported is not None else "not given"))}</td>'
            f'<td class="num">{escape(str(parsed if parsed is not None else NA))}{flag}</td></tr>'
        )
        block = (
            f"<h4>{escape(str(d.get('database') or log.source))}, run {escape(log.run)}</h4>"
            f'<pre class="query">{escape(str(d.get("query") or NA))}</pre>'
        )
        if d.get("query_translation"):
            block += (
                '<p class="note">As translated by the database (what was actually searched):</p>'
                f'<pre class="query">{escape(str(d["query_translation"]))}</pre>'
            )
        files = d.get("files") or []
        if files:
            block += (
                '<p class="note">Files: '
                + "; ".join(
                    f"{escape(str(f.get('path')))} ({escape(str(f.get('records', NA)))} records, "
                    f"sha256 <code>{escape(str(f.get('sha256', ''))[:12])}</code>)"
                    for f in files
                )
                + "</p>"
            )
        queries.append(block)
    runs = sorted({log.run for log in inputs.searches})
    databases = sorted({str(log.data.get("database") or log.source) for log in inputs.searches})
    intro = (
        f"<p>{len(databases)} database{'s' if len(databases) != 1 else ''} "
        f"({escape(', '.join(databases))}) searched separately in {len(runs)} dated "
        f"run{'s' if len(runs) != 1 else ''}; each strategy below is reproduced exactly as run. "
        "No limits or filters were applied beyond those written in the strategies.</p>"
    )
    return (
        '<section id="search"><h2>Search (PRISMA-S)</h2>'
        + intro
        + _table(
            "Databases searched, per run: platform, date window, date run and record counts",
            [
                "Run",
                "Database",
                "Platform",
                "Date window",
                "Date run",
                ("Reported", True),
                ("Parsed", True),
            ],
            rows,
            table_id="search-table",
            wide=True,
        )
        + "<h3>Full search strategies</h3>"
        + "".join(queries)
        + "</section>"
    )


CHANGES_TITLE = "What changed since the previous version"
#: New study records of the latest run listed by name, at most (the rest are counted).
CHANGES_RECORD_LIMIT = 500


def _run_hr(entry: dict[str, Any], digits: int) -> tuple[str, float | None]:
    """A by_search_run entry's estimate as "HR (CI)" text and the HR itself."""
    hr = to_float(entry.get("exp_estimate"))
    low, high = to_float(entry.get("exp_ci_low")), to_float(entry.get("exp_ci_high"))
    if hr is None and "exp_estimate" not in entry:  # a difference measure: no exp_* values
        hr = to_float(entry.get("estimate"))
        low, high = to_float(entry.get("ci_low")), to_float(entry.get("ci_high"))
    if hr is None:
        return ("no studies" if entry.get("status") == "empty" else NA), None
    model = entry.get("chosen") or ("single study" if entry.get("status") == "single_study" else "")
    return f"{fmt_hr(hr, digits)} ({_ci(low, high, digits)}){', ' + model if model else ''}", hr


def _record_status(sid: str, inputs: ReportInputs) -> str:
    """Where a study record stands in screening, in words."""
    ft = {r.get("study_record_id"): r for r in inputs.screening.get("full_text", [])}
    ta = {r.get("study_record_id"): r for r in inputs.screening.get("title_abstract", [])}
    if sid in ft and ft[sid].get("decision"):
        reason = ft[sid].get("reason") or ""
        decision = ft[sid]["decision"]
        word = {"include": "included", "exclude": "excluded"}.get(decision, decision)
        return f"{word} at full text" + (f" ({reason})" if reason and decision != "include" else "")
    decision = (ta.get(sid) or {}).get("decision") or ""
    if decision == "exclude":
        return "excluded at title/abstract"
    if decision in ("include", "maybe"):
        return "awaiting full-text assessment"
    return "awaiting screening"


def _changes(inputs: ReportInputs, digits: int) -> str:
    """What the latest search run added: records, studies, estimates before and after.

    A living review is read as a sequence of versions (Elliott et al. 2017, J Clin Epidemiol
    91:23); each update states what it added. Numbers come from counts.json (``per_run``,
    ``database_results_per_run``), studies.tsv (``search_run``), study_record_runs.tsv and each
    analysis's ``by_search_run`` (the cumulative meta-analysis by search run).
    """
    runs = [str(r["id"]) for r in inputs.config["search"]["runs"]]
    head = f'<section id="changes"><h2>{escape(CHANGES_TITLE)}</h2>'
    if len(runs) < 2:
        return (
            head + f"<p>This is the first version of this review (search run {escape(runs[0])}); "
            "an update search will be reported here.</p></section>"
        )
    latest, previous = runs[-1], runs[-2]
    counts = inputs.prisma
    per_run = counts.get("per_run") if isinstance(counts.get("per_run"), dict) else {}
    found = counts.get("database_results_per_run") or inputs.dedup.get("records_per_run") or {}
    studies_of: dict[str, list[str]] = {}
    for row in inputs.studies:
        studies_of.setdefault(row.get("search_run") or "", []).append(
            row.get("label") or row.get("study_id", "")
        )
    new_records = [r for r in inputs.record_runs or [] if r.get("search_run") == latest]
    new_studies = sorted(studies_of.get(latest, []))
    parts = [head]
    run_cfg = inputs.config["search"]["runs"][-1]
    window = f"{run_cfg.get('from') or 'inception'} to {run_cfg.get('to') or latest}"
    entry = per_run.get(latest) or {}
    summary = (
        f"<p>This version adds search run {escape(latest)} (window {escape(window)}) to the "
        f"previous version (run {escape(previous)}). It found {escape(str(found.get(latest, NA)))} "
        f"records, {escape(str(entry.get('study_records', NA)))} of them new study records after "
        "deduplication; "
    )
    if "search_run" in (inputs.studies[0] if inputs.studies else {}):
        summary += (
            f"{len(new_studies)} new included "
            f"stud{'y' if len(new_studies) == 1 else 'ies'}"
            + (f": {escape(', '.join(new_studies))}" if new_studies else "")
            + ".</p>"
        )
    else:
        summary += "new included studies not known (studies.tsv has no search_run column).</p>"
    parts.append(summary)

    rows = []
    for run in runs:
        e = per_run.get(run) or {}
        excluded_ft = sum(v for v in (e.get("dbr_excluded") or {}).values() if isinstance(v, int))
        awaiting = (
            e["study_records"] - e["records_screened"]
            if isinstance(e.get("study_records"), int)
            and isinstance(e.get("records_screened"), int)
            else None
        )
        labels = sorted(studies_of.get(run, []))
        cells = [
            f'<th scope="row" class="date">{escape(run)}</th>',
            _td(str(found.get(run, NA)), num=True, field="records_found", value=found.get(run)),
        ]
        for key, value in (
            ("study_records", e.get("study_records")),
            ("records_screened", e.get("records_screened")),
            ("records_excluded", e.get("records_excluded")),
            ("full_text_excluded", excluded_ft if e else None),
            ("awaiting_screening", awaiting),
            ("new_reports", e.get("new_reports")),
        ):
            cells.append(_td(NA if value is None else str(value), num=True, field=key, value=value))
        cells.append(_td(", ".join(labels) if labels else DASH))
        rows.append(f'<tr data-run="{escape(run)}">{"".join(cells)}</tr>')
    parts.append(
        _table(
            "What each search run added (each study record counted in the earliest run that "
            "found it)",
            [
                "Run",
                ("Records found", True),
                ("New study records", True),
                ("Screened", True),
                ("Excluded at title/abstract", True),
                ("Excluded at full text", True),
                ("Awaiting screening", True),
                ("New included reports", True),
                "New included studies",
            ],
            rows,
            table_id="changes-runs",
            wide=True,
        )
    )

    if inputs.record_runs is None:
        parts.append(
            '<p class="note">The new study records are not listed: results/prisma/'
            "study_record_runs.tsv was not found (written by evsynth prisma counts).</p>"
        )
    else:
        shown = sorted(new_records, key=lambda r: r.get("study_record_id", ""))
        record_rows = [
            f'<tr data-record="{escape(r.get("study_record_id", ""))}">'
            + _td(r.get("study_record_id", ""))
            + _td(r.get("title", ""))
            + _td(r.get("year", ""))
            + _td(_record_status(r.get("study_record_id", ""), inputs))
            + "</tr>"
            for r in shown[:CHANGES_RECORD_LIMIT]
        ]
        parts.append(
            _table(
                f"New study records of run {latest} after deduplication ({len(shown)})",
                ["Study record", "Title", "Year", "Status"],
                record_rows,
                table_id="changes-records",
                empty="The update search found no new study record.",
                wide=True,
            )
        )
        if len(shown) > CHANGES_RECORD_LIMIT:
            parts.append(
                f'<p class="note">{len(shown) - CHANGES_RECORD_LIMIT} more are listed in '
                "results/prisma/study_record_runs.tsv.</p>"
            )

    estimate_rows = []
    for a in inputs.analyses:
        if a.result is None:
            continue
        label = escape(str(a.config.get("label", a.id)))
        by_run = {
            str(e.get("run")): e for e in a.result.get("by_search_run") or [] if isinstance(e, dict)
        }
        if previous not in by_run or latest not in by_run:
            estimate_rows.append(
                f'<tr data-changes-analysis="{escape(a.id)}"><th scope="row">{label}</th>'
                '<td colspan="5" class="note">Not available: the pooling result has no '
                "by_search_run for these runs.</td></tr>"
            )
            continue
        before, after = by_run[previous], by_run[latest]
        before_text, before_hr = _run_hr(before, digits)
        after_text, after_hr = _run_hr(after, digits)
        added = after.get("new_studies") or []
        estimate_rows.append(
            f'<tr data-changes-analysis="{escape(a.id)}"><th scope="row">{label}</th>'
            + _td(str(before.get("k", NA)), num=True, field="k_before", value=before.get("k"))
            + _td(before_text, num=True, field="hr_before", value=before_hr)
            + _td(str(after.get("k", NA)), num=True, field="k_after", value=after.get("k"))
            + _td(after_text, num=True, field="hr_after", value=after_hr)
            + _td(", ".join(map(str, added)) if added else DASH)
            + "</tr>"
        )
    if estimate_rows:
        parts.append(
            _table(
                f"Pooled estimates before (run {previous}) and after (run {latest}) the update: "
                "a cumulative meta-analysis by search run, the review's model rule applied to "
                "each",
                [
                    "Analysis",
                    ("k before", True),
                    ("HR before (CI), model", True),
                    ("k after", True),
                    ("HR after (CI), model", True),
                    "Studies added",
                ],
                estimate_rows,
                table_id="changes-estimates",
                wide=True,
            )
        )
    if counts.get("previous_studies") is not None or counts.get("previous_reports") is not None:
        parts.append(
            "<p>The PRISMA 2020 flow diagram under Study selection (Figure 1) uses the "
            "updated-review template: studies included in the previous version (n = "
            f"{escape(str(counts.get('previous_studies', NA)))}, reports n = "
            f"{escape(str(counts.get('previous_reports', NA)))}), the identification and "
            f"screening of run {escape(latest)}, new studies (n = "
            f"{escape(str(counts.get('new_studies', NA)))}) and the total (n = "
            f"{escape(str(counts.get('total_studies', NA)))}).</p>"
        )
    else:
        parts.append(
            '<p class="note">The PRISMA 2020 flow diagram under Study selection (Figure 1) has no '
            "previous-version counts (counts.json gives no previous_studies).</p>"
        )
    parts.append("</section>")
    return "".join(parts)


def _prisma_rows(counts: dict[str, Any]) -> list[str]:
    rows = []
    known = {name for name, _ in PRISMA_FIELDS}
    extras = [
        (k, PRISMA_EXTRA_LABELS.get(k, k.replace("_", " ").capitalize()))
        for k in sorted(counts)
        if k not in known and k not in ("notes", "per_run", "update_flow")
    ]
    for name, label in list(PRISMA_FIELDS) + extras:
        if name not in counts or counts[name] is None:
            continue
        value = counts[name]
        if isinstance(value, bool):
            value = "yes" if value else "no"
        elif isinstance(value, list):
            value = "; ".join(map(str, value)) or DASH
        if isinstance(value, dict):
            total = sum(v for v in value.values() if isinstance(v, int | float))
            rows.append(
                f'<tr><th scope="row">{escape(label)}</th>'
                f'<td class="num" data-field="{escape(name)}">{escape(str(total))}</td></tr>'
            )
            for key in sorted(value):
                rows.append(
                    f"<tr><td>&emsp;{escape(str(key))}</td>"
                    f'<td class="num">{escape(str(value[key]))}</td></tr>'
                )
        else:
            rows.append(
                f'<tr><th scope="row">{escape(label)}</th>'
                f'<td class="num" data-field="{escape(name)}">{escape(str(value))}</td></tr>'
            )
    return rows


def _selection(inputs: ReportInputs) -> str:
    parts = ['<section id="selection"><h2>Study selection</h2>']
    waiting = _screening_waiting(inputs)
    incomplete = [s for s, (n, _) in sorted(waiting.items()) if n]
    if incomplete:
        details = [
            f"{SCREENING_STAGE_LABELS.get(s, s)}: {waiting[s][0]} of {waiting[s][1]}"
            for s in incomplete
        ]
        parts.append(
            '<div class="notice" role="note"><strong>Screening incomplete.</strong> Records still '
            f"without a final decision ({escape('; '.join(details))}). Counts and results below "
            "may change when screening is finished.</div>"
        )
    elif not waiting:
        parts.append('<p class="note">No screening decisions were found.</p>')
    prisma_alt = "PRISMA 2020 flow diagram: " + ", ".join(
        f"{label.lower()} {inputs.prisma[name]}"
        for name, label in PRISMA_FIELDS
        if isinstance(inputs.prisma.get(name), int)
    )
    parts.append(
        _figure(
            inputs.prisma_figure,
            prisma_alt,
            "Figure 1. PRISMA 2020 flow diagram of the identification, screening and inclusion "
            "of studies.",
            missing="PRISMA flow diagram not drawn (no results/figures/prisma.svg or .png).",
        )
    )
    parts.append(
        _table(
            "PRISMA 2020 counts (field names of the PRISMA2020 package)",
            ["Step", ("Records / reports", True)],
            _prisma_rows(inputs.prisma),
            table_id="prisma-table",
        )
    )
    notes = inputs.prisma.get("notes")
    if isinstance(notes, list) and notes:
        items = "".join(f"<li>{escape(str(n))}</li>" for n in notes)
        parts.append(f'<div class="note"><p>Notes on the counts:</p><ul>{items}</ul></div>')
    d = inputs.dedup
    rows = [
        f'<tr><th scope="row">Records from {escape(src)}</th><td class="num">{escape(str(n))}</td>'
        "</tr>"
        for src, n in sorted((d.get("records_per_source") or {}).items())
    ]
    rows += [
        f'<tr><th scope="row">Records in run {escape(run)}</th><td class="num">{escape(str(n))}'
        "</td></tr>"
        for run, n in sorted((d.get("records_per_run") or {}).items())
    ]
    for key, label in (
        ("records_total", "Records in total"),
        ("duplicates_removed", "Duplicates removed"),
        ("unique_records", "Unique records"),
        ("possible_pairs", "Possible duplicate pairs left for a person"),
    ):
        if d.get(key) is not None:
            rows.append(
                f'<tr><th scope="row">{label}</th><td class="num">{escape(str(d[key]))}</td></tr>'
            )
    parts.append("<h3>Deduplication</h3>")
    parts.append(
        _table("Deduplication summary", ["Step", ("Records", True)], rows, table_id="dedup-table")
    )
    parts.append("<h3>Screening agreement</h3>")
    parts.append(_agreement(inputs.agreement))
    parts.append("</section>")
    return "".join(parts)


def _agreement(agreement: dict[str, Any] | None) -> str:
    stages = _stage_documents(agreement)
    if not stages:
        return '<p class="note">Agreement not computed (no results/screening/agreement.json).</p>'
    rows = []
    order = [s for s in SCREENING_STAGE_LABELS if s in stages] + sorted(
        s for s in stages if s not in SCREENING_STAGE_LABELS
    )
    for stage in order:
        doc = stages[stage]
        agree = doc.get("agreement") if isinstance(doc.get("agreement"), dict) else doc
        kappa = to_float(agree.get("kappa"))
        raw = to_float(agree.get("raw_agreement", agree.get("agreement")))
        counts = doc.get("counts") if isinstance(doc.get("counts"), dict) else {}
        shown = [
            f"{k.replace('_', ' ')} {v}"
            for k, v in counts.items()
            if not isinstance(v, dict | list) and v not in (0, None)
        ]
        method = str(agree.get("method") or "")
        reviewers = doc.get("reviewers") or []
        raw_text = NA if raw is None else f"{raw * 100 if raw <= 1 else raw:.1f}%"
        rows.append(
            f'<tr><th scope="row">{escape(SCREENING_STAGE_LABELS.get(stage, stage))}</th>'
            f"<td>{escape(', '.join(map(str, reviewers))) or NA}</td>"
            f'<td class="num">{_fmt(kappa, 2)}</td><td class="num">{raw_text}</td>'
            f"<td>{escape(method) or NA}</td><td>{escape('; '.join(shown)) or NA}</td></tr>"
        )
    return _table(
        "Agreement between reviewers per screening stage",
        [
            "Stage",
            "Reviewers",
            ("Cohen's \u03ba", True),
            ("Raw agreement", True),
            "Method",
            "Counts",
        ],
        rows,
        table_id="agreement-table",
        empty="No stage has two reviewers' decisions yet.",
        wide=True,
    )


def _studies(inputs: ReportInputs) -> str:
    present = set(inputs.studies[0]) if inputs.studies else set()
    # A column nobody filled (or only "not assessed") says nothing; the file keeps it.
    filled = {
        c for row in inputs.studies for c, v in row.items() if v and v.lower() != "not assessed"
    }
    shown = [(c, h) for c, h in STUDY_COLUMNS if c in filled or c in ("label", "year")]
    extra = list((inputs.config.get("report") or {}).get("study_columns") or [])
    extra += [str(a.config["subgroup"]) for a in inputs.analyses if a.config.get("subgroup")]
    for col in extra:
        if col in present and col in filled and col not in {c for c, _ in shown}:
            shown.append((col, col.replace("_", " ").capitalize()))
    numeric = {"year", "n_total", "n_with_factor"}
    rows = []
    for s in sorted(inputs.studies, key=lambda r: (r.get("label", ""), r.get("study_id", ""))):
        cells = [f'<th scope="row">{escape(s.get("label") or s.get("study_id", ""))}</th>']
        for col, _ in shown[1:]:
            value = s.get(col, "") or DASH
            # Right-align (and keep on one line) only real numbers; "93 (57 adults)" wraps.
            cells.append(_td(value, num=col in numeric and to_float(value) is not None))
        rows.append(f'<tr data-study="{escape(s.get("study_id", ""))}">{"".join(cells)}</tr>')
    return (
        '<section id="studies"><h2>Included studies</h2>'
        + _table(
            f"Characteristics of the {len(inputs.studies)} included studies",
            [(h, c in numeric) for c, h in shown],
            rows,
            table_id="studies-table",
            empty="No studies included yet.",
            wide=True,
        )
        + "</section>"
    )


def _rob_tables(rows: list[dict[str, str]], labels: dict[str, str]) -> str:
    """One table per tool: studies by domain, judgement (or stars for NOS items) in each cell."""
    if rows and "domain" not in rows[0]:
        cols = [c for c in rows[0] if c != "study_id"]
        body = [
            f'<tr><th scope="row">{escape(labels.get(r["study_id"]) or r["study_id"])}</th>'
            + "".join(f"<td>{escape(r.get(c, '') or DASH)}</td>" for c in cols)
            + "</tr>"
            for r in sorted(rows, key=lambda r: r["study_id"])
        ]
        return _table(
            "Risk-of-bias judgements per study",
            ["Study", *[c.replace("_", " ").capitalize() for c in cols]],
            body,
            table_id="rob-table",
            wide=True,
        )
    out = []
    for tool in sorted({r.get("tool", "") for r in rows}):
        tool_rows = [r for r in rows if r.get("tool", "") == tool]
        domains = list(dict.fromkeys(r.get("domain", "") for r in tool_rows))
        cells: dict[tuple[str, str], list[str]] = {}
        for r in tool_rows:
            value = r.get("judgement") or (f"{r['stars']} \u2605" if r.get("stars") else "")
            if value:
                cells.setdefault((r["study_id"], r.get("domain", "")), []).append(value)
        body = []
        for study in sorted({r["study_id"] for r in tool_rows}):
            body.append(
                f'<tr><th scope="row">{escape(labels.get(study) or study)}</th>'
                + "".join(
                    f"<td>{escape('; '.join(cells.get((study, d), [])) or DASH)}</td>"
                    for d in domains
                )
                + "</tr>"
            )
        out.append(
            _table(
                f"Risk of bias ({tool or 'tool not named'}): judgement per study and domain",
                ["Study", *domains],
                body,
                table_id=f"rob-table-{_anchor(tool) or 'tool'}",
                wide=True,
            )
        )
    return "".join(out)


def _risk_of_bias(inputs: ReportInputs) -> str:
    parts = ['<section id="risk-of-bias"><h2>Risk of bias</h2>']
    if not inputs.risk_of_bias and not inputs.rob_figures:
        parts.append("<p>Risk of bias: not assessed.</p></section>")
        return "".join(parts)
    for path in inputs.rob_figures:
        kind = path.stem.removeprefix("rob_").replace("_", " ")
        parts.append(
            _figure(
                path,
                f"Risk-of-bias {kind} plot of the included studies",
                f"Risk of bias: {kind} plot.",
                missing="",
            )
        )
    if inputs.risk_of_bias:
        labels = {r.get("study_id", ""): r.get("label", "") for r in inputs.studies}
        parts.append(_rob_tables(inputs.risk_of_bias, labels))
    parts.append("</section>")
    return "".join(parts)


def _model_row(m: ModelValues, chosen: bool, digits: int, analysis: str) -> str:
    label = "Fixed effect" if m.name == "fixed" else "Random effects"
    if m.method:
        label += f" ({m.method}{', ' + m.test if m.test and m.name == 'random' else ''})"
    mark = ' <span class="badge">chosen</span>' if chosen else ""
    tau2 = DASH if m.name == "fixed" else NA if m.tau2 is None else f"{m.tau2:.3f}"
    if m.name != "fixed" and (m.tau2_ci_low is not None or m.tau2_ci_high is not None):
        tau2 += f" [{_ci(m.tau2_ci_low, m.tau2_ci_high, 3)}]"
    i2 = NA if m.i2 is None else f"{m.i2:.1f}%"
    if m.i2_ci_low is not None or m.i2_ci_high is not None:
        i2 += f" [{_fmt(m.i2_ci_low, 1)} to {_fmt(m.i2_ci_high, 1)}]"
    q = NA if m.q is None else f"{m.q:.2f}"
    if m.q_df is not None:
        q += f" (df {m.q_df:g}), p {fmt_p(m.q_p)}"
    pi = _ci(m.pi_low, m.pi_high, digits) if m.name == "random" else DASH
    cls = ' class="chosen"' if chosen else ""
    return (
        f'<tr{cls} data-model="{m.name}" data-analysis="{escape(analysis)}">'
        f'<th scope="row">{escape(label)}{mark}</th>'
        + _td(str(m.k) if m.k is not None else NA, num=True)
        + _td(fmt_hr(m.hr, digits), num=True, field="hr", value=m.hr)
        + _td(_ci(m.ci_low, m.ci_high, digits), num=True)
        + _td(fmt_p(m.p), num=True, field="p", value=m.p)
        + _td(pi, num=True)
        + _td(i2, num=True)
        + _td(tau2, num=True)
        + _td(q, num=True)
        + "</tr>"
    )


def _rows_of(value: Any) -> list[dict[str, Any]]:
    """A list of row dicts from either a list of dicts or a dict of equal-length columns."""
    if isinstance(value, list):
        return [v for v in value if isinstance(v, dict)]
    if isinstance(value, dict):
        if value and all(isinstance(v, list) for v in value.values()):
            n = max(len(v) for v in value.values())
            return [{k: (v[i] if i < len(v) else None) for k, v in value.items()} for i in range(n)]
        return [v | {"subgroup": k} for k, v in sorted(value.items()) if isinstance(v, dict)]
    return []


def _row_label(row: dict[str, Any], keys: Sequence[str]) -> str:
    for key in keys:
        if row.get(key) not in (None, ""):
            return str(row[key])
    return NA


def _ratio_row(row: dict[str, Any]) -> ModelValues | None:
    return model_values(row, str(row.get("model", "")))


def _sensitivity_table(
    caption: str, label_head: str, rows: list[dict[str, Any]], keys: Sequence[str], digits: int
) -> str:
    out = []
    for row in rows:
        m = _ratio_row(row)
        if m is None:
            continue
        out.append(
            f'<tr><th scope="row">{escape(_row_label(row, keys))}</th>'
            + _td(str(m.k) if m.k is not None else NA, num=True)
            + _td(fmt_hr(m.hr, digits), num=True)
            + _td(_ci(m.ci_low, m.ci_high, digits), num=True)
            + _td(fmt_p(m.p), num=True)
            + _td(DASH if m.i2 is None or m.k == 1 else f"{m.i2:.1f}%", num=True)
            + "</tr>"
        )
    return _table(
        caption,
        [label_head, ("k", True), ("HR", True), ("95% CI", True), ("p", True), ("I\u00b2", True)],
        out,
    )


def _bias(a: AnalysisInput, digits: int) -> str:
    result = a.result or {}
    rows = []
    egger, begg, tf = result.get("egger"), result.get("begg"), result.get("trim_and_fill")
    has_egger = isinstance(egger, dict) and to_float(egger.get("p")) is not None
    has_begg = isinstance(begg, dict) and to_float(begg.get("p")) is not None
    tf_model = model_values(tf, "random") if isinstance(tf, dict) else None
    has_tf = tf_model is not None and tf_model.hr is not None
    reasons = {bias_reason(result, t) for t in ("egger", "begg", "trim_and_fill")}
    if not (has_egger or has_begg or has_tf) and len(reasons) == 1:
        rows.append(
            '<tr><th scope="row">Egger, Begg, trim-and-fill</th>'
            f"<td>{escape(reasons.pop())}</td></tr>"
        )
    else:
        if has_egger:
            intercept = to_float(egger.get("intercept", egger.get("estimate")))
            text = f"intercept {_fmt(intercept, 2)}, p {fmt_p(to_float(egger.get('p')))}"
        else:
            text = bias_reason(result, "egger")
        rows.append(
            f'<tr><th scope="row">Egger\'s regression test</th><td>{escape(text)}</td></tr>'
        )
        if has_begg:
            tau = to_float(begg.get("tau", begg.get("kendall_tau")))
            text = f"Kendall's \u03c4 {_fmt(tau, 2)}, p {fmt_p(to_float(begg.get('p')))}"
        else:
            text = bias_reason(result, "begg")
        rows.append(
            f'<tr><th scope="row">Begg\'s rank correlation test</th><td>{escape(text)}</td></tr>'
        )
        if has_tf:
            k0 = tf.get("k0", tf.get("missing", NA))
            side = f", {tf['side']} side" if tf.get("side") else ""
            text = (
                f"{k0} studies imputed{side}; adjusted HR "
                f"{fmt_hr(tf_model.hr, digits)} (95% CI "
                f"{_ci(tf_model.ci_low, tf_model.ci_high, digits)})"
            )
        else:
            text = bias_reason(result, "trim_and_fill")
        rows.append(f'<tr><th scope="row">Trim-and-fill</th><td>{escape(text)}</td></tr>')
    return _table(
        "Small-study effects and publication bias", ["Method", "Result"], rows, wide=True
    ) + _figure(
        a.figures.get("funnel"),
        f"Funnel plot of {a.config.get('label', a.id)}: log hazard ratio against standard error",
        "Funnel plot with pseudo-95% confidence limits; imputed (trim-and-fill) studies hollow.",
        missing="Funnel plot not drawn for this analysis.",
    )


def _published(a: AnalysisInput, inputs: ReportInputs, digits: int, k: int, hr: Any) -> str:
    pub = a.config.get("published")
    if not pub:
        return ""
    cfg = a.config
    narrative = sum(
        1
        for r in inputs.narrative
        if r.get("factor") == cfg.get("factor") and r.get("outcome") == cfg.get("outcome")
    )
    result = a.result or {}
    status = analysis_status(a.result, a.summary)
    chosen = str(result.get("chosen") or "")
    model = {
        "fixed": "fixed effect",
        "random": "random effects",
    }.get(chosen, "single study, not pooled" if status == "single_study" else "not pooled")
    reason = published_difference(
        k_ours=k,
        hr_ours=to_float(hr),
        published=pub,
        narrative_count=narrative,
        excluded=[str(s) for s in cfg.get("exclude_studies") or []],
        model=model,
        sources=str(
            (inputs.config.get("report") or {}).get("extraction_sources") or "the sources extracted"
        ),
    )
    ours = (
        f"{fmt_hr(to_float(hr), digits)} ({_ci(*_summary_ci(a), digits)})"
        if to_float(hr) is not None
        else "no poolable estimate"
    )
    pub_k = str(pub["k"]) if pub.get("k") is not None else "not stated"
    pub_ci = _ci(to_float(pub.get("ci_low")), to_float(pub.get("ci_high")), digits)
    pub_hr = f"{fmt_hr(to_float(pub.get('hr')), digits)} ({pub_ci})"
    rows = [
        f'<tr><th scope="row">This review</th>{_td(str(k), num=True)}'
        f"{_td(ours, num=True)}<td>evsynth, {escape(model)}</td></tr>",
        f'<tr><th scope="row">Published</th>{_td(pub_k, num=True)}'
        f"{_td(pub_hr, num=True)}<td>{escape(str(pub.get('source', NA)))}</td></tr>",
    ]
    return (
        "<h4>Comparison with the published pooled estimate</h4>"
        + _table(
            "Our pooled estimate beside the published one",
            ["", ("k", True), ("HR (95% CI)", True), "Source"],
            rows,
        )
        + f'<p class="difference">{escape(reason)}</p>'
    )


def _summary_ci(a: AnalysisInput) -> tuple[float | None, float | None]:
    s = a.summary or {}
    return to_float(s.get("ci_low")), to_float(s.get("ci_high"))


def _declared_sensitivity(a: AnalysisInput, inputs: ReportInputs, digits: int) -> str:
    children = [b for b in inputs.analyses if b.config.get("sensitivity_of") == a.id]
    if not children:
        return ""
    rows = []
    for b in children:
        s = b.summary or {}
        status = analysis_status(b.result, b.summary)
        text = (
            "no poolable estimate"
            if status == "empty"
            else f"{fmt_hr(to_float(s.get('hr')), digits)} ({_ci(*_summary_ci(b), digits)})"
        )
        rows.append(
            f'<tr><th scope="row"><a href="#analysis-{escape(b.id)}">'
            f"{escape(str(b.config.get('label', b.id)))}</a></th>"
            + _td(s.get("k", "0"), num=True)
            + _td(text, num=True)
            + _td(fmt_p(to_float(s.get("p"))), num=True)
            + "</tr>"
        )
    return "<h4>Declared sensitivity analyses</h4>" + _table(
        "Sensitivity analyses declared in the protocol (sensitivity_of)",
        ["Analysis", ("k", True), ("HR (95% CI)", True), ("p", True)],
        rows,
    )


def _analysis(a: AnalysisInput, inputs: ReportInputs, digits: int) -> str:
    cfg = a.config
    extraction = inputs.config.get("extraction") or {}
    factor = (extraction.get("factors") or {}).get(cfg.get("factor")) or {}
    label = str(cfg.get("label", a.id))
    parts = [f'<section class="analysis" id="analysis-{escape(a.id)}"><h2>{escape(label)}</h2>']
    facts = [
        f"Factor: {_label(extraction.get('factors') or {}, cfg.get('factor'))}",
        f"outcome: {_label(extraction.get('outcomes') or {}, cfg.get('outcome'))}",
    ]
    if factor.get("exposure") and factor.get("reference"):
        facts.append(
            f"{factor['exposure']} vs {factor['reference']} (HR < 1 favours {factor['exposure']})"
        )
    if cfg.get("sensitivity_of"):
        facts.append(f"sensitivity analysis of {cfg['sensitivity_of']}")
    if cfg.get("exclude_studies"):
        facts.append(f"excluded by protocol: {', '.join(map(str, cfg['exclude_studies']))}")
    parts.append(f'<p class="note">{escape("; ".join(str(f) for f in facts))}.</p>')
    parts.append(_analysis_warnings(a, inputs))

    if cfg.get("synthesis", "meta_analysis") != "meta_analysis":
        parts.append(
            "<p>Synthesised narratively by protocol (see the narrative synthesis table).</p>"
        )
        return "".join(parts) + "</section>"

    result = a.result or {}
    status = analysis_status(a.result, a.summary)
    s = a.summary or {}
    if status == "empty":
        parts.append(
            '<p><span class="badge muted">no poolable estimate</span> k = 0: no study reports an '
            "HR with a confidence interval for this comparison.</p>"
        )
        parts.append(_published(a, inputs, digits, 0, None))
        return "".join(parts) + "</section>"

    chosen = str(result.get("chosen") or "random")
    models = [
        m
        for m in (
            model_values(result.get("fixed"), "fixed"),
            model_values(result.get("random"), "random"),
        )
        if m is not None
    ]
    if status == "single_study":
        study = (result.get("fixed") or {}).get("studies") or result.get("studies") or []
        parts.append(
            '<p><span class="badge warn">single study, not pooled</span> Only one study '
            f"({escape(', '.join(map(str, study)) or 'see forest plot')}) contributes; its own "
            "estimate is shown.</p>"
        )
        m = models[0] if models else None
        if m is not None:
            parts.append(
                _table(
                    f"{label}: the single study's estimate",
                    [("k", True), ("HR", True), ("95% CI", True), ("p", True)],
                    [
                        f'<tr data-model="single" data-analysis="{escape(a.id)}">'
                        + _td("1", num=True)
                        + _td(fmt_hr(m.hr, digits), num=True, field="hr", value=m.hr)
                        + _td(_ci(m.ci_low, m.ci_high, digits), num=True)
                        + _td(fmt_p(m.p), num=True, field="p", value=m.p)
                        + "</tr>"
                    ],
                )
            )
    else:
        rule = (
            rule_name(result.get("rule"))
            or str((inputs.config.get("pooling") or {}).get("rule") or "")
            or NA
        )
        parts.append(
            _table(
                f"{label}: pooled hazard ratio under both models (the {chosen} model was chosen "
                f"by the {rule} rule)",
                [
                    "Model",
                    ("k", True),
                    ("HR", True),
                    ("95% CI", True),
                    ("p", True),
                    ("95% PI", True),
                    ("I\u00b2 [95% CI]", True),
                    ("\u03c4\u00b2 [95% CI]", True),
                    ("Q (df), p", True),
                ],
                [_model_row(m, m.name == chosen, digits, a.id) for m in models],
                table_id=f"pooled-{a.id}",
                wide=True,
            )
        )
        rnd = next((m for m in models if m.name == "random"), None)
        if rnd is not None:
            i2_ci = (
                f" (95% CI {_fmt(rnd.i2_ci_low, 1)}% to {_fmt(rnd.i2_ci_high, 1)}%)"
                if rnd.i2_ci_low is not None and rnd.i2_ci_high is not None
                else ""
            )
            tau2_ci = (
                f" (95% CI {_fmt(rnd.tau2_ci_low, 3)} to {_fmt(rnd.tau2_ci_high, 3)})"
                if rnd.tau2_ci_low is not None and rnd.tau2_ci_high is not None
                else ""
            )
            pi = (
                f" The 95% prediction interval for the HR in a new study is "
                f"{_ci(rnd.pi_low, rnd.pi_high, digits)}."
                if rnd.pi_low is not None
                else " No prediction interval was computed."
            )
            parts.append(
                "<h3>Heterogeneity</h3><p>"
                + escape(
                    f"Cochran's Q = {_fmt(rnd.q, 2)} on {_fmt(rnd.q_df, 0)} df "
                    f"(p {fmt_p(rnd.q_p)}); "
                    f"I\u00b2 = {_fmt(rnd.i2, 1)}%{i2_ci}; \u03c4\u00b2 = {_fmt(rnd.tau2, 3)}"
                    f"{tau2_ci}.{pi}"
                )
                + "</p>"
            )
    notes = [str(n) for n in result.get("notes") or [] if str(n).strip()]
    if notes and status == "pooled":
        items = "".join(f"<li>{escape(n)}</li>" for n in dict.fromkeys(notes))
        parts.append(f'<div class="note"><p>Notes from the pooling step:</p><ul>{items}</ul></div>')
    hr_text = fmt_hr(to_float(s.get("hr")), digits)
    parts.append(
        _figure(
            a.figures.get("forest"),
            f"Forest plot of {label}: per-study hazard ratios with 95% CIs and the pooled "
            f"estimate HR {hr_text} ({_ci(*_summary_ci(a), digits)}).",
            f"Forest plot: {label}. "
            + (
                "Squares sized by weight; diamonds show the pooled estimates."
                if status == "pooled"
                else "A single study, shown with its own estimate (not pooled)."
            ),
            missing="Forest plot not drawn for this analysis.",
        )
    )

    if status == "pooled":
        parts.append("<h3>Sensitivity analyses</h3>")
        loo = _rows_of(result.get("leave_one_out"))
        if loo:
            parts.append(
                _sensitivity_table(
                    "Leave-one-out: the pooled estimate with each study omitted",
                    "Omitted study",
                    loo,
                    ("omitted", "study", "label"),
                    digits,
                )
            )
            parts.append(
                _figure(
                    a.figures.get("leave_one_out"),
                    f"Leave-one-out plot of {label}",
                    "Leave-one-out analysis.",
                    missing="",
                )
            )
        else:
            parts.append('<p class="note">Leave-one-out: not computed by the pooling step.</p>')
        cum = _rows_of(result.get("cumulative"))
        if cum:
            parts.append(
                _sensitivity_table(
                    "Cumulative meta-analysis, studies added in order of publication year",
                    "Study added",
                    cum,
                    ("added", "study", "label"),
                    digits,
                )
            )
            parts.append(
                _figure(
                    a.figures.get("cumulative"),
                    f"Cumulative meta-analysis plot of {label}",
                    "Cumulative meta-analysis.",
                    missing="",
                )
            )
        else:
            parts.append('<p class="note">Cumulative meta-analysis: not computed.</p>')
        subgroups = result.get("subgroups")
        if subgroups:
            rows = _rows_of(
                subgroups.get("groups", subgroups) if isinstance(subgroups, dict) else subgroups
            )
            parts.append(
                _sensitivity_table(
                    f"Subgroups by {cfg.get('subgroup') or 'subgroup'}",
                    "Subgroup",
                    rows,
                    ("subgroup", "group", "label"),
                    digits,
                )
            )
            q_p = (
                to_float(subgroups.get("p", subgroups.get("q_between_p")))
                if isinstance(subgroups, dict)
                else None
            )
            if isinstance(subgroups, dict) and q_p is not None:
                df = to_float(subgroups.get("df"))
                parts.append(
                    f'<p class="note">Test for subgroup differences: Q = '
                    f"{_fmt(to_float(subgroups.get('q_between')), 2)}"
                    f"{f' on {df:g} df' if df is not None else ''}, p {escape(fmt_p(q_p))}.</p>"
                )
        elif cfg.get("subgroup"):
            parts.append(
                f'<p class="note">Subgroups by {escape(str(cfg["subgroup"]))}: not computed.</p>'
            )
        parts.append(_declared_sensitivity(a, inputs, digits))
        parts.append("<h3>Small-study effects</h3>")
        parts.append(_bias(a, digits))
    else:
        parts.append(_declared_sensitivity(a, inputs, digits))
    k = int(to_float(s.get("k")) or 0)
    parts.append(_published(a, inputs, digits, k, s.get("hr")))
    return "".join(parts) + "</section>"


def _warnings_of(inputs: ReportInputs, effect_id: str | None) -> list[dict[str, str]]:
    return [w for w in inputs.warnings or [] if effect_id and w.get("effect_id") == effect_id]


def _warning_text(w: dict[str, str]) -> str:
    where = f"{w.get('sheet', '')} sheet, line {w.get('line', '')}".strip()
    return (
        '<span class="badge warn">check</span> Extraction warning on '
        f"{escape(w.get('effect_id', ''))} ({escape(where)}): {escape(w.get('message', ''))}"
    )


def _analysis_warnings(a: AnalysisInput, inputs: ReportInputs) -> str:
    """Warnings on the sheet rows this analysis pools, shown in the analysis's own section."""
    if not inputs.warnings or inputs.effect_analyses is None:
        return ""
    rows = [
        w
        for w in inputs.warnings
        if a.id in (inputs.effect_analyses.get(w.get("effect_id", "")) or [])
    ]
    if not rows:
        return ""
    items = "".join(f'<li class="extraction-warning">{_warning_text(w)}</li>' for w in rows)
    return f'<ul class="warnings">{items}</ul>'


def _extraction_warnings(inputs: ReportInputs) -> str:
    """Every extraction warning (asymmetric CI, p-value vs CI, ...), with where its row is."""
    if inputs.warnings is None:
        return ""
    labels = {s.get("study_id"): s.get("label") for s in inputs.studies}
    rows = []
    for w in inputs.warnings:
        enters = (inputs.effect_analyses or {}).get(w.get("effect_id", "")) or []
        rows.append(
            f'<tr class="extraction-warning" data-effect="{escape(w.get("effect_id", ""))}">'
            f'<th scope="row">{escape(labels.get(w.get("study_id")) or w.get("study_id", ""))}</th>'
            f"<td>{escape(w.get('effect_id', '') or DASH)}</td>"
            f"<td>{escape(w.get('sheet', ''))} line {escape(w.get('line', ''))}</td>"
            f"<td>{escape(w.get('check', '') or DASH)}</td>"
            f"<td>{escape(w.get('message', ''))}</td>"
            f"<td>{escape(', '.join(enters) or 'none (narrative)')}</td></tr>"
        )
    return (
        '<section id="extraction-warnings"><h2>Extraction warnings</h2>'
        "<p>Checks of the extraction sheets a person should look at; each is also shown beside "
        "its row in the analysis or narrative table.</p>"
        + _table(
            "Extraction warnings, by sheet row",
            ["Study", "Effect", "Sheet row", "Check", "Warning", "Pooled in"],
            rows,
            table_id="warnings-table",
            wide=True,
            empty="The extraction checks raised no warning.",
        )
        + "</section>"
    )


def _narrative(inputs: ReportInputs) -> str:
    extraction = inputs.config.get("extraction") or {}
    factors = extraction.get("factors") or {}
    outcomes = extraction.get("outcomes") or {}
    labels = {s.get("study_id"): s.get("label") for s in inputs.studies}
    rows = []
    for r in sorted(
        inputs.narrative, key=lambda r: (r.get("factor", ""), r.get("outcome", ""), r["study_id"])
    ):
        factor = _label(factors, r.get("factor"))
        outcome = _label(outcomes, r.get("outcome"))
        rows.append(
            f'<tr><th scope="row">{escape(labels.get(r["study_id"]) or r["study_id"])}</th>'
            f"<td>{escape(str(factor))}</td><td>{escape(str(outcome))}</td>"
            f"<td>{escape(r.get('comparison', '') or DASH)}</td>"
            f"<td>{escape(r.get('analysis_type', '') or DASH)}</td>"
            f'<td class="num">{escape(r.get("hr", "") or DASH)}</td>'
            f'<td class="num">{escape(r.get("p", "") or DASH)}</td>'
            f"<td>{escape(r.get('direction', '') or DASH)}</td>"
            f"<td>{escape(r.get('reason', '') or DASH)}</td></tr>"
        )
        for w in _warnings_of(inputs, r.get("effect_id")):
            rows.append(
                f'<tr class="extraction-warning" data-effect="{escape(w.get("effect_id", ""))}">'
                f'<td colspan="9">{_warning_text(w)}</td></tr>'
            )
    return (
        '<section id="narrative"><h2>Narrative synthesis</h2>'
        "<p>Findings reported without a poolable hazard ratio and confidence interval.</p>"
        + _table(
            "Non-poolable evidence: what each study reports and why it was not pooled",
            [
                "Study",
                "Factor",
                "Outcome",
                "Comparison",
                "Analysis",
                ("HR", True),
                ("p", True),
                "Direction",
                "Why not pooled",
            ],
            rows,
            table_id="narrative-table",
            wide=True,
            empty="All extracted findings were poolable.",
        )
        + "</section>"
    )


def _version(name: str) -> str:
    if name == "evsynth":
        return __version__
    try:
        return importlib.metadata.version(name)
    except importlib.metadata.PackageNotFoundError:
        return "not installed"


def _provenance(inputs: ReportInputs, run_date: str) -> str:
    packages = list((inputs.config.get("report") or {}).get("packages") or VERSION_PACKAGES)
    rows = [
        f'<tr><th scope="row">{escape(p)}</th><td>{escape(_version(p))}</td></tr>'
        for p in ["python", *packages]
        if p != "python"
    ]
    rows.insert(
        0, f'<tr><th scope="row">Python</th><td>{escape(platform.python_version())}</td></tr>'
    )
    files = [
        f"<tr><td><code>{escape(f.path)}</code></td><td><code>{f.sha256}</code></td></tr>"
        for f in inputs.files
    ]
    return (
        '<section id="provenance"><h2>Provenance</h2>'
        f"<p>Generated by evsynth {escape(__version__)} from the search run of "
        f"{escape(run_date)}. The page carries no wall-clock time, so rerunning on the same inputs "
        "gives a byte-identical file.</p>"
        + _table("Software versions", ["Package", "Version"], rows, table_id="versions-table")
        + _table(
            f"SHA-256 of the {len(files)} input files used",
            ["File", "SHA-256"],
            files,
            table_id="inputs-table",
            wide=True,
        )
        + "</section>"
    )


def render_html(inputs: ReportInputs) -> str:
    """The whole report page as a string (no I/O beyond reading the embedded figures)."""
    report_cfg = inputs.config.get("report") or {}
    digits = int(report_cfg.get("decimals", 2))
    run_date = max(str(r["id"]) for r in inputs.config["search"]["runs"])
    review = inputs.config.get("review") or {}
    title = escape(str(review.get("title", "Systematic review report")))
    body = "".join(
        [
            _header(inputs, run_date),
            _toc(inputs),
            _summary_of_findings(inputs, digits),
            grade_section(inputs.grade, [a.id for a in inputs.analyses], digits),
            _changes(inputs, digits),
            _methods(inputs),
            _search(inputs),
            _selection(inputs),
            _studies(inputs),
            _risk_of_bias(inputs),
            *[_analysis(a, inputs, digits) for a in inputs.analyses],
            _narrative(inputs),
            _extraction_warnings(inputs),
            _provenance(inputs, run_date),
        ]
    )
    return (
        '<!DOCTYPE html>\n<html lang="en">\n<head>\n<meta charset="utf-8">\n'
        '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        f'<meta name="generator" content="evsynth {escape(__version__)}">\n'
        f"<title>{title}</title>\n<style>{CSS}</style>\n</head>\n<body>\n<main>\n"
        f"{body}\n"
        f"<footer>evsynth {escape(__version__)} &middot; search run {escape(run_date)}</footer>\n"
        "</main>\n</body>\n</html>\n"
    )
