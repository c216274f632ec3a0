"""Nadaraya-Watson regression as attention pooling.

A query ``q`` attends to keys ``k_i`` through a kernel; the weights
``alpha(q, k_i) = k(u_i) / sum_j k(u_j)`` are a softmax of the log-kernel
scores, and the prediction pools the values with them:
``f(q) = sum_i alpha(q, k_i) v_i``.
"""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Callable
from typing import Any

import array_api_compat
import numpy as np

from . import _backends
from .blocking import check_result_fits, row_blocks
from .kernels import KERNELS, Kernel, get_kernel
from .scores import log_scores, shifted_weights, weight_scores
from .validation import Prepared, check_choice, prepare

__all__ = ["attention_weights", "nadaraya_watson", "NoKeyInReachError"]

EMPTY_CHOICES = ("raise", "nan")
METHOD_CHOICES = ("auto", "reference")


class NoKeyInReachError(ValueError):
    """Raised when a compact kernel leaves some query with no key in reach.

    Array types: none; holds no arrays.
    """


def check_empty(xp: Any, empty_rows: Any, empty: str, kernel: Kernel, widths: str) -> None:
    """Raise :class:`NoKeyInReachError` for rows without a key when ``empty="raise"``.

    ``widths`` describes the widths for the message, e.g. ``"bandwidth 0.1"``.
    """
    count = int(xp.sum(xp.astype(empty_rows, xp.int64)))
    if count and empty == "raise":
        raise NoKeyInReachError(
            f"{count} quer{'y has' if count == 1 else 'ies have'} no key within reach of the "
            f"{kernel.name!r} kernel (it is 0 beyond u = {kernel.radius:g}, {widths}), so "
            f"{'its' if count == 1 else 'their'} weights would be 0/0. Use a wider bandwidth, "
            "a kernel with infinite support such as 'gaussian', or empty='nan' to mark those "
            "queries with NaN (e.g. to show gaps in a plot)."
        )


def blocked_attention(p: Prepared, scores_of: Callable[[Any], Any], kernel: Kernel, empty: str,
                      widths: str, *, pool: bool) -> Any:
    """Weights (m, n), or pooled values (m, c) if ``pool``, over blocks of queries.

    ``scores_of(queries_block)`` returns the block's log-scores; blocks are sized by
    :func:`nwlib.blocking.row_blocks`, so memory stays within the working memory.
    Rows with no key in reach are handled by :func:`check_empty` (NaN rows if allowed).
    """
    xp = p.xp
    m, n, d = p.queries.shape[0], p.keys.shape[0], p.keys.shape[1]
    out = []
    for block in row_blocks(m, n * max(d, 1)):
        w, total, empty_rows = shifted_weights(scores_of(p.queries[block]), xp)
        check_empty(xp, empty_rows, empty, kernel, widths)
        safe_total = xp.where(total > 0, total, xp.ones_like(total))
        # Normalise before pooling: weights summing to 1 times values near the largest
        # float cannot overflow, where unnormalised sums could.
        part = (w / safe_total) @ p.values if pool else w / safe_total
        out.append(xp.where(empty_rows[:, None], xp.full_like(part, math.nan), part))
    if out:
        return xp.concat(out, axis=0) if len(out) > 1 else out[0]
    cols = p.values.shape[1] if pool else n
    return xp.zeros((0, cols), dtype=p.keys.dtype, device=p.keys.device)


def _itemsize(a: Any) -> int:
    return a.element_size() if hasattr(a, "element_size") else a.itemsize


def _fmt(h: Any) -> str:
    vals = np.asarray(h.detach().cpu() if hasattr(h, "detach") else h).ravel()
    return f"bandwidth {vals[0]:g}" if (vals == vals[0]).all() else f"bandwidth {vals}"


def _reference(p: Prepared, k: Kernel, empty: str, *, pool: bool) -> Any:
    def scores_of(q: Any) -> Any:
        scores = log_scores(q, p.keys, p.bandwidth, k, p.xp)
        return weight_scores(scores, q, p.keys, p.bandwidth, k, p.xp)

    return blocked_attention(p, scores_of, k, empty, _fmt(p.bandwidth), pool=pool)


def _compact(p: Prepared, kernel: Kernel, empty: str) -> Any:
    """Pool with a compact kernel on the slice route; None where it does not serve.

    Only the keys in each query's reach are scored (:func:`nwlib._backends.compact_pool`).
    """
    xp, c = p.xp, p.values.shape[1]

    def scores_of(q: Any, k: Any) -> Any:
        return log_scores(q, k, p.bandwidth, kernel, xp)

    builtin = KERNELS.get(kernel.name) is kernel
    sums = _backends.compact_pool(p, radius=kernel.radius,
                                  profile=kernel.name if builtin else None, scores_of=scores_of)
    if sums is None:
        return None
    total = sums[:, c:]
    empty_rows = total[:, 0] == 0
    check_empty(xp, empty_rows, empty, kernel, _fmt(p.bandwidth))
    pooled = sums[:, :c] / xp.where(total > 0, total, xp.ones_like(total))
    return xp.where(empty_rows[:, None], xp.full_like(pooled, math.nan), pooled)


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

    Array types: numpy or torch (array-API, through array-api-compat); returns the input's float dtype
    (float32 stays float32, integers become float64), a tensor on the input's device for tensor input.

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
        (:mod:`nwlib._backends`); ``"reference"`` always runs the plain blocked code.

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
    check_result_fits(
        (p.queries.shape[0], p.keys.shape[0]), _itemsize(p.keys), "attention_weights",
        "For predictions call nadaraya_watson, which never holds the matrix; for weights, "
        "pass the queries a block at a time.",
    )
    twin = numpy_twin(p, k)
    if twin is not None:
        import torch

        return torch.from_numpy(_weights(twin, k, empty, method))
    return _weights(p, k, empty, method)


