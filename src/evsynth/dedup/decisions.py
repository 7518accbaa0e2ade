"""A person's pair decisions (``decisions.csv``): they always win over the rules.

Decisions key on record ids, which are stable across reruns and re-exports, so a decision made once
survives every later run. The file is the ``possible.csv`` of a previous run with ``decision``
filled in; rows left blank are undecided and ignored; extra (context) columns are allowed.
Each row is checked against the sheet's schema (``workflow/schemas/dedup_decisions.schema.yaml``)
first, so the file is held to what the schema documents.
"""

from __future__ import annotations

import csv
from collections.abc import Collection
from dataclasses import dataclass
from pathlib import Path

from evsynth.contracts.schemas import check_sheet_header, check_sheet_row
from evsynth.errors import InputError

__all__ = ["DECISION_COLUMNS", "PairDecision", "read_decisions"]

DECISION_COLUMNS = ("record_id_a", "record_id_b", "decision", "note")
_VALID = ("same", "different")


@dataclass(frozen=True, slots=True)
class PairDecision:
    """One line of decisions.csv."""

    record_id_a: str
    record_id_b: str
    decision: str
    note: str
    path: str
    line: int


def read_decisions(path: str | Path, known_ids: Collection[str]) -> list[PairDecision]:
    """Read and check decisions.csv; an unknown record id or a bad decision names its line."""
    path = Path(path)
    where = str(path)
    try:
        handle = path.open(encoding="utf-8-sig", newline="")
    except FileNotFoundError:
        raise InputError("decisions file not found", path=where) from None
    with handle:
        reader = csv.DictReader(handle)
        header = reader.fieldnames or []
        check_sheet_header("dedup_decisions", header, path=where)
        out: list[PairDecision] = []
        seen: dict[tuple[str, str], PairDecision] = {}
        for lineno, row in enumerate(reader, start=2):
            if None in row:
                raise InputError("more cells than the header has columns", path=where, line=lineno)
            a = (row.get("record_id_a") or "").strip()
            b = (row.get("record_id_b") or "").strip()
            decision = (row.get("decision") or "").strip().lower()
            note = (row.get("note") or "").strip()
            if not a and not b and not decision:
                continue
            check_sheet_row(
                "dedup_decisions", {**row, "decision": decision}, path=where, line=lineno
            )
            if not decision:
                continue  # a possible pair nobody has decided yet
            if decision not in _VALID:
                raise InputError(
                    f"decision {decision!r} is not valid; use 'same' or 'different'",
                    path=where,
                    line=lineno,
                    field="decision",
                )
            for name, value in (("record_id_a", a), ("record_id_b", b)):
                if value not in known_ids:
                    raise InputError(
                        f"unknown record id {value!r}: no input records TSV has it",
                        path=where,
                        line=lineno,
                        field=name,
                    )
            if a == b:
                raise InputError(
                    f"record_id_a and record_id_b are both {a!r}; a decision needs two records",
                    path=where,
                    line=lineno,
                )
            key = (a, b) if a < b else (b, a)
            previous = seen.get(key)
            if previous is not None:
                if previous.decision != decision:
                    raise InputError(
                        f"pair {key[0]} / {key[1]} is {decision!r} here but "
                        f"{previous.decision!r} on line {previous.line}",
                        path=where,
                        line=lineno,
                        field="decision",
                    )
                continue
            item = PairDecision(key[0], key[1], decision, note, where, lineno)
            seen[key] = item
            out.append(item)
    return out
