"""Run an exercise notebook as handed out, or with the solution's code filled in.

Shared by the tests of the exercises; not a test module itself.
"""

from __future__ import annotations

import copy
import functools
import importlib.util
import re
from pathlib import Path

import jupytext
import nbformat
from nbclient import NotebookClient

ROOT = Path(__file__).resolve().parents[2]
_spec = importlib.util.spec_from_file_location("make_exercises", ROOT / "tools" / "make_exercises.py")
mx = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(mx)

NAMES = sorted(p.stem for p in (ROOT / "solutions").glob("*.md"))
# What a check prints: "name: all checks passed." and so on (Feedback.__repr__).
REPORT = re.compile(r"^(\w+): (all checks passed|not done yet|not right yet)\.$", re.MULTILINE)


def handed_out(name: str) -> nbformat.NotebookNode:
    """The exercise notebook, stubs and all, as the learner gets it."""
    return jupytext.read(ROOT / "exercises" / f"{name}.md")


def filled_in(name: str) -> nbformat.NotebookNode:
    """The exercise's cells with the solution's code in place of each stub.

    The solution's own cells (tagged ``solution``) stay out: the exercise must be
    solvable with its own scaffolding.
    """
    nb = jupytext.read(ROOT / "solutions" / f"{name}.md")
    cells = []
    for cell in nb.cells:
        tags = cell.get("metadata", {}).get("tags", [])
        if "solution" in tags or "exercise" in tags:
            continue
        new = copy.deepcopy(cell)
        if cell.cell_type == "code":
            new.source = "\n".join(line for line in cell.source.splitlines()
                                   if not mx.MARKER.match(line))
        cells.append(new)
    nb.cells = cells
    return nb


def execute(nb: nbformat.NotebookNode, folder: str) -> nbformat.NotebookNode:
    """Execute ``nb`` in the course folder ``folder``; a cell error raises."""
    nb = copy.deepcopy(nb)
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    NotebookClient(nb, timeout=600, kernel_name="python3",
                   resources={"metadata": {"path": str(ROOT / folder)}}).execute()
    return nb


def outputs_text(nb: nbformat.NotebookNode) -> str:
    """Every text output of the executed notebook, joined."""
    parts = []
    for cell in nb.cells:
        for out in cell.get("outputs", []):
            if "text" in out:
                parts.append(out["text"])
            for kind in ("text/plain",):
                if kind in out.get("data", {}):
                    parts.append(out["data"][kind])
    return "\n".join(parts)


def reports(nb: nbformat.NotebookNode) -> list[tuple[str, str]]:
    """(function name, status) of every check report the notebook printed."""
    return REPORT.findall(outputs_text(nb))


@functools.cache
def handed_out_reports(name: str) -> tuple[tuple[str, str], ...]:
    """The check reports of the handed-out notebook, executed once per test session."""
    return tuple(reports(execute(handed_out(name), "exercises")))
