"""The direct plug-in width: its pilot and width approach the oracle AMISE width as n grows.

No independent implementation of Ruppert, Sheather and Wand's selector is installed
(R's KernSmooth ``dpill`` is not available here, statsmodels' KernelReg offers only
least-squares cross-validation and AIC widths, KDEpy selects density widths), so the
oracle is the AMISE width of :func:`nwlib.amise_bandwidth` computed from the true
``theta_22`` and noise variance, and the pilot's pieces are checked one by one.
"""

import numpy as np
import pytest

from nwlib.asymptotics import amise_bandwidth, kernel_constants
from nwlib.plugin import PluginWidth, plugin_bandwidth

# m(x) = 2 sin x + x on a uniform design over [0, 5]: m'' = -2 sin x and
# theta_22 = (1/5) int_0^5 4 sin(x)^2 dx = 2 - sin(10) / 5.
THETA22 = 2 - np.sin(10) / 5


def _sample(n, seed, noise=1.0):
    rng = np.random.default_rng(seed)
    x = rng.uniform(0, 5, n)
    return x, 2 * np.sin(x) + x + noise * rng.standard_normal(n)


def _oracle(n, noise_var=1.0, kernel="gaussian"):
    # B = int (m''/2)^2 p dx = theta_22 / 4 and V = int_a^b p / p dx = 5 in amise().
    return amise_bandwidth(n, kernel=kernel, noise_var=noise_var, bias_integral=THETA22 / 4,
                           variance_integral=5.0)


def test_theta22_closed_form_matches_quadrature():
    from scipy.integrate import quad

    value, _ = quad(lambda x: (2 * np.sin(x)) ** 2 / 5, 0, 5)
    assert value == pytest.approx(THETA22, rel=1e-12)


@pytest.mark.parametrize("kernel", ["gaussian", "epanechnikov"])
def test_plugin_approaches_the_oracle_width_as_n_grows(kernel):
    errors = []
    for n in [2_000, 20_000, 200_000]:
        fits = [plugin_bandwidth(*_sample(n, seed), kernel=kernel) for seed in range(4)]
        h = np.mean([f.bandwidth for f in fits])
        theta = np.mean([f.theta22 for f in fits])
        errors.append((abs(h / _oracle(n, kernel=kernel) - 1), abs(theta / THETA22 - 1)))
        assert np.mean([f.noise_var for f in fits]) == pytest.approx(1.0, rel=0.05)
    width_err, theta_err = np.array(errors).T
    assert width_err[-1] < 0.03 and theta_err[-1] < 0.1
    assert width_err[-1] < width_err[0] and theta_err[-1] < theta_err[0]


def test_plugin_formula_and_kernel_constants():
    x, y = _sample(5_000, 1, noise=0.5)
    fit = plugin_bandwidth(x, y, kernel="epanechnikov")
    c = kernel_constants("epanechnikov")
    expected = (fit.noise_var * c.roughness * (x.max() - x.min())
                / (x.size * c.mu2**2 * fit.theta22)) ** 0.2
    assert fit.bandwidth == pytest.approx(expected, rel=1e-12)
    assert fit.noise_var == pytest.approx(0.25, rel=0.1)
    assert isinstance(fit, PluginWidth) and 1 <= fit.blocks <= 5


def test_plugin_is_exact_for_a_quartic_plus_noise_free_curvature():
    # Values on one quartic with tiny noise: one block fits; theta_22 is the mean of m''^2.
    rng = np.random.default_rng(3)
    x = np.sort(rng.uniform(-1, 1, 400))
    m = x**4 - x**2
    fit = plugin_bandwidth(x, m + 1e-6 * rng.standard_normal(400))
    second = 12 * x**2 - 2
    assert fit.theta22 == pytest.approx(np.mean(second**2), rel=1e-4)
    assert fit.noise_var == pytest.approx(1e-12, rel=0.3)


def test_plugin_is_invariant_to_order_and_shift():
    x, y = _sample(1_000, 2)
    perm = np.random.default_rng(0).permutation(x.size)
    a = plugin_bandwidth(x, y)
    b = plugin_bandwidth(x[perm] + 1e4, y[perm] - 50)
    assert b.bandwidth == pytest.approx(a.bandwidth, rel=1e-6)


def test_plugin_rejects_bad_input():
    x = np.linspace(0, 1, 50)
    with pytest.raises(ValueError, match="one dimension"):
        plugin_bandwidth(np.ones((50, 2)), x)
    with pytest.raises(ValueError, match="one value per key"):
        plugin_bandwidth(x, x[:-1])
    with pytest.raises(ValueError, match="distinct keys"):
        plugin_bandwidth(np.repeat(x[:5], 10), x)
    with pytest.raises(ValueError, match="finite"):
        plugin_bandwidth(np.r_[x[:-1], np.nan], x)
    with pytest.raises(ValueError, match="no noise|no curvature"):
        plugin_bandwidth(x, 3 * x + 1)
