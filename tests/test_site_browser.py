"""The leaderboard site in a real headless Chromium.

Debian's ``chromium`` and ``chromium-driver``, driven by Selenium with that browser and
driver (nothing is downloaded). The site is built by the real CLI from a real smoke record
of the lif with its example (the committed ``SMOKE_RECORD``, tests/data/records/lif/smoke),
two registered copies of the lif (one carrying HTML and JavaScript in its description and
hardware), a stale record (made at version 2 of a copy whose version was then bumped to 3),
and a refused record filed under a folder whose name is HTML; it is served by
``leaderboard serve`` on 127.0.0.1.

Without the browser these tests skip, unless ``NEURODEPTH_BROWSER_TESTS=required`` (CI sets
it, after installing the browser), which turns a missing browser into a failure.
The overview screenshot is written to ``$NEURODEPTH_SCREENSHOTS`` (default: the test's
temporary folder).
"""

from __future__ import annotations

import copy
import json
import os
import re
import shutil
import subprocess
import sys
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urldefrag, urljoin, urlsplit

import numpy as np
import pytest

from benchmark.leaderboard.site import revised
from conftest import REPO, SMOKE_RECORD, make_cell, put, run_cli

pytestmark = [pytest.mark.browser, pytest.mark.slow]

REQUIRED = os.environ.get("NEURODEPTH_BROWSER_TESTS", "") == "required"
CHROMIUM_FLAGS = ("--headless=new", "--no-sandbox", "--disable-gpu", "--no-first-run",
                  "--disable-background-networking", "--disable-component-update",
                  "--disable-sync", "--window-size=1400,1000")
XSS = '<script>window.__xss = 1</script><img src=x onerror="window.__xss = 2"> & <b>bold</b>'
XSS_CPU = '"><img src=x onerror="window.__xss = 3">'
XSS_FOLDER = '<img src=x onerror="window.__xss = 4">'


def _unavailable(why: str) -> None:
    if REQUIRED:
        pytest.fail(f"{why} (NEURODEPTH_BROWSER_TESTS=required)")
    pytest.skip(why)


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Any]]:
    """The built site, served on 127.0.0.1 by ``leaderboard serve`` (a subprocess)."""
    tmp = tmp_path_factory.mktemp("browser-site")
    cells = tmp / "cells"
    make_cell(cells, "lif_b")
    make_cell(cells, "lif_xss", description=XSS)
    make_cell(cells, "lif_old")
    env = {"NEURODEPTH_CELLS": str(cells)}
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("NEURODEPTH_CELLS", str(cells))
        from benchmark.cells import registry

        good = json.loads((SMOKE_RECORD / "record.json").read_text())
        recs = tmp / "records"
        put(recs, "lif/smoke/record.json", (SMOKE_RECORD / "record.json").read_text())
        put(recs, "lif/smoke/example.json", (SMOKE_RECORD / "example.json").read_text())
        for name, description in (("lif_b", None), ("lif_xss", XSS), ("lif_old", None)):
            rec = copy.deepcopy(good)
            rec["cell"]["name"] = name
            rec["cell"]["digest"] = registry.get(name).digest()
            if description is not None:
                rec["cell"]["description"] = description
                rec["hardware"]["cpu"] = XSS_CPU
            put(recs, f"{name}/smoke/record.json", rec)
        put(recs, f"{XSS_FOLDER}/smoke/record.json", "{")
    # the cell changes after its record was made: version 3 -> 4, so the record is stale
    toml = cells / "lif_old" / "cell.toml"
    toml.write_text(toml.read_text().replace('version = "3"', 'version = "4"', 1))
    out = tmp / "site"
    run_cli("leaderboard", "build", "--records", str(recs), "--out", str(out), env=env,
            check=True)
    server = subprocess.Popen(
        [sys.executable, "-m", "benchmark", "leaderboard", "serve", "--site", str(out),
         "--port", "0"], cwd=REPO, env={**os.environ, **env}, stdout=subprocess.PIPE,
        stderr=subprocess.PIPE, text=True)
    try:
        line = server.stdout.readline() if server.stdout else ""
        match = re.search(r"http://127\.0\.0\.1:(\d+)/", line)
        assert match, f"leaderboard serve did not start: {line!r} {server.stderr}"
        yield {"base": f"http://127.0.0.1:{match.group(1)}/", "out": out, "records": recs,
               "example": json.loads((SMOKE_RECORD / "example.json").read_text())}
    finally:
        server.terminate()
        server.wait(timeout=10)


