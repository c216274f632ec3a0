"""Per-key (locally adaptive) widths: Silverman's two-stage rule and pooling with them."""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays
from scipy.stats import gaussian_kde, norm

import nwlib

finite = st.floats(-10, 10, allow_nan=False)


def test_widths_follow_the_pilot_density_of_scipy():
    keys = nwlib.course.uneven_example().x_train
    h = 0.3
    widths = nwlib.adaptive_bandwidths(keys, bandwidth=h, alpha=0.5)
    # scipy's kde with bw_method = h / std has kernel standard deviation h.
    pilot = gaussian_kde(keys, bw_method=h / keys.std(ddof=1))(keys)
    g = np.exp(np.mean(np.log(pilot)))
    np.testing.assert_allclose(widths, h * (pilot / g) ** -0.5, rtol=1e-10)
    np.testing.assert_allclose(np.exp(np.mean(np.log(widths))), h, rtol=1e-12)


def test_sparse_keys_get_wider_kernels_and_alpha_zero_is_fixed():
    keys = np.array([0.0, 0.05, 0.1, 0.15, 4.0])
    widths = nwlib.adaptive_bandwidths(keys, bandwidth=0.5, kernel="epanechnikov")
    assert widths[-1] == widths.max() and widths[-1] > 1.9 * widths[:-1].max()  # ~ sqrt(4 keys vs 1)
    np.testing.assert_allclose(nwlib.adaptive_bandwidths(keys, bandwidth=0.5, alpha=0.0), 0.5)


@settings(max_examples=40, deadline=None)
@given(arrays(float, st.integers(2, 12), elements=finite), st.floats(0.1, 3.0),
       st.floats(0.1, 10.0))
def test_widths_scale_with_the_data(keys, h, c):
    """Stretching the keys and the global width by c stretches every local width by c."""
    np.testing.assert_allclose(nwlib.adaptive_bandwidths(keys * c, bandwidth=h * c),
                               c * nwlib.adaptive_bandwidths(keys, bandwidth=h), rtol=1e-7)


@pytest.mark.parametrize("bad, error", [("0.5", TypeError), ([0.5, 0.6], TypeError),
                                        (-1.0, ValueError)])
def test_adaptive_bandwidths_rejects_bad_width(bad, error):
    with pytest.raises(error, match="bandwidth"):
        nwlib.adaptive_bandwidths([0.0, 1.0], bandwidth=bad)


@pytest.mark.parametrize("alpha", [-0.1, 1.5, "half"])
def test_adaptive_bandwidths_rejects_bad_alpha(alpha):
    with pytest.raises(ValueError, match="alpha"):
        nwlib.adaptive_bandwidths([0.0, 1.0], bandwidth=0.5, alpha=alpha)


def test_per_key_pooling_matches_scipy_normal_densities():
    data = nwlib.course.uneven_example()
    widths = nwlib.adaptive_bandwidths(data.x_train, bandwidth=0.3)
    # Independent formula: each key is a normal density with its own standard deviation.
    dens = norm.pdf(data.x_query[:, None], loc=data.x_train[None, :], scale=widths[None, :])
    expected = dens @ data.y_train / dens.sum(axis=1)
    got = nwlib.nadaraya_watson_per_key(data.x_query, data.x_train, data.y_train,
                                        bandwidths=widths)
    np.testing.assert_allclose(got, expected, rtol=1e-10)


@pytest.mark.parametrize("kernel", ["gaussian", "epanechnikov", "tricube"])
def test_equal_widths_reduce_to_nadaraya_watson(kernel):
    data = nwlib.course.running_example()
    got = nwlib.nadaraya_watson_per_key(data.x_query, data.x_train, data.y_train,
                                        bandwidths=np.full(40, 1.3), kernel=kernel)
    expected = nwlib.nadaraya_watson(data.x_query, data.x_train, data.y_train,
                                     bandwidth=1.3, kernel=kernel)
    np.testing.assert_allclose(got, expected, rtol=1e-12)


@settings(max_examples=40, deadline=None)
@given(arrays(float, st.integers(1, 10), elements=finite),
       arrays(float, 6, elements=finite), st.floats(1e-4, 5.0))
