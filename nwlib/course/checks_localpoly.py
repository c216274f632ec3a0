"""Learner checks of the local-quadratic exercise: the equivalent kernel, derived and measured.

The messages point at the step that went wrong without stating the kernel the exercise
asks the learner to derive.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np

from ..polynomial_regression import local_polynomial
from .feedback import Feedback, answer_name, as_numpy, call_answer, close, reports, shape_message

__all__ = ["check_equivalent_kernel", "check_scaled_weights"]

_U = np.linspace(-4.0, 4.0, 81)


def _phi(u: np.ndarray) -> np.ndarray:
    return np.exp(-u * u / 2) / np.sqrt(2 * np.pi)


def _reference(u: np.ndarray) -> np.ndarray:
    # First row of the inverse of the Gaussian moment matrix [[1, 0, 1], [0, 1, 0], [1, 0, 3]].
    row = np.linalg.inv(np.array([[1.0, 0, 1], [0, 1, 0], [1, 0, 3]]))[0]
    return (row[0] + row[1] * u + row[2] * u * u) * _phi(u)


@reports
def check_equivalent_kernel(fn: Callable[[np.ndarray], Any]) -> Feedback:
    """Check ``fn(u)``: the interior equivalent kernel of local-quadratic Gaussian regression.

    Examples
    --------
    >>> def nw(u):
    ...     return np.exp(-u * u / 2) / np.sqrt(2 * np.pi)
    >>> print(check_equivalent_kernel(nw).messages[0][:45])
    This is the Gaussian kernel itself: the equiv
    """
    name = answer_name(fn)
    got = as_numpy(call_answer(fn, _U.copy())).astype(float)
    if got.shape != _U.shape:
        return Feedback(name, "failed", [shape_message(got.shape, _U.shape, "K*(u) at every u")])
    want = _reference(_U)
    if close(got, want):
        return Feedback(name, "passed")
    if close(got, _phi(_U)):
        msg = ("This is the Gaussian kernel itself: the equivalent kernel of degrees 0 and 1 "
               "in the interior. The quadratic's third column u^2 changes the weights.")
    elif close(got, -want):
        msg = "The sign is flipped: K*(0) must be positive."
    elif abs(got[40]) > 0 and close(got / got[40], want / want[40]):
        msg = ("The shape is right but the scale is not: the intercept's weights reproduce "
               "constants, so K* integrates to 1.")
    else:
        msg = ("Not yet: write the limiting 3 x 3 moment matrix of the quadratic fit with "
               "the Gaussian's moments (mu_1 = mu_3 = 0), invert it, and weight (1, u, u^2) "
               "by its first row, times the kernel.")
    return Feedback(name, "failed", [msg])


@reports
def check_scaled_weights(fn: Callable[[float, float], Any]) -> Feedback:
    """Check ``fn(q, h)``: local-quadratic weights on the exercise's grid, times ``n h p(q)``.

    Examples
    --------
    >>> def zeros(q, h):
    ...     return np.zeros(2000)
    >>> check_scaled_weights(zeros).status
    'failed'
    """
    name = answer_name(fn)
    n = 2000
    keys = (np.arange(n) + 0.5) * 5.0 / n
    q, h = 2.5, 0.3
    got = as_numpy(call_answer(fn, q, h)).astype(float).reshape(-1)
    if got.shape != (n,):
        return Feedback(name, "failed", [shape_message(got.shape, (n,), "one weight per key")])
    weights = local_polynomial([q], keys, np.eye(n), bandwidth=h, degree=2)[0]
    want = weights * n * h / 5.0
    if close(got, want, rtol=1e-6, atol=1e-9):
        return Feedback(name, "passed")
    if close(got, weights, rtol=1e-6, atol=1e-12):
        msg = ("These are the raw weights (they sum to 1); multiply by n h p(q) to compare "
               "with K*((x_i - q) / h).")
    elif close(got, local_polynomial([q], keys, np.eye(n), bandwidth=h, degree=1)[0] * n * h / 5,
               rtol=1e-6, atol=1e-9):
        msg = "These are local-linear weights: fit degree=2."
    else:
        msg = ("Not yet: fit the identity matrix as values (column j is the j-th unit vector), "
               "so the fit at q is the row of weights; then scale by n h p(q), p = 1/5.")
    return Feedback(name, "failed", [msg])
