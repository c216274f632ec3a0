"""`make unit` and `make lint` install the `dev` extra only: it resolves on every platform
from the public index under constraints.txt, and holds no part of the book stack.

Resolved by uv for the target platform (as tools/resolve_env.py does for the course
environment); needs the package registry, as the install itself does.
"""

from __future__ import annotations

import os
import re
import subprocess
from pathlib import Path

import pytest

from tools.resolve_env import PLATFORMS

ROOT = Path(__file__).resolve().parents[2]
#: What only the book needs: none of it may come with the dev extra.
BOOK_STACK = {"jupyter-book", "myst-nb", "jupyterlab", "jupytext", "nbval", "playwright",
              "sphinx-book-theme", "sphinxcontrib-bibtex", "pypdf"}


@pytest.mark.timeout(600)
@pytest.mark.parametrize("platform", PLATFORMS)
def test_dev_extra_resolves_without_the_book(platform, tmp_path):
    from uv import find_uv_bin

    out = tmp_path / "dev.txt"
    subprocess.run(
        [find_uv_bin(), "pip", "compile", "--quiet", "--no-header", str(ROOT / "pyproject.toml"),
         "--extra", "dev", "-c", str(ROOT / "constraints.txt"),
         "--python-platform", PLATFORMS[platform], "--python-version", "3.11.0", "-o", str(out)],
        check=True, capture_output=True, text=True, cwd=ROOT,
        env=dict(os.environ, MACOSX_DEPLOYMENT_TARGET="14.0"))
    names = {re.split(r"[=\s]", line, maxsplit=1)[0].lower()
             for line in out.read_text().splitlines() if "==" in line and not line.startswith(" ")}
    assert {"torch", "pytest", "hypothesis", "ruff", "numpydoc", "statsmodels", "scikit-learn"} <= names
    assert not names & BOOK_STACK, sorted(names & BOOK_STACK)
