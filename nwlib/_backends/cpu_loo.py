"""Leave-one-out error of Gaussian Nadaraya-Watson for many widths in one pass.

The distances between the points are computed once per block of rows and shared by
every candidate width; see :func:`gaussian_loo_mse`.
"""

from __future__ import annotations

import math

import numpy as np

from ..blocking import row_blocks, tile_elements
from . import cpu_gauss
from .cpu_gauss import (
    exp_floor,
    exp_inplace,
    half_sq_dists,
    in_range,
    inverse_2h2,
    parallel,
    products,
)
from .cutoff import SKIP_SHARE, key_slices, negligible_gap

__all__ = ["gaussian_loo_mse"]

#: Fewest rows of a block of :func:`_symmetric_sums`: each block computes its pairs
#: with the rows after it, so very thin blocks would repeat the Python work per
#: block for little arithmetic.
MIN_ROWS = 16
#: The band's bound on a sum, relative to its largest weight, is 2**-(p+8) max|v|
#: (:func:`nwlib._backends.cutoff.negligible_gap`); the exactness goal is 2**-(p+3)
#: of sum_j w_j |v_j| (:data:`SKIP_SHARE` 2**-p): the ratio of the two, 2**5.
BAND_ALLOWANCE = SKIP_SHARE * 2**8
#: Margin, in units of -log(weight), between the widest unshifted weight exponent
#: and the dtype's normal range: below it a width takes the shifted route.
UNSHIFTED_MARGIN = 10


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

    The band is exact for values of any size: a key left out of it adds at most
    ``2**-(p+8) max|v|`` (relative to the row's largest weight) to a sum, and each
    row checks that this is below ``2**-(p+3)`` of its own ``sum_j w_j |v_j|``; a
    width where some row fails is computed again with the band widened by
    just enough (all keys, if need be). Widths whose scores do not fit the dtype
    (:func:`nwlib._backends.cpu_gauss.in_range`: a nearest neighbour millions of
    widths away, or a width beyond 1e154) get NaN: the caller's exact path, which
    takes the nearest-neighbour and the mean limits, scores those.

    Examples
    --------
    >>> x = np.array([[0.0], [1.0], [2.0]]); y = np.array([[0.0], [1.0], [2.0]])
    >>> gaussian_loo_mse(x, y, np.array([1e-3])).round(6).tolist()  # errors 1, 0, 1
    [0.666667]
    >>> gaussian_loo_mse(x, y, np.array([1e-300])).tolist()  # left to the exact path
    [nan]
    """
    n, d = keys.shape
    widths = np.asarray(widths, dtype=float)
    shared = widths.ndim == 1
    mse = np.full(widths.shape[0], np.nan)
    served = np.array([in_range(keys, keys, np.broadcast_to(h, (d,))) for h in widths])
    if not served.any():
        return mse
    banded = shared and d == 1
    if banded:  # the error is a sum over points: their order does not matter
        order = np.argsort(keys[:, 0], kind="stable")
        keys, values = keys[order], values[order]
    # Columns: the values, 1 (the weights' sum), |values| (each row's scale, for the band).
    v1 = np.concatenate([values, np.ones((n, 1), values.dtype), np.abs(values)], axis=1)
    # Beyond this many units of -log(weight) a weight is negligible (cutoff.negligible_gap).
    base = negligible_gap(n - 1, keys.dtype)
    reach = np.full(widths.shape[0], base)
    todo = served
    for _ in range(2):  # the second pass widens the band where a large value lies beyond it
        err, ratio = np.full(widths.shape[0], np.nan), np.zeros(widths.shape[0])
        with np.errstate(over="ignore", under="ignore"):
            err[todo], ratio[todo] = _loo_errors(keys, values, v1, widths[todo], reach[todo],
                                                 banded)
        # The band moves a sum by at most 2**-(p+8) e^-(reach - base) max|v| w_max, and
        # w_max <= sum_j w_j: within 2**-(p+3) sum_j w_j |v_j| while ratio <= 32 e^(...).
        fine = todo & ((ratio <= BAND_ALLOWANCE * np.exp(reach - base)) | (not banded))
        mse[fine] = err[fine] / n
        todo = todo & ~fine
        if not todo.any():
            break
        with np.errstate(divide="ignore"):
            reach[todo] += np.log(ratio[todo] / BAND_ALLOWANCE) + math.log(2.0)
    return mse


def _loo_errors(keys: np.ndarray, values: np.ndarray, v1: np.ndarray, widths: np.ndarray,
                reach: np.ndarray, banded: bool) -> tuple[np.ndarray, np.ndarray]:
    """Return the summed squared errors per width, and the ratios of :func:`_largest_ratio`."""
    c = values.shape[1]
    err, ratio = np.empty(widths.shape[0]), np.zeros(widths.shape[0])
    hard = np.ones(widths.shape[0], dtype=bool)
    if banded:
        gaps = np.diff(keys[:, 0].astype(float))
        nearest = np.minimum(np.append(gaps, np.inf), np.insert(gaps, 0, np.inf)) ** 2
        # Unshifted weights stay normal numbers, far from underflow, for these widths.
        hard = np.max(nearest) / (2 * widths**2) > -exp_floor(keys.dtype) - reach - UNSHIFTED_MARGIN
        easy = ~hard
        if easy.any():
            sums = _symmetric_sums(keys[:, 0], v1, widths[easy], np.max(nearest), reach[easy])
            total, scale = sums[..., c : c + 1], sums[..., c + 1 :]
            err[easy] = np.sum((sums[..., :c] / total - values) ** 2, axis=(1, 2))
            ratio[easy] = _largest_ratio(total, scale, v1[:, c + 1 :])
    if hard.any():
        err[hard], ratio[hard] = _shifted_loo_errors(keys, values, v1, widths[hard], banded,
                                                     reach[hard])
    return err, ratio


def _largest_ratio(total: np.ndarray, scale: np.ndarray, abs_values: np.ndarray) -> np.ndarray:
    """Return per width (leading axis) the largest ``max|v| sum w / sum w |v|`` of any row."""
    top = np.max(abs_values, axis=0).astype(float)
    with np.errstate(divide="ignore", invalid="ignore"):
        r = np.where(top > 0, top * total.astype(float) / scale.astype(float), 0.0)
    return np.max(np.nan_to_num(r, nan=np.inf), axis=tuple(range(1, r.ndim)))


def _symmetric_sums(
    x: np.ndarray, v1: np.ndarray, widths: np.ndarray, nearest: float, reach: np.ndarray
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
    widest = min(widest, n)
    torch = cpu_gauss.torch_or_none()  # looked up on the module, so that tests can hide torch
    step = int(np.clip(tile_elements() // max(widest, 1), MIN_ROWS, n))
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


def _shifted_loo_errors(
    keys: np.ndarray, values: np.ndarray, v1: np.ndarray, widths: np.ndarray, banded: bool,
    reach: np.ndarray,
) -> tuple[np.ndarray, np.ndarray]:
    """Return summed squared errors and ratios, with each row's own max shift.

    Exact for any width the dtype holds; the ratios are :func:`_largest_ratio`'s.
    """
    n, d = keys.shape
    c = values.shape[1]
    shared = widths.ndim == 1
    k_t = np.ascontiguousarray(keys.T)

    def block(rows: slice) -> np.ndarray:
        local = np.arange(rows.stop - rows.start)
        out = np.empty((2, widths.shape[0]))
        if shared:
            base, mins = _loo_dists(keys[rows], k_t, np.ones(d, keys.dtype), rows, local)
            buffer = np.empty(base.size, dtype=keys.dtype)
        lo, hi = 0, n
        for i, h in enumerate(widths):
            if shared:
                if banded:
                    lo, hi = _band(keys[:, 0], keys[rows, 0], mins, 2 * h * h * reach[i])
                work = buffer[: base.shape[0] * (hi - lo)].reshape(base.shape[0], hi - lo)
                np.multiply(base[:, lo:hi], keys.dtype.type(-0.5 / (h * h)), out=work)
            else:
                scale = inverse_2h2(h, keys.dtype)
                work = np.negative(_loo_dists(keys[rows], k_t, scale, rows, local)[0])
            sums = exp_inplace(work) @ v1[lo:hi]
            total = sums[:, c : c + 1]
            out[0, i] = np.sum((sums[:, :c] / total - values[rows]) ** 2)
            out[1, i] = _largest_ratio(total[None], sums[None, :, c + 1 :], v1[:, c + 1 :])[0]
        return out

    parts = parallel(block, row_blocks(n, n, elements=tile_elements()))
    return np.sum([p[0] for p in parts], axis=0), np.max([p[1] for p in parts], axis=0)


def _band(x: np.ndarray, rows_x: np.ndarray, mins: np.ndarray, slack: float) -> tuple[int, int]:
    """Columns of sorted ``x`` within reach of any row: ``(x_i - x_j)^2 <= min_i + slack``.

    The union of the planner's slices (:func:`nwlib._backends.cutoff.key_slices`).
    """
    lo, hi = key_slices(rows_x, x, np.sqrt(mins + slack), float(np.finfo(x.dtype).eps))
    return int(lo.min()), int(hi.max())


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
