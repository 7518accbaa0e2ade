"""`evsynth prisma counts` and `evsynth prisma diagram`: the PRISMA 2020 stage on the command line.

PRISMA has its own stage (rules in workflow/rules/prisma.smk, output in results/prisma/ and
results/figures/prisma.*): its counts read the dedup, screening, search and extraction contracts,
and belong to none of those stages. The old spellings `evsynth prisma-counts` and
`evsynth plot prisma` still work, with a deprecation warning, because users' scripts call them.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable

from evsynth.commands import add_command, show_help
from evsynth.errors import InputError
from evsynth.figures.options import add_output_options, figure_title, save_outputs
from evsynth.tables import write_tsv

__all__ = [
    "add_counts_options",
    "add_diagram_options",
    "deprecated",
    "draw_diagram",
    "register",
    "write_counts",
]

COUNTS_EXAMPLE = """\
example:
  evsynth prisma counts --dedup-summary results/dedup/summary.json \\
      --title-abstract results/screening/title_abstract.tsv \\
      --full-text results/screening/full_text.tsv \\
      --studies results/extraction/studies.tsv --out results/prisma/counts.json
"""

DIAGRAM_EXAMPLE = """\
example:
  evsynth prisma diagram --counts results/prisma/counts.json \\
      --svg results/figures/prisma.svg --png results/figures/prisma.png
