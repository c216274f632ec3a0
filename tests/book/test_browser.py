"""Every page of the built book in a real browser (Chromium via Playwright), offline.

The site is served from 127.0.0.1; any request to another host is blocked and recorded.
Every page is opened in light and in dark mode. Screenshots land in _build/screenshots/
for a person to look at. axe-core (the npm package pinned in package-lock.json, injected
from node_modules) checks every page, in both modes, against WCAG 2 A and AA.
tests/book/chromium.py finds the browser (NW_CHROMIUM, the PATH or Playwright's own), or
skips with a message saying how to get one (fails under CI=true).
"""

from __future__ import annotations

import functools
import http.server
import json
import re
import threading
from urllib.parse import urljoin, urlsplit

import pytest
from bs4 import BeautifulSoup
from chromium import FLAGS, chromium_or_skip
from playwright.sync_api import sync_playwright

from site_pages import MISSING, ROOT, SITE, page_file, site_pages

TIMEOUT_MS = 180_000
SCHEMES = ["light", "dark"]  # the reader's system setting; the theme's default mode follows it
SCREENSHOTS = ROOT / "_build" / "screenshots"
PAGES = site_pages()
EXPLORER = "[data-nw-explorer]"
FOLDED = ".admonition.dropdown"  # what sphinx-togglebutton folds (solutions included)
AXE = ROOT / "node_modules" / "axe-core" / "axe.min.js"
# What axe checks: WCAG 2.0 and 2.1, levels A and AA.
AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
BLOCKING = ("serious", "critical")
REFRESH = re.compile(r'<meta http-equiv="refresh" content="\d+; ?url=([^"]+)"', re.I)


class QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args):  # the test reports failures itself
        pass


@pytest.fixture(scope="module")
def base_url():
    handler = functools.partial(QuietHandler, directory=str(SITE))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_address[1]}/"
    server.shutdown()


@pytest.fixture(scope="module")
def browser():
    executable = chromium_or_skip()
    with sync_playwright() as p:
        # Playwright gives each launch a fresh temporary user-data-dir.
        b = p.chromium.launch(executable_path=executable, args=FLAGS, headless=True)
        yield b
        b.close()


class Visit:
    """A page opened with every problem the browser reports recorded."""

    def __init__(self, browser, base_url: str, page: str, scheme: str = "light"):
        self.host = urlsplit(base_url).netloc
        self.errors: list[str] = []
        self.offsite: list[str] = []
        self.context = browser.new_context(viewport={"width": 1280, "height": 900},
                                           color_scheme=scheme)
        self.context.route("**/*", self._route)
        self.page = self.context.new_page()
        # A loaded CI machine (or 2 cores shared by several jobs) can take over a minute to
        # typeset a long page; Playwright's 30 s default then fails pages that are fine.
        self.page.set_default_timeout(TIMEOUT_MS)
        self.page.on("console", lambda m: m.type == "error" and self.errors.append(f"console: {m.text}"))
        self.page.on("pageerror", lambda e: self.errors.append(f"page error: {e}"))
        self.page.on("requestfailed", lambda r: r.url not in self.offsite
                     and self.errors.append(f"failed: {r.url} {r.failure}"))
        self.page.on("response", lambda r: r.status >= 400
                     and self.errors.append(f"HTTP {r.status}: {r.url}"))
        self.page.goto(base_url + page, wait_until="load")
        # A redirect page (the site's index.html) forwards the reader: test where it lands.
        redirect = REFRESH.search(page_file(page.split("?")[0]).read_text(encoding="utf-8"))
        if redirect:
            self.page.wait_for_url(urljoin(base_url + page, redirect.group(1)), wait_until="load")
        # MathJax typesets asynchronously after load.
        self.page.wait_for_function(
            "() => !window.MathJax || (MathJax.startup && MathJax.startup.promise)")
        self.page.evaluate("() => window.MathJax ? MathJax.startup.promise.then(() => true) : true")

    def _route(self, route):
        url = route.request.url
        if urlsplit(url).scheme in ("data", "blob") or urlsplit(url).netloc == self.host:
            route.continue_()
        else:
            self.offsite.append(url)
            route.abort()

    def close(self):
        self.context.close()


