"""Exact Nadaraya-Watson sums for kernels of compact support, one key slice per block.

A kernel of radius ``R`` is exactly 0 beyond ``u = R``, and ``u`` is at least the
scaled distance along any one coordinate. Sorting the keys along one coordinate
therefore puts every key that can have a weight for a query in one slice of the
sorted keys; a block of neighbouring sorted queries shares the union of their
slices. Nothing is approximated:

- a slice holds every key with ``|fl(fl(q - k) / h)| <= R (1 + 8 eps)`` along the
  axis, its ends rounded outward: a superset of the keys whose rounded scaled
  distance is within the support, so every key left out has weight exactly 0 in
  the reference code too;
- inside a slice the squared scaled distances ``s`` are rounded exactly as the
  reference code rounds them (differences, division by the width, squares summed
  in coordinate order), so a key on the edge of the support is in or out as it is
  there; the weights are the kernel's profile of ``s``.

Built-in kernels on numpy arrays (d <= 7) take a route of in-place torch kernels
on the thread pool (:func:`.cpu_gauss.parallel`); every other case (tensors,
custom kernels) scores the slices with the caller's reference score function.
"""

from __future__ import annotations

import math
import threading
from collections.abc import Callable
from typing import Any

import numpy as np

from ..blocking import tile_elements
from ..logspace import shifted_exp
from .cpu_gauss import parallel, products, torch_or_none
from .cutoff import RadiusPlan, plan_within

__all__ = ["compact_sums", "evaluated_pairs", "PROFILES"]

#: numpy sums up to this many coordinates in order; beyond, pairwise (which the
#: in-place route does not reproduce).
SEQUENTIAL_SUM_MAX_D = 7


def _numpy(a: Any) -> np.ndarray:
    return np.asarray(a.detach().cpu()) if hasattr(a, "detach") else np.asarray(a)


