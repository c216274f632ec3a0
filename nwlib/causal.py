"""Causal linear attention: a recurrent network with a running sum (Katharopoulos et al., 2020).

Query ``i`` attends to the keys ``j <= i`` only. With a feature map ``phi`` the masked,
softmax-free attention

``y_i = sum_{j <= i} (phi(q_i) . phi(k_j)) v_j / sum_{j <= i} phi(q_i) . phi(k_j)``

only needs two running sums, ``S_i = sum_{j <= i} phi(k_j) v_j^T`` (shape (D, c)) and
``z_i = sum_{j <= i} phi(k_j)`` (shape (D,)): ``y_i = phi(q_i)^T S_i / phi(q_i)^T z_i``.
Each step adds one key and reads one query, so n steps cost ``O(n D c)`` time and,
step by step, ``O(D c)`` memory: a recurrent network whose state is ``(S, z)``.

The estimate at step ``i`` must not look at later keys, so the features are not
centred on the keys' mean (as :func:`nwlib.features.linear_attention` does for the
positive Gaussian kind): measure the points from an origin near them yourself.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from .arrays import ArrayOrTensor
from .features import RandomFeatures
from .logspace import shifted_exp
from .validation import prepare

__all__ = ["causal_linear_attention", "masked_linear_attention"]


def _log_features(p: Any, features: RandomFeatures, z: Any) -> Any:
    """Logarithms of the positive features, up to the constant ``-log(D) / 2``."""
    if p.is_torch:
        import torch

        w = torch.as_tensor(features.frequencies, dtype=z.dtype, device=z.device)
    else:
        w = features.frequencies.astype(z.dtype, copy=False)
    sq = p.xp.sum(z * z, axis=1, keepdims=True) / features.bandwidth**2
    # w.x/h - |x|^2/(2h^2) for softmax; the Gaussian kind adds another -|x|^2/(2h^2).
    return z @ w - (sq if features.kind == "positive" else 0.5 * sq)


def _check(features: Any, queries: Any, keys: Any, values: Any) -> Any:
    if not isinstance(features, RandomFeatures):
        raise TypeError("features must come from random_features(d, n_features, ...).")
    p = prepare(queries, keys, values)
    if p.queries.shape[0] != p.keys.shape[0]:
        raise ValueError(f"queries has {p.queries.shape[0]} rows but keys has {p.keys.shape[0]}: "
                         "in causal attention query i reads keys 0..i, so pass one query per key.")
    return p


def _float64(p: Any, x: Any) -> Any:
    """Accumulate in float64 whatever the input's precision."""
    return p.xp.astype(x, p.xp.float64)


def _raise_on_bad(denominator: Any, kind: str, xp: Any) -> None:
    positive = kind != "fourier"
    bad_mask = ~xp.isfinite(denominator) | ((denominator <= 0) if positive else ~(xp.abs(denominator) > 0))
    bad = int(xp.sum(xp.astype(bad_mask, xp.int64)))
    if bad:
        first = int(xp.argmax(xp.astype(bad_mask, xp.int64)))
        what = "not positive" if positive else "0"
        raise ValueError(
            f"{bad} step{'s' if bad > 1 else ''} (the first is query {first}) ha{'ve' if bad > 1 else 's'} a "
            f"denominator {what} or not finite. Positive features cannot sum to that unless "
            "they underflow: bring the points nearer the origin, widen the bandwidth, or use "
            "more features." if positive else
            f"{bad} step{'s' if bad > 1 else ''} (the first is query {first}) ha{'ve' if bad > 1 else 's'} a "
            "denominator of 0 or not finite: the Fourier features see no earlier key. Use more "
            "features or positive features.")


def causal_linear_attention(queries: ArrayOrTensor, keys: ArrayOrTensor, values: ArrayOrTensor,
                            features: RandomFeatures, *, recurrent: bool = False) -> Any:
    """Linear attention in which query ``i`` reads only keys ``0..i``, by running sums.

    Array types: numpy or torch; returns the input's float dtype (a tensor for tensor input).

    The sums are accumulated in float64 whatever the input's dtype. Positive features
    are exponentials: their logarithms are shifted by a constant before ``exp`` (per
    query, and one constant for the keys), a positive factor that cancels in each ratio.

    Parameters
    ----------
    queries : array_like or Tensor, shape (n,) or (n, d)
        Query ``i`` is read at step ``i``.
    keys : array_like or Tensor, shape (n,) or (n, d)
    values : array_like or Tensor, shape (n,) or (n, c)
    features : RandomFeatures
        From :func:`nwlib.features.random_features` (any kind).
    recurrent : bool
        False (default): all prefix sums at once with a cumulative sum, memory
        ``O(n D c)``, differentiable in torch. True: one step at a time with the state
        ``(S, z)`` only, memory ``O(D c)``; the keys' shift then follows a running
        maximum and the state is rescaled when it grows. Both give the same numbers
        up to rounding.

    Returns
    -------
    array or Tensor, shape (n,) or (n, c)
        ``y_i = phi(q_i)^T S_i / phi(q_i)^T z_i``.

    Raises
    ------
    ValueError
        If a denominator is not finite, or is not positive for positive features (or is
        exactly 0 for Fourier features), instead of returning NaN or a sign-flipped ratio.

    Examples
    --------
    >>> from nwlib.features import random_features
    >>> x = np.linspace(0, 1, 6); phi = random_features(1, 64, kind="positive", seed=0)
    >>> y = causal_linear_attention(x, x, np.sin(x), phi)
    >>> bool(np.allclose(y, masked_linear_attention(x, x, np.sin(x), phi)))
    True
    >>> float(y[0]) == float(np.sin(x)[0])  # step 0 sees only its own key
    True
    """
    p = _check(features, queries, keys, values)
    xp = p.xp
    q, k, v = _float64(p, p.queries), _float64(p, p.keys), _float64(p, p.values)
    if recurrent:
        out, denominator = _recurrent(p, features, q, k, v)
    else:
        phi_q, phi_k = _shifted(p, features, q, per_row=True), _shifted(p, features, k, per_row=False)
        outer = phi_k[:, :, None] * v[:, None, :]  # (n, D, c): phi(k_j) v_j^T
        if p.is_torch:
            import torch

            s, z = torch.cumsum(outer, dim=0), torch.cumsum(phi_k, dim=0)
        else:
            s, z = np.cumsum(outer, axis=0), np.cumsum(phi_k, axis=0)
        numerator = xp.sum(phi_q[:, :, None] * s, axis=1)
        denominator = xp.sum(phi_q * z, axis=1)
        _raise_on_bad(denominator, features.kind, xp)
        out = numerator / denominator[:, None]
    if recurrent:
        _raise_on_bad(denominator, features.kind, xp)
    out = xp.astype(out, p.queries.dtype)
    return out[:, 0] if p.values_were_1d else out


