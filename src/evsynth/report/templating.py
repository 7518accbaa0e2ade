"""The report's Jinja2 environment: templates in ``report/templates``, autoescape always on.

The page is written on few lines (a diff of two versions shows the changed section, and reruns
are byte-identical), while the templates are indented for reading. ``Compact`` removes the line
breaks and indentation of the *template source* between tags before Jinja compiles it, so data
(search strategies with their own line breaks) are never touched. ``page.html.j2`` keeps its
line breaks: it is the page skeleton.
"""

from __future__ import annotations

import re
from functools import cache
from typing import Any

from jinja2 import Environment, PackageLoader, StrictUndefined
from jinja2.ext import Extension

from evsynth.report.facts import to_float

__all__ = ["render_template"]

# Jinja's tags and comments, kept as they are; everything between them is compacted.
_TAGS = re.compile(r"(\{%.*?%\}|\{\{.*?\}\}|\{#.*?#\})", re.DOTALL)
_VERBATIM = {"page.html.j2"}


class Compact(Extension):
    """Drop each line break of the template source together with the next line's indent."""

    def preprocess(self, source: str, name: str | None, filename: str | None = None) -> str:
        if name in _VERBATIM:
            return source
        parts = _TAGS.split(source)
        for i in range(0, len(parts), 2):
            parts[i] = re.sub(r"\n[ \t]*", "", parts[i])
        return "".join(parts)


def _num(value: Any) -> str:
    """An exact machine-readable value for data-value attributes (what tests compare)."""
    number = to_float(value)
    return "" if number is None else repr(number)


@cache
def _environment() -> Environment:
    env = Environment(
        loader=PackageLoader("evsynth.report", "templates"),
        autoescape=True,
        undefined=StrictUndefined,
        keep_trailing_newline=True,
        extensions=[Compact],
    )
    env.filters["num"] = _num
    return env


def render_template(name: str, **context: Any) -> str:
    """Render one template with autoescape.

    markupsafe spells the escaped quotes ``&#39;`` and ``&#34;``; the page has always used the
    standard library's ``&#x27;`` and ``&quot;`` (html.escape), kept so that pages built before
    and after the move to templates compare equal. Only escaping produces these two entities
    (an ``&`` in data is itself escaped to ``&amp;``), so the replacement is exact.
    """
    html = _environment().get_template(name).render(**context)
    return html.replace("&#39;", "&#x27;").replace("&#34;", "&quot;")
