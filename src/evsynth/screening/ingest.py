"""Turn decision files from any supported tool into one list of reviewer decisions.

Formats are detected from content, never from the file name alone, because reviewers rename files:

- plain CSV/TSV/XLSX: ``record_id`` or ``study_record_id``, ``decision`` (include/exclude/maybe),
  optional ``reviewer``, ``reason``, ``note`` (a filled ``queue_{stage}.csv`` is such a file);
- ASReview LAB tabular export: ``asreview_label`` 1/0/empty next to the original columns;
- ASReview LAB RIS export: ``ASReview_relevant`` / ``ASReview_irrelevant`` in the notes;
- ASReview LAB project file (``.asreview``): labels from ``reviews/<id>/results.db`` joined to the
  project's own data file by ``record_id``;
- Rayyan articles CSV (or the export zip) and RIS: ``RAYYAN-INCLUSION: {"Name"=>"Included"}`` in
  ``notes`` / ``N1``, one decision per reviewer;
- Covidence CSV (``Covidence #``) or RIS: one file per list; the list gives the consensus decision
  (from "Exclusion reason:" in the notes, else declared in config);
- Abstrackr CSV: ``consensus`` and one label column per reviewer (1 / -1 / 0);
- EPPI-Reviewer: Excel export with ``Included`` (I / E), RIS export (``KW - eppi-reviewer``) of a
  declared list.

Each decision keeps the file and line it came from and the identifiers it can be matched by.
"""

from __future__ import annotations

from evsynth.errors import InputError
from evsynth.screening import vocab
from evsynth.screening.asreview_project import AsreviewProject
from evsynth.screening.parse_labels import (
    parse_asreview,
    parse_asreview_project,
    parse_asreview_ris,
    parse_eppi,
    parse_eppi_ris,
    parse_plain,
)
from evsynth.screening.parse_reviewers import (
    parse_abstrackr,
    parse_covidence,
    parse_covidence_ris,
    parse_rayyan,
    parse_rayyan_ris,
)
from evsynth.screening.raw import (
    DecisionFile,
    FileSummary,
    RawDecision,
    parse_decision_word,
    ris_notes,
)
from evsynth.screening.readers import RisFile, Table, read_decision_file

__all__ = [
    "DecisionFile",
    "FileSummary",
    "RawDecision",
    "detect_format",
    "parse_decision_word",
    "read_decisions",
]


_FORMAT_HELP = (
    "expected a plain decision file (record_id or study_record_id, decision, reviewer, reason, "
    "note), an ASReview LAB export (asreview_label) or project file (.asreview), a Rayyan "
    "articles CSV (notes with RAYYAN-INCLUSION), a Covidence CSV (Covidence #), an Abstrackr CSV "
    "(consensus, (internal) id) or an EPPI-Reviewer Excel export (Included, ID)"
)


def detect_format(
    table: Table | RisFile | AsreviewProject, spec: DecisionFile | None = None
) -> str:
    """Name the tool that wrote a file, from its header and content (never its name)."""
    if isinstance(table, AsreviewProject):
        return "asreview_project"
    if isinstance(table, RisFile):
        return _detect_ris(table, spec)
    header = set(table.header)
    if "asreview_label" in header:
        fmt = "asreview"
    elif "covidence #" in header:
        fmt = "covidence"
    elif "consensus" in header and "(internal) id" in header:
        fmt = "abstrackr"
    elif (
        "included" in header
        and set(vocab.EPPI_ID_COLUMNS) & header
        and ({"shorttitle", "title"} & header)
    ):
        fmt = "eppi"
    elif "notes" in header and (
        any(vocab.RAYYAN_INCLUSION in r.cells.get("notes", "") for r in table.rows)
        or "key" in header
    ):
        fmt = "rayyan"
    elif "decision" in header and ({"record_id", "study_record_id"} & header):
        fmt = "plain"
    else:
        raise InputError(
            "cannot tell which tool wrote this file: the header has "
            f"{', '.join(h for h in table.header if h) or 'nothing'}; {_FORMAT_HELP}",
            path=table.path,
            line=1,
        )
    if table.duplicated and fmt != "abstrackr":
        raise InputError(
            f"column {table.duplicated[0]!r} appears twice in the header", path=table.path, line=1
        )
    return fmt


