"""`make book`'s flags turn a notebook that fails to execute into a failed build.

Without -W, jupyter-book only warns about a failing notebook and exits 0; this builds a
tiny throwaway book with the course's _config.yml and tools/course.py's flags, once with a
notebook that raises and once with one that runs, in parallel to keep it quick.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
# The same command line `make book` runs.
JUPYTER_BOOK = [sys.executable, str(ROOT / "tools" / "jupyter_book_cli.py")]

NOTEBOOK = """---
jupytext:
  text_representation:
    extension: .md
    format_name: myst
kernelspec:
  display_name: Python 3
  language: python
  name: python3
---

# A tiny page

```{{code-cell}} ipython3
{code}
```
"""


def book_flags() -> list[str]:
    from tools import course  # the one place `make book` takes its flags from

    assert "-W" in course.BOOK_FLAGS
    return list(course.BOOK_FLAGS)


def tiny_book(folder: Path, code: str) -> Path:
    folder.mkdir()
    for name in ("_config.yml", "references.bib"):
        shutil.copy(ROOT / name, folder / name)
    for name in ("tools", "assets"):  # the local extensions and the committed static path
        shutil.copytree(ROOT / name, folder / name, ignore=shutil.ignore_patterns("__pycache__"))
    (folder / "vendor-assets").mkdir()  # the generated static path; empty will do
    (folder / "_toc.yml").write_text("format: jb-book\nroot: index\n")
    (folder / "index.md").write_text(NOTEBOOK.format(code=code))
    return folder


def problems(log: str) -> str:
    return "\n".join(line for line in log.splitlines() if "WARNING" in line or "ERROR" in line)


def test_failing_notebook_fails_the_build(tmp_path):
    good = tiny_book(tmp_path / "good", "print(6 * 7)")
    broken = tiny_book(tmp_path / "broken", 'raise RuntimeError("deliberately broken")')
    runs = {
        name: subprocess.Popen([*JUPYTER_BOOK, "build", str(book), *book_flags()],
                               stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
        for name, book in (("good", good), ("broken", broken))
    }
    out = {name: run.communicate(timeout=300)[0] for name, run in runs.items()}
    assert runs["good"].returncode == 0, problems(out["good"])
    assert "42" in (good / "_build" / "html" / "index.html").read_text()
    assert runs["broken"].returncode != 0, out["broken"][-3000:]
    assert "Executing notebook failed" in out["broken"], out["broken"][-3000:]
