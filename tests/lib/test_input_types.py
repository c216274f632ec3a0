"""Awkward input types in any mix of numpy and torch (issue 11, item 4).

Complex, string, object and ragged input must raise TypeError or ValueError naming
the argument, never be cast silently or fail inside numpy or torch; reversed
(negative-stride) arrays work; a kernel the user defines works in every function.
"""

from __future__ import annotations

import math

import numpy as np
import pytest
import torch

import nwlib
from nwlib import Kernel

X = np.linspace(0.0, 1.0, 10)
Y = np.sin(3 * X)

BAD = {
    "complex": lambda: X + 1j,
    "string": lambda: np.array(["a"] * 10),
    "object": lambda: np.array([1.0] * 9 + [None], dtype=object),
    "ragged": lambda: [[0.0, 1.0]] * 9 + [[0.0]],
}


@pytest.mark.parametrize("kind", sorted(BAD))
@pytest.mark.parametrize("argument", ["queries", "keys", "values"])
@pytest.mark.parametrize("others", ["numpy", "torch"])
def test_bad_input_names_the_argument(kind, argument, others):
    conv = (lambda a: a) if others == "numpy" else torch.from_numpy
    args = {"queries": conv(X[:3].copy()), "keys": conv(X.copy()), "values": conv(Y.copy())}
    args[argument] = BAD[kind]()
    with pytest.raises((TypeError, ValueError), match=argument):
        nwlib.nadaraya_watson(args["queries"], args["keys"], args["values"], bandwidth=0.2)


@pytest.mark.parametrize("argument", ["queries", "keys", "values", "bandwidth"])
def test_complex_tensors_are_refused(argument):
    args = {"queries": torch.tensor(X[:3]), "keys": torch.tensor(X), "values": torch.tensor(Y),
            "bandwidth": torch.tensor(0.2, dtype=torch.float64)}
    args[argument] = args[argument].to(torch.complex128)
    with pytest.raises(TypeError, match=f"{argument} has dtype torch.complex128"):
        nwlib.nadaraya_watson(args["queries"], args["keys"], args["values"],
                              bandwidth=args["bandwidth"])


@pytest.mark.parametrize("bad, pattern", [
    ([0.1, -0.2], r"candidates\[1\] = -0.2 is not a finite positive width"),
    ([0.1, np.nan], r"candidates\[1\] = nan"),
    ([0.1, 1j], r"candidates"),
    (["a"], r"candidates"),
    ([[0.1, 0.2, 0.3]], r"candidates\[0\]"),
])
def test_loo_bandwidth_names_the_bad_candidate(bad, pattern):
    with pytest.raises((TypeError, ValueError), match=pattern):
        nwlib.loo_bandwidth(X, Y, bad)


@pytest.mark.parametrize("lib", ["numpy", "mixed"])
def test_reversed_arrays_work(lib):
    x_rev, y_rev = X[::-1], Y[::-1]
    assert x_rev.strides[0] < 0
    keys = x_rev if lib == "numpy" else torch.from_numpy(X.copy()).flip(0)
    got = nwlib.nadaraya_watson(X[::-2], keys, y_rev, bandwidth=0.2)
    want = nwlib.nadaraya_watson(X[::-2].copy(), X[::-1].copy(), Y[::-1].copy(), bandwidth=0.2)
    np.testing.assert_allclose(np.asarray(got), want, rtol=1e-14)


#: A kernel the user defines: the Cauchy profile 1 / (1 + u^2), not one of KERNELS;
#: and a Gaussian look-alike under another name (it must not take a Gaussian fast path
#: by name, nor be refused).
CAUCHY = Kernel("cauchy", lambda s, xp: -xp.log1p(s), math.inf, "1 / (1 + u^2)")
BUMP = Kernel("bump", lambda s, xp: xp.where(s < 1, xp.log1p(-s * (s < 1)) * 2, -math.inf),
              1.0, "(1 - u^2)^2 if u < 1 else 0")


def _cauchy_nw(q, k, v, h):
    w = 1.0 / (1.0 + ((q[:, None] - k[None, :]) / h) ** 2)
    return (w @ v) / w.sum(axis=1)