def test_per_key_weights_are_normalised_and_finite(queries, keys, scale):
    widths = scale * (1 + np.arange(6) / 3)
    w = nwlib.attention_weights_per_key(queries, keys, bandwidths=widths)
    assert np.all(np.isfinite(w)) and np.all(w >= 0)
    np.testing.assert_allclose(w.sum(axis=1), 1.0, rtol=1e-12)


def test_tiny_widths_stay_stable_and_pick_the_nearest_key():
    # Naively every kernel value here underflows to 0; the nearest key in units of its
    # own width must win (for 0.2: 2000 widths from key 0, 4000 from key 1).
    keys, values = np.array([0.0, 1.0, 3.0]), np.array([1.0, 2.0, 3.0])
    out = nwlib.nadaraya_watson_per_key([0.2, 2.2, 10.0], keys, values,
                                        bandwidths=[1e-4, 2e-4, 3e-4])
    np.testing.assert_array_equal(out, [1.0, 3.0, 3.0])


def test_unreached_queries_raise_or_give_nan():
    keys, values = np.array([0.0, 1.0]), np.array([1.0, 2.0])
    with pytest.raises(nwlib.NoKeyInReachError, match="empty='nan'"):
        nwlib.nadaraya_watson_per_key([5.0], keys, values, bandwidths=[0.5, 0.5], kernel="boxcar")
    out = nwlib.nadaraya_watson_per_key([0.2, 5.0], keys, values, bandwidths=[0.5, 0.5],
                                        kernel="boxcar", empty="nan")
    assert out[0] == 1.0 and np.isnan(out[1])


def test_vector_values_and_two_dimensional_keys():
    keys = np.array([[0.0, 0.0], [1.0, 1.0], [3.0, 0.0]])
    values = nwlib.one_hot(np.array([0, 1, 1]))
    probs = nwlib.nadaraya_watson_per_key(keys, keys, values, bandwidths=[0.5, 1.0, 2.0])
    assert probs.shape == (3, 2)
    np.testing.assert_allclose(probs.sum(axis=1), 1.0)


@pytest.mark.parametrize("widths, error", [([0.5], ValueError), ([0.5, 0.0], ValueError),
                                           ([0.5, np.nan], ValueError), ("wide", TypeError)])
def test_per_key_rejects_bad_widths(widths, error):
    with pytest.raises(error, match="bandwidths"):
        nwlib.attention_weights_per_key([0.0], [0.0, 1.0], bandwidths=widths)


def test_per_key_rejects_torch_tensors():
    import torch
    with pytest.raises(TypeError, match="numpy"):
        nwlib.attention_weights_per_key(torch.zeros(2), torch.zeros(2), bandwidths=[1.0, 1.0])


def test_uneven_example_is_seeded_and_uneven():
    a, b = nwlib.course.uneven_example(), nwlib.course.uneven_example()
    np.testing.assert_array_equal(a.y_train, b.y_train)
    assert np.all(np.diff(a.x_train) >= 0)
    assert np.sum(a.x_train < 2) == 80 and a.x_train.max() <= 5
    np.testing.assert_allclose(a.y_true, nwlib.course.uneven_target(a.x_query))
    with pytest.raises(ValueError, match="n="):
        nwlib.course.uneven_example(0)


def test_per_key_pooling_is_blocked_and_block_size_free(rng):
    """A working memory of one row per block changes no weight and no prediction."""
    from nwlib.blocking import working_memory_limit

    x, y, q = rng.normal(size=60), rng.normal(size=60), rng.normal(size=41)
    h = nwlib.adaptive_bandwidths(x, bandwidth=0.5)
    kw = dict(bandwidths=h, kernel="epanechnikov", empty="nan")
    whole = nwlib.nadaraya_watson_per_key(q, x, y, **kw)
    w_whole = nwlib.attention_weights_per_key(q, x, **kw)
    with working_memory_limit(60 * 8 / 2**20):
        np.testing.assert_allclose(nwlib.nadaraya_watson_per_key(q, x, y, **kw), whole,
                                   rtol=1e-13, equal_nan=True)
        np.testing.assert_allclose(nwlib.attention_weights_per_key(q, x, **kw), w_whole,
                                   rtol=1e-13, equal_nan=True)
