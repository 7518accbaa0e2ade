"""A command's help is its handler's docstring: one style, filled descriptions, raw examples."""

from __future__ import annotations

import argparse

import pytest

from evsynth.cli import COMMANDS, build_parser, main
from evsynth.commands import add_command, command_text
from evsynth.sources.cli import EPILOG as IMPORT_EPILOG

# Parent commands and their sub-commands, which follow the same rules one level down.
PARENTS = {"plot": "<figure>", "prisma": "{counts,diagram}", "search": "<database>"}


def _commands(parser: argparse.ArgumentParser) -> dict[str, tuple[str, argparse.ArgumentParser]]:
    """name -> (help line in the command list, the command's parser)."""
    (action,) = (a for a in parser._actions if isinstance(a, argparse._SubParsersAction))
    helps = {choice.dest: choice.help for choice in action._choices_actions}
    return {name: (helps[name], sub) for name, sub in action.choices.items()}


def _every_command() -> list[tuple[str, str, argparse.ArgumentParser]]:
    found = []
    for name, (help_line, parser) in _commands(build_parser()).items():
        found.append((name, help_line, parser))
        if name in PARENTS:
            found += [(f"{name} {s}", h, p) for s, (h, p) in _commands(parser).items()]
    return found


EVERY = _every_command()


def test_every_command_is_registered_from_its_module() -> None:
    for step in COMMANDS:
        assert set(_commands(build_parser(step))) >= {step}
    assert {name for name, _, _ in EVERY if " " not in name} == set(COMMANDS)
    # The parents' sub-commands are there too, not only the top level.
    assert {"plot forest", "prisma counts", "prisma diagram", "search pubmed"} <= {
        name for name, _, _ in EVERY
    }


@pytest.mark.parametrize(("name", "help_line", "parser"), EVERY, ids=[n for n, _, _ in EVERY])
def test_help_line_and_description_follow_the_house_style(
    name: str, help_line: str, parser: argparse.ArgumentParser
) -> None:
    assert help_line and "\n" not in help_line, name
    first = help_line.split()[0]
    # Lower-case, except an acronym (PRISMA, GRADE) that is always written in capitals.
    assert first.islower() or first.isupper(), (name, help_line)
    assert not help_line.endswith("."), (name, help_line)
    assert parser.description and parser.description.strip(), name


@pytest.mark.parametrize("name", [n for n, _, _ in EVERY])
def test_each_help_exits_zero(name: str, capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exit_info:
        main([*name.split(), "--help"])
    assert exit_info.value.code == 0
    assert capsys.readouterr().out.startswith(f"usage: evsynth {name}")


def test_top_level_descriptions_say_more_than_the_help_line() -> None:
    for name, help_line, parser in EVERY:
        if " " not in name:
            assert parser.description.rstrip(".").lower() != help_line.lower(), name


def test_description_is_filled_and_epilog_kept_as_written(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("COLUMNS", "62")  # argparse fills to COLUMNS - 2
    with pytest.raises(SystemExit):
        main(["import", "--help"])
    out = capsys.readouterr().out
    # The worked example keeps its line breaks and indentation, however narrow the terminal
    # (its formats line is far wider than 60 characters).
    assert IMPORT_EPILOG.rstrip("\n") in out
    assert max(len(line) for line in IMPORT_EPILOG.splitlines()) > 60
    description = out.split("\n\n")[1]
    assert description.startswith("Read one or more exports of one database search")
    assert len(description.splitlines()) > 1
    assert max(len(line) for line in description.splitlines()) <= 60


def test_percent_signs_are_plain_text(capsys: pytest.CaptureFixture[str]) -> None:
    # The docstring says 95%; argparse %-formats help lines, so add_command escapes them.
    with pytest.raises(SystemExit):
        main(["plot", "--help"])
    assert "funnel plot with pseudo 95% limits" in capsys.readouterr().out
    with pytest.raises(SystemExit):
        main(["plot", "funnel", "--help"])
    assert "Funnel plot with pseudo 95% limits, trim-and-fill and Egger's test." in (
        capsys.readouterr().out
    )


@pytest.mark.parametrize("parent", sorted(PARENTS))
def test_a_parent_without_its_sub_command_prints_its_help(
    parent: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main([parent]) == 2
    err = capsys.readouterr().err
    assert err.startswith(f"usage: evsynth {parent}")
    assert PARENTS[parent] in err


def _documented(args: argparse.Namespace) -> int:
    """list the things

    List every thing, one a line,
    sorted by name.

    Nothing is written.
    """
    return 0


def _one_line(args: argparse.Namespace) -> int:
    """deprecated: use `evsynth other` (same options)"""
    return 0


def _undocumented(args: argparse.Namespace) -> int:
    return 0


def test_command_text_splits_the_docstring() -> None:
    assert command_text(_documented) == (
        "list the things",
        "List every thing, one a line,\nsorted by name.\n\nNothing is written.",
    )
    # A one-paragraph docstring is also the description, written as a sentence.
    assert command_text(_one_line) == (
        "deprecated: use `evsynth other` (same options)",
        "Deprecated: use `evsynth other` (same options).",
    )


def test_a_handler_without_docstring_is_refused() -> None:
    subparsers = argparse.ArgumentParser().add_subparsers()
    with pytest.raises(TypeError, match="_undocumented has no docstring"):
        add_command(subparsers, "things", _undocumented)


def test_add_command_sets_the_handler_and_keeps_paragraphs(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("COLUMNS", "100")
    top = argparse.ArgumentParser(prog="evsynth")
    parser = add_command(
        top.add_subparsers(), "things", _documented, epilog="example:\n  x \\\n  y"
    )
    assert parser.parse_args([]).func is _documented
    text = parser.format_help()
    assert "List every thing, one a line, sorted by name.\n\nNothing is written.\n" in text
    assert text.endswith("example:\n  x \\\n  y\n")
