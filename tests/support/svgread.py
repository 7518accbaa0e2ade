"""Read back what a figure drew: the SVG groups evsynth tags with ids, and their text.

Every artist that matters carries an id (``forest-study-3``, ``forest-diamond-random``,
``prisma-text-screened``), and text stays text (``svg.fonttype = 'none'``), so tests and the report
can check a figure's content (rows, diamonds, counts, axis ticks) rather than that a file exists.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from dataclasses import dataclass
from pathlib import Path

from evsynth.errors import InputError

__all__ = ["SvgFigure", "load_svg"]

_NS = "{http://www.w3.org/2000/svg}"


@dataclass(frozen=True)
class SvgFigure:
    """An SVG written by evsynth, indexed by element id."""

    root: ET.Element
    ids: dict[str, ET.Element]

    def has(self, element_id: str) -> bool:
        return element_id in self.ids

    def matching(self, pattern: str) -> list[str]:
        """Ids fully matching a regular expression, in document order."""
        rx = re.compile(pattern)
        return [i for i in self.ids if rx.fullmatch(i)]

    def lines(self, element_id: str) -> list[str]:
        """The text lines drawn inside one element (one per ``<text>``)."""
        element = self.ids[element_id]
        return ["".join(t.itertext()) for t in element.iter(f"{_NS}text")]

    def text(self, element_id: str) -> str:
        return "\n".join(self.lines(element_id))

    def all_text(self) -> list[str]:
        return ["".join(t.itertext()) for t in self.root.iter(f"{_NS}text")]

    def tick_labels(self, axis_id: str, axis: str = "x") -> list[tuple[str, float]]:
        """(label, position) of the major ticks of an axes group; x or y position in points."""
        element = self.ids[axis_id]
        out = []
        for tick in element.iter(f"{_NS}g"):
            if not re.fullmatch(rf"{axis}tick_\d+", tick.get("id", "")):
                continue
            texts = list(tick.iter(f"{_NS}text"))
            if not texts:
                continue
            node = texts[0]
            out.append(("".join(node.itertext()), float(node.get(axis, "nan"))))
        return out

    def path_points(self, element_id: str) -> list[tuple[float, float]]:
        """Vertices of the first ``<path>`` inside an element (``M``/``L`` commands)."""
        element = self.ids[element_id]
        for path in element.iter(f"{_NS}path"):
            numbers = [float(v) for v in re.findall(r"-?\d+(?:\.\d+)?", path.get("d", ""))]
            return list(zip(numbers[0::2], numbers[1::2], strict=False))
        return []

    @property
    def size_pt(self) -> tuple[float, float]:
        """Figure width and height in points."""
        return (
            float(self.root.get("width", "0").removesuffix("pt")),
            float(self.root.get("height", "0").removesuffix("pt")),
        )


def load_svg(path: str | Path) -> SvgFigure:
    """Parse an SVG and index its elements by id."""
    try:
        root = ET.parse(path).getroot()
    except (ET.ParseError, FileNotFoundError) as exc:
        raise InputError(f"cannot read SVG: {exc}", path=str(path)) from None
    ids = {el.get("id"): el for el in root.iter() if el.get("id")}
    return SvgFigure(root=root, ids=ids)  # type: ignore[arg-type]
