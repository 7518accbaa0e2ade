"""Errors that a reviewer can act on.

Every error raised for bad input says where (file, line or record), which field, what was found and
what would be valid, because a reviewer fixing an export has only the message to go on.
"""

from __future__ import annotations

__all__ = ["EvsynthError", "InputError"]


class EvsynthError(Exception):
    """Base class for errors evsynth reports to the user without a traceback."""


class InputError(EvsynthError):
    """Bad input: names the file, the line or record, the field and what would be valid."""

    def __init__(
        self,
        message: str,
        *,
        path: str | None = None,
        line: int | None = None,
        record: str | None = None,
        field: str | None = None,
    ) -> None:
        self.path = path
        self.line = line
        self.record = record
        self.field = field
        where = []
        if path is not None:
            where.append(str(path) + (f":{line}" if line is not None else ""))
        elif line is not None:
            where.append(f"line {line}")
        if record is not None:
            where.append(f"record {record}")
        if field is not None:
            where.append(f"field {field!r}")
        prefix = ", ".join(where)
        super().__init__(f"{prefix}: {message}" if prefix else message)