def _weights(p: Prepared, k: Kernel, empty: str, method: str) -> Any:
    if method == "auto" and k is KERNELS["gaussian"]:
        fast = _backends.gaussian_weights(p)
        if fast is not None:
            return fast
    return _reference(p, k, empty, pool=False)


def numpy_twin(p: Prepared, k: Kernel) -> Prepared | None:
    """Return the same problem as numpy arrays, for CPU tensors that need no gradient, or None.

    They share memory, and the numpy routes run on nwlib's own threads, which stay
    steady next to other processes where torch's OpenMP team waits for its slowest
    thread (:func:`nwlib._backends.cpu_gauss.serial_torch`). Built-in kernels only: a
    user's kernel may be written in torch alone.

    Parameters
    ----------
    p : Prepared
        Checked inputs from :func:`nwlib.validation.prepare`.
    k : Kernel
        The kernel the caller will use.

    Returns
    -------
    Prepared or None
        The numpy twin; None for numpy input, CUDA tensors, tensors that need a
        gradient, or a user's kernel.
    """
    arrays = (p.queries, p.keys, p.values, p.bandwidth)
    if (not p.is_torch or KERNELS.get(k.name) is not k or _backends.on_gpu(p.queries)
            or any(a is not None and a.requires_grad for a in arrays)):
        return None
    queries, keys, values, bandwidth = (None if a is None else a.numpy() for a in arrays)
    return dataclasses.replace(p, xp=array_api_compat.array_namespace(keys), queries=queries,
                               keys=keys, values=values, bandwidth=bandwidth, is_torch=False)


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

    Array types: numpy or torch (array-API, through array-api-compat); returns the input's float dtype
    (float32 stays float32, integers become float64), a tensor on the input's device for tensor input.

    Queries are processed in blocks, so memory stays bounded by the working
    memory (:mod:`nwlib.blocking`) however many queries and keys there are.

    Parameters
    ----------
    queries : array_like or torch.Tensor, shape (m,) or (m, d)
    keys : array_like or torch.Tensor, shape (n,) or (n, d)
    values : array_like or torch.Tensor, shape (n,) or (n, c)
        Regression targets, or one-hot labels for class probabilities.
    kernel : str or Kernel
        A name from ``KERNELS`` or a :class:`Kernel`.
    bandwidth : float or numpy.typing.ArrayLike of shape (d,)
        The kernel width ``h > 0``, or one width per coordinate.
    empty : {"raise", "nan"}
        What a query no key reaches gets (compact kernels): an error, or NaN.
    method : {"auto", "reference"}
        ``"auto"`` takes a fast path for the Gaussian kernel: multi-core blocked
        numpy for arrays; for float32 CUDA tensors that need no gradient, a fused
        Triton kernel (if Triton is installed); for other tensors, fused
        ``scaled_dot_product_attention`` on their device. Kernels of compact
        support score only the keys within their reach; exact, since every key
        left out has weight 0 (all in :mod:`nwlib._backends`). ``"reference"``
        always runs the plain blocked code.

    Returns
    -------
    predictions : shape (m,) for values of shape (n,), else (m, c)

    Notes
    -----
    Every route answers within ``2**-(p+3) S`` of summing every key in the dtype
    (p the mantissa's bits), ``S = sum_i alpha_i |v_i|`` the answer's scale: a few
    units in the last place of ``S`` near the keys. Far from every key the rounded
    distances change each weight by a factor ``exp(+-(d + 3) eps (s_i + s_min))``
    (``s = |u|^2 / 2``), on every route alike. A query beyond the dtype's range of
    distances gets the nearest keys' values, a width too wide for it their mean;
    only a compact kernel with no key truly in reach gives NaN or raises.

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
    twin = numpy_twin(p, k)
    result = _pool(p if twin is None else twin, k, empty, method)
    if twin is not None:
        import torch

        result = torch.from_numpy(result)
    return result[:, 0] if p.values_were_1d else result


def _pool(p: Prepared, k: Kernel, empty: str, method: str) -> Any:
    result = None
    if method == "auto" and k is KERNELS["gaussian"]:
        result = _backends.gaussian_pool(p)
    elif method == "auto":
        result = _compact(p, k, empty)
    if result is None:
        result = _reference(p, k, empty, pool=True)
    return result
