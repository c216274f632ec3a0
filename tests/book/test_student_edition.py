"""tools/student_edition.py: the book and notebooks without the worked solutions.

The edition is built once per test session into ``_build/student/`` from a copy of the
sources, reusing the main build's execution cache (``make test`` builds the book first, so
nothing is executed again). The exercise leak test's own finder then runs on every page,
notebook and zip entry of the edition.
"""

from __future__ import annotations

import html
import re
import subprocess
import sys
import zipfile

import nbformat
import pytest
import yaml
from test_exercise_leaks import _leaks, _Text

from exercise_runs import NAMES, ROOT
from tools import student_edition as se

OUT = ROOT / "_build" / "student"


def test_references_to_solutions_become_words():
    for text in ("When you are done, compare with {ref}`sol-parzen`.",
                 "see {ref}`the answer <sol-unit-sphere>` first",
                 "see {doc}`../solutions/parzen`",
                 "compare with [Solution: Parzen](../solutions/parzen.ipynb).",
                 "% Generated from solutions/parzen.md by tools/make_exercises.py: "
                 "edit that file instead.\n"):
        out = se.without_solutions(text)
        assert "sol-" not in out and "solutions/" not in out, out
    assert se.without_solutions("an {ref}`exercise <ex-parzen>`") == "an {ref}`exercise <ex-parzen>`"


def test_the_toc_loses_its_solutions_part_only():
    toc = yaml.safe_load((ROOT / "_toc.yml").read_text(encoding="utf-8"))
    student = se.student_toc(toc)
    files = [c["file"] for p in student["parts"] for c in p["chapters"]]
    assert files and not any(f.startswith("solutions/") for f in files)
    kept = [c["file"] for p in toc["parts"] for c in p["chapters"] if not c["file"].startswith("solutions/")]
    assert files == kept


@pytest.fixture(scope="session")
def edition():
    main_site = ROOT / "_build" / "html" / "index.html"
    before = main_site.stat().st_mtime_ns if main_site.exists() else None
    run = subprocess.run([sys.executable, str(ROOT / "tools" / "student_edition.py")],
                         capture_output=True, text=True, timeout=3600)
    assert run.returncode == 0, run.stdout[-3000:] + run.stderr[-3000:]
    after = main_site.stat().st_mtime_ns if main_site.exists() else None
    return dict(main_untouched=before == after)


def _page_text(path):
    parser = _Text()
    parser.feed(path.read_text(encoding="utf-8"))
    return html.unescape(" ".join(parser.parts))


def test_the_edition_has_the_site_zip_and_notebooks(edition):
    assert edition["main_untouched"]  # the main book's site was not rebuilt or touched
    assert (OUT / "html" / "index.html").exists()
    for name in NAMES:
        assert (OUT / "html" / "exercises" / f"{name}.html").exists()
        assert (OUT / "notebooks" / "exercises" / f"{name}.ipynb").exists()
    assert not (OUT / "html" / "solutions").exists() and not (OUT / "src" / "solutions").exists()
    for archive in (se.SITE_ZIP, "notebooks.zip"):
        names = zipfile.ZipFile(OUT / archive).namelist()
        assert names and not any("solutions/" in n for n in names)


@pytest.mark.usefixtures("edition")
def test_nothing_links_to_a_solution():
    assert se.dangling_links(OUT / "html") == []
    for page in (OUT / "html").rglob("*.html"):
        hrefs = re.findall(r'href="([^"]*)"', page.read_text(encoding="utf-8"))
        assert not [h for h in hrefs if "solution" in h], page


def _shared_with_the_course(name):
    """Solution fragments the course's own pages also hold (a chapter's `rng = ...` line):
    they reach the edition from those pages, not from the solution."""
    pages = [p for p in ROOT.glob("*.md") if p.name not in ("README.md", "CONTRIBUTING.md",
                                                           "CHANGELOG.md")]
    pages += list((ROOT / "chapters").glob("*.md")) + list((ROOT / "exercises").glob("*.md"))
    return set(_leaks(name, "\n".join(p.read_text(encoding="utf-8") for p in pages)))


@pytest.mark.usefixtures("edition")
@pytest.mark.parametrize("name", NAMES)
def test_no_solution_text_anywhere_in_the_edition(name):
    # The leak test's finder (solution-only code and prose) on every page's visible text,
    # every notebook's cells and outputs, and the search index.
    shared = _shared_with_the_course(name)
    # The finder still sees the solution itself: the check below can fail.
    own = (ROOT / "solutions" / f"{name}.md").read_text(encoding="utf-8")
    assert set(_leaks(name, own)) - shared
    leaks = {}
    for page in (OUT / "html").rglob("*.html"):
        if found := set(_leaks(name, _page_text(page))) - shared:
            leaks[str(page.relative_to(OUT))] = found
    for path in list((OUT / "notebooks").rglob("*.ipynb")) + list((OUT / "html").rglob("*.ipynb")):
        nb = nbformat.read(path, as_version=4)
        parts = [c.source for c in nb.cells]
        for cell in nb.cells:
            for out in cell.get("outputs", []):
                parts.append(str(out.get("text", "")) + str(out.get("data", {}).get("text/plain", "")))
        if found := set(_leaks(name, "\n".join(parts))) - shared:
            leaks[str(path.relative_to(OUT))] = found
    index = (OUT / "html" / "searchindex.js").read_text(encoding="utf-8")
    if found := set(_leaks(name, index)) - shared:
        leaks["searchindex.js"] = found
    assert leaks == {}
