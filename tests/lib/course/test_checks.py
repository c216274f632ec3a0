"""The learner checks: right answers pass, each typical mistake gets its explanation."""

from __future__ import annotations

import numpy as np
import pytest
import torch
import torch.nn.functional as F

import nwlib
from nwlib.course.checks import (
    check_loglog_slope,
    check_loo_predictions,
    check_parzen_difference,
    check_rate_exponents,
    check_sphere_attention,
)
from nwlib.course.feedback import Feedback


def stub(*args):
    raise NotImplementedError("your code here")


def crash(*args):
    raise KeyError("oops")


ALL_CHECKS = [check_parzen_difference, check_loo_predictions, check_sphere_attention,
              check_rate_exponents, check_loglog_slope]


@pytest.mark.parametrize("check", ALL_CHECKS)
def test_a_stub_is_not_done_yet_not_a_failure(check):
    fb = check(stub)
    assert fb.status == "todo" and not fb
    assert "stub: not done yet." in repr(fb) and "NotImplementedError" in repr(fb)


@pytest.mark.parametrize("check", ALL_CHECKS)
def test_a_crash_is_reported_with_its_message(check):
    fb = check(crash)
    assert fb.status == "failed" and "KeyError" in fb.messages[0] and "oops" in fb.messages[0]


def test_feedback_rejects_unknown_status():
    with pytest.raises(ValueError, match="status"):
        Feedback("f", "maybe")


# Parzen difference -------------------------------------------------------------------

def _joint(queries, points, labels, h, y):
    return np.sum(labels == y) / labels.size * nwlib.parzen_density(queries, points[labels == y], bandwidth=h)


def parzen_right(q, p, lab, h):
    return _joint(q, p, lab, h, 1) - _joint(q, p, lab, h, -1)


def test_parzen_right_answer_passes_and_a_positive_multiple_is_noted():
    assert check_parzen_difference(parzen_right).passed
    fb = check_parzen_difference(lambda q, p, lab, h: 3.0 * parzen_right(q, p, lab, h))
    assert fb.passed and "3 times ours" in fb.messages[0]


def test_parzen_unnormalised_kernel_also_passes():
    # (1/n) sum y_i exp(-d^2 / 2h^2): the density's constant is a positive factor.
    def raw(q, p, lab, h):
        d2 = ((q[:, None, :] - p[None, :, :]) ** 2).sum(-1)
        return np.exp(-d2 / (2 * h**2)) @ lab / lab.size

    assert check_parzen_difference(raw).passed


@pytest.mark.parametrize(
    "answer, phrase",
    [
        (lambda q, p, lab, h: -parzen_right(q, p, lab, h), "sign is flipped"),
        (lambda q, p, lab, h: nwlib.parzen_density(q, p[lab == 1], bandwidth=h)
         - nwlib.parzen_density(q, p[lab == -1], bandwidth=h), "class-conditional"),
        (lambda q, p, lab, h: nwlib.nadaraya_watson(q, p, lab.astype(float), bandwidth=h),
         "Nadaraya-Watson estimate"),
        (lambda q, p, lab, h: parzen_right(q, p, lab, h)[:, None], "Drop the trailing axis"),
        (lambda q, p, lab, h: parzen_right(q, p, lab, 2 * h), "not a positive multiple"),
    ],
)
def test_parzen_mistakes_are_named(answer, phrase):
    fb = check_parzen_difference(answer)
    assert fb.status == "failed" and phrase in fb.messages[0]


# Leave-one-out predictions ------------------------------------------------------------

def _scores(x, h, half=True):
    d2 = (x[:, None] - x[None, :]) ** 2
    return -d2 / (2 * h**2) if half else -d2 / h**2


def _eye(x):
    return torch.eye(x.shape[0], dtype=torch.bool)


def loo_right(x, y, h):
    return torch.softmax(_scores(x, h).masked_fill(_eye(x), -torch.inf), dim=1) @ y


def test_loo_right_answer_passes():
    assert check_loo_predictions(loo_right).passed


def test_loo_matches_the_library_objective():
    data = nwlib.running_example()
    x, y = torch.from_numpy(data.x_train), torch.from_numpy(data.y_train)
    mse = float(torch.mean((loo_right(x, y, torch.tensor(0.3, dtype=torch.float64)) - y) ** 2))
    assert mse == pytest.approx(nwlib.width_objective(data.x_train, data.y_train, 0.3), rel=1e-12)


def _loo_denominator(x, y, h):
    k = torch.exp(_scores(x, h))
    return (k.masked_fill(_eye(x), 0) @ y) / k.sum(dim=1)


