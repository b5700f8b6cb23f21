"""The built book in a real browser: headless Chromium (Debian's /usr/bin/chromium) via Playwright.

A small book (three chapters and one case study) is built into a temporary folder and served
on 127.0.0.1. The checks: every plotly figure drew, no console errors, no request to any other
host, the search page finds a municipality, the municipalities table can be searched and sorted,
nothing is wider than a phone screen, and axe-core finds no serious accessibility problems.

Without /usr/bin/chromium the tests are skipped, except in CI (CI=true), where they fail.
Set SAMENSPEL_SCREENSHOTS=DIR to keep phone-sized screenshots of the main pages.
"""

from __future__ import annotations

import functools
import http.server
import importlib.resources
import importlib.util
import os
import threading
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from samenspel.paths import ROOT
from tests import chromium

CHROMIUM = Path(chromium.CHROMIUM)
CHROMIUM_ARGS = chromium.CHROMIUM_ARGS
# axe-core as shipped by the axe-playwright-python package (no Node needed).
AXE = Path(str(importlib.resources.files("axe_playwright_python") / "axe.min.js"))
IN_CI = os.environ.get("CI", "").lower() == "true"
PHONE = {"width": 375, "height": 812}

INTRO = "book/intro.html"
CHAPTER = "book/gemeenten/GM0034.html"
INDEX = "book/generated/gemeenten.html"
CASESTUDIES = "book/generated/casestudies/index.html"
PAGES = [
    INTRO,
    "book/leeswijzer.html",
    "book/methode.html",
    "book/bijdragen.html",
    "book/generated/indicatoren.html",
    "book/generated/bronnen.html",
    INDEX,
    "book/generated/provincie-flevoland.html",
    CHAPTER,
    "book/gemeenten/GM0546.html",
    "book/gemeenten/GM0363.html",
    CASESTUDIES,
    "book/generated/casestudies/vergelijking.html",
    "book/generated/casestudies/almere-monitor.html",
    "genindex.html",
]


def _need(condition: bool, reason: str) -> None:
    if condition:
        return
    if IN_CI:
        pytest.fail(f"{reason} (CI=true: the browser checks must run)")
    pytest.skip(reason)


def _load_build_helper():
    path = ROOT / "tests" / "fixtures" / "book" / "build.py"
    spec = importlib.util.spec_from_file_location("samenspel_book_fixture_build", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def html_dir(tmp_path_factory, snapshot_dir):
    _need(CHROMIUM.exists(), f"{CHROMIUM} is not installed (apt-get install chromium)")
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("SAMENSPEL_SNAPSHOT", str(snapshot_dir))
        import conftest

        conftest.clear_caches()
        layout, _, proc = _load_build_helper().build_small_book(tmp_path_factory.mktemp("book"))
        conftest.clear_caches()
    assert proc.returncode == 0, f"book build failed:\n{proc.stdout[-4000:]}\n{proc.stderr[-4000:]}"
    return layout.html_dir


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args):
        pass


@pytest.fixture(scope="module")
def base_url(html_dir):
    handler = functools.partial(_QuietHandler, directory=str(html_dir))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}/"
    server.shutdown()
    server.server_close()


@pytest.fixture(scope="module")
def browser_context(base_url, tmp_path_factory):
    from playwright.sync_api import sync_playwright

    profile = tmp_path_factory.mktemp("chromium-profile")
    with sync_playwright() as pw:
        context = pw.chromium.launch_persistent_context(
            str(profile),
            executable_path=str(CHROMIUM),
            args=CHROMIUM_ARGS,  # the fresh profile folder is Chromium's --user-data-dir
            headless=True,
            viewport=PHONE,
            locale="nl-NL",
        )
        context.set_default_timeout(20_000)
        yield context
        context.close()


try:
    from playwright.sync_api import TimeoutError as PlaywrightTimeout
except ImportError:  # pragma: no cover - reported by the browser_context fixture
    PlaywrightTimeout = TimeoutError


