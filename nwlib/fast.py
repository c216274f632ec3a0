"""Fast exact Gaussian Nadaraya-Watson on numpy arrays, using every core.

The reference code in :mod:`nwlib.pooling` builds a (queries x keys x d) block of
differences through the array API. For the Gaussian kernel on numpy arrays this
module does the same arithmetic with less traffic:

- differences are squared and scaled by ``1 / (2 h^2)`` in place, giving minus the
  log-kernel score;
- each block of rows spans all keys and stays in the 1 MiB L2 cache
  (:data:`TILE_ELEMENTS` entries); distances, the row-max shift and ``exp`` all
  happen in place in that one buffer;
- one matrix product with ``[values, 1]`` gives the numerators and the
  denominators together;
- blocks run on a thread pool: numpy releases the GIL inside its loops and BLAS;
- ``exp`` runs through torch's vectorised kernel when torch is installed (numpy's
  float64 exp is scalar on CPUs without AVX-512), else through numpy.

Squared distances come from direct differences, not from the expansion
``|q|^2 - 2 q.k + |k|^2``, which loses digits to cancellation for narrow widths.
"""

from __future__ import annotations

import itertools
import os
from concurrent.futures import ThreadPoolExecutor
from functools import lru_cache
from typing import Callable

import numpy as np

__all__ = ["gaussian_nadaraya_watson", "gaussian_weights", "gaussian_loo_mse", "n_threads"]

#: Entries of one work buffer: 2**16 float64 are 512 KiB, half of a core's L2 cache.
TILE_ELEMENTS = 2**16
#: Elements per call of torch's exp: below its grain size (2**15), so it stays serial.
EXP_CHUNK = 2**14


def n_threads() -> int:
    """The number of cores this process may use."""
    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1


@lru_cache(maxsize=1)
def _pool() -> ThreadPoolExecutor:
    return ThreadPoolExecutor(max_workers=n_threads(), thread_name_prefix="nwlib")


