"""Learner check of the causal linear attention exercise: the running sums, step by step."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np

from .feedback import Feedback, answer_array, answer_name, as_numpy, call_answer, close, reports

__all__ = ["check_running_sums", "check_memory"]


def _case() -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    rng = np.random.default_rng(24)
    n, n_features, c = 9, 5, 2
    # Positive features, so that every prefix has a positive denominator.
    phi_q = rng.uniform(0.1, 1.0, (n, n_features))
    phi_k = rng.uniform(0.1, 1.0, (n, n_features))
    return phi_q, phi_k, rng.normal(size=(n, c)) + 3.0


def _masked(phi_q: np.ndarray, phi_k: np.ndarray, values: np.ndarray, offset: int) -> np.ndarray:
    """Row i pools keys j <= i + offset (offset 0: causal; -1: strictly earlier keys)."""
    scores = np.tril(phi_q @ phi_k.T, k=offset)
    with np.errstate(invalid="ignore", divide="ignore"):
        return (scores @ values) / scores.sum(axis=1, keepdims=True)


@reports
def check_running_sums(fn: Callable[..., Any]) -> Feedback:
    """Check ``fn(phi_q, phi_k, values)``: the causal outputs, shape (n, c).

    ``phi_q`` and ``phi_k`` are (n, D) feature vectors of the queries and keys and
    ``values`` is (n, c). Row ``i`` of the result must pool the values of keys
    ``0..i`` with the scores ``phi_q[i] . phi_k[j]``. The check compares with the
    masked matrix, with the usual slips, and checks that changing a later key leaves
    earlier outputs alone.

    Examples
    --------
    >>> check_running_sums(lambda q, k, v: v).status
    'failed'
    """
    phi_q, phi_k, values = _case()
    n, c = values.shape
    result = call_answer(fn, phi_q.copy(), phi_k.copy(), values.copy())
    name = answer_name(fn)
    raw = as_numpy(result)
    strict = _masked(phi_q, phi_k, values, -1)
    if (raw.shape == (n, c) and not np.all(np.isfinite(raw[0])) and np.all(np.isfinite(raw[1:]))
            and np.allclose(raw[1:], strict[1:], rtol=1e-4)):
        return Feedback(name, "failed", [
            "Step 0 gives 0/0 and the other steps pool keys 0..i-1: add key i to S and z "
            "before you read step i (a query sees its own key)."])
    got, rtol = answer_array(result, (n, c), "one output row per step, one column per value")
    ref = _masked(phi_q, phi_k, values, 0)
    if close(got, ref, rtol):
        later = values.copy()
        later[-1] += 100.0
        moved = answer_array(call_answer(fn, phi_q.copy(), phi_k.copy(), later), (n, c), "outputs")[0]
        if not close(moved[:-1], got[:-1], rtol):
            return Feedback(name, "failed", [
                "Right numbers, but changing the last value changed earlier outputs: does "
                "your function look ahead? Step i may only use keys 0..i."])
        return Feedback(name, "passed")
    full = (phi_q @ phi_k.T @ values) / (phi_q @ phi_k.sum(axis=0))[:, None]
    if close(got, full, rtol):
        message = ("Every step pools all n keys: that is linear attention without the mask. "
                   "Update S and z with key i, then read step i, before moving on.")
    elif close(got[1:], strict[1:], rtol):
        message = ("Step i pools keys 0..i-1: add key i to S and z before you read step i "
                   "(a query sees its own key).")
    elif close(got, np.tril(phi_q @ phi_k.T) @ values, rtol):
        message = "The numerators are right; divide each by its denominator phi(q_i) . z_i."
    else:
        bad = int(np.sum(~np.isclose(got, ref, rtol=rtol, atol=rtol).all(axis=1)))
        message = (f"{bad} of {n} rows differ from sum_(j<=i) (phi(q_i).phi(k_j)) v_j / "
                   "sum_(j<=i) phi(q_i).phi(k_j).")
    return Feedback(name, "failed", [message])


@reports
def check_memory(fn: Callable[..., Any]) -> Feedback:
    """Check ``fn(n, d, n_features, c)``: the pair (linear-attention state, softmax cache).

    The first number is how many floats causal linear attention keeps between steps
    with ``n_features`` features and values of ``c`` columns; the second, how many
    exact softmax attention must keep after ``n`` steps with keys of ``d`` coordinates.

    Examples
    --------
    >>> check_memory(lambda n, d, D, c: (D * c, n * d)).status
    'failed'
    """
    n, d, n_features, c = 1000, 16, 64, 8
    result = call_answer(fn, n, d, n_features, c)
    got, _ = answer_array(result, (2,),
                          "a pair of numbers: (state of linear attention, cache of softmax attention)")
    name = answer_name(fn)
    state, cache = n_features * c + n_features, n * (d + c)
    messages = []
    if got[0] != state:
        if got[0] == n_features * c:
            messages.append("The state has S (D x c numbers) and also z (D more numbers): add them.")
        elif got[0] in (n * n_features * c, n * (n_features * c + n_features)):
            messages.append("The state does not grow with n: it is S_i and z_i of the current "
                            "step only.")
        else:
            messages.append(f"The state of linear attention holds S_i and z_i; with D = "
                            f"{n_features} and c = {c}, count their entries.")
    if got[1] != cache:
        if got[1] in (n * d, n * c):
            messages.append("Softmax attention keeps every earlier key and every earlier value: "
                            "n (d + c) numbers.")
        elif got[1] == n * n:
            messages.append("The n x n score matrix need not be kept; what must be kept are the "
                            "earlier keys and values.")
        else:
            messages.append("After n steps softmax attention keeps the n keys (d numbers each) "
                            "and the n values (c numbers each).")
    return Feedback(name, "failed" if messages else "passed", messages)
