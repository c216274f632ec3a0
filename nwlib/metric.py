"""A learned metric: Gaussian attention in a learned linear space.

With one projection ``W`` shared by queries and keys, the Gaussian kernel of
``W q`` and ``W k`` is ``exp(-(q - k)^T M (q - k) / 2)`` with ``M = W^T W``: a
Mahalanobis distance. A single width is ``W = I / h``, per-coordinate widths are
a diagonal ``W``; a full ``W`` can also turn the space, so that the kernel looks
along oblique directions. :func:`learn_metric` fits ``W`` by gradient descent
(torch autograd, Adam) on the leave-one-out squared error, which, unlike the
training error, does not reward ``W -> infinity`` (each point predicting itself).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from .pooling import nadaraya_watson
from .validation import check_choice, prepare

__all__ = ["METRIC_KINDS", "MetricFit", "learn_metric", "metric_loo_loss", "metric_nadaraya_watson"]

#: How much of ``W`` is learned: one width, one width per coordinate, or a full matrix.
METRIC_KINDS = ("scalar", "diagonal", "full")


@dataclass(frozen=True)
class MetricFit:
    """A learned projection and the leave-one-out loss along the way.

    Array types: none; holds float64 numpy arrays.

    Attributes
    ----------
    projection : ndarray, shape (d, d)
        ``W``; the kernel compares ``W q`` with ``W k`` at width 1.
    kind : str
        One of :data:`METRIC_KINDS`.
    losses : ndarray, shape (steps + 1,)
        Leave-one-out mean squared error before each step and after the last.
    """

    projection: np.ndarray
    kind: str
    losses: np.ndarray

    @property
    def metric(self) -> np.ndarray:
        """``M = W^T W``: the squared distance is ``(q - k)^T M (q - k)``."""
        return self.projection.T @ self.projection

    def directions(self) -> tuple[np.ndarray, np.ndarray]:
        """Eigenvalues of :attr:`metric` (largest first) and their unit eigenvectors (columns).

        A large eigenvalue is a direction along which the kernel is narrow, so the
        estimate is sensitive to it; an eigenvalue near 0 is a direction it ignores.
        """
        values, vectors = np.linalg.eigh(self.metric)
        order = np.argsort(values)[::-1]
        return values[order], vectors[:, order]

    def predict(self, queries: Any, keys: Any, values: Any) -> Any:
        """Nadaraya-Watson predictions with the learned metric."""
        return metric_nadaraya_watson(queries, keys, values, self.projection)


def metric_nadaraya_watson(queries: Any, keys: Any, values: Any, projection: Any) -> Any:
    """Gaussian Nadaraya-Watson after the shared projection ``x -> W x``.

    Array types: numpy or torch; returns the input's float dtype (a tensor for tensor input).

    Parameters
    ----------
    queries : array_like, shape (m, d)
    keys : array_like, shape (n, d)
    values : array_like, shape (n,) or (n, c)
    projection : array_like, shape (r, d)
        ``W``; the Gaussian kernel of width 1 compares ``W q`` with ``W k``.

    Examples
    --------
    >>> import numpy as np
    >>> x = np.array([[0.0, 0.0], [1.0, 5.0]]); y = np.array([0.0, 1.0])
    >>> W = np.array([[10.0, 0.0]])  # look only at the first coordinate, narrowly
    >>> metric_nadaraya_watson([[0.9, 0.0]], x, y, W).round(6)
    array([1.])
    """
    p = prepare(queries, keys, values)
    w = _projection(projection, p.keys.shape[1], p.xp, p.keys)
    return nadaraya_watson(p.queries @ w.T, p.keys @ w.T, values if p.values_were_1d else p.values,
                           bandwidth=1.0)


def _projection(projection: Any, d: int, xp: Any, like: Any) -> Any:
    if projection is None:
        raise TypeError("projection is None; pass W as an (r, d) matrix, e.g. np.eye(d) / h.")
    if hasattr(like, "detach"):
        import torch

        w = torch.as_tensor(projection, dtype=like.dtype, device=like.device)
    else:
        w = np.asarray(projection, dtype=like.dtype)
    if w.ndim != 2 or w.shape[1] != d:
        raise ValueError(f"projection has shape {tuple(w.shape)}; pass W of shape (r, {d}), "
                         f"one column per input coordinate.")
    if not bool(xp.all(xp.isfinite(w))):
        raise ValueError("projection contains NaN or infinity; pass finite numbers.")
    return w


def metric_loo_loss(keys: Any, values: Any, projection: Any) -> Any:
    """Leave-one-out mean squared error of Gaussian Nadaraya-Watson with metric ``W^T W``.

    Array types: numpy or torch; returns a 0-d float64 torch tensor for any input.

    Each key is predicted from all the others (its own weight set to 0), after the
    projection ``x -> W x``. Differentiable in ``projection`` when it is a torch
    tensor that requires grad.

    Parameters
    ----------
    keys : array_like or Tensor, shape (n, d), n >= 2
    values : array_like or Tensor, shape (n,)
    projection : array_like or Tensor, shape (r, d)

    Returns
    -------
    loss : 0-d torch tensor (float64)

    Examples
    --------
    >>> import numpy as np
    >>> x = np.array([[0.0], [1.0], [2.0]]); y = np.array([0.0, 1.0, 2.0])
    >>> round(float(metric_loo_loss(x, y, np.eye(1) * 100)), 6)  # neighbours' values
    0.666667
    """
    import torch

    x = torch.as_tensor(np.asarray(keys, dtype=float) if not torch.is_tensor(keys) else keys,
                        dtype=torch.float64)
    y = torch.as_tensor(np.asarray(values, dtype=float) if not torch.is_tensor(values) else values,
                        dtype=torch.float64)
    if x.ndim != 2 or y.ndim != 1 or x.shape[0] != y.shape[0] or x.shape[0] < 2:
        raise ValueError(f"keys has shape {tuple(x.shape)} and values {tuple(y.shape)}; pass "
                         "(n, d) keys and (n,) values with n >= 2 (one point is left out).")
    w = projection if torch.is_tensor(projection) else torch.as_tensor(projection, dtype=torch.float64)
    if w.ndim != 2 or w.shape[1] != x.shape[1]:
        raise ValueError(f"projection has shape {tuple(w.shape)}; pass W of shape (r, {x.shape[1]}).")
    z = x @ w.T
    z = z - z.mean(dim=0)
    # The expansion |a|^2 - 2 a.b + |b|^2 is about six times faster than an (n, n, r)
    # block of differences. In float64 on centred points its cancellation error,
    # about 1e-16 |z|^2, is far below a score that could change a weight.
    sq = (z * z).sum(dim=1)
    scores = z @ z.T - 0.5 * sq[:, None] - 0.5 * sq[None, :]
    scores = scores.masked_fill(torch.eye(len(y), dtype=torch.bool), float("-inf"))
    predictions = torch.softmax(scores, dim=1) @ y
    return ((predictions - y) ** 2).mean()


def learn_metric(
    keys: Any,
    values: Any,
    *,
    kind: str = "full",
    init: float = 1.0,
    lr: float = 0.05,
    steps: int = 300,
) -> MetricFit:
    """Learn the shared projection ``W`` by minimising the leave-one-out error.

    Array types: numpy; returns float64 numpy arrays (in a MetricFit).

    Full-batch Adam from a deterministic start (``W = I / init``), so the result
    is the same on every run; no random numbers are drawn.

    Parameters
    ----------
    keys : array_like, shape (n, d)
    values : array_like, shape (n,)
    kind : {"scalar", "diagonal", "full"}
        Learn one width, one width per coordinate, or the whole matrix ``W``.
    init : float
        Starting width ``h`` (``W = I / h``); a wide start is safer than a narrow one.
    lr : float
        Adam's step size (on log-widths for "scalar"/"diagonal", on ``W`` for "full").
    steps : int
        Number of Adam steps.

    Returns
    -------
    MetricFit

    Examples
    --------
    >>> import numpy as np
    >>> rng = np.random.default_rng(0)
    >>> x = rng.uniform(-2, 2, (60, 2)); y = np.sin(2 * x[:, 0])
    >>> fit = learn_metric(x, y, kind="diagonal", steps=100)
    >>> bool(fit.losses[-1] < fit.losses[0]), bool(fit.projection[0, 0] > fit.projection[1, 1])
    (True, True)
    """
    import torch

    check_choice(kind, "kind", METRIC_KINDS)
    if not (np.isfinite(init) and init > 0):
        raise ValueError(f"init={init!r}: pass a positive starting width, e.g. 1.0.")
    if not (np.isfinite(lr) and lr > 0):
        raise ValueError(f"lr={lr!r}: pass a positive learning rate, e.g. 0.05.")
    if int(steps) != steps or steps < 0:
        raise ValueError(f"steps={steps!r}: pass a whole number of steps >= 0.")
    x = torch.as_tensor(np.asarray(keys, dtype=float))
    y = torch.as_tensor(np.asarray(values, dtype=float))
    metric_loo_loss(x, y, torch.eye(x.shape[1] if x.ndim == 2 else 1, dtype=torch.float64))  # checks shapes
    d = x.shape[1]
    if kind == "full":
        raw = torch.eye(d, dtype=torch.float64) / init
    else:
        raw = torch.full((d if kind == "diagonal" else 1,), -float(np.log(init)), dtype=torch.float64)
    raw.requires_grad_(True)
    optimiser = torch.optim.Adam([raw], lr=lr)
    losses = []

    def projection() -> Any:
        if kind == "full":
            return raw
        if kind == "diagonal":
            return torch.diag(torch.exp(raw))
        return torch.exp(raw) * torch.eye(d, dtype=torch.float64)

    for _ in range(int(steps)):
        optimiser.zero_grad()
        loss = metric_loo_loss(x, y, projection())
        losses.append(loss.item())
        loss.backward()
        optimiser.step()
    with torch.no_grad():
        w = projection()
        losses.append(metric_loo_loss(x, y, w).item())
    return MetricFit(w.detach().numpy().copy(), kind, np.array(losses))