def _detect_ris(ris: RisFile, spec: DecisionFile | None) -> str:
    notes = [ris_notes(r) for r in ris.records]
    asreview = (
        vocab.ASREVIEW_RIS_RELEVANT,
        vocab.ASREVIEW_RIS_IRRELEVANT,
        vocab.ASREVIEW_RIS_NOT_SEEN,
    )
    if any(label in n for n in notes for label in asreview):
        return "asreview_ris"
    if any(vocab.RAYYAN_INCLUSION in n for n in notes) or any(
        v.lower().startswith(vocab.RAYYAN_KEY_PREFIX)
        for r in ris.records
        for v in r.tags.get("AN", [])
    ):
        return "rayyan_ris"
    if any(
        k.strip().lower() == vocab.EPPI_RIS_KEYWORD
        for r in ris.records
        for k in r.tags.get("KW", [])
    ):
        return "eppi_ris"
    if spec is not None and spec.list:
        return "covidence_ris"
    raise InputError(
        "RIS file without ASReview labels (ASReview_relevant / ASReview_irrelevant / "
        "ASReview_not_seen in the notes), Rayyan decisions (RAYYAN-INCLUSION, AN rayyan-...) or "
        "EPPI-Reviewer's keyword (KW eppi-reviewer), so it carries no decisions. A Covidence RIS "
        "export of one list says nothing about the list: declare it in config, "
        "screening.stages.<stage>.decisions: [{file: PATH, list: included}] (included, excluded, "
        "irrelevant or select), or on the command line --list PATH=included",
        path=ris.path,
    )


_PARSERS = {
    "plain": parse_plain,
    "asreview": parse_asreview,
    "asreview_ris": parse_asreview_ris,
    "asreview_project": parse_asreview_project,
    "rayyan": parse_rayyan,
    "rayyan_ris": parse_rayyan_ris,
    "covidence": parse_covidence,
    "covidence_ris": parse_covidence_ris,
    "abstrackr": parse_abstrackr,
    "eppi": parse_eppi,
    "eppi_ris": parse_eppi_ris,
}


def read_decisions(
    spec: DecisionFile, *, plain_only: bool = False, stage: str = "title_abstract"
) -> tuple[list[RawDecision], FileSummary]:
    """Read one decision file: its decisions at ``stage`` and a summary accounting for every row.

    The stage matters for list exports (a Covidence list says something different at title/abstract
    and at full text); other formats give the same decisions at either stage.
    """
    table = read_decision_file(spec.path)
    fmt = detect_format(table, spec)
    if plain_only and fmt != "plain":
        raise InputError(
            f"an adjudication file must be a plain decision file (study_record_id, decision, "
            f"reason, note); this one looks like a {fmt} export",
            path=table.path,
            line=1,
        )
    if spec.list and fmt not in ("covidence", "covidence_ris", "eppi_ris"):
        raise InputError(
            f"list {spec.list!r} is declared for this file, but it is a {fmt} file, which says "
            "its own decisions; only Covidence and EPPI-Reviewer list exports need a list, so "
            "declare none for this file",
            path=table.path,
        )
    summary = FileSummary(
        path=table.path,
        format=fmt,
        encoding=table.encoding,
        delimiter=getattr(table, "delimiter", ""),
    )
    decisions = _PARSERS[fmt](table, spec, summary, stage)
    summary.decisions = len(decisions)
    summary.decided_rows = len({(d.path, d.line) for d in decisions})
    if summary.rows != summary.decided_rows + summary.undecided_rows:  # pragma: no cover - a bug
        raise RuntimeError(
            f"{table.path}: {summary.rows} rows read but {summary.decided_rows} decided and "
            f"{summary.undecided_rows} undecided; a row went unaccounted"
        )
    return decisions, summary
