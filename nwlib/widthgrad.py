"""A first learned parameter: the kernel width, fitted by gradient descent.

The leave-one-out loss predicts each key's value from the *other* keys, so a
width near 0 (each point predicting itself) is not rewarded. It is written with
the same array namespace as the pooling code, so a torch bandwidth that
requires grad gets its gradient from autograd.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from ._arrays import prepare
from .kernels import Kernel, get_kernel
from .pooling import log_scores

__all__ = ["leave_one_out_loss", "descend_bandwidth"]


def leave_one_out_loss(
    keys: Any, values: Any, bandwidth: Any, *, kernel: str | Kernel = "gaussian"
) -> Any:
    """Mean squared leave-one-out error ``1/n sum_i ||f_{-i}(x_i) - y_i||^2``.

    Parameters
    ----------
    keys : array_like or torch.Tensor, shape (n,) or (n, d)
    values : array_like or torch.Tensor, shape (n,) or (n, c)
    bandwidth : float, array_like or torch.Tensor (may require grad)
    kernel : str or Kernel

    Returns
    -------
    A 0-d array, or a 0-d tensor differentiable in ``bandwidth``.

    Examples
    --------
    >>> from nwlib import running_example
    >>> data = running_example()
    >>> round(float(leave_one_out_loss(data.x_train, data.y_train, 0.5)), 3)
    0.989
    """
    k = get_kernel(kernel)
    p = prepare(keys, keys, values, bandwidth)
    xp = p.xp
    n = p.keys.shape[0]
    if n < 2:
        raise ValueError("keys needs at least 2 points: each is predicted from the others.")
    scores = log_scores(p.keys, p.keys, p.bandwidth, k, xp)
    eye = xp.eye(n, dtype=xp.bool, device=p.keys.device) if p.is_torch else np.eye(n, dtype=bool)
    scores = xp.where(eye, xp.full_like(scores, -np.inf), scores)
    shift = xp.max(scores, axis=1, keepdims=True)
    if not bool(xp.all(xp.isfinite(shift))):
        raise ValueError(
            f"some key has no other key in reach of the {k.name!r} kernel, so its "
            "leave-one-out prediction is 0/0; widen the bandwidth or use 'gaussian'."
        )
    if p.is_torch:
        shift = shift.detach()  # the weights do not depend on it
    w = xp.exp(scores - shift)
    pred = (w @ p.values) / xp.sum(w, axis=1, keepdims=True)
    return xp.sum((pred - p.values) ** 2) / n


def descend_bandwidth(
    keys: Any,
    values: Any,
    initial: float,
    *,
    steps: int = 25,
    learning_rate: float = 0.1,
    kernel: str | Kernel = "gaussian",
) -> tuple[np.ndarray, np.ndarray]:
    """Gradient descent on ``log h`` of the leave-one-out loss, with torch autograd.

    Optimising the logarithm keeps the width positive and makes the step
    size relative: a step changes ``h`` by a factor, not by an amount.

    Returns
    -------
    widths : (steps + 1,) array
        The width before each step, and after the last one.
    losses : (steps + 1,) array
        The leave-one-out loss at each of those widths.

    Examples
    --------
    >>> from nwlib import running_example
    >>> data = running_example()
    >>> h, loss = descend_bandwidth(data.x_train, data.y_train, 2.0, steps=3)
    >>> bool(loss[-1] < loss[0])
    True
    """
    from .learning import learn_bandwidth, width_objective

    if not (isinstance(initial, (int, float)) and initial > 0):
        raise ValueError(f"initial={initial!r}: pass a positive starting width.")
    if int(steps) != steps or steps < 0:
        raise ValueError(f"steps={steps!r}: pass a whole number of steps >= 0.")
    if steps == 0:
        widths = np.array([float(initial)])
    else:
        # Plain full-batch gradient descent is one setting of the general learner.
        history = learn_bandwidth(keys, values, init=initial, steps=int(steps), lr=learning_rate,
                                  kernel=kernel, optimizer="sgd", progress=False)
        widths = history.widths[:, 0]
    losses = [width_objective(keys, values, h, kernel=kernel) for h in widths]
    return widths, np.array(losses)
