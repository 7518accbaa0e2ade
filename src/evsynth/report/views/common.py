"""Helpers shared by the report's view models: number text, labels, embedded figures."""

from __future__ import annotations

import base64
from pathlib import Path
from typing import Any

__all__ = ["DASH", "NA", "anchor", "ci", "figure", "fmt", "fmt_hr", "fmt_p", "label_of"]

DASH = "\u2013"
NA = "NA"


def fmt_hr(value: float | None, digits: int = 2) -> str:
    """An HR or CI bound with fixed decimals; unknown is "NA"."""
    return NA if value is None else f"{value:.{digits}f}"


def fmt_p(value: float | None) -> str:
    """A p-value the way journals print it: 3 decimals, "< 0.001" below that."""
    if value is None:
        return NA
    return "< 0.001" if value < 0.001 else f"{value:.3f}"


def fmt(value: float | None, digits: int) -> str:
    """Fixed decimals; unknown is "NA"."""
    return NA if value is None else f"{value:.{digits}f}"


def ci(low: float | None, high: float | None, digits: int = 2) -> str:
    """An interval as "a to b"; "NA" when both bounds are unknown."""
    if low is None and high is None:
        return NA
    return f"{fmt(low, digits)} to {fmt(high, digits)}"


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
