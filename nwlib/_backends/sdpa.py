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

The expansion loses digits to cancellation when ``|k'|^2`` is large, so the data
are centred on the keys' mean first, and :func:`well_conditioned` sends inputs
whose scaled coordinates are too large for the precision to the reference path.
"""

from __future__ import annotations

from typing import Any

__all__ = ["gaussian_nadaraya_watson", "well_conditioned"]

#: Largest tolerated rounding error of a score, as a multiple of the dtype's epsilon
#: times the largest squared scaled coordinate.
MAX_SCORE_ERROR = 1e-3


def _centred_scaled(queries: Any, keys: Any, bandwidth: Any) -> tuple[Any, Any]:
    # The mean only moves the origin; no gradient needs to flow through it.
    centre = keys.mean(dim=0, keepdim=True).detach()
    return (queries - centre) / bandwidth, (keys - centre) / bandwidth


def well_conditioned(queries: Any, keys: Any, bandwidth: Any) -> bool:
    """Whether the expanded scores keep an absolute error below :data:`MAX_SCORE_ERROR`.

    Examples
    --------
    >>> import torch
    >>> x = torch.linspace(0, 5, 11, dtype=torch.float32)[:, None]
    >>> well_conditioned(x, x, torch.tensor([0.5])), well_conditioned(x, x, torch.tensor([1e-3]))
    (True, False)
    """
    import torch

    with torch.no_grad():
        q, k = _centred_scaled(queries, keys, bandwidth)
        biggest = max(float(q.square().sum(1).max()), float(k.square().sum(1).max()))
    return biggest * torch.finfo(keys.dtype).eps <= MAX_SCORE_ERROR


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
