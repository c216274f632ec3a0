"""Checks for the exercises on learned projections and positive random features.

Each check runs the learner's function on a small seeded case, compares it with a
reference and with the usual mistakes, and returns a :class:`~nwlib.course.feedback.Feedback`
that names the mistake; it never raises on a wrong answer.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np

from .feedback import Feedback, answer_name, as_numpy, call_answer, close, reports, shape_message

__all__ = ["check_score_matrix", "check_not_a_kernel", "check_positive_estimate",
           "check_positive_variance"]



def _points() -> np.ndarray:
    angles = np.linspace(0, 2 * np.pi, 12, endpoint=False)
    return np.stack([np.cos(angles), np.sin(angles)], axis=1) * np.linspace(0.5, 1.5, 12)[:, None]


@reports
def check_score_matrix(fn: Callable[..., Any]) -> Feedback:
    """Check ``fn(x, w_q, w_k)``: the (n, n) matrix of scores ``(W_q x_i) . (W_k x_j)``.

    Examples
    --------
    >>> def swapped(x, w_q, w_k):
    ...     return (x @ w_k.T) @ (x @ w_q.T).T
    >>> print(check_score_matrix(swapped).messages[0][:40])
    Rows and columns are swapped: row i must
    """
    rng = np.random.default_rng(4)
    x, w_q, w_k = rng.normal(size=(6, 3)), rng.normal(size=(2, 3)), rng.normal(size=(2, 3))
    name = answer_name(fn)
    got = as_numpy(call_answer(fn, x, w_q, w_k))
    ref = (x @ w_q.T) @ (x @ w_k.T).T
    if got.shape != ref.shape:
        return Feedback(name, "failed", [shape_message(got.shape, ref.shape, "(queries, keys)")])
    if close(got, ref):
        return Feedback(name, "passed")
    mistakes = [
        (ref.T, "Rows and columns are swapped: row i must hold query i's scores, "
                "(W_q x_i) . (W_k x_j) for every key j. You computed (W_k x_i) . (W_q x_j)."),
        ((x @ w_q.T) @ (x @ w_q.T).T, "You used W_q for the keys too; project the keys with W_k."),
        ((x @ w_k.T) @ (x @ w_k.T).T, "You used W_k for the queries too; project them with W_q."),
        (x @ x.T, "These are the dot products of the raw points: project them first "
                  "(queries with W_q, keys with W_k)."),
    ]
    for wrong, message in mistakes:
        if close(got, wrong):
            return Feedback(name, "failed", [message])
    return Feedback(name, "failed", [
        f"The scores differ from (x W_q^T)(x W_k^T)^T by up to {np.max(np.abs(got - ref)):.3g}. "
        "Project every point with W_q (as a query) and with W_k (as a key), then take all dot "
        "products."])


@reports
def check_not_a_kernel(fn: Callable[[], Any]) -> Feedback:
    """Check ``fn()`` -> ``(w_q, w_k)``, two 2x2 matrices whose scores are not a kernel.

    On twelve fixed points of the plane the score matrix must be asymmetric and its
    symmetric part must have a clearly negative eigenvalue.

    Examples
    --------
    >>> import numpy as np
    >>> print(check_not_a_kernel(lambda: (np.eye(2), np.eye(2))).messages[0][:32])
    Your scores are symmetric: W_q^T
    """
    name = answer_name(fn)
    result = call_answer(fn)
    try:
        w_q, w_k = (as_numpy(m) for m in result)
    except (TypeError, ValueError):
        return Feedback(name, "failed", ["Return a pair (w_q, w_k) of 2x2 arrays."])
    if w_q.shape != (2, 2) or w_k.shape != (2, 2):
        return Feedback(name, "failed", [f"Got shapes {w_q.shape} and {w_k.shape}; return two "
                                         "2x2 matrices (the points live in the plane)."])
    x = _points()
    scores = (x @ w_q.T) @ (x @ w_k.T).T
    size = max(np.abs(scores).max(), 1e-300)
    asymmetry = np.abs(scores - scores.T).max() / size
    lowest = np.linalg.eigvalsh((scores + scores.T) / 2).min() / size
    problems = []
    if size < 1e-8:
        return Feedback(name, "failed", ["All your scores are 0: use non-zero projections."])
    if asymmetry < 1e-6:
        problems.append("Your scores are symmetric: W_q^T W_k is a symmetric matrix (as it is "
                        "for W_k = W_q, or for two diagonal matrices). Try a W_k that turns the "
                        "plane, e.g. a rotation.")
    if lowest > -1e-3:
        problems.append("The symmetric part (S + S^T)/2 has no negative eigenvalue, so these "
                        "scores still behave like a kernel on average. (S + S^T)/2 is the score "
                        "matrix of A_sym = (A + A^T)/2 with A = W_q^T W_k: make A_sym indefinite, "
                        "for example by turning W_k by more than 90 degrees relative to W_q.")
    if problems:
        return Feedback(name, "failed", problems)
    return Feedback(name, "passed", [f"asymmetry |S - S^T| / max|S| = {asymmetry:.2f}, lowest "
                                     f"eigenvalue of the symmetric part {lowest:+.2f} (relative)."])


@reports
def check_positive_estimate(fn: Callable[..., Any]) -> Feedback:
    """Check ``fn(q, k, n_features, seed)``: a positive-feature estimate of ``exp(q . k)``.

    The mean over 4,000 seeds with 4 features each must lie within a 99.9% interval of
    ``exp(q . k)``; the same seed must give the same number.

    Examples
    --------
    >>> import numpy as np
    >>> def no_norms(q, k, n_features, seed):
    ...     w = np.random.default_rng(seed).normal(size=(n_features, q.size))
    ...     return np.mean(np.exp(w @ q) * np.exp(w @ k))
    >>> print(check_positive_estimate(no_norms).messages[0][:46])
    Your mean matches exp(q.k + |q|^2/2 + |k|^2/2)
    """
    name = answer_name(fn)
    q = np.array([0.3, -0.2, 0.5])
    k = np.array([0.4, 0.1, -0.3])
    exact = float(np.exp(q @ k))
    first = as_numpy(call_answer(fn, q, k, 4, 0))
    if first.shape not in ((), (1,)):
        return Feedback(name, "failed", [f"Return one number, the estimate; got shape {first.shape}."])
    again = as_numpy(call_answer(fn, q, k, 4, 0))
    if not np.array_equal(first, again):
        return Feedback(name, "failed", ["The same seed gave two different estimates: draw the "
                                         "features with np.random.default_rng(seed)."])
    draws = np.array([as_numpy(call_answer(fn, q, k, 4, s)).reshape(-1)[0] for s in range(4000)])
    if not np.all(np.isfinite(draws)):
        return Feedback(name, "failed", ["Some estimates are not finite."])
    if np.any(draws <= 0):
        return Feedback(name, "failed", ["Some estimates are not positive: each feature must be "
                                         "an exponential, exp(w.x - |x|^2 / 2), not a cosine."])
    if np.ptp(draws) == 0:
        return Feedback(name, "failed", ["Every seed gives the same estimate: the features must "
                                         "be random, drawn from the seed."])
    mean, error = draws.mean(), draws.std(ddof=1) / np.sqrt(draws.size)
    if abs(mean - exact) < 3.3 * error:
        return Feedback(name, "passed", [f"mean of 4,000 estimates {mean:.4f} +- {error:.4f}, "
                                         f"exp(q.k) = {exact:.4f}."])
    norms = 0.5 * (q @ q + k @ k)
    known = {
        exact * np.exp(norms): "Your mean matches exp(q.k + |q|^2/2 + |k|^2/2): the factors "
        "exp(-|q|^2/2) and exp(-|k|^2/2) are missing from the features.",
        exact * np.exp(-norms): "Your mean matches exp(q.k - |q|^2/2 - |k|^2/2): subtract "
        "|x|^2 / 2 once per feature, not |x|^2.",
    }
    for value, message in known.items():
        if abs(mean - value) < 3.3 * error:
            return Feedback(name, "failed", [message])
    return Feedback(name, "failed", [f"The mean of 4,000 estimates is {mean:.4f} +- {error:.4f}, "
                                     f"but exp(q.k) = {exact:.4f}: the estimate is biased. Use "
                                     "w ~ N(0, I) and average the D products of the features."])


@reports
def check_positive_variance(fn: Callable[..., Any]) -> Feedback:
    """Check ``fn(q, k)``: the variance of one product ``phi_w(q) phi_w(k)``.

    Examples
    --------
    >>> import numpy as np
    >>> def second_moment(q, k):
    ...     return np.exp(2 * q @ k) * np.exp((q + k) @ (q + k))
    >>> print(check_positive_variance(second_moment).messages[0][:38])
    You computed the second moment E[X^2];
    """
    name = answer_name(fn)
    cases = [(np.array([0.3, -0.2, 0.5]), np.array([0.4, 0.1, -0.3])),
             (np.array([1.0, 0.0]), np.array([0.5, 0.5])), (np.array([0.0]), np.array([0.0]))]
    for q, k in cases:
        got = as_numpy(call_answer(fn, q, k))
        s = (q + k) @ (q + k)
        want = np.exp(2 * q @ k) * (np.exp(s) - 1)
        if got.shape not in ((), (1,)):
            return Feedback(name, "failed", [f"Return one number; got shape {got.shape}."])
        got = got.reshape(())
        if np.isclose(float(got), want, rtol=1e-8, atol=1e-12):
            continue
        if np.isclose(float(got), np.exp(2 * q @ k) * np.exp(s), rtol=1e-8):
            return Feedback(name, "failed", ["You computed the second moment E[X^2]; the variance "
                                             "is E[X^2] - (E[X])^2, and E[X] = exp(q.k)."])
        if np.isclose(float(got), np.exp(s) - 1, rtol=1e-8):
            return Feedback(name, "failed", ["Missing the factor exp(2 q.k): E[X^2] = "
                                             "exp(2|q + k|^2 - |q|^2 - |k|^2)."])
        return Feedback(name, "failed", [
            f"For q = {q.tolist()}, k = {k.tolist()} the variance is {want:.6g}, you returned "
            f"{float(got):.6g}. Compute E[X^2] with E[exp(w.z)] = exp(|z|^2 / 2), then subtract "
            "exp(q.k)^2."])
    return Feedback(name, "passed")
