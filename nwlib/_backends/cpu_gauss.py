"""Fast exact Gaussian Nadaraya-Watson on numpy arrays, using every core.

The reference code in :mod:`nwlib.pooling` builds a (queries x keys x d) block of
differences through the array API. For the Gaussian kernel on numpy arrays this
module does the same arithmetic with less work and less traffic:

- **only the keys that matter.** A Gaussian weight ``exp(-s)`` is negligible next
  to the row's largest one when its score ``s = |u|^2 / 2`` exceeds the row's
  smallest score by more than :func:`negligible_gap`, ``ln n + (p + 8) ln 2`` for a
  p-bit mantissa: all such keys together move the denominator by less than
  ``2**-(p+8)`` of it. A skipped key with a huge value could still move a
  numerator, so each block's skipped keys are bounded with their largest
  ``|value|`` and rows whose bound exceeds ``2**-(p+3)`` of ``sum_i w_i |v_i|``
  reach further (:meth:`nwlib._backends.cutoff.Plan.too_close`). Keys and queries are sorted
  along the coordinate where the keys spread most (in units of the width), so the
  keys within reach of a block of neighbouring queries are one contiguous slice;
- each block's scores fit in a work buffer of one tile
  (:func:`nwlib.blocking.tile_elements`, a quarter of the working memory); distances,
  the row-max shift and ``exp`` all happen in place in that buffer;
- products with ``[values, 1]`` give the numerators and the denominators together;
- blocks go to a thread pool, one thread per core, each thread taking the next
  block when it is free (numpy and torch release the GIL in their loops); torch's
  own threads are switched off meanwhile (:func:`serial_torch`), so a core taken by
  another process slows only the blocks that land on it, instead of every call;
- ``exp`` runs through torch's vectorised kernel when torch is installed (several
  times numpy's on CPUs without AVX-512); arguments whose result would not be a
  normal number give exactly 0 instead of taking both libraries' slow path.

Squared distances come from direct differences, not from the expansion
``|q|^2 - 2 q.k + |k|^2``, which loses digits to cancellation for narrow widths.

**Guarantee**, for every finite input: the answer is that of summing every key in
the dtype, up to ``2**-(p+3) S`` with ``S = sum_i alpha_i |v_i|``: within a few
units in the last place of ``S`` for a query within a few widths of its nearest
key. Farther out, each weight is off by a factor of about
``exp(+-(d + 3) eps (s_i + s_min))`` (``s = |u|^2 / 2``, ``eps`` the rounding
unit) because the distances themselves are rounded, as on the reference path; a
weighted mean of the values it stays in any case. Widths whose scores do not fit
the dtype (:func:`in_range`) are left to the reference path. The suite
``tests/lib/test_exactness.py`` checks this against a 256-bit reference.
"""

from __future__ import annotations

import itertools
import math
import os
import threading
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from functools import cache, lru_cache
from typing import Any

import numpy as np

from ..blocking import row_blocks, tile_elements
from .cutoff import Plan, negligible_gap

__all__ = ["gaussian_nadaraya_watson", "gaussian_weights", "negligible_gap", "evaluated_pairs",
           "n_threads", "exp_inplace", "exp_floor", "half_sq_dists", "inverse_2h2", "parallel",
           "products", "serial_torch", "torch_or_none", "workers", "in_range"]

#: Keys beyond which a float32 product on the torch route is summed in chunks
#: (see :func:`_chunked_products`).
F32_CHUNK_KEYS = 4096
#: Keys per chunk of :func:`_chunked_products`: float32 sums of 512 keys err by at
#: most about 512 eps / 2 = 3e-5 of their scale, typically 30 times less.
F32_CHUNK = 512


def n_threads() -> int:
    """Count the cores this process may use."""
    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1


@lru_cache(maxsize=1)
def _pool() -> ThreadPoolExecutor:
    return ThreadPoolExecutor(max_workers=workers(), thread_name_prefix="nwlib")


def workers() -> int:
    """Threads that share a call's blocks: two per core.

    The scheduler shares a core fairly among runnable threads, so next to one busy
    process on 2 cores, 2 threads get 4/3 of the cores (a call 1.5x slower than
    alone) and 4 threads get 8/5 (1.25x). On an idle machine the extra threads
    cost only a few context switches: each block is a whole tile of work.
    """
    return 2 * n_threads()


_serial_lock = threading.Lock()
_serial_state = {"users": 0, "saved": 1}