@pytest.mark.parametrize("kernel", [CAUCHY, BUMP])
def test_custom_kernels_work_in_every_function(kernel):
    q = np.linspace(0.05, 0.95, 7)
    w = nwlib.attention_weights(q, X, kernel=kernel, bandwidth=0.3)
    np.testing.assert_allclose(w.sum(axis=1), 1.0, rtol=1e-14)
    pred = nwlib.nadaraya_watson(q, X, Y, kernel=kernel, bandwidth=0.3)
    if kernel is CAUCHY:
        np.testing.assert_allclose(pred, _cauchy_nw(q, X, Y, 0.3), rtol=1e-13)
    t = nwlib.nadaraya_watson(torch.tensor(q), torch.tensor(X), torch.tensor(Y), kernel=kernel,
                              bandwidth=0.3)
    np.testing.assert_allclose(t.numpy(), pred, rtol=1e-13)
    dens = nwlib.parzen_density(q, X, kernel=kernel, bandwidth=0.3)
    assert np.all(np.isfinite(dens)) and np.all(dens > 0)
    log_dens = nwlib.parzen_log_density(q, X, kernel=kernel, bandwidth=0.3)
    np.testing.assert_allclose(log_dens, np.log(dens), rtol=1e-12)
    best, mse = nwlib.loo_bandwidth(X, Y, [0.2, 0.5, 1.0], kernel=kernel)
    assert best in (0.2, 0.5, 1.0) and mse.shape == (3,)
    probs = nwlib.class_probabilities(q, X, (X > 0.5).astype(int), kernel=kernel, bandwidth=0.3)
    np.testing.assert_allclose(probs.sum(axis=1), 1.0, rtol=1e-12)
    dens2 = nwlib.class_densities(q, X, (X > 0.5).astype(int), kernel=kernel, bandwidth=0.3)
    assert dens2.shape == (7, 2)
    per_key = nwlib.nadaraya_watson_per_key(q, X, Y, kernel=kernel, bandwidths=np.full(10, 0.3))
    np.testing.assert_allclose(per_key, pred, rtol=1e-12)
    widths = nwlib.adaptive_bandwidths(X, bandwidth=0.3, kernel=kernel)
    assert widths.shape == (10,) and np.all(widths > 0)
    loss = nwlib.leave_one_out_loss(torch.tensor(X), torch.tensor(Y), bandwidth=torch.tensor(0.3),
                                    kernel=kernel)
    assert torch.isfinite(loss)
    history = nwlib.learn_bandwidth(X, Y, init=0.3, steps=3, lr=0.01, kernel=kernel)
    assert np.isfinite(history.final)


def test_log_density_does_not_underflow():
    assert nwlib.parzen_density([40.0], [0.0])[0] == 0.0  # below the smallest float64
    got = nwlib.parzen_log_density([40.0, 0.0], [0.0], bandwidth=1.0)
    np.testing.assert_allclose(got, [-800 - 0.5 * math.log(2 * math.pi),
                                     -0.5 * math.log(2 * math.pi)], rtol=1e-15)
    scipy_stats = pytest.importorskip("scipy.stats")
    kde = scipy_stats.gaussian_kde(X, bw_method=0.3 / X.std(ddof=1))
    q = np.array([-3.0, 0.5, 4.0])
    np.testing.assert_allclose(nwlib.parzen_log_density(q, X, bandwidth=0.3), kde.logpdf(q),
                               rtol=1e-10)


def test_gaussian_posterior_far_from_the_points_comes_from_log_densities():
    keys, labels = np.array([[0.0], [3.0]]), np.array([0, 1])
    dens = nwlib.class_densities([[60.0]], keys, labels)
    with pytest.raises(ValueError, match="underflowed .* class_log_densities"):
        nwlib.parzen_posterior(dens, np.array([0.5, 0.5]))
    log_dens = nwlib.class_log_densities([[60.0]], keys, labels)
    post = nwlib.parzen_posterior(log_dens, np.array([0.5, 0.5]), log=True)
    # log-odds (60^2 - 57^2) / 2 = 175.5 for class 1
    np.testing.assert_allclose(post, [[1 / (1 + math.exp(175.5)), 1.0]], rtol=1e-12)
    assert post[0, 0] > 0


def test_compact_kernel_posterior_out_of_reach_says_so():
    log_dens = nwlib.class_log_densities([[40.0]], np.array([[0.0], [3.0]]), [0, 1],
                                         kernel="epanechnikov")
    with pytest.raises(ValueError, match="compact kernel reaches none"):
        nwlib.parzen_posterior(log_dens, np.array([0.5, 0.5]), log=True)
