"""Leave-one-out error of Gaussian Nadaraya-Watson for many widths in one pass.

The distances between the points are computed once per block of rows and shared by
every candidate width; see :func:`gaussian_loo_mse`.
"""

from __future__ import annotations

import math

import numpy as np

from ..blocking import row_blocks
from . import cpu_gauss
from .cpu_gauss import (
    TILE_ELEMENTS,
    TORCH_TILE_ELEMENTS,
    exp_floor,
    exp_inplace,
    half_sq_dists,
    inverse_2h2,
    parallel,
    products,
)
from .cutoff import negligible_gap

__all__ = ["gaussian_loo_mse"]


def gaussian_loo_mse(keys: np.ndarray, values: np.ndarray, widths: np.ndarray) -> np.ndarray:
    """Leave-one-out mean squared error of Gaussian NW for each candidate width.

    ``widths`` has shape (w,) (one width for every coordinate) or (w, d).
    For a shared width the distances, their leave-one-out row minimum and the
    self-exclusion are computed once per block of rows and reused by every
    width: only the scaling, ``exp`` and the products remain per width. In 1-D
    the keys are sorted first, and each width only visits the band of keys
    whose weight is not negligible (:func:`nwlib._backends.cutoff.negligible_gap`); where
    no row needs its max shift, each pair is computed once
    (:func:`_symmetric_sums`). Excluding the point itself (distance set to
    ``inf``) rather than subtracting its weight from the full sum keeps narrow
    widths exact, where the self term would dominate the sum.

    Examples
    --------
    >>> x = np.array([[0.0], [1.0], [2.0]]); y = np.array([[0.0], [1.0], [2.0]])
    >>> gaussian_loo_mse(x, y, np.array([1e-3])).round(6).tolist()  # errors 1, 0, 1
    [0.666667]
    """
    n, d = keys.shape
    widths = np.asarray(widths, dtype=float)
    shared = widths.ndim == 1
    banded = shared and d == 1
    if banded:  # the error is a sum over points: their order does not matter
        order = np.argsort(keys[:, 0], kind="stable")
        keys, values = keys[order], values[order]
    c = values.shape[1]
    v1 = np.empty((n, c + 1), dtype=values.dtype)
    v1[:, :c], v1[:, c] = values, 1
    # Beyond this many units of -log(weight) a weight is negligible (cutoff.negligible_gap).
    reach = negligible_gap(n - 1, keys.dtype)
    mse = np.empty(widths.shape[0])
    todo = np.ones(widths.shape[0], dtype=bool)
    if banded:
        gaps = np.diff(keys[:, 0].astype(float))
        nearest = np.minimum(np.append(gaps, np.inf), np.insert(gaps, 0, np.inf)) ** 2
        # Unshifted weights stay normal numbers, far from underflow, for these widths.
        todo = np.max(nearest) / (2 * widths**2) > -exp_floor(keys.dtype) - reach - 10
        easy = ~todo
        if easy.any():
            sums = _symmetric_sums(keys[:, 0], v1, widths[easy], np.max(nearest), reach)
            pred = sums[..., :c] / sums[..., c:]
            mse[easy] = np.sum((pred - values) ** 2, axis=(1, 2)) / n
    if todo.any():
        mse[todo] = _shifted_loo_mse(keys, values, v1, widths[todo], banded, reach)
    return mse


