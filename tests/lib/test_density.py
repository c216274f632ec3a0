"""Parzen density estimates (nwlib.density) against scipy and closed forms."""

import numpy as np
import pytest
from scipy.stats import gaussian_kde

import nwlib


def test_parzen_equals_scipy_gaussian_kde_in_1d(rng):
    samples = rng.gamma(2.0, size=300)
    points = np.linspace(-1, 10, 97)
    h = 0.4
    kde = gaussian_kde(samples, bw_method=h / samples.std(ddof=1))
    np.testing.assert_allclose(nwlib.parzen_density(points, samples, bandwidth=h), kde(points),
                               rtol=1e-10, atol=1e-300)


def test_parzen_per_coordinate_widths_are_a_mixture_of_normals(rng):
    from scipy.stats import multivariate_normal

    samples = rng.normal(size=(150, 2)) * [1.0, 3.0]
    points = rng.normal(size=(40, 2))
    h = np.array([0.3, 0.9])
    mixture = np.mean([multivariate_normal(s, np.diag(h**2)).pdf(points) for s in samples], 0)
    np.testing.assert_allclose(nwlib.parzen_density(points, samples, bandwidth=h), mixture,
                               rtol=1e-10)


def test_parzen_equals_gaussian_kde_in_2d_through_the_covariance(rng):
    """gaussian_kde's kernel covariance is bw_method**2 times the samples' covariance C:
    whitening by C = L L^T turns it into parzen_density's width bw_method on every coordinate."""
    samples = rng.multivariate_normal([1.0, -2.0], [[2.0, 1.2], [1.2, 1.5]], size=200)
    points = rng.uniform(-4, 5, size=(60, 2))
    factor = 0.35
    kde = gaussian_kde(samples.T, bw_method=factor)
    chol = np.linalg.cholesky(np.cov(samples.T))
    white = np.linalg.solve(chol, samples.T).T
    white_points = np.linalg.solve(chol, points.T).T
    ours = nwlib.parzen_density(white_points, white, bandwidth=factor) / np.linalg.det(chol)
    np.testing.assert_allclose(ours, kde(points.T), rtol=1e-10, atol=1e-300)


def test_bandwidth_is_a_width_not_gaussian_kdes_factor(rng):
    """The same number as parzen's width and as gaussian_kde's bw_method are different
    estimates (by a factor of 13 and more here); the docstring says which is which."""
    samples = rng.normal(scale=5.0, size=300)
    points = np.linspace(-15, 15, 61)
    h = 0.4
    ours = nwlib.parzen_density(points, samples, bandwidth=h)
    theirs = gaussian_kde(samples, bw_method=h)(points)
    assert np.max(np.maximum(ours / theirs, theirs / ours)) > 13
    doc = nwlib.parzen_density.__doc__
    assert "bw_method" in doc and "h / x.std(ddof=1)" in doc
    assert "as in ``scipy.stats.gaussian_kde``" not in doc


@pytest.mark.parametrize("kernel", ["gaussian", "epanechnikov", "triangular", "boxcar"])
def test_parzen_density_integrates_to_one(kernel, rng):
    samples = rng.normal(size=50)
    grid = np.linspace(-8, 8, 20001)
    p = nwlib.parzen_density(grid, samples, kernel=kernel, bandwidth=0.5)
    assert np.trapezoid(p, grid) == pytest.approx(1.0, abs=2e-4)