@pytest.fixture(scope="module")
def browser(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Any]:
    """Headless Chromium through chromedriver, with a fresh user-data folder."""
    chromium = shutil.which("chromium") or shutil.which("chromium-browser")
    driver_path = shutil.which("chromedriver")
    if not chromium or not driver_path:
        _unavailable("no chromium / chromedriver on PATH: apt-get install chromium "
                     "chromium-driver")
    try:
        from selenium import webdriver
        from selenium.webdriver.chrome.options import Options
        from selenium.webdriver.chrome.service import Service
    except ImportError:
        _unavailable("selenium is not installed: pip install -e '.[test]'")
    options = Options()
    options.binary_location = chromium
    for flag in CHROMIUM_FLAGS:
        options.add_argument(flag)
    options.add_argument(f"--user-data-dir={tmp_path_factory.mktemp('chromium-profile')}")
    driver = webdriver.Chrome(options=options, service=Service(executable_path=driver_path))
    driver.set_page_load_timeout(60)
    try:
        yield driver
    finally:
        driver.quit()


PAGE_LOAD_S = 30.0  # s: the longest a page (and its images) may take to load


def _open(browser: Any, url: str) -> None:
    """Load ``url`` and wait until the document and every image on it have loaded: a
    loaded page's ``readyState`` may still read "interactive" for a moment after ``get``
    returns (images decoding), so poll rather than read it once."""
    from selenium.webdriver.support.ui import WebDriverWait

    browser.get(url)
    WebDriverWait(browser, PAGE_LOAD_S, poll_frequency=0.05).until(
        lambda b: b.execute_script(
            "return document.readyState === 'complete' && "
            "Array.from(document.images).every(i => i.complete)"),
        message=f"{url} did not finish loading in {PAGE_LOAD_S:g} s")


def _rows(browser: Any) -> list[str]:
    return [r.get_attribute("data-cell") for r in
            browser.find_elements("css selector", "table.leaderboard tbody tr")]


def _header(browser: Any, label: str) -> Any:
    return next(th for th in browser.find_elements("css selector", "table.leaderboard th")
                if th.text.strip().startswith(label))


def test_overview_loads_with_every_shown_record(browser: Any, site: dict[str, Any],
                                                tmp_path: Path) -> None:
    _open(browser, site["base"] + "index.html")
    assert "NeuroDepth" in browser.title
    assert sorted(_rows(browser)) == ["lif", "lif_b", "lif_old", "lif_xss"]
    heading = browser.find_element("css selector", "section.ranking h2").text
    assert heading == "Profile smoke, protocol version 1"
    refused = browser.find_element("id", "refused").text
    assert f"{XSS_FOLDER}/smoke/record.json: not valid JSON" in refused
    folder = Path(os.environ.get("NEURODEPTH_SCREENSHOTS") or tmp_path)
    folder.mkdir(parents=True, exist_ok=True)
    shot = folder / "overview.png"
    assert browser.save_screenshot(str(shot))
    import matplotlib.image

    pixels = matplotlib.image.imread(str(shot))
    assert pixels.shape[:2] == (browser.execute_script("return window.innerHeight"),
                                browser.execute_script("return window.innerWidth"))
    assert float(np.std(pixels[..., :3])) > 0.05  # not a blank page
    print(f"overview screenshot: {shot}")


def test_sorting_by_a_column_and_back(browser: Any, site: dict[str, Any]) -> None:
    _open(browser, site["base"] + "index.html")
    ranked = _rows(browser)
    cell = _header(browser, "Cell")
    cell.find_element("tag name", "button").click()
    assert _rows(browser) == sorted(ranked)
    assert cell.get_attribute("aria-sort") == "ascending"
    cell.find_element("tag name", "button").click()
    assert _rows(browser) == sorted(ranked, reverse=True)
    assert cell.get_attribute("aria-sort") == "descending"
    rank = _header(browser, "Rank")
    rank.find_element("tag name", "button").click()
    assert _rows(browser) == ranked
    ranks = [r.find_element("css selector", "td").text for r in
             browser.find_elements("css selector", "table.leaderboard tbody tr")]
    assert ranks == ["1", "2", "3", "\u2013"]  # the stale record last, without a rank
    assert cell.get_attribute("aria-sort") is None


def _page_targets(browser: Any) -> tuple[list[str], list[dict[str, Any]]]:
    links = browser.execute_script(
        "return Array.from(document.querySelectorAll('a[href]'), a => a.href)")
    images = browser.execute_script(
        "return Array.from(document.images, i => ({src: i.src, complete: i.complete, "
        "width: i.naturalWidth}))")
    return links, images


def test_every_link_and_image_resolves(browser: Any, site: dict[str, Any]) -> None:
    """Crawl every page reachable from the overview: each same-site link answers 200 (and a
    fragment names an element of its page), each image is loaded with a nonzero width."""
    base = site["base"]
    queue, seen, checked = [base + "index.html"], set(), 0
    while queue:
        page = queue.pop()
        if page in seen:
            continue
        seen.add(page)
        _open(browser, page)
        links, images = _page_targets(browser)
        for image in images:
            assert image["complete"] and image["width"] > 0, (page, image["src"])
        for link in links:
            target, fragment = urldefrag(link)
            if not target.startswith(base):
                assert urlsplit(target).scheme in ("http", "https"), (page, link)
                continue
            try:
                with urllib.request.urlopen(target, timeout=10) as answer:
                    assert answer.status == 200, (page, link)
            except urllib.error.HTTPError as exc:
                raise AssertionError(f"{page}: link {link} answers {exc.code}") from exc
            checked += 1
            if target.endswith(".html"):
                queue.append(target)
            if fragment:
                _open(browser, target)
                assert browser.find_elements("id", fragment), (page, link)
                _open(browser, page)
    cells = {p for p in seen if "/cells/" in p}
    assert len(cells) == 4 and checked > 20