def _row_blocks(m: int, n: int) -> list[slice]:
    step = max(1, TILE_ELEMENTS // max(n, 1))
    return [slice(s, min(s + step, m)) for s in range(0, m, step)]


def _parallel(work: Callable[[slice], object], m: int, n: int) -> list:
    """Run ``work`` on every block of rows, on all cores, in order."""
    _torch()  # import once, here, rather than racing in the worker threads
    blocks = _row_blocks(m, n)
    threads = n_threads()
    if threads == 1 or len(blocks) == 1:
        return [work(b) for b in blocks]
    # Each thread takes the next block as soon as it is free: a thread slowed by other
    # jobs on the machine then does fewer blocks instead of holding up the rest.
    results: list = [None] * len(blocks)
    order = itertools.count()  # next() on it is atomic under the GIL

    def drain(_: int) -> None:
        while (i := next(order)) < len(blocks):
            results[i] = work(blocks[i])

    list(_pool().map(drain, range(threads)))
    return results


def _inverse_2h2(bandwidth: np.ndarray, dtype: np.dtype) -> np.ndarray:
    """``1 / (2 h^2)`` per coordinate: a scaled squared difference is then ``|u|^2 / 2``."""
    return (0.5 / np.square(np.asarray(bandwidth, dtype=float))).astype(dtype)


def _half_sq_dists(q: np.ndarray, k_t: np.ndarray, scale: np.ndarray, out: np.ndarray) -> np.ndarray:
    """``out[i, j] = sum_c scale[c] * (q[i, c] - k_t[c, j])**2`` by direct differences.

    Subtracting before scaling keeps the difference of two close points exact, so
    float32 loses no digits to the size of the coordinates.
    """
    tmp = out
    for c in range(q.shape[1]):
        if c == 1:
            tmp = np.empty_like(out)
        np.subtract(q[:, c : c + 1], k_t[c : c + 1], out=tmp)
        np.square(tmp, out=tmp)
        tmp *= scale[c]
        if c:
            out += tmp
    return out


def _floor(dtype: np.dtype) -> float:
    """The most negative exponent whose exp is still a normal number (not subnormal)."""
    return float(np.floor(np.log(np.finfo(dtype).tiny))) + 1.0


@lru_cache(maxsize=1)
def _torch():
    """torch if installed: its vectorised exp is several times numpy's where numpy
    has no SIMD exp for the dtype (float64 without AVX-512)."""
    try:
        import torch
    except ImportError:
        return None
    return torch


def _exp_inplace(arg: np.ndarray, clamp: bool = True) -> np.ndarray:
    """``exp`` of a C-contiguous array, in place, by the fastest exact route.

    float64 goes through torch's vectorised exp when torch is installed. Otherwise
    numpy's exp runs, and with ``clamp`` its arguments below :func:`_floor` are
    raised to it first: exp is many times slower where the result is subnormal or
    underflows, and a clamped weight is below 1e-37 next to the row's largest
    weight of 1, so it changes no sum at the precision of the dtype.
    """
    torch = _torch() if arg.dtype == np.float64 else None
    if torch is None:
        if clamp:
            np.maximum(arg, _floor(arg.dtype), out=arg)
        return np.exp(arg, out=arg)
    flat = torch.from_numpy(arg.reshape(-1))
    # Chunks below torch's grain size run in the calling thread: our threads
    # already use every core, and torch's own pool would compete with them.
    for start in range(0, flat.numel(), EXP_CHUNK):
        flat[start : start + EXP_CHUNK].exp_()
    return arg


def _shifted_weights(dist: np.ndarray, clamp: bool = True) -> np.ndarray:
    """``exp(-(dist - min_row))`` in place: the row-max shift of the scores."""
    shift = dist.min(axis=1, keepdims=True)
    np.subtract(shift, dist, out=dist)
    return _exp_inplace(dist, clamp)


def gaussian_nadaraya_watson(
    queries: np.ndarray, keys: np.ndarray, values: np.ndarray, bandwidth: np.ndarray
) -> np.ndarray:
    """Gaussian Nadaraya-Watson predictions for prepared (m, d), (n, d), (n, c) arrays.

    Examples
    --------
    >>> x = np.array([[0.0], [1.0], [2.0]]); y = np.array([[0.0], [1.0], [4.0]])
    >>> gaussian_nadaraya_watson(np.array([[1.0]]), x, y, np.array([1e-3]))
    array([[1.]])
    """
    k_t, scale = np.ascontiguousarray(keys.T), _inverse_2h2(bandwidth, keys.dtype)
    n, c = values.shape
    # The ones column makes one product yield the numerators and the denominator.
    v1 = np.empty((n, c + 1), dtype=values.dtype)
    v1[:, :c], v1[:, c] = values, 1

    def block(rows: slice) -> np.ndarray:
        dist = np.empty((rows.stop - rows.start, n), dtype=queries.dtype)
        sums = _shifted_weights(_half_sq_dists(queries[rows], k_t, scale, dist)) @ v1
        return sums[:, :c] / sums[:, c:]

    parts = _parallel(block, queries.shape[0], n)
    return np.concatenate(parts) if parts else np.empty((0, c), dtype=values.dtype)


def gaussian_weights(queries: np.ndarray, keys: np.ndarray, bandwidth: np.ndarray) -> np.ndarray:
    """Gaussian attention weights, shape (m, n), each row summing to 1.

    Examples
    --------
    >>> w = gaussian_weights(np.zeros((1, 1)), np.array([[-1.0], [1.0]]), np.array([1.0]))
    >>> w.tolist()
    [[0.5, 0.5]]
    """
    k_t, scale = np.ascontiguousarray(keys.T), _inverse_2h2(bandwidth, keys.dtype)
    out = np.empty((queries.shape[0], keys.shape[0]), dtype=queries.dtype)

    def block(rows: slice) -> None:
        # No clamp: a weight that underflows is reported as exactly 0.
        w = _shifted_weights(_half_sq_dists(queries[rows], k_t, scale, out[rows]), clamp=False)
        w /= w.sum(axis=1, keepdims=True)

    _parallel(block, *out.shape)
    return out


def gaussian_loo_mse(keys: np.ndarray, values: np.ndarray, widths: np.ndarray) -> np.ndarray:
    """Leave-one-out mean squared error of Gaussian NW for each candidate width.

    ``widths`` has shape (w,) (one width for every coordinate) or (w, d).
    For a shared width the distances, their leave-one-out row minimum and the
    self-exclusion are computed once per block of rows and reused by every
    width: only the scaling, ``exp`` and one product remain per width. In 1-D
    the keys are sorted first, and each width only visits the band of keys whose
    weight does not underflow to 0: the sums are the same, with less work for
    narrow widths. Excluding the point itself (distance set to ``inf``) rather
    than subtracting its weight from the full sum keeps narrow widths exact,
    where the self term would dominate the sum.

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
    k_t = np.ascontiguousarray(keys.T)
    # Beyond this many units of -log(weight) a float weight is exactly 0.
    reach = 1.0 - float(np.log(np.finfo(keys.dtype).smallest_subnormal))

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
                scale = _inverse_2h2(h, keys.dtype)
                work = np.negative(_loo_dists(keys[rows], k_t, scale, rows, local)[0])
            sums = _exp_inplace(work) @ v1[lo:hi]
            err[i] = np.sum((sums[:, :c] / sums[:, c:] - values[rows]) ** 2)
        return err

    return np.sum(_parallel(block, n, n), axis=0) / n


def _band(x: np.ndarray, rows_x: np.ndarray, mins: np.ndarray, slack: float) -> tuple[int, int]:
    """Columns of sorted ``x`` within reach of any row: ``(x_i - x_j)^2 <= min_i + slack``."""
    radius = np.sqrt(mins + slack)
    lo = int(np.searchsorted(x, np.min(rows_x - radius), side="left"))
    hi = int(np.searchsorted(x, np.max(rows_x + radius), side="right"))
    return lo, hi


def _loo_dists(
    q: np.ndarray, k_t: np.ndarray, scale: np.ndarray, rows: slice, local: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """Scaled squared distances minus each row's minimum over the *other* keys, and
    those minima.

    The point itself gets ``inf`` (weight 0). Subtracting the row minimum before
    scaling is the row-max shift, and it commutes with the scaling by ``1/h^2``.
    """
    dist = np.empty((rows.stop - rows.start, k_t.shape[1]), dtype=q.dtype)
    _half_sq_dists(q, k_t, scale, dist)
    dist[local, local + rows.start] = np.inf
    mins = dist.min(axis=1)
    dist -= mins[:, None]
    return dist, mins
