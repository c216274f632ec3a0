"""Keep each MyST Markdown notebook and its paired .ipynb in step.

The ``.md`` file is the one source of truth, written by hand and reviewed in
diffs. Its ``.ipynb`` twin is generated from it and *executed*, so it carries
the outputs that nbval compares on every test run.

    python tools/nbsync.py build [FILE.md ...]   # regenerate + execute (default: all)
    python tools/nbsync.py check                 # fail if any pair disagrees
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import jupytext
import nbformat
from nbclient import NotebookClient

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


def build(md: Path, timeout: int = 600) -> Path:
    nb = jupytext.read(md)
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    NotebookClient(nb, timeout=timeout, kernel_name="python3",
                   resources={"metadata": {"path": str(md.parent)}}).execute()
    out = md.with_suffix(".ipynb")
    nb.metadata.pop("jupytext", None)
    nb.metadata["jupytext"] = {"formats": "ipynb,md:myst"}
    nbformat.write(nb, out)
    return out


def check() -> list[str]:
    problems = []
    for md in paired_markdown():
        ipynb = md.with_suffix(".ipynb")
        rel = md.relative_to(ROOT)
        if not ipynb.exists():
            problems.append(f"{rel}: no paired {ipynb.name}; run `make notebooks`")
            continue
        if _cells(jupytext.read(md)) != _cells(nbformat.read(ipynb, as_version=4)):
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
    sub.add_parser("check")
    args = parser.parse_args(argv)
    if args.cmd == "build":
        for md in [f.resolve() for f in args.files] or paired_markdown():
            print(f"executing {md.relative_to(ROOT)}", flush=True)
            build(md)
        return 0
    problems = check()
    print("\n".join(problems) if problems else "every notebook pair is in step")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
