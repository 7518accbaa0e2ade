"""The YAML schemas of the config and of every user-edited sheet, read from the installed package.

One home: the repository's ``workflow/schemas/`` (Snakemake's ``validate()`` reads the config
schemas there). The package reaches the same files through ``evsynth/scaffold/workflow``, a link
in a source checkout and real copies in a wheel (package data), found with
:mod:`importlib.resources`, so a plain ``pip install`` validates sheets exactly as a checkout does.

:func:`check_sheet_row` applies a sheet schema to one CSV row as the reviewer wrote it (every cell
a string) and names the file, line and column of each problem.
"""

from __future__ import annotations

import importlib.resources
from collections.abc import Iterable, Mapping
from functools import cache
from importlib.resources.abc import Traversable
from typing import Any

import jsonschema
import yaml

from evsynth.errors import InputError

__all__ = [
    "SHEET_SCHEMAS",
    "check_sheet_header",
    "check_sheet_row",
    "load_schema",
    "schema_dir",
]

# Every sheet a person fills in, by the name of its schema file (without .schema.yaml).
SHEET_SCHEMAS = (
    "screening_decisions",
    "dedup_decisions",
    "extraction_studies",
    "extraction_effects",
    "risk_of_bias",
)


def schema_dir() -> Traversable:
    """``workflow/schemas`` of the installed evsynth (through the package's workflow data)."""
    return importlib.resources.files("evsynth") / "scaffold" / "workflow" / "schemas"


@cache
def load_schema(name: str) -> dict[str, Any]:
    """One schema: a sheet (``screening_decisions``) or a config section (``config/pooling``)."""
    resource = schema_dir().joinpath(*f"{name}.schema.yaml".split("/"))
    try:
        text = resource.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise InputError(
            f"schema {name}.schema.yaml is not installed with evsynth (looked in {schema_dir()}); "
            "reinstall evsynth"
        ) from None
    return yaml.safe_load(text)


@cache
def _validator(name: str) -> jsonschema.Draft202012Validator:
    return jsonschema.Draft202012Validator(load_schema(name))


def check_sheet_header(name: str, header: Iterable[str], *, path: str) -> None:
    """The columns a sheet must have: one of the schema's ``required`` sets (or ``anyOf`` sets)."""
    schema = load_schema(name)
    columns = {h.strip() for h in header}
    choices = [schema["required"]] if "required" in schema else []
    choices += [alt["required"] for alt in schema.get("anyOf", []) if "required" in alt]
    if not choices or any(set(c) <= columns for c in choices):
        return
    wanted = " or ".join(", ".join(c) for c in choices)
    raise InputError(
        f"missing column(s): the {name.replace('_', ' ')} sheet needs {wanted}",
        path=path,
        line=1,
    )


def check_sheet_row(name: str, row: Mapping[str, str | None], *, path: str, line: int) -> None:
    """Apply sheet schema ``name`` to one row (cells as written, stripped).

    A blank cell is an absent value, except in a column whose ``enum`` lists ``""`` (a blank
    decision means "not decided yet"). Columns the schema does not describe are context (titles,
    authors from a queue) and are allowed unless the schema says ``additionalProperties: false``.

    Raises
    ------
    InputError
        Naming the file, line and column, the value and what would be valid.
    """
    properties = load_schema(name).get("properties", {})
    instance = {}
    for key, value in row.items():
        if key is None or not isinstance(value, str):
            continue
        column, text = key.strip(), value.strip()
        if text or "" in properties.get(column, {}).get("enum", ()):
            instance[column] = text
    errors = sorted(_validator(name).iter_errors(instance), key=lambda e: list(e.path))
    if not errors:
        return
    error = errors[0]
    column = str(error.path[0]) if error.path else None
    spec = properties.get(column, {}) if column else {}
    if error.validator == "enum":
        words = [v for v in spec.get("enum", []) if v not in ("", None)]
        lower = [str(v).lower() for v in words]
        shown = dict.fromkeys(lower if len(set(lower)) < len(words) else words)
        valid = ", ".join(repr(v) for v in shown)
        if len(shown) < len(words):
            valid += " (any case)"
        message = f"{error.instance!r} is not valid; use one of {valid}"
    elif error.validator == "pattern":
        message = f"{error.instance!r} does not match the pattern {spec.get('pattern')}"
    elif error.validator in ("required", "anyOf"):
        message = f"a row needs a value in: {_required_text(load_schema(name))}"
    else:
        message = error.message
    raise InputError(message, path=path, line=line, field=column)


def _required_text(schema: Mapping[str, Any]) -> str:
    choices = [schema["required"]] if "required" in schema else []
    choices += [alt["required"] for alt in schema.get("anyOf", []) if "required" in alt]
    return " or ".join(", ".join(c) for c in choices)
