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


@pytest.mark.parametrize("kernel", ["gaussian", "epanechnikov", "triangular", "boxcar"])
def test_parzen_density_integrates_to_one(kernel, rng):
    samples = rng.normal(size=50)
    grid = np.linspace(-8, 8, 20001)
    p = nwlib.parzen_density(grid, samples, kernel=kernel, bandwidth=0.5)
    assert np.trapezoid(p, grid) == pytest.approx(1.0, abs=2e-4)
