"""Reading a JSON contract file, and its objects' typed values, with errors naming file and key."""

from __future__ import annotations

import json
import math
from collections.abc import Mapping
from dataclasses import fields
from pathlib import Path
from typing import Any, NoReturn, TypeVar

from evsynth.errors import InputError

__all__ = ["Fields", "read_json"]

T = TypeVar("T")

#: How :meth:`Fields.build` reads a dataclass field, by its annotation (``from __future__ import
#: annotations`` keeps annotations as these strings). Other annotations must be given.
_READERS = {
    "float | None": "number",
    "int | None": "integer",
    "str | None": "text",
    "bool | None": "flag",
    "tuple[str, ...]": "texts",
    "tuple[float, ...]": "numbers",
}


def read_json(path: str | Path) -> Any:
    """Parse a JSON contract file; a missing file or bad JSON is an InputError naming the file."""
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise InputError("file not found", path=str(path)) from None
    try:
        return json.loads(text)
    except json.JSONDecodeError as exc:
        raise InputError(f"not valid JSON: {exc.msg}", path=str(path), line=exc.lineno) from None


_ABSENT = object()


class Fields:
    """Typed values of one decoded JSON object; every error names the file and the key path.

    Absent and null are None (the contract decides what is required); numbers are kept as
    written (an int stays an int), so a file read and written again keeps its bytes.
    """

    def __init__(self, data: Any, path: str, key: str = "") -> None:
        self.path, self.key = path, key
        if not isinstance(data, Mapping):
            self.fail(f"expected an object, found {type(data).__name__}")
        self.data: Mapping[str, Any] = data

    def at(self, key: str) -> str:
        return f"{self.key}.{key}" if self.key else key

    def fail(self, message: str, key: str | None = None) -> NoReturn:
        raise InputError(message, path=self.path, field=self.at(key) if key else self.key or None)

    def sub(self, key: str) -> Fields | None:
        value = self.data.get(key)
        return None if value is None else Fields(value, self.path, self.at(key))

    def number(self, key: str, *, required: bool = False, value: Any = _ABSENT) -> float | None:
        value = self.data.get(key) if value is _ABSENT else value
        if value is None:
            if required:
                self.fail("a number is required here, found null or nothing", key)
            return None
        if isinstance(value, bool) or not isinstance(value, int | float):
            self.fail(f"expected a number, found {value!r}", key)
        return value if math.isfinite(value) else None

    def integer(self, key: str) -> int | None:
        value = self.number(key)
        if value is not None and value != int(value):
            self.fail(f"expected a whole number, found {value!r}", key)
        return None if value is None else int(value)

    def text(self, key: str) -> str | None:
        value = self.data.get(key)
        if value is not None and not isinstance(value, str):
            self.fail(f"expected a string, found {value!r}", key)
        return value

    def flag(self, key: str) -> bool | None:
        value = self.data.get(key)
        if value is not None and not isinstance(value, bool):
            self.fail(f"expected true or false, found {value!r}", key)
        return value

    def items(self, key: str) -> list[Any] | None:
        value = self.data.get(key)
        if value is not None and not isinstance(value, list):
            self.fail(f"expected a list, found {type(value).__name__}", key)
        return value

    def texts(self, key: str) -> tuple[str, ...]:
        values = self.items(key) or []
        for i, v in enumerate(values):
            if not isinstance(v, str | int | float) or isinstance(v, bool):
                self.fail(f"expected a string, found {v!r}", f"{key}[{i}]")
        return tuple(str(v) for v in values)

    def numbers(self, key: str) -> tuple[float, ...]:
        values = self.items(key) or []
        out = []
        for i, v in enumerate(values):
            number = self.number(f"{key}[{i}]", required=True, value=v)
            out.append(float("nan") if number is None else number)
        return tuple(out)

    def build(self, cls: type[T], **given: Any) -> T:
        """An instance of the dataclass ``cls``: ``given`` values, the rest read by annotation.

        A field named ``ratio`` is whether the object carries ``exp_*`` values.
        """
        values = dict(given)
        for f in fields(cls):  # type: ignore[arg-type]
            if f.name in values:
                continue
            if f.name == "ratio":
                values["ratio"] = "exp_estimate" in self.data
            elif f.type in _READERS:
                values[f.name] = getattr(self, _READERS[str(f.type)])(f.name)
        return cls(**values)
