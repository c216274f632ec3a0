"""Relative representations and cross-modal retrieval (the ASIF toy)."""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from nwlib import coupled_modalities, relative_representation, retrieval_accuracy


def _rotation(d, seed):
    q, _ = np.linalg.qr(np.random.default_rng(seed).normal(size=(d, d)))
    return q


@given(seed=st.integers(0, 1000), scale=st.floats(0.1, 10.0), top_k=st.integers(1, 10))
@settings(max_examples=30, deadline=None)
def test_invariant_to_rotation_scaling_and_translation(seed, scale, top_k):
    # Cosines to centred anchors do not change when the whole space is rotated,
    # scaled or moved: the reason two encoders can agree on them.
    rng = np.random.default_rng(seed)
    anchors, items = rng.normal(size=(10, 4)), rng.normal(size=(6, 4))
    def move(z):
        return scale * z @ _rotation(4, seed) + 3.0

    a = relative_representation(items, anchors, top_k=top_k)
    b = relative_representation(move(items), move(anchors), top_k=top_k)
    np.testing.assert_allclose(a, b, atol=1e-9)
    np.testing.assert_allclose(np.linalg.norm(a, axis=1)[np.any(a > 0, axis=1)], 1.0)
    assert np.all(np.count_nonzero(a, axis=1) <= top_k)


def test_against_a_direct_cosine_computation():
    rng = np.random.default_rng(0)
    anchors, items = rng.normal(size=(5, 3)), rng.normal(size=(4, 3))
    c = anchors.mean(axis=0)
    cos = np.array([[np.dot(x - c, a - c) / np.linalg.norm(x - c) / np.linalg.norm(a - c)
                     for a in anchors] for x in items])
    kept = np.clip(cos, 0, None) ** 2
    expected = kept / np.linalg.norm(kept, axis=1, keepdims=True)
    np.testing.assert_allclose(relative_representation(items, anchors, power=2.0), expected)


def test_cross_modal_retrieval_beats_chance_by_far():
    a, b = coupled_modalities(600, seed=11)
    anchors_a, anchors_b, items_a, items_b = a[:500], b[:500], a[500:], b[500:]
    ra = relative_representation(items_a, anchors_a, top_k=50, power=4.0)
    rb = relative_representation(items_b, anchors_b, top_k=50, power=4.0)
    acc = retrieval_accuracy(ra, rb)
    assert acc > 20 * (1 / 100)
    # Without the anchors' coupling (shuffled partners) retrieval falls to chance level.
    shuffled = relative_representation(items_b, anchors_b[np.random.default_rng(0).permutation(500)],
                                       top_k=50, power=4.0)
    assert retrieval_accuracy(ra, shuffled) < 0.1


def test_modalities_are_seeded_and_coupled_row_by_row():
    a1, b1 = coupled_modalities(10, seed=5)
    a2, b2 = coupled_modalities(10, seed=5)
    np.testing.assert_array_equal(a1, a2)
    np.testing.assert_array_equal(b1, b2)
    assert a1.shape[1] != b1.shape[1]  # the spaces cannot be compared directly


def test_bad_arguments_are_named():
    x = np.ones((2, 3))
    with pytest.raises(ValueError, match="same d"):
        relative_representation(x, np.ones((4, 2)))
    with pytest.raises(ValueError, match="top_k"):
        relative_representation(x, np.eye(3), top_k=4)
    with pytest.raises(ValueError, match="power"):
        relative_representation(x, np.eye(3), power=0)
    with pytest.raises(ValueError, match="same \\(n, a\\)"):
        retrieval_accuracy(np.eye(2), np.eye(3))
    with pytest.raises(ValueError, match="n=0"):
        coupled_modalities(0)
