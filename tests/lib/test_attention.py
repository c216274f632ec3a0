"""Nadaraya-Watson as dot-product attention: torch SDPA, the sphere, the stable softmax."""

import numpy as np
import pytest
import torch
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy.special import logsumexp as scipy_logsumexp
from scipy.special import softmax as scipy_softmax

import nwlib
from nwlib import logsumexp, sdpa_nadaraya_watson, softmax
from nwlib.course import random_unit_vectors


@given(
    seed=st.integers(0, 10_000),
    d=st.integers(1, 5),
    c=st.integers(1, 3),
    h=st.floats(0.3, 5.0),
    offset=st.floats(-3.0, 3.0),
)
@settings(max_examples=40, deadline=None)
def test_sdpa_equals_nadaraya_watson_in_general_position(seed, d, c, h, offset):
    rng = np.random.default_rng(seed)
    keys = offset + rng.normal(size=(30, d))
    queries = offset + rng.normal(size=(12, d))
    values = rng.normal(size=(30, c))
    ours = nwlib.nadaraya_watson(queries, keys, values, bandwidth=h)
    sdpa = sdpa_nadaraya_watson(queries, keys, values, bandwidth=h)
    assert isinstance(sdpa, np.ndarray) and sdpa.shape == (12, c)
    np.testing.assert_allclose(sdpa, ours, atol=1e-12, rtol=0)


def test_sdpa_keeps_torch_in_torch_out_and_1d_values():
    data = nwlib.course.running_example()
    x = torch.tensor(data.x_train)
    out = sdpa_nadaraya_watson(torch.tensor(data.x_query), x, torch.tensor(data.y_train), bandwidth=0.5)
    assert isinstance(out, torch.Tensor) and out.shape == (50,) and out.dtype == torch.float64
    ref = nwlib.nadaraya_watson(data.x_query, data.x_train, data.y_train, bandwidth=0.5)
    np.testing.assert_allclose(out.numpy(), ref, atol=1e-12)


def test_sdpa_rejects_tensor_or_bad_bandwidth():
    with pytest.raises(TypeError, match="bandwidth"):
        sdpa_nadaraya_watson([0.0], [0.0], [1.0], bandwidth=torch.tensor(1.0))
    with pytest.raises(ValueError, match="positive"):
        sdpa_nadaraya_watson([0.0], [0.0], [1.0], bandwidth=-1.0)


@pytest.mark.parametrize("h", [0.3, 1.0, 2.0])
def test_gaussian_weights_on_the_sphere_are_softmax_of_dot_products(h):
    q = random_unit_vectors(8, 5, seed=1)
    k = random_unit_vectors(20, 5, seed=2)
    ours = nwlib.attention_weights(q, k, bandwidth=h)
    theirs = torch.softmax(torch.tensor(q @ k.T) / h**2, dim=1).numpy()
    np.testing.assert_allclose(ours, theirs, atol=1e-14)


@given(
    st.lists(st.floats(-1e3, 1e3), min_size=1, max_size=20),
    st.floats(-1e3, 1e3),
)
def test_softmax_and_logsumexp_match_scipy_and_ignore_shifts(scores, shift):
    s = np.array(scores)
    np.testing.assert_allclose(softmax(s), scipy_softmax(s), atol=1e-14)
    np.testing.assert_allclose(logsumexp(s), scipy_logsumexp(s), rtol=1e-14, atol=1e-12)
    # Adding a constant to every score leaves the softmax unchanged (up to the
    # precision the shifted scores keep).
    shifted = s + shift
    np.testing.assert_allclose(softmax(shifted), softmax(s), atol=1e-9)


def test_softmax_survives_scores_where_exp_overflows():
    s = np.array([[1000.0, 999.0], [-1000.0, -1001.0]])
    p = softmax(s, axis=1)
    np.testing.assert_allclose(p, [[0.7310585786300049, 0.2689414213699951]] * 2, rtol=1e-14)
    assert logsumexp(s, axis=0).shape == (2,)


def test_softmax_rejects_rows_without_a_finite_score():
    with pytest.raises(ValueError, match="finite"):
        softmax(np.array([-np.inf, -np.inf]))
    with pytest.raises(ValueError, match="empty"):
        logsumexp(np.array([]))


def test_random_unit_vectors_are_seeded_and_on_the_sphere():
    a = random_unit_vectors(50, 4, seed=3)
    np.testing.assert_allclose(np.linalg.norm(a, axis=1), 1.0, atol=1e-15)
    np.testing.assert_array_equal(a, random_unit_vectors(50, 4, seed=3))
    with pytest.raises(ValueError, match="positive whole"):
        random_unit_vectors(0, 3, seed=0)
