"""The attention matrix read as a linear smoother.

Fitted values at the keys are ``yhat = W y`` with ``W`` the (n, n) matrix of
attention weights of the keys over themselves (or of local-linear equivalent
weights). Everything a statistician reads off a linear smoother follows from
``W``: effective degrees of freedom ``tr W``, the exact leave-one-out residuals
``(y_i - yhat_i) / (1 - W_ii)``, generalised cross-validation, a noise estimate,
pointwise standard errors and confidence bands.

These functions build dense (n, n) matrices: they are meant for the few thousand
keys of an analysis, not for the large-scale paths of :mod:`nwlib.pooling`.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from .arrays import ArrayLike, Width
from .kernels import Kernel
from .local_regression import local_linear_weights
from .pooling import attention_weights
from .validation import check_level

__all__ = ["smoother_matrix", "effective_dof", "loo_residuals", "gcv_score",
           "gcv_bandwidth", "noise_variance", "pointwise_variance", "Band",
           "confidence_band", "bootstrap_band"]

ESTIMATORS = ("nadaraya_watson", "local_linear")


def smoother_matrix(queries: ArrayLike, keys: ArrayLike, *, kernel: str | Kernel = "gaussian",
                    bandwidth: Width = 1.0, estimator: str = "nadaraya_watson") -> np.ndarray:
    """Compute the weights of each query over the keys: ``fit = W @ values``, shape (m, n).

    Array types: numpy (array-likes and CPU tensors are converted); returns a float64 numpy array.

    ``estimator="nadaraya_watson"`` gives the attention weights,
    ``"local_linear"`` the local-linear equivalent weights. Pass the keys as the
    queries to get the square smoother matrix of the fitted values.

    Parameters
    ----------
    queries : numpy.typing.ArrayLike, shape (m,) or (m, d)
        Where to estimate.
    keys : numpy.typing.ArrayLike, shape (n,) or (n, d)
        The data points the queries attend to.
    kernel : str or Kernel
        A name from ``KERNELS`` or a :class:`Kernel`.
    bandwidth : float or numpy.typing.ArrayLike of shape (d,)
        The kernel width ``h > 0``, or one width per coordinate.
    estimator : {"nadaraya_watson", "local_linear"}
        The linear smoother.

    Returns
    -------
    numpy.ndarray, shape (m, n)
        The weights, float64.

    Examples
    --------
    >>> W = smoother_matrix([0.0, 1.0, 2.0], [0.0, 1.0, 2.0], bandwidth=0.5)
    >>> W.shape, W.sum(axis=1).round(12).tolist()
    ((3, 3), [1.0, 1.0, 1.0])
    """
    if estimator not in ESTIMATORS:
        raise ValueError(f"estimator={estimator!r} is not one of {', '.join(map(repr, ESTIMATORS))}.")
    if estimator == "nadaraya_watson":
        w = attention_weights(queries, keys, kernel=kernel, bandwidth=bandwidth)
    else:
        w = local_linear_weights(queries, keys, kernel=kernel, bandwidth=bandwidth)
    return np.asarray(w, dtype=float)


def _square(weights: Any, name: str = "weights") -> np.ndarray:
    w = np.asarray(weights, dtype=float)
    if w.ndim != 2 or w.shape[0] != w.shape[1] or w.shape[0] < 2:
        raise ValueError(f"{name} has shape {w.shape}; pass the square (n, n) smoother matrix "
                         "of the keys over themselves, smoother_matrix(keys, keys, ...).")
    return w


def _values(values: Any, n: int) -> np.ndarray:
    y = np.asarray(values, dtype=float)
    if y.shape != (n,):
        raise ValueError(f"values has shape {y.shape}; pass one value per key, shape ({n},).")
    return y


def effective_dof(weights: ArrayLike) -> float:
    """Effective degrees of freedom ``tr W`` of a smoother matrix.

    Array types: numpy (array-likes and CPU tensors are converted); returns a Python float.

    Between 1 (every fit the global mean) and n (every key predicts itself).

    Parameters
    ----------
    weights : numpy.typing.ArrayLike, shape (n, n)
        A square smoother matrix (in-sample fit).

    Returns
    -------
    float
        The trace of ``weights``.

    Examples
    --------
    >>> effective_dof(np.eye(4)), effective_dof(np.full((4, 4), 0.25))
    (4.0, 1.0)
    """
    return float(np.trace(_square(weights)))


def loo_residuals(weights: ArrayLike, values: ArrayLike) -> np.ndarray:
    """Exact leave-one-out residuals ``(y_i - yhat_i) / (1 - W_ii)``.

    Array types: numpy (array-likes and CPU tensors are converted); returns a float64 numpy array.

    Exact for Nadaraya-Watson and local-linear weights: removing key ``i`` and
    renormalising the others is what dividing by ``1 - W_ii`` does.

    Raises ValueError when some ``W_ii = 1`` (a key nobody else reaches).

    Parameters
    ----------
    weights : numpy.typing.ArrayLike, shape (n, n)
        A square smoother matrix (in-sample fit).
    values : numpy.typing.ArrayLike, shape (n,)
        The responses.

    Returns
    -------
    numpy.ndarray, shape (n,)
        The leave-one-out residuals, float64.

    Examples
    --------
    >>> W = np.array([[0.5, 0.5], [0.5, 0.5]])
    >>> loo_residuals(W, [0.0, 2.0]).tolist()  # each point predicted by the other
    [-2.0, 2.0]
    """
    w = _square(weights)
    y = _values(values, w.shape[0])
    leverage = np.diag(w)
    if np.any(leverage >= 1 - 1e-12):
        raise ValueError("some key has W_ii = 1 (no other key in reach), so its leave-one-out "
                         "prediction is undefined; use a wider bandwidth.")
    return (y - w @ y) / (1 - leverage)


def gcv_score(weights: ArrayLike, values: ArrayLike) -> float:
    """Generalised cross-validation (Craven and Wahba 1979).

    Array types: numpy (array-likes and CPU tensors are converted); returns a Python float.

    ``GCV = mean((y - W y)**2) / (1 - tr(W) / n)**2``: leave-one-out with every
    leverage ``W_ii`` replaced by their average ``tr(W) / n``.

    Parameters
    ----------
    weights : numpy.typing.ArrayLike, shape (n, n)
        A square smoother matrix (in-sample fit).
    values : numpy.typing.ArrayLike, shape (n,)
        The responses.

    Returns
    -------
    float
        ``n RSS / (n - tr W)^2``.

    Examples
    --------
    >>> round(gcv_score(np.full((4, 4), 0.25), [0.0, 1.0, 2.0, 3.0]), 4)  # 1.25 / 0.75**2
    2.2222
    """
    w = _square(weights)
    n = w.shape[0]
    y = _values(values, n)
    ratio = np.trace(w) / n
    if ratio >= 1 - 1e-12:
        return float("inf")
    return float(np.mean((y - w @ y) ** 2) / (1 - ratio) ** 2)


def gcv_bandwidth(keys: ArrayLike, values: ArrayLike, candidates: ArrayLike, *,
                  kernel: str | Kernel = "gaussian",
                  estimator: str = "nadaraya_watson") -> tuple[float, np.ndarray]:
    """Pick the candidate width with the smallest GCV score; return it and every score.

    Array types: numpy (array-likes and CPU tensors are converted); returns the chosen width as float64 and
    float64 scores.

    Parameters
    ----------
    keys : numpy.typing.ArrayLike, shape (n,) or (n, d)
        The data points the queries attend to.
    values : numpy.typing.ArrayLike, shape (n,)
        The responses.
    candidates : numpy.typing.ArrayLike, shape (w,)
        The widths to compare, each ``> 0``.
    kernel : str or Kernel
        A name from ``KERNELS`` or a :class:`Kernel`.
    estimator : {"nadaraya_watson", "local_linear"}
        The linear smoother.

    Returns
    -------
    best : float
        The candidate with the smallest score.
    scores : numpy.ndarray, shape (w,)
        The GCV score of every candidate.

    Examples
    --------
    >>> from nwlib.course import running_example
    >>> d = running_example()
    >>> best, scores = gcv_bandwidth(d.x_train, d.y_train, [0.1, 0.4, 2.0])
    >>> best
    0.4
    """
    cand = np.asarray(candidates, dtype=float).ravel()
    if cand.size == 0:
        raise ValueError("candidates is empty; pass a list of positive widths.")
    scores = np.array([gcv_score(smoother_matrix(keys, keys, kernel=kernel, bandwidth=h,
                                                 estimator=estimator), values) for h in cand])
    return float(cand[int(np.argmin(scores))]), scores


def noise_variance(weights: ArrayLike, values: ArrayLike) -> float:
    """Plug-in noise variance ``RSS / (n - 2 tr W + tr(W^T W))``.

    Array types: numpy (array-likes and CPU tensors are converted); returns a Python float.

    The denominator is the expected residual sum of squares per unit noise
    variance when the smoother has no bias, so the estimate is unbiased then
    (and too large when the fit is biased).

    Parameters
    ----------
    weights : numpy.typing.ArrayLike, shape (n, n)
        A square smoother matrix (in-sample fit).
    values : numpy.typing.ArrayLike, shape (n,)
        The responses.

    Returns
    -------
    float
        The estimate of ``sigma^2``.

    Examples
    --------
    >>> round(noise_variance(np.full((3, 3), 1 / 3), [0.0, 1.0, 2.0]), 6)  # sample variance
    1.0
    """
    w = _square(weights)
    y = _values(values, w.shape[0])
    dof = w.shape[0] - 2 * np.trace(w) + np.sum(w * w)
    if dof <= 0:
        raise ValueError("the smoother leaves no residual degrees of freedom (it interpolates "
                         "the data); use a wider bandwidth.")
    return float(np.sum((y - w @ y) ** 2) / dof)


def pointwise_variance(weights: ArrayLike, noise_var: float) -> np.ndarray:
    """Variance ``sigma^2 sum_i w_i(q)^2`` of each query's fit, for independent noise.

    Array types: numpy (array-likes and CPU tensors are converted); returns a float64 numpy array.

    Parameters
    ----------
    weights : numpy.typing.ArrayLike, shape (m, n)
        A smoother matrix (``fit = weights @ values``), square (n, n) for in-sample fits.
    noise_var : float
        The noise variance ``sigma^2``.

    Returns
    -------
    numpy.ndarray, shape (m,)
        The variance of each query's fit.

    Examples
    --------
    >>> pointwise_variance([[0.5, 0.5], [1.0, 0.0]], 2.0).tolist()
    [1.0, 2.0]
    """
    w = np.asarray(weights, dtype=float)
    if w.ndim != 2:
        raise ValueError(f"weights has shape {w.shape}; pass an (m, n) weight matrix.")
    if not (np.isfinite(noise_var) and noise_var >= 0):
        raise ValueError(f"noise_var={noise_var!r}: pass a non-negative noise variance.")
    return noise_var * np.sum(w * w, axis=1)


@dataclass(frozen=True)
class Band:
    """A fit at the queries with a band ``lower <= f(q) <= upper``.

    Array types: none; holds float64 numpy arrays.

    The normal bands (:func:`confidence_band`, :func:`nwlib.curve_band`) are
    ``fit +- critical_value * se``; the bootstrap band is not symmetric and has
    neither.

    Parameters
    ----------
    fit : numpy.ndarray, shape (m,)
        The fit at each query.
    lower : numpy.ndarray, shape (m,)
        The band's lower edge.
    upper : numpy.ndarray, shape (m,)
        The band's upper edge.
    level : float
        The nominal coverage: at each query for ``"pointwise"`` and
        ``"bootstrap"``, of the whole curve (all ``m`` queries at once) for the
        simultaneous kinds.
    kind : str
        ``"bootstrap"`` or one of :data:`nwlib.BAND_KINDS`: ``"pointwise"``,
        ``"bonferroni"``, ``"sup-t"``.
    se : numpy.ndarray of shape (m,), or None
        The standard error of the fit at each query (None for the bootstrap band).
    critical_value : float or None
        The multiplier of the standard error (None for the bootstrap band).
    """

    fit: np.ndarray
    lower: np.ndarray
    upper: np.ndarray
    level: float
    kind: str = "pointwise"
    se: np.ndarray | None = None
    critical_value: float | None = None


def confidence_band(queries: ArrayLike, keys: ArrayLike, values: ArrayLike, *,
                    kernel: str | Kernel = "gaussian", bandwidth: Width = 1.0, level: float = 0.95,
                    estimator: str = "nadaraya_watson") -> Band:
    """Compute the normal pointwise band ``fit +- z sqrt(sigma_hat^2 sum_i w_i(q)^2)``.

    Array types: numpy (array-likes and CPU tensors are converted); returns a Band of float64 numpy arrays.

    The noise variance is the plug-in :func:`noise_variance` of the smoother at
    the keys. The band covers the *mean of the fit*: where the fit is biased it
    covers the true function less often than ``level`` says.

    Parameters
    ----------
    queries : numpy.typing.ArrayLike, shape (m,) or (m, d)
        Where to estimate.
    keys : numpy.typing.ArrayLike, shape (n,) or (n, d)
        The data points the queries attend to.
    values : numpy.typing.ArrayLike, shape (n,)
        The responses.
    kernel : str or Kernel
        A name from ``KERNELS`` or a :class:`Kernel`.
    bandwidth : float or numpy.typing.ArrayLike of shape (d,)
        The kernel width ``h > 0``, or one width per coordinate.
    level : float
        Nominal coverage of the pointwise band, in (0, 1).
    estimator : {"nadaraya_watson", "local_linear"}
        The linear smoother.

    Returns
    -------
    Band
        The fit and the band at each query.

    Examples
    --------
    >>> from nwlib.course import running_example
    >>> d = running_example()
    >>> b = confidence_band(d.x_query, d.x_train, d.y_train, bandwidth=0.4)
    >>> bool(np.all(b.lower < b.fit) and np.all(b.fit < b.upper))
    True
    """
    from scipy.stats import norm

    level = check_level(level)
    y = np.asarray(values, dtype=float)
    w_keys = smoother_matrix(keys, keys, kernel=kernel, bandwidth=bandwidth, estimator=estimator)
    w_q = smoother_matrix(queries, keys, kernel=kernel, bandwidth=bandwidth, estimator=estimator)
    se = np.sqrt(pointwise_variance(w_q, noise_variance(w_keys, y)))
    fit = w_q @ y
    z = norm.ppf(0.5 + level / 2)
    return Band(fit, fit - z * se, fit + z * se, level, "pointwise", se, float(z))


def bootstrap_band(queries: ArrayLike, keys: ArrayLike, values: ArrayLike, *,
                   kernel: str | Kernel = "gaussian", bandwidth: Width = 1.0, level: float = 0.95,
                   n_boot: int = 1000, seed: int = 0, estimator: str = "nadaraya_watson") -> Band:
    """Residual-bootstrap pointwise band (basic bootstrap interval).

    Array types: numpy (array-likes and CPU tensors are converted); returns a Band of float64 numpy arrays.

    New values ``y* = yhat + e*`` resample the centred residuals, rescaled so
    their variance is :func:`noise_variance`; each replicate is refitted, and
    the spread of ``f*(q) - mean f*(q)`` around the fit gives the band. Like the
    normal band, it measures variance only, not bias.

    Parameters
    ----------
    queries : numpy.typing.ArrayLike, shape (m,) or (m, d)
        Where to estimate.
    keys : numpy.typing.ArrayLike, shape (n,) or (n, d)
        The data points the queries attend to.
    values : numpy.typing.ArrayLike, shape (n,)
        The responses.
    kernel : str or Kernel
        A name from ``KERNELS`` or a :class:`Kernel`.
    bandwidth : float or numpy.typing.ArrayLike of shape (d,)
        The kernel width ``h > 0``, or one width per coordinate.
    level : float
        Nominal coverage of the pointwise band, in (0, 1).
    n_boot : int
        Number of bootstrap resamples.
    seed : int
        Seed of the resampling.
    estimator : {"nadaraya_watson", "local_linear"}
        The linear smoother.

    Returns
    -------
    Band
        The fit and the band at each query.

    Examples
    --------
    >>> from nwlib.course import running_example
    >>> d = running_example()
    >>> b = bootstrap_band(d.x_query, d.x_train, d.y_train, bandwidth=0.4, n_boot=200)
    >>> b.fit.shape, bool(np.all(b.lower < b.upper))
    ((50,), True)
    """
    level = check_level(level)
    if int(n_boot) != n_boot or n_boot < 20:
        raise ValueError(f"n_boot={n_boot!r}: pass at least 20 bootstrap replicates.")
    y = np.asarray(values, dtype=float)
    w_keys = smoother_matrix(keys, keys, kernel=kernel, bandwidth=bandwidth, estimator=estimator)
    w_q = smoother_matrix(queries, keys, kernel=kernel, bandwidth=bandwidth, estimator=estimator)
    n = w_keys.shape[0]
    fitted = w_keys @ y
    resid = y - fitted
    resid = (resid - resid.mean()) * np.sqrt(noise_variance(w_keys, y) / np.mean(
        (resid - resid.mean()) ** 2))
    rng = np.random.default_rng(seed)
    y_star = fitted[:, None] + resid[rng.integers(0, n, size=(n, int(n_boot)))]
    deviations = w_q @ y_star - (w_q @ fitted)[:, None]
    lo, hi = np.quantile(deviations, [0.5 - level / 2, 0.5 + level / 2], axis=1)
    fit = w_q @ y
    return Band(fit, fit - hi, fit - lo, level, "bootstrap")
