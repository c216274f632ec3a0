"""The notebooks as learners run them: JupyterLab started as `make lab` starts it, in Chromium.

JupyterLab runs with tools/lab.py's command line and environment (the project root, the
course's settings, jupyterlab-myst) on a free localhost port with a random token; only its
state folder is a fresh temporary one, so every run is a learner's first visit. Chromium
(through Playwright) then reads a chapter, an exercise and a solution as rendered MyST, and
runs the widget chapter cell by cell. Requests to any other host are blocked and recorded:
the course works offline. Screenshots and timings land in _build/screenshots/.
"""

from __future__ import annotations

import json
import os
import re
import secrets
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import nbformat
import pytest
from playwright.sync_api import sync_playwright

from tools.lab import lab_command, lab_environment

ROOT = Path(__file__).resolve().parents[2]
SCREENSHOTS = ROOT / "_build" / "screenshots"
READ = ["chapters/kernels.ipynb", "exercises/consistency.ipynb", "solutions/parzen.ipynb"]
WIDGET_CHAPTER = "chapters/widths.ipynb"
START_TIMEOUT = 180
FLAGS = ["--no-sandbox", "--disable-background-networking", "--disable-component-update",
         "--disable-sync", "--disable-quic", "--no-first-run", "--disable-default-apps"]
TIMINGS: dict[str, float] = {}
# Bounds, not speed goals: on a shared 2-core machine under load, opening a notebook took
# up to a minute and running the widget chapter five minutes and more.
PAGE_TIMEOUT_MS = 180_000
RUN_TIMEOUT_MS = 900_000
pytestmark = pytest.mark.timeout(2400)

# What raw MyST looks like once a renderer has given up on it.
RAW = {
    "role": re.compile(r"\{[a-z][\w:-]*\}`"),
    "directive": re.compile(r"^(`{3,}|:{3,})\s*\{?[\w:-]*\}?", re.M),
    "directive option": re.compile(r"^:(label|class|name|tags|start-after|end-before):", re.M),
    "target": re.compile(r"^\([\w-]+\)=\s*$", re.M),
    "comment": re.compile(r"^% ", re.M),
    "TeX": re.compile(r"\$\$|\\(frac|sum|mathrm|alpha|begin|hat|left|right)\b"),
    "inline math": re.compile(r"(?<![\w$])\$[^$\s][^$\n]*\$"),
}
# A rendered markdown cell's text without the TeX that KaTeX keeps for screen readers.
CELL_TEXT = """cell => {
  const r = cell.querySelector('.myst');
  if (!r) return null;
  const copy = r.cloneNode(true);
  copy.querySelectorAll('.katex-mathml, annotation, mjx-assistive-mml').forEach(e => e.remove());
  const warnings = Array.from(r.querySelectorAll('[title$="Not Found"], .text-yellow-600, .text-red-600'))
      .map(e => (e.getAttribute('title') || 'warning') + ': ' + e.textContent.trim());
  if (/Unknown (Directive|Role)/.test(r.textContent)) warnings.push('unknown directive or role');
  return {text: copy.innerText, warnings};
}"""


def chromium_path() -> str | None:
    """NW_CHROMIUM, else a Chromium on the PATH, else Playwright's own browser."""
    if os.environ.get("NW_CHROMIUM"):
        return os.environ["NW_CHROMIUM"]
    for name in ("chromium", "chromium-browser"):
        if shutil.which(name):
            return shutil.which(name)
    with sync_playwright() as p:
        own = p.chromium.executable_path
    return own if own and Path(own).exists() else None


