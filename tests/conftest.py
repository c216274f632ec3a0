"""Shared test setup: seeded generators; Triton in its interpreter on CPU."""

import os

# Triton kernels run in Triton's interpreter on CPU tensors, so CI (no GPU) checks
# them. Set before anything defines a kernel: @triton.jit reads it then.
os.environ.setdefault("TRITON_INTERPRET", "1")

import numpy as np  # noqa: E402
import pytest  # noqa: E402


@pytest.fixture
def rng() -> np.random.Generator:
    return np.random.default_rng(20261126)
