"""Learner checks of the smoother exercise: kernel ridge regression read as a linear smoother.

The references are computed the long way (a refit without each point, a trace of the
hat matrix), so that a learner's shortcut is tested against what it claims to shorten.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np

from .feedback import (
    Feedback,
    answer_array,
    answer_name,
    answer_number,
    as_numpy,
    call_answer,
    close,
    reports,
)

__all__ = ["check_krr_loo", "check_krr_dof", "check_krr_widths"]


def _hat(queries: np.ndarray, keys: np.ndarray, h: float, ridge: float) -> np.ndarray:
    from .. import kernel_ridge_weights  # by its public name, wherever its module lives

    return kernel_ridge_weights(queries, keys, bandwidth=h, ridge=ridge)


def _refit_residuals(x: np.ndarray, y: np.ndarray, h: float, ridge: float) -> np.ndarray:
    """y_i minus the kernel ridge fit to the other points, at x_i: one refit per point."""
    out = np.empty_like(y)
    for i in range(x.size):
        keep = np.arange(x.size) != i
        out[i] = y[i] - _hat(x[i:i + 1], x[keep], h, ridge)[0] @ y[keep]
    return out


def _case(seed: int = 11, n: int = 25) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    x = np.sort(rng.uniform(0.0, 4.0, n))
    return x, np.sin(2 * x) + 0.3 * rng.standard_normal(n)


@reports
def check_krr_loo(fn: Callable[..., Any]) -> Feedback:
    """Check ``fn(x, y, h, ridge) -> residuals``: kernel ridge's leave-one-out residuals.

    ``x`` and ``y`` have shape (n,), ``h`` is the Gaussian length scale and ``ridge`` the
    ridge; the result, one residual per point, is compared with refits that leave each
    point out.

    Examples
    --------
    >>> import numpy as np
    >>> import nwlib
    >>> def in_sample(x, y, h, ridge):
    ...     return y - nwlib.kernel_ridge_weights(x, x, ridge=ridge, bandwidth=h) @ y
    >>> print(check_krr_loo(in_sample).messages[0][:59])
    For h = 0.5, ridge = 0.3: These are the in-sample residuals
    """
    name = answer_name(fn)
    x, y = _case()
    for h, ridge in [(0.5, 0.3), (0.2, 0.05)]:
        got, rtol = answer_array(call_answer(fn, x.copy(), y.copy(), h, ridge), y.shape,
                                 "one leave-one-out residual per point")
        want = _refit_residuals(x, y, h, ridge)
        if close(got, want, max(rtol, 1e-8)):
            continue
        hat = _hat(x, x, h, ridge)
        resid, diag = y - hat @ y, np.diag(hat)
        from .. import smoother_matrix

        nw = smoother_matrix(x, x, bandwidth=h)
        slips = [
            (resid, "These are the in-sample residuals y - H y: divide each by 1 - H_ii."),
            (resid / (1 - np.trace(hat) / y.size), "You divided by 1 - tr(H)/n, GCV's average; "
                                                   "the exact shortcut divides point i by 1 - H_ii."),
            (resid / (1 - diag) ** 2, "Divide by 1 - H_ii once, not squared."),
            (resid * (1 - diag), "Divide by 1 - H_ii; you multiplied."),
            ((y - nw @ y) / (1 - np.diag(nw)), "That is Nadaraya-Watson's shortcut; use the "
                                               "kernel ridge hat matrix (nwlib.kernel_ridge_weights)."),
            (-want, "The sign is flipped: a residual is y_i minus the prediction."),
        ]
        for wrong, message in slips:
            if close(got, wrong, max(rtol, 1e-8)):
                return Feedback(name, "failed", [f"For h = {h}, ridge = {ridge}: {message}"])
        return Feedback(name, "failed", [
            f"For h = {h}, ridge = {ridge} the residuals differ from refits without each point "
            f"by up to {np.max(np.abs(got - want)):.3g}."])
    return Feedback(name, "passed")


@reports
def check_krr_dof(fn: Callable[..., Any]) -> Feedback:
    """Check ``fn(K, ridge) -> dof``: the trace of K (K + ridge I)^-1, one number.

    ``K`` is a symmetric positive semidefinite Gram matrix (n, n); the answer may come in
    any form of a number.

    Examples
    --------
    >>> import numpy as np
    >>> print(check_krr_dof(lambda K, ridge: np.trace(K)).messages[0])
    For ridge = 0.3: You returned the trace of K: it ignores the ridge.
    """
    name = answer_name(fn)
    x, _ = _case()
    for h, ridge in [(0.5, 0.3), (0.15, 2.0), (1.0, 1e-3)]:
        gram = np.exp(-((x[:, None] - x[None, :]) ** 2) / (2 * h * h))
        got = answer_number(call_answer(fn, gram.copy(), ridge), "the degrees of freedom")
        mu = np.clip(np.linalg.eigvalsh(gram), 0.0, None)
        want = float(np.trace(gram @ np.linalg.inv(gram + ridge * np.eye(x.size))))
        if np.isclose(got, want, rtol=1e-8):
            continue
        slips = [
            (float(np.sum(ridge / (mu + ridge))), "That is n minus the degrees of freedom: "
                                                  "each eigenvalue contributes mu / (mu + ridge)."),
            (float(np.trace(gram)), "You returned the trace of K: it ignores the ridge."),
            (float(np.sum(mu / (mu + ridge) ** 2)), "Square nothing: H has the eigenvalues "
                                                     "mu / (mu + ridge)."),
            (float(np.sum(1 / (mu + ridge))), "The eigenvalues of (K + ridge I)^-1 alone; H is "
                                              "K times it."),
            (float(np.sum(mu / (mu + 1))), "Use the ridge given, not 1."),
        ]
        for value, message in slips:
            if np.isclose(got, value, rtol=1e-8):
                return Feedback(name, "failed", [f"For ridge = {ridge}: {message}"])
        return Feedback(name, "failed", [
            f"For h = {h}, ridge = {ridge} the trace of the hat matrix is {want:.6g}; you "
            f"returned {got:.6g}."])
    return Feedback(name, "passed")


@reports
def check_krr_widths(fn: Callable[..., Any]) -> Feedback:
    """Check ``fn(x, y, candidates, ridge) -> (loo width, gcv width)``: two chosen length scales.

    The pair (a tuple, list or array of two numbers) is compared with the candidates that
    minimise the mean squared leave-one-out residual (by refits) and the GCV score.

    Examples
    --------
    >>> check_krr_widths(lambda x, y, c, ridge: (c[0], c[0])).status
    'failed'
    """
    name = answer_name(fn)
    x, y = _case(seed=19, n=20)  # data on which the two criteria pick different widths
    candidates, ridge = np.geomspace(0.1, 2.0, 9), 0.2
    pair = "a pair of numbers (leave-one-out width, GCV width)"
    got = as_numpy(call_answer(fn, x.copy(), y.copy(), candidates.copy(), ridge), pair)
    if got.size != 2:
        return Feedback(name, "failed", [f"The result holds {got.size} number(s): return {pair}."])
    got = got.reshape(2)
    loo = [np.mean(_refit_residuals(x, y, c, ridge) ** 2) for c in candidates]
    gcv = []
    for c in candidates:
        hat = _hat(x, x, c, ridge)
        gcv.append(np.mean((y - hat @ y) ** 2) / (1 - np.trace(hat) / y.size) ** 2)
    want = np.array([candidates[np.argmin(loo)], candidates[np.argmin(gcv)]])
    if close(got, want, 1e-9):
        return Feedback(name, "passed")
    if close(got, want[::-1], 1e-9):
        message = "The two are swapped: leave-one-out first, then GCV."
    elif np.allclose(got, [np.argmin(loo), np.argmin(gcv)]):
        message = "You returned the indices of the best candidates; return the widths."
    elif close(got, np.array([min(loo), min(gcv)]), 1e-6):
        message = "You returned the lowest scores; return the widths at which they are reached."
    else:
        message = (f"The widths should be {want[0]:.4g} (leave-one-out) and {want[1]:.4g} (GCV) "
                   f"on the check's data; you returned {got[0]:.4g} and {got[1]:.4g}.")
    return Feedback(name, "failed", [message])