@pytest.fixture(scope="module")
def browser():
    path = chromium_path()
    if path is None:
        message = ("no Chromium: set NW_CHROMIUM, put chromium on the PATH, or run "
                   "`playwright install chromium`")
        if os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip(message)
    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=path, args=FLAGS, headless=True)
        yield b
        b.close()


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def lab(tmp_path_factory):
    """JupyterLab as `make lab` runs it; yields (base URL, token); shut down at the end."""
    state = tmp_path_factory.mktemp("lab-state")
    port, token = free_port(), secrets.token_hex(16)
    env = lab_environment()
    for key, value in env.items():
        if key.startswith("JUPYTER") and value.startswith(str(ROOT / "_build" / "lab")):
            env[key] = str(state / Path(value).name)  # a first visit, every run
    # The learner's own settings layer: no autosave, so that running a chapter in the test
    # never writes its outputs into the committed notebook.
    docmanager = Path(env["JUPYTERLAB_SETTINGS_DIR"]) / "@jupyterlab" / "docmanager-extension"
    docmanager.mkdir(parents=True)
    (docmanager / "plugin.jupyterlab-settings").write_text('{"autosave": false}')
    checkpoints = {p for folder in ("chapters", "exercises", "solutions")
                   for p in (ROOT / folder).glob(".ipynb_checkpoints")}
    notebooks = {p: p.read_bytes() for p in ROOT.glob("*/*.ipynb")}
    log = (state / "lab.log").open("w")
    started = time.perf_counter()
    process = subprocess.Popen(lab_command(port=port, token=token, browser=False, open_page=None),
                               cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT)
    base = f"http://127.0.0.1:{port}"
    try:
        while True:
            assert process.poll() is None, f"JupyterLab exited: {(state / 'lab.log').read_text()}"
            assert time.perf_counter() - started < START_TIMEOUT, "JupyterLab did not start in time"
            try:
                urllib.request.urlopen(f"{base}/api/status?token={token}", timeout=2)
                break
            except OSError:
                time.sleep(0.3)
        TIMINGS["server start (s)"] = time.perf_counter() - started
        yield base, token
    finally:
        process.terminate()
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        log.close()
        # JupyterLab checkpoints every notebook it opens: leave no new folder behind.
        for folder in ("chapters", "exercises", "solutions"):
            for path in (ROOT / folder).glob(".ipynb_checkpoints"):
                if path not in checkpoints:
                    shutil.rmtree(path)
    changed = [str(p.relative_to(ROOT)) for p, data in notebooks.items() if p.read_bytes() != data]
    assert not changed, f"the test changed committed notebooks: {changed}"


@pytest.fixture(scope="module", autouse=True)
def timings():
    yield
    if TIMINGS:
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        rounded = {k: round(v, 2) for k, v in TIMINGS.items()}
        (SCREENSHOTS / "jupyterlab-timings.json").write_text(json.dumps(rounded, indent=2) + "\n")


class Session:
    """One JupyterLab page, with what the browser reports recorded."""

    def __init__(self, browser, lab, path: str):
        base, token = lab
        self.context = browser.new_context(viewport={"width": 1400, "height": 1000})
        self.offsite: list[str] = []
        self.errors: list[str] = []
        self.context.route("**/*", self._route)
        self.page = self.context.new_page()
        self.page.on("pageerror", lambda e: self.errors.append(str(e)))
        started = time.perf_counter()
        self.page.goto(f"{base}/lab/tree/{path}?reset&token={token}")
        self.page.wait_for_selector(".jp-Notebook .jp-MarkdownCell .myst", timeout=PAGE_TIMEOUT_MS)
        # JupyterLab attaches a long notebook's cells in batches: wait for all of them.
        self.cells = nbformat.read(ROOT / path, as_version=4).cells
        self.page.wait_for_function("n => document.querySelectorAll('.jp-Notebook .jp-Cell').length === n",
                                    arg=len(self.cells), timeout=PAGE_TIMEOUT_MS)
        self.load_seconds = time.perf_counter() - started

    def _route(self, route):
        host = route.request.url.split("/")[2] if "//" in route.request.url else ""
        if host.startswith("127.0.0.1") or route.request.url.startswith(("data:", "blob:")):
            route.continue_()
        else:
            self.offsite.append(route.request.url)
            route.abort()

    def markdown_cells(self) -> list[dict]:
        """Every markdown cell, each scrolled into view so JupyterLab renders it."""
        cells = self.page.locator(".jp-Notebook .jp-MarkdownCell")
        found = []
        for i in range(cells.count()):
            cell = cells.nth(i)
            cell.scroll_into_view_if_needed()
            try:
                cell.locator(".myst").first.wait_for(state="attached", timeout=60_000)
            except Exception:
                pass
            found.append(cell.evaluate(CELL_TEXT))
        return found

    def close(self):
        self.context.close()


