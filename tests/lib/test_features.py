"""Random features and linear attention: unbiasedness, convergence, agreement, seeding."""

import numpy as np
import pytest
import torch

from nwlib.features import RandomFeatures, feature_kernel, linear_attention, random_features
from nwlib.pooling import nadaraya_watson


def _points(rng, n, d, scale):
    return rng.normal(size=(n, d)) * scale


@pytest.mark.parametrize("kind", ["softmax", "positive", "fourier"])
def test_features_are_unbiased_over_seeds(kind, rng):
    """The mean of phi(q).phi(k) over independent draws lies within a 99.9% CI of the kernel."""
    q, k = _points(rng, 1, 4, 0.4), _points(rng, 1, 4, 0.4)
    h = 1.0
    if kind == "softmax":
        exact = np.exp((q @ k.T)[0, 0] / h**2)
    else:
        exact = np.exp(-((q - k) ** 2).sum() / (2 * h**2))
    draws = np.array([(random_features(4, 16, kind=kind, bandwidth=h, seed=s)(q)
                       @ random_features(4, 16, kind=kind, bandwidth=h, seed=s)(k).T)[0, 0]
                      for s in range(3000)])
    standard_error = draws.std(ddof=1) / np.sqrt(draws.size)
    assert abs(draws.mean() - exact) < 3.3 * standard_error
    # The estimate is noisy at 16 features: the interval is not trivially wide.
    assert standard_error < 0.05 * exact


def test_positive_softmax_features_variance_matches_the_formula(rng):
    """Var of one feature product: exp(2 q.k) (exp(|q + k|^2) - 1)."""
    q, k = _points(rng, 1, 3, 0.3), _points(rng, 1, 3, 0.3)
    phi = random_features(3, 400_000, kind="softmax", seed=3)
    products = (phi(q) * phi(k))[0] * phi.n_features  # one sample per feature
    predicted = np.exp(2 * (q @ k.T)[0, 0]) * (np.exp(((q + k) ** 2).sum()) - 1)
    assert products.var() == pytest.approx(predicted, rel=0.03)


def test_fourier_error_falls_like_one_over_root_features(rng):
    x = rng.uniform(-2, 2, (60, 2))
    exact = np.exp(-((x[:, None] - x[None]) ** 2).sum(-1) / (2 * 0.7**2))

    def rms(n_features):
        return np.mean([np.sqrt(np.mean((feature_kernel(x, x, random_features(
            2, n_features, bandwidth=0.7, seed=s)) - exact) ** 2)) for s in range(10)])

    small, large = rms(64), rms(4096)
    # 64 times the features: the Monte-Carlo error shrinks by sqrt(64) = 8.
    assert 5 < small / large < 12


def _error_slope(kind, x, h, queries):
    """Slope of log RMS kernel error against log D over D = 64..4096, 12 seeds each."""
    exact = np.exp(-((queries[:, None] - x[None]) ** 2).sum(-1) / (2 * h**2))
    sizes = [64, 256, 1024, 4096]
    errors = [np.mean([np.sqrt(np.mean((feature_kernel(queries, x, random_features(
        x.shape[1], n, kind=kind, bandwidth=h, seed=s)) - exact) ** 2)) for s in range(12)])
        for n in sizes]
    return np.polyfit(np.log(sizes), np.log(errors), 1)[0]


def test_error_slopes_are_what_the_docstring_says():
    """Fourier: slope -1/2. Positive features at linear_attention's example setting
    (h = 0.3 on [0, 1]): far shallower over the same D, as random_features says."""
    x = np.linspace(0, 1, 50)[:, None]
    queries = np.linspace(0, 1, 41)[:, None]
    assert -0.6 < _error_slope("fourier", x, 0.3, queries) < -0.4
    assert -0.45 < _error_slope("positive", x, 0.3, queries) < -0.1
    doc = random_features.__doc__
    assert "With Fourier features the error" in doc and "D**-0.25" in doc