@pytest.mark.parametrize(
    "answer, phrase",
    [
        (lambda x, y, h: torch.softmax(_scores(x, h), dim=1) @ y, "inside its own estimate"),
        (_loo_denominator, "not out of the normaliser"),
        (lambda x, y, h: torch.exp(_scores(x, h)).masked_fill(_eye(x), 0) @ y, "not normalised"),
        (lambda x, y, h: torch.softmax(_scores(x, h, half=False).masked_fill(_eye(x), -torch.inf), 1) @ y,
         "exp(-d^2 / h^2)"),
        (lambda x, y, h: torch.softmax((-(x[:, None] - x[None, :]) ** 2 / (2 * h)).masked_fill(
            _eye(x), -torch.inf), 1) @ y, "exp(-d^2 / (2 h))"),
        (lambda x, y, h: loo_right(x, y, h)[:, None], "Drop the trailing axis"),
    ],
)
def test_loo_mistakes_are_named(answer, phrase):
    fb = check_loo_predictions(answer)
    assert fb.status == "failed" and phrase in fb.messages[0]


def test_loo_numpy_answer_breaks_the_gradient():
    def in_numpy(x, y, h):
        return torch.from_numpy(loo_right(x, y, h).detach().numpy())

    fb = check_loo_predictions(in_numpy)
    assert fb.status == "failed" and "autograd" in fb.messages[-1]


# Unit sphere attention ----------------------------------------------------------------

@pytest.mark.parametrize(
    "answer, phrase",
    [
        (lambda q, k, v, s: F.scaled_dot_product_attention(q, k, v, scale=1 / (2 * s**2)), "1/(2 sigma^2)"),
        (lambda q, k, v, s: F.scaled_dot_product_attention(q, k, v, scale=1 / s), "1/sigma;"),
        (lambda q, k, v, s: F.scaled_dot_product_attention(q, k, v), "default scale"),
        (lambda q, k, v, s: torch.softmax(q @ k.T, dim=1) @ v, "did not scale"),
        (lambda q, k, v, s: torch.softmax(q @ k.T / s**2, dim=0) @ v, "over the queries"),
        (lambda q, k, v, s: (torch.softmax(q @ k.T / s**2, dim=1) @ v).T, "transposed"),
        (lambda q, k, v, s: torch.softmax(q @ k.T / s**2, dim=1) @ v + 0.1, "differs"),
    ],
)
def test_sphere_mistakes_are_named(answer, phrase):
    fb = check_sphere_attention(answer)
    assert fb.status == "failed" and phrase in fb.messages[0]


def test_sphere_right_answers_pass_torch_and_numpy():
    assert check_sphere_attention(lambda q, k, v, s: F.scaled_dot_product_attention(q, k, v, scale=s**-2))
    # An independent route: the Gaussian weights written out in numpy.
    def by_hand(q, k, v, s):
        q, k, v = q.numpy(), k.numpy(), v.numpy()
        w = np.exp(-((q[:, None] - k[None]) ** 2).sum(-1) / (2 * s**2))
        return (w / w.sum(1, keepdims=True)) @ v

    assert check_sphere_attention(by_hand).passed


# Rates --------------------------------------------------------------------------------

@pytest.mark.parametrize(
    "answer, phrase",
    [
        (lambda d: (1 / (d + 4), 4 / (d + 4)), "negative"),
        (lambda d: (-1 / (d + 2), -2 / (d + 2)), "squared bias"),
        (lambda d: (-1 / (d + 4), -1 / (d + 4)), "4 times"),
        (lambda d: (-1 / (d + 3), -4 / (d + 3)), "width exponent"),
        (lambda d: -4 / (d + 4), "pair of numbers"),
    ],
)
def test_rate_mistakes_are_named(answer, phrase):
    fb = check_rate_exponents(answer)
    assert fb.status == "failed" and phrase in fb.messages[0]


def test_rate_right_answer_passes():
    assert check_rate_exponents(nwlib.rate_exponents).passed


@pytest.mark.parametrize(
    "answer, phrase",
    [
        (lambda n, e: np.polyfit(np.log(e), np.log(n), 1)[0], "regressed log n on log error"),
        (lambda n, e: np.polyfit(n, e, 1)[0], "take logs"),
        (lambda n, e: np.polyfit(np.log(n), np.log10(e), 1)[0], "same logarithm"),
        (lambda n, e: np.polyfit(np.log(n), np.log(e), 1), "one number"),
        (lambda n, e: -0.5, "about -0.7"),
    ],
)
def test_slope_mistakes_are_named(answer, phrase):
    fb = check_loglog_slope(answer)
    assert fb.status == "failed" and phrase in fb.messages[0]


def test_slope_right_answers_pass():
    assert check_loglog_slope(nwlib.loglog_slope).passed
    # scipy's linregress is an independent least-squares fit.
    from scipy.stats import linregress

    assert check_loglog_slope(lambda n, e: linregress(np.log10(n), np.log10(e)).slope).passed


def test_exercises_import_the_checks_by_their_old_path():
    """The exercises write `from nwlib.checks import ...`; nwlib keeps that path working."""
    import nwlib.course.checks
    from nwlib.checks import check_loo_predictions as old_path

    assert old_path is nwlib.course.checks.check_loo_predictions
