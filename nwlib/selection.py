"""Choosing the width from data: rules of thumb and leave-one-out cross-validation."""

from __future__ import annotations

import dataclasses
import math
from typing import Any

import numpy as np

from . import _backends
from .kernels import KERNELS, Kernel, get_kernel
from .loo import squared_error
from .pooling import METHOD_CHOICES
from .validation import check_choice, prepare

__all__ = ["silverman_bandwidth", "scott_bandwidth", "loo_bandwidth", "ESTIMATORS"]

#: The estimators :func:`loo_bandwidth` scores.
ESTIMATORS = ("nadaraya_watson", "local_linear")


def _samples(samples: Any) -> np.ndarray:
    x = prepare(samples, samples).keys
    x = np.asarray(x.detach().cpu() if hasattr(x, "detach") else x, dtype=float)
    if x.shape[0] < 2:
        raise ValueError("samples needs at least 2 points to estimate a spread.")
    return x


def _result(h: np.ndarray, one_d: bool) -> float | np.ndarray:
    if np.any(h <= 0):
        raise ValueError(
            "samples have zero spread in some coordinate, so the rule gives width 0; "
            "drop constant coordinates or choose the bandwidth by hand."
        )
    return float(h[0]) if one_d else h


def scott_bandwidth(samples: Any) -> float | np.ndarray:
    """Return the width by Scott's rule, constant-free variant: ``h_j = sigma_j * n**(-1 / (d + 4))``.

    Array types: numpy (array-likes and CPU tensors are converted); returns float64 (a number, or a (d,)
    array).

    Scott's normal-reference rule (Scott 1992) is ``1.06 * sigma * n**(-1/5)`` in
    one dimension (``(4 / (d + 2))**(1/(d+4)) * sigma_j * n**(-1/(d+4))`` in d).
    This function drops that constant, as ``scipy.stats.gaussian_kde(bw_method="scott")``
    does: its factor ``n**(-1/(d+4))`` times the sample standard deviation
    (``ddof=1``), about 6% narrower than the normal-reference rule in 1-D.

    Parameters
    ----------
    samples : array_like, shape (n,) or (n, d)
        At least two points, finite, with a spread in every coordinate.

    Returns
    -------
    float for 1-D samples, else an array of d per-coordinate widths.

    Examples
    --------
    >>> round(scott_bandwidth([0.0, 1.0, 2.0, 3.0]), 4)  # 1.291 * 4**(-1/5)
    0.9784
    """
    x = _samples(samples)
    n, d = x.shape
    return _result(x.std(axis=0, ddof=1) * n ** (-1.0 / (d + 4)), np.ndim(samples) == 1)


def silverman_bandwidth(samples: Any) -> float | np.ndarray:
    """Return the width by Silverman's rule of thumb (Silverman 1986, eq. 3.31), per coordinate.

    Array types: numpy (array-likes and CPU tensors are converted); returns float64 (a number, or a (d,)
    array).

    ``h_j = 0.9 * A_j * n**(-1/5)`` with ``A_j = min(sigma_j, IQR_j / 1.349)``
    in 1-D (as statsmodels' ``bw_silverman``). For d > 1 the normal-reference
    constant becomes ``(4 / (d + 2))**(1/(d+4))`` and the exponent ``-1/(d+4)``,
    still with the robust spread ``A_j``.

    Parameters
    ----------
    samples : array_like, shape (n,) or (n, d)
        At least two points, finite, with a spread in every coordinate.

    Returns
    -------
    float for 1-D samples, else an array of d per-coordinate widths.

    Examples
    --------
    >>> round(silverman_bandwidth([0.0, 1.0, 2.0, 3.0]), 4)  # 0.9 * (1.5/1.349) * 4**(-1/5)
    0.7584
    """
    x = _samples(samples)
    n, d = x.shape
    q75, q25 = np.percentile(x, [75, 25], axis=0)
    spread = np.minimum(x.std(axis=0, ddof=1), (q75 - q25) / 1.349)
    if d == 1:
        h = 0.9 * spread * n ** (-0.2)
    else:
        h = (4.0 / (d + 2)) ** (1.0 / (d + 4)) * spread * n ** (-1.0 / (d + 4))
    return _result(h, np.ndim(samples) == 1)


