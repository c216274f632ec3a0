"""sdpa_nadaraya_watson answers where its documented error bound is useful, and keeps it.

The dot-product form of the scores cancels (:mod:`nwlib._backends.sdpa` derives the
bound ``2 e^D (e^D - 1) S``, ``D = (d + 5) eps R^2``); the answers are checked against
the 256-bit reference at the widths the course uses and on hostile inputs.
"""

from __future__ import annotations

import numpy as np
import pytest
import torch
from exact_reference import exact_nw

import nwlib
from nwlib._backends import sdpa

DTYPES = {"float32": (np.float32, torch.float32), "float64": (np.float64, torch.float64)}


def _check_against_reference(q, x, y, h, dtype):
    """Every answer within the bound (times its scale S) plus the reference's rounding."""
    np_dt, t_dt = DTYPES[dtype]
    q, x, y = (np.asarray(a, dtype=np_dt) for a in (q, x, y))
    h = float(np_dt(h))
    out = nwlib.sdpa_nadaraya_watson(torch.from_numpy(q), torch.from_numpy(x),
                                     torch.from_numpy(y), bandwidth=h).double().numpy()
    bound = sdpa.error_bound(torch.from_numpy(q), torch.from_numpy(x),
                             torch.full((q.shape[1],), h, dtype=t_dt))
    # S = sum_i alpha_i |v_i|, in float64 (it only scales the bound).
    scale = nwlib.nadaraya_watson(q.astype(float), x.astype(float), np.abs(y.astype(float)),
                                  bandwidth=h)
    exact = exact_nw(q, x, y, np.full(q.shape[1], h), "gaussian", np_dt)
    for i, (f, tol) in enumerate(exact):
        assert abs(out[i] - f) <= bound * scale[i] + tol, (i, out[i], f, bound, scale[i], tol)
    return bound


def _course_data(d, n=40, m=15, seed=0, lo=0.0, hi=5.0):
    rng = np.random.default_rng(seed)
    x = rng.uniform(lo, hi, (n, d))
    q = rng.uniform(lo, hi, (m, d))
    return q, x, np.sin(x.sum(axis=1)) + rng.normal(0, 0.3, n)


@pytest.mark.parametrize("dtype", ["float32", "float64"])
@pytest.mark.parametrize("h", [0.05, 0.1, 0.37, 1.0])
@pytest.mark.parametrize("d", [1, 2])
def test_the_bound_holds_at_the_course_widths(d, h, dtype):
    q, x, y = _course_data(d)
    assert _check_against_reference(q, x, y, h, dtype) < sdpa.USEFUL_BOUND


def test_the_issues_cases_are_answered_within_their_digits():
    """Refused before: float32 at every width, float64 at h = 0.1 on [0, 5]."""
    q, x, y = _course_data(1, n=200, m=50)
    ref = nwlib.nadaraya_watson(q, x, y, bandwidth=1.0)
    out = nwlib.sdpa_nadaraya_watson(torch.tensor(q, dtype=torch.float32),
                                     torch.tensor(x, dtype=torch.float32),
                                     torch.tensor(y, dtype=torch.float32), bandwidth=1.0)
    assert out.dtype == torch.float32
    np.testing.assert_allclose(out.double().numpy(), ref, atol=2e-6)
    ref = nwlib.nadaraya_watson(q, x, y, bandwidth=0.1)
    np.testing.assert_allclose(nwlib.sdpa_nadaraya_watson(q, x, y, bandwidth=0.1), ref, atol=1e-13)


HOSTILE = {
    # far from the origin: the centring must remove the offset
    "offset": lambda rng: (1000 + rng.uniform(0, 5, (12, 1)), 1000 + rng.uniform(0, 5, (40, 1)),
                           rng.normal(size=40), 0.5),
    # queries far outside the keys: R is set by the queries
    "far queries": lambda rng: (np.array([[-3.0], [8.0], [2.5]]), rng.uniform(0, 5, (40, 1)),
                                rng.normal(size=40), 0.4),
    # duplicate and clustered keys, values of both signs and very different sizes
    "clusters": lambda rng: (rng.uniform(-1, 6, (12, 2)),
                             np.repeat(np.array([[0.0, 0.0], [0.001, 0.0], [5.0, 5.0]]), 10, axis=0)
                             + rng.normal(0, 1e-3, (30, 2)),
                             rng.choice([-1e6, 1.0, 1e-3], 30), 0.3),
    # large values on a small spread: the answer's digits sit far below its scale
    "large values": lambda rng: (rng.uniform(0, 5, (12, 1)), rng.uniform(0, 5, (40, 1)),
                                 1e8 + rng.normal(size=40), 0.2),
}


@pytest.mark.parametrize("dtype", ["float32", "float64"])
@pytest.mark.parametrize("case", sorted(HOSTILE))
def test_the_bound_holds_on_hostile_inputs(case, dtype):
    q, x, y, h = HOSTILE[case](np.random.default_rng(7))
    _check_against_reference(q, x, y, h, dtype)


def test_narrow_float32_near_the_limit_still_keeps_its_bound():
    """Where the bound is large but below 1 (a few per cent): answered, and within it."""
    q, x, y = _course_data(1, seed=3)
    bound = _check_against_reference(q, x, y, 0.006, "float32")
    assert 0.05 < bound < sdpa.USEFUL_BOUND


def test_useless_bounds_are_refused_naming_the_bound_and_the_fix():
    q, x, y = _course_data(1)
    t = [torch.tensor(a, dtype=torch.float32) for a in (q, x, y)]
    with pytest.raises(ValueError, match=r"off by .* times the answer's scale.*float64"):
        nwlib.sdpa_nadaraya_watson(*t, bandwidth=0.002)
    # float64 serves the same width
    out = nwlib.sdpa_nadaraya_watson(*(a.double() for a in t), bandwidth=0.002)
    assert torch.isfinite(out).all()
