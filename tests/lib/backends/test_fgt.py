"""The fast Gauss transform (nwlib/_backends/fgt): its bound, its answers, its wiring.

Every answer it serves must be within the guarantee of the exact 256-bit reference
(tests/lib/exact_reference.py) on hostile input; queries it cannot vouch for must
reach the exact path; and the interpolation bound it rests on must hold where it
is sampled.
"""

from __future__ import annotations

import math

import mpmath
import numpy as np
import pytest
import scipy.stats
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays
from scipy.special import logsumexp

import nwlib
from nwlib._backends import cpu_gauss, cpu_loo, fgt
from nwlib._backends.fgt import transform
from tests.lib.exact_reference import exact_nw

settings.register_profile("fgt", max_examples=12, deadline=None, derandomize=True)
unit = st.floats(-1, 1, allow_nan=False)


def _brute(q, k, v, h):
    """Float64 Nadaraya-Watson by the full matrix, shifted by each row's smallest distance."""
    s = np.sum(np.square((q[:, None, :] - k[None]) / h), axis=2) / 2
    w = np.exp(s.min(axis=1, keepdims=True) - s)
    return (w @ v) / w.sum(axis=1, keepdims=True), (w @ np.abs(v)) / w.sum(axis=1, keepdims=True)


@st.composite
def hostile(draw, single: bool):
    """(queries, keys, values, bandwidth): clustered and duplicate keys, far queries,
    offsets, widths from tiny to huge next to the spread, values of any size and sign."""
    top = 30 if single else 300
    d = draw(st.sampled_from([1, 2, 3]))
    n, m = draw(st.integers(200, 400)), draw(st.integers(1, 3))
    offset = draw(st.sampled_from([0.0, 0.5, -3.0e4]))
    spread = draw(st.sampled_from([1.0, 1e-6, 1e3]))
    kind_keys = draw(st.sampled_from(["uniform", "clusters"]))
    rng = np.random.default_rng(draw(st.integers(0, 2**16)))
    if kind_keys == "uniform":
        keys = rng.uniform(-1, 1, (n, d))
    else:  # three centres, some keys repeated exactly
        centres = draw(arrays(float, (3, d), elements=unit))
        jitter = draw(st.sampled_from([0.0, 1e-9, 1e-3, 0.1]))
        keys = centres[rng.integers(0, 3, n)] + jitter * rng.uniform(-1, 1, (n, d))
    keys = offset + spread * keys
    far = draw(st.sampled_from([1.0, 1.0, 3.0, 1e3]))
    queries = offset + spread * far * draw(arrays(float, (m, d), elements=unit))
    if draw(st.booleans()):  # a query sitting exactly on a key
        queries[0] = keys[draw(st.integers(0, n - 1))]
    exps = draw(arrays(np.int64, (d,), elements=st.one_of(st.integers(-3, 1),
                                                         st.integers(-top, top))))
    bandwidth = spread * 10.0 ** exps.astype(float)
    kind = draw(st.sampled_from(["wild", "smooth", "plain"]))
    if kind == "wild":
        e = rng.integers(-top, top + 1, n).astype(float)
        values = rng.choice([-1.0, 1.0], n) * 10.0**e
    elif kind == "smooth":
        x = keys[:, 0] - keys[:, 0].min()
        values = np.exp((80.0 if not single else 40.0) * x / max(float(x.max()), 1e-300))
    else:
        values = rng.uniform(-10, 10, n)
    return queries, keys, values, bandwidth


SERVED = {"rows": 0}


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
@settings(settings.get_profile("fgt"))
@given(data=st.data())
def test_served_answers_meet_the_guarantee_on_hostile_input(dtype, data):
    q, k, v, h = (np.ascontiguousarray(a, dtype=dtype)
                  for a in data.draw(hostile(dtype == np.float32)))
    left = []

    def exact(rows):
        left.extend(rows.tolist())
        return np.zeros((rows.shape[0], 1))

    out = fgt.pool(q, k, v[:, None], h, exact=exact)
    if out is None:  # declined: the caller's exact path answers everything
        return
    assert out.dtype == dtype and out.shape == (q.shape[0], 1)
    served = [i for i in range(q.shape[0]) if i not in left]
    SERVED["rows"] += len(served)
    ref = exact_nw(q[served], k, v, h, "gaussian", dtype)
    for i, (f, tol) in zip(served, ref):
        assert f is not None
        err = abs(float(out[i, 0]) - f)
        assert err <= tol, f"query {i}: got {out[i, 0]!r}, exact {f!r}, error {err:.3g} > {tol:.3g}"


