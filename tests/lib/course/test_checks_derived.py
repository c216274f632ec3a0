"""The checks of the derivation tasks (boundary bias, Taylor bias, kernel ridge leave-one-out,
degrees of freedom and widths): right answers pass in every form, each usual slip gets its
own message."""

from __future__ import annotations

import math
from fractions import Fraction

import numpy as np
import pytest
import torch

import nwlib
from nwlib.checks import (
    check_boundary_bias,
    check_krr_dof,
    check_krr_loo,
    check_krr_widths,
    check_taylor_bias,
)


def failed_with(fb, phrase):
    return fb.status == "failed" and phrase in fb.messages[0], fb.messages


def boundary_right(h, slope):
    return h * slope * math.sqrt(2 / math.pi)


@pytest.mark.parametrize("wrap", [float, np.float64, lambda v: torch.tensor(v), lambda v: np.array([v]),
                                  lambda v: Fraction(v)])
def test_boundary_bias_passes_in_every_form(wrap):
    assert check_boundary_bias(lambda h, slope: wrap(boundary_right(h, slope))).passed


@pytest.mark.parametrize("answer, phrase", [
    (lambda _h, _s: 0.0, "one side only"),
    (lambda h, s: -boundary_right(h, s), "sign is flipped"),
    (lambda h, s: h * s / math.sqrt(2 * math.pi), "did not divide"),
    (lambda _h, s: s * math.sqrt(2 / math.pi), "proportional to h"),
    (lambda h, s: h * h * s * math.sqrt(2 / math.pi), "first order"),
    (lambda h, s: h * s * math.sqrt(math.pi / 2), "upside down"),
    (lambda h, s: h * s / 2, "uniform kernel"),
    (lambda h, s: 1.5 * boundary_right(h, s), "first-order bias is"),
    (lambda h, s: (h, s), "one number, the bias"),
])
def test_boundary_bias_slips_are_named(answer, phrase):
    ok, messages = failed_with(check_boundary_bias(answer), phrase)
    assert ok, messages


def taylor_right(q, x, h, f2):
    ell = nwlib.local_linear_weights([q], x, bandwidth=h)[0]
    return f2 / 2 * ell @ (x - q) ** 2


def taylor_by_hand(q, x, h, f2):
    # Independent of nwlib: the weighted least-squares line's weights, written out.
    w = np.exp(-((x - q) ** 2) / (2 * h * h))
    design = np.column_stack([np.ones_like(x), x - q])
    ell = np.linalg.solve(design.T @ (w[:, None] * design), (w[:, None] * design).T)[0]
    return f2 / 2 * ell @ (x - q) ** 2


@pytest.mark.parametrize("answer", [taylor_right, taylor_by_hand,
                                    lambda *a: torch.tensor(taylor_right(*a))])
def test_taylor_bias_right_answers_pass(answer):
    assert check_taylor_bias(answer).passed


def _alpha_version(q, x, h, f2):
    a = nwlib.attention_weights([q], x, bandwidth=h)[0]
    return f2 / 2 * a @ (x - q) ** 2


@pytest.mark.parametrize("answer, phrase", [
    (_alpha_version, "attention weights"),
    (lambda q, x, h, f2: 2 * taylor_right(q, x, h, f2), "has a 1/2"),
    (lambda _q, _x, h, f2: f2 * h * h / 2, "the limit"),
    (lambda q, x, h, f2: taylor_right(q, x, h, 1.0) if f2 else 0.0, "multiply by the second"),
    (lambda q, x, h, f2: taylor_right(q, x, h, f2) + 0.01, "second-order bias is"),
])
def test_taylor_bias_slips_are_named(answer, phrase):
    ok, messages = failed_with(check_taylor_bias(answer), phrase)
    assert ok, messages


def krr_loo_right(x, y, h, ridge):
    hat = nwlib.kernel_ridge_weights(x, x, bandwidth=h, ridge=ridge)
    return (y - hat @ y) / (1 - np.diag(hat))


def krr_loo_by_refit(x, y, h, ridge):
    # Independent of nwlib: solve the ridge system without point i, for each i.
    out = []
    for i in range(x.size):
        keep = np.arange(x.size) != i
        gram = np.exp(-((x[keep, None] - x[None, keep]) ** 2) / (2 * h * h))
        alpha = np.linalg.solve(gram + ridge * np.eye(keep.sum()), y[keep])
        out.append(y[i] - np.exp(-((x[i] - x[keep]) ** 2) / (2 * h * h)) @ alpha)
    return np.array(out)


