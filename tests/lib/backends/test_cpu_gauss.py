"""The fast paths (nwlib._backends.cpu_gauss, nwlib._backends.sdpa) agree with the reference code and
with statsmodels.

Every comparison is against an independent computation: the reference blocked code
(method="reference"), statsmodels' KernelReg, or a brute-force leave-one-out loop
written here. Speed is measured in benchmarks/, never asserted here.
"""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import nwlib
from nwlib._backends import cpu_gauss as fast
from nwlib._backends import cutoff
from nwlib.blocking import TILE_ITEMSIZE, TILE_SHARE, tile_elements, working_memory_limit

RNG_SEED = 11


def tiles_of(entries: int):
    """The working memory whose fast-path tiles hold ``entries`` entries."""
    return working_memory_limit(entries * TILE_SHARE * TILE_ITEMSIZE / 2**20)


def _data(n: int, d: int, c: int | None = None, lo: float = 0.0, hi: float = 5.0, seed: int = RNG_SEED):
    rng = np.random.default_rng(seed)
    x = rng.uniform(lo, hi, (n, d))
    y = rng.normal(size=n if c is None else (n, c))
    q = rng.uniform(lo - 0.5, hi + 0.5, (n // 2 + 1, d))
    return q, x, y


# Narrow widths (the nearest key dominates), per-coordinate widths, d = 1 and d = 5.
CASES = [
    (1, 1e-3), (1, 0.05), (1, 3.0), (1, [0.2]),
    (5, 1e-3), (5, 0.7), (5, [0.1, 0.5, 1.0, 2.0, 1e-3]),
]


@pytest.mark.parametrize(("d", "h"), CASES)
@pytest.mark.parametrize("c", [None, 3])
def test_fast_numpy_matches_reference(d, h, c):
    q, x, y = _data(400, d, c)
    fast_pred = nwlib.nadaraya_watson(q, x, y, bandwidth=h)
    ref = nwlib.nadaraya_watson(q, x, y, bandwidth=h, method="reference")
    assert fast_pred.shape == ref.shape == ((q.shape[0],) if c is None else (q.shape[0], c))
    np.testing.assert_allclose(fast_pred, ref, rtol=1e-12, atol=1e-12)


@pytest.mark.parametrize(("d", "h"), CASES)
def test_fast_weights_match_reference(d, h):
    q, x, _ = _data(300, d)
    w = nwlib.attention_weights(q, x, bandwidth=h)
    np.testing.assert_allclose(w, nwlib.attention_weights(q, x, bandwidth=h, method="reference"),
                               rtol=1e-10, atol=1e-13)
    np.testing.assert_allclose(w.sum(axis=1), 1.0, rtol=1e-12)


def test_far_queries_keep_their_nearest_key():
    """A query far from every key (all kernel values underflow) still gets an answer."""
    x = np.linspace(0, 5, 50)
    y = np.arange(50.0)
    q = np.array([-100.0, 105.0])
    pred = nwlib.nadaraya_watson(q, x, y, bandwidth=1e-3)
    # Exponents below the smallest normal float are clamped (weights < 1e-300).
    assert pred.tolist() == pytest.approx([0.0, 49.0], abs=1e-300, rel=1e-15)


@pytest.mark.parametrize("d", [1, 5])
def test_float32_stays_float32_and_is_accurate(d):
    # float32 data, centred; the float64 reference sees exactly the same numbers.
    q, x, y = (a.astype(np.float32) for a in _data(2000, d, lo=-2.5, hi=2.5))
    h = 0.05 if d == 1 else 0.6
    ref = nwlib.nadaraya_watson(q.astype(float), x.astype(float), y.astype(float), bandwidth=h)
    pred = nwlib.nadaraya_watson(q, x, y, bandwidth=h)
    assert pred.dtype == np.float32
    assert np.max(np.abs(pred - ref)) / np.max(np.abs(ref)) < 1e-5


def test_matches_statsmodels_kernelreg():
    from statsmodels.nonparametric.kernel_regression import KernelReg

    q, x, y = _data(500, 2)
    h = [0.3, 0.6]
    expected = KernelReg(y, x, var_type="cc", reg_type="lc", bw=h).fit(q)[0]
    np.testing.assert_allclose(nwlib.nadaraya_watson(q, x, y, bandwidth=h), expected, rtol=1e-12,
                               atol=1e-12)


@pytest.mark.parametrize("d", [1, 3])
def test_threads_and_blocks_cover_every_row(d):
    """Tiny tiles force many blocks spread over the threads, and blocks of one row
    walked in chunks of keys (rescaled online in d > 1); rows must come back in order."""
    q, x, y = _data(101, d)
    for h in (0.4, 1e-3):
        with tiles_of(64):
            got = nwlib.nadaraya_watson(q, x, y, bandwidth=h)
        np.testing.assert_allclose(got,
                                   nwlib.nadaraya_watson(q, x, y, bandwidth=h, method="reference"),
                                   rtol=1e-12)


@pytest.mark.parametrize(("d", "h"), CASES)
def test_numpy_route_without_torch_matches_reference(monkeypatch, d, h):
    """Where torch is not installed, numpy alone computes the same answers."""
    monkeypatch.setattr(fast, "torch_or_none", lambda: None)
    q, x, y = _data(300, d, c=2)
    np.testing.assert_allclose(nwlib.nadaraya_watson(q, x, y, bandwidth=h),
                               nwlib.nadaraya_watson(q, x, y, bandwidth=h, method="reference"),
                               rtol=1e-12, atol=1e-12)
    _, mse = nwlib.loo_bandwidth(x, y, [h] if np.ndim(h) == 0 else [h])
    np.testing.assert_allclose(mse, nwlib.loo_bandwidth(x, y, [h], method="reference")[1],
                               rtol=1e-12)


def test_negligible_keys_are_skipped_but_change_nothing():
    """Spread-out keys and a narrow width: most pairs are skipped, the answer is unchanged."""
    q, x, y = _data(3000, 1)
    h = np.array([0.01])
    assert fast.evaluated_pairs(q, x, h) < 0.05 * q.shape[0] * x.shape[0]
    assert fast.evaluated_pairs(q, x, np.array([50.0])) == q.shape[0] * x.shape[0]
    np.testing.assert_allclose(nwlib.nadaraya_watson(q, x, y, bandwidth=h),
                               nwlib.nadaraya_watson(q, x, y, bandwidth=h, method="reference"),
                               rtol=1e-13, atol=1e-13)


def test_skipped_weights_are_below_the_promised_bound():
    """Every weight the cut leaves out is below 2**-61 / n of its row's largest."""
    q, x, _ = _data(500, 1)
    h = 0.02
    w = nwlib.attention_weights(q, x, bandwidth=h, method="reference")
    gap = fast.negligible_gap(x.shape[0], np.float64)
    assert gap == pytest.approx(np.log(500) + 61 * np.log(2))
    plan = cutoff.Plan(q, x, fast.inverse_2h2(np.array([h]), np.float64), tile_elements())
    kept = np.zeros_like(w, dtype=bool)
    for rows, lo, hi in plan.blocks:
        kept[np.ix_(plan.query_order[rows], plan.key_order[lo:hi])] = True
    assert not kept.all()
    skipped = np.where(kept, 0.0, w) / w.max(axis=1, keepdims=True)
    assert skipped.max() < 2.0**-61 / x.shape[0]


def test_empty_queries():
    _, x, y = _data(10, 1)
    assert nwlib.nadaraya_watson(np.empty(0), x, y).shape == (0,)
    assert nwlib.attention_weights(np.empty(0), x).shape == (0, 10)


def test_bad_method_is_named():
    with pytest.raises(ValueError, match="method"):
        nwlib.nadaraya_watson([0.0], [0.0], [1.0], method="fastest")
    with pytest.raises(ValueError, match="method"):
        nwlib.loo_bandwidth([0.0, 1.0], [1.0, 2.0], [1.0], method="fastest")


def _brute_loo_mse(x: np.ndarray, y: np.ndarray, h: np.ndarray) -> float:
    """Leave-one-out error by deleting each point in turn: no shared sums at all."""
    x2 = x.reshape(len(x), -1)
    err = 0.0
    for i in range(len(x2)):
        keep = np.arange(len(x2)) != i
        pred = nwlib.nadaraya_watson(x2[i:i + 1], x2[keep], y[keep], bandwidth=h,
                                     method="reference")
        err += float(np.sum((pred - y[i]) ** 2))
    return err / len(x2)


@pytest.mark.parametrize(("d", "widths"), [
    (1, [1e-3, 0.01, 0.1, 1.0, 10.0]),
    (5, [1e-3, 0.5, 2.0]),
    (2, [[0.1, 1.0], [1e-3, 0.5]]),
])
def test_fast_loo_equals_brute_force(d, widths):
    _, x, y = _data(60, d)
    if d == 1:
        x = x[:, 0]
    best, mse = nwlib.loo_bandwidth(x, y, widths)
    best_ref, mse_ref = nwlib.loo_bandwidth(x, y, widths, method="reference")
    brute = [_brute_loo_mse(x, y, np.asarray(h)) for h in widths]
    np.testing.assert_allclose(mse, brute, rtol=1e-12)
    np.testing.assert_allclose(mse_ref, brute, rtol=1e-12)
    np.testing.assert_array_equal(best, best_ref)


def test_fast_loo_narrow_width_is_nearest_neighbour():
    """For a tiny width each point is predicted by its nearest other point, exactly."""
    x = np.array([0.0, 1.0, 3.0, 3.5])
    y = np.array([1.0, 2.0, 5.0, 7.0])
    _, mse = nwlib.loo_bandwidth(x, y, [1e-4])
    nearest = np.array([2.0, 1.0, 7.0, 5.0])
    assert mse[0] == pytest.approx(np.mean((nearest - y) ** 2), rel=1e-14)


def test_fast_loo_multi_output_and_float32():
    _, x, y = _data(80, 1, c=2)
    widths = np.geomspace(0.01, 3, 7)
    mse = nwlib.loo_bandwidth(x, y, widths)[1]
    np.testing.assert_allclose(mse, nwlib.loo_bandwidth(x, y, widths, method="reference")[1],
                               rtol=1e-12)
    mse32 = nwlib.loo_bandwidth(x.astype(np.float32), y.astype(np.float32), widths)[1]
    np.testing.assert_allclose(mse32, mse, rtol=1e-4)


@settings(max_examples=30, deadline=None)
@given(
    st.integers(2, 40), st.integers(1, 3), st.floats(1e-3, 1e2), st.integers(0, 2**31),
)
def test_fast_equals_reference_property(n, d, h, seed):
    """A law: on any data, the fast and reference Gaussian paths agree."""
    q, x, y = _data(n, d, seed=seed)
    np.testing.assert_allclose(nwlib.nadaraya_watson(q, x, y, bandwidth=h),
                               nwlib.nadaraya_watson(q, x, y, bandwidth=h, method="reference"),
                               rtol=1e-10, atol=1e-12)


@settings(max_examples=30, deadline=None)
@given(st.integers(3, 30), st.integers(1, 2), st.lists(st.floats(1e-3, 1e2), min_size=1, max_size=4),
       st.integers(0, 2**31))
def test_fast_loo_equals_reference_property(n, d, widths, seed):
    """A law: the banded, shared-distance leave-one-out equals the plain loop."""
    _, x, y = _data(n, d, seed=seed)
    x = x[:, 0] if d == 1 else x
    np.testing.assert_allclose(nwlib.loo_bandwidth(x, y, widths)[1],
                               nwlib.loo_bandwidth(x, y, widths, method="reference")[1],
                               rtol=1e-10)


@pytest.mark.parametrize("d,h", [(1, 0.5), (3, 0.5), (3, 2.0)])
def test_float32_sums_over_many_keys_stay_accurate(d, h):
    """100,000 keys within reach: torch's float32 product adds them one after another,
    which lost 2e-6 to 9e-6 of the answer; 512-key partial sums added in float64 keep
    the float32 route within 1e-6 of the float64 route on the same inputs."""
    rng = np.random.default_rng(3)
    x = rng.uniform(-2.5, 2.5, (100_000, d)).astype(np.float32)
    y = (np.sin(x.astype(float).sum(axis=1)) + 2.0).astype(np.float32)
    q = rng.uniform(-2.5, 2.5, (64, d)).astype(np.float32)
    got = nwlib.nadaraya_watson(q, x, y, bandwidth=np.float32(h))
    exact = nwlib.nadaraya_watson(q.astype(float), x.astype(float), y.astype(float), bandwidth=h)
    assert got.dtype == np.float32
    assert np.max(np.abs(got - exact) / exact) <= 1e-6