class Visit:
    """One page load, with everything the browser reported."""

    def __init__(self, context, base_url: str):
        self.context = context
        self.base = urlsplit(base_url)
        self.errors: list[str] = []
        self.foreign: list[str] = []
        self.requests: list[str] = []
        self.page = context.new_page()
        self.page.on("console", self._console)
        self.page.on("pageerror", lambda exc: self.errors.append(f"pageerror: {exc}"))
        self.page.on("request", lambda req: self.requests.append(req.url))
        self.page.on("requestfailed", lambda req: self.errors.append(f"request failed: {req.url}"))
        self.page.on(
            "response",
            lambda resp: resp.status >= 400 and self.errors.append(f"HTTP {resp.status}: {resp.url}"),
        )
        self.page.route("**/*", self._route)

    def _console(self, msg) -> None:
        if msg.type == "error":
            self.errors.append(f"console: {msg.text}")

    def is_local(self, url: str) -> bool:
        parts = urlsplit(url)
        if parts.scheme in ("data", "about"):
            return True
        if parts.scheme == "blob":
            parts = urlsplit(url[len("blob:") :])
        return parts.hostname == self.base.hostname and parts.port == self.base.port

    def _route(self, route) -> None:
        url = route.request.url
        if self.is_local(url):
            route.continue_()
        else:
            self.foreign.append(url)
            route.abort()

    def open(self, path: str):
        self.page.goto(self.base.geturl() + path, wait_until="load")
        # Let late requests (fonts, map workers) happen before the checks. A page with a
        # plotly map keeps a worker busy, so "networkidle" may never come: wait at most 3 s.
        try:
            self.page.wait_for_load_state("networkidle", timeout=3_000)
        except PlaywrightTimeout:
            pass
        return self.page

    def close(self) -> None:
        self.page.close()


@pytest.fixture
def visit(browser_context, base_url):
    visits: list[Visit] = []

    def _open(path: str) -> Visit:
        v = Visit(browser_context, base_url)
        visits.append(v)
        v.open(path)
        return v

    yield _open
    for v in visits:
        v.close()


def _screenshot(page, name: str) -> None:
    folder = os.environ.get("SAMENSPEL_SCREENSHOTS")
    if folder:
        Path(folder).mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(Path(folder) / f"{name}.png"), full_page=True)


# --------------------------------------------------------------------------- figures

DRAWN = "g => !!g.querySelector('svg.main-svg')"


def _open_and_scroll_to(page, graph) -> None:
    """Open the folds around a graph and bring it on screen, as a reader would."""
    graph.evaluate(
        "g => { for (let d = g.closest('details'); d; d = d.parentElement.closest('details'))"
        " d.open = true; g.scrollIntoView(); }"
    )


def test_every_plotly_figure_draws_an_svg_when_it_comes_into_view(visit):
    v = visit(CHAPTER)
    page = v.page
    graphs = page.locator("div.plotly-graph-div")
    n = graphs.count()
    assert n >= 3
    # No chart is drawn by a script that runs while the page is parsed: each figure is inert
    # JSON next to an empty graph, and plotly.js is deferred.
    assert page.locator("script[type='application/json'].samenspel-figure").count() == n
    assert page.evaluate("document.querySelector('script[src*=\"plotly.min.js\"]').defer")
    inline = page.evaluate("[...document.scripts].filter(s => !s.src && /Plotly\\.newPlot/.test(s.textContent)).length")
    assert inline == 0
    # Charts in closed folds, far below, have cost nothing yet.
    drawn = [graphs.nth(i).evaluate(DRAWN) for i in range(n)]
    assert not all(drawn), "every chart was drawn before it came into view"
    for i in range(n):
        graph = graphs.nth(i)
        _open_and_scroll_to(page, graph)
        graph.locator("svg.main-svg").first.wait_for(state="attached")
        box = graph.bounding_box()
        assert box and box["width"] > 100, f"figure {i} drew without a width"
    assert any(u.split("?")[0].endswith("_static/plotly.min.js") for u in v.requests)
    assert v.errors == []
    assert v.foreign == []
    _screenshot(page, "hoofdstuk-almere")


def test_a_chart_in_a_closed_fold_draws_when_the_fold_opens(visit):
    page = visit(CHAPTER).page
    fold = page.locator("details.samenspel-fold", has=page.locator("div.plotly-graph-div")).first
    assert fold.evaluate("d => !d.open")
    graph = fold.locator("div.plotly-graph-div").first
    assert not graph.evaluate(DRAWN)
    fold.locator("summary").first.focus()
    page.keyboard.press("Enter")  # open it with the keyboard
    assert fold.evaluate("d => d.open")
    graph.scroll_into_view_if_needed()
    graph.locator("svg.main-svg").first.wait_for(state="attached")
    assert graph.bounding_box()["width"] > 100


