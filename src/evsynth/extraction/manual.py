"""Print the extraction manual: `python -m evsynth.extraction.manual > docs/extraction.md`."""

from __future__ import annotations

from evsynth.extraction.schema import render_manual

__all__: list[str] = []

if __name__ == "__main__":
    print(render_manual(), end="")
