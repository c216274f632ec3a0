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
