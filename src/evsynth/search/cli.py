"""`evsynth search pubmed`: retrieve a PubMed search into an archive, or re-parse an archive."""

from __future__ import annotations

import argparse
import itertools
import logging
import os
import sys
from collections.abc import Sequence
from pathlib import Path

from evsynth.commands import add_command, show_help
from evsynth.contracts.options import add_renamed
from evsynth.contracts.records import COLUMNS, Record, assign_record_ids
from evsynth.errors import InputError
from evsynth.search.eutils import DEFAULT_EUTILS_URL, ClientSettings, EutilsClient
from evsynth.search.pubmed import (
    DATETYPES,
    PAGE_CAP,
    SearchRequest,
    parse_archive,
    parse_date,
    read_archive_log,
    results_log,
    retrieve_pubmed,
)
from evsynth.tables import clean_cell, write_json, write_text

__all__ = ["register", "run_search_pubmed", "write_records_streaming"]

_EPILOG = """\
examples:
  # online: search PubMed, archive every answer, write the records table and the search log
  evsynth search pubmed --query 'osteosarcoma[MeSH Terms] AND metastasectomy' \\
      --from 1900-01-01 --to 2025-12-31 --email you@example.org \\
      --out resources/searches/2025-12-31/pubmed \\
      --records results/search/2025-12-31/pubmed.records.tsv \\
      --log results/search/2025-12-31/pubmed.log.json

  # offline: re-parse an archived search (no network)
  evsynth search pubmed --offline-cache resources/searches/2025-12-31/pubmed \\
      --records results/search/2025-12-31/pubmed.records.tsv \\
      --log results/search/2025-12-31/pubmed.log.json

The NCBI API key is read only from the environment (NCBI_API_KEY, or --api-key-env NAME); it is
never written to any file or log. Rerunning an interrupted online search with the same --out
resumes it; a complete archive is never downloaded again.
"""


def _search(args: argparse.Namespace) -> int:
    """search a bibliographic database online (PubMed E-utilities)

    Search a database through its API and archive the answers.
    """
    return show_help(args)


def register(subparsers: argparse._SubParsersAction) -> None:
    """Add `evsynth search pubmed`."""
    search = add_command(subparsers, "search", _search)
    sub = search.add_subparsers(dest="database", metavar="<database>")
    p = add_command(sub, "pubmed", run_search_pubmed, epilog=_EPILOG)
    p.add_argument("--query", help="the PubMed query, exactly as it should be run")
    p.add_argument("--from", dest="date_from", metavar="DATE", help="first day (YYYY-MM-DD)")
    p.add_argument("--to", dest="date_to", metavar="DATE", help="last day (YYYY-MM-DD)")
    p.add_argument("--datetype", choices=DATETYPES, default="pdat", help="date type of the window")
    p.add_argument(
        "--email",
        help="your email address (NCBI requires one for online use; default: $NCBI_EMAIL, then "
        "search.pubmed.email of --client-config)",
    )
    p.add_argument(
        "--client-config",
        action="append",
        default=[],
        metavar="YAML",
        help="read unset client options (email, tool, eutils_url, rates, batch_size, timeout, "
        "max_attempts, api_key_env) from this config's search.pubmed block; repeatable, later "
        "files win. The workflow passes its config files this way, so that changing a client "
        "setting does not rerun a finished search",
    )
    p.add_argument("--tool", help="tool name sent to NCBI (default evsynth)")
    p.add_argument("--eutils-url", help=f"E-utilities base URL (default {DEFAULT_EUTILS_URL})")
    p.add_argument(
        "--api-key-env",
        metavar="NAME",
        help="environment variable holding the API key (default NCBI_API_KEY)",
    )
    p.add_argument("--batch-size", type=int, help="PMIDs per EFetch (default 500)")
    for new, old, dest, text in (
        ("--requests-per-second", "--rps", "rps", "default 3 without an API key, 10 with"),
        (
            "--requests-per-second-with-key",
            "--rps-with-key",
            "rps_with_key",
            "when an API key is set; default: --requests-per-second if given, else 10",
        ),
    ):
        setting = new.removeprefix("--").replace("-", "_")
        add_renamed(
            p,
            "search pubmed",
            new,
            old,
            dest=dest,
            type=float,
            help=f"requests per second ({text}); config search.pubmed.{setting}",
        )
    p.add_argument("--timeout", type=float, help="read timeout in seconds (default 120)")
    p.add_argument("--max-attempts", type=int, help="tries per request (default 8)")
    p.add_argument("--backoff", type=float, default=1.0, help="first retry delay scale, seconds")
    p.add_argument("--page-cap", type=int, default=PAGE_CAP, help=argparse.SUPPRESS)
    p.add_argument("--out", metavar="ARCHIVE_DIR", help="archive directory (online mode)")
    p.add_argument(
        "--offline-cache", metavar="ARCHIVE_DIR", help="re-parse this archive; no network"
    )
    p.add_argument("--records", metavar="TSV", help="write the records table here")
    p.add_argument("--log", metavar="JSON", help="write the search log here")
    p.add_argument("--run", help="search run id recorded in the log (e.g. 2025-12-31)")
    p.add_argument("--source", default="pubmed", help="source name for record ids (pubmed)")
    p.add_argument("--database", default="PubMed", help="database name for the log")
    p.add_argument(
        "--platform", default="PubMed (NCBI E-utilities)", help="platform name for the log"
    )
    p.add_argument("--no-progress", action="store_true", help="no progress line on stderr")


