"""Print the single-page build of the book to one PDF with headless Chromium: no TeX needed.

``make pdf`` builds ``_build/singlehtml`` (every page of the book in one HTML file), then
this script serves it from 127.0.0.1, waits until MathJax has typeset every formula and
every image has loaded, and prints it with Chromium's own PDF engine, page numbers in the
footer. Chromium is found as the browser tests find it (tests/book/chromium.py).

    .venv/bin/python tools/print_pdf.py _build/singlehtml _build/pdf/book.pdf
"""

from __future__ import annotations

import argparse
import functools
import http.server
import sys
import threading
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests" / "book"))  # the one place that knows how to find Chromium

from chromium import FLAGS, HOW_TO_ENABLE, find_chromium  # noqa: E402

FOOTER = ('<div style="font-size:8px;width:100%;text-align:center;color:#555">'
          '<span class="pageNumber"></span> / <span class="totalPages"></span></div>')
# Typesetting a whole book's formulas at once takes a while on a slow machine.
TIMEOUT_MS = 300_000
ROOT_DOCUMENT = "intro"  # _toc.yml's root


class _Quiet(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args):
        pass


def print_pdf(site: Path, out: Path) -> int:
    """Print the single page in ``site`` to ``out``; returns the number of formulas typeset."""
    from playwright.sync_api import sync_playwright

    executable = find_chromium()
    if executable is None:
        raise SystemExit(f"make pdf: {HOW_TO_ENABLE}")
    server = http.server.ThreadingHTTPServer(
        ("127.0.0.1", 0), functools.partial(_Quiet, directory=str(site)))
    threading.Thread(target=server.serve_forever, daemon=True).start()
    host = f"127.0.0.1:{server.server_address[1]}"
    try:
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path=executable, args=FLAGS, headless=True)
            context = browser.new_context(color_scheme="light")
            # Offline by construction: nothing but the local server is reachable.
            context.route("**/*", lambda r: r.continue_() if host in r.request.url
                          or r.request.url.startswith(("data:", "blob:")) else r.abort())
            page = context.new_page()
            page.set_default_timeout(TIMEOUT_MS)
            # jupyter-book names the single page after the root document; index.html redirects.
            page.goto(f"http://{host}/{ROOT_DOCUMENT}.html", wait_until="load")
            page.wait_for_function("() => window.MathJax && MathJax.startup && MathJax.startup.promise")
            page.evaluate("() => MathJax.startup.promise")
            page.evaluate("""async () => {
                for (const img of document.images) { img.loading = 'eager';
                    if (!img.complete) await new Promise(r => { img.onload = img.onerror = r; }); }
            }""")
            # Chromium's PDF call fires no `beforeprint`; sphinx-togglebutton opens every folded
            # block (the solutions) on that event, so send it ourselves.
            page.evaluate("() => window.dispatchEvent(new Event('beforeprint'))")
            typeset = page.evaluate("() => document.querySelectorAll('mjx-container').length")
            out.parent.mkdir(parents=True, exist_ok=True)
            page.pdf(path=str(out), format="A4", print_background=True,
                     margin={"top": "15mm", "bottom": "18mm", "left": "15mm", "right": "15mm"},
                     display_header_footer=True, header_template="<div></div>",
                     footer_template=FOOTER)
            browser.close()
    finally:
        server.shutdown()
    return typeset


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("site", type=Path, help="the singlehtml build folder")
    parser.add_argument("out", type=Path, help="the PDF to write")
    args = parser.parse_args()
    if not (args.site / f"{ROOT_DOCUMENT}.html").is_file():
        raise SystemExit(f"no {args.site / ROOT_DOCUMENT}.html: build it with `make pdf`")
    typeset = print_pdf(args.site, args.out)
    print(f"{args.out}: {typeset} formulas typeset")


if __name__ == "__main__":
    main()