def test_torch_and_numpy_agree_and_gradients_flow(rng):
    x = rng.normal(size=(30, 3)) * 0.5
    v = rng.normal(size=(30, 2))
    for kind in ["fourier", "positive", "softmax"]:
        phi = random_features(3, 256, kind=kind, bandwidth=0.8, seed=5)
        ours = linear_attention(x[:7], x, v, phi)
        xt = torch.tensor(x, requires_grad=True)
        theirs = linear_attention(xt[:7], xt, torch.tensor(v), phi)
        np.testing.assert_allclose(theirs.detach().numpy(), ours, rtol=1e-11, atol=1e-12)
        theirs.sum().backward()
        assert torch.isfinite(xt.grad).all() and xt.grad.abs().sum() > 0


def test_seeding():
    a = random_features(2, 50, seed=1)
    b = random_features(2, 50, seed=1)
    c = random_features(2, 50, seed=2)
    assert np.array_equal(a.frequencies, b.frequencies) and np.array_equal(a.offsets, b.offsets)
    assert not np.allclose(a.frequencies, c.frequencies)


@pytest.mark.parametrize("kind", ["fourier", "positive", "softmax"])
def test_linear_attention_is_the_explicit_ratio(kind, rng):
    """Linear in n, but the same number as the (m, n) matrix of approximate weights."""
    keys, queries = rng.normal(size=(40, 2)) * 0.5, rng.normal(size=(9, 2)) * 0.5
    values = rng.normal(size=(40, 3))
    phi = random_features(2, 300, kind=kind, bandwidth=0.9, seed=0)
    kernel = feature_kernel(queries, keys, phi)
    np.testing.assert_allclose(linear_attention(queries, keys, values, phi),
                               kernel @ values / kernel.sum(axis=1, keepdims=True), rtol=1e-9)


def test_positive_features_converge_to_nadaraya_watson_and_survive_far_points(rng):
    keys = rng.uniform(-1, 1, (200, 2)) + 1e3  # far from the origin
    values = np.sin(keys.sum(axis=1))
    queries = keys[:10] + 0.05
    exact = nadaraya_watson(queries, keys, values, bandwidth=1.0)
    approx = linear_attention(queries, keys, values,
                              random_features(2, 20_000, kind="positive", bandwidth=1.0, seed=0))
    assert np.max(np.abs(approx - exact)) < 0.03
    # Narrow softmax scores overflow exp; the shifted features do not.
    big = linear_attention(queries[:, :1] * 0 + 30.0, keys[:, :1] - 1e3, values,
                           random_features(1, 64, kind="softmax", bandwidth=0.1, seed=0))
    assert np.isfinite(big).all()


def test_fourier_denominators_can_go_negative_and_zero_denominators_raise(rng):
    keys = np.linspace(-3, 3, 400)
    values = np.sin(keys)
    phi = random_features(1, 16, kind="fourier", bandwidth=0.05, seed=0)
    _, denominator = linear_attention(np.linspace(-3, 3, 200), keys, values, phi,
                                      return_denominator=True)
    assert (denominator < 0).any()
    with pytest.raises(ValueError, match="denominator of 0"):
        # cos(0) + cos(pi) is exactly 0: the two keys cancel in the denominator.
        one_cosine = RandomFeatures("fourier", np.array([[1.0]]), np.array([0.0]), 1.0)
        linear_attention([0.0], [0.0, np.pi], [1.0, 2.0], one_cosine)


def test_bad_arguments_name_the_fix():
    with pytest.raises(ValueError, match="kind"):
        random_features(2, 10, kind="cosine")
    with pytest.raises(ValueError, match="n_features"):
        random_features(2, 0)
    with pytest.raises(ValueError, match="bandwidth"):
        random_features(2, 10, bandwidth=-1.0)
    with pytest.raises(ValueError, match="d=3"):
        random_features(2, 10)(np.zeros((4, 3)))
    with pytest.raises(TypeError, match="random_features"):
        linear_attention([0.0], [0.0], [1.0], features=None)
