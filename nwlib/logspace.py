"""The row-max shift: log-sum-exp and softmax without overflow or underflow.

``exp`` of a score above about 709 overflows float64 (88 in float32), and below
about -745 underflows to 0: a whole row of far keys would give ``0 / 0``.
Subtracting the row's largest score ``M`` first makes the largest term
``exp(0) = 1``; the shift cancels in a softmax and comes back as ``+ M`` in a
log-sum-exp. This module is the one place that writes that shift; every pooling
route, density and feature map calls it (``tests/lib/test_logspace.py`` scans the
package for copies). The backends may import it, as they import
:mod:`nwlib.validation`.

Numpy or torch input (any array of the array API, through array-api-compat), any
axis; results keep the input's type, dtype and device. Conventions, where a row
(the entries along ``axis``) has no finite largest score:

- every entry ``-inf`` (no key in reach): the log-sum-exp is ``-inf`` (the log of
  an empty sum, as :func:`scipy.special.logsumexp` and :func:`torch.logsumexp`),
  and the softmax weights are all 0, so that row sums to 0, not 1 (scipy and torch
  give NaN there; callers test ``sum == 0`` to name the empty rows);
- an entry ``+inf``: log-sum-exp ``+inf``, softmax NaN; an entry NaN: NaN. Nothing
  here raises: the public :func:`nwlib.softmax` and :func:`nwlib.logsumexp` refuse
  such rows with an error naming them.

The shift carries no gradient (it is detached for torch tensors): the softmax does
not depend on it, and the log-sum-exp's gradient is the softmax either way.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np
from array_api_compat import array_namespace

__all__: list[str] = []


def row_shift(scores: Any, axis: int | None = -1) -> Any:
    """Return the largest score along ``axis`` (kept as a length-1 axis), 0 where not finite.

    ``axis=None`` takes one shift for the whole array (a positive factor common to
    every entry). An empty axis gets shift 0.
    """
    xp = array_namespace(scores)
    reduced = math.prod(scores.shape) if axis is None else scores.shape[axis]
    if reduced == 0:  # the sum of nothing is 0, of the right shape
        return xp.zeros_like(xp.sum(scores, axis=axis, keepdims=True))
    top = xp.max(scores, axis=axis, keepdims=True)
    top = xp.where(xp.isfinite(top), top, xp.zeros_like(top))
    return top.detach() if hasattr(top, "detach") else top


def shifted_exp(scores: Any, axis: int | None = -1) -> Any:
    """``exp(scores - M)``, ``M`` the :func:`row_shift`: the largest entry of a row is 1.

    The weights up to one positive factor per row (per array for ``axis=None``),
    which cancels in any ratio of them.
    """
    return array_namespace(scores).exp(scores - row_shift(scores, axis))


def logsumexp(scores: Any, axis: int = -1) -> Any:
    """Compute ``log(sum(exp(scores)))`` along ``axis``, without overflow or underflow.

    ``log sum_i exp(s_i) = M + log sum_i exp(s_i - M)``, ``M`` the largest ``s_i``.

    Parameters
    ----------
    scores : numpy.ndarray or torch.Tensor
        Floating-point scores; ``-inf`` entries add nothing.
    axis : int
        The axis summed over.

    Returns
    -------
    numpy.ndarray or torch.Tensor
        The shape of ``scores`` without ``axis``, its type, dtype and device. A row
        whose every entry is ``-inf`` (or an empty row) gives ``-inf``; ``+inf``
        gives ``+inf`` and NaN gives NaN.

    Examples
    --------
    >>> logsumexp(np.array([[1000.0, 1000.0], [-np.inf, -np.inf]]), axis=1).tolist()
    [1000.6931471805599, -inf]
    """
    xp = array_namespace(scores)
    shift = row_shift(scores, axis)
    total = xp.sum(xp.exp(scores - shift), axis=axis)
    # An empty sum's log is -inf; taking it as log(1) first keeps the gradient of such
    # a row 0, not 0 * inf = NaN (which would spread to every parameter of the scores).
    empty = total == 0
    out = xp.squeeze(shift, axis=axis) + xp.log(xp.where(empty, xp.ones_like(total), total))
    return xp.where(empty, xp.full_like(out, -math.inf), out)


def softmax(scores: Any, axis: int = -1) -> Any:
    """Compute the weights ``exp(s_i - M) / sum_j exp(s_j - M)`` along ``axis``.

    Parameters
    ----------
    scores : numpy.ndarray or torch.Tensor
        Floating-point scores; ``-inf`` entries get weight 0.
    axis : int
        The axis the weights sum to 1 along.

    Returns
    -------
    numpy.ndarray or torch.Tensor
        The shape, type, dtype and device of ``scores``. A row whose every entry is
        ``-inf`` gets weights 0 (it sums to 0, where :func:`scipy.special.softmax`
        and :func:`torch.softmax` give NaN); a row with ``+inf`` or NaN gives NaN.

    Examples
    --------
    >>> softmax(np.array([[1000.0, 999.0, -np.inf], [-np.inf, -np.inf, -np.inf]])).round(4).tolist()
    [[0.7311, 0.2689, 0.0], [0.0, 0.0, 0.0]]
    """
    xp = array_namespace(scores)
    w = shifted_exp(scores, axis)
    total = xp.sum(w, axis=axis, keepdims=True)
    # An all -inf row has total 0: dividing by 1 instead leaves its weights 0. A row
    # with +inf gives inf / inf: the NaN documented above, not a warning.
    with np.errstate(invalid="ignore"):
        return w / xp.where(total == 0, xp.ones_like(total), total)