def _forget_after_fork() -> None:
    """Give a fork()ed child a fresh pool and a fresh thread-count lock.

    A child inherits the parent's memory but only the thread that forked: the cached
    pool's workers do not exist there, yet the pool looks alive and would take the
    child's blocks and never run them (the child hung forever). The lock may also have
    been held by a parent thread at the fork. Registering this costs nothing per call,
    where a fresh pool per call would cost about 0.2 ms (measured: 220 us against 39
    us for four threads on 2 cores).
    """
    global _serial_lock
    _pool.cache_clear()
    _serial_lock = threading.Lock()
    _serial_state.update(users=0, saved=1)


if hasattr(os, "register_at_fork"):  # POSIX; elsewhere there is no fork()
    os.register_at_fork(after_in_child=_forget_after_fork)


@contextmanager
def serial_torch() -> Iterator[None]:
    """Let the pool's threads switch torch's CPU kernels to one thread each.

    torch's OpenMP threads split every call evenly over the cores and meet at a
    barrier: when another process holds one core, each call waits for the thread
    that lost its core (a call at n = m = 20,000 took 6.5x longer next to one busy
    process). Our own threads take whole blocks instead, so a slowed thread does
    fewer of them. Each pool thread sets its own OpenMP and MKL thread counts to 1
    (they are per thread), which also sets torch's process-wide count; nested and
    concurrent users share this, and the last one out restores the count.
    """
    torch = torch_or_none()
    if torch is None:
        yield
        return
    with _serial_lock:
        if _serial_state["users"] == 0:
            _serial_state["saved"] = torch.get_num_threads()
        _serial_state["users"] += 1
    try:
        yield
    finally:
        with _serial_lock:
            _serial_state["users"] -= 1
            if _serial_state["users"] == 0:
                torch.set_num_threads(_serial_state["saved"])


def parallel(work: Callable, items: Sequence) -> list:
    """``[work(item) for item in items]`` on all cores, in order.

    Each thread takes the next item as soon as it is free: a thread slowed by other
    jobs on the machine then does fewer items instead of holding up the rest.
    """
    torch = torch_or_none()  # import once, here, rather than racing in the worker threads
    threads = min(workers(), len(items))
    if threads <= 1:
        # One block is at most a tile: torch's OpenMP team would split even that, and
        # next to a busy process each call then waits a scheduler slice (8 ms for
        # 10,000 weights, against 0.02 ms on one thread).
        with serial_torch():
            if torch is not None:
                torch.set_num_threads(1)
            return [work(item) for item in items]
    results: list = [None] * len(items)
    order = itertools.count()  # next() on it is atomic under the GIL

    def drain(_: int) -> None:
        if torch is not None:
            torch.set_num_threads(1)
        while (i := next(order)) < len(items):
            results[i] = work(items[i])

    with serial_torch():
        list(_pool().map(drain, range(threads)))
    return results


def inverse_2h2(bandwidth: np.ndarray, dtype: np.dtype) -> np.ndarray:
    """``1 / (2 h^2)`` per coordinate: a scaled squared difference is then ``|u|^2 / 2``."""
    with np.errstate(over="ignore", under="ignore", divide="ignore"):
        return (0.5 / np.square(np.asarray(bandwidth, dtype=float))).astype(dtype)


def in_range(queries: np.ndarray, keys: np.ndarray, bandwidth: np.ndarray) -> bool:
    """Tell whether the fast paths can take these widths.

    Every score ``(q - k)^2 / (2 h^2)`` must be a finite number of the dtype, and
    ``1 / (2 h^2)`` a normal one: the fast paths need both. Widths so narrow or so wide
    that they are not (about 1e-154 and 1e154 in float64, 1e-19 and 1e19 in float32)
    go to the reference path, which scales the differences before squaring them.

    Examples
    --------
    >>> x = np.linspace(0, 5, 11)[:, None]
    >>> in_range(x, x, np.array([0.1])), in_range(x, x, np.array([1e-160]))
    (True, False)
    """
    info = np.finfo(keys.dtype)
    with np.errstate(all="ignore"):
        scale = 0.5 / np.square(np.asarray(bandwidth, dtype=float))
        if queries.shape[0] == 0:
            extent = np.ptp(keys, axis=0).astype(float)
        else:
            extent = (np.maximum(queries.max(axis=0), keys.max(axis=0)).astype(float)
                      - np.minimum(queries.min(axis=0), keys.min(axis=0)).astype(float))
        top = float(np.sum(scale * np.square(extent)))
    return bool(np.all((scale >= info.tiny) & (scale <= info.max))) and top <= float(info.max) / 8


