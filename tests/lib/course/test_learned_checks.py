"""Checks of the learned-projection and positive-feature exercises: right answers pass,
each typical mistake gets its own explanation, stubs and crashes are reported."""

from __future__ import annotations

import numpy as np
import pytest

from nwlib.course.learned_checks import (
    check_not_a_kernel,
    check_positive_estimate,
    check_positive_variance,
    check_score_matrix,
)

ALL_CHECKS = [check_score_matrix, check_not_a_kernel, check_positive_estimate, check_positive_variance]


def stub(*args):
    raise NotImplementedError("your code here")


@pytest.mark.parametrize("check", ALL_CHECKS)
def test_a_stub_is_not_done_yet(check):
    fb = check(stub)
    assert fb.status == "todo" and not fb


def scores(x, w_q, w_k):
    return (x @ w_q.T) @ (x @ w_k.T).T


def test_score_matrix_right_and_wrong():
    assert check_score_matrix(scores).status == "passed"
    same_q = check_score_matrix(lambda x, w_q, _w_k: scores(x, w_q, w_q))
    assert same_q.status == "failed" and "W_q for the keys too" in same_q.messages[0]
    raw = check_score_matrix(lambda x, _w_q, _w_k: x @ x.T)
    assert raw.status == "failed" and "raw points" in raw.messages[0]
    other = check_score_matrix(lambda x, w_q, w_k: 2 * scores(x, w_q, w_k))
    assert other.status == "failed" and "differ" in other.messages[0]


def test_not_a_kernel_wants_an_indefinite_asymmetric_score():
    half_turn = np.array([[np.cos(2.5), -np.sin(2.5)], [np.sin(2.5), np.cos(2.5)]])
    assert check_not_a_kernel(lambda: (np.eye(2), half_turn)).status == "passed"
    sym = check_not_a_kernel(lambda: (np.diag([1.0, 2.0]), np.diag([3.0, 1.0])))
    assert sym.status == "failed" and "symmetric" in sym.messages[0]
    # A small turn is asymmetric but its symmetric part stays positive definite.
    small = np.array([[np.cos(0.3), -np.sin(0.3)], [np.sin(0.3), np.cos(0.3)]])
    fb = check_not_a_kernel(lambda: (np.eye(2), small))
    assert fb.status == "failed" and len(fb.messages) == 1 and "negative eigenvalue" in fb.messages[0]
    assert check_not_a_kernel(lambda: np.eye(2)).status == "failed"


def positive_estimate(q, k, n_features, seed):
    w = np.random.default_rng(seed).normal(size=(n_features, q.size))
    return np.mean(np.exp(w @ q - q @ q / 2) * np.exp(w @ k - k @ k / 2))


def test_positive_estimate_right_and_wrong():
    assert check_positive_estimate(positive_estimate).status == "passed"
    twice = check_positive_estimate(
        lambda q, k, n, s: positive_estimate(q, k, n, s) * np.exp(-(q @ q + k @ k) / 2))
    assert twice.status == "failed" and "once per feature" in twice.messages[0]
    unseeded = check_positive_estimate(lambda q, k, n, _s: positive_estimate(q, k, n, None))
    assert unseeded.status == "failed" and "same seed" in unseeded.messages[0]
    fixed = check_positive_estimate(lambda q, k, n, _s: positive_estimate(q, k, n, 0))
    assert fixed.status == "failed" and "same estimate" in fixed.messages[0]


def test_positive_variance_right_and_wrong():
    def variance(q, k):
        return np.exp(2 * q @ k) * (np.exp((q + k) @ (q + k)) - 1)

    assert check_positive_variance(variance).status == "passed"
    second = check_positive_variance(lambda q, k: variance(q, k) + np.exp(2 * q @ k))
    assert second.status == "failed" and "second moment" in second.messages[0]
    # Monte Carlo against the formula the check holds, at the first of its cases.
    q, k = np.array([0.3, -0.2, 0.5]), np.array([0.4, 0.1, -0.3])
    w = np.random.default_rng(0).normal(size=(400_000, 3))
    x = np.exp(w @ q - q @ q / 2) * np.exp(w @ k - k @ k / 2)
    assert x.var() == pytest.approx(variance(q, k), rel=0.05)
