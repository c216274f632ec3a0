"""Scores and weights of queries against keys, in any array library.

The building blocks every pooling route shares: log-kernel scores of scaled
distances, the limit of a decaying kernel's weights far beyond the dtype's range
of distances (the nearest keys), and the row-max shift that keeps ``exp`` in range.
"""

from __future__ import annotations

import math
from typing import Any

import array_api_compat
import numpy as np

from .kernels import Kernel
from .logspace import shifted_exp

__all__: list[str] = []


def log_scores(queries: Any, keys: Any, bandwidth: Any, kernel: Kernel, xp: Any) -> Any:
    """Log-kernel scores ``log k(||(q - k) / h||)`` of prepared (m, d) and (n, d) arrays.

    A scaled distance too large for the dtype gives ``u^2 = inf``, silently: the
    right limit for a density. For weights, see :func:`weight_scores`.
    """
    # Overflow to inf is the right limit here, and underflow to 0 too: no warning.
    with np.errstate(over="ignore", under="ignore"):
        diff = (queries[:, None, :] - keys[None, :, :]) / bandwidth
        return kernel.log_profile(xp.sum(diff * diff, axis=-1), xp)


def weight_scores(scores: Any, queries: Any, keys: Any, bandwidth: Any, kernel: Kernel,
                  xp: Any, *, exclude: Any = None) -> Any:
    """``scores`` (m, n), with the nearest keys' limit where every key is out of range.

    For a kernel that never reaches 0, a row whose every score is ``-inf`` has all
    its keys beyond the dtype's range of distances, not out of reach: its weights
    tend to equal weights on the nearest keys (:func:`nearest_keys`), so they get
    score 0 and the rest ``-inf``. ``bandwidth`` broadcasts against (m, n, d).
    ``exclude`` (boolean (m, n), e.g. each point itself when leaving it out) marks
    keys that take no part: never nearest.
    """
    if kernel.compact or scores.shape[1] == 0:
        return scores
    beyond = ~xp.isfinite(xp.max(scores, axis=1, keepdims=True))
    if not bool(xp.any(beyond)):
        return scores
    nearest = nearest_keys(queries, keys, bandwidth, xp, exclude=exclude)
    limit = xp.where(nearest, xp.zeros_like(scores), xp.full_like(scores, -math.inf))
    return xp.where(beyond, limit, scores)


def nearest_keys(queries: Any, keys: Any, bandwidth: Any, xp: Any, *, exclude: Any = None) -> Any:
    """Boolean (m, n): which keys are nearest each query in scaled distance.

    The limit of a decaying kernel's weights when the scaled distances exceed the
    dtype's range: the score gap between the nearest keys and the next is then at
    least about ``eps u^2``, far beyond any exponent. So the distances must be
    compared as exactly as the scores would have been, to a few units in the last
    place of ``|u|^2``, not through ``log |u|`` (whose rounding is ``eps log|u|``, a
    hundred times coarser). Each coordinate's ``(q - k) / h`` is held as a mantissa
    ratio times a power of two (``frexp``), so nothing overflows or underflows.

    Examples
    --------
    >>> nearest_keys(np.array([[1e300]]), np.array([[0.0], [5e299]]), np.array([1e-300]), np)
    array([[False,  True]])
    >>> q, k = np.array([[75000.0]], np.float32), np.array([[-0.25], [-0.75]], np.float32)
    >>> nearest_keys(q, k, np.array([1e-23], np.float32), np)  # 1 part in 150,000
    array([[ True, False]])
    """
    if hasattr(bandwidth, "detach"):  # a mask: no gradient flows through it
        queries, keys, bandwidth = (a.detach() for a in (queries, keys, bandwidth))
    diff = queries[:, None, :] - keys[None, :, :]
    with np.errstate(over="ignore", invalid="ignore"):
        # q - k overflows only for finite q, k of opposite signs near the top of the
        # range; halving both first is exact there, and the exponent takes the 2 back.
        wide = ~xp.isfinite(diff)
        diff = xp.where(wide, queries[:, None, :] / 2 - keys[None, :, :] / 2, diff)
        diff, _ = xp.broadcast_arrays(diff, bandwidth)
        m_diff, e_diff = xp.frexp(diff)
        m_h, e_h = xp.frexp(xp.broadcast_to(bandwidth, diff.shape))
    ratio = m_diff / m_h  # in (0.5, 2) in magnitude, or 0: one rounding
    e = xp.astype(e_diff, xp.int64) - xp.astype(e_h, xp.int64) + xp.astype(wide, xp.int64)
    low = -(1 << 40)  # the exponent of an exact 0: below every real one
    e = xp.where(ratio == 0, xp.full_like(e, low), e)
    top = xp.max(e, axis=-1, keepdims=True)  # |u| is about 2**top
    two = xp.asarray(2.0, dtype=ratio.dtype, device=array_api_compat.device(ratio))
    # Coordinates far below the largest underflow to 0: they cannot change |u|^2.
    part = ratio * two ** xp.astype(xp.clip(e - top, -4096, 0), ratio.dtype)
    norm = xp.sum(part * part, axis=-1)  # |u|^2 / 4**top, in [0.25, 4 d)
    top = top[..., 0]
    finite = norm > 0
    usable = finite if exclude is None else finite & ~exclude
    row_low = xp.min(xp.where(usable, top, xp.full_like(top, 1 << 40)), axis=1, keepdims=True)
    # |u|^2 / 4**row_low: overflows to inf only for keys that cannot be nearest.
    shift = xp.astype(xp.clip(2 * (top - row_low), 0, 4096), ratio.dtype)
    with np.errstate(over="ignore"):
        scaled = xp.where(finite, norm * two**shift, xp.zeros_like(norm))
    if exclude is not None:
        scaled = xp.where(exclude, xp.full_like(scaled, math.inf), scaled)
    return scaled == xp.min(scaled, axis=1, keepdims=True)


def shifted_weights(scores: Any, xp: Any) -> tuple[Any, Any, Any]:
    """Weights ``exp(scores - row max)``, their row sums (m, 1), and the empty rows (m,).

    A row with no key in reach (all scores -inf) gets weights 0 and sum 0; the
    shift carries no gradient, since the normalised weights do not depend on it.
    """
    w = shifted_exp(scores, axis=1)
    total = xp.sum(w, axis=1, keepdims=True)
    return w, total, total[:, 0] == 0
