"""Helpers shared by the report's view models: labels and embedded figures.

Numbers are printed by ``evsynth.contracts.format`` only, so the page and the figures show the
same p-values and intervals.
"""

from __future__ import annotations

import base64
from pathlib import Path
from typing import Any

from evsynth.contracts.format import NA

__all__ = ["DASH", "NA", "anchor", "figure", "label_of"]

DASH = "\u2013"


def figure(path: Path | None, alt: str, caption: str, *, missing: str) -> dict[str, str]:
    """A figure embedded as a data URI (the page opens offline), or the note saying it is absent."""
    if path is None:
        return {"src": "", "alt": alt, "caption": caption, "missing": missing}
    mime = "image/svg+xml" if path.suffix.lower() == ".svg" else "image/png"
    data = base64.b64encode(path.read_bytes()).decode("ascii")
    return {"src": f"data:{mime};base64,{data}", "alt": alt, "caption": caption, "missing": ""}


def label_of(table: dict[str, Any], key: Any) -> str:
    """The configured label of a factor or outcome key; the key itself, or a dash when unset."""
    if key in (None, ""):
        return DASH
    return str((table.get(key) or {}).get("label") or key)


def anchor(text: str) -> str:
    """An id fragment: letters and digits kept, everything else a hyphen."""
    return "".join(c if c.isalnum() else "-" for c in text.lower()).strip("-")
