"""The torch Gaussian path (fused scaled_dot_product_attention) against the reference code."""

from __future__ import annotations

import numpy as np
import pytest
import torch
from torch.nn.attention import SDPBackend, sdpa_kernel

import nwlib


def _tensors(n: int, d: int, c: int, dtype, seed: int = 3, lo: float = 0.0, hi: float = 5.0):
    rng = np.random.default_rng(seed)
    x = torch.tensor(rng.uniform(lo, hi, (n, d)), dtype=dtype)
    y = torch.tensor(rng.normal(size=(n, c)), dtype=dtype)
    q = torch.tensor(rng.uniform(lo, hi, (n // 2 + 1, d)), dtype=dtype)
    return q, x, y


SHAPES = [(1, 1, 0.3), (5, 1, 0.9), (1, 3, 0.2), (2, 7, [0.3, 0.5]), (3, 2, [2.0, 0.4, 1.0])]


@pytest.mark.parametrize(("d", "c", "h"), SHAPES)
@pytest.mark.parametrize("dtype", ["float64", "float32"])
def test_sdpa_matches_reference_on_fused_kernel(d, c, h, dtype):
    """Forcing the flash backend proves the padded inputs stay on the fused kernel."""
    dt = getattr(torch, dtype)
    q, x, y = _tensors(200, d, c, dt)
    bw = torch.tensor(h, dtype=dt, requires_grad=True)
    with sdpa_kernel([SDPBackend.FLASH_ATTENTION]):
        pred = nwlib.nadaraya_watson(q, x, y, bandwidth=bw)
    ref = nwlib.nadaraya_watson(q, x, y, bandwidth=bw, method="reference")
    assert pred.shape == ref.shape and pred.dtype == dt
    tol = 1e-12 if dtype == "float64" else 2e-5
    torch.testing.assert_close(pred, ref, rtol=tol, atol=tol)
    (g_fast,) = torch.autograd.grad(pred.square().sum(), bw)
    (g_ref,) = torch.autograd.grad(ref.square().sum(), bw)
    torch.testing.assert_close(g_fast, g_ref, rtol=1e-9 if dtype == "float64" else 1e-3, atol=1e-9)


def test_one_dimensional_values_come_back_one_dimensional():
    q, x, y = _tensors(50, 1, 1, torch.float64)
    pred = nwlib.nadaraya_watson(q[:, 0], x[:, 0], y[:, 0], bandwidth=0.5)
    assert pred.shape == (q.shape[0],)


def test_gradcheck_every_input():
    q, x, y = _tensors(12, 2, 2, torch.float64)
    bw = torch.tensor([0.7, 1.3], dtype=torch.float64)
    args = [t.clone().requires_grad_() for t in (q, x, y, bw)]

    def f(q, x, y, bw):
        return nwlib.nadaraya_watson(q, x, y, bandwidth=bw)

    assert torch.autograd.gradcheck(f, args)


def test_ill_conditioned_float32_falls_back_to_reference():
    """A narrow width makes the expanded scores lose digits in float32: the answer must not."""
    q, x, y = _tensors(100, 1, 1, torch.float32)
    assert not nwlib._backends.sdpa.well_conditioned(q, x, torch.tensor([1e-3]))
    pred = nwlib.nadaraya_watson(q, x, y, bandwidth=1e-3)
    ref = nwlib.nadaraya_watson(q.double(), x.double(), y.double(), bandwidth=1e-3,
                                method="reference")
    torch.testing.assert_close(pred.double(), ref, rtol=1e-5, atol=1e-5)


def test_offset_data_is_centred_first():
    """Data far from the origin: centring keeps float32 accurate."""
    q, x, y = _tensors(200, 2, 1, torch.float32, lo=1000.0, hi=1005.0)
    pred = nwlib.nadaraya_watson(q, x, y, bandwidth=0.5)
    ref = nwlib.nadaraya_watson(q.double(), x.double(), y.double(), bandwidth=0.5,
                                method="reference")
    torch.testing.assert_close(pred.double(), ref, rtol=2e-5, atol=2e-5)


def test_numpy_and_torch_paths_agree():
    q, x, y = _tensors(300, 3, 2, torch.float64)
    pred = nwlib.nadaraya_watson(q, x, y, bandwidth=0.8)
    np.testing.assert_allclose(pred.numpy(),
                               nwlib.nadaraya_watson(q.numpy(), x.numpy(), y.numpy(), bandwidth=0.8),
                               rtol=1e-12, atol=1e-13)
