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


def test_fourier_denominators_can_go_negative_and_zero_denominators_raise():
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


# --- causal linear attention: running sums against the explicit masked matrix -----------
from nwlib.causal import causal_linear_attention, masked_linear_attention  # noqa: E402
from nwlib.features import cos_sin_kernel, orthogonal_features  # noqa: E402


def _explicit_masked(q, k, v, phi):
    """The O(n^2) reference written out with loops over j <= i, in float64."""
    fq, fk = phi(np.asarray(q, np.float64)), phi(np.asarray(k, np.float64))
    out = np.empty((len(q), v.shape[1]))
    for i in range(len(q)):
        s = fq[i] @ fk[: i + 1].T
        out[i] = s @ v[: i + 1] / s.sum()
    return out


@pytest.mark.parametrize("kind", ["positive", "softmax", "fourier"])
@pytest.mark.parametrize("backend", ["numpy", "torch"])
@pytest.mark.parametrize("dtype", ["float32", "float64"])
def test_causal_equals_explicit_masked_attention(kind, backend, dtype, rng):
    n, d = 40, 3
    q, k = _points(rng, n, d, 0.4), _points(rng, n, d, 0.4)
    v = rng.normal(size=(n, 2)) + 5.0  # far from 0: a plain average would not pass by luck
    phi = random_features(d, 128, kind=kind, seed=7)
    reference = _explicit_masked(q, k, v, phi)
    if kind == "fourier":  # random points can give Fourier denominators near 0
        assert np.abs(np.array([(phi(q[i:i + 1]) @ phi(k[: i + 1]).T).sum() for i in range(n)])).min() > 0.05
    conv = (lambda a: torch.tensor(a, dtype=getattr(torch, dtype))) if backend == "torch" else (
        lambda a: np.asarray(a, dtype=dtype))
    for result in (causal_linear_attention(conv(q), conv(k), conv(v), phi),
                   causal_linear_attention(conv(q), conv(k), conv(v), phi, recurrent=True),
                   masked_linear_attention(conv(q), conv(k), conv(v), phi)):
        assert str(result.dtype).removeprefix("torch.") == dtype
        got = result.numpy() if backend == "torch" else result
        # float32 inputs are rounded once; the sums themselves run in float64.
        tol = 1e-12 if dtype == "float64" else 2e-5
        np.testing.assert_allclose(got, reference, rtol=tol, atol=tol * 10)
    # Causality: changing the last key and value leaves every earlier output alone.
    k2, v2 = k.copy(), v.copy()
    k2[-1] += 3.0
    v2[-1] -= 100.0
    before = causal_linear_attention(q, k, v, phi)
    after = causal_linear_attention(q, k2, v2, phi)
    np.testing.assert_array_equal(after[:-1], before[:-1])
    assert np.abs(after[-1] - before[-1]).max() > 1e-3


def test_recurrent_form_rescales_instead_of_overflowing():
    """Keys whose log-features grow by hundreds: the running shift keeps the state finite."""
    x = np.linspace(0.0, 30.0, 60)[:, None]
    v = np.cos(x)
    phi = random_features(1, 32, kind="softmax", bandwidth=1.0, seed=1)
    batched = causal_linear_attention(x, x, v, phi)
    stepwise = causal_linear_attention(x, x, v, phi, recurrent=True)
    assert np.isfinite(stepwise).all()
    np.testing.assert_allclose(stepwise, batched, rtol=1e-9, atol=1e-12)


def test_causal_gradient_matches_finite_differences():
    rng = np.random.default_rng(3)
    phi = random_features(2, 16, kind="positive", seed=4)
    q, k, v = (torch.tensor(rng.normal(size=s) * 0.5, dtype=torch.float64, requires_grad=True)
               for s in ((9, 2), (9, 2), (9, 2)))
    assert torch.autograd.gradcheck(lambda a, b, c: causal_linear_attention(a, b, c, phi), (q, k, v))


