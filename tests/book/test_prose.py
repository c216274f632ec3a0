"""The prose of every page: computed numbers glued, notation kept, learning blocks present.

Three guards, each against a class of error a reader found in the course:

- a number the page's notebook computes and the prose types by hand (it drifts from the
  output the first time the code changes): the rule is in ``prose_numbers.py``;
- a symbol used against the rules of ``notation.md`` (section "Symbol rules"), as far as a
  machine can tell;
- a page without its "What you will be able to do" block or its summary.
"""

from __future__ import annotations

import re
import sys
from pathlib import Path

import jupytext
import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent))

import prose_numbers  # noqa: E402
from prose_numbers import NOTEBOOK_PAGES, ROOT  # noqa: E402

IDS = [p.relative_to(ROOT).as_posix() for p in NOTEBOOK_PAGES]


# --- 1. Computed numbers are glued, not typed -------------------------------------------

@pytest.mark.parametrize("md", NOTEBOOK_PAGES, ids=IDS)
def test_no_typed_result(md: Path) -> None:
    assert prose_numbers.typed_results(md) == []


def test_the_rule_finds_a_typed_result() -> None:
    shown = prose_numbers.shown_numbers(_notebook_printing("leave-one-out width 0.367\n"))
    # Typed at the printed precision, or rounded: found.
    assert prose_numbers.equals_shown("0.367", shown)
    assert prose_numbers.equals_shown("0.37", shown)
    assert not prose_numbers.equals_shown("0.36", shown)
    # A percentage matches the fraction it rounds.
    assert prose_numbers.equals_shown("94", prose_numbers.shown_numbers(_notebook_printing("0.9412")))
    # Written with more digits than printed: not taken from the output.
    assert not prose_numbers.equals_shown("0.3671", shown)


def test_the_rule_exempts_settings_formulas_years_and_references() -> None:
    prose = ("The leave-one-out width is 0.367, or $h = 0.367$. We draw 200 sets (seeds 1000 "
             "to 1199) as {cite:t}`parzen1962` did in 1962; see {numref}`fig-x-2` and "
             "$e^{-u^2/2}$ with $\\mu_2 = 1$. `print(0.367)`\n\n1. first step\n")
    found = prose_numbers.prose_numbers(prose)
    assert found.count("0.367") == 2  # in running text, and as a value a symbol is given
    assert "2" not in found and "0.367" in found  # exponents and list numbers are no values
    literals = prose_numbers.code_literals(["draws = range(1000, 1200)\nh = 0.25"])
    assert prose_numbers.exempt("1000", literals) and prose_numbers.exempt("1962", set())
    assert prose_numbers.exempt("0.25", literals) and prose_numbers.exempt("0.5", set())
    assert not prose_numbers.exempt("1199", literals)
    assert not prose_numbers.exempt("0.367", literals)


def _notebook_printing(text: str):
    import nbformat
    cell = nbformat.v4.new_code_cell("print(...)")
    cell.outputs = [nbformat.v4.new_output("stream", name="stdout", text=text)]
    return nbformat.v4.new_notebook(cells=[cell])


# --- 2. The symbol rules of notation.md --------------------------------------------------

MATH = re.compile(r"\$\$.*?\$\$|(?<!\\)\$[^$\n]+?(?<!\\)\$|^(`{3,}|:{3,})\{math\}.*?^\1", re.S | re.M)
RULES_IN_MATH = [
    (re.compile(r"\\sigma(?!_)"), "\\sigma without a subscript: the width is h, the noise's "
                                  "standard deviation \\sigma_\\varepsilon, any other \\sigma_X"),
    (re.compile(r"\bZ_(?:d\b|\{d\}|1\b|2\b)"), "Z_d: the kernel's normaliser is c_d"),
    (re.compile(r"(?:W_[qkvo]|\\alpha)\^\{?\(?h\b|\bd_h\b"), "h as a head index: a head is r, "
                                                             "its size d_{\\text{head}}"),
]
RULES_IN_CODE = [
    (re.compile(r"bandwidth\s*=\s*sigma\b"), "a width named sigma: call it h"),
    (re.compile(r"^\s*K\w*\s*=\s*(?:nwlib\.)?(?:smoother_matrix|kernel_ridge_weights|"
                r"attention_weights|local_linear_weights)\(", re.M),
     "a matrix of weights named K: K is the kernel or the Gram matrix; weights are a W"),
    (re.compile(r"head\w*.*\[h\]|\[h\].*head|head \{h\b"), "h as a head index: use `head`"),
]


