"""tools/execution_cache.py: the notebook cache sits outside _build, keyed on what notebooks import."""

from __future__ import annotations

import shutil
from pathlib import Path
from types import SimpleNamespace

from tools.execution_cache import CACHE_ROOT, cache_key, use_keyed_cache

ROOT = Path(__file__).resolve().parents[2]


def _copy(tmp_path: Path) -> Path:
    root = tmp_path / "book"
    shutil.copytree(ROOT / "nwlib", root / "nwlib", ignore=shutil.ignore_patterns("__pycache__"))
    for name in ("requirements.txt", "constraints.txt"):
        shutil.copy(ROOT / name, root / name)
    return root


def test_key_follows_the_library_and_the_pins(tmp_path):
    root = _copy(tmp_path)
    key = cache_key(root)
    assert cache_key(root) == key
    (root / "nwlib" / "__pycache__").mkdir(exist_ok=True)
    (root / "nwlib" / "__pycache__" / "x.py").write_text("# bytecode folders do not count")
    assert cache_key(root) == key
    kernels = root / "nwlib" / "kernels.py"
    kernels.write_text(kernels.read_text() + "\n# changed\n")
    changed = cache_key(root)
    assert changed != key
    (root / "constraints.txt").write_text((root / "constraints.txt").read_text() + "extra==1.0\n")
    assert cache_key(root) not in (key, changed)


def test_cache_outside_build_and_old_keys_removed(tmp_path):
    root = _copy(tmp_path)
    stale = root / CACHE_ROOT / "0123456789abcdef"
    stale.mkdir(parents=True)
    config = SimpleNamespace(nb_execution_cache_path="")
    use_keyed_cache(SimpleNamespace(srcdir=str(root)), config)
    path = Path(config.nb_execution_cache_path)
    assert path == root / CACHE_ROOT / cache_key(root) and path.is_dir()
    assert "_build" not in path.parts and not stale.exists()
