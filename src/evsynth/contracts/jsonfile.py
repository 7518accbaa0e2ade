"""Reading a JSON contract file with errors that name the file and line."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from evsynth.errors import InputError

__all__ = ["read_json"]


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