def test_the_hostile_suite_reached_the_transform():
    """The suite above is only worth something if the transform answered some queries."""
    if SERVED["rows"] == 0:
        pytest.skip("run together with the hostile suite")
    assert SERVED["rows"] >= 10


@settings(max_examples=60, deadline=None, derandomize=True)
@given(ratio=st.floats(0.05, 2.5), p=st.integers(3, 40), near=st.floats(0.0, 8.0),
       side=st.sampled_from([-1.0, 1.0]))
def test_interpolation_bound_holds_where_sampled(ratio, p, near, side):
    """The Chebyshev interpolant of the Gaussian errs by at most the computed bound."""
    t = np.linspace(-1, 1, 2001)
    x = side * near  # the other point, ``near`` widths from the box's centre
    exact = np.exp(-np.square(x - ratio * t) / 2)
    nodes, _ = transform.chebyshev(p)
    interp = transform.lagrange(t, p) @ np.exp(-np.square(x - ratio * nodes) / 2)
    bound = float(transform.interpolation_error(ratio, p, near)[0])
    assert np.max(np.abs(interp - exact)) <= bound + 4e-16 * transform.lebesgue(p)


@pytest.mark.parametrize("d,n,h,dtype,serves", [
    (1, 20_000, 0.37, np.float64, True), (2, 6_000, 0.3, np.float32, True),
    (3, 3_000, 0.8, np.float32, True),
    # float64 in 2-D: the worst-case rounding bound (Lambda^4 gamma_N) exceeds
    # 4 n eps at this n, so the exact path answers; it serves from n ~ 10^5.
    (2, 6_000, 0.3, np.float64, False)])
def test_agrees_with_the_brute_force_path(d, n, h, dtype, serves):
    rng = np.random.default_rng(d)
    k = rng.uniform(-2.5, 2.5, (n, d)).astype(dtype)
    v = np.stack([np.sin(3 * k[:, 0]), np.cos(k.sum(axis=1)) + 2], axis=1).astype(dtype)
    q = rng.uniform(-2.5, 2.5, (300, d)).astype(dtype)
    hh = np.full(d, h, dtype=dtype)
    left = []

    def exact(rows):
        left.extend(rows.tolist())
        return cpu_gauss.gaussian_nadaraya_watson(q[rows], k, v, hh)

    out = fgt.pool(q, k, v, hh, exact=exact)
    f, scale = _brute(*(a.astype(np.float64) for a in (q, k, v, hh)))
    assert (len(left) <= 0.05 * q.shape[0]) == serves
    tol = 1e-12 if dtype == np.float64 else 2.0**-23
    assert np.all(np.abs(out - f) <= tol * scale)


def test_far_queries_and_narrow_widths_go_to_the_exact_path():
    rng = np.random.default_rng(0)
    k = rng.uniform(0, 1, (5_000, 1))
    v = rng.uniform(-1, 1, (5_000, 1))
    q = np.array([[0.5], [3.0], [40.0]])  # inside, 25 widths out, far beyond the grid
    left = []

    def exact(rows):
        left.extend(rows.tolist())
        return cpu_gauss.gaussian_nadaraya_watson(q[rows], k, v, np.array([0.1]))

    out = fgt.pool(q, k, v, np.array([0.1]), exact=exact)
    assert left == [1, 2]
    assert abs(out[0, 0] - _brute(q[:1], k, v, np.array([0.1]))[0][0, 0]) <= 1e-14
    np.testing.assert_array_equal(out[1:], cpu_gauss.gaussian_nadaraya_watson(
        q[1:], k, v, np.array([0.1])))
    # A width so narrow that no grid of bounded size holds it: declined altogether.
    assert fgt.pool(q, k, v, np.array([1e-7]), exact=exact) is None


def test_float32_input_is_answered_in_float32_at_its_precision():
    rng = np.random.default_rng(3)
    k = rng.uniform(-2.5, 2.5, (20_000, 1)).astype(np.float32)
    v = np.sin(3 * k).astype(np.float32)
    q = rng.uniform(-2.5, 2.5, (200, 1)).astype(np.float32)
    h = np.array([0.37], dtype=np.float32)
    out = fgt.pool(q, k, v, h, exact=lambda _rows: None)
    assert out.dtype == np.float32
    f, scale = _brute(*(a.astype(np.float64) for a in (q, k, v, h)))
    assert np.all(np.abs(out - f) <= 2.0**-23 * scale)


