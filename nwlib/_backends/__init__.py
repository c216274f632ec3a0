"""Fast paths, behind one dispatch module: one function per operation.

The core modules compute everything with plain blocked array code that works for
every kernel, numpy and torch. Some inputs can take a faster exact route; each
function below picks it, or returns None so the caller runs its reference code:

- :func:`gaussian_pool`, :func:`gaussian_weights`: numpy arrays in d <= 3 with many
  keys and queries take the fast Gauss transform (:mod:`.fgt`: O(n + m), with a
  per-query error bound; queries it cannot bound go on), the others multi-core
  blocked numpy/torch with a negligible-key cut-off (:mod:`.cpu_gauss`, planned by
  :mod:`.cutoff`); float32 CUDA tensors needing no gradient a fused Triton kernel
  (:mod:`.triton_gauss`); other tensors torch's fused
  ``scaled_dot_product_attention`` (:mod:`.sdpa`), only where its error bound keeps
  the answer as exact as the numpy route. (CPU tensors that need no gradient never
  arrive here: :mod:`nwlib.pooling` hands them over as numpy arrays sharing memory.)
- :func:`gaussian_log_sums`: the log of Gaussian kernel sums (Parzen densities), :mod:`.fgt` only;
- :func:`gaussian_loo`: leave-one-out errors of many widths in one pass (:mod:`.fgt`
  where it is worthwhile, else :mod:`.cpu_loo`);
- :func:`gaussian_plan`: which route :func:`gaussian_pool` tries first, and how many
  pairs the cut-off route evaluates;
- :func:`gaussian_transform`: the fast transform's grid, sums and per-query bounds, shown
  (:mod:`nwlib.fast_transform` teaches with it, as with :data:`chebyshev`, :data:`lagrange`
  and :data:`interpolation_error`, the interpolation :mod:`.fgt` runs on);
- :func:`sdpa_pool`: the fused-attention route, forced (:func:`nwlib.sdpa_nadaraya_watson`);
- :func:`compact_pool`: kernels of compact support, any input: only the keys within
  reach of each block of queries (:mod:`.compact_kernels`); exact, since the others weigh 0.

Each route returns None where it cannot promise the reference code's accuracy
(widths whose scores leave the dtype's range, say). These modules import only
:mod:`nwlib.validation` and :mod:`nwlib.blocking`.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any

import numpy as np

from ..validation import Prepared
from . import compact_kernels, cpu_gauss, cpu_loo, fgt, sdpa, triton_gauss

__all__ = ["gaussian_pool", "gaussian_weights", "gaussian_log_sums", "gaussian_loo", "gaussian_plan",
           "gaussian_transform", "chebyshev", "lagrange", "interpolation_error",
           "sdpa_pool", "compact_pool", "on_gpu"]

#: The interpolation the fast transform runs on: Chebyshev points, Lagrange basis, bound.
chebyshev, lagrange, interpolation_error = (fgt.transform.chebyshev, fgt.transform.lagrange,
                                            fgt.transform.interpolation_error)


def on_gpu(tensor: Any) -> bool:
    """Tell whether the Triton kernel may serve ``tensor``.

    CUDA only: on CPU tensors Triton would run in its slow interpreter.

    Parameters
    ----------
    tensor : torch.Tensor
        Any tensor.

    Returns
    -------
    bool
        True for a CUDA tensor.
    """
    return bool(tensor.is_cuda)


def _transform_first(p: Prepared) -> bool:
    """Whether numpy input takes the fast transform: enough points, and a grid that serves."""
    m, (n, d) = p.queries.shape[0], p.keys.shape
    return fgt.worthwhile(m, n, d) and fgt.serves(p.queries, p.keys, p.bandwidth)


def gaussian_pool(p: Prepared) -> Any:
    """Gaussian Nadaraya-Watson predictions on a fast path, or None when none serves.

    Parameters
    ----------
    p : Prepared
        Checked inputs from :func:`nwlib.validation.prepare`, with values.

    Returns
    -------
    ndarray or torch.Tensor or None
        The pooled values, shape (m, c), in the input's type; None: run the reference code.

    Examples
    --------
    >>> from nwlib.validation import prepare
    >>> gaussian_pool(prepare([1.0], [0.0, 1.0, 2.0], [0.0, 1.0, 4.0], 1e-3)).tolist()
    [[1.0]]
    """
    if p.queries.shape[0] == 0:
        return None
    if not p.is_torch:
        if _transform_first(p):
            fast = fgt.pool(p.queries, p.keys, p.values, p.bandwidth,
                            exact=lambda rows: cpu_gauss.gaussian_nadaraya_watson(
                                p.queries[rows], p.keys, p.values, p.bandwidth))
            if fast is not None:
                return fast
        return cpu_gauss.gaussian_nadaraya_watson(p.queries, p.keys, p.values, p.bandwidth)
    if on_gpu(p.queries) and triton_gauss.available(p.queries, p.keys, p.values, p.bandwidth):
        return triton_gauss.gaussian_nadaraya_watson(p.queries, p.keys, p.values, p.bandwidth)
    if sdpa.well_conditioned(p.queries, p.keys, p.bandwidth):
        return sdpa.gaussian_nadaraya_watson(p.queries, p.keys, p.values, p.bandwidth)
    return None


def gaussian_weights(p: Prepared) -> Any:
    """Gaussian attention weights (m, n) of numpy input, or None for the reference code.

    Parameters
    ----------
    p : Prepared
        Checked inputs from :func:`nwlib.validation.prepare`.

    Returns
    -------
    ndarray or None
        Each row sums to 1; None for tensors, no queries, or widths out of range.

    Examples
    --------
    >>> from nwlib.validation import prepare
    >>> gaussian_weights(prepare([0.0], [-1.0, 1.0], None, 1.0)).tolist()
    [[0.5, 0.5]]
    """
    if p.is_torch or p.queries.shape[0] == 0:
        return None
    return cpu_gauss.gaussian_weights(p.queries, p.keys, p.bandwidth)


def gaussian_log_sums(p: Prepared) -> Any:
    """Return the logs of the Gaussian kernel sums ``log sum_i exp(-|q - k_i|^2 / (2 h^2))``, or None.

    The fast Gauss transform serves numpy input in d <= 3 with enough keys and queries
    (:func:`.fgt.worthwhile`); everything else returns None for the reference code.

    Parameters
    ----------
    p : Prepared
        Checked queries and keys from :func:`nwlib.validation.prepare`.

    Returns
    -------
    ndarray, shape (m,), or None
        The log-sums, in the input's float dtype; None: run the reference code.

    Examples
    --------
    >>> from nwlib.validation import prepare
    >>> gaussian_log_sums(prepare([0.0], [0.0, 1.0], None, 1.0)) is None  # too few keys
    True
    """
    if p.is_torch or not _transform_first(p):
        return None
    return fgt.log_kernel_sums(p.queries, p.keys, p.bandwidth)


def gaussian_loo(p: Prepared, candidates: Any) -> Any:
    """Leave-one-out mean squared errors of the keys for each candidate width.

    Parameters
    ----------
    p : Prepared
        Checked keys and values from :func:`nwlib.validation.prepare`.
    candidates : ndarray, shape (w,) or (w, d)
        Checked widths.

    Returns
    -------
    ndarray, shape (w,), or None
        NaN for each width the fast path leaves to the reference code; None for tensors.

    Examples
    --------
    >>> import numpy as np
    >>> from nwlib.validation import prepare
    >>> p = prepare([0.0, 1.0, 2.0], [0.0, 1.0, 2.0], [0.0, 1.0, 2.0])
    >>> gaussian_loo(p, np.array([1e-3])).round(6).tolist()
    [0.666667]
    """
    if p.is_torch or p.keys.shape[0] == 0:
        return None
    if fgt.worthwhile(p.keys.shape[0], p.keys.shape[0], p.keys.shape[1]):
        fast = fgt.loo_mse(p.keys, p.values, candidates)
        if fast is not None:
            rest = fast != fast  # widths the transform leaves to the exact pass (NaN)
            if rest.any():
                fast[rest] = cpu_loo.gaussian_loo_mse(p.keys, p.values, candidates[rest])
            return fast
    return cpu_loo.gaussian_loo_mse(p.keys, p.values, candidates)


def gaussian_plan(p: Prepared) -> tuple[int, float, str] | None:
    """Name the route :func:`gaussian_pool` tries first, and count the cut-off route's work.

    Parameters
    ----------
    p : Prepared
        Checked queries and keys from :func:`nwlib.validation.prepare`.

    Returns
    -------
    (pairs, gap, route) or None
        Pairs the cut-off route evaluates, the score gap beyond which it skips a key,
        and ``"transform"`` where the fast Gauss transform is tried first, else
        ``"cut-off"``; None where every pair is computed (tensors, no queries).

    Examples
    --------
    >>> from nwlib.validation import prepare
    >>> gaussian_plan(prepare([0.0], [0.0, 1.0, 100.0], None, 0.1))[::2]
    (1, 'cut-off')
    """
    if p.is_torch or p.queries.shape[0] == 0:
        return None
    route = "transform" if _transform_first(p) else "cut-off"
    return (cpu_gauss.evaluated_pairs(p.queries, p.keys, p.bandwidth),
            cpu_gauss.negligible_gap(p.keys.shape[0], p.keys.dtype), route)


def gaussian_transform(p: Prepared, target: float, with_sums: bool = True) -> dict[str, Any] | None:
    """Run the fast Gauss transform in the open: its grid, and its sums with their bounds.

    The grid is planned by :func:`.fgt.grid_for` over the keys and every
    query, for an interpolation error of ``target`` of the kernel's peak per pair; the
    sums are ``sum_i K(q, k_i) [v_i, 1]`` with the bound :func:`.fgt.transform.gaussian_sums`
    proves for each. ``exact`` marks the queries :func:`.fgt.pool` (the route
    :func:`gaussian_pool` takes) answers on the exact path instead.

    Parameters
    ----------
    p : Prepared
        Checked inputs from :func:`nwlib.validation.prepare`, numpy, with values.
    target : float
        Interpolation error per query-key pair, as a share of the kernel's peak 1.
    with_sums : bool
        False: plan the grid only.

    Returns
    -------
    dict or None
        ``order``, ``boxes``, ``cost`` and, ``with_sums``, ``sums`` (m, c + 1),
        ``bounds`` (m, c + 1) and ``exact`` (m,); None where no grid fits (d > 3, or
        a width too narrow for the points' span).

    Examples
    --------
    >>> from nwlib.validation import prepare
    >>> out = gaussian_transform(prepare([0.0], [0.0, 1.0], [1.0, 3.0], 1.0), 1e-12)
    >>> out["sums"].round(9).tolist(), bool(out["bounds"].max() < 1e-10)
    ([[2.819591979, 1.60653066]], True)
    """
    columns = np.concatenate([np.asarray(p.values, dtype=np.float64),
                              np.ones((p.keys.shape[0], 1))], axis=1)
    planned = fgt.grid_for(p.queries, p.keys, np.asarray(p.bandwidth, dtype=np.float64),
                           p.keys.dtype, columns.shape[1], target=target)
    if planned is None:
        return None
    grid, q, k, _, cost = planned
    out = {"order": int(grid.p), "boxes": tuple(int(b) for b in grid.nb), "cost": float(cost)}
    if with_sums:
        out["sums"], out["bounds"] = fgt.transform.gaussian_sums(grid, q, k, columns, np.abs(columns))
        exact = np.zeros(q.shape[0], dtype=bool)

        def record(rows: np.ndarray) -> np.ndarray:
            exact[rows] = True
            return np.zeros((rows.shape[0], p.values.shape[1]))

        if fgt.pool(p.queries, p.keys, p.values, p.bandwidth, exact=record) is None:
            exact[:] = True
        out["exact"] = exact
    return out


def sdpa_pool(p: Prepared) -> Any:
    """Gaussian Nadaraya-Watson through torch's fused attention, for numpy or torch input.

    Parameters
    ----------
    p : Prepared
        Checked inputs from :func:`nwlib.validation.prepare`, with values.

    Returns
    -------
    ndarray or torch.Tensor
        The pooled values (m, c), in the input's type.

    Raises
    ------
    ValueError
        Where :func:`.sdpa.error_bound` exceeds :data:`.sdpa.USEFUL_BOUND`, naming it.

    Examples
    --------
    >>> from nwlib.validation import prepare
    >>> sdpa_pool(prepare([1.0], [0.0, 1.0, 2.0], [0.0, 1.0, 4.0], 0.05)).round(6).tolist()
    [[1.0]]
    """
    import torch

    q, k, v, h = (torch.as_tensor(a) for a in (p.queries, p.keys, p.values, p.bandwidth))
    bound = sdpa.error_bound(q, k, h)
    if not bound <= sdpa.USEFUL_BOUND:
        raise ValueError(
            f"the dot-product form of the scores could be off by {bound:.3g} times the "
            f"answer's scale in {k.dtype} (its bound 2 e^D (e^D - 1), D = (d + 5) eps R^2, "
            "R the largest centred point in widths): no digit would be right. Use float64 "
            "data, a wider bandwidth, queries nearer the keys, or nwlib.nadaraya_watson, "
            "which handles any width."
        )
    out = sdpa.gaussian_nadaraya_watson(q, k, v, h)
    return out if p.is_torch else out.numpy()


def compact_pool(p: Prepared, *, radius: float, profile: str | None,
                 scores_of: Callable[[Any, Any], Any]) -> Any:
    """Sum a compact kernel's weights on the slice route, or return None.

    Parameters
    ----------
    p : Prepared
        Checked inputs from :func:`nwlib.validation.prepare`, with values.
    radius : float
        The kernel is 0 beyond ``u = radius``; None (or not finite) serves nothing.
    profile : str or None
        A built-in kernel's name, for the in-place route; None for other kernels.
    scores_of : callable
        ``scores_of(q_block, k_block)``: the reference code's log-kernel scores.

    Returns
    -------
    ndarray or torch.Tensor or None
        ``sum_i w_i [v_i, 1]`` per query, shape (m, c + 1): the caller divides, and a
        row of zeros marks a query with no key in reach.

    Examples
    --------
    >>> import numpy as np
    >>> from nwlib.validation import prepare
    >>> box = lambda q, k: np.where(np.sum((q[:, None] - k[None]) ** 2, axis=-1) <= 1, 0.0, -np.inf)
    >>> p = prepare([0.5], [0.0, 1.0, 3.0], [1.0, 2.0, 5.0], 1.0)
    >>> compact_pool(p, radius=1.0, profile="boxcar", scores_of=box).tolist()
    [[3.0, 2.0]]
    """
    if p.queries.shape[0] == 0 or not (radius is not None and 0 < radius < math.inf):
        return None
    return compact_kernels.compact_sums(p.queries, p.keys, p.values, p.bandwidth, radius, profile,
                                        scores_of, p.xp)
