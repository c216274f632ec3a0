"""Gaussian Nadaraya-Watson on torch tensors through fused attention.

Gaussian pooling *is* softmax attention. With ``u = (q - k) / h``,
``-|u|^2 / 2 = q'.k' - |k'|^2 / 2 - |q'|^2 / 2`` for ``q' = q / h`` and
``k' = k / h``; the last term is the same for every key, so softmax drops it.
Appending a coordinate, ``Q = [q', 1]`` and ``K = [k', -|k'|^2 / 2]``, turns the
weights into ``softmax(Q K^T)``: exactly what
:func:`torch.nn.functional.scaled_dot_product_attention` computes with ``scale=1``,
on fused kernels that never hold the (m, n) matrix and run the row-max shift
online. Keeping the key term in a coordinate (not an additive mask) and padding
queries, keys and values to one width keeps torch on its fused kernels, also when
the bandwidth requires grad.

**Error bound.** The expansion loses digits to cancellation: a score near 0 comes
from terms as large as ``|k'|^2``. Centre the data on the keys' mean ``c`` and write
``a = (q - c) / h`` and ``b = (k - c) / h`` (so ``R = max(|a|, |b|)`` is the largest
distance from the centre, in widths). With ``eps`` the dtype's machine epsilon, each
coordinate of ``a`` and ``b`` is rounded twice (the difference, the division), the
squared norm ``|b|^2`` sums d rounded squares and the dot product
``[a, 1].[b, -|b|^2 / 2]`` sums d + 1 rounded products. Adding these up, the
computed score of key j differs from ``a.b_j - |b_j|^2 / 2`` (the exact score
``-|a - b_j|^2 / 2`` up to the row constant ``|a|^2 / 2``, which softmax drops) by

``|delta_j| <= (d + 5) / 2 * eps * (|a| |b_j| + |b_j|^2) <= Delta = (d + 5) eps R^2``.

Weights off by factors ``exp(delta_j)`` move the weighted mean ``f`` by at most
``2 e^Delta (e^Delta - 1) S``, with ``S = sum_j alpha_j |v_j|`` the answer's scale
(the numerator moves by ``(e^Delta - 1) sum_j alpha_j |v_j - f| <= 2 (e^Delta - 1) S``,
the denominator shrinks by at most ``e^-Delta``). That is :func:`error_bound`,
about ``2 (d + 5) eps R^2`` relative to ``S``, on top of the rounding of the sums
that every route makes. On data in [0, 5] (``R`` = 2.5 widths at h = 1): 9e-6 in
float32 (``eps`` = 1.2e-7); at h = 0.1 (``R`` = 25) 9e-4 in float32 and 2e-12 in
float64. It grows with the square of the data's extent in widths: float64, a
wider width, or queries nearer the keys shrink it (the centring is done here).

:func:`nwlib.nadaraya_watson` takes this route only where the bound is within
:data:`TOLERANCE` (as exact as its other routes); :func:`nwlib.sdpa_nadaraya_watson`,
the course's demonstration, answers wherever the bound is below
:data:`USEFUL_BOUND` and refuses, naming the bound, where it is not.
"""

from __future__ import annotations

import math
from typing import Any

__all__ = ["gaussian_nadaraya_watson", "well_conditioned", "error_bound", "TOLERANCE",
           "USEFUL_BOUND"]

#: Largest :func:`error_bound` (relative to the answer's scale ``S``) with which
#: :func:`nwlib.nadaraya_watson` takes this route: as exact as its other routes, a
#: few thousand units of the dtype's rounding at most.
TOLERANCE = {"torch.float64": 1e-12, "torch.float32": 1e-6}
#: Bound beyond which the fused route guarantees no correct leading digit (the
#: answer could be off by its whole scale ``S``): :func:`nwlib.sdpa_nadaraya_watson`
#: refuses there; below it, it answers, and the bound says how far to trust it.
USEFUL_BOUND = 1.0
#: ``exp`` of more than this overflows float64: the bound is then infinite.
_EXP_MAX = 700.0


