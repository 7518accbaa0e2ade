"""The report opened in a real browser (headless Debian Chromium through chromedriver).

A tiny W3C WebDriver client over `requests` (no selenium): start chromedriver on a free port,
open index.html from disk with networking disabled, then check that every image decoded
(naturalWidth > 0), that the console logged no error, and that the pooled numbers the browser
renders equal those in summary.tsv. A screenshot is saved next to the page for a human look.
"""

from __future__ import annotations

import base64
import shutil
import socket
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import requests

from evsynth.report import write_report
from evsynth.report.render import fmt_hr, fmt_p
from evsynth.tables import read_tsv

DATA = Path(__file__).parent / "data" / "report"
CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
CHROMEDRIVER = shutil.which("chromedriver") or "/usr/bin/chromedriver"
CHROME_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--window-size=1280,2000",
]

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(
        not (Path(CHROMIUM).exists() and Path(CHROMEDRIVER).exists()),
        reason="needs Debian's chromium and chromium-driver (.ci/run installs them)",
    ),
]


class WebDriver:
    """The few W3C WebDriver commands the test needs."""

    def __init__(self, base: str, user_data_dir: Path) -> None:
        self.base = base
        caps = {
            "capabilities": {
                "alwaysMatch": {
                    "browserName": "chrome",
                    "goog:chromeOptions": {
                        "binary": CHROMIUM,
                        "args": [*CHROME_ARGS, f"--user-data-dir={user_data_dir}"],
                    },
                    "goog:loggingPrefs": {"browser": "ALL"},
                }
            }
        }
        value = self._call("POST", "/session", caps)
        self.session = value["sessionId"]

    def _call(self, method: str, path: str, body: dict[str, Any] | None = None) -> Any:
        response = requests.request(method, self.base + path, json=body, timeout=60)
        data = response.json()
        if response.status_code != 200:
            raise AssertionError(f"WebDriver {method} {path}: {data}")
        return data["value"]

    def command(self, method: str, path: str, body: dict[str, Any] | None = None) -> Any:
        return self._call(method, f"/session/{self.session}{path}", body)

    def get(self, url: str) -> None:
        self.command("POST", "/url", {"url": url})

    def script(self, source: str) -> Any:
        return self.command("POST", "/execute/sync", {"script": source, "args": []})

    def console(self) -> list[dict[str, Any]]:
        return self.command("POST", "/se/log", {"type": "browser"})

    def screenshot(self, path: Path) -> None:
        path.write_bytes(base64.b64decode(self.command("GET", "/screenshot")))

    def quit(self) -> None:
        self.command("DELETE", "")


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture(scope="module")
def browser(tmp_path_factory: pytest.TempPathFactory) -> Iterator[WebDriver]:
    port = _free_port()
    log = tmp_path_factory.mktemp("chromedriver") / "chromedriver.log"
    process = subprocess.Popen(
        [CHROMEDRIVER, f"--port={port}", f"--log-path={log}"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        for _ in range(100):
            try:
                if requests.get(base + "/status", timeout=2).json()["value"]["ready"]:
                    break
            except requests.ConnectionError:
                time.sleep(0.1)
        else:
            pytest.fail(f"chromedriver did not start; see {log}")
        driver = WebDriver(base, tmp_path_factory.mktemp("chrome-profile"))
        try:
            yield driver
        finally:
            driver.quit()
    finally:
        process.terminate()
        process.wait(timeout=30)


@pytest.fixture(scope="module")
def page(tmp_path_factory: pytest.TempPathFactory, browser: WebDriver) -> tuple[WebDriver, Path]:
    project = tmp_path_factory.mktemp("project")
    shutil.copytree(DATA / "results_fixture", project / "results")
    shutil.copy(DATA / "config.yaml", project / "config.yaml")
    out = write_report(
        config_path=project / "config.yaml",
        results=project / "results",
        out=project / "results" / "report" / "index.html",
    )
    browser.console()  # drop messages from before the page
    browser.get(out.resolve().as_uri())
    return browser, out


def test_every_image_loads(page: tuple[WebDriver, Path]) -> None:
    browser, _ = page
    images = browser.script(
        "return Array.from(document.images).map(i => "
        "({complete: i.complete, width: i.naturalWidth, alt: i.alt}));"
    )
    assert len(images) == 4
    for image in images:
        assert image["complete"] and image["width"] > 0, image
        assert image["alt"]


def test_no_console_errors(page: tuple[WebDriver, Path]) -> None:
    browser, _ = page
    messages = browser.console()
    errors = [m for m in messages if m.get("level") in ("SEVERE", "ERROR")]
    assert errors == []


def test_rendered_pooled_numbers_equal_summary_tsv(page: tuple[WebDriver, Path]) -> None:
    browser, _ = page
    rendered = browser.script(
        "return Array.from(document.querySelectorAll('#summary-table tbody tr')).map(tr => ({"
        "analysis: tr.dataset.analysis, "
        "cells: Object.fromEntries(Array.from(tr.querySelectorAll('td[data-field]')).map("
        "td => [td.dataset.field, {text: td.innerText.trim(), value: td.dataset.value || '', "
        "low: td.dataset.low || '', high: td.dataset.high || ''}]))}));"
    )
    summary = {
        r["analysis"]: r for r in read_tsv(DATA / "results_fixture" / "pooling" / "summary.tsv")
    }
    checked = 0
    for row in rendered:
        s = summary.get(row["analysis"])
        if s is None or not s["hr"]:
            continue
        cells = row["cells"]
        assert cells["k"]["text"] == s["k"]
        assert float(cells["hr"]["value"]) == float(s["hr"])
        assert cells["hr"]["text"] == fmt_hr(float(s["hr"]))
        assert cells["ci"]["text"] == f"{float(s['ci_low']):.2f} to {float(s['ci_high']):.2f}"
        assert float(cells["ci"]["low"]) == float(s["ci_low"])
        assert float(cells["ci"]["high"]) == float(s["ci_high"])
        assert cells["p"]["text"] == fmt_p(float(s["p"]))
        # I^2 means nothing for a single study: shown as a dash.
        i2 = "\u2013" if s["k"] == "1" else f"{float(s['i2']):.1f}%"
        assert cells["i2"]["text"] == i2
        checked += 1
    assert checked == 3
    # The chosen model's row in each analysis section shows the same HR.
    chosen = browser.script(
        "return Array.from(document.querySelectorAll('tr.chosen td[data-field=hr]')).map("
        "td => [td.closest('tr').dataset.analysis, td.dataset.value]);"
    )
    assert {a: float(v) for a, v in chosen} == {
        a: float(summary[a]["hr"])
        for a in ("complete_resection_prs", "complete_resection_prs_no_kempf")
    }


def test_screenshot_of_the_page(page: tuple[WebDriver, Path]) -> None:
    browser, out = page
    shot = out.with_name("screenshot.png")
    browser.screenshot(shot)
    assert shot.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    width = browser.script("return document.documentElement.scrollWidth;")
    viewport = browser.script("return window.innerWidth;")
    assert width <= viewport  # no horizontal scrolling at a laptop width


def test_the_checks_catch_a_broken_page(browser: WebDriver, tmp_path: Path) -> None:
    """The same checks fail on a page with an undecodable and a missing image (they can fail)."""
    broken = tmp_path / "broken.html"
    broken.write_text(
        '<!DOCTYPE html><html lang="en"><body><img alt="bad" src="data:image/png;base64,AAAA">'
        '<img alt="missing" src="missing.png"></body></html>',
        encoding="utf-8",
    )
    browser.console()
    browser.get(broken.as_uri())
    widths = browser.script("return Array.from(document.images).map(i => i.naturalWidth);")
    assert widths == [0, 0]
    errors = [m for m in browser.console() if m.get("level") == "SEVERE"]
    assert any("missing.png" in m["message"] for m in errors)
