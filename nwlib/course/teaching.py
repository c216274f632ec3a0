"""How the width trades bias for variance, over fresh draws of the running example."""

from __future__ import annotations

from typing import Any

import numpy as np

from ..kernels import Kernel
from ..pooling import nadaraya_watson
from .data import running_example

__all__ = ["bias_variance"]


def bias_variance(candidates: Any, *, kernel: str | Kernel = "gaussian", n: int = 40,
                  repeats: int = 200, seed: int = 1000) -> tuple[np.ndarray, np.ndarray]:
    """Squared bias and variance of the fit at each width, over fresh running examples.

    Array types: numpy (``candidates`` as an array-like); returns float64 numpy arrays (also for float32
    input).

    Draws ``repeats`` data sets ``running_example(n, seed=seed + r)``, fits each on
    the query grid, and averages over the queries the squared bias
    ``(mean fit - f)**2`` and the variance of the fits. A compact kernel too
    narrow for some draw raises :class:`~nwlib.NoKeyInReachError`.

    Returns
    -------
    bias2, variance : ndarrays, shape (len(candidates),)

    Examples
    --------
    >>> b, v = bias_variance([0.1, 1.0], repeats=20)
    >>> bool(b[0] < b[1]), bool(v[0] > v[1])  # narrow: small bias, large variance
    (True, True)
    """
    widths = np.asarray(candidates, dtype=float).ravel()
    if widths.size == 0 or not np.all(np.isfinite(widths) & (widths > 0)):
        raise ValueError("candidates must be a non-empty list of positive widths.")
    if int(repeats) != repeats or repeats < 2:
        raise ValueError(f"repeats={repeats!r}: pass at least 2 repetitions to get a variance.")
    sets = [running_example(n, seed=seed + r) for r in range(int(repeats))]
    truth = sets[0].y_true
    bias2, variance = np.empty(widths.size), np.empty(widths.size)
    for i, h in enumerate(widths):
        fits = np.stack([nadaraya_watson(d.x_query, d.x_train, d.y_train, kernel=kernel,
                                         bandwidth=h) for d in sets])
        bias2[i] = np.mean((fits.mean(axis=0) - truth) ** 2)
        variance[i] = np.mean(fits.var(axis=0, ddof=1))
    return bias2, variance
