"""From validated sheets to the extraction tables: derive, check, harmonise, select, assemble.

:func:`extract` is pure: it takes the sheet rows (see :mod:`evsynth.extraction.schema`), the
review's settings and, optionally, the screening decisions and the deduplicated records, and returns
an :class:`ExtractionResult`; :mod:`evsynth.extraction.write` turns that into files. Every effect
row comes out again, poolable or not, with the reason it is or is not in each analysis.

Each step has its module: :mod:`~evsynth.extraction.validate` (the sheets' rows),
:mod:`~evsynth.extraction.estimates` (derivation, checks, poolability),
:mod:`~evsynth.extraction.select` (one estimate per study, the analyses' members),
:mod:`~evsynth.extraction.studies` (links to records and screening, labels, search runs) and
:mod:`~evsynth.extraction.risk_of_bias`.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from evsynth.extraction.estimates import estimate_all
from evsynth.extraction.result import ExtractionResult
from evsynth.extraction.risk_of_bias import risk_of_bias_rows, risk_of_bias_text
from evsynth.extraction.schema import SheetRow
from evsynth.extraction.select import analysis_members, select_estimates
from evsynth.extraction.settings import ExtractionSettings
from evsynth.extraction.studies import link_studies, study_rows, unique_labels
from evsynth.extraction.validate import effect_results, study_values

__all__ = ["ExtractionResult", "extract"]


def extract(
    studies: Sequence[SheetRow],
    effects: Sequence[SheetRow],
    settings: ExtractionSettings,
    *,
    screening: Sequence[Mapping[str, str]] | None = None,
    records: Sequence[Mapping[str, str]] | None = None,
    risk_of_bias: Sequence[SheetRow] | None = None,
    record_runs: Mapping[str, str] | None = None,
    run_order: Sequence[str] = (),
) -> ExtractionResult:
    """Validate, derive, harmonise and select; see the module docstring.

    ``record_runs`` (record_id -> search run, from the runs' records tables) and ``run_order``
    (oldest first) give each study its ``search_run``: the earliest run that found any record of
    it, which a living review needs for its cumulative meta-analysis by search run.

    Raises
    ------
    InputError
        Listing every problem found in the sheets (sheet, line, study, what would be valid).
    """
    values = study_values(studies, settings)
    results = effect_results(effects, settings, values)
    warnings = estimate_all(results, settings)
    tie_problems: list[str] = []
    select_estimates(results, settings, tie_problems)
    members = analysis_members(results, settings, tie_problems)
    links, orphans = link_studies(studies, records, screening)
    labels = unique_labels(list(values.values()))
    rob = None
    if risk_of_bias is not None:
        rob = risk_of_bias_rows(risk_of_bias, set(values))
    rows = study_rows(
        values,
        results,
        links,
        labels,
        risk_of_bias_text(rob),
        records=records,
        record_runs=record_runs,
        run_order=run_order,
    )
    return ExtractionResult(
        effects=results,
        studies=rows,
        labels=labels,
        settings=settings,
        members=members,
        warnings=warnings,
        risk_of_bias=rob,
        links_checked=screening is not None,
        included_without_extraction=orphans,
    )
