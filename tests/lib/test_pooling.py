"""Nadaraya-Watson pooling: cross-checks with statsmodels and a textbook formula,
the stable log-space weights, empty neighbourhoods and blocking."""

import warnings

import numpy as np
import pytest
from statsmodels.nonparametric.kernel_regression import KernelReg

import nwlib
from nwlib import NoKeyInReachError, attention_weights, nadaraya_watson
from nwlib.blocking import row_blocks, working_memory_limit


def textbook(queries, keys, values, h):
    """The formula as printed: no shift, no blocks (only safe for moderate widths)."""
    q = np.asarray(queries, float).reshape(len(queries), -1)
    k = np.asarray(keys, float).reshape(len(keys), -1)
    w = np.exp(-(((q[:, None, :] - k[None]) / h) ** 2).sum(-1) / 2)
    pooled = w @ values
    return pooled / (w.sum(1) if pooled.ndim == 1 else w.sum(1)[:, None])


def test_matches_statsmodels_kernelreg_1d():
    data = nwlib.course.running_example()
    for h in (0.1, 0.5, 2.0):
        reg = KernelReg(data.y_train, data.x_train, var_type="c", reg_type="lc", bw=[h])
        theirs, _ = reg.fit(data.x_query)
        ours = nadaraya_watson(data.x_query, data.x_train, data.y_train, bandwidth=h)
        np.testing.assert_allclose(ours, theirs, rtol=1e-12, atol=1e-12)


def test_matches_statsmodels_with_per_coordinate_widths(rng):
    x = rng.uniform(-1, 1, size=(80, 3))
    y = np.sin(3 * x[:, 0]) + x[:, 1] ** 2
    q = rng.uniform(-1, 1, size=(25, 3))
    h = np.array([0.3, 0.5, 0.9])
    reg = KernelReg(y, x, var_type="ccc", reg_type="lc", bw=h)
    theirs, _ = reg.fit(q)
    np.testing.assert_allclose(nadaraya_watson(q, x, y, bandwidth=h), theirs, rtol=1e-12)


def test_multi_output_values_pool_each_column(rng):
    x = rng.normal(size=30)
    v = rng.normal(size=(30, 4))
    q = rng.normal(size=7)
    out = nadaraya_watson(q, x, v, bandwidth=0.7)
    assert out.shape == (7, 4)
    for c in range(4):
        np.testing.assert_allclose(out[:, c], nadaraya_watson(q, x, v[:, c], bandwidth=0.7))
    np.testing.assert_allclose(out, textbook(q, x, v, 0.7), rtol=1e-12)


def test_weights_times_values_is_the_prediction(rng):
    x, y, q = rng.normal(size=20), rng.normal(size=20), rng.normal(size=9)
    for kernel in ("gaussian", "epanechnikov", "tricube"):
        w = attention_weights(q, x, kernel=kernel, bandwidth=3.0)
        np.testing.assert_allclose(w @ y, nadaraya_watson(q, x, y, kernel=kernel, bandwidth=3.0))


def test_one_hot_values_give_class_probabilities():
    points, labels = nwlib.course.toy_classification(20)
    probs = nadaraya_watson(points[:10] + 0.05, points, nwlib.one_hot(labels), bandwidth=0.3)
    assert probs.shape == (10, 3)
    np.testing.assert_allclose(probs.sum(1), 1.0)
    assert np.all((probs >= 0) & (probs <= 1))


def test_narrow_gaussian_gives_nearest_key_not_nan():
    data = nwlib.course.running_example()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        naive = textbook(data.x_query, data.x_train, data.y_train, 1e-3)
    assert np.isnan(naive).any()  # the printed formula underflows to 0/0
    ours = nadaraya_watson(data.x_query, data.x_train, data.y_train, bandwidth=1e-3)
    nearest = np.abs(data.x_query[:, None] - data.x_train[None]).argmin(1)
    np.testing.assert_array_equal(ours, data.y_train[nearest])


def test_far_away_query_still_gets_normalised_weights():
    w = attention_weights([1e4], [0.0, 1.0, 2.0], bandwidth=0.1)
    np.testing.assert_allclose(w, [[0.0, 0.0, 1.0]])


@pytest.mark.parametrize("kernel", ["boxcar", "triangular", "epanechnikov", "tricube", "cosine"])
def test_compact_kernel_with_no_key_in_reach_raises_a_helpful_error(kernel):
    with pytest.raises(NoKeyInReachError, match=r"2 queries have no key.*wider bandwidth.*empty='nan'"):
        nadaraya_watson([10.0, 0.5, -10.0], [0.0, 1.0], [1.0, 2.0], kernel=kernel, bandwidth=1.0)
    assert issubclass(NoKeyInReachError, ValueError)


def test_empty_nan_marks_only_the_queries_without_keys():
    out = nadaraya_watson([10.0, 0.5], [0.0, 1.0], [1.0, 3.0], kernel="boxcar", empty="nan")
    assert np.isnan(out[0]) and out[1] == pytest.approx(2.0)
    w = attention_weights([10.0, 0.5], [0.0, 1.0], kernel="boxcar", empty="nan")
    assert np.isnan(w[0]).all() and w[1].tolist() == [0.5, 0.5]


def test_boxcar_includes_its_boundary_and_triangular_excludes_it():
    w = attention_weights([0.0], [1.0, 2.0, -1.0], kernel="boxcar", bandwidth=1.0)
    assert w.tolist() == [[0.5, 0.0, 0.5]]
    with pytest.raises(NoKeyInReachError):
        attention_weights([0.0], [1.0, -1.0], kernel="triangular", bandwidth=1.0)


def test_empty_option_is_checked():
    with pytest.raises(ValueError, match="empty='zero' is not one of"):
        nadaraya_watson([0.0], [0.0], [1.0], empty="zero")


@pytest.mark.parametrize("kernel", ["gaussian", "epanechnikov"])
def test_blocking_gives_the_same_answer(rng, kernel):
    x, y, q = rng.normal(size=50), rng.normal(size=50), rng.normal(size=333)
    kw = dict(kernel=kernel, bandwidth=2.0, method="reference")
    whole, w_whole = nadaraya_watson(q, x, y, **kw), attention_weights(q, x, **kw)
    with working_memory_limit(64 * 8 / 2**20):  # 64 float64: about one query per block
        assert len(row_blocks(333, 50)) > 300
        blocked, w_blocked = nadaraya_watson(q, x, y, **kw), attention_weights(q, x, **kw)
    # equal up to the order of floating-point sums inside BLAS
    np.testing.assert_allclose(blocked, whole, rtol=1e-13, atol=1e-15)
    np.testing.assert_allclose(w_blocked, w_whole, rtol=1e-13)


def test_float32_stays_float32():
    x = np.linspace(0, 5, 40, dtype=np.float32)
    out = nadaraya_watson(x[:5], x, np.sin(x), bandwidth=0.5)
    assert out.dtype == np.float32
    assert attention_weights(x[:5], x, bandwidth=np.float64(0.5)).dtype == np.float32
    np.testing.assert_allclose(out, nadaraya_watson(x[:5].astype(float), x, np.sin(x).astype(float),
                                                    bandwidth=0.5), rtol=1e-5)


def test_integer_inputs_become_float64():
    assert nadaraya_watson([1], [0, 1, 2], [0, 1, 2]).dtype == np.float64


def test_no_queries_gives_empty_results():
    assert nadaraya_watson(np.empty(0), [0.0, 1.0], [1.0, 2.0]).shape == (0,)
    assert attention_weights(np.empty((0, 2)), np.zeros((3, 2))).shape == (0, 3)