def axe_violations(page) -> list[dict]:
    """What axe-core finds on an open page: one dict per rule, with its failing nodes."""
    assert AXE.is_file(), f"no {AXE}: run `npm ci` (`make book` does)"
    page.add_script_tag(path=str(AXE))
    return page.evaluate("""tags => axe.run(document, {runOnly: {type: 'tag', values: tags},
        resultTypes: ['violations']}).then(r => r.violations.map(v => ({id: v.id, impact: v.impact,
        help: v.help, nodes: v.nodes.map(n => ({target: n.target.join(' '),
        summary: n.failureSummary}))})))""", AXE_TAGS)


@pytest.fixture
def visit(browser, base_url):
    opened = []

    def open_page(page: str, scheme: str = "light") -> Visit:
        page_file(page)  # fails loudly when the site was not built
        opened.append(Visit(browser, base_url, page, scheme))
        return opened[-1]

    yield open_page
    for v in opened:
        v.close()


def image_outputs(page: str) -> int:
    """How many figures the page's executed notebook twin holds."""
    twin = (ROOT / page).with_suffix(".ipynb")
    if not twin.is_file():
        return 0
    cells = json.loads(twin.read_text(encoding="utf-8"))["cells"]
    return sum("image/png" in o.get("data", {}) for c in cells for o in c.get("outputs", []))


@pytest.mark.parametrize("scheme", SCHEMES)
@pytest.mark.parametrize("page", PAGES)
def test_page_in_a_real_browser(visit, page, scheme):
    v = visit(page, scheme)
    p = v.page
    # The theme follows the reader's setting (html_context default_mode: auto).
    assert p.evaluate("() => document.documentElement.dataset.theme") == scheme
    # Math: every Sphinx math node was typeset, and no TeX delimiters are left as text.
    math = p.evaluate("""() => [...document.querySelectorAll('article .math')]
        .filter(m => !m.querySelector('mjx-container')).length""")
    assert math == 0, f"{page}: {math} math elements were not typeset by MathJax"
    text = p.evaluate("""() => { const a = document.querySelector('article');
        if (!a) return ''; const c = a.cloneNode(true);
        c.querySelectorAll('pre, code, script, style, mjx-container').forEach(e => e.remove());
        return c.textContent; }""")
    raw = [t for t in ("$$", "\\(", "\\[", "\\begin{", "\\frac") if t in text]
    assert not raw, f"{page}: raw TeX visible: {raw}"
    # Figures: each loaded, and as many as the executed notebook holds.
    broken = p.evaluate("""async () => {
        for (const img of document.images) { img.loading = 'eager';
            if (!img.complete) await new Promise(r => { img.onload = img.onerror = r; }); }
        return [...document.images].filter(i => !i.naturalWidth).map(i => i.src); }""")
    assert not broken, f"{page}: images did not load: {broken}"
    shown = p.locator("article .cell_output img").count()
    assert shown >= image_outputs(page), f"{page}: {shown} figures shown, notebook has more"
    # Embedded ipywidgets: the site's own copy of the HTML manager draws each saved view.
    views = p.locator('script[type="application/vnd.jupyter.widget-view+json"]').count()
    if views:
        p.locator(".jupyter-widgets").first.wait_for(timeout=15000)
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    suffix = "" if scheme == "light" else "-dark"
    p.screenshot(path=str(SCREENSHOTS / (page.replace("/", "__").removesuffix(".html") + suffix + ".png")),
                 full_page=True)
    assert not v.offsite, f"{page} requested other hosts: {v.offsite}"
    assert not v.errors, f"{page}: {v.errors}"
    # Accessibility, on the page as drawn (widgets included), in this colour scheme. Here
    # rather than in a test of its own, so that each page is opened once per scheme.
    blocking = [f"{rule['id']} ({rule['impact']}: {rule['help']}) at {node['target']}: {node['summary']}"
                for rule in axe_violations(p) if rule["impact"] in BLOCKING for node in rule["nodes"]]
    assert not blocking, f"{page} ({scheme}) fails WCAG 2 A/AA (axe-core):\n" + "\n".join(blocking)


NO_EXPLORER = "NO-PAGE-EMBEDS-THE-WIDTH-EXPLORER"


def pages_with(selector: str) -> list[str]:
    return [p for p in PAGES if p != MISSING
            and BeautifulSoup(page_file(p).read_text("utf-8"), "html.parser").select(selector)]


