"""Learning the kernel widths by stochastic gradient descent (torch autograd).

The width is learned through its logarithm, ``h = exp(t)``: any real ``t`` gives
a positive width, so no step of the optimiser can leave the valid region, and
equal steps in ``t`` are equal *relative* changes of ``h``, which suits a length
scale that may need to move by orders of magnitude.

Two objectives, both the mean squared error of the estimate at the training inputs:

- ``leave_one_out=False``: the naive one, where the point ``(x_i, y_i)`` takes part
  in its own estimate. It rewards ``h -> 0``, where every point predicts itself.
- ``leave_one_out=True``: the point is left out of its own estimate, so a width can
  only score well by predicting points from their neighbours.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from .kernels import Kernel, get_kernel
from .loo import squared_error
from .validation import check_choice, prepare

__all__ = ["WidthHistory", "learn_bandwidth", "width_objective", "descend_bandwidth"]

OPTIMIZERS = ("adam", "sgd")


@dataclass(frozen=True)
class WidthHistory:
    """What happened during :func:`learn_bandwidth`.

    Array types: none; holds float64 numpy arrays.

    Parameters
    ----------
    loss : ndarray, shape (steps,)
        The (mini-batch) objective before each step.
    widths : ndarray, shape (steps + 1, d)
        The widths before each step and after the last one (``d = 1`` for one
        global width).
    """

    loss: np.ndarray
    widths: np.ndarray

    @property
    def final(self) -> float | np.ndarray:
        """The learned width: a float for one global width, else a (d,) array."""
        last = self.widths[-1]
        return float(last[0]) if last.shape[0] == 1 else last.copy()


def _tensors(keys: Any, values: Any) -> tuple[Any, Any]:
    """(n, d) keys and (n, c) values as float64 tensors, checked by ``prepare``."""
    import torch

    p = prepare(keys, keys, values)
    as_t = (lambda a: a.detach()) if p.is_torch else torch.from_numpy
    k, v = as_t(p.keys), as_t(p.values)
    return k.to(torch.float64), v.to(torch.float64)


def _loss(keys: Any, values: Any, rows: Any, log_h: Any, loo: bool, kernel: Kernel) -> Any:
    """Mean squared error of the estimate at ``keys[rows]`` (torch tensors)."""
    import torch
    from array_api_compat import array_namespace

    total = squared_error(keys, values, torch.exp(log_h), kernel, array_namespace(keys),
                          rows=rows, leave_one_out=loo)
    if total is None:
        raise ValueError(
            f"the {kernel.name!r} kernel leaves some training point with no other point in "
            "reach, so its estimate is 0/0; start from a wider init or use kernel='gaussian'."
        )
    return total / rows.shape[0]


def width_objective(
    keys: Any,
    values: Any,
    *,
    bandwidth: Any,
    leave_one_out: bool = True,
    kernel: str | Kernel = "gaussian",
) -> float:
    """Mean squared error of the estimate at the training inputs for one width.

    Array types: numpy or torch; returns a Python float.

    Parameters
    ----------
    keys : array_like, shape (n,) or (n, d)
        The training inputs, finite.
    values : array_like, shape (n,) or (n, c)
        The training targets, finite.
    bandwidth : float or array_like of shape (d,)
        The kernel's width ``h > 0``.
    leave_one_out : bool
        Leave each point out of its own estimate (default) or not.
    kernel : str or Kernel
        A name from ``KERNELS`` or a :class:`nwlib.Kernel`.

    Returns
    -------
    float
        The mean squared error: :func:`nwlib.leave_one_out_loss`'s objective when
        ``leave_one_out`` (the one of :mod:`nwlib.loo`).

    Examples
    --------
    >>> from nwlib.course import running_example
    >>> data = running_example()
    >>> round(width_objective(data.x_train, data.y_train, bandwidth=0.5), 3)  # as loo_bandwidth
    0.989
    >>> width_objective(data.x_train, data.y_train, bandwidth=1e-4, leave_one_out=False) < 1e-12
    True
    """
    import torch

    k, v = _tensors(keys, values)
    h = prepare(keys, keys, values, bandwidth).bandwidth
    log_h = torch.log(torch.as_tensor(np.asarray(h, dtype=float)))
    with torch.no_grad():
        return float(_loss(k, v, torch.arange(k.shape[0]), log_h, leave_one_out, get_kernel(kernel)))


def _check_settings(n: int, steps: int, lr: float, batch_size: int | None, loo: bool) -> int:
    if int(steps) != steps or steps < 1:
        raise ValueError(f"steps={steps!r}: pass a positive whole number of optimiser steps.")
    if not np.isfinite(lr) or lr <= 0:
        raise ValueError(f"lr={lr!r}: the learning rate must be a positive number, e.g. 0.05.")
    if loo and n < 2:
        raise ValueError("keys needs at least 2 points to leave one out; pass more data.")
    if batch_size is None:
        return n
    if int(batch_size) != batch_size or not 1 <= batch_size <= n:
        raise ValueError(
            f"batch_size={batch_size!r}: pass a whole number from 1 to n={n}, or None for "
            "the full batch."
        )
    return int(batch_size)


def learn_bandwidth(
    keys: Any,
    values: Any,
    *,
    init: Any = 1.0,
    per_coordinate: bool = False,
    leave_one_out: bool = True,
    kernel: str | Kernel = "gaussian",
    steps: int = 200,
    lr: float = 0.05,
    batch_size: int | None = None,
    optimizer: str = "adam",
    seed: int = 0,
    progress: bool = True,
    num_threads: int = 1,
) -> WidthHistory:
    """Learn the kernel width(s) by stochastic gradient descent on the squared error.

    Array types: numpy or torch; returns float64 numpy arrays (in a WidthHistory) for any input.

    Each step draws ``batch_size`` training points (without replacement, seeded),
    predicts each from the keys (all of them, or all but itself with
    ``leave_one_out=True``) and takes a gradient step on ``log h``.

    Parameters
    ----------
    keys : array_like, shape (n,) or (n, d)
        The training inputs, finite.
    values : array_like, shape (n,) or (n, c)
        The training targets, finite.
    init : float or array_like of shape (d,)
        Starting width(s), positive.
    per_coordinate : bool
        Learn one width per coordinate (a diagonal scaling of the distance)
        instead of one global width.
    leave_one_out : bool
        Leave each point out of its own estimate (default).
    kernel : str or Kernel
        A name from ``KERNELS`` or a :class:`nwlib.Kernel`.
    steps : int
        Optimiser steps, positive.
    lr : float
        Learning rate of the steps on ``log h``.
    batch_size : int or None
        Points per step; None uses all n (plain gradient descent).
    optimizer : {"adam", "sgd"}
        Adam rescales each step by a running gradient size, so ``log h`` moves at
        a steady pace even where the gradient is tiny; "sgd" is the plain rule.
    seed : int
        Seed of the mini-batch draws.
    progress : bool
        Show a progress bar (needs ``tqdm``, the ``progress`` extra; without
        it, ``progress=False`` runs the same).
    num_threads : int
        Torch threads during the loop (restored afterwards). One suits course-size
        data: on tensors this small, waking several threads at every operation
        costs more than it saves (30 times slower measured on a busy 2-core machine).

    Returns
    -------
    WidthHistory

    Examples
    --------
    >>> from nwlib.course import running_example
    >>> data = running_example()
    >>> hist = learn_bandwidth(data.x_train, data.y_train, steps=100, progress=False)
    >>> hist.loss.shape, hist.widths.shape, round(hist.final, 2)
    ((100,), (101, 1), 0.36)
    """
    import torch

    check_choice(optimizer, "optimizer", OPTIMIZERS)
    k_, v_ = _tensors(keys, values)
    n, d = k_.shape
    bs = _check_settings(n, steps, lr, batch_size, leave_one_out)
    if int(num_threads) != num_threads or num_threads < 1:
        raise ValueError(f"num_threads={num_threads!r}: pass a positive whole number.")
    h0 = np.asarray(prepare(keys, keys, values, init).bandwidth, dtype=float)
    if not per_coordinate:
        if not np.all(h0 == h0[0]):
            raise ValueError(
                f"init={init!r} gives different widths per coordinate; pass one number, or "
                "per_coordinate=True to learn one width per coordinate."
            )
        h0 = h0[:1]
    kern = get_kernel(kernel)
    log_h = torch.tensor(np.log(h0), dtype=torch.float64, requires_grad=True)
    opt_class = torch.optim.Adam if optimizer == "adam" else torch.optim.SGD
    opt = opt_class([log_h], lr=lr)
    gen = torch.Generator().manual_seed(seed)
    losses = np.empty(int(steps))
    widths = np.empty((int(steps) + 1, h0.shape[0]))
    widths[0] = h0
    threads = torch.get_num_threads()
    torch.set_num_threads(num_threads)
    try:
        for step in _steps(int(steps), progress):
            rows = torch.randperm(n, generator=gen)[:bs] if bs < n else torch.arange(n)
            opt.zero_grad()
            loss = _loss(k_, v_, rows, log_h.expand(d), leave_one_out, kern)
            loss.backward()
            opt.step()
            losses[step] = float(loss.detach())
            widths[step + 1] = np.exp(log_h.detach().numpy())
    finally:
        torch.set_num_threads(threads)
    return WidthHistory(losses, widths)


def _steps(steps: int, progress: bool) -> Any:
    """``range(steps)``, wrapped in a tqdm bar only when one is asked for."""
    if not progress:
        return range(steps)
    from tqdm.auto import tqdm

    return tqdm(range(steps), desc="learning widths")


def descend_bandwidth(
    keys: Any,
    values: Any,
    init: float,
    *,
    steps: int = 25,
    lr: float = 0.1,
    kernel: str | Kernel = "gaussian",
) -> tuple[np.ndarray, np.ndarray]:
    """Plain gradient descent on ``log h`` of the leave-one-out loss, with torch autograd.

    Array types: numpy or torch; returns float64 numpy arrays for any input.

    Optimising the logarithm keeps the width positive and makes the step
    size relative: a step changes ``h`` by a factor, not by an amount. This is
    :func:`learn_bandwidth` with full batches and ``optimizer="sgd"``.

    Parameters
    ----------
    keys : array_like or torch.Tensor, shape (n,) or (n, d)
        The training inputs, finite.
    values : array_like or torch.Tensor, shape (n,) or (n, c)
        The training targets, finite.
    init : float
        The starting width, positive.
    steps : int
        Gradient steps, a whole number >= 0.
    lr : float
        Step size on ``log h``.
    kernel : str or Kernel
        A name from ``KERNELS`` or a :class:`nwlib.Kernel`.

    Returns
    -------
    widths : (steps + 1,) array
        The width before each step, and after the last one.
    losses : (steps + 1,) array
        The leave-one-out loss at each of those widths.

    Examples
    --------
    >>> from nwlib.course import running_example
    >>> data = running_example()
    >>> h, loss = descend_bandwidth(data.x_train, data.y_train, 2.0, steps=3)
    >>> bool(loss[-1] < loss[0])
    True
    """
    if not (isinstance(init, (int, float)) and init > 0):
        raise ValueError(f"init={init!r}: pass a positive starting width.")
    if int(steps) != steps or steps < 0:
        raise ValueError(f"steps={steps!r}: pass a whole number of steps >= 0.")
    if steps == 0:
        widths = np.array([float(init)])
    else:
        history = learn_bandwidth(keys, values, init=init, steps=int(steps), lr=lr,
                                  kernel=kernel, optimizer="sgd", progress=False)
        widths = history.widths[:, 0]
    losses = [width_objective(keys, values, bandwidth=h, kernel=kernel) for h in widths]
    return widths, np.array(losses)
