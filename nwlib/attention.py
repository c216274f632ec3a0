"""Nadaraya-Watson as the dot-product attention of deep learning.

For the Gaussian kernel of width ``s``,
``-||q - k||^2 / (2 s^2) = q.k / s^2 - ||k||^2 / (2 s^2) - ||q||^2 / (2 s^2)``.
The last term is the same for every key of a query, so the softmax over keys
drops it: Gaussian Nadaraya-Watson is softmax attention with scores ``q.k``,
scale ``1 / s^2`` and an additive per-key bias ``-||k||^2 / (2 s^2)``. On the
unit sphere the bias is constant too, and only ``softmax(q.k / s^2)`` remains.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from ._arrays import prepare

__all__ = ["sdpa_nadaraya_watson", "softmax", "logsumexp", "random_unit_vectors"]


def sdpa_nadaraya_watson(queries: Any, keys: Any, values: Any, bandwidth: float) -> Any:
    """Gaussian Nadaraya-Watson computed by ``torch.nn.functional.scaled_dot_product_attention``.

    Parameters
    ----------
    queries : array_like or torch.Tensor, shape (m,) or (m, d)
    keys : array_like or torch.Tensor, shape (n,) or (n, d)
    values : array_like or torch.Tensor, shape (n,) or (n, c)
    bandwidth : float
        The Gaussian width ``s > 0``; SDPA's ``scale`` is ``1 / s**2``.

    Returns
    -------
    predictions : shape (m,) for values of shape (n,), else (m, c); a numpy
    array for numpy input, a tensor for tensor input.

    Examples
    --------
    >>> from nwlib import nadaraya_watson
    >>> x = np.array([0.0, 1.0, 2.0]); y = np.array([0.0, 1.0, 4.0])
    >>> bool(np.allclose(sdpa_nadaraya_watson([0.5, 3.0], x, y, 0.7),
    ...                  nadaraya_watson([0.5, 3.0], x, y, bandwidth=0.7), atol=1e-12))
    True
    """
    import torch
    from torch.nn.functional import scaled_dot_product_attention

    if isinstance(bandwidth, (bool, str)) or not isinstance(bandwidth, (int, float)):
        raise TypeError(
            f"bandwidth={bandwidth!r}: pass one positive Python number (SDPA's scale is a "
            "float); for a width that learns, use nwlib.nadaraya_watson with a tensor."
        )
    p = prepare(queries, keys, values, bandwidth)
    q, k, v = (torch.as_tensor(a) for a in (p.queries, p.keys, p.values))
    s2 = float(bandwidth) ** 2
    # The per-key half of -||q - k||^2 / (2 s^2); the per-query half cancels in the softmax.
    bias = -(k * k).sum(dim=-1) / (2 * s2)
    out = scaled_dot_product_attention(
        q[None], k[None], v[None], attn_mask=bias[None, None, :], scale=1.0 / s2
    )[0]
    if p.values_were_1d:
        out = out[:, 0]
    return out if p.is_torch else out.numpy()


def _row_max(s: np.ndarray, axis: int) -> np.ndarray:
    if s.size == 0:
        raise ValueError("scores is empty; a softmax needs at least one score per row.")
    top = np.max(s, axis=axis, keepdims=True)
    if not np.all(np.isfinite(top)):
        raise ValueError(
            "scores has a row whose largest entry is not finite (all -inf, +inf or NaN); "
            "give every row at least one finite score."
        )
    return top


def logsumexp(scores: Any, axis: int = -1) -> np.ndarray:
    """``log(sum(exp(scores)))`` along ``axis``, without overflow or underflow.

    Subtracting the maximum ``M`` first makes the largest term ``exp(0) = 1``:
    ``log sum exp(s) = M + log sum exp(s - M)``.

    Examples
    --------
    >>> float(logsumexp(np.array([1000.0, 1000.0])))  # log(2 e^1000)
    1000.6931471805599
    """
    s = np.asarray(scores, dtype=float)
    top = _row_max(s, axis)
    return np.squeeze(top, axis=axis) + np.log(np.sum(np.exp(s - top), axis=axis))


def softmax(scores: Any, axis: int = -1) -> np.ndarray:
    """The numerically stable softmax ``exp(s - M) / sum exp(s - M)``, ``M = max s``.

    Examples
    --------
    >>> softmax(np.array([1000.0, 999.0, -np.inf])).round(4).tolist()
    [0.7311, 0.2689, 0.0]
    """
    s = np.asarray(scores, dtype=float)
    e = np.exp(s - _row_max(s, axis))
    return e / np.sum(e, axis=axis, keepdims=True)


def random_unit_vectors(n: int, d: int, *, seed: int) -> np.ndarray:
    """``n`` seeded points drawn uniformly on the unit sphere of R^d, shape (n, d).

    Examples
    --------
    >>> u = random_unit_vectors(4, 3, seed=0)
    >>> np.linalg.norm(u, axis=1).round(12).tolist()
    [1.0, 1.0, 1.0, 1.0]
    """
    if int(n) != n or int(d) != d or n < 1 or d < 1:
        raise ValueError(f"n={n!r}, d={d!r}: pass positive whole numbers.")
    g = np.random.default_rng(seed).standard_normal((int(n), int(d)))
    return g / np.linalg.norm(g, axis=1, keepdims=True)