def _symmetric_sums(
    x: np.ndarray, v1: np.ndarray, widths: np.ndarray, nearest: float, reach: float
) -> np.ndarray:
    """Leave-one-out sums ``sum_{j != i} k_ij v1_j`` of sorted 1-D points, shape (w, n, c+1).

    The weights are used without the row-max shift, which the caller allows only
    when they stay normal numbers. Then ``k_ij = k_ji``: each pair is computed once,
    in the block of rows holding its smaller index, and adds to both rows' sums.
    Pairs farther apart than ``sqrt(2 h^2 reach + nearest)`` are negligible for both.
    Blocks go to the thread pool (:func:`nwlib._backends.cpu_gauss.parallel`), through
    torch's kernels when it is installed.
    """
    n = x.shape[0]
    radius = np.sqrt(2 * widths**2 * reach + nearest)
    widest = int(np.max(np.searchsorted(x, x + radius.max(), side="right") - np.arange(n)))
    torch = cpu_gauss.torch_or_none()  # looked up on the module, so that tests can hide torch
    tile = TILE_ELEMENTS if torch is None else TORCH_TILE_ELEMENTS
    step = int(np.clip(tile // max(widest, 1), 16, n))
    scales = [x.dtype.type(-0.5 / (h * h)) for h in widths]
    floor = -exp_floor(x.dtype)
    v1_t = np.ascontiguousarray(v1.T)
    xs, v1s, v1ts = (x, v1, v1_t) if torch is None else map(torch.from_numpy, (x, v1, v1_t))

    def block(rows: slice) -> tuple[slice, np.ndarray]:
        r0, r1 = rows.start, rows.stop
        ends = [max(r1, int(np.searchsorted(x, x[r1 - 1] + r, side="right"))) for r in radius]
        base = (xs[r0:r1, None] - xs[None, r0 : max(ends)]) ** 2
        local = np.arange(r1 - r0)
        base[local, local] = np.inf  # the point itself: weight 0
        buffer = base.reshape(-1).clone() if torch is not None else np.empty(base.size, x.dtype)
        acc = np.zeros((len(widths), base.shape[1], v1.shape[1]), dtype=v1.dtype)
        for k, end in enumerate(ends):
            w = buffer[: (r1 - r0) * (end - r0)].reshape(r1 - r0, end - r0)
            # Above the floor but for the point itself (-inf): skip exp's check.
            low = (x[end - 1] - x[r0]) ** 2 * -scales[k] >= floor
            if torch is None:
                exp_inplace(np.multiply(base[:, : end - r0], scales[k], out=w), low)
            else:
                torch.mul(base[:, : end - r0], float(scales[k]), out=w)
                if low:
                    torch.nn.functional.threshold_(w, -floor, -math.inf)
                w.exp_()
            acc[k, : r1 - r0] += np.asarray(products(w, v1ts, v1s, r0, end))
            acc[k, r1 - r0 : end - r0] += np.asarray(products(w[:, r1 - r0 :].T, v1ts, v1s, r0, r1))
        return slice(r0, r0 + base.shape[1]), acc

    blocks = [slice(s, min(s + step, n)) for s in range(0, n, step)]
    total = np.zeros((len(widths), n, v1.shape[1]), dtype=v1.dtype)
    for cols, acc in parallel(block, blocks):
        total[:, cols] += acc
    return total


def _shifted_loo_mse(
    keys: np.ndarray, values: np.ndarray, v1: np.ndarray, widths: np.ndarray, banded: bool,
    reach: float,
) -> np.ndarray:
    """Leave-one-out errors with each row's own max shift: exact for any width."""
    n, d = keys.shape
    c = values.shape[1]
    shared = widths.ndim == 1
    k_t = np.ascontiguousarray(keys.T)

    def block(rows: slice) -> np.ndarray:
        local = np.arange(rows.stop - rows.start)
        err = np.empty(widths.shape[0])
        if shared:
            base, mins = _loo_dists(keys[rows], k_t, np.ones(d, keys.dtype), rows, local)
            buffer = np.empty(base.size, dtype=keys.dtype)
        lo, hi = 0, n
        for i, h in enumerate(widths):
            if shared:
                if banded:
                    lo, hi = _band(keys[:, 0], keys[rows, 0], mins, 2 * h * h * reach)
                work = buffer[: base.shape[0] * (hi - lo)].reshape(base.shape[0], hi - lo)
                np.multiply(base[:, lo:hi], keys.dtype.type(-0.5 / (h * h)), out=work)
            else:
                scale = inverse_2h2(h, keys.dtype)
                work = np.negative(_loo_dists(keys[rows], k_t, scale, rows, local)[0])
            sums = exp_inplace(work) @ v1[lo:hi]
            err[i] = np.sum((sums[:, :c] / sums[:, c:] - values[rows]) ** 2)
        return err

    return np.sum(parallel(block, row_blocks(n, n, elements=TILE_ELEMENTS)), axis=0) / n


def _band(x: np.ndarray, rows_x: np.ndarray, mins: np.ndarray, slack: float) -> tuple[int, int]:
    """Columns of sorted ``x`` within reach of any row: ``(x_i - x_j)^2 <= min_i + slack``."""
    radius = np.sqrt(mins + slack)
    lo = int(np.searchsorted(x, np.min(rows_x - radius), side="left"))
    hi = int(np.searchsorted(x, np.max(rows_x + radius), side="right"))
    return lo, hi


def _loo_dists(
    q: np.ndarray, k_t: np.ndarray, scale: np.ndarray, rows: slice, local: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """Scaled squared distances minus each row's minimum over the *other* keys, and those minima.

    The point itself gets ``inf`` (weight 0). Subtracting the row minimum before
    scaling is the row-max shift, and it commutes with the scaling by ``1/h^2``.
    """
    dist = np.empty((rows.stop - rows.start, k_t.shape[1]), dtype=q.dtype)
    half_sq_dists(q, k_t, scale, dist)
    dist[local, local + rows.start] = np.inf
    mins = dist.min(axis=1)
    dist -= mins[:, None]
    return dist, mins