def half_sq_dists(q: np.ndarray, k_t: np.ndarray, scale: np.ndarray, out: np.ndarray) -> np.ndarray:
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


@cache
def exp_floor(dtype: np.dtype) -> float:
    """Return the most negative exponent whose exp is still a normal number (not subnormal)."""
    return float(np.floor(np.log(np.finfo(dtype).tiny))) + 1.0


@lru_cache(maxsize=1)
def torch_or_none():
    """Return torch if installed, else None.

    Its vectorised exp is several times numpy's where numpy has no SIMD exp for the
    dtype (float64 without AVX-512).
    """
    try:
        import torch
    except ImportError:
        return None
    return torch


def exp_inplace(arg: np.ndarray, low: bool = True) -> np.ndarray:
    """``exp`` of a C-contiguous array, in place, by the fastest exact route.

    Arguments at or below :func:`exp_floor` give exactly 0: exp is several times slower
    where its result would be subnormal or underflow, and such a weight is below
    1e-37 next to the row's largest weight of 1, so it changes no sum at the
    precision of the dtype. ``low=False`` skips that check, for a caller that
    knows every argument is above the floor or ``-inf``.
    """
    floor = exp_floor(arg.dtype)
    torch = torch_or_none()
    if torch is None:
        if low:
            np.copyto(arg, -np.inf, where=arg <= floor)
        return np.exp(arg, out=arg)
    flat = torch.from_numpy(arg.reshape(-1))
    if low:
        torch.nn.functional.threshold_(flat, floor, -math.inf)
    flat.exp_()
    return arg


def _shifted_weights(dist: np.ndarray) -> np.ndarray:
    """``exp(-(dist - min_row))`` in place: the row-max shift of the scores."""
    shift = dist.min(axis=1, keepdims=True)
    np.subtract(shift, dist, out=dist)
    return exp_inplace(dist)


def evaluated_pairs(queries: np.ndarray, keys: np.ndarray, bandwidth: np.ndarray) -> int:
    """How many kernel values :func:`gaussian_nadaraya_watson` evaluates, out of m n.

    Examples
    --------
    >>> x = np.linspace(0, 100, 1001)[:, None]
    >>> evaluated_pairs(x, x, np.array([0.1])) / x.size**2 < 0.05
    True
    """
    return Plan(queries, keys, inverse_2h2(bandwidth, keys.dtype), tile_elements()).pairs()


def gaussian_nadaraya_watson(
    queries: np.ndarray, keys: np.ndarray, values: np.ndarray, bandwidth: np.ndarray
) -> np.ndarray:
    """Gaussian Nadaraya-Watson predictions for prepared (m, d), (n, d), (n, c) arrays.

    Examples
    --------
    >>> x = np.array([[0.0], [1.0], [2.0]]); y = np.array([[0.0], [1.0], [4.0]])
    >>> gaussian_nadaraya_watson(np.array([[1.0]]), x, y, np.array([1e-3]))
    array([[1.]])

    Returns None when a width is too narrow or too wide for the dtype's range
    (:func:`in_range`): the caller then takes the reference path.

    The answer is as exact as the full computation: the cut-off adds at most
    ``2**-(p+3)`` of ``S = sum_i w_i |v_i|`` (p the mantissa's bits) to each sum,
    widening a row's reach where a skipped key's value is large enough to matter
    (:meth:`nwlib._backends.cutoff.Plan.too_close`).
    """
    if not in_range(queries, keys, bandwidth):
        return None
    scale = inverse_2h2(bandwidth, keys.dtype)
    plan = Plan(queries, keys, scale, tile_elements())
    n, c = values.shape
    sorted_values = values[plan.key_order]
    magnitude = np.abs(sorted_values)
    # Values near the largest float: scale them by a power of two (exact) so that a
    # sum of n of them cannot overflow.
    room = float(np.finfo(values.dtype).max) / (4.0 * (n + 1))
    factor = 1.0 if not magnitude.size or float(magnitude.max()) <= room else 2.0 ** -(
        math.ceil(math.log2(n + 1)) + 2)
    signed = bool((sorted_values < 0).any())
    # The ones column makes the same products yield the numerators and the denominator;
    # with values of both signs, |v| columns give each sum's scale sum_i w_i |v_i|.
    v1 = np.empty((n, 2 * c + 1 if signed else c + 1), dtype=values.dtype)
    v1[:, :c], v1[:, c] = sorted_values * values.dtype.type(factor), 1
    if signed:
        np.abs(v1[:, :c], out=v1[:, c + 1 :])
    scale_columns = slice(c + 1, 2 * c + 1) if signed else slice(0, c)
    out = np.empty((queries.shape[0], c), dtype=values.dtype)
    sums = _sums(plan, scale, v1)
    out[plan.query_order] = sums[:, :c] / sums[:, c : c + 1]
    # Rows whose skipped keys carry values large enough to move a sum: widen their reach.
    wider = plan.too_close([sums[rows] for rows, _, _ in plan.blocks], magnitude * factor, scale_columns)
    if wider is not None:
        sums = _sums(wider, scale, v1)
        out[wider.query_order] = sums[:, :c] / sums[:, c : c + 1]
    if factor != 1.0:
        out /= values.dtype.type(factor)
    return out


