"""Checks that the exercise notebooks run on a learner's answers.

Each ``check_*`` function calls the learner's function on a small seeded case,
compares the result with a reference computed by ``nwlib``, and, when they
differ, with the results of the usual mistakes, so that the feedback can name
the mistake and the fix. A check never raises on a wrong answer: it returns a
:class:`~nwlib.feedback.Feedback` that prints as a short report.
"""

from __future__ import annotations

import functools
import math
from typing import Any, Callable

import numpy as np

from ..density import parzen_density
from ..pooling import nadaraya_watson
from .feedback import AnswerError, Feedback, answer_name, as_numpy, call_answer, close, shape_message

__all__ = [
    "check_parzen_difference",
    "check_loo_predictions",
    "check_sphere_attention",
    "check_rate_exponents",
    "check_loglog_slope",
]

GAUSSIAN = "the Gaussian kernel exp(-||x - x_i||^2 / (2 h^2))"


def _reports(check: Callable[..., Feedback]) -> Callable[..., Feedback]:
    """Turn the AnswerError of a stub or a crash into the check's return value."""

    @functools.wraps(check)
    def wrapper(fn: Any) -> Feedback:
        try:
            return check(fn)
        except AnswerError as err:
            return err.feedback

    return wrapper


def _positive_multiple(got: np.ndarray, ref: np.ndarray) -> float | None:
    """Find the factor c with got = c * ref, or None when there is none."""
    if got.shape != ref.shape:
        return None
    c = float(got.ravel() @ ref.ravel() / (ref.ravel() @ ref.ravel()))
    return c if close(got, c * ref) else None


@_reports
def check_parzen_difference(fn: Callable[..., Any]) -> Feedback:
    """Check ``fn(queries, points, labels, bandwidth)`` = p(x, y=+1) - p(x, y=-1).

    Labels are -1 or +1; the densities are Parzen estimates with the Gaussian
    kernel, ``p(x, y) = (1/n) sum_{i: y_i = y} K_h(x - x_i)``. Any positive
    multiple passes, since only the sign decides the class.

    Examples
    --------
    >>> import nwlib
    >>> def wrong(queries, points, labels, bandwidth):
    ...     return nwlib.nadaraya_watson(queries, points, labels, bandwidth=bandwidth)
    >>> check_parzen_difference(wrong).status
    'failed'
    """
    rng = np.random.default_rng(0)
    # Unequal classes, so that joint and class-conditional densities disagree.
    points = np.vstack([rng.normal(0.0, 1.0, (12, 2)), rng.normal(1.0, 1.0, (28, 2))])
    labels = np.repeat([1, -1], [12, 28])
    queries, h = rng.normal(0.5, 1.5, (15, 2)), 0.7
    name = answer_name(fn)
    got = as_numpy(call_answer(fn, queries, points, labels, h))
    n = labels.size
    dens = {y: parzen_density(queries, points[labels == y], bandwidth=h) for y in (1, -1)}
    ref = (dens[1] * 12 - dens[-1] * 28) / n
    if got.shape != ref.shape:
        return Feedback(name, "failed", [shape_message(got.shape, ref.shape, "one number per query")])
    c = _positive_multiple(got, ref)
    if c is not None and c > 0:
        notes = [] if math.isclose(c, 1.0, rel_tol=1e-6) else [
            f"Your values are {c:.4g} times ours (we divide by the kernel's normalising "
            "constant); the sign, which decides the class, is the same."
        ]
        return Feedback(name, "passed", notes)
    problems = []
    if c is not None:
        problems.append(
            "The sign is flipped: you computed p(x, y=-1) - p(x, y=+1). Subtract the "
            "class -1 density from the class +1 density."
        )
    elif _positive_multiple(got, dens[1] - dens[-1]) is not None:
        problems.append(
            "You divided each class's sum by its own size, which gives the class-conditional "
            "densities p(x | y). The exercise asks for the joint p(x, y) = p(x | y) P(y): "
            "divide both sums by the same n. With unequal classes the decisions differ."
        )
    elif close(got, nadaraya_watson(queries, points, labels.astype(float), bandwidth=h)):
        problems.append(
            "You returned the Nadaraya-Watson estimate sum_i y_i k_i / sum_j k_j. It has the "
            "right sign (that is the point of the exercise), but the difference of "
            "densities is not divided by sum_j k_j."
        )
    else:
        wrong_sign = int(np.sum(np.sign(got) != np.sign(ref)))
        problems.append(
            f"The values are not a positive multiple of p(x, +1) - p(x, -1) ({GAUSSIAN}); "
            f"the sign differs at {wrong_sign} of {ref.size} queries."
        )
    return Feedback(name, "failed", problems)


