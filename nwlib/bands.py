"""Honest bands for a linear smoother: local noise variance, simultaneous bands, undersmoothing.

The pointwise band of :func:`nwlib.smoother.confidence_band` assumes one noise variance
for every key and promises its coverage query by query. Three corrections:

- **Heteroscedastic noise.** The fit's variance at ``q`` is
  ``sum_i w_i(q)^2 sigma_eps^2(x_i)``; :func:`local_noise_variance` estimates
  ``sigma_eps^2(x)`` by smoothing the squared residuals (each divided by its own
  leverage factor ``((I - W)(I - W)^T)_ii``, so that it is unbiased when the fit is).
- **Simultaneous bands.** A band that must hold at all ``m`` queries at once needs a
  larger multiplier than ``z_{1 - alpha/2}``: Bonferroni's ``z_{1 - alpha/(2m)}``, or the
  ``level`` quantile of ``max_q |Z(q)| / se(q)`` for the Gaussian process
  ``Z = W_q diag(sigma_eps) g`` (a multiplier bootstrap of the sup-t statistic), which
  uses the correlation between neighbouring queries and is never wider than Bonferroni
  (up to Monte-Carlo error).
- **Undersmoothing.** Every band covers the *smoothed* truth ``sum_i w_i(q) f(x_i)``.
  A width ``h n^(-1/20)`` (:func:`undersmoothed_bandwidth`), smaller than the
  error-optimal order ``n^(-1/5)``, makes the bias small against the band's width.
"""

from __future__ import annotations

import math
from statistics import NormalDist

import numpy as np

from .arrays import ArrayLike, Width
from .kernels import Kernel
from .smoother import Band, noise_variance, smoother_matrix
from .validation import check_level

__all__ = ["BAND_KINDS", "local_noise_variance", "bonferroni_critical_value",
           "sup_t_critical_value", "curve_band", "undersmoothed_bandwidth"]

#: ``"pointwise"``, ``"bonferroni"`` and ``"sup-t"`` (simultaneous).
BAND_KINDS = ("pointwise", "bonferroni", "sup-t")


def local_noise_variance(queries: ArrayLike, keys: ArrayLike, values: ArrayLike, *,
                         bandwidth: Width, variance_bandwidth: Width | None = None,
                         kernel: str | Kernel = "gaussian",
                         estimator: str = "nadaraya_watson") -> np.ndarray:
    """Estimate the noise variance ``sigma_eps^2(q)`` at each query by smoothing squared residuals.

    Array types: numpy; returns a float64 numpy array.

    The residuals ``r = (I - W) y`` of the fit at the keys have variance
    ``sum_j (I - W)_ij^2 sigma_eps^2(x_j)``, about ``sigma_eps^2(x_i) ((I - W)(I - W)^T)_ii``;
    dividing ``r_i^2`` by that factor and smoothing with Nadaraya-Watson of width
    ``variance_bandwidth`` gives the estimate. Bias in the fit inflates it.

    Parameters
    ----------
    queries : numpy.typing.ArrayLike, shape (m,) or (m, d)
        Where to estimate the variance (pass the keys to get it at the keys).
    keys : numpy.typing.ArrayLike, shape (n,) or (n, d)
        The data points.
    values : numpy.typing.ArrayLike, shape (n,)
        The responses.
    bandwidth : float or numpy.typing.ArrayLike of shape (d,)
        The width of the fit whose residuals are smoothed.
    variance_bandwidth : float or numpy.typing.ArrayLike of shape (d,), optional
        The width of the Nadaraya-Watson smoothing of the squared residuals; default
        ``bandwidth``. A wider one is less noisy but, near the ends, borrows more from
        the other side: with a variance that grows with x it overestimates it at the
        low end and underestimates it at the high end.
    kernel : str or Kernel
        A name from ``KERNELS`` or a :class:`Kernel`.
    estimator : {"nadaraya_watson", "local_linear"}
        The linear smoother of the fit.

    Returns
    -------
    numpy.ndarray, shape (m,)
        The estimated noise variance at each query (positive).

    Examples
    --------
    >>> rng = np.random.default_rng(0); x = np.sort(rng.uniform(0, 1, 400))
    >>> y = rng.normal(size=400) * (0.1 + x)
    >>> v = local_noise_variance([0.1, 0.9], x, y, bandwidth=0.1)
    >>> bool(v[1] > 4 * v[0])
    True
    """
    y = np.asarray(values, dtype=float)
    w = smoother_matrix(keys, keys, kernel=kernel, bandwidth=bandwidth, estimator=estimator)
    if y.shape != (w.shape[0],):
        raise ValueError(f"values has shape {y.shape}; pass one response per key, shape ({w.shape[0]},).")
    g = bandwidth if variance_bandwidth is None else variance_bandwidth
    smooth = smoother_matrix(queries, keys, kernel=kernel, bandwidth=g)
    return smooth @ _scaled_squared_residuals(w, y)


