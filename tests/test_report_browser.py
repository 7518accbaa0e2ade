"""The report opened in a real browser (headless Debian Chromium through chromedriver).

Selenium drives Debian's /usr/bin/chromium through /usr/bin/chromedriver (both named explicitly,
so Selenium Manager never looks for, or downloads, a browser or driver): open index.html from
disk with networking disabled, then check that every image decoded (naturalWidth > 0), that the
console logged no error, and that the pooled numbers the browser renders equal those in
summary.tsv. A screenshot is saved next to the page for a human look.
"""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from selenium import webdriver
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.remote.webdriver import WebDriver

from evsynth.contracts.format import format_hr, format_p
from evsynth.tables import read_tsv
from tests.support.report import build_report, copy_report_project

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


def _console(browser: WebDriver) -> list[dict]:
    """Browser console messages since the last call (chromedriver's "browser" log)."""
    return browser.get_log("browser")  # type: ignore[attr-defined]


@pytest.fixture(scope="module")
def browser(tmp_path_factory: pytest.TempPathFactory) -> Iterator[WebDriver]:
    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    for arg in CHROME_ARGS:
        options.add_argument(arg)
    options.add_argument(f"--user-data-dir={tmp_path_factory.mktemp('chrome-profile')}")
    options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    log = tmp_path_factory.mktemp("chromedriver") / "chromedriver.log"
    service = Service(executable_path=CHROMEDRIVER, log_output=str(log))
    driver = webdriver.Chrome(service=service, options=options)
    try:
        yield driver
    finally:
        driver.quit()


@pytest.fixture(scope="module")
def page(tmp_path_factory: pytest.TempPathFactory, browser: WebDriver) -> tuple[WebDriver, Path]:
    project = copy_report_project(tmp_path_factory.mktemp("project"))
    build_report(project)
    out = project / "results" / "report" / "index.html"
    _console(browser)  # drop messages from before the page
    browser.get(out.resolve().as_uri())
    return browser, out


def test_every_image_loads(page: tuple[WebDriver, Path]) -> None:
    browser, _ = page
    images = browser.execute_script(
        "return Array.from(document.images).map(i => "
        "({complete: i.complete, width: i.naturalWidth, alt: i.alt}));"
    )
    assert len(images) == 4
    for image in images:
        assert image["complete"] and image["width"] > 0, image
        assert image["alt"]


def test_no_console_errors(page: tuple[WebDriver, Path]) -> None:
    browser, _ = page
    messages = _console(browser)
    errors = [m for m in messages if m.get("level") in ("SEVERE", "ERROR")]
    assert errors == []


def test_rendered_pooled_numbers_equal_summary_tsv(page: tuple[WebDriver, Path]) -> None:
    browser, _ = page
    rendered = browser.execute_script(
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
        assert cells["hr"]["text"] == format_hr(float(s["hr"]))
        assert cells["ci"]["text"] == f"[{float(s['ci_low']):.2f}, {float(s['ci_high']):.2f}]"
        assert float(cells["ci"]["low"]) == float(s["ci_low"])
        assert float(cells["ci"]["high"]) == float(s["ci_high"])
        assert cells["p"]["text"] == format_p(float(s["p"]))
        # I^2 means nothing for a single study: shown as a dash.
        i2 = "\u2013" if s["k"] == "1" else f"{float(s['i2']):.1f}%"
        assert cells["i2"]["text"] == i2
        checked += 1
    assert checked == 3
    # The chosen model's row in each analysis section shows the same HR.
    chosen = browser.execute_script(
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
    assert browser.save_screenshot(str(shot))
    assert shot.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    width = browser.execute_script("return document.documentElement.scrollWidth;")
    viewport = browser.execute_script("return window.innerWidth;")
    assert width <= viewport  # no horizontal scrolling at a laptop width


def test_the_checks_catch_a_broken_page(browser: WebDriver, tmp_path: Path) -> None:
    """The same checks fail on a page with an undecodable and a missing image (they can fail)."""
    broken = tmp_path / "broken.html"
    broken.write_text(
        '<!DOCTYPE html><html lang="en"><body><img alt="bad" src="data:image/png;base64,AAAA">'
        '<img alt="missing" src="missing.png"></body></html>',
        encoding="utf-8",
    )
    _console(browser)
    browser.get(broken.as_uri())
    widths = browser.execute_script("return Array.from(document.images).map(i => i.naturalWidth);")
    assert widths == [0, 0]
    errors = [m for m in _console(browser) if m.get("level") == "SEVERE"]
    assert any("missing.png" in m["message"] for m in errors)
