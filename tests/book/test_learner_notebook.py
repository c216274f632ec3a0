"""The .ipynb twins say what they need and carry no reference only the book can resolve."""

from __future__ import annotations

import re
from pathlib import Path

import jupytext
import nbformat
import pytest

from tools import learner_notebook as ln
from tools.nbsync import paired_markdown

ROOT = Path(__file__).resolve().parents[2]
ENTRIES = {"a2000": ("Ames", "2000", "https://doi.org/10.1/x"), "b1999": ("Bo and Cy", "1999", "")}


def test_citations_read_as_author_year():
    assert ln.cite_text(["a2000", "b1999"], textual=False, entries=ENTRIES) == (
        "([Ames, 2000](https://doi.org/10.1/x); Bo and Cy, 1999)")
    assert ln.cite_text(["b1999"], textual=True, entries=ENTRIES) == "Bo and Cy (1999)"
    with pytest.raises(KeyError, match="nosuch"):
        ln.cite_text(["nosuch"], textual=False, entries=ENTRIES)


def test_bibliography_names_and_links_from_references_bib():
    bib = ln.bibliography()
    assert bib["mack1982"] == ("Mack and Silverman", "1982", "https://doi.org/10.1007/BF00539840")
    assert bib["vaswani2017"][0] == "Vaswani et al."
    assert bib["norelli2022"][2] == "https://arxiv.org/abs/2210.01738"


def test_cross_page_references_become_links_to_the_notebooks():
    text = ln.learner_markdown(
        "See {ref}`the exercise <ex-parzen>`, {ref}`sol-parzen`, {doc}`width-explorer` "
        "and {eq}`eq-nw`.", "chapters/widths", 3)
    assert "[the exercise](../exercises/parzen.ipynb)" in text
    assert "[Solution: Parzen windows and Nadaraya-Watson classification](../solutions/parzen.ipynb)" in text
    assert re.search(r"\[[^\]]+\]\(width-explorer\.ipynb\)", text)
    # The introduction is no notebook: named, not linked (it would open as raw MyST).
    assert "and Eq. 1 of *Attention pooling by similarity*." in text
    assert "{" not in text


def test_same_page_labels_are_left_to_jupyterlab_myst():
    source = "By {ref}`eq-widths-gauss` and {numref}`Eq. %s <eq-widths-loo>`."
    assert ln.learner_markdown(source, "chapters/widths", 20) == source
    # It would write an {eq} as "(2)"; the book writes "Eq. 2".
    assert ln.learner_markdown("By {eq}`eq-widths-loo`.", "chapters/widths", 20) == (
        "By {numref}`Eq. %s <eq-widths-loo>`.")


def test_a_figure_of_the_same_page_is_above_or_below(monkeypatch):
    fig = ln.Target("chapters/widths", "figure", "What to see.", number=2, cell=5)
    monkeypatch.setattr(ln, "targets", lambda: {"fig-x": fig})
    text = "As {numref}`fig-x` shows."
    assert ln.learner_markdown(text, "chapters/widths", 3) == "As the figure below shows."
    assert ln.learner_markdown(text, "chapters/widths", 9) == "As the figure above shows."
    assert ln.learner_markdown("{numref}`Figure %s <fig-x>`", "chapters/widths", 9) == "Figure 2"
    assert ln.learner_markdown("{numref}`fig-x`", "exercises/parzen", 1) == (
        "[Fig. 2 of *Adapting the width*](../chapters/widths.ipynb)")


def test_an_unknown_label_is_an_error():
    with pytest.raises(KeyError, match="no-such-label"):
        ln.learner_markdown("{ref}`no-such-label`", "chapters/widths", 0)


def test_comments_includes_and_solution_ends():
    source = ("% a note for authors\n\nBefore.\n\n```{include} ../benchmarks/results.md\n"
              ":start-after: \"<!-- table -->\"\n```\n\n```{solution-end}\n```")
    text = ln.learner_markdown(source, "chapters/scaling-up", 4)
    included = (ROOT / "benchmarks" / "results.md").read_text().split("<!-- table -->", 1)[1].strip("\n")
    assert text.startswith("Before.") and included in text
    assert "%" not in text.splitlines()[0] and "{include}" not in text
    assert text.endswith("*End of the solution.*")


def test_the_first_cell_says_what_the_notebook_needs():
    nb = ln.learner_notebook(jupytext.read(ROOT / "exercises" / "parzen.md"), "exercises/parzen")
    first = nb.cells[0]
    assert first.metadata["tags"] == [ln.HEADER_TAG]
    assert "nwlib" in first.source and "make lab" in first.source
    assert "`exercises/parzen.ipynb`" in first.source


def test_a_dropdown_solution_starts_folded():
    nb = ln.learner_notebook(jupytext.read(ROOT / "solutions" / "parzen.md"), "solutions/parzen")
    folded = [c for c in nb.cells if c.metadata.get(ln.COLLAPSED)]
    assert len(folded) == 1 and folded[0].source.startswith("# Solution")
    assert "{solution-start}" in folded[0].source


@pytest.mark.parametrize("md", paired_markdown(), ids=lambda p: p.relative_to(ROOT).as_posix())
def test_every_twin_keeps_only_references_jupyterlab_resolves(md):
    page = md.relative_to(ROOT).with_suffix("").as_posix()
    twin = nbformat.read(md.with_suffix(".ipynb"), as_version=4)
    assert twin.cells[0].metadata.get("tags") == [ln.HEADER_TAG]
    for cell in twin.cells:
        if cell.cell_type != "markdown":
            continue
        assert not re.search(r"\{(cite(:\w+)?|doc|include)\}", cell.source), cell.source
        assert not re.search(r"^% ", cell.source, re.M)
        for role, content in re.findall(r"\{(ref|numref|eq)\}`([^`]*)`", cell.source):
            label = re.sub(r"^.*<([^<>]+)>$", r"\1", content, flags=re.S)
            target = ln.targets()[label]
            assert target.page == page and target.kind != "figure", (role, label)
