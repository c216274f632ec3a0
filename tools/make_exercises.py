"""Generate each exercise notebook from its worked solution, so the two cannot drift.

``solutions/NAME.md`` is the one source; ``exercises/NAME.md`` is derived from it:

- a cell tagged ``solution`` is left out of the exercise;
- a markdown cell tagged ``exercise`` appears only in the exercise. In the solution
  it also carries ``remove-cell``, so the solution page does not show it (this is
  where the ``{exercise}`` directive and the exercise's title live);
- in a code cell, the lines from ``# BEGIN SOLUTION`` to ``# END SOLUTION`` become a
  stub: ``raise NotImplementedError(...)`` inside a function (the notebook's check
  helper reports it as "not done yet"), a ``# Your code here`` comment at top level;
- every other cell is shared, word for word.

    python tools/make_exercises.py build   # write exercises/*.md
    python tools/make_exercises.py check   # fail if one is missing or stale
"""

from __future__ import annotations

import argparse
import copy
import re
import sys
from pathlib import Path

import jupytext
import nbformat

ROOT = Path(__file__).resolve().parents[1]
SOLUTIONS, EXERCISES = ROOT / "solutions", ROOT / "exercises"
BEGIN, END = "# BEGIN SOLUTION", "# END SOLUTION"
STUB = 'raise NotImplementedError("your code here")'
NOTE = "% Generated from solutions/{name} by tools/make_exercises.py: edit that file instead.\n\n"
MARKER = re.compile(r"^(\s*)(# BEGIN SOLUTION|# END SOLUTION)\s*$")


class SourceError(ValueError):
    """A solution file breaks the tagging rules."""


def stub_code(source: str, where: str) -> str:
    """Replace each marked solution region of a code cell by a stub.

    >>> print(stub_code("def f(x):\\n    # BEGIN SOLUTION\\n    return x\\n    # END SOLUTION", "t"))
    def f(x):
        raise NotImplementedError("your code here")
    """
    out, indent = [], None
    for number, line in enumerate(source.splitlines(), start=1):
        match = MARKER.match(line)
        if match and match.group(2) == BEGIN:
            if indent is not None:
                raise SourceError(f"{where}, line {number}: {BEGIN} inside another region.")
            indent = match.group(1)
            out.append(indent + (STUB if indent else "# Your code here"))
        elif match:
            if indent is None or match.group(1) != indent:
                raise SourceError(f"{where}, line {number}: {END} without a matching {BEGIN}.")
            indent = None
        elif indent is None:
            out.append(line)
    if indent is not None:
        raise SourceError(f"{where}: {BEGIN} is never closed by {END}.")
    return "\n".join(out)


def exercise_cells(nb: nbformat.NotebookNode, where: str) -> list[nbformat.NotebookNode]:
    """The exercise's cells, derived from the solution notebook ``nb``."""
    cells = []
    for index, cell in enumerate(nb.cells):
        tags = list(cell.get("metadata", {}).get("tags", []))
        at = f"{where}, cell {index + 1}"
        if "solution" in tags and "exercise" in tags:
            raise SourceError(f"{at}: a cell cannot be tagged both 'solution' and 'exercise'.")
        if "solution" in tags:
            continue
        new = copy.deepcopy(cell)
        if "exercise" in tags:
            if cell.cell_type != "markdown" or "remove-cell" not in tags:
                raise SourceError(
                    f"{at}: an 'exercise' cell must be markdown and also tagged 'remove-cell', "
                    "so that the solution page hides it."
                )
            tags = [t for t in tags if t not in ("exercise", "remove-cell")]
        elif cell.cell_type == "code":
            new.source = stub_code(cell.source, at)
        elif BEGIN in cell.source:
            raise SourceError(f"{at}: solution markers only work in code cells; tag the "
                              "markdown cell 'solution' instead.")
        if tags:
            new.metadata["tags"] = tags
        else:
            new.metadata.pop("tags", None)
        cells.append(new)
    return cells


def render(solution: Path) -> str:
    """The text of the exercise MyST notebook generated from ``solution``."""
    nb = jupytext.read(solution)
    where = str(solution.relative_to(ROOT))
    nb.cells = exercise_cells(nb, where)
    if not nb.cells or nb.cells[0].cell_type != "markdown":
        raise SourceError(f"{where}: the exercise must start with a markdown cell.")
    nb.cells[0].source = NOTE.format(name=solution.name) + nb.cells[0].source
    return jupytext.writes(nb, fmt="md:myst")


def solution_files() -> list[Path]:
    return sorted(SOLUTIONS.glob("*.md"))


def check() -> list[str]:
    problems = []
    for sol in solution_files():
        ex = EXERCISES / sol.name
        if not ex.exists():
            problems.append(f"exercises/{sol.name} is missing; run `make notebooks`")
        elif ex.read_text(encoding="utf-8") != render(sol):
            problems.append(f"exercises/{sol.name} is stale; run `make notebooks`")
    for ex in sorted(EXERCISES.glob("*.md")):
        if not (SOLUTIONS / ex.name).exists():
            problems.append(f"exercises/{ex.name} has no solutions/{ex.name} to come from")
    return problems


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("cmd", choices=["build", "check"])
    args = parser.parse_args(argv)
    if args.cmd == "build":
        EXERCISES.mkdir(exist_ok=True)
        for sol in solution_files():
            target = EXERCISES / sol.name
            text = render(sol)
            if not target.exists() or target.read_text(encoding="utf-8") != text:
                target.write_text(text, encoding="utf-8")
                print(f"wrote exercises/{sol.name}")
        return 0
    problems = check()
    print("\n".join(problems) if problems else "every exercise is in step with its solution")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
