"""Learner checks of the unit-sphere exercise: dot-product attention and its temperature."""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any

import numpy as np

from ..pooling import nadaraya_watson
from .feedback import Feedback, answer_array, answer_name, as_numpy, call_answer, close, reports

__all__ = ["check_sphere_attention", "check_dot_attention_as_nw", "check_effective_keys"]


def _vectors(seed: int) -> tuple[Any, Any, Any]:
    import torch

    gen = torch.Generator().manual_seed(seed)
    q = torch.randn(4, 5, generator=gen, dtype=torch.float64)
    k = torch.randn(9, 5, generator=gen, dtype=torch.float64)
    v = torch.randn(9, 3, generator=gen, dtype=torch.float64)
    return q, k, v


def _softmax_pool(q: Any, k: Any, v: Any, scale: float, bias: Any = 0.0) -> np.ndarray:
    import torch

    return as_numpy(torch.softmax(scale * q @ k.T + bias, dim=-1) @ v)


def _grade(fn: Callable[..., Any], q: Any, k: Any, v: Any, h: float,
           mistakes: Callable[[], list[tuple[np.ndarray, str]]], target: str) -> Feedback:
    """Grade ``fn`` on copies of the data against Gaussian Nadaraya-Watson of width ``h``.

    It passes, or fails with the message of the first of ``mistakes()`` it matches, or
    with how far it is from ``target`` (the right answer, as the learner's task names it).
    """
    result = call_answer(fn, q.clone(), k.clone(), v.clone(), h)
    got, rtol = answer_array(result, (4, 3), "one pooled value vector per query, (queries, value size)")
    name = answer_name(fn)
    ref = as_numpy(nadaraya_watson(q, k, v, bandwidth=h))
    if close(got, ref, rtol):
        return Feedback(name, "passed")
    for wrong, message in mistakes():
        if close(got, wrong, rtol):
            return Feedback(name, "failed", [message])
    return Feedback(name, "failed", [
        f"The result differs from {target} by up to {np.max(np.abs(got - ref)):.3g}."])


@reports
def check_sphere_attention(fn: Callable[..., Any]) -> Feedback:
    """Check ``fn(queries, keys, values, h)`` on unit-norm queries and keys.

    Queries (4, 5) and keys (9, 5) are float64 torch tensors of norm 1, values
    (9, 3); the result (4, 3) is compared with Gaussian Nadaraya-Watson of width
    ``h`` and with the usual mistakes of scale and axis. A float32 result is
    compared at float32's precision.

    Examples
    --------
    >>> import torch
    >>> def default_scale(q, k, v, h):  # forgets scale=: uses 1/sqrt(d)
    ...     return torch.nn.functional.scaled_dot_product_attention(q, k, v)
    >>> print(check_sphere_attention(default_scale).messages[0][:36])
    You used the default scale 1/sqrt(d)
    """
    import torch

    q, k, v = _vectors(2)
    q, k, h = q / q.norm(dim=1, keepdim=True), k / k.norm(dim=1, keepdim=True), 0.8

    def mistakes() -> list[tuple[np.ndarray, str]]:
        scales = {
            1 / (2 * h**2): "You scaled the dot products by 1/(2 h^2). The 2 cancels: "
            "||q - k||^2 / (2 h^2) = (2 - 2 q.k) / (2 h^2) = const - q.k / h^2.",
            1 / h: "You scaled the dot products by 1/h; the temperature is h^2.",
            1 / math.sqrt(5): "You used the default scale 1/sqrt(d) of "
            "scaled_dot_product_attention; pass scale=1 / h**2.",
            1.0: "You did not scale the dot products; divide them by h^2 before the softmax.",
        }
        return [(_softmax_pool(q, k, v, scale), message) for scale, message in scales.items()] + [
            (as_numpy(torch.softmax(q @ k.T / h**2, dim=0) @ v),
             "The softmax runs over the queries; each query's weights must sum to 1 over the "
             "keys (dim=-1).")]

    return _grade(fn, q, k, v, h, mistakes, "softmax(q k^T / h^2) v")


