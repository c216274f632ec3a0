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

from .kernels import get_kernel
from .loo import squared_error
from .pooling import nadaraya_watson
from .validation import check_choice, prepare

__all__ = ["METRIC_KINDS", "MetricFit", "learn_metric", "metric_loo_loss", "metric_nadaraya_watson"]

#: How much of ``W`` is learned: one width, one width per coordinate, or a full matrix.
METRIC_KINDS = ("scalar", "diagonal", "full")


@dataclass(frozen=True)
class MetricFit:
    """A learned projection and the leave-one-out loss along the way.

    Array types: none; holds float64 numpy arrays.

    Parameters
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
        The points to predict at.
    keys : array_like, shape (n, d)
        The training inputs, finite.
    values : array_like, shape (n,) or (n, c)
        The training targets, finite.
    projection : array_like, shape (r, d)
        ``W``; the Gaussian kernel of width 1 compares ``W q`` with ``W k``.

    Returns
    -------
    predictions : ndarray or torch.Tensor, shape (m,) or (m, c)
        As :func:`nwlib.nadaraya_watson` at width 1 on the projected points.

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

    Each key is predicted from all the others, after the projection ``x -> W x``:
    the leave-one-out objective of :mod:`nwlib.loo` at width 1 on the projected
    keys, after the same input checks as every public function. Differentiable in
    ``projection`` when it is a torch tensor that requires grad (of any float dtype).

    Parameters
    ----------
    keys : array_like or torch.Tensor, shape (n,) or (n, d), n >= 2
        The training inputs, finite.
    values : array_like or torch.Tensor, shape (n,) or (n, c)
        The training targets, finite.
    projection : array_like or torch.Tensor, shape (r, d)
        ``W``, finite; the Gaussian kernel of width 1 compares ``W q`` with ``W k``.

    Returns
    -------
    loss : torch.Tensor
        0-d, float64: ``1/n sum_i ||f_{-i}(x_i) - y_i||^2``.

    Raises
    ------
    ValueError
        Naming the argument: NaN or infinite entries, mismatched shapes, fewer than
        two keys, a projection of the wrong shape.

    Examples
    --------
    >>> import numpy as np
    >>> x = np.array([[0.0], [1.0], [2.0]]); y = np.array([0.0, 1.0, 2.0])
    >>> round(float(metric_loo_loss(x, y, np.eye(1) * 100)), 6)  # neighbours' values
    0.666667
    """
    import torch
    from array_api_compat import array_namespace

    x, y = _checked_tensors(keys, values)
    xp = array_namespace(x)
    z = x @ _projection(projection, x.shape[1], xp, x).T
    width = torch.ones(z.shape[1], dtype=torch.float64)
    return squared_error(z, y, width, get_kernel("gaussian"), xp) / x.shape[0]


def _checked_tensors(keys: Any, values: Any) -> tuple[Any, Any]:
    """Keys (n, d) and values (n, c) through :func:`nwlib.validation.prepare`, as float64 tensors."""
    import torch

    p = prepare(keys, keys, values)
    if p.keys.shape[0] < 2:
        raise ValueError(f"keys has {p.keys.shape[0]} point; pass n >= 2 points (each is "
                         "predicted from the others).")
    as_t = (lambda a: a) if p.is_torch else torch.from_numpy
    return as_t(p.keys).to(torch.float64), as_t(p.values).to(torch.float64)


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
        The training inputs, finite.
    values : array_like, shape (n,)
        The training targets, finite.
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
    x, y = _checked_tensors(keys, values)
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
