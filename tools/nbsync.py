"""Keep each MyST Markdown notebook and its paired .ipynb in step.

The ``.md`` file is the one source of truth, written by hand and reviewed in
diffs. Its ``.ipynb`` twin is generated from it and *executed*, so it carries
the outputs that nbval compares on every test run. The twin is what learners open
(in JupyterLab, or downloaded from the book): ``tools/learner_notebook.py`` gives it a
first cell saying what it needs, and turns citations and cross-page references, which
only the book can resolve, into readable text; each glued number (``{glue:text}``) it
writes as the value its own outputs hold.

    python tools/nbsync.py build [FILE.md ...]     # regenerate + execute (default: all)
    python tools/nbsync.py refresh [FILE.md ...]   # redo the markdown cells only, keeping
                                                   # the outputs (code cells must agree)
    python tools/nbsync.py check                   # fail if any pair disagrees
"""

from __future__ import annotations

import argparse
import hashlib
import sys
from pathlib import Path

import jupytext
import nbformat
from nbclient import NotebookClient

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # run as a script, too
from tools.learner_notebook import fill_glue, glued_values, learner_notebook  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
FOLDERS = ("chapters", "exercises", "solutions")


def paired_markdown() -> list[Path]:
    """Every MyST notebook (a .md with a jupytext header) in the course folders."""
    found = []
    for folder in FOLDERS:
        for md in sorted((ROOT / folder).glob("*.md")):
            if "jupytext:" in md.read_text(encoding="utf-8")[:600]:
                found.append(md)
    return found


def _cells(nb: nbformat.NotebookNode) -> list[tuple[str, str, tuple[str, ...]]]:
    return [
        (c.cell_type, c.source.strip(), tuple(c.get("metadata", {}).get("tags", [])))
        for c in nb.cells
    ]


def twin_of(md: Path) -> nbformat.NotebookNode:
    """The cells the twin of ``md`` must have, before execution."""
    return learner_notebook(jupytext.read(md), md.relative_to(ROOT).with_suffix("").as_posix())


def _finish(nb: nbformat.NotebookNode, md: Path) -> Path:
    # Cell ids from their content, so that regenerating an unchanged twin changes nothing.
    seen: dict[str, int] = {}
    for cell in nb.cells:
        digest = hashlib.sha1(f"{cell.cell_type}\n{cell.source}".encode()).hexdigest()[:12]
        seen[digest] = seen.get(digest, -1) + 1
        cell.id = digest if not seen[digest] else f"{digest}-{seen[digest]}"
    out = md.with_suffix(".ipynb")
    nb.metadata.pop("jupytext", None)
    nb.metadata["jupytext"] = {"formats": "ipynb,md:myst"}
    nbformat.write(nb, out)
    return out


def refresh(md: Path) -> Path:
    """Rewrite the markdown cells of an executed twin, keeping its code cells and outputs."""
    new = twin_of(md)
    old = nbformat.read(md.with_suffix(".ipynb"), as_version=4)
    code = [c for c in old.cells if c.cell_type == "code"]
    wanted = [c for c in new.cells if c.cell_type == "code"]
    if _cells(nbformat.v4.new_notebook(cells=code)) != _cells(nbformat.v4.new_notebook(cells=wanted)):
        raise SystemExit(f"{md.relative_to(ROOT)}: its code cells changed; run `nbsync.py build` on it")
    cells = []
    for cell, fresh in zip(code, wanted, strict=True):
        # Captions and alt text live in the code cell's metadata: take them from the source.
        cell.metadata = {**fresh.metadata, **{k: v for k, v in cell.metadata.items() if k == "execution"}}
        cells.append(cell)
    outputs = iter(cells)
    old.cells = [next(outputs) if c.cell_type == "code" else c for c in new.cells]
    fill_glue(old, glued_values(old), str(md.relative_to(ROOT)))
    return _finish(old, md)


def build(md: Path, timeout: int = 600) -> Path:
    nb = twin_of(md)
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    NotebookClient(nb, timeout=timeout, kernel_name="python3",
                   resources={"metadata": {"path": str(md.parent)}}).execute()
    fill_glue(nb, glued_values(nb), str(md.relative_to(ROOT)))
    return _finish(nb, md)


def check() -> list[str]:
    problems = []
    for md in paired_markdown():
        ipynb = md.with_suffix(".ipynb")
        rel = md.relative_to(ROOT)
        if not ipynb.exists():
            problems.append(f"{rel}: no paired {ipynb.name}; run `make notebooks`")
            continue
        actual = nbformat.read(ipynb, as_version=4)
        try:
            expected = fill_glue(twin_of(md), glued_values(actual), str(rel))
        except KeyError as error:  # a citation, label or glued name that nothing defines
            problems.append(f"{rel}: {error.args[0]}")
            continue
        if _cells(expected) != _cells(actual):
            problems.append(f"{rel} and {ipynb.name} disagree; run `make notebooks`")
    for folder in FOLDERS:
        for ipynb in sorted((ROOT / folder).glob("*.ipynb")):
            if not ipynb.with_suffix(".md").exists():
                problems.append(f"{ipynb.relative_to(ROOT)} has no .md source")
    return problems


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    sub = parser.add_subparsers(dest="cmd", required=True)
    b = sub.add_parser("build")
    b.add_argument("files", nargs="*", type=Path)
    r = sub.add_parser("refresh")
    r.add_argument("files", nargs="*", type=Path)
    sub.add_parser("check")
    args = parser.parse_args(argv)
    if args.cmd in ("build", "refresh"):
        for md in [f.resolve() for f in args.files] or paired_markdown():
            print(f"{args.cmd}: {md.relative_to(ROOT)}", flush=True)
            (build if args.cmd == "build" else refresh)(md)
        return 0
    problems = check()
    print("\n".join(problems) if problems else "every notebook pair is in step")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