@pytest.mark.parametrize("d", [1, 2])
def test_log_kernel_sums_match_a_log_sum_exp_and_scipy(d):
    rng = np.random.default_rng(d)
    k = rng.normal(size=(8_000, d))
    q = np.concatenate([rng.normal(size=(100, d)), np.full((1, d), 30.0)])  # and one far query
    h = np.full(d, 0.4)
    got = fgt.log_kernel_sums(q, k, h)
    s = -np.sum(np.square((q[:, None, :] - k[None]) / h), axis=2) / 2
    assert np.allclose(got, logsumexp(s, axis=1), rtol=0, atol=1e-12)
    if d == 1:  # the density, against scipy's kernel density estimate of the same width
        kde = scipy.stats.gaussian_kde(k[:, 0], bw_method=0.4 / k[:, 0].std(ddof=1))
        dens = np.exp(got[:100]) / (k.shape[0] * 0.4 * math.sqrt(2 * math.pi))
        assert np.allclose(dens, kde(q[:100, 0]), rtol=1e-10, atol=0)


def test_leave_one_out_matches_the_exact_many_width_pass():
    """A dense cluster and 20 lone points: at h = 0.05 a lone point's own weight is
    almost its whole sum, so N_i - v_i and D_i - 1 cancel; the bound sends it to the
    exact path. A width too narrow for any grid is left (NaN) to the caller."""
    rng = np.random.default_rng(5)
    x = np.concatenate([rng.uniform(-2.5, -2.4, 5_980), np.linspace(-2.0, 2.5, 20)])[:, None]
    y = np.sin(3 * x) + 0.3 * rng.standard_normal(x.shape)
    widths = np.array([1e-5, 0.05, 0.37, 2.0])
    got = fgt.loo_mse(x, y, widths)
    want = cpu_loo.gaussian_loo_mse(x, y, widths)
    assert np.isnan(got[0])
    assert np.allclose(got[1:], want[1:], rtol=1e-12, atol=0)


def test_public_functions_take_the_transform_above_the_crossover(monkeypatch):
    rng = np.random.default_rng(6)
    x = rng.uniform(0, 5, 800)
    y = np.sin(x)
    q = np.linspace(-1, 6, 50)
    ref = nwlib.nadaraya_watson(q, x, y, bandwidth=0.3, method="reference")
    ref_density = nwlib.parzen_log_density(q, x, bandwidth=0.3)
    calls = []
    real = fgt.pool
    monkeypatch.setattr(fgt, "worthwhile", lambda _m, _n, _d: True)
    monkeypatch.setattr(fgt, "serves", lambda _q, _k, _h: True)
    monkeypatch.setattr(fgt, "pool", lambda *a, **kw: calls.append(1) or real(*a, **kw))
    got = nwlib.nadaraya_watson(q, x, y, bandwidth=0.3)
    assert calls and np.allclose(got, ref, rtol=0, atol=1e-13)
    assert np.allclose(nwlib.parzen_log_density(q, x, bandwidth=0.3), ref_density,
                       rtol=0, atol=1e-12)
    widths = np.array([0.05, 0.3, 1.0])
    best, errors = nwlib.loo_bandwidth(x, y, widths)
    monkeypatch.setattr(fgt, "worthwhile", lambda _m, _n, _d: False)
    best_exact, errors_exact = nwlib.loo_bandwidth(x, y, widths)
    assert best == best_exact and np.allclose(errors, errors_exact, rtol=1e-12, atol=0)


@pytest.mark.parametrize(("h", "serves"), [(0.05, False), (0.37, True)])
def test_auto_declines_a_grid_whose_rounding_would_fail_most_queries(h, serves):
    # 1-D, n = m = 10^4: at width 0.05 the best grid's rounding bound fails most
    # queries' tolerance, so the transform would answer them twice; at 0.37 none.
    rng = np.random.default_rng(0)
    x = rng.uniform(-2.5, 2.5, (10_000, 1))
    y = np.sin(2 * x)
    sent = []

    def exact(rows):
        sent.append(rows.size)
        return np.zeros((rows.size, 1))

    fgt.pool(x, x, y, np.array([h]), exact=exact)
    assert fgt.serves(x, x, np.array([h])) is serves
    assert (sum(sent) > 5_000) if not serves else (sum(sent) < 100)
    route = nwlib.gaussian_plan(x, x, bandwidth=h).route
    assert route == ("transform" if serves else "cut-off")


