"""Nadaraya-Watson regression as attention pooling.

A query ``q`` attends to keys ``k_i`` through a kernel; the weights
``alpha(q, k_i) = k(u_i) / sum_j k(u_j)`` are a softmax of the log-kernel
scores, and the prediction pools the values with them:
``f(q) = sum_i alpha(q, k_i) v_i``.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from . import fast, sdpa, triton_gauss
from ._arrays import Prepared, check_choice, prepare
from .kernels import Kernel, get_kernel

__all__ = ["attention_weights", "nadaraya_watson", "log_scores", "NoKeyInReachError"]

#: Elements of one block of scores (queries x keys x coordinates): 2**20 float64
#: entries are 8 MiB, small enough to stay near the cache, large enough that the
#: per-block Python overhead is negligible.
BLOCK_ELEMENTS = 2**20

EMPTY_CHOICES = ("raise", "nan")
METHOD_CHOICES = ("auto", "reference")


class NoKeyInReachError(ValueError):
    """Raised when a compact kernel leaves some query with no key in reach."""


def log_scores(queries: Any, keys: Any, bandwidth: Any, kernel: Kernel, xp: Any) -> Any:
    """Log-kernel scores ``log k(||(q - k) / h||)`` of prepared (m, d) and (n, d) arrays.

    A scaled distance too large for the dtype gives ``u^2 = inf`` (score ``-inf`` for
    a kernel that decays), silently: see :func:`_nearest_keys` for rows where every
    key is that far.
    """
    # Overflow to inf is the right limit here, and underflow to 0 too: no warning.
    with np.errstate(over="ignore", under="ignore"):
        diff = (queries[:, None, :] - keys[None, :, :]) / bandwidth
        s = xp.sum(diff * diff, axis=-1)
        return kernel.log_profile(s, xp)


def _nearest_keys(queries: Any, keys: Any, bandwidth: Any, xp: Any) -> Any:
    """1 for the keys nearest each query in scaled distance, 0 elsewhere, shape (m, n).

    The limit of the weights of a kernel with infinite support as the scaled
    distances grow beyond the dtype's range: a score gap between the nearest keys and
    the next is then at least about ``eps u^2``, far beyond any exponent. Distances
    are compared through ``log |u|`` (a log-sum-exp over coordinates), which cannot
    overflow.
    """
    with np.errstate(divide="ignore", over="ignore", under="ignore", invalid="ignore"):
        logs = xp.log(xp.abs(queries[:, None, :] - keys[None, :, :])) - xp.log(bandwidth)
        top = xp.max(logs, axis=-1, keepdims=True)
        top = xp.where(xp.isfinite(top), top, xp.zeros_like(top))
        log_norm = top[..., 0] + 0.5 * xp.log(xp.sum(xp.exp(2 * (logs - top)), axis=-1))
        nearest = log_norm == xp.min(log_norm, axis=1, keepdims=True)
    return xp.astype(nearest, keys.dtype)


def _normalised_block(p: Prepared, q_block: Any, kernel: Kernel) -> tuple[Any, Any]:
    """Unnormalised weights (shifted by the row maximum) and their row sums."""
    xp = p.xp
    scores = log_scores(q_block, p.keys, p.bandwidth, kernel, xp)
    shift = xp.max(scores, axis=1, keepdims=True)
    # A row with no key in reach has shift -inf; any finite shift keeps it at 0.
    beyond = ~xp.isfinite(shift)
    shift = xp.where(beyond, xp.zeros_like(shift), shift)
    if p.is_torch:
        # The weights do not depend on the shift, so no gradient needs to flow through it.
        shift = shift.detach()
    w = xp.exp(scores - shift)
    if not kernel.compact and bool(xp.any(beyond)):
        # Every key beyond the dtype's range of a kernel that never reaches 0: the
        # limit is the nearest keys' values, not an empty row.
        w = xp.where(beyond, _nearest_keys(q_block, p.keys, p.bandwidth, xp), w)
    return w, xp.sum(w, axis=1, keepdims=True)


def _blocks(m: int, n: int, d: int):
    step = max(1, BLOCK_ELEMENTS // max(1, n * max(d, 1)))
    for start in range(0, m, step):
        yield slice(start, min(start + step, m))


def _handle_empty(xp: Any, empty_rows: Any, empty: str, kernel: Kernel, h: Any) -> None:
    count = int(xp.sum(xp.astype(empty_rows, xp.int64)))
    if count and empty == "raise":
        raise NoKeyInReachError(
            f"{count} quer{'y has' if count == 1 else 'ies have'} no key within reach of the "
            f"{kernel.name!r} kernel (it is 0 beyond u = {kernel.radius:g}, bandwidth "
            f"{_fmt(h)}), so {'its' if count == 1 else 'their'} weights would be 0/0. Use a wider bandwidth, a kernel "
            "with infinite support such as 'gaussian', or empty='nan' to mark those "
            "queries with NaN (e.g. to show gaps in a plot)."
        )


def _fmt(h: Any) -> str:
    import numpy as np

    vals = np.asarray(h.detach().cpu() if hasattr(h, "detach") else h).ravel()
    return f"{vals[0]:g}" if (vals == vals[0]).all() else str(vals)


def _on_gpu(tensor: Any) -> bool:
    """Whether the Triton kernel may serve: CUDA only, since on CPU tensors Triton
    would run in its slow interpreter."""
    return bool(tensor.is_cuda)


def _fast_gaussian(p: Prepared) -> Any:
    """Gaussian NW on the fast path for these inputs, or None to use the reference."""
    if p.queries.shape[0] == 0:
        return None
    if not p.is_torch:
        return fast.gaussian_nadaraya_watson(p.queries, p.keys, p.values, p.bandwidth)
    tensors = (p.queries, p.keys, p.values, p.bandwidth)
    if not _on_gpu(p.queries) and not any(t.requires_grad for t in tensors):
        # CPU tensors share memory with numpy arrays: the exact numpy route serves them.
        import torch

        out = fast.gaussian_nadaraya_watson(*(t.numpy() for t in tensors))
        return None if out is None else torch.from_numpy(out)
    if _on_gpu(p.queries) and triton_gauss.available(p.queries, p.keys, p.values, p.bandwidth):
        return triton_gauss.gaussian_nadaraya_watson(p.queries, p.keys, p.values, p.bandwidth)
    if sdpa.well_conditioned(p.queries, p.keys, p.bandwidth):
        return sdpa.gaussian_nadaraya_watson(p.queries, p.keys, p.values, p.bandwidth)
    return None


def attention_weights(
    queries: Any,
    keys: Any,
    *,
    kernel: str | Kernel = "gaussian",
    bandwidth: Any = 1.0,
    empty: str = "raise",
    method: str = "auto",
) -> Any:
    """Attention weights of each query over all keys.

    Parameters
    ----------
    queries : array_like or torch.Tensor, shape (m,) or (m, d)
    keys : array_like or torch.Tensor, shape (n,) or (n, d)
    kernel : str or Kernel
        A name from ``KERNELS`` (default ``"gaussian"``).
    bandwidth : float or array_like of shape (d,)
        Width ``h > 0``; a vector gives per-coordinate widths.
    empty : {"raise", "nan"}
        What to do with a query that has no key in reach of a compact kernel:
        raise :class:`NoKeyInReachError` (default) or return a row of NaN.
    method : {"auto", "reference"}
        ``"auto"`` takes the fast path for the Gaussian kernel on numpy arrays
        (:mod:`nwlib.fast`); ``"reference"`` always runs the plain blocked code.

    Returns
    -------
    weights : (m, n) array or tensor
        Row ``i`` holds query ``i``'s weights; each row sums to 1.

    Examples
    --------
    >>> w = attention_weights([0.0, 1.0], [0.0, 1.0, 2.0], bandwidth=0.5)
    >>> w.shape, w.sum(axis=1).round(12).tolist()
    ((2, 3), [1.0, 1.0])
    """
    check_choice(empty, "empty", EMPTY_CHOICES)
    check_choice(method, "method", METHOD_CHOICES)
    k = get_kernel(kernel)
    p = prepare(queries, keys, None, bandwidth)
    if method == "auto" and k.name == "gaussian" and not p.is_torch:
        weights = fast.gaussian_weights(p.queries, p.keys, p.bandwidth)
        if weights is not None:
            return weights
    xp = p.xp
    m, n, d = p.queries.shape[0], p.keys.shape[0], p.keys.shape[1]
    rows = []
    for block in _blocks(m, n, d):
        w, total = _normalised_block(p, p.queries[block], k)
        empty_rows = total[:, 0] == 0
        _handle_empty(xp, empty_rows, empty, k, p.bandwidth)
        safe_total = xp.where(total > 0, total, xp.ones_like(total))
        w = w / safe_total
        rows.append(xp.where(empty_rows[:, None], xp.full_like(w, math.nan), w))
    if not rows:
        return xp.zeros((0, n), dtype=p.keys.dtype, device=p.keys.device)
    return xp.concat(rows, axis=0) if len(rows) > 1 else rows[0]


def nadaraya_watson(
    queries: Any,
    keys: Any,
    values: Any,
    *,
    kernel: str | Kernel = "gaussian",
    bandwidth: Any = 1.0,
    empty: str = "raise",
    method: str = "auto",
) -> Any:
    """Nadaraya-Watson estimate: the attention-weighted average of the values.

    Queries are processed in blocks, so memory stays bounded by the block size
    (about 8 MiB of scores) however many queries and keys there are.

    Parameters
    ----------
    queries : array_like or torch.Tensor, shape (m,) or (m, d)
    keys : array_like or torch.Tensor, shape (n,) or (n, d)
    values : array_like or torch.Tensor, shape (n,) or (n, c)
        Regression targets, or one-hot labels for class probabilities.
    kernel, bandwidth, empty
        As in :func:`attention_weights`.
    method : {"auto", "reference"}
        ``"auto"`` takes a fast path for the Gaussian kernel: multi-core blocked
        numpy (:mod:`nwlib.fast`) for arrays; for float32 CUDA tensors that need
        no gradient, a fused Triton kernel (:mod:`nwlib.triton_gauss`, if Triton
        is installed); for other tensors, fused ``scaled_dot_product_attention``
        (:mod:`nwlib.sdpa`) on their device. ``"reference"`` always runs the
        plain blocked code.

    Notes
    -----
    Every route answers within ``2**-(p+3) S`` of summing every key in the dtype,
    ``S = sum_i alpha_i |v_i|`` the answer's scale: a few units in the last place
    of ``S`` near the keys. Far from every key the rounded distances change each
    weight by a factor ``exp(+-(d + 3) eps (s_i + s_min))`` (``s = |u|^2 / 2``), on
    every route alike. A query beyond the dtype's range of distances gets the
    nearest keys' values, a width too wide for it their mean; only a compact kernel
    with no key truly in reach gives NaN or raises.

    Returns
    -------
    predictions : shape (m,) for values of shape (n,), else (m, c)

    Examples
    --------
    >>> import numpy as np
    >>> x = np.array([0.0, 1.0, 2.0]); y = np.array([0.0, 1.0, 4.0])
    >>> nadaraya_watson([1.0], x, y, kernel="constant")  # the mean of y
    array([1.66666667])
    >>> nadaraya_watson([1.0], x, y, bandwidth=1e-3)  # the nearest key's value
    array([1.])
    """
    check_choice(empty, "empty", EMPTY_CHOICES)
    check_choice(method, "method", METHOD_CHOICES)
    k = get_kernel(kernel)
    p = prepare(queries, keys, values, bandwidth)
    result = _fast_gaussian(p) if method == "auto" and k.name == "gaussian" else None
    if result is not None:
        return result[:, 0] if p.values_were_1d else result
    xp = p.xp
    m, n, d = p.queries.shape[0], p.keys.shape[0], p.keys.shape[1]
    out = []
    for block in _blocks(m, n, d):
        w, total = _normalised_block(p, p.queries[block], k)
        empty_rows = total == 0
        _handle_empty(xp, empty_rows, empty, k, p.bandwidth)
        # Normalise before pooling: a sum of weights up to 1 times values near the
        # largest float could overflow; weights that sum to 1 cannot.
        pooled = (w / xp.where(empty_rows, xp.ones_like(total), total)) @ p.values
        out.append(xp.where(empty_rows, xp.full_like(pooled, math.nan), pooled))
    if out:
        result = xp.concat(out, axis=0) if len(out) > 1 else out[0]
    else:
        result = xp.zeros((0, p.values.shape[1]), dtype=p.values.dtype, device=p.keys.device)
    return result[:, 0] if p.values_were_1d else result
