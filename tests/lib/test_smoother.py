"""The smoother matrix: LOO shortcut, GCV, noise estimate, bands, kernel ridge."""

import numpy as np
import pytest
from sklearn.gaussian_process import GaussianProcessRegressor
from sklearn.gaussian_process.kernels import RBF
from sklearn.kernel_ridge import KernelRidge

from nwlib import loo_bandwidth
from nwlib.course import running_example
from nwlib.ridge import kernel_ridge, kernel_ridge_weights
from nwlib.smoother import (
    bootstrap_band,
    confidence_band,
    effective_dof,
    gcv_bandwidth,
    gcv_score,
    loo_residuals,
    noise_variance,
    pointwise_variance,
    smoother_matrix,
)


@pytest.mark.parametrize("kernel", ["gaussian", "epanechnikov", "tricube"])
def test_loo_shortcut_equals_loo_bandwidth_errors(kernel):
    d = running_example()
    cand = np.array([0.3, 0.5, 0.8, 1.5])
    _, mse = loo_bandwidth(d.x_train, d.y_train, cand, kernel=kernel, method="reference")
    for h, err in zip(cand, mse, strict=True):
        W = smoother_matrix(d.x_train, d.x_train, kernel=kernel, bandwidth=h)
        if np.isinf(err):  # some key has no other key in reach: undefined either way
            with pytest.raises(ValueError, match="W_ii = 1"):
                loo_residuals(W, d.y_train)
        else:
            assert np.mean(loo_residuals(W, d.y_train) ** 2) == pytest.approx(err, rel=1e-10)
    assert np.isfinite(mse[-1])


def test_effective_dof_falls_from_n_to_one():
    d = running_example()
    dofs = [effective_dof(smoother_matrix(d.x_train, d.x_train, bandwidth=h))
            for h in [1e-4, 0.1, 0.4, 2.0, 1e4]]
    assert dofs[0] == pytest.approx(40, abs=1e-6) and dofs[-1] == pytest.approx(1, abs=1e-6)
    assert np.all(np.diff(dofs) < 0)


def test_gcv_matches_its_definition_and_picks_from_candidates(rng):
    W = rng.uniform(size=(12, 12))
    W /= W.sum(axis=1, keepdims=True)
    y = rng.standard_normal(12)
    rss = np.sum((y - W @ y) ** 2)
    assert gcv_score(W, y) == pytest.approx(12 * rss / (12 - np.trace(W)) ** 2, rel=1e-12)
    d = running_example()
    cand = np.geomspace(0.1, 2, 15)
    best, scores = gcv_bandwidth(d.x_train, d.y_train, cand)
    assert best == cand[np.argmin(scores)] and np.all(np.isfinite(scores))


def test_noise_variance_is_ols_scale_for_a_projection(rng):
    import statsmodels.api as sm

    x = rng.uniform(0, 1, 30)
    X = np.column_stack([np.ones(30), x, x**2])
    y = 1 + x + 0.5 * rng.standard_normal(30)
    hat = X @ np.linalg.solve(X.T @ X, X.T)
    assert noise_variance(hat, y) == pytest.approx(sm.OLS(y, X).fit().scale, rel=1e-10)


def test_pointwise_variance_matches_monte_carlo(rng):
    x = np.sort(rng.uniform(0, 5, 40))
    q = np.linspace(0, 5, 11)
    W = smoother_matrix(q, x, bandwidth=0.4)
    noise = 0.7 * rng.standard_normal((40, 20000))
    mc = np.var(W @ noise, axis=1)
    np.testing.assert_allclose(pointwise_variance(W, 0.49), mc, rtol=0.05)


def test_bands_contain_the_fit_and_agree_in_width():
    d = running_example()
    normal = confidence_band(d.x_query, d.x_train, d.y_train, bandwidth=0.4)
    boot = bootstrap_band(d.x_query, d.x_train, d.y_train, bandwidth=0.4, n_boot=2000)
    np.testing.assert_allclose(normal.fit, boot.fit)
    assert np.all(boot.lower < boot.fit) and np.all(boot.fit < boot.upper)
    ratio = (boot.upper - boot.lower) / (normal.upper - normal.lower)
    assert 0.8 < np.median(ratio) < 1.2
    with pytest.raises(ValueError, match="level"):
        confidence_band(d.x_query, d.x_train, d.y_train, bandwidth=0.4, level=95)


def test_errors_name_the_argument():
    with pytest.raises(ValueError, match="square"):
        effective_dof(np.ones((3, 2)))
    with pytest.raises(ValueError, match="W_ii = 1"):
        loo_residuals(np.eye(3), [1.0, 2.0, 3.0])
    with pytest.raises(ValueError, match="estimator"):
        smoother_matrix([0.0], [0.0], estimator="spline")
    with pytest.raises(ValueError, match="ridge"):
        kernel_ridge([0.0], [0.0], [1.0], ridge=0.0)


@pytest.mark.parametrize("h, ridge", [(0.5, 1.0), (0.3, 0.1), (1.0, 1e-3)])
def test_kernel_ridge_matches_sklearn(rng, h, ridge):
    x = rng.uniform(0, 5, (40, 2))
    y = np.sin(x[:, 0]) + x[:, 1] + 0.3 * rng.standard_normal(40)
    q = rng.uniform(0, 5, (17, 2))
    ours = kernel_ridge(q, x, y, bandwidth=h, ridge=ridge)
    kr = KernelRidge(alpha=ridge, kernel="rbf", gamma=1 / (2 * h * h)).fit(x, y)
    np.testing.assert_allclose(ours, kr.predict(q), atol=1e-8)
    gp = GaussianProcessRegressor(RBF(h, length_scale_bounds="fixed"), alpha=ridge,
                                  optimizer=None).fit(x, y)
    np.testing.assert_allclose(ours, gp.predict(q), atol=1e-8)


def test_kernel_ridge_centred_is_a_gp_with_the_mean_as_prior_mean(rng):
    x = rng.uniform(0, 5, 30)
    y = 10 + np.sin(x)
    gp = GaussianProcessRegressor(RBF(0.5, length_scale_bounds="fixed"), alpha=0.2,
                                  optimizer=None).fit(x[:, None], y - y.mean())
    q = np.linspace(-2, 7, 13)
    np.testing.assert_allclose(kernel_ridge(q, x, y, bandwidth=0.5, ridge=0.2, center=True),
                               y.mean() + gp.predict(q[:, None]), atol=1e-9)
    w = kernel_ridge_weights(q, x, bandwidth=0.5, ridge=0.2)
    assert not np.allclose(w.sum(axis=1), 1.0)  # no normalisation: rows need not sum to 1
