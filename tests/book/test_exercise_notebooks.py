"""Every exercise can be handed out: it says what it needs, offers folded hints, runs
unfinished, and its checks pass once the solution's code fills the stubs.

The exercises are discovered from ``solutions/*.md``: a new exercise is covered as soon
as its solution exists.
"""

from __future__ import annotations

import re

import jupytext
import nbformat
import pytest

from exercise_runs import NAMES, ROOT, execute, filled_in, handed_out, handed_out_reports, mx, reports

HINT = re.compile(r"```\{admonition\} Hint[^\n]*\n:class: dropdown\n")
TASK = re.compile(r"^\*\*Task \d")


@pytest.mark.parametrize("name", NAMES)
def test_the_exercise_states_prerequisites_time_and_difficulty(name):
    text = (ROOT / "exercises" / f"{name}.md").read_text(encoding="utf-8")
    prerequisites = re.search(r"\*\*Prerequisites:\*\*(.*?)\n- \*\*", text, re.S)
    assert prerequisites, "no **Prerequisites:** item"
    chapters = re.findall(r"\{doc\}`\.\./chapters/([\w-]+)`", prerequisites.group(1))
    assert chapters and all((ROOT / "chapters" / f"{c}.md").exists() for c in chapters)
    assert re.search(r"\*\*Expected time:\*\* about \d+ minutes", text)
    assert re.search(r"\*\*Difficulty:\*\* \w+", text)


def _segments(nb: nbformat.NotebookNode) -> list[list[nbformat.NotebookNode]]:
    """The cells of each task, from its "**Task N" prompt to the next one."""
    segments: list[list[nbformat.NotebookNode]] = []
    for cell in nb.cells:
        if cell.cell_type == "markdown" and TASK.match(cell.source):
            segments.append([])
        if segments:
            segments[-1].append(cell)
    return segments


@pytest.mark.parametrize("name", NAMES)
def test_every_task_offers_a_folded_hint_before_its_solution(name):
    segments = _segments(jupytext.read(ROOT / "solutions" / f"{name}.md"))
    assert segments, "no **Task N** prompts"
    for number, cells in enumerate(segments, start=1):
        first_answer = next(i for i, c in enumerate(cells + [None]) if c is None
                            or "solution" in c.get("metadata", {}).get("tags", [])
                            or (c.cell_type == "code" and mx.BEGIN in c.source))
        hints = [i for i, c in enumerate(cells) if c.cell_type == "markdown"
                 and "solution" not in c.get("metadata", {}).get("tags", [])
                 and HINT.search(c.source)]
        assert hints, f"task {number} has no folded hint"
        assert hints[0] < first_answer, f"task {number}: its hint comes after its answer"


@pytest.mark.parametrize("name", NAMES)
def test_the_learner_writes_the_answers(name):
    """Stubs for code, and an empty cell for every proof the solution writes out."""
    ex = handed_out(name)
    stubs = sum(mx.STUB in c.source or "# Your code here" in c.source
                for c in ex.cells if c.cell_type == "code")
    assert stubs >= 2, "fewer than two pieces of code for the learner to write"
    sol = jupytext.read(ROOT / "solutions" / f"{name}.md")
    proofs = [c for c in sol.cells if "solution" in c.get("metadata", {}).get("tags", [])
              and c.cell_type == "markdown" and "$$" in c.source]
    answer_cells = [c for c in ex.cells if c.cell_type == "markdown"
                    and c.source.startswith("*Write your")]
    assert bool(proofs) <= bool(answer_cells), "the solution derives something; give the learner a cell"


@pytest.mark.parametrize("name", NAMES)
def test_the_handed_out_notebook_runs_and_every_check_says_not_done_yet(name):
    found = handed_out_reports(name)
    assert found, "the exercise calls no check"
    assert {status for _, status in found} == {"not done yet"}, found


@pytest.mark.parametrize("name", NAMES)
def test_the_solution_code_in_the_exercise_passes_every_check(name):
    unfinished = handed_out_reports(name)
    solved = reports(execute(filled_in(name), "exercises"))
    assert [f for f, _ in solved] == [f for f, _ in unfinished]
    assert {status for _, status in solved} == {"all checks passed"}, solved


def test_the_filled_in_notebook_keeps_out_the_solution_cells():
    for name in NAMES:
        cells = filled_in(name).cells
        assert not any("solution" in c.get("metadata", {}).get("tags", []) for c in cells)
        assert not any(mx.BEGIN in c.source or mx.STUB in c.source for c in cells)


@pytest.mark.parametrize("folder", ["exercises", "solutions"])
def test_no_stored_notebook_keeps_a_progress_bar(folder):
    for ipynb in sorted((ROOT / folder).glob("*.ipynb")):
        nb = nbformat.read(ipynb, as_version=4)
        for cell in nb.cells:
            for out in cell.get("outputs", []):
                text = str(out.get("text", "")) + str(out.get("data", {}))
                assert not re.search(r"\d+%\|", text), f"{ipynb.name}: a progress bar in the outputs"
                assert "application/vnd.jupyter.widget-view+json" not in out.get("data", {}), \
                    f"{ipynb.name}: a widget (tqdm's bar?) in the outputs"


def test_the_consistency_exercise_states_no_rate():
    """Its task is to derive the rates: neither the text nor a name it uses gives them."""
    text = (ROOT / "exercises" / "consistency.md").read_text(encoding="utf-8")
    flat = re.sub(r"\s+", "", text)
    for rate in ("d+4", "d+2", "4/5", "1/5", "2/3", "1/6", "-0.8", "-0.2", "rate_exponents",
                 "loglog_slope", "simulate_rate(ns,d)"):
        assert rate not in flat, rate