def test_each_chart_has_its_title_source_and_text_without_javascript(html_dir):
    """What a reader without JavaScript gets is in the HTML itself, outside any script."""
    import re

    html = (html_dir / CHAPTER).read_text("utf-8")
    figures = re.findall(r'<figure class="samenspel-chart.*?</figure>', html, re.S)
    assert len(figures) >= 3
    for fig in figures:
        visible = re.sub(r"<script.*?</script>", "", fig, flags=re.S)
        assert re.search(r'class="samenspel-chart-title"[^>]*><strong>[^<]+', visible)
        assert "Bron: CBS" in visible
        assert 'class="samenspel-chart-alt"' in visible


def test_almere_map_of_71_wijken_reaches_each_value_by_keyboard(visit):
    v = visit(CHAPTER)
    page = v.page
    maps = page.locator("figure.samenspel-map")
    assert maps.count() >= 3
    first = maps.first
    first.evaluate("m => { m.closest('details').open = true; m.scrollIntoView(); }")
    wijken = first.locator("svg.samenspel-map-svg > g")
    assert wijken.count() == 71
    assert first.locator("svg.samenspel-map-svg > g[data-geen-cijfer]").count() >= 1
    assert "geen cijfer" in first.locator(".samenspel-map-legend").inner_text()
    # Tab moves from wijk to wijk; the focused wijk shows its name and value on the map.
    wijken.nth(0).focus()
    for i in range(3):
        g = wijken.nth(i)
        assert g.evaluate("g => document.activeElement === g")
        label = g.get_attribute("aria-label")
        value = g.locator("tspan")
        assert value.is_visible() and value.text_content() in label
        assert not wijken.nth(i + 1).locator("tspan").is_visible()
        page.keyboard.press("Tab")
    # With the pointer on another wijk, only that wijk's label shows (labels never overlap).
    focused, pointed = wijken.nth(3), wijken.nth(40)
    assert focused.evaluate("g => document.activeElement === g")
    pointed.locator("path").first.hover(force=True)
    visible = [i for i in range(71) if wijken.nth(i).locator("text").is_visible()]
    assert visible == [40]
    box = first.locator("svg.samenspel-map-svg").bounding_box()
    assert box["width"] > 250 and box["height"] > 150  # drawn, filling a phone's column
    _screenshot(page, "kaart-almere")
    assert v.errors == []


def test_pages_without_figures_do_not_load_plotly(visit):
    v = visit(INTRO)
    assert v.page.locator("div.plotly-graph-div").count() == 0
    assert not any("plotly" in u for u in v.requests)
    assert v.errors == []
    _screenshot(v.page, "welkom")


def test_the_navigation_button_opens_the_sidebar_on_a_phone_and_hides_it_on_a_wide_screen(visit):
    """The button a reader sees in the article header opens the site navigation on a phone
    (with the chapters of the page's province) and hides the sidebar on a wide screen."""
    v = visit(CHAPTER)
    button = v.page.locator("button.primary-toggle:visible")
    assert button.count() == 1
    button.click()
    drawer = v.page.locator("dialog#pst-primary-sidebar-modal")
    drawer.locator("nav.bd-docs-nav a", has_text="Almere").wait_for()
    assert drawer.evaluate("d => d.open")
    links = drawer.locator("nav.bd-docs-nav a").all_inner_texts()
    assert "Flevoland" in links and "Alle gemeenten" in links
    v.page.keyboard.press("Escape")
    assert not drawer.evaluate("d => d.open")
    v.page.set_viewport_size({"width": 1280, "height": 900})
    sidebar = v.page.locator("#pst-primary-sidebar")
    assert sidebar.is_visible()
    v.page.locator("button.primary-toggle:visible").click()
    v.page.wait_for_function(
        "() => document.querySelector('#pst-primary-sidebar').classList.contains('pst-sidebar-hidden')"
    )
    assert not drawer.evaluate("d => d.open")
    assert v.errors == []


def test_a_chapter_loads_only_the_assets_it_uses(visit):
    """A reader on a phone downloads no style sheet, script or font that the page does not use:
    not myst-nb's cell styles, not the case-study filter or table scripts, and not Font
    Awesome's brands font (the repository menu's icon comes from the solid font)."""
    v = visit(CHAPTER)
    v.page.locator(".dropdown-source-buttons i").first.wait_for()
    v.page.wait_for_timeout(300)
    files = [u.split("?")[0].rsplit("/", 1)[-1] for u in v.requests]
    assert any(f.startswith("fa-solid") for f in files)  # the theme's icons still draw
    unused = [f for f in files if f.startswith(("mystnb.", "samenspel-filter", "samenspel-tabel", "fa-brands"))]
    assert unused == []
    icon = v.page.evaluate("""() => getComputedStyle(
        document.querySelector('.dropdown-source-buttons i'), '::before').fontFamily""")
    assert "Free" in icon
    assert v.errors == []