def raw_markup(text: str) -> list[str]:
    return [f"{what}: {m.group(0)!r}" for what, pattern in RAW.items() for m in pattern.finditer(text)]


def test_the_kernel_is_the_course_environment(lab):
    """The python3 kernel runs this Python ("python" is the server's own interpreter)."""
    base, token = lab
    with urllib.request.urlopen(f"{base}/api/kernelspecs?token={token}", timeout=30) as r:
        specs = json.load(r)
    assert specs["default"] == "python3"
    command = specs["kernelspecs"]["python3"]["spec"]["argv"][0]
    assert command == "python" or Path(command).resolve().is_relative_to(Path(sys.prefix).resolve()), command


def _within(value, default) -> bool:
    """``value`` equals ``default``, or for a dict, its keys do (overrides merge into dicts)."""
    if isinstance(value, dict):
        return isinstance(default, dict) and all(_within(v, default.get(k)) for k, v in value.items())
    return value == default


def test_the_learner_settings_apply(lab):
    """lab/settings/overrides.json reaches a first visit (JupyterLab applies it as defaults)."""
    base, token = lab
    overrides = json.loads((ROOT / "lab" / "settings" / "overrides.json").read_text())
    changed = 0
    for plugin, wanted in overrides.items():
        with urllib.request.urlopen(f"{base}/lab/api/settings/{plugin}?token={token}", timeout=30) as r:
            served = json.load(r)["schema"]["properties"]
        package, name = plugin.split(":")
        shipped = json.loads((Path(sys.prefix) / "share" / "jupyter" / "lab" / "schemas" / package
                              / f"{name}.json").read_text())["properties"]
        for key, value in wanted.items():
            assert _within(value, served[key]["default"]), (plugin, key)
            changed += not _within(value, shipped[key].get("default"))
    assert changed == sum(len(v) for v in overrides.values()), "an override repeats a default"


def test_the_detector_sees_raw_myst(browser, lab):
    """A control notebook that JupyterLab cannot resolve must fail the checks below."""
    control = ROOT / "_build" / "lab-test" / "control.ipynb"
    control.parent.mkdir(parents=True, exist_ok=True)
    nbformat.write(nbformat.v4.new_notebook(cells=[
        nbformat.v4.new_markdown_cell("A citation {cite:p}`mack1982`; a reference {ref}`sol-parzen`."),
        nbformat.v4.new_markdown_cell("```{nosuchdirective} Title\nbody\n```"),
        nbformat.v4.new_markdown_cell("Broken $$ math \\frac{1}{2"),
    ]), control)
    session = Session(browser, lab, "_build/lab-test/control.ipynb")
    try:
        cells = session.markdown_cells()
    finally:
        session.close()
    assert len(cells) == 3 and all(cells)
    assert "Citation Not Found: mack1982" in cells[0]["warnings"]
    assert "Cross Reference Not Found: sol-parzen" in cells[0]["warnings"]
    assert "unknown directive or role" in cells[1]["warnings"]
    assert raw_markup(cells[2]["text"])


@pytest.mark.parametrize("path", READ)
def test_pages_read_as_in_the_book(browser, lab, path):
    session = Session(browser, lab, path)
    try:
        if path.startswith("solutions"):
            # The worked solution starts folded under its collapsed heading: open it.
            folded = session.page.locator(".jp-MarkdownCell .jp-collapseHeadingButton.jp-mod-collapsed")
            assert folded.count() == 1, "the solution is not folded"
            session.page.screenshot(path=str(SCREENSHOTS / f"jupyterlab-{path.replace('/', '-')}-folded.png"))
            session.page.locator(".jp-showHiddenCellsButton").click()
            assert folded.count() == 0
        cells = session.markdown_cells()
        expected = sum(c.cell_type == "markdown" for c in session.cells)
        assert len(cells) == expected
        problems = [f"cell {i}: {p}" for i, c in enumerate(cells) if c is None for p in ["not rendered"]]
        problems += [f"cell {i}: {p}" for i, c in enumerate(cells) if c
                     for p in raw_markup(c["text"]) + c["warnings"]]
        assert not problems, f"{path} shows raw MyST or warnings:\n" + "\n".join(problems)
        text = "\n".join(c["text"] for c in cells)
        assert "What this notebook needs" in cells[0]["text"] and "make lab" in cells[0]["text"]
        assert session.page.locator(".jp-toast-message, .Toastify__toast").count() == 0, \
            session.page.locator(".jp-toast-message, .Toastify__toast").all_inner_texts()
        if path.startswith(("exercises", "solutions")):
            assert session.page.locator(".myst .myst-exercise").count() >= 1, "no exercise box"
            assert re.search(r"Exercise\s*1", text)
        session.page.screenshot(path=str(SCREENSHOTS / f"jupyterlab-{path.replace('/', '-')}.png"))
        TIMINGS[f"open {path} (s)"] = session.load_seconds
        assert not session.offsite, f"requests to other hosts: {session.offsite}"
        assert not session.errors, session.errors
    finally:
        session.close()


