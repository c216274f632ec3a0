"""`make pdf` and `make dist` give a reader something that opens: tested on what they wrote.

The PDF is read back with pypdf: enough pages, the text of every chapter, math typeset (no
TeX source left), every figure of the book present, the solutions unfolded. The zip is
unpacked and its pages opened from disk (file://) in Chromium, as a reader on a train would.
"""

from __future__ import annotations

import json
import re
import zipfile

import pytest
from chromium import FLAGS, chromium_or_skip

from site_pages import ROOT, SITE

PDF = ROOT / "_build" / "pdf" / "attention-pooling-course.pdf"
DIST = ROOT / "_build" / "dist" / "attention-pooling-course.zip"
# (Code cells may hold TeX in plot labels, e.g. "\\mid"; these appear in no code cell.)
RAW_TEX = ("$$", "\\frac", "\\begin{", "\\sum_", "\\alpha(")


def _book_figures() -> int:
    """Figures in the book: image outputs of the chapters' and solutions' executed twins."""
    twins = [*ROOT.glob("chapters/*.ipynb"), *ROOT.glob("solutions/*.ipynb")]
    return sum("image/png" in o.get("data", {})
               for t in twins for c in json.loads(t.read_text("utf-8"))["cells"]
               for o in c.get("outputs", []))


@pytest.fixture(scope="module")
def pdf():
    chromium_or_skip()  # printing needs the browser: skip (or fail under CI) as those tests do
    assert PDF.is_file(), f"no {PDF}: run `make pdf` (`make test` does when it finds Chromium)"
    from pypdf import PdfReader

    reader = PdfReader(PDF)
    text = "\n".join(page.extract_text() or "" for page in reader.pages)
    return reader, text


def test_pdf_has_the_whole_book(pdf):
    reader, text = pdf
    assert len(reader.pages) >= 40, f"only {len(reader.pages)} pages"
    flat = re.sub(r"\s+", " ", text)
    for title in ("Attention pooling by similarity", "Bibliography", "Credit and licence"):
        assert title.lower() in flat.lower(), f"{title!r} is not in the PDF"
    # Solutions are folded on the web (a dropdown); on paper they are open.
    assert "scaled_dot_product_attention(queries, keys, values" in flat, \
        "the folded solutions were not printed"


def test_pdf_math_is_typeset(pdf):
    _, text = pdf
    raw = [t for t in RAW_TEX if t in text]
    assert not raw, f"raw TeX in the PDF text: {raw}"


def test_pdf_has_every_figure(pdf):
    reader, _ = pdf
    images = sum(len(page.images) for page in reader.pages)
    assert images >= _book_figures(), f"{images} images in the PDF, the book has {_book_figures()} figures"


def test_dist_zip_opens_offline(tmp_path):
    assert DIST.is_file(), f"no {DIST}: run `make dist` (`make test` does)"
    with zipfile.ZipFile(DIST) as z:
        names = z.namelist()
        assert len({n.split("/")[0] for n in names}) == 1, "the zip should unpack into one folder"
        z.extractall(tmp_path)
    root = tmp_path / names[0].split("/")[0]
    built = {p.relative_to(SITE).as_posix() for p in SITE.rglob("*.html")}
    unpacked = {p.relative_to(root).as_posix() for p in root.rglob("*.html")}
    assert built == unpacked, built ^ unpacked
    assert (root / "_static/vendor/mathjax/LICENSE").is_file()

    executable = chromium_or_skip()
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=executable, args=FLAGS, headless=True)
        context = browser.new_context()
        offsite: list[str] = []
        context.route("**/*", lambda r: r.continue_() if r.request.url.startswith(("file:", "data:", "blob:"))
                      else (offsite.append(r.request.url), r.abort()))
        page = context.new_page()
        page.set_default_timeout(180_000)  # a loaded machine; see test_browser.py
        errors: list[str] = []
        page.on("pageerror", lambda e: errors.append(str(e)))
        for name in ("chapters/kernels.html", "chapters/width-explorer.html"):
            page.goto((root / name).as_uri(), wait_until="load")
            page.wait_for_function("() => window.MathJax && MathJax.startup && MathJax.startup.promise")
            page.evaluate("() => MathJax.startup.promise")
            untypeset = page.evaluate("""() => [...document.querySelectorAll('article .math')]
                .filter(m => !m.querySelector('mjx-container')).length""")
            assert untypeset == 0, f"{name}: {untypeset} formulas not typeset from the zip"
            broken = page.evaluate("""async () => {
                for (const img of document.images) { img.loading = 'eager';
                    if (!img.complete) await new Promise(r => { img.onload = img.onerror = r; }); }
                return [...document.images].filter(i => !i.naturalWidth).map(i => i.src); }""")
            assert not broken, f"{name}: images missing from the zip: {broken}"
        # The width explorer runs from disk too.
        page.locator("[data-nw-explorer][data-nw-ready]").first.wait_for()
        browser.close()
    assert not offsite, f"the unpacked site asked for other hosts: {offsite}"
    assert not errors, errors
