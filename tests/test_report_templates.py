"""The report's templates: every value escaped by the engine, templates shipped as package data."""

from __future__ import annotations

import re
import shutil
from html.parser import HTMLParser
from importlib import resources
from pathlib import Path

import yaml

from evsynth.report import write_report

DATA = Path(__file__).parent / "data" / "report"
EVIL = "<script>alert('x')</script> & \"quoted\""


class Texts(HTMLParser):
    """Every text node with the tag it is in, every attribute value, and every tag name."""

    def __init__(self, html: str) -> None:
        super().__init__()
        self.stack: list[str] = []
        self.texts: list[tuple[str, str]] = []
        self.attributes: list[str] = []
        self.tags: list[str] = []
        self.feed(html)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append(tag)
        self.attributes += [v or "" for _, v in attrs]
        if tag not in ("img", "meta", "br"):
            self.stack.append(tag)

    def handle_endtag(self, tag: str) -> None:
        if self.stack and self.stack[-1] == tag:
            self.stack.pop()

    def handle_data(self, data: str) -> None:
        self.texts.append((self.stack[-1] if self.stack else "", data))


def test_hostile_labels_are_escaped_everywhere(tmp_path: Path) -> None:
    """A title, analysis, factor and study label that are markup print as text, in every place."""
    shutil.copytree(DATA / "results_fixture", tmp_path / "results")
    config = yaml.safe_load((DATA / "config.yaml").read_text(encoding="utf-8"))
    config["review"]["title"] = f"Review {EVIL}"
    config["analyses"][0]["label"] = f"Analysis {EVIL}"
    config["extraction"]["factors"]["bilateral"]["label"] = f"Factor {EVIL}"
    (tmp_path / "config.yaml").write_text(yaml.safe_dump(config), encoding="utf-8")
    studies = tmp_path / "results" / "extraction" / "studies.tsv"
    text = studies.read_text(encoding="utf-8")
    assert "\tHarting 2006\t" in text
    studies.write_text(text.replace("\tHarting 2006\t", f"\tStudy {EVIL}\t"), encoding="utf-8")
    out = write_report(
        config_path=tmp_path / "config.yaml",
        results=tmp_path / "results",
        out=tmp_path / "index.html",
    )
    html = out.read_text(encoding="utf-8")

    assert "<script" not in html
    page = Texts(html)
    assert "script" not in page.tags
    # Where each label is printed (as text, after the parser decoded the entities).
    where: dict[str, set[str]] = {}
    for tag, data in page.texts:
        for name in ("Review", "Analysis", "Factor", "Study"):
            if f"{name} {EVIL}" in data:
                where.setdefault(name, set()).add(tag)
    assert {"title", "h1"} <= where["Review"]
    assert {"a", "h2", "caption"} <= where["Analysis"]  # contents, summary row, section, table
    assert "td" in where["Factor"]
    assert "th" in where["Study"]  # the studies table
    # Labels in attributes (image alt text) are escaped too: the parser gets them back whole.
    assert any(f"Analysis {EVIL}" in value for value in page.attributes)
    # Every occurrence in the raw page is the escaped form, never a raw tag or quote.
    raw = html.count("&lt;script&gt;alert(&#x27;x&#x27;)&lt;/script&gt; &amp; &quot;quoted&quot;")
    assert raw == sum(data.count(EVIL) for _, data in page.texts) + sum(
        value.count(EVIL) for value in page.attributes
    )
    assert raw >= 8


def test_templates_ship_as_package_data() -> None:
    """The templates are found through importlib.resources, as in an installed (non-editable) wheel,
    and the package data glob of pyproject.toml covers every one of them."""
    folder = resources.files("evsynth.report") / "templates"
    names = sorted(p.name for p in folder.iterdir() if p.name.endswith(".html.j2"))
    assert {"page.html.j2", "body.html.j2", "macros.html.j2", "analysis.html.j2"} <= set(names)
    # Every template the page includes or imports exists under that folder.
    used = set()
    for name in names:
        source = (folder / name).read_text(encoding="utf-8")
        used |= set(re.findall(r'{%-?\s*(?:include|from|import)\s+"([^"]+)"', source))
    assert used <= set(names)
    pyproject = (Path(__file__).parents[1] / "pyproject.toml").read_text(encoding="utf-8")
    assert '"**/*.j2"' in pyproject