def _centred_scaled(queries: Any, keys: Any, bandwidth: Any) -> tuple[Any, Any]:
    # The mean only moves the origin; no gradient needs to flow through it.
    centre = keys.mean(dim=0, keepdim=True).detach()
    return (queries - centre) / bandwidth, (keys - centre) / bandwidth


def error_bound(queries: Any, keys: Any, bandwidth: Any) -> float:
    """Bound on the fused route's error, relative to ``S = sum_j alpha_j |v_j|``.

    ``2 e^Delta (e^Delta - 1)`` with ``Delta = (d + 5) eps R^2``, ``R`` the largest
    centred point in widths (see the module's docstring); ``inf`` where that
    overflows or the dtype is neither float32 nor float64.

    Examples
    --------
    >>> import torch
    >>> x = torch.linspace(0, 5, 11)[:, None]  # float32; R = 2.5 widths at h = 1
    >>> f"{error_bound(x, x, torch.tensor([1.0])):.1e}"
    '8.9e-06'
    """
    import torch

    if str(keys.dtype) not in TOLERANCE:
        return math.inf
    with torch.no_grad():
        centre = keys.mean(dim=0, keepdim=True)
        h = bandwidth.detach().to(torch.float64)
        r2 = max((((x.detach() - centre).to(torch.float64) / h) ** 2).sum(1).max().item()
                 for x in (queries, keys) if x.shape[0])
    delta = (keys.shape[1] + 5) * torch.finfo(keys.dtype).eps * r2
    if not delta < _EXP_MAX:  # also NaN
        return math.inf
    return 2.0 * math.exp(delta) * math.expm1(delta)


def well_conditioned(queries: Any, keys: Any, bandwidth: Any) -> bool:
    """Whether :func:`error_bound` is within :data:`TOLERANCE`: as exact as the other routes.

    In float32 that needs every centred point within about half a width of the
    keys' mean, so float32 rarely takes this route inside :func:`nwlib.nadaraya_watson`.

    Examples
    --------
    >>> import torch
    >>> x = torch.linspace(0, 5, 11, dtype=torch.float64)[:, None]
    >>> well_conditioned(x, x, torch.tensor([0.5])), well_conditioned(x, x, torch.tensor([1e-3]))
    (True, False)
    """
    return error_bound(queries, keys, bandwidth) <= TOLERANCE.get(str(keys.dtype), -1.0)


def gaussian_nadaraya_watson(queries: Any, keys: Any, values: Any, bandwidth: Any) -> Any:
    """Gaussian NW of prepared (m, d), (n, d), (n, c) tensors via fused attention.

    Examples
    --------
    >>> import torch
    >>> x = torch.tensor([[0.0], [1.0], [2.0]]); y = torch.tensor([[0.0], [1.0], [4.0]])
    >>> gaussian_nadaraya_watson(torch.tensor([[1.0]]), x, y, torch.tensor([0.05]))
    tensor([[1.]])
    """
    import torch
    from torch.nn.functional import pad, scaled_dot_product_attention

    q, k = _centred_scaled(queries, keys, bandwidth)
    d, c = q.shape[1], values.shape[1]
    # One common last dimension, a multiple of 8: the fused CUDA kernels need both.
    width = -(-max(d + 1, c) // 8) * 8
    q_ext = torch.cat([q, torch.ones_like(q[:, :1])], dim=1)
    k_ext = torch.cat([k, -0.5 * k.square().sum(dim=1, keepdim=True)], dim=1)
    q_ext = pad(q_ext, (0, width - d - 1))
    k_ext = pad(k_ext, (0, width - d - 1))
    v_ext = pad(values, (0, width - c))
    # The fused kernels take (batch, heads, length, width): one batch, one head.
    out = scaled_dot_product_attention(
        q_ext[None, None], k_ext[None, None], v_ext[None, None], scale=1.0
    )
    return out[0, 0, :, :c]
