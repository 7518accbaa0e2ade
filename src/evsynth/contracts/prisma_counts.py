"""The contract ``results/prisma/counts.json``: the computed counts, their writer, their reader.

Written by `evsynth prisma counts` (:func:`write_prisma_counts` of a :class:`PrismaCounts`), read
by `evsynth prisma diagram` and anything else that shows the flow (:func:`read_prisma_counts`,
returning a :class:`PrismaFlow`). Field names are the PRISMA2020 R package's (Haddaway et al.
2022, Campbell Syst Rev 18:e1230), so its users recognise the file; docs/architecture.md lists
them. The two types are the two sides of one file: the writer's is closed and checked against the
flow identities, the reader's accepts any PRISMA2020 file (fields of other identification methods
included) and checks each count's type.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from evsynth.contracts.jsonfile import read_json
from evsynth.errors import InputError
from evsynth.tables import write_json

__all__ = ["PrismaCounts", "PrismaFlow", "read_prisma_counts", "write_prisma_counts"]


#: PRISMA2020 fields for identification via other methods: not used by a database-only review.
_OTHER_METHODS = (
    "website_results",
    "organisation_results",
    "citations_results",
    "other_sought_reports",
    "other_notretrieved_reports",
    "other_assessed",
    "other_excluded",
)


@dataclass(slots=True)
class PrismaCounts:
    """The PRISMA2020 numbers plus what is still awaiting a decision."""

    database_specific_results: dict[str, int]
    database_results: int
    register_results: int
    duplicates: int
    excluded_automatic: int
    excluded_other: int
    records_screened: int
    records_excluded: int
    dbr_sought_reports: int
    dbr_notretrieved_reports: int
    dbr_assessed: int
    dbr_excluded: dict[str, int]
    new_studies: int
    new_reports: int
    previous_studies: int | None = None
    previous_reports: int | None = None
    awaiting_screening: int = 0
    awaiting_assessment: int = 0
    database_results_per_run: dict[str, int] = field(default_factory=dict)
    per_run: dict[str, dict[str, Any]] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)
    #: Included reports of all runs; set when new_reports counts only the latest run's.
    all_reports: int | None = None
    #: The latest run's own flow (PRISMA 2020 updated-review diagram), when there are several runs.
    update_flow: dict[str, Any] | None = None

    @property
    def total_studies(self) -> int:
        return self.new_studies + (self.previous_studies or 0)

    @property
    def total_reports(self) -> int:
        return self.new_reports + (self.previous_reports or 0)

    @property
    def complete(self) -> bool:
        return self.awaiting_screening == 0 and self.awaiting_assessment == 0

    def check(self) -> None:
        """Assert the flow identities; a failure is a bug or inconsistent inputs, never ignored."""
        unique = (
            self.database_results - self.duplicates - self.excluded_automatic - self.excluded_other
        )
        included = self.new_reports if self.all_reports is None else self.all_reports
        identities = [
            (
                "records screened + awaiting = unique records",
                self.records_screened + self.awaiting_screening,
                unique,
            ),
            (
                "records excluded + reports sought = records screened",
                self.records_excluded + self.dbr_sought_reports,
                self.records_screened,
            ),
            (
                "not retrieved + assessed + awaiting = reports sought",
                self.dbr_notretrieved_reports + self.dbr_assessed + self.awaiting_assessment,
                self.dbr_sought_reports,
            ),
            (
                "reports excluded + included reports = reports assessed",
                sum(self.dbr_excluded.values()) + included,
                self.dbr_assessed,
            ),
            (
                "sum of database_specific_results = database_results",
                sum(self.database_specific_results.values()),
                self.database_results,
            ),
        ]
        if self.per_run:
            for key in (
                "records_screened",
                "records_excluded",
                "dbr_sought_reports",
                "dbr_notretrieved_reports",
                "dbr_assessed",
                "new_reports",
            ):
                identities.append(
                    (
                        f"sum over runs of {key} = {key}",
                        sum(int(e[key]) for e in self.per_run.values()),
                        included if key == "new_reports" else getattr(self, key),
                    )
                )
        u = self.update_flow
        if u is not None:
            identities += [
                (
                    "update: records - duplicates = records screened + awaiting",
                    u["database_results"] - u["duplicates"],
                    u["records_screened"] + u["awaiting_screening"],
                ),
                (
                    "update: records excluded + reports sought = records screened",
                    u["records_excluded"] + u["dbr_sought_reports"],
                    u["records_screened"],
                ),
                (
                    "update: not retrieved + assessed + awaiting = reports sought",
                    u["dbr_notretrieved_reports"] + u["dbr_assessed"] + u["awaiting_assessment"],
                    u["dbr_sought_reports"],
                ),
                (
                    "update: reports excluded + new reports = reports assessed",
                    sum(u["dbr_excluded"].values()) + u["new_reports"],
                    u["dbr_assessed"],
                ),
                ("update: new reports", u["new_reports"], self.new_reports),
            ]
            if u["database_specific_results"]:
                identities.append(
                    (
                        "update: sum of database_specific_results = database_results",
                        sum(u["database_specific_results"].values()),
                        u["database_results"],
                    )
                )
        for label, left, right in identities:
            if left != right:
                raise InputError(f"PRISMA counts do not add up: {label} ({left} != {right})")

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "database_specific_results": dict(sorted(self.database_specific_results.items())),
            "database_results": self.database_results,
            "register_results": self.register_results,
            "duplicates": self.duplicates,
            "excluded_automatic": self.excluded_automatic,
            "excluded_other": self.excluded_other,
            "records_screened": self.records_screened,
            "records_excluded": self.records_excluded,
            "dbr_sought_reports": self.dbr_sought_reports,
            "dbr_notretrieved_reports": self.dbr_notretrieved_reports,
            "dbr_assessed": self.dbr_assessed,
            "dbr_excluded": dict(sorted(self.dbr_excluded.items())),
            "new_studies": self.new_studies,
            "new_reports": self.new_reports,
            "previous_studies": self.previous_studies,
            "previous_reports": self.previous_reports,
            "total_studies": self.total_studies,
            "total_reports": self.total_reports,
            "screening_complete": self.complete,
            "awaiting_screening": self.awaiting_screening,
            "awaiting_assessment": self.awaiting_assessment,
            "database_results_per_run": dict(sorted(self.database_results_per_run.items())),
            "per_run": {run: self.per_run[run] for run in sorted(self.per_run)},
            "update_flow": self.update_flow,
            "notes": list(self.notes),
        }
        for name in _OTHER_METHODS:
            out[name] = None
        return out


def write_prisma_counts(path: str | Path, counts: PrismaCounts) -> None:
    """Write ``counts`` as results/prisma/counts.json (sorted keys, byte-stable)."""
    write_json(path, counts.to_dict())


@dataclass(frozen=True)
class PrismaFlow:
    """The flow as read back for drawing: PRISMA2020 field names, validated, open-ended.

    Tolerant of fields evsynth does not write (other methods, registers), so a counts file made
    with the PRISMA2020 app can be drawn too; ``values`` carries the latest run's flow in an
    updated review (see :func:`read_prisma_counts`).
    """

    values: dict[str, Any]
    path: str = ""
    #: The file's own values when ``update_flow`` replaced some in ``values`` (else None).
    written: dict[str, Any] | None = None

    def get(self, name: str) -> Any:
        return self.values.get(name)

    @property
    def review(self) -> dict[str, Any]:
        """The whole review's counts as the file gives them, for tables (the report): in an
        updated review ``values`` holds the latest run's flow, which is what the diagram draws."""
        return self.values if self.written is None else self.written

    @property
    def is_update(self) -> bool:
        """An updated review carries the previous version's studies (PRISMA 2020 update)."""
        return any(
            self.values.get(k) not in (None, "") for k in ("previous_studies", "previous_reports")
        )

    @property
    def has_other_methods(self) -> bool:
        """Whether records were identified by other methods (websites, organisations, citations)."""
        keys = (
            "website_results",
            "organisation_results",
            "citations_results",
            "other_sought_reports",
            "other_assessed",
        )
        return any(_positive(self.values.get(k)) for k in keys)


