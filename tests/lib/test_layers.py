"""The package's layers, checked on its source: core, private backends, course.

- the core (``nwlib/*.py``) never imports :mod:`nwlib.course` (the package's
  ``__init__`` imports it in one labelled block, so that ``nwlib.course.x`` works after
  ``import nwlib``, without re-exporting its names; it is the namespace, not the core);
- the backends (``nwlib/_backends``) import only :mod:`nwlib.validation`, :mod:`nwlib.logspace`,
  :mod:`nwlib.blocking` and each other;
- no module imports a private (underscored) name from another module, except the
  core's import of the private ``_backends`` package itself;
- tests patch public seams only (no ``monkeypatch.setattr(obj, "_private", ...)``).
"""

from __future__ import annotations

import ast
import shutil
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
PACKAGE = ROOT / "nwlib"
# The input funnel, the memory knob and the row-max shift: small leaf modules of the
# core that import nothing else of nwlib, so the backends share them without a cycle.
BACKEND_ALLOWED = {"nwlib.validation", "nwlib.blocking", "nwlib.logspace"}


def _module_name(path: Path, package: Path) -> str:
    parts = list(path.relative_to(package.parent).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def _imports(path: Path, package: Path):
    """(line, imported module, imported names) for every import in ``path``."""
    name = _module_name(path, package)
    is_pkg = path.name == "__init__.py"
    here = name.split(".") if is_pkg else name.split(".")[:-1]
    for node in ast.walk(ast.parse(path.read_text(), filename=str(path))):
        if isinstance(node, ast.Import):
            for alias in node.names:
                yield node.lineno, alias.name, []
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = here[: len(here) - node.level + 1]
                target = ".".join(base + ([node.module] if node.module else []))
            else:
                target = node.module or ""
            names = [a.name for a in node.names]
            if node.module is None:  # from . import x: each name is a module
                for n in names:
                    yield node.lineno, f"{target}.{n}", []
            else:
                yield node.lineno, target, names


def violations(package: Path = PACKAGE) -> list[str]:
    """Every broken layering rule, one message per offending import."""
    found = []
    for path in sorted(package.rglob("*.py")):
        module = _module_name(path, package)
        where = f"{path.relative_to(package.parent)}"
        layer = module.split(".")[1] if module.count(".") else ""
        for line, target, names in _imports(path, package):
            if not target.startswith("nwlib"):
                continue
            stmt = f"{where}:{line} imports {target}" + (f" ({', '.join(names)})" if names else "")
            # nwlib/__init__.py is the namespace: its one labelled block imports the course;
            # nwlib/checks.py re-exports the learner checks under the name exercises import.
            core = layer not in ("course", "_backends") and module not in ("nwlib", "nwlib.checks")
            if core and target.startswith("nwlib.course"):
                found.append(f"{stmt}: the core must not import the course helpers")
            if layer == "_backends" and not (
                target in BACKEND_ALLOWED or target.startswith("nwlib._backends")
            ):
                found.append(f"{stmt}: backends may import only validation, blocking and logspace")
            private = [n for n in names if n.startswith("_") and n != "__future__"]
            last = target.rsplit(".", 1)[-1]
            if private or (last.startswith("_") and last != "_backends"):
                found.append(f"{stmt}: imports another module's private name")
    return found


def test_the_layers_hold():
    assert violations() == []


@pytest.mark.parametrize(
    ("module", "planted", "rule"),
    [
        ("kernels.py", "from .course import plot_fit\n", "core must not import the course"),
        ("pooling.py", "import nwlib.course.data\n", "core must not import the course"),
        ("_backends/sdpa.py", "from ..pooling import log_scores\n", "only validation, blocking and logspace"),
        ("density.py", "from .pooling import _fmt\n", "private name"),
    ],
)
def test_a_planted_bad_import_is_named(tmp_path, module, planted, rule):
    copy = tmp_path / "nwlib"
    shutil.copytree(PACKAGE, copy, ignore=shutil.ignore_patterns("__pycache__"))
    target = copy / module
    target.write_text(planted + target.read_text())
    found = violations(copy)
    assert len(found) == 1, found
    assert rule in found[0] and module in found[0] and ":1 imports" in found[0]


def test_tests_patch_public_seams_only():
    bad = []
    for path in sorted((ROOT / "tests").rglob("test_*.py")):
        for node in ast.walk(ast.parse(path.read_text())):
            if (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)
                    and node.func.attr == "setattr" and len(node.args) >= 2
                    and isinstance(node.args[1], ast.Constant)
                    and str(node.args[1].value).startswith("_")):
                bad.append(f"{path.relative_to(ROOT)}:{node.lineno} patches {node.args[1].value}")
    assert bad == []


def test_importing_nwlib_pulls_in_no_plotting_torch_or_tqdm():
    """Optional dependencies load when a function needs them, not at import."""
    import subprocess
    import sys

    code = ("import sys, nwlib; print(sorted(m for m in ('matplotlib', 'ipywidgets', 'torch', "
            "'tqdm', 'triton') if m in sys.modules))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True,
                         cwd=ROOT)
    assert out.stdout.strip() == "[]"
