"""Learner checks of the local-linear exercise: the two bias formulas its learner derives.

Each check evaluates the learner's formula at a few settings and compares it with the
right one and with the formulas of the usual slips, so that the message names the step
of the derivation that went wrong without writing out the result.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any

import numpy as np

from ..pooling import attention_weights
from .feedback import Feedback, answer_name, answer_number, call_answer, reports

__all__ = ["check_boundary_bias", "check_taylor_bias"]


@reports
def check_boundary_bias(fn: Callable[[float, float], Any]) -> Feedback:
    """Check ``fn(h, slope) -> bias``: Nadaraya-Watson's first-order bias at a boundary.

    The keys are spread evenly to the right of the boundary query, the kernel is the
    Gaussian of width ``h`` and the target has slope ``slope`` there; the result is one
    number (any form: float, numpy scalar, 0-d tensor).

    Examples
    --------
    >>> print(check_boundary_bias(lambda h, slope: 0.0).messages[0][:62])
    For h = 0.3, slope = 3.0: A symmetric window cancels the slope
    """
    name = answer_name(fn)
    half_mean = math.sqrt(2 / math.pi)  # E[Z | Z > 0] for a standard normal Z
    for h, slope in [(0.3, 3.0), (0.5, -1.0), (1.2, 2.0)]:
        got = answer_number(call_answer(fn, h, slope), "the bias")
        want = h * slope * half_mean
        if math.isclose(got, want, rel_tol=1e-6):
            continue
        slips = [
            (0.0, "A symmetric window cancels the slope, but at the boundary the window has "
                  "one side only: average the offsets over the half of the kernel that is left."),
            (-want, "The sign is flipped: every key lies to the right of the query, where the "
                    "target is higher when the slope is positive."),
            (h * slope / math.sqrt(2 * math.pi), "You integrated u K(u) over the half-line but "
                                                  "did not divide by the weight of that half."),
            (slope * half_mean, "The offsets of the keys are h times those of the standard "
                                "kernel: the bias is proportional to h."),
            (h * h * slope * half_mean, "At a boundary the bias is of first order in h, not "
                                        "second: the slope term does not cancel."),
            (h * slope * math.sqrt(math.pi / 2), "The ratio is upside down: the mean offset is "
                                                 "(integral of u K) / (integral of K)."),
            (h * slope / 2, "That is the mean offset of a uniform kernel on [0, 2h]; the "
                            "Gaussian weights the offsets by exp(-u^2 / 2)."),
        ]
        for value, message in slips:
            if math.isclose(got, value, rel_tol=1e-6, abs_tol=1e-12):
                return Feedback(name, "failed", [f"For h = {h}, slope = {slope}: {message}"])
        return Feedback(name, "failed", [
            f"For h = {h}, slope = {slope} the first-order bias is {want:.6g}; you returned "
            f"{got:.6g}. Expand f(x_i) = f(0) + f'(0) x_i and average x_i with the weights of "
            "the one-sided window."])
    return Feedback(name, "passed")


def _taylor_case() -> tuple[np.ndarray, list[tuple[float, float, float]]]:
    keys = np.sort(np.random.default_rng(7).uniform(0.0, 5.0, 40))
    return keys, [(0.0, 0.4, 1.3), (1.5, 0.4, -2.0), (4.9, 0.6, 0.8), (2.5, 0.3, -1.1)]


@reports
def check_taylor_bias(fn: Callable[..., Any]) -> Feedback:
    """Check ``fn(q, x, h, f2) -> bias``: local-linear's second-order bias at the query q.

    ``x`` holds the keys (shape (n,)), ``h`` the Gaussian width and ``f2`` the target's
    second derivative at ``q``; the result is one number: the second-order term of the
    bias of the local line through noise-free values, for these keys (not its limit).

    Examples
    --------
    >>> print(check_taylor_bias(lambda q, x, h, f2: f2 * h**2 / 2).messages[0][:30])
    For q = 0.0: that is the limit
    """
    from .. import local_linear_weights  # by its public name, wherever its module lives

    name = answer_name(fn)
    keys, cases = _taylor_case()
    for q, h, f2 in cases:
        got = answer_number(call_answer(fn, q, keys.copy(), h, f2), "the bias")
        ell = local_linear_weights([q], keys, bandwidth=h)[0]
        alpha = attention_weights([q], keys, bandwidth=h)[0]
        want = f2 / 2 * float(ell @ (keys - q) ** 2)
        if math.isclose(got, want, rel_tol=1e-6, abs_tol=1e-12):
            continue
        slips = [
            (f2 / 2 * float(alpha @ (keys - q) ** 2),
             "you used the attention weights; the local line's weights are the equivalent "
             "kernel weights l_i(q) (nwlib.local_linear_weights)."),
            (f2 * float(ell @ (keys - q) ** 2), "the second-order Taylor term has a 1/2."),
            (f2 / 2 * h**2, "that is the limit for many evenly spread keys far from the "
                            "boundary; the task asks for the term these keys give."),
            (f2 / 2 * float(ell @ (keys - q)), "the first moment of the weights vanishes for a "
                                               "local line; the bias comes from the second."),
            (float(ell @ (keys - q) ** 2) / 2, "multiply by the second derivative f2."),
        ]
        for value, message in slips:
            if math.isclose(got, value, rel_tol=1e-6, abs_tol=1e-12):
                return Feedback(name, "failed", [f"For q = {q}: {message}"])
        return Feedback(name, "failed", [
            f"For q = {q}, h = {h}, f2 = {f2} the second-order bias is {want:.6g}; you returned "
            f"{got:.6g}. Expand f(x_i) around q to second order and use what the weights of a "
            "local line do to the constant and the linear term."])
    return Feedback(name, "passed")
