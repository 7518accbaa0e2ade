"""One name per setting: the deprecated spellings of command-line options, still accepted.

A setting has one name across config, CLI and docs (``pooling.prediction_interval`` is
``--prediction-interval``); an option renamed to that name keeps its old spelling as an alias, so
users' scripts go on working, and each use of the old spelling prints one warning on stderr.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from typing import Any

__all__ = ["add_renamed", "renamed"]


def renamed(command: str, new: str, base: type[argparse.Action] = argparse._StoreAction):
    """An argparse action class for ``add_argument(new, old, ..., action=renamed(...))``: it does
    what ``base`` does and warns when the option was given by its old spelling."""

    class Renamed(base):  # type: ignore[misc, valid-type]
        def __call__(
            self,
            parser: argparse.ArgumentParser,
            namespace: argparse.Namespace,
            values: str | Sequence[Any] | None,
            option_string: str | None = None,
        ) -> None:
            if option_string is not None and option_string != new:
                print(
                    f"evsynth {command}: {option_string} is deprecated, use {new}",
                    file=sys.stderr,
                )
            super().__call__(parser, namespace, values, option_string)

    return Renamed


def add_renamed(
    parser: argparse.ArgumentParser, command: str, new: str, old: str, *, help: str, **kwargs: Any
) -> argparse.Action:
    """``parser.add_argument(new, old, ...)`` with the old spelling deprecated (and said so in
    the help)."""
    return parser.add_argument(
        new,
        old,
        action=renamed(command, new),
        help=f"{help} ({old}: deprecated spelling)",
        **kwargs,
    )