def _shifted(p: Any, features: RandomFeatures, z: Any, *, per_row: bool) -> Any:
    if features.kind == "fourier":
        return features(z)
    logs = _log_features(p, features, z)
    return shifted_exp(logs, axis=1 if per_row else None)  # a factor that cancels in the ratio


def _recurrent(p: Any, features: RandomFeatures, q: Any, k: Any, v: Any) -> tuple[Any, Any]:
    """Step by step: the state (S, z) and, for positive features, the keys' running shift."""
    xp = p.xp
    n, c = q.shape[0], v.shape[1]
    phi_q = _shifted(p, features, q, per_row=True)
    fourier = features.kind == "fourier"
    logs_k = features(k) if fourier else _log_features(p, features, k)
    D = phi_q.shape[1]
    s, z = xp.zeros((D, c), dtype=q.dtype), xp.zeros((D,), dtype=q.dtype)
    shift = -np.inf
    outs, dens = [], []
    for i in range(n):
        if fourier:
            phi = logs_k[i]
        else:
            top = float(xp.max(logs_k[i]))
            if top > shift:  # rescale the state to the new shift: no overflow, no NaN
                if np.isfinite(shift):
                    factor = float(np.exp(shift - top))
                    s, z = s * factor, z * factor
                shift = top
            phi = xp.exp(logs_k[i] - shift)
        s = s + phi[:, None] * v[i][None, :]
        z = z + phi
        dens.append(xp.sum(phi_q[i] * z))
        outs.append(xp.sum(phi_q[i][:, None] * s, axis=0) / dens[-1])
    return xp.stack(outs), xp.stack(dens)


def masked_linear_attention(queries: ArrayOrTensor, keys: ArrayOrTensor, values: ArrayOrTensor,
                            features: RandomFeatures) -> Any:
    """Compute the explicit O(n^2) reference: ``phi(Q) phi(K)^T`` masked to ``j <= i``.

    Array types: numpy or torch; returns the input's float dtype (a tensor for tensor input).

    Parameters
    ----------
    queries : array_like or Tensor, shape (n,) or (n, d)
    keys : array_like or Tensor, shape (n,) or (n, d)
    values : array_like or Tensor, shape (n,) or (n, c)
    features : RandomFeatures
        From :func:`nwlib.features.random_features`.

    Returns
    -------
    array or Tensor, shape (n,) or (n, c)
        Row ``i`` pools the values of keys ``0..i`` with the scores ``phi(q_i) . phi(k_j)``.

    Raises
    ------
    ValueError
        As :func:`causal_linear_attention`.

    Examples
    --------
    >>> from nwlib.features import random_features
    >>> phi = random_features(1, 8, kind="positive", seed=2)
    >>> masked_linear_attention([0.0, 1.0], [0.0, 1.0], [5.0, 7.0], phi)[0]
    np.float64(5.0)
    """
    p = _check(features, queries, keys, values)
    xp = p.xp
    q, k, v = _float64(p, p.queries), _float64(p, p.keys), _float64(p, p.values)
    scores = _shifted(p, features, q, per_row=True) @ _shifted(p, features, k, per_row=False).T
    n = scores.shape[0]
    if p.is_torch:
        import torch

        mask = torch.tril(torch.ones((n, n), dtype=torch.bool, device=scores.device))
    else:
        mask = np.tril(np.ones((n, n), dtype=bool))
    scores = xp.where(mask, scores, xp.zeros_like(scores))
    denominator = xp.sum(scores, axis=1)
    _raise_on_bad(denominator, features.kind, xp)
    out = xp.astype((scores @ v) / denominator[:, None], p.queries.dtype)
    return out[:, 0] if p.values_were_1d else out