def test_cell_page_shows_its_figures(browser: Any, site: dict[str, Any]) -> None:
    _open(browser, urljoin(site["base"], "cells/lif/index.html"))
    shown = {}
    for img in browser.find_elements("css selector", "figure img"):
        src = img.get_attribute("src").rsplit("/cells/lif/", 1)[1]
        loaded = browser.execute_script("return arguments[0].complete && "
                                        "arguments[0].naturalWidth", img)
        shown[src] = (img.is_displayed(), loaded, img.size["width"])
    assert set(shown) == {"smoke/curves.svg", "smoke/example.svg"}  # a point neuron: no drawing
    for src, (visible, natural_width, width) in shown.items():
        assert visible and natural_width > 100 and width > 100, (src, shown[src])
    caption = browser.find_element("css selector", "section.prediction figcaption").text
    assert f"Test simulation {site['example']['simulation']['sim_index']}" in caption


def test_a_stale_record_is_marked(browser: Any, site: dict[str, Any]) -> None:
    _open(browser, site["base"] + "index.html")
    assert _rows(browser)[-1] == "lif_old"
    badge = browser.find_element("css selector", "tr[data-cell='lif_old'] .badge.stale")
    assert badge.is_displayed() and badge.text == "stale"
    assert badge.get_attribute("title") == ("made with cell version 3; the cell is now "
                                            "version 4: rerun to update")
    assert not browser.find_elements("css selector", "tr[data-cell='lif'] .badge")
    _open(browser, urljoin(site["base"], "cells/lif_old/index.html"))
    note = browser.find_element("css selector", "p.stale-note")
    assert note.is_displayed()
    assert "was made with cell version 3; the cell is now version 4" in note.text
    assert ("python -m benchmark run --cell lif_old --profile smoke, then python -m "
            "benchmark submit --cell lif_old --profile smoke") in note.text


def test_html_in_records_renders_as_text(browser: Any, site: dict[str, Any]) -> None:
    for page in ("index.html", "cells/lif_xss/index.html"):
        _open(browser, urljoin(site["base"], page))
        assert browser.execute_script("return window.__xss") is None, page
        assert browser.find_elements("css selector", "img[src='x']") == [], page
        assert browser.find_elements("css selector", "b") == [], page
    description = browser.find_element("css selector", "p.description").text
    assert description == XSS
    assert XSS_CPU in browser.find_element("css selector", "details.made").text
    _open(browser, site["base"] + "index.html")
    link = browser.find_element("css selector", "tr[data-cell='lif_xss'] a")
    assert link.get_attribute("title") == XSS


POINT_CELLS = {"lif", "teacher_depth1", "teacher_depth3", "teacher_depth5"}  # nothing to draw


def test_the_committed_leaderboard_builds_and_browses(browser: Any, tmp_path: Path) -> None:
    """``leaderboard build --strict`` accepts every committed record (leaderboard/records);
    the overview lists each, and each cell page's figures load."""
    records = REPO / "leaderboard" / "records"
    committed = sorted(p.parent.parent.name for p in records.glob("*/*/record.json"))
    assert committed, "no committed records"
    out = tmp_path / "site"
    proc = run_cli("leaderboard", "build", "--records", str(records), "--out", str(out),
                   "--strict", timeout=900)
    assert proc.returncode == 0, proc.stderr
    _open(browser, (out / "index.html").as_uri())
    assert sorted(_rows(browser)) == committed
    headings = [h.text for h in browser.find_elements("css selector", "section.ranking h2")]
    for profile in {p.parent.name for p in records.glob("*/*/record.json")}:
        title = f"Profile {profile}{revised(profile)}, protocol version"
        assert any(h.startswith(title) for h in headings), (title, headings)
    assert revised("quick").startswith(" (revised 20")
    folder = Path(os.environ.get("NEURODEPTH_SCREENSHOTS") or tmp_path)
    folder.mkdir(parents=True, exist_ok=True)
    assert browser.save_screenshot(str(folder / "overview-committed.png"))
    for cell in set(committed):
        _open(browser, (out / "cells" / cell / "index.html").as_uri())
        _, images = _page_targets(browser)
        names = {i["src"].rsplit("/", 1)[1] for i in images}
        drawn = {"curves.svg", "example.svg"} | (
            {"morphology.svg"} if cell not in POINT_CELLS else set())
        assert drawn <= names, (cell, names)
        for image in images:
            assert image["complete"] and image["width"] > 0, (cell, image["src"])
