"""How much work Gaussian Nadaraya-Watson does: the pairs computed and skipped.

:func:`nwlib.nadaraya_watson` on numpy arrays with the Gaussian kernel leaves out
every key whose weight cannot change a digit of the answer (:mod:`nwlib._backends`).
:func:`gaussian_plan` reports how many query-key pairs that route evaluates, by
asking the same dispatch, so the numbers follow whatever the fast path does.
"""

from __future__ import annotations

import math
from typing import Any, NamedTuple

from . import _backends
from .validation import prepare

__all__ = ["GaussianPlan", "gaussian_plan"]


class GaussianPlan(NamedTuple):
    """Query-key pairs evaluated and skipped, and the score gap of the cut-off.

    Array types: none; holds Python numbers.

    Parameters
    ----------
    evaluated : int
        Query-key pairs whose kernel value is computed.
    skipped : int
        Pairs left out because their weight cannot reach the answer's rounding.
    gap : float
        A key whose score exceeds a query's smallest by more than ``gap`` is skipped;
        ``inf`` when the route computes every pair.
    """

    evaluated: int
    skipped: int
    gap: float


def gaussian_plan(queries: Any, keys: Any, *, bandwidth: Any = 1.0) -> GaussianPlan:
    """Count the kernel values ``nadaraya_watson(queries, keys, ...)`` computes.

    Array types: numpy or torch; returns Python numbers (the torch routes compute every pair).

    Parameters
    ----------
    queries : array_like, shape (m,) or (m, d)
        The points to predict at.
    keys : array_like, shape (n,) or (n, d)
        The training inputs.
    bandwidth : float or array_like, shape (d,)
        The Gaussian kernel's width ``h``.

    Returns
    -------
    GaussianPlan
        ``evaluated + skipped == m * n``.

    Examples
    --------
    >>> import numpy as np
    >>> x = np.linspace(0.0, 100.0, 1001)
    >>> plan = gaussian_plan(x, x, bandwidth=0.1)
    >>> plan.evaluated + plan.skipped == x.size**2, plan.evaluated < 0.05 * x.size**2
    (True, True)
    """
    p = prepare(queries, keys, None, bandwidth)
    total = p.queries.shape[0] * p.keys.shape[0]
    found = _backends.gaussian_plan(p)
    evaluated, gap = (total, math.inf) if found is None else (int(found[0]), float(found[1]))
    return GaussianPlan(evaluated, total - evaluated, gap)
