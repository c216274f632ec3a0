"""Shared test setup: draw off-screen, close every figure a test leaves open, seed."""

import os

# Triton kernels run in Triton's interpreter on CPU tensors, so CI (no GPU) checks
# them. Set before anything defines a kernel: @triton.jit reads it then.
os.environ.setdefault("TRITON_INTERPRET", "1")

import matplotlib  # noqa: E402

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402


@pytest.fixture(autouse=True)
def _close_figures():
    yield
    plt.close("all")


@pytest.fixture
def rng() -> np.random.Generator:
    return np.random.default_rng(20261126)