def test_only_the_search_page_loads_the_search_index(visit):
    """The search index grows with every chapter (about 2 MB for all of them): a reader on a
    phone should not download it with every page."""
    chapter = visit(CHAPTER)
    assert chapter.page.locator("div.plotly-graph-div").count() > 0
    assert not any("searchindex.js" in u for u in chapter.requests)
    search = visit("search.html?q=Almere")
    assert any("searchindex.js" in u for u in search.requests)


def test_theme_labels_read_in_dutch(visit):
    v = visit(CHAPTER)
    html = v.page.content()
    for english in ("Skip to main content", "Toggle primary sidebar", "Back to top", "Link to this heading"):
        assert english not in html
    assert "Direct naar de inhoud" in html


@pytest.mark.parametrize("path", ["book/gemeenten/GM0518.html", INDEX])
def test_municipality_names_keep_their_apostrophe(visit, path):
    # typographic quotes would turn 's-Gravenhage into ‘s-Gravenhage (or ’s-Gravenhage)
    page = visit(path).page
    text = page.inner_text("main")
    assert "'s-Gravenhage" in text
    assert "\u2018s-" not in text and "\u2019s-" not in text
    if path != INDEX:
        assert page.locator("h1").first.inner_text().startswith("'s-Gravenhage")


# --------------------------------------------------------------------------- every page


@pytest.mark.parametrize("path", PAGES)
def test_page_has_no_errors_and_stays_on_this_server(visit, path):
    v = visit(path)
    page = v.page
    assert page.locator("h1").count() >= 1, "page has no title"
    assert page.evaluate("document.documentElement.lang") == "nl"
    assert v.errors == [], f"{path}: {v.errors}"
    assert v.foreign == [], f"{path} asked other hosts: {v.foreign}"
    # Nothing is wider than the phone screen (the page itself never scrolls sideways).
    overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
    assert overflow <= 1, f"{path} is {overflow}px wider than a phone screen"


def test_interface_is_dutch(visit):
    page = visit(INTRO).page
    html = page.content()
    assert "Zoek in Samenspel" in html
    assert "Search this book" not in html


# --------------------------------------------------------------------------- search


def test_search_page_finds_a_municipality_by_name(visit):
    v = visit("search.html?q=Almere")
    page = v.page
    page.wait_for_selector("#search-results ul.search li a")
    links = page.eval_on_selector_all("#search-results ul.search li a", "els => els.map(a => a.getAttribute('href'))")
    assert any("gemeenten/GM0034.html" in href for href in links), links
    assert page.evaluate("document.documentElement.scrollWidth - window.innerWidth") <= 1
    assert v.errors == []
    assert v.foreign == []


# --------------------------------------------------------------------------- municipalities table


def _names(page) -> list[str]:
    return page.eval_on_selector_all(
        ".samenspel-tabel tbody tr:not([hidden]) td:first-child",
        "cells => cells.map(c => c.textContent.trim())",
    )


def test_municipalities_table_searches_and_sorts(visit):
    v = visit(INDEX)
    page = v.page
    field = page.get_by_label("Zoek in de tabel")
    assert field.get_attribute("type") == "search"
    # 's-Gravenhage sorts under G: the article 's is not part of the sort key
    assert _names(page) == ["Almere", "Amsterdam", "'s-Gravenhage", "Leiden"]
    status = page.locator(".samenspel-tabel [role=status]")
    assert status.inner_text() == "4 gemeenten"

    field.fill("noord-holl")  # province, case-insensitive
    assert _names(page) == ["Amsterdam"]
    assert status.inner_text() == "1 van de 4 gemeenten"
    field.fill("xyz")
    assert _names(page) == []
    assert "Niets gevonden" in status.inner_text()
    field.fill("")

    inwoners = page.locator(".samenspel-tabel thead th").nth(2)
    button = inwoners.get_by_role("button")
    assert "Inwoners" in button.inner_text()
    button.click()
    assert inwoners.get_attribute("aria-sort") == "ascending"
    assert _names(page) == ["Leiden", "Almere", "'s-Gravenhage", "Amsterdam"]  # ascending by inhabitants
    button.click()
    assert inwoners.get_attribute("aria-sort") == "descending"
    assert _names(page) == ["Amsterdam", "'s-Gravenhage", "Almere", "Leiden"]
    gemeente = page.locator(".samenspel-tabel thead th").nth(0)
    gemeente.get_by_role("button").click()
    assert gemeente.get_attribute("aria-sort") == "ascending"
    assert inwoners.get_attribute("aria-sort") is None
    assert _names(page) == ["Almere", "Amsterdam", "'s-Gravenhage", "Leiden"]

    _screenshot(page, "gemeenten")
    page.get_by_role("link", name="Leiden").click()
    page.wait_for_load_state("load")
    assert page.url.endswith("book/gemeenten/GM0546.html")
    assert v.errors == []


