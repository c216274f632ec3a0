"""The compact-kernel fast path (nwlib._backends.compact_kernels) against the reference code.

The support is exact, so the fast answer may differ from the reference only by
rounding: both are compared within a few units of rounding of the answer's scale,
``sum_i w_i |v_i| / sum_i w_i``, on inputs built to break a careless slice: keys
exactly on the edge of the support, duplicates, clusters, queries with no key in
reach, offsets far larger than the spread, extreme widths, d = 1, 2, 5 (and 9,
past the in-place route), numpy and torch, float64 and float32.
"""

from __future__ import annotations

import numpy as np
import pytest
import torch
from hypothesis import given, settings
from hypothesis import strategies as st

import nwlib
from nwlib._backends import compact_kernels as fast_compact
from nwlib._backends.cutoff import key_slices
from nwlib.blocking import TILE_ITEMSIZE, TILE_SHARE, working_memory_limit
from nwlib.kernels import KERNELS, Kernel, _compact

COMPACT = [name for name, k in KERNELS.items() if k.compact]
TOL = {np.float64: 64 * np.finfo(np.float64).eps, np.float32: 64 * np.finfo(np.float32).eps}


def _both(q, x, y, kernel, h, *, torch_in=False, dtype=np.float64):
    """Fast and reference answers (numpy, NaN where no key is in reach) and the scale."""
    args = [np.asarray(a, dtype=dtype) for a in (q, x, y)]
    if torch_in:
        args = [torch.from_numpy(a) for a in args]

    def run(v, method):
        return nwlib.nadaraya_watson(args[0], args[1], v, kernel=kernel, bandwidth=h, empty="nan",
                                     method=method)

    fast = run(args[2], "auto")  # must not warn (warnings are errors in the tests)
    with np.errstate(over="ignore"):  # the reference's squares of huge u overflow to inf
        ref, scale = run(args[2], "reference"), run(abs(args[2]), "reference")
    return tuple(np.asarray(a, dtype=np.float64) for a in (fast, ref, scale))


def _assert_close(fast, ref, scale, dtype=np.float64):
    np.testing.assert_array_equal(np.isnan(fast), np.isnan(ref))
    ok = ~np.isnan(ref)
    assert np.all(np.abs(fast[ok] - ref[ok]) <= TOL[dtype] * scale[ok] + 1e-300), (
        np.max(np.abs(fast[ok] - ref[ok]) / scale[ok]))


def _edge_case(d: int, h: float, seed: int = 0):
    """Keys and queries on a grid of step h: many keys exactly one width away."""
    rng = np.random.default_rng(seed)
    span = {1: 6, 2: 3}.get(d, 1)  # few cells in high dimension, so keys are within reach
    x = rng.integers(-span, span + 1, (300, d)) * h
    # Keys moved by -1, 0 or 1 steps along one coordinate: u = 1 or 0 to that key.
    near = x[rng.integers(0, 300, 200)]
    near[np.arange(200), rng.integers(0, d, 200)] += rng.integers(-1, 2, 200) * h
    q = np.concatenate([near, rng.uniform(-span * h, span * h, (50, d))])
    y = rng.normal(size=300) * 10.0 ** rng.integers(-3, 4, 300)
    return q, x, y


@pytest.mark.parametrize("kernel", COMPACT)
@pytest.mark.parametrize("d", [1, 2, 5, 9])
@pytest.mark.parametrize("dtype", [np.float64, np.float32])
@pytest.mark.parametrize("torch_in", [False, True])
def test_support_edge_and_duplicates(kernel, d, dtype, torch_in):
    h = 0.25  # a power of 2: grid points one width apart are exactly u = 1
    q, x, y = _edge_case(d, h)
    fast, ref, scale = _both(q, x, y, kernel, h, torch_in=torch_in, dtype=dtype)
    assert np.isfinite(ref).sum() > 50  # the case has answers to compare
    _assert_close(fast, ref, scale, dtype)


def test_edge_keys_count_for_the_boxcar_only():
    """One key at exactly u = 1: the boxcar's closed support counts it, the others not."""
    x, y = np.array([0.0, 0.5]), np.array([1.0, 3.0])
    assert nwlib.nadaraya_watson([0.0], x, y, kernel="boxcar", bandwidth=0.5)[0] == 2.0
    for kernel in set(COMPACT) - {"boxcar"}:
        assert nwlib.nadaraya_watson([0.0], x, y, kernel=kernel, bandwidth=0.5)[0] == 1.0


@pytest.mark.parametrize("kernel", COMPACT)
@pytest.mark.parametrize("torch_in", [False, True])
def test_no_key_in_reach_raises_as_the_reference(kernel, torch_in):
    x, y = np.linspace(0, 1, 50), np.arange(50.0)
    q = np.array([0.5, 3.0, 0.25])
    if torch_in:
        q, x, y = map(torch.from_numpy, (q, x, y))
    with pytest.raises(nwlib.NoKeyInReachError, match="1 query has no key within reach"):
        nwlib.nadaraya_watson(q, x, y, kernel=kernel, bandwidth=0.1)
    got = np.asarray(nwlib.nadaraya_watson(q, x, y, kernel=kernel, bandwidth=0.1, empty="nan"))
    assert np.isnan(got[1]) and np.isfinite(got[[0, 2]]).all()