def _request(args: argparse.Namespace, *, required: bool) -> SearchRequest | None:
    given = [args.query, args.date_from, args.date_to]
    if not required and not any(given):
        return None
    missing = [n for n, v in zip(("--query", "--from", "--to"), given, strict=True) if not v]
    if missing:
        raise InputError(f"missing {', '.join(missing)}")
    return SearchRequest(
        query=args.query,
        date_from=parse_date(args.date_from, field="--from"),
        date_to=parse_date(args.date_to, field="--to"),
        datetype=args.datetype,
    )


def _setup_logging() -> None:
    logger = logging.getLogger("evsynth.search")
    if not logger.handlers:
        handler = logging.StreamHandler(sys.stderr)
        handler.setFormatter(logging.Formatter("evsynth search: %(levelname)s: %(message)s"))
        logger.addHandler(handler)
        logger.setLevel(logging.INFO)


def run_search_pubmed(args: argparse.Namespace) -> int:
    """search PubMed through NCBI E-utilities

    Search PubMed through NCBI E-utilities (ESearch with the history server, then EFetch of PubMed
    XML in batches), archive every answer, and check that every PMID ESearch reported was
    retrieved. Searches with more than 9,999 results are split by date.
    """
    _setup_logging()
    if bool(args.out) == bool(args.offline_cache):
        raise InputError("give exactly one of --out ARCHIVE_DIR (online) or --offline-cache DIR")
    if args.offline_cache:
        archive = args.offline_cache
        if not (args.records and args.log):
            raise InputError("offline mode needs --records TSV and --log JSON")
        request = _request(args, required=False)
        if request is not None:
            state = read_archive_log(Path(archive))
            diffs = request.same_search(state) if state else []
            if diffs:
                raise InputError(
                    "the archive holds a different search than configured ("
                    + "; ".join(diffs)
                    + ")",
                    path=os.path.join(archive, "log.json"),
                )
    elif _archive_complete(Path(args.out), _request(args, required=True)):
        # A finished run is never downloaded again, and needs no email, key or network: a clone
        # of a review whose update runs are committed reruns them offline.
        archive = args.out
        print(
            f"evsynth search: {archive} holds this search, complete; nothing downloaded",
            file=sys.stderr,
        )
    else:
        archive = args.out
        request = _request(args, required=True)
        _resolve_client_options(args)
        key = os.environ.get(args.api_key_env) or None
        settings = ClientSettings(
            email=args.email or "",
            tool=args.tool,
            base_url=args.eutils_url,
            api_key=key,
            requests_per_second=(args.rps_with_key or args.rps) if key else args.rps,
            read_timeout=args.timeout,
            max_attempts=args.max_attempts,
            backoff_base=args.backoff,
        )
        client = EutilsClient(settings)
        state = retrieve_pubmed(
            request,
            archive,
            client=client,
            batch_size=args.batch_size,
            page_cap=args.page_cap,
            progress=not args.no_progress,
        )
        print(
            f"evsynth search: {state['count_retrieved']:,} of {state['count_reported']:,} "
            f"records archived in {archive}",
            file=sys.stderr,
        )
    if args.records or args.log:
        records, state = parse_archive(archive)
        records = assign_record_ids(records, args.source)
        if args.records:
            write_records_streaming(args.records, records)
        if args.log:
            write_json(
                args.log,
                results_log(
                    state,
                    archive=archive,
                    run=args.run,
                    source=args.source,
                    count_parsed=len(records),
                    database=args.database,
                    platform=args.platform,
                ),
            )
    return 0


