"""The `evsynth` command: every step is registered, each `--help` shows an example."""

from __future__ import annotations

import pytest

from evsynth import __version__
from evsynth.cli import COMMANDS, build_parser, main

# Steps whose subcommand has its own sub-steps.
NESTED = {
    "search": ["pubmed"],
    "plot": ["forest", "funnel", "prisma", "leave-one-out"],
    "prisma": ["counts", "diagram"],
}


def test_every_step_is_registered() -> None:
    parser = build_parser()
    registered = set(parser._subparsers._group_actions[0].choices)
    assert registered == set(COMMANDS)


@pytest.mark.parametrize("step", sorted(COMMANDS))
def test_each_help_shows_an_example(step: str, capsys: pytest.CaptureFixture[str]) -> None:
    for argv in [[step, *([sub] if sub else [])] for sub in NESTED.get(step, [None])]:
        with pytest.raises(SystemExit) as exit_info:
            main([*argv, "--help"])
        assert exit_info.value.code == 0
        assert "example" in capsys.readouterr().out.lower(), argv


def test_version_and_bare_call(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit):
        main(["--version"])
    assert __version__ in capsys.readouterr().out
    assert main([]) == 2


def test_a_step_loads_only_its_own_module() -> None:
    # `evsynth import` must not pay for the other stages (scipy, matplotlib) at start-up.
    parser = build_parser("import")
    assert set(parser._subparsers._group_actions[0].choices) == {"import"}