def _sums(plan: Plan, scale: np.ndarray, v1: np.ndarray) -> np.ndarray:
    return _torch_sums(plan, scale, v1) if torch_or_none() is not None else _numpy_sums(plan, scale, v1)


def _torch_sums(plan: Plan, scale: np.ndarray, v1: np.ndarray) -> np.ndarray:
    """``weights @ v1`` of the sorted queries, block by block, through torch's kernels.

    The blocks go to the thread pool (:func:`parallel`), each thread running
    torch's kernels on its own core with its own work buffer; the products go
    through torch too, since numpy's BLAS would start a second set of threads. A
    block wider than a tile is walked in chunks of keys, with the online softmax
    rescaling (as in flash attention) where the rows' smallest scores are not
    known beforehand. Each block writes its rows of one output array: a result
    object per block would hold memory in proportion to their number.
    """
    torch = torch_or_none()
    q, k_t = torch.from_numpy(plan.queries), torch.from_numpy(np.ascontiguousarray(plan.keys.T))
    d, dtype = q.shape[1], plan.keys.dtype
    shift = torch.from_numpy(plan.best.astype(dtype)[:, None]) if d == 1 else None
    # Where a row's smallest score is so large that its rounding in the dtype exceeds
    # 1/8, the shift must come from the scores as computed (else exp overflows): such
    # far-away blocks take the general branch.
    far = plan.best * float(np.finfo(dtype).eps) > 0.125
    v1_t, v1_torch = torch.from_numpy(np.ascontiguousarray(v1.T)), torch.from_numpy(v1)
    floor, neg = exp_floor(dtype), [-float(s) for s in scale]
    tile = tile_elements()  # read here: the pool's threads have their own settings

    def columns(rows: slice) -> int:
        return max(1, tile // (rows.stop - rows.start))

    # One buffer per thread for all its blocks: a fresh one per block lets the heap grow.
    size = max((r.stop - r.start) * min(columns(r), hi - lo) for r, lo, hi in plan.blocks)
    local = threading.local()

    def block(item: tuple[slice, int, int]) -> None:
        if not hasattr(local, "buf"):
            local.buf = torch.empty(size, dtype=q.dtype)
            local.tmp = torch.empty_like(local.buf) if d > 1 or far.any() else None
        buf, tmp = local.buf, local.tmp
        rows, lo, hi = item
        r, step = rows.stop - rows.start, columns(rows)
        sums = top = None
        known = d == 1 and not far[rows].any()
        for a in range(lo, hi, step):
            b = min(hi, a + step)
            w = buf[: r * (b - a)].view(r, b - a)
            if known:  # each row's smallest score is known: shift in the same step
                torch.sub(q[rows], k_t[:, a:b], out=w)
                torch.addcmul(shift[rows], w, w, value=neg[0], out=w)
            else:
                t = tmp[: w.numel()].view(w.shape)
                for c in range(d):
                    torch.sub(q[rows, c : c + 1], k_t[c : c + 1, a:b], out=t)
                    if c:
                        w.addcmul_(t, t, value=neg[c])
                    else:
                        torch.mul(t, t, out=w).mul_(neg[0])
                new_top = w.amax(dim=1, keepdim=True)
                if top is not None:  # rescale what earlier chunks summed to the new maximum
                    new_top = torch.maximum(top, new_top)
                    sums.mul_(torch.exp(top - new_top))
                top = new_top
                w.sub_(top)
            # Weights below the normal range become exactly 0 (see exp_inplace).
            torch.nn.functional.threshold_(w, floor, -math.inf).exp_()
            part = products(w, v1_t, v1_torch, a, b)
            # In float64 however the part came: a float32 chunked product arrives in float64.
            sums = part.to(torch.float64) if sums is None else sums.add_(part)
        total_t[rows] = sums

    total = np.empty((plan.queries.shape[0], v1.shape[1]), dtype=v1.dtype)
    total_t = torch.from_numpy(total)
    parallel(block, plan.blocks)
    return total


def products(w: Any, v1_t: Any, v1: Any, lo: int, hi: int) -> Any:
    """``w @ v1[lo:hi]`` for numpy arrays or torch tensors, given ``v1_t = v1.T``.

    Written as ``(v1_t[:, lo:hi] @ w.T).T`` for tensors: a product with few rows
    reads ``w`` once for all columns, where ``w @ v1`` with few columns is several
    times slower. numpy's BLAS does best with one matrix-vector product per column.
    """
    if not isinstance(w, np.ndarray):
        if w.dtype == v1_t.dtype == _torch_float32() and hi - lo > F32_CHUNK_KEYS \
                and w.is_contiguous():
            return _chunked_products(w, v1_t, lo, hi)
        return (v1_t[:, lo:hi] @ w.T).T
    if v1_t.shape[0] > 4:
        return w @ v1[lo:hi]
    return np.stack([w @ col[lo:hi] for col in v1_t], axis=1)


def _torch_float32() -> Any:
    torch = torch_or_none()
    return None if torch is None else torch.float32


def _chunked_products(w: Any, v1_t: Any, lo: int, hi: int) -> Any:
    """``w @ v1[lo:hi]`` of float32 tensors, in float64, from float32 sums of 512 keys.

    torch's float32 product adds its keys one after another in float32: over 20,000
    keys in reach that lost up to 4e-6 of the answer, over 100,000 up to 9e-6. One
    batched product of 512-key chunks, whose partial sums are added in float64, keeps
    it near 1e-8. It costs a copy of ``w`` (about a fifth of the time of the ``exp``
    before it), so blocks of at most :data:`F32_CHUNK_KEYS` keys, with errors below
    2e-7, keep the plain product.
    """
    torch = torch_or_none()
    r, keys = w.shape
    chunks = keys // F32_CHUNK
    main = chunks * F32_CHUNK
    c = v1_t.shape[0]
    parts = torch.bmm(w[:, :main].view(r, chunks, F32_CHUNK).transpose(0, 1),
                      v1_t[:, lo : lo + main].view(c, chunks, F32_CHUNK).permute(1, 2, 0))
    out = parts.sum(0, dtype=torch.float64)
    if main < keys:
        out += (v1_t[:, lo + main : hi] @ w[:, main:].T).T
    return out


def _numpy_sums(plan: Plan, scale: np.ndarray, v1: np.ndarray) -> np.ndarray:
    """``weights @ v1`` of the sorted queries with numpy alone, blocks shared among threads."""
    k_t = np.ascontiguousarray(plan.keys.T)
    v1_t = np.ascontiguousarray(v1.T)

    def block(item: tuple[slice, int, int]) -> np.ndarray:
        rows, lo, hi = item
        dist = np.empty((rows.stop - rows.start, hi - lo), dtype=plan.keys.dtype)
        half_sq_dists(plan.queries[rows], k_t[:, lo:hi], scale, dist)
        return products(_shifted_weights(dist), v1_t, v1, lo, hi)

    return np.concatenate(parallel(block, plan.blocks))


def gaussian_weights(queries: np.ndarray, keys: np.ndarray, bandwidth: np.ndarray) -> np.ndarray:
    """Gaussian attention weights, shape (m, n), each row summing to 1.

    Every weight is computed (none is cut off as negligible): the caller gets the
    whole matrix. None when a width is out of the dtype's range (:func:`in_range`).

    Examples
    --------
    >>> w = gaussian_weights(np.zeros((1, 1)), np.array([[-1.0], [1.0]]), np.array([1.0]))
    >>> w.tolist()
    [[0.5, 0.5]]
    """
    if not in_range(queries, keys, bandwidth):
        return None
    k_t, scale = np.ascontiguousarray(keys.T), inverse_2h2(bandwidth, keys.dtype)
    out = np.empty((queries.shape[0], keys.shape[0]), dtype=queries.dtype)

    def block(rows: slice) -> None:
        w = _shifted_weights(half_sq_dists(queries[rows], k_t, scale, out[rows]))
        w /= w.sum(axis=1, keepdims=True)

    parallel(block, row_blocks(*out.shape, elements=tile_elements()))
    return out
