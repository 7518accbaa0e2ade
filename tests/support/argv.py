"""Command lines of the evsynth verbs that several test modules run on the same kind of inputs.

One spelling of each, so that a renamed option is changed once in the tests rather than in every
module that happened to type the list out.
"""

from __future__ import annotations

from pathlib import Path

__all__ = ["extract_args", "prisma_counts_args"]


def extract_args(data: Path, *extra: str, effects: str = "effects.csv") -> list[str]:
    """``evsynth extract`` on ``data``'s studies.csv, effects sheet and config.yaml; ``extra``
    (``--out``, ``--screening`` ...) follows."""
    return [
        "extract",
        "--studies",
        str(data / "studies.csv"),
        "--effects",
        str(data / effects),
        "--config",
        str(data / "config.yaml"),
        *extra,
    ]


def prisma_counts_args(summary: Path, title_abstract: Path, full_text: Path) -> list[str]:
    """The three inputs every ``prisma counts`` run needs; the caller puts the verb (new or
    deprecated spelling) before them and the other options after."""
    return [
        "--dedup-summary",
        str(summary),
        "--title-abstract",
        str(title_abstract),
        "--full-text",
        str(full_text),
    ]