"""


def deprecated(old: str, new: str) -> None:
    """Warn (on stderr, where the rules' logs go) that ``evsynth old`` is now ``evsynth new``."""
    print(
        f"evsynth {old}: deprecated, use `evsynth {new}` (same options); "
        "the old name will be removed in a later release",
        file=sys.stderr,
    )


def write_counts(args: argparse.Namespace) -> int:
    """PRISMA 2020 flow-diagram counts (results/prisma/counts.json)

    Compute results/prisma/counts.json (and, with --study-record-runs, each study record's first
    search run) from the dedup, screening, search and extraction results.
    """
    from evsynth.contracts.prisma_counts import write_prisma_counts
    from evsynth.prisma.counts import RUN_TABLE_COLUMNS, load_prisma_inputs, prisma_counts

    inputs = load_prisma_inputs(
        dedup_summary=args.dedup_summary,
        title_abstract=args.title_abstract,
        full_text=args.full_text,
        studies=args.studies,
        not_retrieved=args.not_retrieved,
        search_logs=args.search_logs or [],
        records=args.records,
        search_records=args.search_records or [],
        runs=args.runs,
    )
    counts = prisma_counts(
        inputs["summary"],
        inputs["title_abstract"],
        inputs["full_text"],
        studies=inputs["studies"],
        not_retrieved=inputs["not_retrieved"],
        previous_studies=args.previous_studies,
        previous_reports=args.previous_reports,
        database_names=inputs["database_names"],
        per_run=inputs["per_run"],
        study_record_runs=inputs["study_record_runs"],
        run_order=inputs["run_order"],
        database_results_per_run_source=inputs["database_results_per_run_source"],
    )
    write_prisma_counts(args.out, counts)
    if args.study_record_runs:
        if not args.search_records or not args.records:
            raise InputError("--study-record-runs needs --records and --search-records")
        write_tsv(
            args.study_record_runs,
            inputs["study_record_run_rows"],
            RUN_TABLE_COLUMNS,
            sort_by=("search_run", "study_record_id"),
        )
    return 0


def _database_labels(pairs: list[str] | None) -> dict[str, str]:
    labels = {}
    for pair in pairs or []:
        key, sep, label = pair.partition("=")
        if not sep or not key.strip() or not label.strip():
            raise InputError(f"--database-label {pair!r}: expected SOURCE=NAME, e.g. pubmed=PubMed")
        labels[key.strip()] = label.strip()
    return labels


def draw_diagram(args: argparse.Namespace) -> int:
    """PRISMA 2020 flow diagram (new or updated review) as SVG and/or PNG

    Draw results/figures/prisma.{svg,png} from the counts file named by --counts.
    """
    from evsynth.contracts.prisma_counts import read_prisma_counts
    from evsynth.prisma.diagram import plot_prisma

    counts = read_prisma_counts(args.counts)
    labels = _database_labels(args.database_label)
    return save_outputs(
        args, lambda: plot_prisma(counts, title=figure_title(args, None), database_labels=labels)
    )


def add_counts_options(parser: argparse.ArgumentParser) -> None:
    """The options of `evsynth prisma counts` (and of the deprecated `prisma-counts`)."""
    parser.add_argument(
        "--dedup-summary", required=True, metavar="JSON", help="results/dedup/summary.json"
    )
    parser.add_argument(
        "--title-abstract",
        required=True,
        metavar="TSV",
        help="results/screening/title_abstract.tsv",
    )
    parser.add_argument(
        "--full-text", required=True, metavar="TSV", help="results/screening/full_text.tsv"
    )
    parser.add_argument(
        "--studies",
        metavar="TSV",
        help="results/extraction/studies.tsv (groups reports into studies)",
    )
    parser.add_argument(
        "--not-retrieved",
        metavar="FILE",
        help="study_record_ids sought but not retrieved, one a line",
    )
    parser.add_argument(
        "--previous-studies",
        type=int,
        metavar="N",
        help="studies in the previous version of the review",
    )
    parser.add_argument(
        "--previous-reports",
        type=int,
        metavar="N",
        help="reports in the previous version of the review",
    )
    parser.add_argument(
        "--search-logs",
        nargs="*",
        metavar="JSON",
        help="results/search/{run}/{source}.log.json: name each source by its database",
    )
    parser.add_argument(
        "--records",
        metavar="TSV",
        help="results/dedup/unique.tsv (with --search-records: per-run counts)",
    )
    parser.add_argument(
        "--search-records",
        nargs="*",
        metavar="TSV",
        help="results/search/{run}/{source}.records.tsv: count each study record in its first run",
    )
    parser.add_argument(
        "--runs",
        nargs="+",
        metavar="RUN",
        help="search run ids oldest first (config order; default: the run folders sorted); with "
        "several runs the counts follow the PRISMA 2020 updated-review template",
    )
    parser.add_argument("--out", required=True, metavar="JSON", help="results/prisma/counts.json")
    parser.add_argument(
        "--study-record-runs",
        metavar="TSV",
        help="also write each study record's first search run here "
        "(results/prisma/study_record_runs.tsv: study_record_id search_run title year)",
    )


def add_diagram_options(parser: argparse.ArgumentParser) -> None:
    """The options of `evsynth prisma diagram` (and of the deprecated `plot prisma`)."""
    parser.add_argument("--counts", required=True, help="results/prisma/counts.json")
    parser.add_argument(
        "--database-label",
        action="append",
        metavar="SOURCE=NAME",
        help="display name of a source key of database_specific_results (repeatable), "
        "e.g. wos='Web of Science'",
    )
    add_output_options(parser)


def _deprecated_counts(args: argparse.Namespace) -> int:
    """deprecated: use `evsynth prisma counts` (same options)

    The old spelling of `evsynth prisma counts`, kept because users' scripts call it; it warns on
    stderr and writes the same files.
    """
    deprecated("prisma-counts", "prisma counts")
    return write_counts(args)


def _prisma(args: argparse.Namespace) -> int:
    """PRISMA 2020 flow: counts (results/prisma/counts.json) and the diagram

    The PRISMA 2020 stage: `counts` derives every number of the flow diagram from the dedup,
    screening, search and extraction results; `diagram` draws it.
    """
    return show_help(args)


def register(subparsers: argparse._SubParsersAction) -> None:
    """Add `evsynth prisma counts|diagram` and the deprecated `evsynth prisma-counts`."""
    prisma = add_command(
        subparsers, "prisma", _prisma, epilog=COUNTS_EXAMPLE + "\n" + DIAGRAM_EXAMPLE
    )
    parts = prisma.add_subparsers(dest="part", metavar="{counts,diagram}")
    _verb(parts, "counts", write_counts, COUNTS_EXAMPLE, add_counts_options)
    _verb(parts, "diagram", draw_diagram, DIAGRAM_EXAMPLE, add_diagram_options)
    _verb(subparsers, "prisma-counts", _deprecated_counts, COUNTS_EXAMPLE, add_counts_options)


def _verb(
    parsers: argparse._SubParsersAction,
    name: str,
    func: Callable[[argparse.Namespace], int],
    epilog: str,
    add_options: Callable[[argparse.ArgumentParser], None],
) -> None:
    """One verb: the new `prisma counts|diagram` and the old alias share options and examples."""
    add_options(add_command(parsers, name, func, epilog=epilog))
