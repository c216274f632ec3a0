"""How much work Gaussian Nadaraya-Watson does: its route, and the pairs computed and skipped.

:func:`nwlib.nadaraya_watson` on numpy arrays with the Gaussian kernel takes one of two
exact routes (:mod:`nwlib._backends`): the cut-off, which leaves out every key whose
weight cannot change a digit of the answer, or, with many keys and queries in d <= 3,
the fast Gauss transform, which evaluates no kernel values except for the queries it
hands back to the cut-off. :func:`gaussian_plan` asks the same dispatch, so its numbers
follow whatever the fast path does.
"""

from __future__ import annotations

import math
from typing import Any, NamedTuple

from . import _backends
from .kernels import KERNELS
from .pooling import numpy_twin
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
    route : str
        The route tried first: ``"cut-off"``, ``"transform"`` (the fast Gauss
        transform; ``evaluated`` and ``skipped`` then count the cut-off's work, which
        it does only for the queries the transform cannot bound) or ``"every pair"``
        (tensors).
    """

    evaluated: int
    skipped: int
    gap: float
    route: str


def gaussian_plan(queries: Any, keys: Any, *, bandwidth: Any = 1.0) -> GaussianPlan:
    """Count the kernel values ``nadaraya_watson(queries, keys, ...)`` computes.

    Array types: numpy or torch; returns Python numbers (CPU tensors that need no gradient
    take the numpy routes, as in :func:`nwlib.nadaraya_watson`; other tensors' routes
    compute every pair).

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
    p = numpy_twin(p, KERNELS["gaussian"]) or p  # as nadaraya_watson does
    total = p.queries.shape[0] * p.keys.shape[0]
    found = _backends.gaussian_plan(p)
    if found is None:
        return GaussianPlan(total, 0, math.inf, "every pair")
    evaluated, gap, route = found
    return GaussianPlan(int(evaluated), total - int(evaluated), float(gap), route)