def _archive_complete(archive: Path, request: SearchRequest | None) -> bool:
    """True when ``archive`` already holds this very search, complete."""
    state = read_archive_log(archive)
    if state is None or not state.get("complete") or request is None:
        return False
    diffs = request.same_search(state)
    if diffs:
        raise InputError(
            "this archive holds a different search (" + "; ".join(diffs) + "); "
            "use a new --out directory for a new search",
            path=str(archive / "log.json"),
        )
    return True


# Client options, their config keys (search.pubmed.*) and defaults.
_CLIENT_OPTIONS: tuple[tuple[str, str, object], ...] = (
    ("tool", "tool", "evsynth"),
    ("eutils_url", "eutils_url", DEFAULT_EUTILS_URL),
    ("api_key_env", "api_key_env", "NCBI_API_KEY"),
    ("batch_size", "batch_size", 500),
    ("rps", "requests_per_second", None),
    ("rps_with_key", "requests_per_second_with_key", None),
    ("timeout", "timeout", 120.0),
    ("max_attempts", "max_attempts", 8),
)


def _resolve_client_options(args: argparse.Namespace) -> None:
    """Fill options not given on the command line: config files, then $NCBI_EMAIL, then defaults.

    Client settings (how to fetch) are not part of a search's identity (what was searched), so
    the workflow hands them over in the config file rather than as rule parameters.
    """
    import yaml  # only online runs need it

    block: dict[str, object] = {}
    for path in args.client_config:
        try:
            with open(path, encoding="utf-8") as handle:
                loaded = yaml.safe_load(handle) or {}
        except OSError as exc:
            raise InputError(f"cannot read the config: {exc.strerror}", path=path) from None
        block.update((loaded.get("search") or {}).get("pubmed") or {})
    for option, key, default in _CLIENT_OPTIONS:
        if getattr(args, option) is None:
            value = block.get(key)
            setattr(args, option, default if value is None else value)
    if not args.email:
        args.email = os.environ.get("NCBI_EMAIL") or block.get("email") or None


def write_records_streaming(path: str | os.PathLike[str], records: Sequence[Record]) -> int:
    """Write the records TSV byte-identical to :func:`~evsynth.contracts.records.write_records`,
    one row at a time: a 100,000-record PubMed search would otherwise hold the table in memory three
    times (records, rendered rows, joined text). Sorted by ``record_id``; written atomically."""
    order = sorted(range(len(records)), key=lambda i: clean_cell(records[i].record_id))
    rows = ("\t".join(clean_cell(getattr(records[i], c)) for c in COLUMNS) + "\n" for i in order)
    write_text(path, itertools.chain(("\t".join(COLUMNS) + "\n",), rows))
    return len(order)
