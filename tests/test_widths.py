"""Kernel variances and equal-spread widths, checked against scipy's distributions."""

import math

import numpy as np
import pytest
from scipy import stats

import nwlib


@pytest.mark.parametrize("name, reference", [
    ("gaussian", stats.norm()),
    ("boxcar", stats.uniform(loc=-1, scale=2)),
    ("triangular", stats.triang(c=0.5, loc=-1, scale=2)),
    ("epanechnikov", stats.beta(2, 2, loc=-1, scale=2)),  # (1 - u^2) on [-1, 1]
])
def test_variance_matches_scipy(name, reference):
    assert nwlib.kernel_variance(name) == pytest.approx(reference.var(), rel=1e-9)


def test_cosine_and_tricube_closed_forms():
    assert nwlib.kernel_variance("cosine") == pytest.approx(1 - 8 / math.pi**2, rel=1e-9)
    assert nwlib.kernel_variance("tricube") == pytest.approx(35 / 243, rel=1e-9)


def test_equivalent_widths_give_equal_spread():
    sigma = 0.4
    for name in ["boxcar", "triangular", "epanechnikov", "cosine"]:
        h = nwlib.equivalent_bandwidth(name, sigma)
        assert h**2 * nwlib.kernel_variance(name) == pytest.approx(sigma**2)
    assert nwlib.equivalent_bandwidth("gaussian", sigma) == sigma


def test_equal_spread_fits_are_close_on_the_running_example():
    data = nwlib.running_example()
    fits = [nwlib.nadaraya_watson(data.x_query, data.x_train, data.y_train, kernel=k,
                                  bandwidth=nwlib.equivalent_bandwidth(k, 0.5))
            for k in ["gaussian", "triangular", "epanechnikov"]]
    assert max(np.abs(f - fits[0]).max() for f in fits) < 0.5


@pytest.mark.parametrize("sigma", [0.0, -1.0, math.nan, "1"])
def test_equivalent_bandwidth_rejects_bad_sigma(sigma):
    with pytest.raises(ValueError, match="sigma"):
        nwlib.equivalent_bandwidth("boxcar", sigma)


def test_constant_kernel_has_no_variance():
    with pytest.raises(ValueError, match="constant"):
        nwlib.kernel_variance("constant")


def test_bias_variance_matches_a_direct_simulation():
    widths = [0.6, 1.5]
    bias2, variance = nwlib.bias_variance(widths, kernel="triangular", repeats=5, seed=3)
    for i, h in enumerate(widths):
        fits = []
        for r in range(5):
            d = nwlib.running_example(seed=3 + r)
            fits.append(nwlib.nadaraya_watson(d.x_query, d.x_train, d.y_train,
                                              kernel="triangular", bandwidth=h))
        fits = np.array(fits)
        truth = nwlib.target_function(d.x_query)
        assert bias2[i] == pytest.approx(np.mean((fits.mean(0) - truth) ** 2))
        assert variance[i] == pytest.approx(np.mean(np.var(fits, axis=0, ddof=1)))


def test_constant_kernel_variance_is_that_of_a_sample_mean():
    # With weight 1/n everywhere, each fit is the mean of n values: variance ~ Var(y) / n.
    _, variance = nwlib.bias_variance([1.0], kernel="constant", n=40, repeats=400)
    rng = np.random.default_rng(0)
    x = rng.uniform(0, 5, 1_000_000)
    var_y = np.var(nwlib.target_function(x)) + 1.0
    assert variance[0] == pytest.approx(var_y / 40, rel=0.15)


@pytest.mark.parametrize("kwargs", [{"bandwidths": []}, {"bandwidths": [0.0]},
                                    {"bandwidths": [0.5], "repeats": 1}])
def test_bias_variance_rejects_bad_input(kwargs):
    with pytest.raises(ValueError):
        nwlib.bias_variance(**kwargs)