def test_causal_refuses_bad_denominators_and_mismatched_lengths():
    phi = random_features(1, 8, kind="positive", bandwidth=0.01, seed=0)
    far = np.array([0.0, 50.0])  # exp(-|x|^2 / h^2) underflows to 0 for the second point
    with pytest.raises(ValueError, match="not positive"):
        causal_linear_attention(far[::-1], far[::-1], [1.0, 2.0], phi)
    with pytest.raises(ValueError, match="one query per key"):
        causal_linear_attention([0.0], [0.0, 1.0], [1.0, 2.0], phi)
    with pytest.raises(TypeError, match="random_features"):
        causal_linear_attention([0.0], [0.0], [1.0], "phi")


# --- orthogonal random features and the [cos, sin] pair -----------------------------------
@pytest.mark.parametrize("d, n_features", [(4, 12), (8, 20), (3, 3)])
def test_orthogonal_blocks_are_orthogonal_with_chi_norms(d, n_features):
    w = orthogonal_features(d, n_features, bandwidth=0.5, seed=2).frequencies * 0.5
    assert w.shape == (d, n_features)
    for start in range(0, n_features, d):
        block = w[:, start:start + d]
        gram = block.T @ block
        np.testing.assert_allclose(gram - np.diag(np.diag(gram)), 0, atol=1e-12)
    # Each column is N(0, I): its squared norm has mean d (pooled over seeds).
    norms = np.concatenate([(orthogonal_features(d, n_features, seed=s).frequencies ** 2).sum(0)
                            for s in range(400)])
    assert abs(norms.mean() - d) < 4 * np.sqrt(2 * d / norms.size)


def test_orthogonal_directions_are_haar_not_biased_by_qr_signs():
    """Without the sign fix numpy's Q has a biased first column; with it each entry has mean 0."""
    firsts = np.array([orthogonal_features(3, 3, seed=s).frequencies[0, 0] for s in range(4000)])
    assert abs(firsts.mean()) < 4 * firsts.std() / np.sqrt(firsts.size)


@pytest.mark.parametrize("estimator", ["iid random phase", "orthogonal random phase",
                                       "iid cos-sin", "orthogonal cos-sin"])
def test_every_estimator_is_unbiased(estimator, rng):
    d, h = 8, 2.0
    q, k = _points(rng, 1, d, 0.5), _points(rng, 1, d, 0.5)
    exact = np.exp(-((q - k) ** 2).sum() / (2 * h**2))
    draw = orthogonal_features if estimator.startswith("orthogonal") else random_features
    estimate = cos_sin_kernel if estimator.endswith("cos-sin") else feature_kernel
    values = np.array([estimate(q, k, draw(d, 8, bandwidth=h, seed=s))[0, 0] for s in range(3000)])
    se = values.std(ddof=1) / np.sqrt(values.size)
    assert abs(values.mean() - exact) < 3.5 * se
    assert se < 0.02  # not a trivially wide interval


def test_orthogonal_lowers_the_mse_at_d8_and_cos_sin_beats_random_phase():
    rng = np.random.default_rng(11)
    d, h = 8, 2.0
    x = rng.normal(size=(30, d)) * 0.7
    exact = np.exp(-((x[:, None] - x[None]) ** 2).sum(-1) / (2 * h**2))

    def mse(draw, estimate):
        return np.mean([np.mean((estimate(x, x, draw(d, 16, bandwidth=h, seed=s)) - exact) ** 2)
                        for s in range(200)])

    iid, orth = mse(random_features, cos_sin_kernel), mse(orthogonal_features, cos_sin_kernel)
    phase = mse(random_features, feature_kernel)
    assert orth < 0.7 * iid
    # Same number of numbers per point (16 phases vs 8 pairs would be fairer still;
    # here the phase adds its variance 1/2 per feature and loses by far more).
    assert iid < 0.5 * phase


def test_cos_sin_kernel_agrees_with_the_cosine_of_differences(rng):
    phi = random_features(2, 50, seed=5)
    q, k = _points(rng, 4, 2, 1.0), _points(rng, 6, 2, 1.0)
    direct = np.cos((q[:, None] - k[None]) @ phi.frequencies).mean(-1)
    np.testing.assert_allclose(cos_sin_kernel(q, k, phi), direct, atol=1e-13)
    with pytest.raises(TypeError, match="Fourier"):
        cos_sin_kernel(q, k, random_features(2, 5, kind="positive"))