def loo_bandwidth(
    keys: Any,
    values: Any,
    candidates: Any,
    *,
    kernel: str | Kernel = "gaussian",
    method: str = "auto",
    estimator: str = "nadaraya_watson",
) -> tuple[Any, np.ndarray]:
    """Pick the width whose leave-one-out prediction error is smallest.

    Array types: numpy (a torch tensor raises TypeError); returns the chosen width as float64 and float64
    errors.

    Each key is predicted from all the *other* keys,
    ``f_{-i}(x_i) = sum_{j != i} k_ij y_j / sum_{j != i} k_ij`` for Nadaraya-Watson
    (the local line fitted to the other keys for ``estimator="local_linear"``), and
    the mean squared error over i is computed for every candidate width. This is
    nwlib's one way to score widths by leave-one-out error; the same objective
    (:mod:`nwlib.loo`) is what :func:`nwlib.learn_bandwidth` and
    :func:`nwlib.learn_metric` differentiate.

    Parameters
    ----------
    keys : array_like, shape (n,) or (n, d)
        The training inputs, finite.
    values : array_like, shape (n,) or (n, c)
        The training targets, finite.
    candidates : array_like
        Widths to try: shape (w,) for global widths, or (w, d) for per-coordinate ones.
    kernel : str or Kernel
        A name from ``KERNELS`` or a :class:`nwlib.Kernel`.
    method : {"auto", "reference"}
        ``"auto"`` scores every Gaussian candidate in one multi-core pass over
        the data (a backend of :mod:`nwlib._backends`); ``"reference"`` scores each
        candidate with the leave-one-out objective of :mod:`nwlib.loo`. Local-linear
        scores take one route.
    estimator : {"nadaraya_watson", "local_linear"}
        The estimator whose leave-one-out predictions are scored, as in
        :func:`nwlib.gcv_bandwidth`.

    Returns
    -------
    best : float or ndarray
        The candidate with the smallest error (the first one in case of ties).
    mse : ndarray, shape (w,)
        Leave-one-out mean squared error of every candidate. A candidate that
        leaves some key with no other key in reach (compact kernels) scores
        ``inf``: its leave-one-out estimate is undefined there. An error beyond
        float64's range (values near 1e154 and larger) also reads ``inf``; ``best``
        is chosen from the errors of the values scaled by a power of two, so it is
        right even then. For ``"local_linear"``, a candidate that leaves some key
        with an undetermined local line also scores ``inf``.

    Examples
    --------
    >>> from nwlib.course import running_example
    >>> data = running_example()
    >>> best, mse = loo_bandwidth(data.x_train, data.y_train, [0.1, 0.2, 0.5, 1.0])
    >>> best, mse.round(3).tolist()
    (0.5, [1.308, 1.023, 0.989, 1.478])
    """
    check_choice(method, "method", METHOD_CHOICES)
    check_choice(estimator, "estimator", ESTIMATORS)
    k = get_kernel(kernel)
    cand = _candidates(candidates)
    if estimator == "local_linear":
        from .local_regression import local_linear_loo

        if hasattr(keys, "detach") or hasattr(values, "detach"):
            raise TypeError("loo_bandwidth works on numpy arrays; pass keys.numpy().")
        for i, h in enumerate(cand):  # errors naming the candidate, before any work
            _candidate_width(keys, values, h, i)
        return local_linear_loo(keys, values, cand, kernel=k)
    p = prepare(keys, keys, values)  # the candidates are checked one by one below
    if p.is_torch:
        raise TypeError("loo_bandwidth works on numpy arrays; pass keys.numpy().")
    n = p.keys.shape[0]
    if n < 2:
        raise ValueError("keys needs at least 2 points: each is predicted from the others.")
    # Checks every candidate before any work.
    widths = np.stack([np.asarray(_candidate_width(keys, values, h, i)) for i, h in enumerate(cand)])
    # Values scaled by a power of two (exact) so that no squared residual overflows,
    # however large they are; the errors are scaled back at the end.
    top = float(np.max(np.abs(p.values))) if p.values.size else 0.0
    shift = math.frexp(top)[1] if 0 < top < math.inf else 0
    p = dataclasses.replace(p, values=np.ldexp(p.values, -shift))
    mse = None
    if method == "auto" and k is KERNELS["gaussian"]:
        mse = _backends.gaussian_loo(p, widths[:, 0] if cand.ndim == 1 else widths)
    if mse is None:
        mse = np.full(len(widths), np.nan)
    for i in np.flatnonzero(np.isnan(mse)):  # what no fast path served (or none ran)
        e = squared_error(p.keys, p.values, widths[i], k, p.xp)
        mse[i] = np.inf if e is None else float(e) / n
    if not np.any(np.isfinite(mse)):
        raise ValueError(
            "every candidate leaves some key with no other key in reach of the "
            f"{k.name!r} kernel; try wider candidates or kernel='gaussian'."
        )
    best = cand[int(np.argmin(mse))]
    with np.errstate(over="ignore"):
        mse = np.ldexp(mse, 2 * shift)
    return (float(best) if cand.ndim == 1 else best), mse


def _candidates(candidates: Any) -> np.ndarray:
    """Check the candidate widths: a float array, (w,) or (w, d), each finite and positive."""
    if isinstance(candidates, str):
        raise TypeError(f"candidates={candidates!r} is a string; pass a list of widths.")
    try:
        raw = np.asarray(candidates.detach().cpu() if hasattr(candidates, "detach") else candidates)
    except (TypeError, ValueError) as exc:
        raise TypeError(f"candidates could not be read as an array of widths ({exc}).") from None
    if raw.dtype.kind not in "biuf":
        raise TypeError(f"candidates has dtype {raw.dtype}; pass real, positive widths.")
    cand = raw.astype(float)
    if cand.ndim not in (1, 2) or cand.shape[0] == 0:
        raise ValueError(
            f"candidates has shape {cand.shape}; pass a non-empty list of widths, shape "
            "(w,) or (w, d) for per-coordinate widths."
        )
    bad = np.flatnonzero(~np.all(np.isfinite(cand) & (cand > 0), axis=tuple(range(1, cand.ndim))))
    if bad.size:
        i = int(bad[0])
        raise ValueError(
            f"candidates[{i}] = {cand[i]} is not a finite positive width; pass widths > 0, "
            "e.g. np.geomspace(0.05, 2.0, 30)."
        )
    return cand


def _candidate_width(keys: Any, values: Any, h: np.ndarray, i: int) -> Any:
    """Candidate ``i`` checked against the data, with errors naming it."""
    try:
        return prepare(keys, keys, values, h).bandwidth
    except (TypeError, ValueError) as exc:
        message = str(exc).replace("bandwidth", f"candidates[{i}]", 1)
        raise type(exc)(message) from None