def _loo_reference(x: np.ndarray, y: np.ndarray, h: float) -> dict[str, np.ndarray]:
    """Leave-one-out predictions and what the usual mistakes give instead."""
    d2 = (x[:, None] - x[None, :]) ** 2

    def k(width: float) -> np.ndarray:
        return np.exp(-d2 / (2 * width**2))

    off = 1.0 - np.eye(x.size)
    kh = k(h)
    return {
        "right": (kh * off) @ y / (kh * off).sum(axis=1),
        "in-sample": kh @ y / kh.sum(axis=1),
        "denominator": (kh * off) @ y / kh.sum(axis=1),
        "unnormalised": (kh * off) @ y,
        "h^2": (k(h / math.sqrt(2)) * off) @ y / (k(h / math.sqrt(2)) * off).sum(axis=1),
        "variance": (k(math.sqrt(h)) * off) @ y / (k(math.sqrt(h)) * off).sum(axis=1),
    }


LOO_MISTAKES = {
    "in-sample": "Each point is still inside its own estimate, so a tiny width lets it predict "
    "itself. Give the weight of x_i in its own estimate the value 0 (e.g. set the diagonal "
    "of the score matrix to -inf before the softmax).",
    "denominator": "You left x_i out of the weighted sum but not out of the normaliser, so "
    "the weights sum to less than 1. Leave it out of both.",
    "unnormalised": "The weights are not normalised: divide by the sum of the weights over "
    "the other points (or use a softmax over the scores).",
    "h^2": "Your kernel is exp(-d^2 / h^2); the course uses exp(-d^2 / (2 h^2)).",
    "variance": "Your kernel is exp(-d^2 / (2 h)): h is the width, so divide by 2 h^2.",
}


@_reports
def check_loo_predictions(fn: Callable[..., Any]) -> Feedback:
    """Check ``fn(x, y, h)``: leave-one-out Nadaraya-Watson predictions in torch.

    ``x`` and ``y`` are (n,) float64 tensors, ``h`` a scalar tensor that requires
    grad; the result must be the (n,) tensor of ``f_{-i}(x_i)`` for the Gaussian
    kernel, differentiable with respect to ``h``.

    Examples
    --------
    >>> def in_sample(x, y, h):
    ...     w = (-(x[:, None] - x[None, :]) ** 2 / (2 * h**2)).softmax(dim=1)
    ...     return w @ y
    >>> print(check_loo_predictions(in_sample).messages[0][:34])
    Each point is still inside its own
    """
    import torch

    rng = np.random.default_rng(1)
    x_np = np.sort(rng.uniform(0.0, 5.0, 12))
    y_np = 2 * np.sin(x_np) + x_np + rng.normal(0.0, 0.5, 12)
    h = torch.tensor(0.6, dtype=torch.float64, requires_grad=True)
    name = answer_name(fn)
    result = call_answer(fn, torch.from_numpy(x_np), torch.from_numpy(y_np), h)
    got, refs = as_numpy(result), _loo_reference(x_np, y_np, 0.6)
    if got.shape != refs["right"].shape:
        return Feedback(name, "failed", [shape_message(got.shape, (12,), "one prediction per point")])
    problems = []
    if not close(got, refs["right"]):
        mistake = next((k for k in LOO_MISTAKES if close(got, refs[k])), None)
        problems.append(
            LOO_MISTAKES[mistake] if mistake else
            f"The predictions differ from the leave-one-out estimate with {GAUSSIAN} "
            f"(largest gap {np.max(np.abs(got - refs['right'])):.3g})."
        )
    if not isinstance(result, torch.Tensor) or not result.requires_grad:
        problems.append(
            "The result does not depend on h through autograd: build it from torch "
            "operations on the tensors you were given (numpy or .item() break the chain)."
        )
    elif not problems:
        (grad,) = torch.autograd.grad(result.sum(), h)
        if not torch.isfinite(grad):
            problems.append("The gradient with respect to h is not finite; compute the "
                            "weights with a softmax of the scores, which stays stable.")
    return Feedback(name, "failed" if problems else "passed", problems)


def _sphere_case() -> tuple[Any, Any, Any, float]:
    import torch

    gen = torch.Generator().manual_seed(2)
    q = torch.randn(4, 5, generator=gen, dtype=torch.float64)
    k = torch.randn(9, 5, generator=gen, dtype=torch.float64)
    v = torch.randn(9, 3, generator=gen, dtype=torch.float64)
    return q / q.norm(dim=1, keepdim=True), k / k.norm(dim=1, keepdim=True), v, 0.8