def _positive(value: Any) -> bool:
    try:
        return float(value) > 0
    except (TypeError, ValueError):
        return bool(value) and isinstance(value, dict)


_COUNT_KEYS = (
    "previous_studies",
    "previous_reports",
    "database_results",
    "register_results",
    "website_results",
    "organisation_results",
    "citations_results",
    "duplicates",
    "excluded_automatic",
    "excluded_other",
    "records_screened",
    "records_excluded",
    "dbr_sought_reports",
    "dbr_notretrieved_reports",
    "other_sought_reports",
    "other_notretrieved_reports",
    "dbr_assessed",
    "other_assessed",
    "new_studies",
    "new_reports",
    "total_studies",
    "total_reports",
)


#: Fields an updated review's ``update_flow`` (the latest search run's own flow) replaces in the
#: diagram; the awaiting counts stay the whole review's, so the "incomplete" note never hides work.
_UPDATE_FLOW_KEYS = (
    "database_specific_results",
    "database_results",
    "duplicates",
    "records_screened",
    "records_excluded",
    "dbr_sought_reports",
    "dbr_notretrieved_reports",
    "dbr_assessed",
    "dbr_excluded",
    "new_studies",
    "new_reports",
)


def read_prisma_counts(path: str | Path) -> PrismaFlow:
    """Read ``results/prisma/counts.json``; counts must be non-negative integers or null.

    When the counts carry ``update_flow`` (several search runs: PRISMA 2020 updated review, see
    docs/screening.md), the identification and screening boxes show the latest run's own flow,
    as the updated-review template asks (Page et al. 2021, BMJ 372:n71, figure 2); the whole
    review's counts stay readable as :attr:`PrismaFlow.review` (the report's tables). The file's
    own counts and those of ``update_flow`` are both checked.
    """
    where = str(path)
    data = read_json(path)
    if not isinstance(data, dict):
        raise InputError("expected a JSON object with PRISMA2020 field names", path=where)
    _check_counts(data, where)
    flow = data.get("update_flow")
    if flow is None:
        return PrismaFlow(values=dict(data), path=where)
    if not isinstance(flow, dict):
        raise InputError(
            f"expected an object (the latest run's flow) or null, found {flow!r}",
            path=where,
            field="update_flow",
        )
    latest = {key: flow[key] for key in _UPDATE_FLOW_KEYS if key in flow}
    _check_counts(latest, where, prefix="update_flow.")
    return PrismaFlow(values={**data, **latest}, path=where, written=dict(data))


def _check_counts(data: dict[str, Any], where: str, prefix: str = "") -> None:
    """Every count a non-negative integer or null; an error names the file and the key path
    (``update_flow.records_screened`` inside the latest run's flow)."""
    for key in _COUNT_KEYS:
        value = data.get(key)
        if value is None:
            continue
        if isinstance(value, bool) or not isinstance(value, int) or value < 0:
            raise InputError(
                f"expected a count (integer >= 0) or null, found {value!r}",
                path=where,
                field=prefix + key,
            )
    for key in (
        "database_specific_results",
        "dbr_excluded",
        "other_excluded",
        "register_specific_results",
    ):
        value = data.get(key)
        if value is None:
            continue
        if not isinstance(value, dict):
            raise InputError(
                f"expected an object {{name: count}}, found {value!r}",
                path=where,
                field=prefix + key,
            )
        for name, n in value.items():
            if isinstance(n, bool) or not isinstance(n, int) or n < 0:
                raise InputError(
                    f"expected a count (integer >= 0) for {name!r}, found {n!r}",
                    path=where,
                    field=prefix + key,
                )