@reports
def check_dot_attention_as_nw(fn: Callable[..., Any]) -> Feedback:
    """Check ``fn(queries, keys, values, h)``: plain dot-product attention, off the sphere.

    Queries (4, 5) and keys (9, 5) are float64 torch tensors of norms from about 0.3 to
    3, values (9, 3); the result (4, 3) is compared with ``softmax(q k^T / h^2) v``, the
    attention the task rewrites as a Gaussian smoother with a prior weight per key, and
    with the usual mistakes in that weight.

    Examples
    --------
    >>> import nwlib
    >>> def no_prior(q, k, v, h):
    ...     return nwlib.nadaraya_watson(q, k, v, bandwidth=h)
    >>> print(check_dot_attention_as_nw(no_prior).messages[0][:40])
    That is Gaussian Nadaraya-Watson without
    """
    q, k, v = _vectors(3)
    q = q * (0.3 + 2.7 * (q[:, :1].abs() / q[:, :1].abs().max()))
    k = k * (0.3 + 2.7 * (k[:, :1].abs() / k[:, :1].abs().max()))
    h = 1.3
    result = call_answer(fn, q.clone(), k.clone(), v.clone(), h)
    got, rtol = answer_array(result, (4, 3), "one pooled value vector per query, (queries, value size)")
    name = answer_name(fn)
    sq = (k**2).sum(dim=1)
    ref = _softmax_pool(q, k, v, 1 / h**2)
    if close(got, ref, rtol):
        return Feedback(name, "passed")
    mistakes = [
        (0.0, "That is Gaussian Nadaraya-Watson without prior weights; plain attention "
              "weighs key i by a factor that grows with ||k_i||."),
        (-sq / (2 * h**2), "The prior weight has the wrong sign: plain attention favours long keys, "
                     "so pi_i grows with ||k_i||."),
        (sq / h**2, "The prior weight is counted twice: exp(||k_i||^2 / h^2) instead of "
                          "the square root of it."),
        (sq / 2, "Scale the norm in the prior weight by the width, as in the "
                             "kernel: the 1/h^2 of the scores applies to it too."),
    ]
    for extra, message in mistakes:
        # plain attention = Gaussian kernel * pi; a wrong pi' differs by pi'/pi = exp(extra)
        wrong = _softmax_pool(q, k, v, 1 / h**2, -sq / (2 * h**2) + extra)
        if close(got, wrong, rtol):
            return Feedback(name, "failed", [message])
    if close(got, as_numpy(nadaraya_watson(q / q.norm(dim=1, keepdim=True),
                                           k / k.norm(dim=1, keepdim=True), v, bandwidth=h)), rtol):
        return Feedback(name, "failed", ["You normalised the vectors: this task is about "
                                         "queries and keys as they are, off the sphere."])
    return Feedback(name, "failed", [
        f"The result differs from softmax(q k^T / h^2) v by up to {np.max(np.abs(got - ref)):.3g}."])


@reports
def check_effective_keys(fn: Callable[..., Any]) -> Feedback:
    """Check ``fn(weights)``: the effective number of keys of each row of attention weights.

    ``weights`` is an (m, n) array (numpy, or a torch tensor in a second run)
    whose rows sum to 1; the result (m,) is ``1 / sum_i weights[:, i]**2``, which
    is 1 when a query attends to one key and n when it spreads evenly.

    Examples
    --------
    >>> check_effective_keys(lambda w: (w**2).sum(axis=1)).status
    'failed'
    """
    import torch

    rng = np.random.default_rng(4)
    raw = rng.gamma(0.5, 1.0, (6, 10))
    raw[0] = 0.0
    raw[0, 3] = 1.0  # one query attends to a single key
    raw[1] = 1.0  # one spreads evenly
    weights = raw / raw.sum(axis=1, keepdims=True)
    ref = 1.0 / np.sum(weights**2, axis=1)
    name = answer_name(fn)
    for given in (weights.copy(), torch.from_numpy(weights.copy())):
        got, rtol = answer_array(call_answer(fn, given), (6,), "one number per query (row)")
        if close(got, ref, rtol):
            continue
        perplexity = np.exp(-np.sum(weights * np.log(np.where(weights > 0, weights, 1.0)), axis=1))
        if close(got, 1.0 / ref, rtol):
            message = "You returned sum_i w_i^2; the effective number of keys is its inverse."
        elif close(got, perplexity, rtol):
            message = ("You returned exp(entropy), the perplexity: another count of keys, but "
                       "this task asks for 1 / sum_i w_i^2.")
        elif close(got, 1.0 / np.sqrt(np.sum(weights**2, axis=1)), rtol):
            message = "Do not take the square root: 1 / sum_i w_i^2."
        else:
            message = ("The values differ from 1 / sum_i w_i^2 per row; a query that attends to "
                       f"one key should give 1, you gave {got[0]:.4g}; one spread over 10 keys "
                       f"should give 10, you gave {got[1]:.4g}.")
        kind = "a torch tensor" if isinstance(given, torch.Tensor) else "a numpy array"
        return Feedback(name, "failed", [message + f" (weights given as {kind})"])
    return Feedback(name, "passed")
