"""The Gaussian-process posterior variance against scikit-learn and against its own laws."""

import numpy as np
import pytest
from sklearn.gaussian_process import GaussianProcessRegressor
from sklearn.gaussian_process.kernels import RBF, ConstantKernel

from nwlib.ridge import gp_posterior_variance, kernel_ridge


@pytest.mark.parametrize("h, noise_var, signal_var, d", [(0.5, 0.3, 2.0, 1), (1.3, 1e-3, 0.5, 2),
                                                         (0.2, 4.0, 1.0, 3)])
def test_matches_scikit_learn_with_a_fixed_kernel(h, noise_var, signal_var, d):
    rng = np.random.default_rng(7)
    keys = rng.uniform(-2, 2, (40, d))
    y = np.sin(keys).sum(axis=1) + rng.normal(size=40)
    queries = rng.uniform(-4, 4, (25, d))  # some far from every key
    gp = GaussianProcessRegressor(ConstantKernel(signal_var, "fixed") * RBF(h, "fixed"),
                                  alpha=noise_var, optimizer=None, normalize_y=False).fit(keys, y)
    mean, std = gp.predict(queries, return_std=True)
    ours = gp_posterior_variance(queries, keys, bandwidth=h, noise_var=noise_var, signal_var=signal_var)
    np.testing.assert_allclose(ours, std**2, rtol=1e-7, atol=1e-9 * signal_var)
    # The posterior mean is kernel ridge with ridge = noise_var / signal_var.
    np.testing.assert_allclose(kernel_ridge(queries, keys, y, bandwidth=h, ridge=noise_var / signal_var),
                               mean, rtol=1e-7, atol=1e-9)


def test_variance_laws():
    keys = np.linspace(0, 1, 30)
    near, far = gp_posterior_variance([0.5, 40.0], keys, bandwidth=0.2, noise_var=0.1, signal_var=3.0)
    assert far == pytest.approx(3.0, rel=1e-12)  # no data: the prior
    assert 0 < near < 0.1  # many keys averaged: less than one observation's noise
    # More data never increases the posterior variance.
    fewer = gp_posterior_variance(np.linspace(-0.5, 1.5, 21), keys[::3], bandwidth=0.2, noise_var=0.1)
    more = gp_posterior_variance(np.linspace(-0.5, 1.5, 21), keys, bandwidth=0.2, noise_var=0.1)
    assert np.all(more <= fewer + 1e-12)
    # Duplicate keys (a singular Gram matrix without the noise) stay finite and non-negative.
    dup = gp_posterior_variance([0.0], np.zeros(50), bandwidth=1.0, noise_var=1e-8)
    assert 0 <= dup[0] < 1e-9
    with pytest.raises(ValueError, match="noise_var"):
        gp_posterior_variance([0.0], [0.0], noise_var=0.0)
