"""Bias and variance over fresh draws of the running example (nwlib.course.smoothing_sims)."""

import numpy as np
import pytest

import nwlib


def test_bias_variance_matches_a_direct_simulation():
    widths = [0.6, 1.5]
    bias2, variance = nwlib.course.bias_variance(widths, kernel="triangular", repeats=5, seed=3)
    for i, h in enumerate(widths):
        fits = []
        for r in range(5):
            d = nwlib.course.running_example(seed=3 + r)
            fits.append(nwlib.nadaraya_watson(d.x_query, d.x_train, d.y_train,
                                              kernel="triangular", bandwidth=h))
        fits = np.array(fits)
        truth = nwlib.course.target_function(d.x_query)
        assert bias2[i] == pytest.approx(np.mean((fits.mean(0) - truth) ** 2))
        assert variance[i] == pytest.approx(np.mean(np.var(fits, axis=0, ddof=1)))


def test_constant_kernel_variance_is_that_of_a_sample_mean():
    # With weight 1/n everywhere, each fit is the mean of n values: variance ~ Var(y) / n.
    _, variance = nwlib.course.bias_variance([1.0], kernel="constant", n=40, repeats=400)
    rng = np.random.default_rng(0)
    x = rng.uniform(0, 5, 1_000_000)
    var_y = np.var(nwlib.course.target_function(x)) + 1.0
    assert variance[0] == pytest.approx(var_y / 40, rel=0.15)


@pytest.mark.parametrize("kwargs", [{"candidates": []}, {"candidates": [0.0]},
                                    {"candidates": [0.5], "repeats": 1}])
def test_bias_variance_rejects_bad_input(kwargs):
    with pytest.raises(ValueError):
        nwlib.course.bias_variance(**kwargs)


def test_bias_variance_averages_pointwise_bias():
    """One Monte Carlo: bias_variance is pointwise_bias averaged over the queries."""
    bias2, variance = nwlib.course.bias_variance([0.5], kernel="epanechnikov", repeats=6, seed=11)
    r = nwlib.course.pointwise_bias(bandwidth=0.5, kernel="epanechnikov", repeats=6, seed=11)
    assert bias2[0] == np.mean(r.bias**2) and variance[0] == np.mean(r.sd**2)
