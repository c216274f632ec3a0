"""Seeded simulations of the boundaries and smoother chapters."""

import numpy as np
import pytest

from nwlib.course.smoothing_sims import coverage_simulation, pointwise_bias


def test_pointwise_bias_is_seeded_and_local_linear_fixes_the_boundary():
    nw = pointwise_bias(bandwidth=0.4, repeats=30)
    again = pointwise_bias(bandwidth=0.4, repeats=30)
    ll = pointwise_bias(bandwidth=0.4, repeats=30, estimator="local_linear")
    np.testing.assert_array_equal(nw.bias, again.bias)
    # The boundary bias of Nadaraya-Watson is first order; local-linear removes it.
    assert abs(ll.bias[0]) < abs(nw.bias[0]) / 3
    assert np.all(nw.sd > 0)


def test_coverage_is_a_fraction_per_query():
    c = coverage_simulation(bandwidth=0.4, repeats=25)
    assert c.covered.shape == c.queries.shape == c.width.shape
    assert np.all((0 <= c.covered) & (c.covered <= 1)) and np.all(c.width > 0)
    # Every covered fraction is a whole number of draws out of 25.
    np.testing.assert_allclose(c.covered * 25, np.round(c.covered * 25), atol=1e-12)
    narrow = coverage_simulation(bandwidth=0.4, repeats=25, level=0.5)
    assert narrow.average < c.average and np.all(narrow.width < c.width)


@pytest.mark.parametrize("simulate", [pointwise_bias, coverage_simulation])
@pytest.mark.parametrize("repeats", [1, 2.5])
def test_too_few_repeats_named(simulate, repeats):
    with pytest.raises(ValueError, match="repeats"):
        simulate(bandwidth=0.4, repeats=repeats)
