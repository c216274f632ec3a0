"""Honest bands: local noise variance, Bonferroni and sup-t multipliers, undersmoothing."""

import numpy as np
import pytest
from scipy import stats

import nwlib
from nwlib.bands import (
    bonferroni_critical_value,
    curve_band,
    local_noise_variance,
    sup_t_critical_value,
    undersmoothed_bandwidth,
)


@pytest.mark.parametrize("level, m", [(0.95, 1), (0.95, 49), (0.9, 1000), (0.99, 7)])
def test_bonferroni_matches_scipy(level, m):
    assert bonferroni_critical_value(level, m) == pytest.approx(
        stats.norm.ppf(1 - (1 - level) / (2 * m)), rel=1e-12)


def _correlated_weights(m=12, n=60):
    x = np.linspace(0, 1, n)
    return nwlib.smoother_matrix(np.linspace(0.05, 0.95, m), x, bandwidth=0.08), x


def test_sup_t_quantile_matches_scipy_multivariate_normal():
    """P(max_q |Z_q| / se_q <= c) for the Gaussian process Z, by Genz's integration."""
    w, x = _correlated_weights()
    sd = 0.2 + x  # heteroscedastic
    c = sup_t_critical_value(w, sd, 0.9, n_boot=40_000, seed=1)
    cov = (w * sd**2) @ w.T
    corr = cov / np.sqrt(np.outer(np.diag(cov), np.diag(cov)))
    mvn = stats.multivariate_normal(mean=np.zeros(len(corr)), cov=corr, seed=0, maxpts=2_000_000)
    prob = mvn.cdf(np.full(len(corr), c), lower_limit=np.full(len(corr), -c))
    # The quantile of 40,000 draws: its probability is within about 3 standard errors.
    assert abs(prob - 0.9) < 3 * np.sqrt(0.9 * 0.1 / 40_000) + 2e-3
    # Correlated queries need less than Bonferroni and more than the pointwise multiplier.
    assert stats.norm.ppf(0.95) < c < bonferroni_critical_value(0.9, len(corr)) - 0.1


def test_sup_t_for_independent_queries_is_sidak():
    c = sup_t_critical_value(np.eye(30), 2.0, 0.95, n_boot=100_000, seed=3)
    assert c == pytest.approx(stats.norm.ppf(0.5 + 0.95 ** (1 / 30) / 2), abs=0.02)


def test_local_noise_variance_is_unbiased_when_the_fit_is():
    """For a linear f, local-linear residuals carry no bias: the scaled squares average sigma^2."""
    x = np.sort(np.random.default_rng(0).uniform(0, 1, 80))
    estimates = np.array([local_noise_variance(x, x, 3 * x + 0.7 * np.random.default_rng(s).normal(size=80),
                                               bandwidth=0.1, estimator="local_linear")
                          for s in range(400)])
    mean, se = estimates.mean(axis=0), estimates.std(axis=0, ddof=1) / np.sqrt(400)
    assert np.all(np.abs(mean - 0.49) < 4 * se)
    assert np.abs(mean.mean() - 0.49) < 0.02


def test_local_noise_variance_tracks_a_growing_variance():
    rng = np.random.default_rng(5)
    x = np.sort(rng.uniform(0, 5, 2000))
    y = np.sin(x) + (0.2 + 0.4 * x) * rng.normal(size=x.size)
    grid = np.linspace(1, 4, 7)
    v = local_noise_variance(grid, x, y, bandwidth=0.3, estimator="local_linear")
    np.testing.assert_allclose(np.sqrt(v), 0.2 + 0.4 * grid, rtol=0.12)


def _coverage(kind, variance, repeats=120, sd=lambda x: 0.2 + 0.4 * x):
    """Fraction of repetitions whose band held at every query (smoothed truth), and pointwise."""
    x = np.sort(np.random.default_rng(1).uniform(0, 5, 150))
    q = np.linspace(0.2, 4.8, 30)
    f = nwlib.course.target_function
    target = nwlib.smoother_matrix(q, x, bandwidth=0.4, estimator="local_linear") @ f(x)
    inside = []
    for r in range(repeats):
        y = f(x) + sd(x) * np.random.default_rng(500 + r).normal(size=x.size)
        b = curve_band(q, x, y, bandwidth=0.4, kind=kind, variance=variance,
                       estimator="local_linear", n_boot=500, seed=r)
        inside.append((b.lower <= target) & (target <= b.upper))
    inside = np.array(inside)
    return inside.all(axis=1).mean(), inside.mean(axis=0)


def test_simultaneous_bands_cover_the_whole_curve_and_pointwise_does_not():
    whole_supt, _ = _coverage("sup-t", "local")
    whole_bonf, _ = _coverage("bonferroni", "local")
    whole_point, _ = _coverage("pointwise", "local")
    assert 0.88 < whole_supt <= whole_bonf
    assert whole_point < 0.8


def test_constant_variance_band_misses_where_the_noise_is_large():
    _, const = _coverage("pointwise", "constant")
    _, local = _coverage("pointwise", "local")
    assert const[:5].mean() > 0.99 and const[-5:].mean() < 0.85
    assert local[-5:].mean() > const[-5:].mean() + 0.05


def test_undersmoothed_bandwidth_and_bad_input():
    assert undersmoothed_bandwidth(bandwidth=0.4, n=200) == pytest.approx(0.4 * 200 ** (-0.05))
    with pytest.raises(ValueError, match="bandwidth"):
        undersmoothed_bandwidth(bandwidth=-1.0, n=10)
    with pytest.raises(ValueError, match="kind"):
        curve_band([0.5], [0.0, 1.0], [1.0, 2.0], bandwidth=1.0, kind="wide")
    with pytest.raises(ValueError, match="level"):
        bonferroni_critical_value(1.5, 3)
    with pytest.raises(ValueError, match="n_boot"):
        sup_t_critical_value(np.eye(3), 1.0, 0.9, n_boot=5)


def test_one_band_type_for_every_band():
    """confidence_band is curve_band's pointwise band with one noise variance; the
    bootstrap band is a Band too, without a standard error or a multiplier."""
    d = nwlib.course.running_example()
    normal = nwlib.confidence_band(d.x_query, d.x_train, d.y_train, bandwidth=0.4)
    curve = curve_band(d.x_query, d.x_train, d.y_train, bandwidth=0.4, kind="pointwise",
                       variance="constant")
    assert type(normal) is type(curve) is nwlib.Band
    assert normal.kind == curve.kind == "pointwise"
    np.testing.assert_allclose(normal.se, curve.se, rtol=1e-12)
    assert normal.critical_value == pytest.approx(curve.critical_value, rel=1e-12)
    np.testing.assert_allclose(normal.upper, normal.fit + normal.critical_value * normal.se)
    boot = nwlib.bootstrap_band(d.x_query, d.x_train, d.y_train, bandwidth=0.4, n_boot=50)
    assert boot.kind == "bootstrap" and boot.se is None and boot.critical_value is None
