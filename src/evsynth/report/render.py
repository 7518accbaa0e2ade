"""Render the review report as one self-contained HTML page.

The page must open offline and be byte-identical on rerun: CSS is inline, figures are data URIs,
there is no script and no external font, and the only date on it is the latest search run's id.
Tables have captions and header cells, figures alt text (WCAG 2.1: 1.1.1, 1.3.1), and a print
stylesheet lays each analysis out on its own page.

The view models (``report/views/``) turn the inputs into display strings; the markup is in
``report/templates/*.html.j2``, rendered with autoescape, so no text reaches the page unescaped.
"""

from __future__ import annotations

from markupsafe import Markup

from evsynth import __version__
from evsynth.report.grade import grade_view
from evsynth.report.inputs import ReportInputs
from evsynth.report.labels import CSS
from evsynth.report.templating import render_template
from evsynth.report.views.analysis import analysis_view
from evsynth.report.views.back import narrative_view, provenance_view, warnings_view
from evsynth.report.views.changes import changes_view
from evsynth.report.views.front import (
    CHANGES_TITLE,
    header_view,
    methods_view,
    search_view,
    summary_view,
    toc_view,
)
from evsynth.report.views.selection import risk_of_bias_view, selection_view, studies_view

__all__ = ["render_html"]


def render_html(inputs: ReportInputs) -> str:
    """The whole report page as a string (no I/O beyond reading the embedded figures)."""
    report_cfg = inputs.config.get("report") or {}
    digits = int(report_cfg.get("decimals", 2))
    run_date = max(str(r["id"]) for r in inputs.config["search"]["runs"])
    review = inputs.config.get("review") or {}
    return render_template(
        "page.html.j2",
        version=__version__,
        title=str(review.get("title", "Systematic review report")),
        css=Markup(CSS),  # the package's own stylesheet, not user text
        run_date=run_date,
        header=header_view(inputs, run_date),
        toc=toc_view(inputs),
        summary=summary_view(inputs, digits),
        grade=grade_view(inputs.grade, [a.id for a in inputs.analyses], digits),
        changes_title=CHANGES_TITLE,
        changes=changes_view(inputs, digits),
        methods=methods_view(inputs),
        search=search_view(inputs),
        selection=selection_view(inputs),
        studies=studies_view(inputs),
        rob=risk_of_bias_view(inputs),
        analyses=[analysis_view(a, inputs, digits) for a in inputs.analyses],
        narrative=narrative_view(inputs),
        warnings=warnings_view(inputs),
        provenance=provenance_view(inputs),
    )
