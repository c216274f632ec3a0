"""Fast paths, behind one dispatch module.

The core modules compute everything with plain blocked array code that works for
every kernel, numpy and torch. Some inputs can take a faster exact route;
:func:`gaussian` (the Gaussian kernel) and :func:`compact` (kernels of compact
support) pick it, or return None so the caller runs its reference code:

- numpy arrays: multi-core blocked numpy/torch with a negligible-key cut-off
  (:mod:`.cpu_gauss`, planned by :mod:`.cutoff`); leave-one-out errors of many
  widths in one pass (:mod:`.cpu_loo`);
- float32 CUDA tensors needing no gradient: a fused Triton kernel (:mod:`.triton_gauss`);
- CPU tensors that need no gradient: the numpy route, sharing their memory;
- other tensors: torch's fused ``scaled_dot_product_attention`` (:mod:`.sdpa`),
  only when the centred scores keep the answer within 1e-12 (float64) or 1e-6
  (float32) of its scale, as exact as the numpy route.

Each route returns None where it cannot promise that (widths whose scores leave
the dtype's range, say), and the caller's reference code answers instead.
- compact kernels, any input: only the keys within reach of each block of
  queries, found by sorting (:mod:`.compact_kernels`); exact, since the others weigh 0.

These modules import only :mod:`nwlib.validation` and :mod:`nwlib.blocking`.
"""

from __future__ import annotations

import math
from typing import Any, Callable

from ..validation import Prepared
from . import compact_kernels, cpu_gauss, cpu_loo, fgt, sdpa, triton_gauss

__all__ = ["gaussian", "compact", "on_gpu", "OPERATIONS", "ROUTES"]

OPERATIONS = ("weights", "pool", "loo", "plan")
ROUTES = ("auto", "sdpa")


def on_gpu(tensor: Any) -> bool:
    """Tell whether the Triton kernel may serve ``tensor``.

    CUDA only: on CPU tensors Triton would run in its slow interpreter.
    """
    return bool(tensor.is_cuda)


def gaussian(operation: str, p: Prepared, *, candidates: Any = None,
             route: str = "auto") -> Any:
    """Run a Gaussian ``operation`` on a fast path, or return None when none serves.

    Parameters
    ----------
    operation : {"weights", "pool", "loo", "plan"}
        Attention weights (m, n); pooled values (m, c); leave-one-out mean
        squared errors of the keys for each of ``candidates`` (numpy only); or
        ``(pairs, gap)``: how many kernel values ``"pool"`` evaluates and the score
        gap beyond which it skips a key (numpy only; None: every pair is computed).
    p : Prepared
        Checked inputs from :func:`nwlib.validation.prepare`.
    candidates : ndarray, shape (w,) or (w, d)
        Checked widths, for ``"loo"``.
    route : {"auto", "sdpa"}
        ``"sdpa"`` forces torch's fused attention (for :func:`nwlib.sdpa_nadaraya_watson`).

    Returns
    -------
    The result (numpy for numpy input, a tensor for tensor input), or None.

    Examples
    --------
    >>> from nwlib.validation import prepare
    >>> gaussian("pool", prepare([1.0], [0.0, 1.0, 2.0], [0.0, 1.0, 4.0], 1e-3)).tolist()
    [[1.0]]
    """
    if operation not in OPERATIONS or route not in ROUTES:
        raise ValueError(f"operation={operation!r}, route={route!r}: unknown.")
    if route == "sdpa":
        return _sdpa(p)
    if p.queries.shape[0] == 0:
        return None
    if operation == "plan":
        return None if p.is_torch else (
            cpu_gauss.evaluated_pairs(p.queries, p.keys, p.bandwidth),
            cpu_gauss.negligible_gap(p.keys.shape[0], p.keys.dtype))
    if operation == "loo":
        if p.is_torch:
            return None
        # --- issue 23: the fast Gauss transform (lead: re-wire into the new dispatch) ---
        if fgt.worthwhile(p.keys.shape[0], p.keys.shape[0], p.keys.shape[1]):
            fast = fgt.loo_mse(p.keys, p.values, candidates)
            if fast is not None:
                rest = fast != fast  # widths the transform left (NaN)
                if rest.any():
                    fast[rest] = cpu_loo.gaussian_loo_mse(p.keys, p.values, candidates[rest])
                return fast
        return cpu_loo.gaussian_loo_mse(p.keys, p.values, candidates)
    if p.is_torch and not on_gpu(p.queries) and not _needs_grad(p):
        # CPU tensors share memory with numpy arrays: the exact numpy route serves them.
        import torch

        out = _cpu(operation, *(t.numpy() for t in (p.queries, p.keys, p.values, p.bandwidth)
                                if t is not None))
        return None if out is None else torch.from_numpy(out)
    if operation == "weights":
        return None if p.is_torch else _cpu(operation, p.queries, p.keys, p.bandwidth)
    if not p.is_torch:
        # --- issue 23: the fast Gauss transform (lead: re-wire into the new dispatch) ---
        if fgt.worthwhile(p.queries.shape[0], p.keys.shape[0], p.keys.shape[1]):
            fast = fgt.pool(p.queries, p.keys, p.values, p.bandwidth, exact=lambda rows: _cpu(
                operation, p.queries[rows], p.keys, p.values, p.bandwidth))
            if fast is not None:
                return fast
        return _cpu(operation, p.queries, p.keys, p.values, p.bandwidth)
    if on_gpu(p.queries) and triton_gauss.available(p.queries, p.keys, p.values, p.bandwidth):
        return triton_gauss.gaussian_nadaraya_watson(p.queries, p.keys, p.values, p.bandwidth)
    if sdpa.well_conditioned(p.queries, p.keys, p.bandwidth):
        return sdpa.gaussian_nadaraya_watson(p.queries, p.keys, p.values, p.bandwidth)
    return None


