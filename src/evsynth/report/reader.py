"""The report's file reader: opens its inputs and records each one's sha256 for provenance.

Split out of inputs.py (issue 15): which files the page reads is one job (inputs.py), opening them,
checking they exist and remembering their checksums another. A required file that is missing is an
InputError naming the file and the stage that writes it.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from evsynth.errors import InputError
from evsynth.tables import read_tsv, sha256_file

__all__ = ["InputFile", "Reader", "expect_mapping", "figure_candidates"]

# The stage that writes each required file, so a missing file tells the user what to run.
_WRITERS: dict[str, str] = {
    "search": "evsynth search pubmed / evsynth import (rules search_pubmed, import_export)",
    "dedup": "evsynth dedup (rule dedup_*)",
    "prisma": "evsynth prisma counts (PRISMA rules)",
    "extraction": "evsynth extract (extraction rules)",
    "pooling": "evsynth pool / pool-analyses (pooling rules)",
}


@dataclass(frozen=True, slots=True)
class InputFile:
    """One file the report read: its path relative to the project root and its sha256."""

    path: str
    sha256: str


def figure_candidates(results: Path, name: str, preferred: str = "svg") -> list[Path]:
    """The files that may hold one figure, preferred format first (svg scales; png fallback)."""
    order = [preferred, "png" if preferred == "svg" else "svg"]
    return [results / "figures" / f"{name}.{ext}" for ext in order]


class Reader:
    """Opens files under the project root and remembers each one with its checksum."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self.files: dict[str, InputFile] = {}

    def note(self, path: Path) -> None:
        rel = os.path.relpath(path, self.root).replace(os.sep, "/")
        self.files[rel] = InputFile(rel, sha256_file(path))

    def require(self, path: Path, stage: str) -> Path:
        if not path.is_file():
            raise InputError(
                f"required input is missing; it is written by {_WRITERS[stage]}", path=str(path)
            )
        self.note(path)
        return path

    def opens(self, path: Path, stage: str | None) -> bool:
        """Note the file; False for an absent optional one (``stage`` None), a required one must
        exist."""
        if stage is None and not path.is_file():
            return False
        if stage is not None:
            self.require(path, stage)
        else:
            self.note(path)
        return True

    def json(self, path: Path, stage: str | None) -> Any:
        if not self.opens(path, stage):
            return None
        try:
            return json.loads(path.read_text(encoding="utf-8"))
        except json.JSONDecodeError as exc:
            raise InputError(f"not valid JSON: {exc.msg}", path=str(path), line=exc.lineno) from exc

    def tsv(
        self, path: Path, stage: str | None, required: tuple[str, ...] = ()
    ) -> list[dict[str, str]] | None:
        if not self.opens(path, stage):
            return None
        return read_tsv(path, required=required)

    def figure(self, results: Path, name: str, preferred: str) -> Path | None:
        for candidate in figure_candidates(results, name, preferred):
            if candidate.is_file():
                self.note(candidate)
                return candidate
        return None


def expect_mapping(data: Any, path: Path) -> dict[str, Any]:
    if not isinstance(data, dict):
        raise InputError(f"expected a JSON object, found {type(data).__name__}", path=str(path))
    return data
