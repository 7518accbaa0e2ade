"""The one way a stage adds its `evsynth <step>` subcommand: the handler's docstring is its help.

The text of a command lives beside the code it describes (click's convention, on argparse): the
docstring's first paragraph is the one-line help of the command list, the other paragraphs are
the description of ``evsynth <step> --help``, filled to the terminal width. The epilog (worked
examples) is printed as written, since its line breaks and indentation are part of the text.
"""

from __future__ import annotations

import argparse
import inspect
import re
import sys
import textwrap
from collections.abc import Callable

__all__ = ["HelpFormatter", "add_command", "command_text", "show_help"]

Handler = Callable[[argparse.Namespace], int]

_PARAGRAPHS = re.compile(r"\n[ \t]*\n")


class _Verbatim(str):
    """Text the formatter prints as written (the epilog), told apart from text it fills.

    argparse turns a text holding ``%(prog)`` into a plain str (then filled): epilogs spell it out.
    """

    __slots__ = ()


class HelpFormatter(argparse.HelpFormatter):
    """Fills each paragraph of the description to the width; keeps a ``_Verbatim`` text as is."""

    def _fill_text(self, text: str, width: int, indent: str) -> str:
        if isinstance(text, _Verbatim):
            return "".join(indent + line for line in text.splitlines(keepends=True))
        return "\n\n".join(
            textwrap.fill(
                " ".join(part.split()), width, initial_indent=indent, subsequent_indent=indent
            )
            for part in _PARAGRAPHS.split(text.strip())
        )


def command_text(handler: Handler) -> tuple[str, str]:
    """(help, description) from ``handler``'s docstring; raises if it has none.

    A one-paragraph docstring is also the description, as a sentence: `plot forest`'s one line
    says all there is to say.
    """
    doc = inspect.getdoc(handler)
    if not doc or not doc.strip():
        raise TypeError(
            f"command handler {handler.__module__}.{handler.__qualname__} has no docstring: its "
            "first paragraph is the command's help, the others its description"
        )
    summary, *rest = _PARAGRAPHS.split(doc.strip(), maxsplit=1)
    summary = " ".join(summary.split())
    description = rest[0] if rest else summary[0].upper() + summary[1:] + "."
    return summary, description


def add_command(
    subparsers: argparse._SubParsersAction,
    name: str,
    handler: Handler,
    *,
    epilog: str | None = None,
) -> argparse.ArgumentParser:
    """Add subcommand ``name`` run by ``handler``, its help taken from the handler's docstring."""
    summary, description = command_text(handler)
    parser = subparsers.add_parser(
        name,
        # The command list %-formats each help (as for %(default)s); a docstring is plain text.
        help=summary.replace("%", "%%"),
        description=description,
        epilog=None if epilog is None else _Verbatim(epilog),
        formatter_class=HelpFormatter,
    )
    parser.set_defaults(func=handler, command_parser=parser)
    return parser


def show_help(args: argparse.Namespace) -> int:
    """Print the help of the command given without its sub-command (`evsynth plot`); exit code 2."""
    args.command_parser.print_help(sys.stderr)
    return 2
