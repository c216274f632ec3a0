"""A result an exercise asks the learner to derive appears in no chapter.

The code-line test (test_exercise_leaks.py) cannot see a derivation: a chapter that
writes out the formula a task asks for gives the answer away in LaTeX. So each solution
names what its learner derives. A solution cell that writes out a derivation (a markdown
cell tagged ``solution`` with display math) carries cell metadata ``"derived"``: a list
of the LaTeX of the results it derives, e.g.

    +++ {"derived": ["n^{-4/(d+4)}"], "tags": ["solution"]}

and none of them may appear in the text of a chapter, the introduction or the notation
page, up to LaTeX spacing and spelling (``\\,``, ``\\left``, ``\\bigl``, ``\\|`` against
``\\lVert``, ``\\tfrac`` against ``\\frac``, blanks).
"""

from __future__ import annotations

import re

import jupytext
import pytest

from exercise_runs import NAMES, ROOT

BOOK_PAGES = sorted((ROOT / "chapters").glob("*.md")) + [ROOT / "intro.md", ROOT / "notation.md"]
MIN_MARKER = 8  # characters of a normalised marker: shorter ones would match by chance

_SPELLINGS = [
    (r"\\(?:left|right|bigl|bigr|Bigl|Bigr|biggl|biggr|big|Big)(?![a-zA-Z])", ""),
    (r"\\(?:lVert|rVert|Vert)(?![a-zA-Z])|\\\|", "‖"),
    (r"\\(?:lvert|rvert|vert)(?![a-zA-Z])", "|"),
    (r"\\(?:tfrac|dfrac)(?![a-zA-Z])", r"\\frac"),
    (r"\\(?:operatorname|mathrm)\{([A-Za-z]+)\}", r"\1"),
    (r"\\[,;:!> ]", ""),
    (r"\\(?:quad|qquad)(?![a-zA-Z])", ""),
    (r"\s+", ""),
]


def normalise(latex: str) -> str:
    """LaTeX with spacing and equivalent spellings made uniform.

    >>> normalise(r"e^{\\lVert q \\rVert^2 / 2}") == normalise(r"e^{\\|q\\|^2/2}")
    True
    """
    for pattern, replacement in _SPELLINGS:
        latex = re.sub(pattern, replacement, latex)
    return latex


def derived_results(name: str) -> list[tuple[str, str]]:
    """(marker, normalised marker) for every result the solution ``name`` derives."""
    nb = jupytext.read(ROOT / "solutions" / f"{name}.md")
    found = []
    for cell in nb.cells:
        for marker in cell.get("metadata", {}).get("derived", []):
            found.append((marker, normalise(marker)))
    return found


def _book_text() -> dict[str, str]:
    return {str(p.relative_to(ROOT)): normalise(p.read_text(encoding="utf-8")) for p in BOOK_PAGES}


@pytest.mark.parametrize("name", NAMES)
def test_every_written_out_derivation_names_what_it_derives(name):
    nb = jupytext.read(ROOT / "solutions" / f"{name}.md")
    for index, cell in enumerate(nb.cells, start=1):
        tags = cell.get("metadata", {}).get("tags", [])
        if cell.cell_type == "markdown" and "solution" in tags and "$$" in cell.source:
            assert cell.metadata.get("derived"), (
                f"solutions/{name}.md, cell {index}: a derivation without a 'derived' list "
                "in its metadata")


@pytest.mark.parametrize("name", NAMES)
def test_every_derived_result_is_in_its_own_solution_and_long_enough(name):
    nb = jupytext.read(ROOT / "solutions" / f"{name}.md")
    text = normalise("\n".join(cell.source for cell in nb.cells))
    for marker, key in derived_results(name):
        assert len(key) >= MIN_MARKER, f"{marker!r} is too short to search for"
        # The marker is the result as the solution writes it, not a paraphrase.
        assert key in text, f"{marker!r} is not written out in the solution"


@pytest.mark.parametrize("name", NAMES)
def test_no_chapter_derives_what_the_exercise_asks_for(name):
    pages = _book_text()
    leaks = [f"{marker!r} in {page}" for marker, key in derived_results(name)
             for page, text in pages.items() if key in text]
    assert leaks == []


def test_the_normalisation_sees_through_spacing_and_spelling():
    written = r"E[X] = e^{\left\lVert q + k \right\rVert^2 / 2}\,"
    assert normalise(r"e^{\|q+k\|^2/2}") in normalise(written)
    assert normalise(r"\tfrac{1}{2}") == normalise(r"\frac{1}{2}")
    assert normalise(r"\operatorname{Var}[X]") == normalise(r"\mathrm{Var} [X]")
    assert normalise(r"n^{-4/(d+4)}") not in normalise(r"n^{-4/5}")


def test_the_search_finds_a_derived_result_planted_in_a_chapter():
    # The chapter test could pass by finding nothing: plant every marker, respaced as a
    # chapter might write it, in a page's text and show each one is found.
    markers = [m for name in NAMES for m in derived_results(name)]
    assert len(markers) >= len(NAMES), "fewer derived results than exercises"
    for marker, key in markers:
        respaced = re.sub(r"\\lVert|\\rVert", r"\\|", marker).replace(" ", "  ")
        page = "Some prose, then $$\n" + respaced.replace("\\frac", "\\tfrac") + "\n$$ more."
        assert key in normalise(page), marker