def _needs_grad(p: Prepared) -> bool:
    return any(t is not None and t.requires_grad for t in (p.queries, p.keys, p.values, p.bandwidth))


def _cpu(operation: str, *arrays: Any) -> Any:
    """Run the multi-core numpy route; return None where a width is out of the dtype's range."""
    if operation == "weights":
        return cpu_gauss.gaussian_weights(*arrays)
    return cpu_gauss.gaussian_nadaraya_watson(*arrays)


def compact(operation: str, p: Prepared, *, radius: float, profile: str | None,
            scores_of: Callable[[Any, Any], Any]) -> Any:
    """Run ``operation`` for a kernel of compact support on the slice route, or return None.

    Parameters
    ----------
    operation : {"pool"}
        The sums ``sum_i w_i [v_i, 1]`` of each query, shape (m, c + 1): the
        caller divides, and a row of zeros marks a query with no key in reach.
    p : Prepared
        Checked inputs from :func:`nwlib.validation.prepare` (with values).
    radius : float
        The kernel is 0 beyond ``u = radius``; None (or not finite) serves nothing.
    profile : str or None
        A built-in kernel's name, for the in-place route; None for other kernels.
    scores_of : callable
        ``scores_of(q_block, k_block)``: the reference code's log-kernel scores.

    Returns
    -------
    The sums (numpy for numpy input, a tensor for tensor input), or None.

    Examples
    --------
    >>> import numpy as np
    >>> from nwlib.validation import prepare
    >>> box = lambda q, k: np.where(np.sum((q[:, None] - k[None]) ** 2, axis=-1) <= 1, 0.0, -np.inf)
    >>> p = prepare([0.5], [0.0, 1.0, 3.0], [1.0, 2.0, 5.0], 1.0)
    >>> compact("pool", p, radius=1.0, profile="boxcar", scores_of=box).tolist()
    [[3.0, 2.0]]
    """
    if operation != "pool":
        raise ValueError(f"operation={operation!r}: unknown.")
    if p.queries.shape[0] == 0 or not (radius is not None and 0 < radius < math.inf):
        return None
    return compact_kernels.compact_sums(p.queries, p.keys, p.values, p.bandwidth, radius, profile,
                                        scores_of, p.xp)


def _sdpa(p: Prepared) -> Any:
    """Run the fused-attention route on numpy or torch input, returning the input's type."""
    import torch

    q, k, v, h = (torch.as_tensor(a) for a in (p.queries, p.keys, p.values, p.bandwidth))
    if not sdpa.well_conditioned(q, k, h):
        raise ValueError(
            "the scaled coordinates are too large for the precision: the dot-product form "
            "of the scores would lose their digits. Use a wider bandwidth, float64 data, "
            "or nwlib.nadaraya_watson, which handles any width."
        )
    out = sdpa.gaussian_nadaraya_watson(q, k, v, h)
    return out if p.is_torch else out.numpy()