def _scaled_squared_residuals(w: np.ndarray, y: np.ndarray) -> np.ndarray:
    """``r_i^2 / ((I - W)(I - W)^T)_ii``: about ``sigma_eps^2(x_i)`` on average."""
    resid_op = np.eye(w.shape[0]) - w
    leverage = np.sum(resid_op * resid_op, axis=1)
    if not np.all(leverage > 1e-8):
        raise ValueError("a key fits itself exactly (its residual factor is 0): the width is too "
                         "narrow to estimate a noise variance; widen bandwidth.")
    return (resid_op @ y) ** 2 / leverage


def bonferroni_critical_value(level: float, m: int) -> float:
    """Return the Bonferroni multiplier ``z_{1 - (1 - level) / (2 m)}`` for ``m`` queries at once.

    Array types: none; returns a Python float.

    Parameters
    ----------
    level : float
        The simultaneous coverage asked for, in (0, 1).
    m : int
        The number of queries the band must cover together.

    Returns
    -------
    float
        The normal quantile (computed with :class:`statistics.NormalDist`).

    Examples
    --------
    >>> round(bonferroni_critical_value(0.95, 1), 4)
    1.96
    >>> bonferroni_critical_value(0.95, 50) > 3
    True
    """
    level = check_level(level)
    if int(m) != m or m < 1:
        raise ValueError(f"m={m!r}: pass the number of queries, a positive whole number.")
    return NormalDist().inv_cdf(1 - (1 - level) / (2 * int(m)))


def sup_t_critical_value(weights: ArrayLike, noise_sd: ArrayLike, level: float, *,
                         n_boot: int = 2000, seed: int = 0) -> float:
    """Return the ``level`` quantile of ``max_q |Z(q)| / se(q)``, the sup-t multiplier.

    Array types: numpy; returns a Python float.

    ``Z = W diag(noise_sd) g`` with ``g`` standard normal is the fit's error when the
    noise is Gaussian with standard deviations ``noise_sd``; ``se(q)`` is its standard
    deviation. Drawing ``n_boot`` vectors ``g`` (a Gaussian multiplier bootstrap) gives
    the quantile of the maximum over the queries. A band ``fit +- c se`` with this ``c``
    covers the whole smoothed curve with probability ``level``.

    Parameters
    ----------
    weights : numpy.typing.ArrayLike, shape (m, n)
        The smoother matrix at the queries.
    noise_sd : numpy.typing.ArrayLike, shape (n,) or scalar
        The noise standard deviation at each key.
    level : float
        The simultaneous coverage, in (0, 1).
    n_boot : int
        Number of draws.
    seed : int
        Seed of the draws.

    Returns
    -------
    float
        The critical value ``c``.

    Examples
    --------
    >>> c = sup_t_critical_value(np.eye(50), 1.0, 0.95, n_boot=20_000)
    >>> bool(abs(c - bonferroni_critical_value(0.95, 50)) < 0.1)  # independent queries
    True
    """
    level = check_level(level)
    if int(n_boot) != n_boot or n_boot < 100:
        raise ValueError(f"n_boot={n_boot!r}: pass at least 100 draws.")
    w = np.asarray(weights, dtype=float)
    if w.ndim != 2:
        raise ValueError(f"weights has shape {w.shape}; pass an (m, n) smoother matrix.")
    s = np.broadcast_to(np.asarray(noise_sd, dtype=float), (w.shape[1],))
    if not np.all(np.isfinite(s) & (s >= 0)):
        raise ValueError("noise_sd must be finite and non-negative.")
    ws = w * s
    se = np.sqrt(np.sum(ws * ws, axis=1))
    if not np.all(se > 0):
        raise ValueError("a query has standard error 0 (no weight on a noisy key): drop it.")
    g = np.random.default_rng(seed).standard_normal((w.shape[1], int(n_boot)))
    t_max = np.max(np.abs(ws @ g) / se[:, None], axis=0)
    return float(np.quantile(t_max, level))