def explorer_pages() -> list[str]:
    return pages_with(EXPLORER) or [NO_EXPLORER]


@pytest.mark.parametrize("page", explorer_pages())
def test_width_slider_redraws_without_a_kernel(visit, page):
    assert page != NO_EXPLORER, f"no page of the built site has a {EXPLORER} element"
    v = visit(page)
    p = v.page
    root = p.locator(f"{EXPLORER}[data-nw-ready]").first
    root.wait_for()

    def state():
        return (root.locator("path.nw-fit").get_attribute("d"),
                root.locator(".nw-weights-plot rect").evaluate_all(
                    "rs => rs.map(r => r.getAttribute('fill-opacity')).join()"),
                root.locator(".nw-width-value").text_content())

    before = state()
    slider = root.locator("input.nw-width-slider")
    slider.focus()
    p.keyboard.press("ArrowRight")
    p.keyboard.press("ArrowRight")
    after_keys = state()
    assert all(a != b for a, b in zip(before, after_keys, strict=True)), \
        "keys moved the slider but nothing redrew"
    # Drag the thumb to the far left, as a reader would with the mouse.
    box = slider.bounding_box()
    p.mouse.move(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)
    p.mouse.down()
    p.mouse.move(box["x"] + 1, box["y"] + box["height"] / 2, steps=5)
    p.mouse.up()
    assert slider.input_value() == "0"
    after_drag = state()
    assert after_drag[0] != after_keys[0] and "h = " in after_drag[2]
    root.locator("select.nw-kernel-select").select_option("boxcar")
    assert state()[0] != after_drag[0], "picking another kernel did not redraw the fit"
    root.screenshot(path=str(SCREENSHOTS / "width-explorer-after-drag.png"))
    assert not v.offsite and not v.errors, (v.offsite, v.errors)


def test_folded_solutions_open_on_click(visit):
    # sphinx-togglebutton folds `:class: dropdown` admonitions (solutions among them).
    pages = pages_with(FOLDED)
    assert pages, "no page has a folded admonition; the explorer page should"
    for page in pages:
        p = visit(page).page
        folds = p.locator(f"article {FOLDED}")
        for i in range(folds.count()):
            fold = folds.nth(i)
            body = fold.locator(":scope > :not(.admonition-title)").first
            assert not body.is_visible(), f"{page}: dropdown {i} is not folded"
            # The toggle button, not the title: a solution's title links to its exercise.
            fold.locator("button.toggle-button").first.click()
            body.wait_for(state="visible", timeout=3000)
            assert p.url.split("#")[0].endswith(page), f"{page}: the toggle navigated away"


def test_search_works_offline(visit):
    p = visit("search.html?q=attention").page
    p.locator("#search-results ul.search li").first.wait_for(timeout=15000)
    assert p.locator("#search-results ul.search li").count() >= 1


def _luminance(css_color: str) -> float:
    """Relative luminance (0 black .. 1 white) of a computed `rgb(...)`/`rgba(...)` colour."""
    r, g, b = (int(c) / 255 for c in re.findall(r"[\d.]+", css_color)[:3])
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


@pytest.mark.parametrize("scheme", SCHEMES)
@pytest.mark.parametrize("page", explorer_pages())
def test_explorer_follows_the_theme(visit, page, scheme):
    assert page != NO_EXPLORER, f"no page of the built site has a {EXPLORER} element"
    p = visit(page, scheme).page
    root = p.locator(f"{EXPLORER}[data-nw-ready]").first
    root.wait_for()
    colours = root.evaluate("""r => { const s = getComputedStyle(r);
        const t = r.querySelector('svg text');
        return [s.backgroundColor, s.color, getComputedStyle(t).fill]; }""")
    background, text, label = (_luminance(c) for c in colours)
    page_background = _luminance(p.evaluate("() => getComputedStyle(document.body).backgroundColor"))
    assert abs(background - page_background) < 0.1, \
        f"{scheme}: explorer {colours[0]} on the page's background"
    if scheme == "dark":
        assert background < 0.2 and text > 0.6 and label > 0.6, colours
    else:
        assert background > 0.8 and text < 0.4 and label < 0.4, colours
    root.screenshot(path=str(SCREENSHOTS / f"width-explorer-{scheme}.png"))
