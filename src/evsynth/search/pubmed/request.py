"""What a PubMed search asks for: the query, the inclusive date window and its date type."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from typing import Any

from evsynth.errors import InputError

__all__ = ["DATETYPES", "PAGE_CAP", "SearchRequest", "parse_date"]

# PubMed ESearch pages through only the first 9,999 results of a query (retstart <= 9,998).
PAGE_CAP = 9999
DATETYPES = ("pdat", "edat", "mdat")


def parse_date(text: str, *, field: str) -> date:
    """A ``YYYY-MM-DD`` (or ``YYYY/MM/DD``) date; anything else is an InputError."""
    match = re.fullmatch(r"(\d{4})[-/](\d{2})[-/](\d{2})", str(text).strip())
    try:
        if not match:
            raise ValueError
        return date(int(match[1]), int(match[2]), int(match[3]))
    except ValueError:
        raise InputError(f"{text!r} is not a date; use YYYY-MM-DD", field=field) from None


@dataclass(frozen=True, slots=True, kw_only=True)
class SearchRequest:
    """What was searched: the query as given, the date window (inclusive) and its date type."""

    query: str
    date_from: date
    date_to: date
    datetype: str = "pdat"

    def __post_init__(self) -> None:
        if not self.query.strip():
            raise InputError("the PubMed query is empty", field="query")
        if self.datetype not in DATETYPES:
            raise InputError(
                f"date type {self.datetype!r} is not one of {', '.join(DATETYPES)} "
                "(publication, Entrez and modification date)",
                field="datetype",
            )
        if self.date_from > self.date_to:
            raise InputError(
                f"the date window starts ({self.date_from}) after it ends ({self.date_to})",
                field="from",
            )

    def same_search(self, logged: dict[str, Any]) -> list[str]:
        """Fields on which an archive's log differs from this request (whitespace-folded query)."""
        diffs = []
        if " ".join(self.query.split()) != " ".join(str(logged.get("query", "")).split()):
            diffs.append(f"query: archive {logged.get('query')!r}, requested {self.query!r}")
        for key, mine in (
            ("date_from", self.date_from.isoformat()),
            ("date_to", self.date_to.isoformat()),
            ("date_type", self.datetype),
        ):
            if logged.get(key) != mine:
                diffs.append(f"{key}: archive {logged.get(key)!r}, requested {mine!r}")
        return diffs