def run_menu(page, menu: str, item: str):
    page.locator(".lm-MenuBar-itemLabel", has_text=re.compile(f"^{menu}$")).click()
    page.locator(".lm-Menu-itemLabel", has_text=re.compile(f"^{item}$")).first.click()


def test_widget_chapter_runs_and_its_slider_redraws(browser, lab):
    session = Session(browser, lab, WIDGET_CHAPTER)
    page = session.page
    try:
        page.wait_for_function("() => /Idle/.test(document.querySelector('#jp-main-statusbar')?.textContent)",
                               timeout=PAGE_TIMEOUT_MS)
        started = time.perf_counter()
        run_menu(page, "Run", "Run All Cells")
        code = page.locator(".jp-Notebook .jp-CodeCell")
        n_code = code.count()
        assert n_code == sum(c.cell_type == "code" for c in session.cells)
        # Every code cell has run when each prompt shows a number (no "[*]", no "[ ]").
        page.wait_for_function(
            """n => {
                 const p = Array.from(document.querySelectorAll('.jp-Notebook .jp-CodeCell .jp-InputPrompt'));
                     return p.length === n && p.every(e => /\\[\\d+\\]/.test(e.textContent)); }""",
            arg=n_code, timeout=RUN_TIMEOUT_MS, polling=500)
        TIMINGS["run all cells of the widget chapter (s)"] = time.perf_counter() - started
        errors = page.locator(".jp-OutputArea-output[data-mime-type='application/vnd.jupyter.stderr']")
        assert errors.count() == 0, errors.all_inner_texts()

        widget = page.locator(".jp-OutputArea-output .widget-vbox").first
        widget.scroll_into_view_if_needed()
        image = widget.locator(".widget-output img").first
        image.wait_for(timeout=PAGE_TIMEOUT_MS)
        before = image.get_attribute("src")
        readout = widget.locator(".widget-readout").first
        width_before = readout.inner_text()
        widget.screenshot(path=str(SCREENSHOTS / "jupyterlab-widget-before.png"))

        handle = widget.locator(".noUi-handle").first
        box = handle.bounding_box()
        started = time.perf_counter()
        page.mouse.move(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)
        page.mouse.down()
        page.mouse.move(box["x"] + box["width"] / 2 - 40, box["y"] + box["height"] / 2, steps=8)
        page.mouse.up()
        page.wait_for_function(
            "([el, src]) => { const i = el.querySelector('.widget-output img'); return i && i.src !== src; }",
            arg=[widget.element_handle(), before], timeout=PAGE_TIMEOUT_MS, polling=200)
        TIMINGS["redraw after the slider moved (s)"] = time.perf_counter() - started
        assert readout.inner_text() != width_before, "the slider's value did not change"
        after = widget.locator(".widget-output img").first.get_attribute("src")
        assert after != before and after.startswith("data:image/png")
        widget.screenshot(path=str(SCREENSHOTS / "jupyterlab-widget-after.png"))
        page.screenshot(path=str(SCREENSHOTS / "jupyterlab-widget-chapter.png"))
        assert errors.count() == 0, errors.all_inner_texts()
        assert not session.offsite, f"requests to other hosts: {session.offsite}"
        assert not session.errors, session.errors
    finally:
        session.close()
