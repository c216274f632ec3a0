"""Local-linear regression: attention weights with a linear correction.

At a query ``q`` Nadaraya-Watson fits a constant to the values by kernel-weighted
least squares. Local-linear regression fits a line (a hyperplane in ``d``
dimensions) instead and reports its height at ``q``. The answer is still a
weighted sum of the values, ``f(q) = sum_i l_i(q) v_i``, with the *equivalent
kernel* weights

``l_i(q) = alpha_i (1 - (z_i - zbar)^T S^{-1} zbar)``,

where ``alpha_i`` are the Nadaraya-Watson attention weights, ``z_i = (k_i - q) / h``
the scaled offsets of the keys, ``zbar = sum_i alpha_i z_i`` their weighted mean and
``S = sum_i alpha_i (z_i - zbar)(z_i - zbar)^T`` their weighted covariance (the
centred local moments). The weights sum to 1 and can be negative; they reproduce
every linear function exactly, which removes Nadaraya-Watson's boundary and design
bias to first order (Fan 1992).
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from .arrays import ArrayLike, ArrayOrTensor, Width
from .blocking import row_blocks
from .kernels import Kernel, get_kernel
from .pooling import NoKeyInReachError
from .scores import shifted_weights
from .validation import prepare

__all__ = ["SingularLocalDesignError", "local_linear", "local_linear_weights",
           "local_linear_loo"]


class SingularLocalDesignError(ValueError):
    """Raised when the keys in reach of a query cannot determine a local line.

    Array types: none; holds no arrays.
    """


def _einsum(is_torch: bool):
    if is_torch:
        import torch

        return torch.einsum
    return np.einsum


def _solve(a: Any, b: Any, is_torch: bool) -> Any:
    if is_torch:
        import torch

        return torch.linalg.solve(a, b)
    return np.linalg.solve(a, b)


def _smallest_eigenvalue(s: Any, is_torch: bool) -> Any:
    if is_torch:
        import torch

        return torch.linalg.eigvalsh(s)[:, 0]
    return np.linalg.eigvalsh(s)[:, 0]


def _rows(p: Any, q: Any, kernel: Kernel, exclude: slice | None) -> Any:
    """Equivalent-kernel weights (block of queries x keys) of prepared arrays.

    ``exclude`` marks the queries as the keys ``exclude`` (leave-one-out): each
    query's own key gets weight 0.
    """
    xp, is_torch = p.xp, p.is_torch
    einsum = _einsum(is_torch)
    z = (p.keys[None, :, :] - q[:, None, :]) / p.bandwidth
    scores = kernel.log_profile(xp.sum(z * z, axis=-1), xp)
    if exclude is not None:
        idx = np.arange(exclude.stop - exclude.start)
        scores[idx, idx + exclude.start] = -math.inf
    w, total, empty = shifted_weights(scores, xp)
    if bool(xp.any(empty)):
        return None, empty, None
    alpha = w / total
    zbar = einsum("mn,mnd->md", alpha, z)
    zc = z - zbar[:, None, :]
    s = einsum("mn,mnd,mne->mde", alpha, zc, zc)
    # Relative to the raw second moment (so in no particular unit): a query far from
    # every key sees offsets whose spread is tiny next to their size, and a line
    # through them is not determined to working precision.
    raw = xp.sum(einsum("mn,mnd->md", alpha, z * z), axis=1)
    eps = float(np.finfo(np.float32 if str(q.dtype).endswith("float32") else np.float64).eps)
    lam = _smallest_eigenvalue(s, is_torch)
    singular = lam <= math.sqrt(eps) * raw
    if bool(xp.any(singular)):
        return None, None, singular
    t = _solve(s, zbar[:, :, None], is_torch)[:, :, 0]
    return alpha * (1 - einsum("mnd,md->mn", zc, t)), None, None


def _raise(kernel: Kernel, h: Any, count: int, singular: bool) -> None:
    vals = np.asarray(h.detach().cpu() if hasattr(h, "detach") else h).ravel()
    width = f"{vals[0]:g}" if (vals == vals[0]).all() else str(vals)
    if not singular:
        raise NoKeyInReachError(
            f"{count} quer{'y has' if count == 1 else 'ies have'} no key within reach of the "
            f"{kernel.name!r} kernel (bandwidth {width}), so no local line can be fitted. "
            "Use a wider bandwidth or kernel='gaussian'."
        )
    raise SingularLocalDesignError(
        f"{count} quer{'y sees' if count == 1 else 'ies see'} too few keys, or keys all on "
        f"one line, within the {kernel.name!r} kernel's reach (bandwidth {width}): a local "
        "line in d dimensions needs d + 1 keys in general position with non-negligible "
        "weight. Use a wider bandwidth, keep the queries inside the data, or fall back "
        "to nadaraya_watson there."
    )


def _weights(p: Any, kernel: Kernel, loo: bool = False):
    xp = p.xp
    m, n, d = p.queries.shape[0], p.keys.shape[0], p.keys.shape[1]
    for block in row_blocks(m, n * max(d, 1)):
        rows, empty, singular = _rows(p, p.queries[block], kernel, block if loo else None)
        if rows is None:
            bad = empty if empty is not None else singular
            _raise(kernel, p.bandwidth, int(xp.sum(xp.astype(bad, xp.int64))), empty is None)
        yield block, rows


def local_linear_weights(queries: ArrayOrTensor, keys: ArrayOrTensor, *, kernel: str | Kernel = "gaussian",
                         bandwidth: Width = 1.0) -> Any:
    """Equivalent-kernel weights of local-linear regression, shape (m, n).

    Array types: numpy or torch (through the module's numpy and torch paths); returns the input's float dtype
    (float32 stays float32, integers become float64), a tensor on the input's device for tensor input.

    Parameters
    ----------
    queries : array_like or torch.Tensor, shape (m,) or (m, d)
    keys : array_like or torch.Tensor, shape (n,) or (n, d)
    kernel : str or Kernel
    bandwidth : float or array_like of shape (d,)

    Returns
    -------
    weights : (m, n) array or tensor; each row sums to 1, entries may be negative.

    Raises
    ------
    NoKeyInReachError, SingularLocalDesignError

    Examples
    --------
    >>> w = local_linear_weights([0.0], [0.0, 1.0, 2.0], bandwidth=1.0)
    >>> float(w.sum().round(12)), bool(w[0, 2] < 0)  # at the edge: a negative weight
    (1.0, True)
    """
    p = prepare(queries, keys, None, bandwidth)
    k = get_kernel(kernel)
    parts = [rows for _, rows in _weights(p, k)]
    if not parts:
        return p.xp.zeros((0, p.keys.shape[0]), dtype=p.keys.dtype, device=p.keys.device)
    return p.xp.concat(parts, axis=0) if len(parts) > 1 else parts[0]


def local_linear(queries: ArrayOrTensor, keys: ArrayOrTensor, values: ArrayOrTensor, *,
                 kernel: str | Kernel = "gaussian", bandwidth: Width = 1.0) -> Any:
    """Local-linear regression: the height at ``q`` of a kernel-weighted line.

    Array types: numpy or torch (through the module's numpy and torch paths); returns the input's float dtype
    (float32 stays float32, integers become float64), a tensor on the input's device for tensor input.

    Works on numpy arrays and torch tensors (gradients flow to every argument),
    in any dimension, in blocks of queries so memory stays bounded.

    Parameters
    ----------
    queries : array_like or torch.Tensor, shape (m,) or (m, d)
    keys : array_like or torch.Tensor, shape (n,) or (n, d)
    values : array_like or torch.Tensor, shape (n,) or (n, c)
    kernel : str or Kernel
        A name from ``KERNELS`` (default ``"gaussian"``).
    bandwidth : float or array_like of shape (d,)

    Returns
    -------
    predictions : shape (m,) for values of shape (n,), else (m, c)

    Raises
    ------
    NoKeyInReachError
        A compact kernel leaves some query with no key in reach.
    SingularLocalDesignError
        Some query has fewer than ``d + 1`` keys in general position within reach
        (or sits so far from the keys that their offsets are numerically one point).

    Examples
    --------
    >>> x = [0.0, 1.0, 2.0, 3.0]
    >>> local_linear([0.0, 1.5], x, [1.0, 3.0, 5.0, 7.0], bandwidth=0.8).round(10)
    array([1., 4.])
    """
    p = prepare(queries, keys, values, bandwidth)
    k = get_kernel(kernel)
    xp = p.xp
    # Centring the values keeps an offset of the values out of the rounding errors.
    offset = xp.mean(p.values, axis=0, keepdims=True)
    if p.is_torch:
        offset = offset.detach()
    centred = p.values - offset
    out = [offset + rows @ centred for _, rows in _weights(p, k)]
    if out:
        result = xp.concat(out, axis=0) if len(out) > 1 else out[0]
    else:
        result = xp.zeros((0, p.values.shape[1]), dtype=p.values.dtype, device=p.keys.device)
    return result[:, 0] if p.values_were_1d else result


def local_linear_loo(keys: ArrayLike, values: ArrayLike, candidates: ArrayLike, *,
                     kernel: str | Kernel = "gaussian") -> tuple[Any, np.ndarray]:
    """Choose the local-linear width by leave-one-out cross-validation.

    Array types: numpy (a torch tensor raises TypeError); returns the chosen width as float64 and float64
    errors.

    Each key's value is predicted by the local line fitted to all the *other*
    keys (its own weight set to 0), for every candidate width.

    Parameters
    ----------
    keys : array_like, shape (n,) or (n, d)
    values : array_like, shape (n,) or (n, c)
    candidates : array_like, shape (w,) or (w, d)
    kernel : str or Kernel

    Returns
    -------
    best : float or ndarray
        The candidate with the smallest error (the first in case of ties).
    mse : ndarray, shape (w,)
        Leave-one-out mean squared error; ``inf`` for a candidate that leaves
        some key with a singular local design.

    Examples
    --------
    >>> x = np.linspace(0, 1, 30); y = np.sin(6 * x)
    >>> best, mse = local_linear_loo(x, y, [0.03, 0.1, 0.5], kernel="epanechnikov")
    >>> best, bool(np.isinf(mse[0]))  # 0.03 < the spacing: no other key in reach
    (0.1, True)
    """
    k = get_kernel(kernel)
    cand = np.asarray(candidates, dtype=float)
    if cand.ndim not in (1, 2) or cand.shape[0] == 0:
        raise ValueError(f"candidates has shape {cand.shape}; pass a non-empty list of "
                         "widths, shape (w,) or (w, d) for per-coordinate widths.")
    base = prepare(keys, keys, values, cand[0])
    if base.is_torch:
        raise TypeError("local_linear_loo works on numpy arrays; pass keys.numpy().")
    n = base.keys.shape[0]
    mse = np.empty(cand.shape[0])
    for c, h in enumerate(cand):
        p = prepare(keys, keys, values, h)
        offset = p.values.mean(axis=0, keepdims=True)
        sq = 0.0
        try:
            for block, rows in _weights(p, k, loo=True):
                pred = offset + rows @ (p.values - offset)
                sq += float(np.sum((pred - p.values[block]) ** 2))
            mse[c] = sq / n
        except (NoKeyInReachError, SingularLocalDesignError):
            mse[c] = np.inf
    if not np.any(np.isfinite(mse)):
        raise ValueError("every candidate leaves some key without a determined local line; "
                         "try wider candidates.")
    best = cand[int(np.argmin(mse))]
    return (float(best) if cand.ndim == 1 else best), mse