@_reports
def check_sphere_attention(fn: Callable[..., Any]) -> Feedback:
    """Check ``fn(queries, keys, values, sigma)``: softmax attention on dot products.

    Queries and keys are unit vectors, so the result must equal Gaussian
    Nadaraya-Watson with width ``sigma``: softmax of ``q . k / sigma**2``.

    Examples
    --------
    >>> import torch
    >>> def default_scale(q, k, v, sigma):  # forgets scale=: uses 1/sqrt(d)
    ...     return torch.nn.functional.scaled_dot_product_attention(q, k, v)
    >>> print(check_sphere_attention(default_scale).messages[0][:36])
    You used the default scale 1/sqrt(d)
    """
    import torch

    q, k, v, sigma = _sphere_case()
    name = answer_name(fn)
    got = as_numpy(call_answer(fn, q, k, v, sigma))
    ref = as_numpy(nadaraya_watson(q, k, v, bandwidth=sigma))
    if got.shape != ref.shape:
        return Feedback(name, "failed", [shape_message(got.shape, ref.shape, "(queries, value size)")])
    if close(got, ref):
        return Feedback(name, "passed")
    mistakes = {
        sigma * math.sqrt(2): "You scaled the dot products by 1/(2 sigma^2). The 2 cancels: "
        "||q - k||^2 / (2 sigma^2) = (2 - 2 q.k) / (2 sigma^2) = const - q.k / sigma^2.",
        math.sqrt(sigma): "You scaled the dot products by 1/sigma; the temperature is sigma^2.",
        5**0.25: "You used the default scale 1/sqrt(d) of scaled_dot_product_attention; pass "
        "scale=1 / sigma**2.",
        1.0: "You did not scale the dot products; divide them by sigma^2 before the softmax.",
    }
    for width, message in mistakes.items():
        if close(got, as_numpy(nadaraya_watson(q, k, v, bandwidth=width))):
            return Feedback(name, "failed", [message])
    by_query = torch.softmax(q @ k.T / sigma**2, dim=0) @ v
    if close(got, as_numpy(by_query)):
        return Feedback(name, "failed", ["The softmax runs over the queries; each query's "
                                         "weights must sum to 1 over the keys (dim=-1)."])
    return Feedback(name, "failed", [
        f"The result differs from softmax(q k^T / sigma^2) v by up to "
        f"{np.max(np.abs(got - ref)):.3g}."])


@_reports
def check_rate_exponents(fn: Callable[[int], Any]) -> Feedback:
    """Check ``fn(d) -> (a, b)`` with h ~ n**a and MSE ~ n**b for the optimal width.

    Examples
    --------
    >>> check_rate_exponents(lambda d: (-1 / (d + 4), -4 / (d + 4))).passed
    True
    """
    name = answer_name(fn)
    for d in (1, 2, 3, 5):
        answer = call_answer(fn, d)
        try:
            a, b = (float(t) for t in answer)
        except (TypeError, ValueError):
            return Feedback(name, "failed", [f"fn({d}) returned {answer!r}; return a pair of "
                                             "numbers (bandwidth exponent, MSE exponent)."])
        problems = []
        if a > 0 or b > 0:
            problems.append("Exponents must be negative: the width shrinks and the error "
                            "falls as n grows.")
        elif math.isclose(a, -1 / (d + 2)):
            problems.append("You balanced the variance 1/(n h^d) against the bias h; the MSE "
                            "holds the squared bias h^4, so solve h^4 = 1/(n h^d).")
        elif not math.isclose(a, -1 / (d + 4)):
            problems.append(f"The width exponent for d={d} is off: balance bias^2 ~ h^4 with "
                            "variance ~ 1/(n h^d) and solve for h.")
        elif not math.isclose(b, 4 * a):
            problems.append("At the balance the MSE is of the order of h^4, so its exponent "
                            "is 4 times the width's.")
        if problems:
            return Feedback(name, "failed", [f"For d={d}: {problems[0]}"])
    return Feedback(name, "passed")


@_reports
def check_loglog_slope(fn: Callable[..., Any]) -> Feedback:
    """Check ``fn(ns, errors) -> slope`` of the least-squares line of log error on log n.

    Examples
    --------
    >>> import numpy as np
    >>> check_loglog_slope(lambda n, e: np.polyfit(np.log(n), np.log(e), 1)[0]).passed
    True
    """
    ns = np.array([100, 200, 400, 800, 1600], dtype=float)
    errors = 3.0 * ns**-0.7 * np.exp(np.array([0.05, -0.03, 0.02, -0.04, 0.01]))
    name = answer_name(fn)
    got = as_numpy(call_answer(fn, ns, errors))
    ref = float(np.polyfit(np.log(ns), np.log(errors), 1)[0])
    if got.size != 1:
        return Feedback(name, "failed", [f"Return one number, the slope (you returned shape "
                                         f"{got.shape}; np.polyfit gives [slope, intercept])."])
    slope = float(got.ravel()[0])
    if math.isclose(slope, ref, rel_tol=1e-6):
        return Feedback(name, "passed")
    if math.isclose(slope, float(np.polyfit(np.log(errors), np.log(ns), 1)[0]), rel_tol=1e-6):
        message = "You regressed log n on log error: put log n on the x axis."
    elif math.isclose(slope, float(np.polyfit(ns, errors, 1)[0]), rel_tol=1e-6):
        message = "You fitted a line to n and the error themselves: take logs of both first."
    elif any(math.isclose(slope, ref * f, rel_tol=1e-6) for f in (math.log(10), 1 / math.log(10))):
        message = "Use the same logarithm on both axes (the slope depends on it otherwise)."
    else:
        message = f"The slope should be about {ref:.3f}, you returned {slope:.3f}."
    return Feedback(name, "failed", [message])