def notation_problems(md: Path, root: Path = ROOT) -> list[str]:
    problems = []
    rel = md.relative_to(root).as_posix()
    for cell in jupytext.read(md).cells:
        texts = [cell.source] if cell.cell_type == "markdown" else []
        if cell.cell_type == "code":
            for line in cell.source.splitlines():
                for rule, why in RULES_IN_CODE:
                    if rule.search(line):
                        problems.append(f"{rel}: {why}: {line.strip()}")
        for text in texts:
            for math in MATH.finditer(text):
                for rule, why in RULES_IN_MATH:
                    for hit in rule.finditer(math.group(0)):
                        line = next((ln for ln in text.splitlines() if hit.group(0) in ln), "")
                        problems.append(f"{rel}: {why}: {line.strip()[:90]}")
    return problems


@pytest.mark.parametrize("md", NOTEBOOK_PAGES, ids=IDS)
def test_notation(md: Path) -> None:
    assert notation_problems(md) == []


def test_notation_rules_catch_what_they_should(tmp_path: Path) -> None:
    page = tmp_path / "page.md"
    page.write_text(
        "---\njupytext:\n  text_representation:\n    extension: .md\n    format_name: myst\n"
        "kernelspec:\n  display_name: Python 3\n  language: python\n  name: python3\n---\n\n"
        "A Gaussian of width $\\sigma$, normalised by $Z_d$; head $h$ has $W_q^h$.\n"
        "The noise has variance $\\sigma_\\varepsilon^2$, the kernel normaliser $c_d$.\n\n"
        "```{code-cell} ipython3\nK = nwlib.smoother_matrix(x, x, bandwidth=sigma)\n"
        "for h in (0, 1):\n    print(f\"head {h + 1}\", maps[h])\n```\n", encoding="utf-8")
    found = "\n".join(notation_problems(page, root=tmp_path))
    for expected in ["\\sigma without", "Z_d", "h as a head index: a head is r",
                     "a width named sigma", "a matrix of weights named K", "use `head`"]:
        assert expected in found, expected
    assert found.count("\\sigma without") == 1  # \sigma_\varepsilon is fine


def test_notation_page_states_the_rules() -> None:
    text = (ROOT / "notation.md").read_text(encoding="utf-8")
    rules = text.split("## Symbol rules", 1)[1]
    for symbol in ["$h$ is the width", "\\sigma_\\varepsilon", "$c_d$", "$K$ is the kernel",
                   "projection", "head"]:
        assert symbol in rules, symbol


# --- 3. Every page has its learning block and its summary -------------------------------

OUTCOMES = re.compile(r"^(?:\*\*|#+\s*)What you will be able to do(?:\*\*)?\s*$", re.M)
SUMMARY = re.compile(r"^#+\s*Summary\s*$|^\*\*Summary\.?\*\*", re.M)


def page_block_problems(md: Path) -> list[str]:
    text = "\n".join(c.source for c in jupytext.read(md).cells if c.cell_type == "markdown")
    rel = md.relative_to(ROOT).as_posix()
    problems = []
    outcomes = OUTCOMES.search(text)
    if not outcomes:
        problems.append(f"{rel}: no \"What you will be able to do\" block")
    elif not re.match(r"\s*\n(?:\s*\n)*\s*- ", text[outcomes.end():]):
        problems.append(f"{rel}: \"What you will be able to do\" is not followed by a list")
    if not SUMMARY.search(text):
        problems.append(f"{rel}: no summary (a \"## Summary\" section)")
    return problems


@pytest.mark.parametrize("md", NOTEBOOK_PAGES, ids=IDS)
def test_learning_block_and_summary(md: Path) -> None:
    assert page_block_problems(md) == []


# --- 4. The notebook twin shows every glued number ----------------------------------------

@pytest.mark.parametrize("md", NOTEBOOK_PAGES, ids=IDS)
def test_twin_shows_glued_numbers(md: Path) -> None:
    """The book resolves ``{glue:text}``; a notebook viewer cannot, so the twin holds the value."""
    import nbformat

    from tools.learner_notebook import GLUE_ROLE, glued_values

    source = md.read_text(encoding="utf-8")
    twin = nbformat.read(md.with_suffix(".ipynb"), as_version=4)
    names = {m.group(1).partition(":")[0] for m in GLUE_ROLE.finditer(source)}
    glued = set(glued_values(twin))
    assert names <= glued, f"glued in the prose, but by no cell: {names - glued}"
    left = [c.source for c in twin.cells if c.cell_type == "markdown" and "{glue" in c.source]
    assert left == [], "the twin still holds a glue role: run tools/nbsync.py build"
