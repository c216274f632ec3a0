"""Shared test setup: seeded generators; Triton in its interpreter on CPU."""

import os
from pathlib import Path

# Triton kernels run in Triton's interpreter on CPU tensors, so CI (no GPU) checks
# them. Set before anything defines a kernel: @triton.jit reads it then.
os.environ.setdefault("TRITON_INTERPRET", "1")

import numpy as np  # noqa: E402
import pytest  # noqa: E402


@pytest.fixture
def rng() -> np.random.Generator:
    return np.random.default_rng(20261126)


_ROOT = Path(__file__).resolve().parents[1]
_UNIT_DIRS = (_ROOT / "tests" / "lib", _ROOT / "nwlib")


def pytest_collection_modifyitems(items):
    """Mark ``unit`` what `make unit` runs: library tests and doctests not marked ``slow``.

    CI runs `make unit` before the book, then `make test` with ``-m "not unit"`` so the
    fast library tests are not run twice (.ci/run); a plain `make test` runs everything.
    """
    for item in items:
        path = Path(str(item.path)).resolve()
        if any(path.is_relative_to(d) for d in _UNIT_DIRS) and not item.get_closest_marker("slow"):
            item.add_marker(pytest.mark.unit)
