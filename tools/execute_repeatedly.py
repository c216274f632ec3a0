"""Execute one notebook several times in a row, as the book build does, and time each run.

The book's executor is myst-nb's cache mode: jupyter-cache's ``single_nb_execution`` in
the notebook's own folder, with ``_config.yml``'s timeout and ``tools/nbclient_fix.py``
applied (as ``tools/jupyter_book_cli.py`` applies it). This script calls the same function
with the same arguments, without building the book around it, to show that a notebook
does not stall:

    .venv/bin/python tools/execute_repeatedly.py chapters/widths.md --runs 10

It prints each run's wall time and slowest cell, and exits 1 when a run fails
(a cell error or a cell past its time limit).
"""

from __future__ import annotations

import argparse
import sys
import time
from datetime import datetime
from pathlib import Path

import nbclient_fix
from jupyter_cache.executors.utils import single_nb_execution
from myst_nb.core.read import read_myst_markdown_notebook

ROOT = Path(__file__).resolve().parents[1]


def slowest_cell(nb) -> tuple[float, int]:
    """(seconds, index) of the code cell the kernel took longest over."""
    found = (0.0, -1)
    for i, cell in enumerate(nb.cells):
        times = cell.get("metadata", {}).get("execution", {})
        if "iopub.execute_input" in times and "shell.execute_reply" in times:
            start, end = (datetime.fromisoformat(times[k].rstrip("Z"))
                          for k in ("iopub.execute_input", "shell.execute_reply"))
            found = max(found, ((end - start).total_seconds(), i))
    return found


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("source", type=Path, help="a MyST notebook, e.g. chapters/widths.md")
    parser.add_argument("--runs", type=int, default=10)
    args = parser.parse_args(argv)
    path = args.source.resolve()
    timeout = nbclient_fix.configured_timeout(ROOT)
    failed = 0
    for run in range(1, args.runs + 1):
        nb = read_myst_markdown_notebook(path.read_text(encoding="utf-8"))
        start = time.monotonic()
        result = single_nb_execution(nb, cwd=str(path.parent), timeout=timeout,
                                     allow_errors=False, meta_override=True, record_timing=True)
        seconds, cell = slowest_cell(result.nb)
        status = "ok" if result.err is None else f"FAILED: {type(result.err).__name__}"
        print(f"run {run}: {time.monotonic() - start:6.1f} s, slowest cell {cell} "
              f"{seconds:5.1f} s (limit {timeout} s), {status}", flush=True)
        if result.err is not None:
            failed += 1
            print(result.exc_string, file=sys.stderr)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
