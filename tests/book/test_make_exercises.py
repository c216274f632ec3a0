"""Exercises are generated from solutions: the rules, and that the files are in step."""

from __future__ import annotations

import importlib.util
import re
from pathlib import Path

import jupytext
import pytest

ROOT = Path(__file__).resolve().parents[2]
spec = importlib.util.spec_from_file_location("make_exercises", ROOT / "tools" / "make_exercises.py")
mx = importlib.util.module_from_spec(spec)
spec.loader.exec_module(mx)


def test_every_exercise_is_in_step_with_its_solution():
    assert mx.check() == []
    assert sorted(p.name for p in (ROOT / "solutions").glob("*.md")), "no exercise at all"


def test_a_stale_exercise_is_detected(tmp_path, monkeypatch):
    (tmp_path / "solutions").mkdir()
    (tmp_path / "exercises").mkdir()
    src = ROOT / "solutions" / "parzen.md"
    (tmp_path / "solutions" / "parzen.md").write_text(src.read_text())
    monkeypatch.setattr(mx, "ROOT", tmp_path)
    monkeypatch.setattr(mx, "SOLUTIONS", tmp_path / "solutions")
    monkeypatch.setattr(mx, "EXERCISES", tmp_path / "exercises")
    assert "missing" in mx.check()[0]
    assert mx.main(["build"]) == 0 and mx.check() == []
    (tmp_path / "exercises" / "parzen.md").write_text(
        (tmp_path / "exercises" / "parzen.md").read_text() + "\nA hand edit.\n")
    assert "stale" in mx.check()[0] and mx.main(["check"]) == 1


def test_stub_replaces_the_marked_region_at_its_indentation():
    src = "def f(x):\n    y = 1\n    # BEGIN SOLUTION\n    return x + y\n    # END SOLUTION\n"
    assert mx.stub_code(src, "t") == \
        'def f(x):\n    y = 1\n    raise NotImplementedError("your code here")'
    top = "a = 1\n# BEGIN SOLUTION\nb = 2\n# END SOLUTION\nprint(a)"
    assert mx.stub_code(top, "t") == "a = 1\n# Your code here\nprint(a)"


@pytest.mark.parametrize(
    "src, match",
    [
        ("# BEGIN SOLUTION\nx = 1", "never closed"),
        ("x = 1\n# END SOLUTION", "without a matching"),
        ("# BEGIN SOLUTION\n# BEGIN SOLUTION\n# END SOLUTION", "inside another"),
        ("def f():\n    # BEGIN SOLUTION\n    pass\n# END SOLUTION", "without a matching"),
    ],
)
def test_unbalanced_markers_are_errors(src, match):
    with pytest.raises(mx.SourceError, match=match):
        mx.stub_code(src, "t")


def _nb(*cells):
    nb = jupytext.reads("", fmt="md:myst")
    nb.cells = list(cells)
    return nb


def _cell(kind, source, tags=()):
    from nbformat.v4 import new_code_cell, new_markdown_cell

    cell = (new_code_cell if kind == "code" else new_markdown_cell)(source)
    if tags:
        cell.metadata["tags"] = list(tags)
    return cell


def test_cells_are_dropped_kept_or_stubbed_by_tag():
    nb = _nb(
        _cell("markdown", "# Exercise", ["exercise", "remove-cell"]),
        _cell("markdown", "# Solution", ["solution"]),
        _cell("markdown", "Shared task."),
        _cell("code", "print(1)", ["solution"]),
        _cell("code", "# BEGIN SOLUTION\nx = 1\n# END SOLUTION", ["nbval-ignore-output"]),
    )
    out = mx.exercise_cells(nb, "t")
    assert [c.source for c in out] == ["# Exercise", "Shared task.", "# Your code here"]
    assert "tags" not in out[0].metadata
    assert out[2].metadata["tags"] == ["nbval-ignore-output"]


@pytest.mark.parametrize(
    "cell, match",
    [
        (_cell("markdown", "x", ["exercise"]), "remove-cell"),
        (_cell("code", "x = 1", ["exercise", "remove-cell"]), "must be markdown"),
        (_cell("markdown", "x", ["exercise", "solution"]), "both"),
        (_cell("markdown", "# BEGIN SOLUTION\nx"), "only work in code cells"),
    ],
)
def test_tagging_mistakes_are_errors(cell, match):
    with pytest.raises(mx.SourceError, match=match):
        mx.exercise_cells(_nb(cell), "t")


def test_exercise_pages_carry_the_exercise_and_solutions_the_solution_directive():
    for sol in (ROOT / "solutions").glob("*.md"):
        ex_text = (ROOT / "exercises" / sol.name).read_text()
        sol_text = sol.read_text()
        label = f"ex-{sol.stem}"
        assert f":label: {label}" in ex_text and "{exercise}" in ex_text
        assert "solution-start" not in ex_text and "prf:proof" not in ex_text
        assert f"{{solution-start}} {label}" in sol_text and "{solution-end}" in sol_text
        assert f"{{ref}}`sol-{sol.stem}`" in ex_text  # exercise links to its solution
        assert ":class: dropdown" in sol_text


def test_no_heading_inside_a_gated_solution():
    """A section heading between solution-start and solution-end breaks sphinx-exercise's
    gating (the build fails with 'unknown node type: solution_start_node'); a bold line
    does the same job for a reader."""
    bad = []
    for md in sorted((ROOT / "solutions").glob("*.md")):
        gated = code = False
        for number, line in enumerate(md.read_text(encoding="utf-8").splitlines(), 1):
            if line.startswith("```{code-cell}"):
                code = True
            elif code:
                code = line.strip() != "```"
            elif "{solution-start}" in line:
                gated = True
            elif "{solution-end}" in line:
                gated = False
            elif gated and re.match(r"#{1,6} ", line):
                bad.append(f"{md.relative_to(ROOT)}:{number}: {line}")
    assert not bad, "headings inside a gated solution:\n" + "\n".join(bad)