def test_the_crossover_follows_the_measurements():
    assert fgt.worthwhile(10**6, 10**6, 1) and fgt.worthwhile(20_000, 20_000, 1)
    assert not fgt.worthwhile(1_000, 1_000, 1)  # brute force was faster there
    assert not fgt.worthwhile(100, 10**6, 1)  # too few queries to pay for spreading the keys
    assert fgt.worthwhile(200_000, 200_000, 2) and fgt.worthwhile(50_000, 50_000, 2)
    assert not fgt.worthwhile(20_000, 20_000, 2)  # every query failed float64's tolerance
    assert not fgt.worthwhile(10**6, 10**6, 3)  # so it did in 3-D at every size measured
    assert not fgt.worthwhile(10**6, 10**6, 5)


def _exact_sums(q, k, cols, h):
    """``sum_i K(x, y_i) cols_i`` per query in 256-bit arithmetic, rounded to float64."""
    with mpmath.workprec(256):
        out = np.empty((q.shape[0], cols.shape[1]))
        for r, x in enumerate(q):
            w = [mpmath.exp(-mpmath.fsum((mpmath.mpf(float(x[a])) - mpmath.mpf(float(y[a]))) ** 2
                                         / (2 * mpmath.mpf(float(h[a])) ** 2)
                                         for a in range(q.shape[1]))) for y in k]
            for c in range(cols.shape[1]):
                out[r, c] = float(mpmath.fsum(wi * mpmath.mpf(float(v)) for wi, v in zip(w, cols[:, c])))
    return out


@pytest.mark.parametrize("d", [2, 3])
@pytest.mark.parametrize("target", [1e-5, 2.0**-64])
def test_each_sums_bound_holds_against_256_bit_sums(d, target):
    """The per-query bound of :func:`transform.gaussian_sums` holds: loose targets make
    the interpolation part dominate (a wrong truncation bound fails), tight ones the
    rounding part, whose chain now counts the gather one coordinate at a time."""
    rng = np.random.default_rng(d)
    # Two clusters, more keys per box than a piece holds (CHUNK): several pieces per cell.
    k = np.concatenate([rng.normal(0, 0.3, (300, d)), rng.uniform(-1.5, 1.5, (300, d))])
    cols = np.stack([np.sin(5 * k[:, 0]) * 10.0 ** rng.uniform(-3, 3, k.shape[0]),
                     np.ones(k.shape[0])], axis=1)
    q = np.concatenate([rng.uniform(-1.5, 1.5, (12, d)), k[:4] + 1e-3])
    h = np.full(d, 0.4)
    lo, hi = np.minimum(k.min(0), q.min(0)), np.maximum(k.max(0), q.max(0))
    grid, _ = transform.plan_grid(k, lo, hi, h, target, 3)
    grid.radius = np.maximum(np.abs(lo), np.abs(hi))
    sums, err = transform.gaussian_sums(grid, q, k, cols, np.abs(cols))
    exact = _exact_sums(q, k, cols, h)
    assert np.all(np.abs(sums - exact) <= err)
    if target > 1e-10:  # the bound is not vacuous: within 10^4 of the error it bounds
        assert np.max(np.abs(sums - exact) / err) > 1e-4


def test_the_planner_predicts_the_rounding_bound_for_even_keys():
    """``rounding_share`` (which steers the box size) tracks the bound
    gaussian_sums then computes on evenly spread keys, up to a small factor."""
    rng = np.random.default_rng(0)
    n, d = 20_000, 2
    k = rng.uniform(-2.5, 2.5, (n, d))
    q = rng.uniform(-2.0, 2.0, (500, d))
    h = np.full(d, 0.15)
    ones = np.ones((n, 1))
    for ratio_index in range(len(transform.RATIOS)):
        ratios = transform.RATIOS
        try:
            transform.RATIOS = (ratios[ratio_index],)
            grid, _ = transform.plan_grid(k, np.full(d, -2.5), np.full(d, 2.5), h, 2.0**-70, 1)
        finally:
            transform.RATIOS = ratios
        grid.radius = np.full(d, 2.5)
        sums, err = transform.gaussian_sums(grid, q, k, ones, ones)
        share = transform.rounding_share(grid.r, h, grid.nb, grid.p, n)
        measured = float(np.median(err[:, 0] / sums[:, 0]))
        assert share / 8 <= measured <= 8 * share, (ratios[ratio_index], share, measured)
