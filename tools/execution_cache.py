"""Sphinx extension: keep the notebook execution cache outside ``_build``, keyed on the code.

myst-nb's jupyter-cache already re-executes a notebook whose code cells changed; it cannot
see a change in the library the cells import or in the pinned environment. So the cache
lives in ``.jupyter_cache/<key>/`` at the book's root, where ``<key>`` hashes ``nwlib/``,
``requirements.txt`` and ``constraints.txt``: a later build on the same machine (CI with
that folder cached, or after ``make clean``) reuses every result whose inputs are
unchanged, and a library change starts a fresh cache. Caches under other keys are removed,
so the folder holds one.
"""

from __future__ import annotations

import hashlib
import shutil
from pathlib import Path
from typing import Any

from sphinx.application import Sphinx

CACHE_ROOT = ".jupyter_cache"
INPUTS = ("requirements.txt", "constraints.txt")
LIBRARY = "nwlib"


def cache_key(root: Path) -> str:
    """A short hash of the files every notebook's results depend on besides its own cells.

    Examples
    --------
    >>> len(cache_key(Path(__file__).resolve().parents[1]))
    16
    """
    digest = hashlib.sha256()
    files = [root / name for name in INPUTS]
    files += sorted(p for p in (root / LIBRARY).rglob("*")
                    if p.is_file() and p.suffix in (".py", ".js") and "__pycache__" not in p.parts)
    for path in files:
        digest.update(path.relative_to(root).as_posix().encode())
        digest.update(b"\0")
        digest.update(path.read_bytes() if path.is_file() else b"<missing>")
        digest.update(b"\0")
    return digest.hexdigest()[:16]


def use_keyed_cache(app: Sphinx, config: Any) -> None:
    root = Path(app.srcdir)
    folder = root / CACHE_ROOT
    path = folder / cache_key(root)
    if folder.is_dir():
        for old in folder.iterdir():
            if old.is_dir() and old != path:
                shutil.rmtree(old)
    path.mkdir(parents=True, exist_ok=True)
    config.nb_execution_cache_path = str(path)


def setup(app: Sphinx) -> dict[str, Any]:
    # Before myst-nb reads its settings (at builder-inited).
    app.connect("config-inited", use_keyed_cache)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