def curve_band(queries: ArrayLike, keys: ArrayLike, values: ArrayLike, *, bandwidth: Width,
               level: float = 0.95, kind: str = "pointwise", variance: str = "constant",
               variance_bandwidth: Width | None = None, n_boot: int = 2000, seed: int = 0,
               kernel: str | Kernel = "gaussian", estimator: str = "nadaraya_watson") -> Band:
    """Compute a pointwise or simultaneous band, with constant or local noise variance.

    Array types: numpy; returns a Band of float64 numpy arrays.

    ``se(q)^2 = sum_i w_i(q)^2 sigma_eps^2(x_i)``, with ``sigma_eps^2`` the plug-in
    :func:`nwlib.smoother.noise_variance` (``variance="constant"``) or
    :func:`local_noise_variance` at the keys (``variance="local"``). The multiplier is
    the normal quantile (``"pointwise"``), :func:`bonferroni_critical_value` over the
    ``m`` queries, or :func:`sup_t_critical_value` (``"sup-t"``). The band covers the
    smoothed truth; to cover the truth, pass an undersmoothed width.

    Parameters
    ----------
    queries : numpy.typing.ArrayLike, shape (m,) or (m, d)
        Where to estimate; a simultaneous band covers all of them at once.
    keys : numpy.typing.ArrayLike, shape (n,) or (n, d)
        The data points.
    values : numpy.typing.ArrayLike, shape (n,)
        The responses.
    bandwidth : float or numpy.typing.ArrayLike of shape (d,)
        The kernel width ``h > 0``.
    level : float
        Nominal coverage, in (0, 1).
    kind : {"pointwise", "bonferroni", "sup-t"}
        Which multiplier.
    variance : {"constant", "local"}
        One noise variance for every key, or :func:`local_noise_variance`.
    variance_bandwidth : float or numpy.typing.ArrayLike of shape (d,), optional
        Passed to :func:`local_noise_variance`.
    n_boot : int
        Draws for ``"sup-t"``.
    seed : int
        Seed for ``"sup-t"``.
    kernel : str or Kernel
        A name from ``KERNELS`` or a :class:`Kernel`.
    estimator : {"nadaraya_watson", "local_linear"}
        The linear smoother.

    Returns
    -------
    Band
        The fit, the band, the standard errors and the multiplier.

    Examples
    --------
    >>> from nwlib.course import running_example
    >>> d = running_example()
    >>> point = curve_band(d.x_query, d.x_train, d.y_train, bandwidth=0.4)
    >>> whole = curve_band(d.x_query, d.x_train, d.y_train, bandwidth=0.4, kind="sup-t")
    >>> bool(whole.critical_value > point.critical_value)
    True
    """
    level = check_level(level)
    if kind not in BAND_KINDS:
        raise ValueError(f"kind={kind!r}: pass one of {BAND_KINDS}.")
    if variance not in ("constant", "local"):
        raise ValueError(f"variance={variance!r}: pass 'constant' or 'local'.")
    y = np.asarray(values, dtype=float)
    w_keys = smoother_matrix(keys, keys, kernel=kernel, bandwidth=bandwidth, estimator=estimator)
    w_q = smoother_matrix(queries, keys, kernel=kernel, bandwidth=bandwidth, estimator=estimator)
    if variance == "constant":
        noise_var = np.full(w_keys.shape[0], noise_variance(w_keys, y))
    else:
        g = bandwidth if variance_bandwidth is None else variance_bandwidth
        smooth = smoother_matrix(keys, keys, kernel=kernel, bandwidth=g)
        noise_var = smooth @ _scaled_squared_residuals(w_keys, y)
    se = np.sqrt((w_q * w_q) @ noise_var)
    if kind == "pointwise":
        c = NormalDist().inv_cdf(0.5 + level / 2)
    elif kind == "bonferroni":
        c = bonferroni_critical_value(level, w_q.shape[0])
    else:
        c = sup_t_critical_value(w_q, np.sqrt(noise_var), level, n_boot=n_boot, seed=seed)
    fit = w_q @ y
    return Band(fit, fit - c * se, fit + c * se, level, kind, se, float(c))


def undersmoothed_bandwidth(*, bandwidth: float, n: int, exponent: float = 1 / 20) -> float:
    """Shrink a width by ``n^(-exponent)`` so the band covers the truth, not the smoothed truth.

    Array types: none; returns a Python float.

    A width of the error-optimal order ``n^(-1/5)`` leaves a bias of the order of the
    band's half-width. Multiplying it by ``n^(-1/20)`` gives the order ``n^(-1/4)``:
    the bias ``O(h^2)`` then shrinks faster than the standard error ``O((n h)^(-1/2))``,
    their ratio like ``n^(-1/8)``, at the price of a wider band.

    Parameters
    ----------
    bandwidth : float
        The width chosen for the fit (by leave-one-out, GCV or a plug-in rule).
    n : int
        The number of keys.
    exponent : float
        The extra decay; positive.

    Returns
    -------
    float
        ``bandwidth * n ** (-exponent)``.

    Examples
    --------
    >>> round(undersmoothed_bandwidth(bandwidth=0.4, n=200), 3)
    0.307
    """
    if not (math.isfinite(bandwidth) and bandwidth > 0):
        raise ValueError(f"bandwidth={bandwidth!r}: pass a positive width.")
    if int(n) != n or n < 1:
        raise ValueError(f"n={n!r}: pass the number of keys, a positive whole number.")
    if not exponent > 0:
        raise ValueError(f"exponent={exponent!r}: pass a positive exponent.")
    return float(bandwidth) * float(n) ** (-exponent)
