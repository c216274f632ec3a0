"""Laws that every Nadaraya-Watson estimate obeys, checked on random inputs."""

import numpy as np
import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

import nwlib
from nwlib import attention_weights, nadaraya_watson

# derandomize: the same examples on every run and machine, so CI cannot flake.
settings.register_profile("course", max_examples=60, deadline=None, derandomize=True)
settings.load_profile("course")
# The exhaustive property suite (minutes): make test runs it, make unit leaves it out.
pytestmark = pytest.mark.slow

coords = st.floats(-10, 10, allow_nan=False, allow_infinity=False)
widths = st.floats(0.05, 20.0)
kernels = st.sampled_from(sorted(nwlib.KERNELS))


@st.composite
def problems(draw, max_d=3):
    d = draw(st.integers(1, max_d))
    n = draw(st.integers(1, 25))
    m = draw(st.integers(1, 10))
    keys = draw(arrays(float, (n, d), elements=coords))
    queries = draw(arrays(float, (m, d), elements=coords))
    values = draw(arrays(float, (n,), elements=coords))
    return queries, keys, values


@given(problems(), widths, kernels)
def test_rows_sum_to_one_and_are_nonnegative(problem, h, kernel):
    q, k, _ = problem
    w = attention_weights(q, k, kernel=kernel, bandwidth=h, empty="nan")
    ok = ~np.isnan(w).any(axis=1)
    np.testing.assert_allclose(w[ok].sum(axis=1), 1.0, rtol=1e-12)
    assert (w[ok] >= 0).all()


@given(problems(), widths, kernels)
def test_prediction_lies_between_min_and_max_value(problem, h, kernel):
    q, k, v = problem
    out = nadaraya_watson(q, k, v, kernel=kernel, bandwidth=h, empty="nan")
    out = out[~np.isnan(out)]
    assert (out >= v.min() - 1e-9).all() and (out <= v.max() + 1e-9).all()


@given(problems(), widths, st.sampled_from(["gaussian", "epanechnikov"]),
       arrays(float, (3,), elements=coords))
def test_translation_invariance(problem, h, kernel, shift):
    q, k, v = problem
    shift = shift[: q.shape[1]]
    a = nadaraya_watson(q, k, v, kernel=kernel, bandwidth=h, empty="nan")
    b = nadaraya_watson(q + shift, k + shift, v, kernel=kernel, bandwidth=h, empty="nan")
    finite = ~np.isnan(a) & ~np.isnan(b)
    np.testing.assert_allclose(a[finite], b[finite], rtol=1e-7, atol=1e-7)


@given(problems(max_d=3), widths, st.integers(0, 2**32 - 1))
def test_rotation_invariance(problem, h, seed):
    q, k, v = problem
    d = q.shape[1]
    rot, _ = np.linalg.qr(np.random.default_rng(seed).normal(size=(d, d)))
    a = nadaraya_watson(q, k, v, bandwidth=h)
    b = nadaraya_watson(q @ rot.T, k @ rot.T, v, bandwidth=h)
    np.testing.assert_allclose(a, b, rtol=1e-6, atol=1e-6 * (1 + np.abs(v).max()))


@given(problems(), st.floats(0.01, 100.0))
def test_constant_kernel_gives_the_mean(problem, h):
    q, k, v = problem
    np.testing.assert_allclose(nadaraya_watson(q, k, v, kernel="constant", bandwidth=h),
                               np.full(len(q), v.mean()), rtol=1e-12, atol=1e-12)


@given(problems())
def test_infinite_width_gives_the_mean(problem):
    q, k, v = problem
    np.testing.assert_allclose(nadaraya_watson(q, k, v, bandwidth=1e9), np.full(len(q), v.mean()),
                               rtol=1e-9, atol=1e-9)


@given(problems())
def test_vanishing_width_gives_the_nearest_neighbour(problem):
    q, k, v = problem
    dist = np.linalg.norm(q[:, None] - k[None], axis=-1)
    order = np.sort(dist, axis=1)
    # A tie between two nearest keys has no single nearest neighbour.
    assume(k.shape[0] == 1 or (order[:, 1] - order[:, 0] > 1e-3).all())
    nearest = v[dist.argmin(axis=1)]
    np.testing.assert_allclose(nadaraya_watson(q, k, v, bandwidth=1e-6), nearest)


@given(problems(max_d=3), arrays(float, (3,), elements=st.floats(0.1, 5.0)), kernels)
def test_per_coordinate_widths_equal_rescaled_coordinates(problem, h, kernel):
    q, k, v = problem
    h = h[: q.shape[1]]
    a = nadaraya_watson(q, k, v, kernel=kernel, bandwidth=h, empty="nan")
    b = nadaraya_watson(q / h, k / h, v, kernel=kernel, bandwidth=1.0, empty="nan")
    np.testing.assert_allclose(a, b, rtol=1e-9, atol=1e-9)