@pytest.mark.parametrize("answer", [krr_loo_right, krr_loo_by_refit,
                                    lambda *a: torch.from_numpy(krr_loo_right(*a)),
                                    lambda *a: list(krr_loo_right(*a))])
def test_krr_loo_right_answers_pass(answer):
    assert check_krr_loo(answer).passed


def _hat(x, h, ridge):
    return nwlib.kernel_ridge_weights(x, x, bandwidth=h, ridge=ridge)


@pytest.mark.parametrize("answer, phrase", [
    (lambda x, y, h, r: y - _hat(x, h, r) @ y, "in-sample residuals"),
    (lambda x, y, h, r: (y - _hat(x, h, r) @ y) / (1 - np.trace(_hat(x, h, r)) / y.size), "GCV"),
    (lambda x, y, h, r: (y - _hat(x, h, r) @ y) / (1 - np.diag(_hat(x, h, r))) ** 2, "not squared"),
    (lambda x, y, h, r: (y - _hat(x, h, r) @ y) * (1 - np.diag(_hat(x, h, r))), "you multiplied"),
    (lambda x, y, h, _r: nwlib.loo_residuals(nwlib.smoother_matrix(x, x, bandwidth=h), y),
     "Nadaraya-Watson's shortcut"),
    (lambda x, y, h, r: -krr_loo_right(x, y, h, r), "sign is flipped"),
    (lambda x, y, h, r: krr_loo_right(x, y, h, r)[:-1], "expected"),
])
def test_krr_loo_slips_are_named(answer, phrase):
    ok, messages = failed_with(check_krr_loo(answer), phrase)
    assert ok, messages


def dof_right(K, ridge):
    mu = np.linalg.eigvalsh(K)
    return np.sum(mu / (mu + ridge))


@pytest.mark.parametrize("answer", [dof_right, lambda K, r: float(dof_right(K, r)),
                                    lambda K, r: torch.tensor(dof_right(K, r)),
                                    lambda K, r: np.trace(K @ np.linalg.inv(K + r * np.eye(len(K))))])
def test_krr_dof_right_answers_pass(answer):
    assert check_krr_dof(answer).passed


@pytest.mark.parametrize("answer, phrase", [
    (lambda K, r: len(K) - dof_right(K, r), "n minus"),
    (lambda K, _r: np.trace(K), "trace of K"),
    (lambda K, r: np.sum(np.linalg.eigvalsh(K) / (np.linalg.eigvalsh(K) + r) ** 2), "Square nothing"),
    (lambda K, r: np.sum(1 / (np.linalg.eigvalsh(K) + r)), "alone"),
    (lambda K, _r: dof_right(K, 1.0), "ridge given"),
    (lambda K, r: dof_right(K, r) + 1, "trace of the hat matrix is"),
    (lambda K, _r: np.linalg.eigvalsh(K), "one number, the degrees of freedom"),
])
def test_krr_dof_slips_are_named(answer, phrase):
    ok, messages = failed_with(check_krr_dof(answer), phrase)
    assert ok, messages


def widths_right(x, y, candidates, ridge):
    loo = [np.mean(krr_loo_right(x, y, c, ridge) ** 2) for c in candidates]
    gcv = [nwlib.gcv_score(_hat(x, c, ridge), y) for c in candidates]
    return candidates[int(np.argmin(loo))], candidates[int(np.argmin(gcv))]


@pytest.mark.parametrize("wrap", [tuple, list, np.array, lambda p: torch.tensor(p),
                                  lambda p: (np.float64(p[0]), torch.tensor(p[1]))])
def test_krr_widths_pass_in_every_form(wrap):
    assert check_krr_widths(lambda *a: wrap(widths_right(*a))).passed


@pytest.mark.parametrize("answer, phrase", [
    (lambda *a: widths_right(*a)[::-1], "swapped"),
    (lambda _x, _y, c, _r: (c[0], c[0]), "should be"),
    (lambda x, y, c, r: widths_right(x, y, c, r)[0], "pair of numbers (leave-one-out width, GCV width)"),
    (lambda _x, _y, _c, _r: "1.0, 2.0", "pair of numbers (leave-one-out width, GCV width)"),
])
def test_krr_widths_slips_are_named(answer, phrase):
    ok, messages = failed_with(check_krr_widths(answer), phrase)
    assert ok, messages
