"""Choosing the width (nwlib.selection): rules of thumb and leave-one-out, against scipy and statsmodels."""

import numpy as np
import pytest
from scipy.stats import gaussian_kde
from statsmodels.nonparametric.bandwidths import bw_silverman
from statsmodels.nonparametric.kernel_regression import KernelReg

import nwlib


def test_scott_matches_scipy_factor(rng):
    x = rng.normal(size=(120, 3)) * [1, 2, 5]
    kde = gaussian_kde(x.T, bw_method="scott")
    np.testing.assert_allclose(nwlib.scott_bandwidth(x), kde.factor * x.std(axis=0, ddof=1))
    x1 = x[:, 0]
    assert nwlib.scott_bandwidth(x1) == pytest.approx(gaussian_kde(x1).factor * x1.std(ddof=1))


def test_silverman_matches_statsmodels_in_1d(rng):
    x = rng.standard_t(3, size=200)  # heavy tails: the IQR branch of the rule matters
    assert nwlib.silverman_bandwidth(x) == pytest.approx(bw_silverman(x))


def test_silverman_in_d_dimensions_uses_the_normal_reference_constant(rng):
    x = rng.normal(size=(500, 2))
    h = nwlib.silverman_bandwidth(x)
    assert h.shape == (2,)
    # For Gaussian data the robust spread is about sigma, so h is close to scipy's
    # Silverman factor (n (d + 2) / 4) ** (-1 / (d + 4)) times sigma.
    kde = gaussian_kde(x.T, bw_method="silverman")
    np.testing.assert_allclose(h, kde.factor * x.std(axis=0, ddof=1), rtol=0.1)


def brute_force_loo(x, y, h, kernel):
    """Delete each point, refit, predict it: the definition, one point at a time."""
    err = [
        (nwlib.nadaraya_watson(x[i : i + 1], np.delete(x, i, 0), np.delete(y, i, 0),
                               kernel=kernel, bandwidth=h) - y[i]) ** 2
        for i in range(len(x))
    ]
    return np.mean(err)


@pytest.mark.parametrize("kernel", ["gaussian", "epanechnikov"])
def test_loo_equals_deleting_each_point(kernel):
    data = nwlib.course.running_example()
    widths = [0.6, 0.9, 1.5]
    best, mse = nwlib.loo_bandwidth(data.x_train, data.y_train, widths, kernel=kernel)
    expected = [brute_force_loo(data.x_train, data.y_train, h, kernel) for h in widths]
    np.testing.assert_allclose(mse, expected, rtol=1e-12)
    assert best == widths[int(np.argmin(expected))]


def test_loo_equals_statsmodels_cv_objective():
    data = nwlib.course.running_example()
    reg = KernelReg(data.y_train, data.x_train, var_type="c", reg_type="lc", bw=[0.5])
    for h in (0.2, 0.5, 0.9):
        _, mse = nwlib.loo_bandwidth(data.x_train, data.y_train, [h])
        assert mse[0] == pytest.approx(reg.cv_loo(np.array([h]), reg.est["lc"]), rel=1e-12)


def test_loo_per_coordinate_candidates(rng):
    x = rng.uniform(size=(60, 2))
    y = np.sin(6 * x[:, 0]) + 0.1 * rng.normal(size=60)  # the 2nd coordinate is noise
    cands = np.array([[0.1, 0.1], [0.1, 10.0], [10.0, 0.1]])
    best, mse = nwlib.loo_bandwidth(x, y, cands)
    np.testing.assert_array_equal(best, [0.1, 10.0])
    assert mse.shape == (3,)


def test_loo_scores_undefined_candidates_as_inf():
    x = np.array([0.0, 0.1, 5.0])
    _, mse = nwlib.loo_bandwidth(x, x, [0.5, 10.0], kernel="boxcar")
    assert np.isinf(mse[0]) and np.isfinite(mse[1])


@pytest.mark.parametrize("kernel", ["gaussian", "epanechnikov"])
def test_loo_bandwidth_scores_local_linear_like_refitting_without_each_point(kernel):
    """estimator="local_linear" against n separate local-linear fits with the point deleted."""
    fit = nwlib.local_linear
    rng = np.random.default_rng(11)
    x = np.sort(rng.uniform(0, 3, 40))
    y = np.sin(2 * x) + 0.3 * x + rng.normal(0, 0.2, 40)
    widths = [0.3, 0.6, 1.5]
    best, mse = nwlib.loo_bandwidth(x, y, widths, kernel=kernel, estimator="local_linear")
    brute = [np.mean([(fit(x[i:i + 1], np.delete(x, i), np.delete(y, i), kernel=kernel,
                           bandwidth=h)[0] - y[i]) ** 2 for i in range(40)]) for h in widths]
    np.testing.assert_allclose(mse, brute, rtol=1e-10)
    assert best == widths[int(np.argmin(brute))]
    # a different estimator: not Nadaraya-Watson's errors
    assert not np.allclose(mse, nwlib.loo_bandwidth(x, y, widths, kernel=kernel)[1])


def test_loo_bandwidth_checks_the_estimator():
    with pytest.raises(ValueError, match="estimator"):
        nwlib.loo_bandwidth([0.0, 1.0, 2.0], [0.0, 1.0, 2.0], [1.0], estimator="knn")
    with pytest.raises(ValueError, match=r"candidates\[1\]"):
        nwlib.loo_bandwidth([0.0, 1.0, 2.0], [0.0, 1.0, 2.0], [1.0, -1.0],
                            estimator="local_linear")