def test_table_script_leaves_other_pages_alone(visit):
    page = visit("book/generated/bronnen.html").page
    assert page.locator(".samenspel-zoek").count() == 0
    assert page.locator("th[aria-sort], .samenspel-sorteer").count() == 0


# --------------------------------------------------------------------------- accessibility

AXE_RUN = """async () => {
    const result = await axe.run(document, {resultTypes: ['violations']});
    return result.violations.map(v => ({
        id: v.id, impact: v.impact, help: v.help,
        nodes: v.nodes.slice(0, 5).map(n => n.target.join(' ')),
    }));
}"""
AXE_PHONE = {"width": 390, "height": 844}


def _serious(page) -> list:
    page.add_script_tag(path=str(AXE))
    return [v for v in page.evaluate(AXE_RUN) if v["impact"] in ("serious", "critical")]


def _book_pages(html_dir: Path) -> list[str]:
    """Every page of the built book (not Sphinx's own search and index pages' assets)."""
    skip = ("_static/", "_sources/", "_images/", "_downloads/")
    return sorted(
        p.relative_to(html_dir).as_posix()
        for p in html_dir.rglob("*.html")
        if not p.relative_to(html_dir).as_posix().startswith(skip)
    )


@pytest.mark.parametrize("path", PAGES)
def test_no_serious_accessibility_violations(visit, path):
    _need(AXE.is_file(), f"{AXE} is missing (pip install -r requirements.txt)")
    page = visit(path).page
    page.set_viewport_size(AXE_PHONE)
    serious = _serious(page)
    assert serious == [], f"{path}: {serious}"


def test_every_page_of_the_book_has_no_serious_accessibility_violations(html_dir, browser_context, base_url):
    """All pages the book build wrote, at 390 px, including the ones PAGES does not name."""
    _need(AXE.is_file(), f"{AXE} is missing (pip install -r requirements.txt)")
    pages = _book_pages(html_dir)
    assert CHAPTER in pages and "book/methode.html" in pages and CASESTUDIES in pages
    problems = {}
    for path in pages:
        v = Visit(browser_context, base_url)
        try:
            v.page.set_viewport_size(AXE_PHONE)
            v.open(path)
            serious = _serious(v.page)
            if serious:
                problems[path] = serious
        finally:
            v.close()
    assert problems == {}


def test_chapter_has_no_serious_accessibility_violations_before_it_has_loaded(browser_context, base_url):
    """axe while the page is still settling: right after DOMContentLoaded, before 'load'."""
    _need(AXE.is_file(), f"{AXE} is missing (pip install -r requirements.txt)")
    v = Visit(browser_context, base_url)
    try:
        v.page.set_viewport_size(AXE_PHONE)
        v.page.goto(v.base.geturl() + CHAPTER, wait_until="domcontentloaded")
        serious = _serious(v.page)
        assert serious == [], serious
    finally:
        v.close()


def test_tables_fit_a_phone_without_scrolling_sideways(visit):
    """At 375 px the chapter's tables stack into cards: no table is wider than its column,
    and a box that must scroll can be reached with the keyboard."""
    page = visit(CHAPTER).page
    page.evaluate("document.querySelectorAll('details').forEach(d => d.open = true)")
    wide = page.evaluate("""() => [...document.querySelectorAll('main table')].filter(t => {
        const box = t.parentElement; return t.scrollWidth > box.clientWidth + 1;
    }).map(t => (t.caption ? t.caption.textContent : t.className).slice(0, 60))""")
    assert wide == []
    unreachable = page.evaluate("""() => [...document.querySelectorAll('main *')].filter(e => {
        const s = getComputedStyle(e);
        return /(auto|scroll)/.test(s.overflowX) && e.scrollWidth > e.clientWidth + 1
            && !(e.tabIndex >= 0 && (e.getAttribute('aria-label') || e.getAttribute('aria-labelledby')));
    }).map(e => e.className)""")
    assert unreachable == []
    _screenshot(page, "tabellen")