@pytest.mark.parametrize("kernel", COMPACT)
@pytest.mark.parametrize(("h", "offset"), [(1e-300, 0.0), (1e300, 0.0), (1e-6, 1e8), (0.3, -1e8)])
def test_extreme_widths_and_offsets(kernel, h, offset):
    rng = np.random.default_rng(3)
    x = offset + rng.uniform(0, 5, 400)
    x[:40] = x[40:80]  # duplicates, so a tiny width still finds keys at the queries
    q = np.concatenate([x[:60], offset + rng.uniform(0, 5, 30)])
    y = rng.normal(size=400)
    fast, ref, scale = _both(q, x, y, kernel, h)
    _assert_close(fast, ref, scale)


@pytest.mark.parametrize("kernel", COMPACT)
@pytest.mark.parametrize("d", [1, 3])
def test_many_small_blocks(kernel, d):
    """Tiny tiles: blocks of one row, empty slices between clusters, rows back in order."""
    rng = np.random.default_rng(4)
    x = np.concatenate([rng.normal(c, 0.05, (60, d)) for c in (0.0, 2.0, 4.0)])
    q = rng.uniform(-0.5, 4.5, (150, d))
    y = np.column_stack([rng.normal(size=180), rng.normal(size=180) * 1e6])
    with working_memory_limit(16 * TILE_SHARE * TILE_ITEMSIZE / 2**20):  # tiles of 16 entries
        fast, ref, scale = _both(q, x, y, kernel, 0.2)
    _assert_close(fast, ref, scale)


def test_slices_skip_keys_out_of_reach():
    """The route is a real shortcut: at width 0.05 on [0, 5] it scores a few per cent."""
    rng = np.random.default_rng(5)
    x, q = rng.uniform(0, 5, (4000, 1)), rng.uniform(0, 5, (3000, 1))
    assert fast_compact.evaluated_pairs(q, x, np.array([0.05])) < 0.05 * q.size * x.size


def test_reach_slices_keep_every_key_on_the_edge():
    """Rounded outward: no key with |fl(fl(q - k) / h)| <= 1 is left out, whatever the data."""
    rng = np.random.default_rng(6)
    for dtype in (np.float64, np.float32):
        h = dtype(rng.uniform(0.01, 1.0))
        k = np.sort(np.concatenate([rng.uniform(-3, 3, 500), rng.integers(-30, 30, 200) * h])).astype(dtype)
        q = np.concatenate([k[::7], rng.uniform(-3, 3, 100)]).astype(dtype)
        lo, hi = key_slices(q, k, float(h), float(np.finfo(dtype).eps))
        u = np.abs((q[:, None] - k[None, :]) / h)
        inside = u <= 1
        idx = np.arange(k.size)
        in_slice = (idx >= lo[:, None]) & (idx < hi[:, None])
        assert not np.any(inside & ~in_slice)


def test_custom_compact_kernel_takes_the_scored_route():
    biweight = Kernel("biweight", _compact(lambda s, _xp: (1 - s) ** 2), 1.0, "max(0, 1 - u^2)^2")
    q, x, y = _edge_case(2, 0.25, seed=7)
    for torch_in in (False, True):
        fast, ref, scale = _both(q, x, y, biweight, 0.25, torch_in=torch_in)
        _assert_close(fast, ref, scale)


@pytest.mark.parametrize("kernel", ["epanechnikov", "tricube"])
def test_gradients_match_the_reference(kernel):
    rng = np.random.default_rng(8)
    x = torch.tensor(rng.uniform(0, 5, 200))
    y = torch.tensor(np.sin(rng.uniform(0, 5, 200)))
    q = torch.tensor(rng.uniform(0.5, 4.5, 50))
    grads = []
    for method in ("auto", "reference"):
        h = torch.tensor(0.4, dtype=torch.float64, requires_grad=True)
        nwlib.nadaraya_watson(q, x, y, kernel=kernel, bandwidth=h, method=method).sum().backward()
        grads.append(h.grad.item())
    assert grads[0] == pytest.approx(grads[1], rel=1e-12)


@settings(max_examples=60, deadline=None, derandomize=True)
@given(
    kernel=st.sampled_from(COMPACT),
    d=st.sampled_from([1, 2, 5]),
    grid=st.lists(st.integers(-8, 8), min_size=2, max_size=60),
    step=st.sampled_from([0.5, 0.1, 1 / 3, 1e-3, 7.0]),
    h_steps=st.integers(1, 4),
    seed=st.integers(0, 2**16),
)
def test_property_grids_agree_with_reference(kernel, d, grid, step, h_steps, seed):
    """Points on a grid whose width is a whole number of steps: edges everywhere."""
    rng = np.random.default_rng(seed)
    x = np.array(grid, dtype=float)[:, None] * step + rng.integers(-3, 4, (len(grid), d)) * step
    q = np.concatenate([x[: len(grid) // 2], rng.integers(-10, 11, (5, d)) * step])
    y = rng.normal(size=len(grid)) * 10.0 ** rng.integers(-100, 100, len(grid))
    fast, ref, scale = _both(q, x, y, kernel, h_steps * step)
    _assert_close(fast, ref, scale)
