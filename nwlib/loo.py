"""The leave-one-out objective: each key's value predicted from the other keys.

One implementation serves every caller: :func:`nwlib.loo_bandwidth` scores its
candidates with it (on its reference path), and the learners
(:func:`nwlib.learn_bandwidth`, :func:`nwlib.width_objective`,
:func:`nwlib.descend_bandwidth`) differentiate it. It is blocked over rows (memory
within :func:`nwlib.blocking.working_memory`) and written against the array API,
so a torch bandwidth that requires grad gets its gradient from autograd. Leaving
the point out means setting its own score to ``-inf`` before the row-max shift,
rather than subtracting its weight afterwards, which would lose every digit at
narrow widths where the self weight dominates the sum.
"""

from __future__ import annotations

import math
from typing import Any

from .blocking import row_blocks
from .kernels import Kernel, get_kernel
from .scores import log_scores, shifted_weights, weight_scores
from .validation import prepare

__all__ = ["leave_one_out_loss"]


def squared_error(keys: Any, values: Any, bandwidth: Any, kernel: Kernel, xp: Any, *,
                  rows: Any = None, leave_one_out: bool = True) -> Any:
    """Sum over ``rows`` of ``||f(x_i) - y_i||^2`` for prepared (n, d), (n, c) arrays.

    ``f`` pools all keys, or all but key ``i`` itself when ``leave_one_out``.
    ``rows`` (an integer array, default every key) selects the points scored, e.g.
    a mini-batch. Returns a 0-d array (differentiable in ``bandwidth`` for torch),
    or None when some scored point has no other key in reach (its estimate is 0/0).
    """
    n, d = keys.shape
    if rows is None:
        rows = xp.arange(n, device=_device(keys))
    total = None
    # A gradient would keep every block's intermediate arrays until the backward
    # pass: the whole n x n x d at once. Checkpointing keeps only each block's
    # inputs and recomputes the rest during the backward pass: memory stays at a block.
    blocks = row_blocks(rows.shape[0], n * max(d, 1))
    grad = len(blocks) > 1 and _needs_grad(keys, values, bandwidth)  # one block: nothing to save
    for block in blocks:
        r = rows[block]
        args = (keys, values, bandwidth, kernel, xp, r, leave_one_out)
        if grad:
            from torch.utils.checkpoint import checkpoint

            part, empty_rows = checkpoint(_block_error, *args, use_reentrant=False)
        else:
            part, empty_rows = _block_error(*args)
        if bool(xp.any(empty_rows)):
            return None
        total = part if total is None else total + part
    return total


def _needs_grad(*tensors: Any) -> bool:
    import sys

    torch = sys.modules.get("torch")
    return (torch is not None and torch.is_grad_enabled()
            and any(getattr(t, "requires_grad", False) for t in tensors))


def _block_error(keys: Any, values: Any, bandwidth: Any, kernel: Kernel, xp: Any, r: Any,
                 leave_one_out: bool) -> tuple[Any, Any]:
    """Squared error summed over the points ``r``, and which of them have no key in reach."""
    n = keys.shape[0]
    scores = log_scores(keys[r], keys, bandwidth, kernel, xp)
    own = None
    if leave_one_out:
        own = r[:, None] == xp.arange(n, device=_device(keys))[None, :]
        scores = xp.where(own, xp.full_like(scores, -math.inf), scores)
    # Every other key beyond the dtype's range of distances: the nearest ones' limit.
    scores = weight_scores(scores, keys[r], keys, bandwidth, kernel, xp, exclude=own)
    w, sums, empty_rows = shifted_weights(scores, xp)
    safe = xp.where(sums > 0, sums, xp.ones_like(sums))
    return xp.sum(((w @ values) / safe - values[r]) ** 2), empty_rows


def _device(x: Any) -> Any:
    """Return the device of a torch tensor, None for numpy (whose arange takes no device)."""
    return x.device if hasattr(x, "is_cuda") else None


def leave_one_out_loss(
    keys: Any, values: Any, *, bandwidth: Any, kernel: str | Kernel = "gaussian"
) -> Any:
    """Mean squared leave-one-out error ``1/n sum_i ||f_{-i}(x_i) - y_i||^2``.

    Array types: numpy or torch (array-API, through array-api-compat); returns a scalar of the input's float
    dtype (float32 stays float32, integers become float64), a 0-d tensor for tensor input (differentiable).

    Accepts numpy arrays or torch tensors; returns the input's type in the
    data's float dtype (float32 only if every float input is float32).

    Parameters
    ----------
    keys : array_like or torch.Tensor, shape (n,) or (n, d)
        The training inputs, finite.
    values : array_like or torch.Tensor, shape (n,) or (n, c)
        The training targets, finite.
    bandwidth : float, array_like or torch.Tensor of shape (d,)
        The kernel's width ``h > 0``, per coordinate if a vector; a tensor may require grad.
    kernel : str or Kernel
        A name from ``KERNELS`` or a :class:`nwlib.Kernel`.

    Returns
    -------
    loss : ndarray or torch.Tensor
        0-d; a tensor is differentiable in ``bandwidth``.

    Examples
    --------
    >>> from nwlib.course import running_example
    >>> data = running_example()
    >>> round(float(leave_one_out_loss(data.x_train, data.y_train, bandwidth=0.5)), 3)
    0.989
    """
    k = get_kernel(kernel)
    p = prepare(keys, keys, values, bandwidth)
    n = p.keys.shape[0]
    if n < 2:
        raise ValueError("keys needs at least 2 points: each is predicted from the others.")
    total = squared_error(p.keys, p.values, p.bandwidth, k, p.xp)
    if total is None:
        raise ValueError(
            f"some key has no other key in reach of the {k.name!r} kernel, so its "
            "leave-one-out prediction is 0/0; widen the bandwidth or use 'gaussian'."
        )
    return total / n