def _plan(queries: Any, keys: Any, bandwidth: Any, radius: float, row_elements: int) -> RadiusPlan:
    """Plan the blocks (:func:`.cutoff.plan_within`) of numpy or torch input."""
    return plan_within(_numpy(queries), _numpy(keys), _numpy(bandwidth), radius,
                       max(1, tile_elements() // row_elements))


def evaluated_pairs(queries: np.ndarray, keys: np.ndarray, bandwidth: np.ndarray,
                    radius: float = 1.0) -> int:
    """How many kernel values :func:`compact_sums` evaluates, out of m n.

    Examples
    --------
    >>> x = np.linspace(0, 100, 1001)[:, None]
    >>> evaluated_pairs(x, x, np.array([0.1])) / x.size**2 < 0.02
    True
    """
    plan = _plan(queries, keys, bandwidth, radius, 1)
    return sum((r.stop - r.start) * (hi - lo) for r, lo, hi in plan.blocks)


def compact_sums(
    queries: Any, keys: Any, values: Any, bandwidth: Any, radius: float, profile: str | None,
    scores_of: Callable[[Any, Any], Any], xp: Any,
) -> Any:
    """``sum_i w_i [v_i, 1]`` for each query, shape (m, c + 1), in the queries' order.

    The weights are the kernel's, up to one positive factor per row; a query with
    no key in reach gets a row of zeros. Only the keys in its slice
    (:func:`.cutoff.key_slices`) are evaluated.

    Parameters
    ----------
    queries, keys : (m, d), (n, d) arrays or tensors, prepared
    values : (n, c) array or tensor
    bandwidth : (d,) widths
    radius : float
        The kernel's radius: it is 0 beyond ``u = radius``.
    profile : str or None
        The name of a built-in kernel in :data:`PROFILES`, whose profile the
        in-place route evaluates; None for any other kernel.
    scores_of : callable
        ``scores_of(q_block, k_block)`` -> the reference code's (r, w) log-kernel
        scores, ``-inf`` outside the support.
    xp : array namespace of the inputs

    Examples
    --------
    >>> inside = lambda s: np.where(s <= 1, 0.0, -np.inf)  # the boxcar's log-kernel
    >>> scores = lambda q, k: inside(np.sum((q[:, None] - k[None]) ** 2, axis=-1))
    >>> x = np.array([[0.0], [1.0], [3.0]]); v = np.array([[1.0], [2.0], [5.0]])
    >>> compact_sums(np.array([[0.5]]), x, v, np.array([1.0]), 1.0, "boxcar", scores, np).tolist()
    [[3.0, 2.0]]
    """
    d = queries.shape[1]
    torch = None if hasattr(keys, "detach") else torch_or_none()
    if torch is not None and d <= SEQUENTIAL_SUM_MAX_D and profile in PROFILES:
        return _inplace_sums(np.asarray(queries), np.asarray(keys), np.asarray(values),
                             np.asarray(bandwidth), radius, PROFILES[profile], torch)
    return _scored_sums(queries, keys, values, bandwidth, radius, scores_of, xp)


def _boxcar(s: Any, _tmp: Any) -> Any:
    return s.le_(1)


def _triangular(s: Any, _tmp: Any) -> Any:
    return s.sqrt_().neg_().add_(1).clamp_min_(0)


def _epanechnikov(s: Any, _tmp: Any) -> Any:
    return s.neg_().add_(1).clamp_min_(0)


def _tricube(s: Any, tmp: Any) -> Any:
    import torch

    return s.mul_(torch.sqrt(s, out=tmp)).neg_().add_(1).clamp_min_(0).pow_(3)


def _cosine(s: Any, _tmp: Any) -> Any:
    outside = s >= 1  # cos(pi/2) rounds to 6e-17, not 0: the edge is cut explicitly
    return s.sqrt_().mul_(math.pi / 2).cos_().masked_fill_(outside, 0)


#: Each built-in compact kernel's profile as a function of s = u^2, in place, with
#: the same operations as its definition in :mod:`nwlib.kernels` (0 outside the support).
PROFILES: dict[str, Callable[[Any, Any], Any]] = {
    "boxcar": _boxcar, "triangular": _triangular, "epanechnikov": _epanechnikov,
    "tricube": _tricube, "cosine": _cosine,
}


def _inplace_sums(queries: np.ndarray, keys: np.ndarray, values: np.ndarray,
                  bandwidth: np.ndarray, radius: float, profile: Callable[[Any, Any], Any],
                  torch: Any) -> np.ndarray:
    """Numpy inputs, a built-in kernel: blocks of in-place torch kernels on the pool.

    Weights are the profile itself, without the row-max shift of the reference
    code: they lie in [0, 1] and stay normal numbers wherever they are not 0.
    """
    plan = _plan(queries, keys, bandwidth, radius, 1)
    n, c = values.shape
    d = keys.shape[1]
    q = torch.from_numpy(np.ascontiguousarray(queries[plan.query_order]))
    k_t = torch.from_numpy(np.ascontiguousarray(keys[plan.key_order].T))
    v1 = np.empty((n, c + 1), dtype=values.dtype)
    v1[:, :c], v1[:, c] = values[plan.key_order], 1
    v1_t, v1_torch = torch.from_numpy(np.ascontiguousarray(v1.T)), torch.from_numpy(v1)
    # (1, 1) tensors: a true division, as numpy's, where a scalar divisor may become
    # a multiplication by its reciprocal.
    h = [torch.full((1, 1), float(b), dtype=q.dtype) for b in bandwidth]
    size = max((r.stop - r.start) * (hi - lo) for r, lo, hi in plan.blocks)
    local = threading.local()

    def block(item: tuple[slice, int, int]) -> np.ndarray:
        rows, lo, hi = item
        if lo == hi:
            return np.zeros((rows.stop - rows.start, c + 1), dtype=values.dtype)
        if not hasattr(local, "buf"):
            local.buf, local.tmp = torch.empty(size, dtype=q.dtype), torch.empty(size, dtype=q.dtype)
        r = rows.stop - rows.start
        s = local.buf[: r * (hi - lo)].view(r, hi - lo)
        t = local.tmp[: r * (hi - lo)].view(r, hi - lo)
        for j in range(d):  # s = sum_j ((q_j - k_j) / h_j)^2, in coordinate order
            out = s if j == 0 else t
            torch.sub(q[rows, j : j + 1], k_t[j : j + 1, lo:hi], out=out)
            out.div_(h[j])
            out.mul_(out)
            if j:
                s.add_(t)
        w = profile(s, t)
        return products(w, v1_t, v1_torch, lo, hi).numpy()

    out = np.empty((queries.shape[0], c + 1), dtype=values.dtype)
    for (rows, _, _), part in zip(plan.blocks, parallel(block, plan.blocks), strict=True):
        out[plan.query_order[rows]] = part
    return out


def _scored_sums(queries: Any, keys: Any, values: Any, bandwidth: Any, radius: float,
                 scores_of: Callable[[Any, Any], Any], xp: Any) -> Any:
    """Sum any input with any compact kernel, by the reference scores on each slice.

    The scores are shifted by the row maximum as there. Tensors stay in the calling
    thread, where autograd records the graph and torch uses its own threads.
    """
    n, c = values.shape
    plan = _plan(queries, keys, bandwidth, radius, keys.shape[1])
    tensors = hasattr(keys, "detach")
    device = keys.device if tensors else None

    def index(a: np.ndarray) -> Any:
        return xp.asarray(a, device=device) if tensors else a

    k_sorted = xp.take(keys, index(plan.key_order), axis=0)
    q_sorted = xp.take(queries, index(plan.query_order), axis=0)
    ones = xp.ones((n, 1), dtype=values.dtype, device=device)
    v1 = xp.take(xp.concat([values, ones], axis=1), index(plan.key_order), axis=0)

    def block(item: tuple[slice, int, int]) -> Any:
        rows, lo, hi = item
        if lo == hi:
            return xp.zeros((rows.stop - rows.start, c + 1), dtype=values.dtype, device=device)
        scores = scores_of(q_sorted[rows], k_sorted[lo:hi])
        return shifted_exp(scores, axis=1) @ v1[lo:hi]

    parts = [block(item) for item in plan.blocks] if tensors else parallel(block, plan.blocks)
    sums = xp.concat(parts, axis=0) if len(parts) > 1 else parts[0]
    return xp.take(sums, index(np.argsort(plan.query_order)), axis=0)
