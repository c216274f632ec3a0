"""Locally adaptive widths: one width per key, wider where the keys are sparse.

Silverman (1986, section 5.3) builds an *adaptive kernel estimate* in two steps:
a pilot density estimate ``p`` with a fixed width ``h``, then a local factor
``lambda_j = (p(x_j) / g) ** (-alpha)`` for every sample, where ``g`` is the
geometric mean of the ``p(x_j)`` and ``alpha`` in [0, 1] sets how strongly the
widths adapt (``alpha = 1/2`` is Abramson's choice). Key ``j`` then gets the
width ``h_j = h * lambda_j``.

Pooling with per-key widths uses the weights of the adaptive density estimate:
``K_j(q) = k(||q - x_j|| / h_j) / h_j**d``, normalised over the keys. The
``1 / h_j**d`` factor keeps each kernel a density of mass 1, so a wide kernel
does not outvote a narrow one just by being wide; with equal widths it cancels
and the result is :func:`nadaraya_watson` exactly.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from .arrays import ArrayLike
from .blocking import check_result_fits
from .density import parzen_density
from .kernels import Kernel, get_kernel
from .pooling import EMPTY_CHOICES, blocked_attention
from .scores import weight_scores
from .validation import check_choice, prepare

__all__ = ["adaptive_bandwidths", "attention_weights_per_key", "nadaraya_watson_per_key"]


def adaptive_bandwidths(keys: ArrayLike, *, bandwidth: float, kernel: str | Kernel = "gaussian",
                        alpha: float = 0.5) -> np.ndarray:
    """Per-key widths ``h_j = h * (p(x_j) / g) ** (-alpha)`` from a pilot density.

    Array types: numpy (a torch tensor raises TypeError); returns the input's float dtype (float32 stays
    float32, integers become float64).

    Parameters
    ----------
    keys : array_like, shape (n,) or (n, d)
    bandwidth : float
        The global width ``h``, used for the pilot estimate and as the scale.
    kernel : str or Kernel
        Kernel of the pilot density (not ``"constant"``).
    alpha : float in [0, 1]
        Sensitivity: 0 gives every key the width ``h``; 1/2 is the usual choice.

    Returns
    -------
    widths : ndarray, shape (n,)
        Their geometric mean is ``bandwidth``.

    Examples
    --------
    >>> h = adaptive_bandwidths([0.0, 0.1, 0.2, 3.0], bandwidth=0.5)
    >>> h.round(3).tolist()  # the isolated key at 3.0 gets the widest kernel
    [0.439, 0.434, 0.439, 0.748]
    """
    if isinstance(bandwidth, str) or np.ndim(bandwidth) != 0:
        raise TypeError(f"bandwidth={bandwidth!r}: pass one positive number (the global width).")
    if not (isinstance(alpha, (int, float)) and 0 <= alpha <= 1):
        raise ValueError(f"alpha={alpha!r}: pass a sensitivity between 0 and 1 (0.5 is usual).")
    x = prepare(keys, keys, None, bandwidth).keys
    if not isinstance(x, np.ndarray):
        raise TypeError("adaptive_bandwidths works on numpy arrays; pass keys.numpy().")
    # Every key lies within reach of itself, so the pilot is positive even for compact kernels.
    pilot = parzen_density(x, x, kernel=kernel, bandwidth=bandwidth)
    log_pilot = np.log(pilot)
    return float(bandwidth) * np.exp(-alpha * (log_pilot - log_pilot.mean()))


def _check_widths(widths: Any, n: int) -> np.ndarray:
    if isinstance(widths, str):
        raise TypeError(f"bandwidths={widths!r} is a string; pass one positive width per key.")
    h = np.asarray(widths, dtype=float)
    if h.ndim == 0:
        h = np.full(n, float(h))
    if h.shape != (n,):
        raise ValueError(
            f"bandwidths has shape {h.shape} but there are {n} keys; pass one width per key "
            "(e.g. from adaptive_bandwidths(keys, bandwidth=...))."
        )
    if not np.all(np.isfinite(h) & (h > 0)):
        raise ValueError("bandwidths must be finite and positive; every key needs a width > 0.")
    return h


def _per_key(queries: Any, keys: Any, values: Any, kernel: str | Kernel, bandwidths: Any,
             empty: str) -> tuple[np.ndarray, Any]:
    """Weights (m, n), or pooled values (m, c) when ``values`` is given, and the inputs."""
    check_choice(empty, "empty", EMPTY_CHOICES)
    k = get_kernel(kernel)
    p = prepare(queries, keys, values, 1.0)
    if p.is_torch:
        raise TypeError("per-key widths work on numpy arrays; pass tensors as .numpy().")
    n, d = p.keys.shape
    if values is None:
        check_result_fits(
            (p.queries.shape[0], n), p.keys.itemsize, "attention_weights_per_key",
            "For predictions call nadaraya_watson_per_key, which never holds the matrix; "
            "for weights, pass the queries a block at a time.",
        )
    # The data's precision, as everywhere: float32 keys give float32 weights.
    h = _check_widths(bandwidths, n).astype(p.keys.dtype)
    log_hd = d * np.log(h)[None, :]

    def scores_of(q: np.ndarray) -> np.ndarray:
        with np.errstate(over="ignore", under="ignore"):
            diff = (q[:, None, :] - p.keys[None, :, :]) / h[None, :, None]
            # log of k(u_j) / h_j**d: the density weight of each key, in log space.
            scores = k.log_profile(np.sum(diff * diff, axis=-1), p.xp) - log_hd
        return weight_scores(scores, q, p.keys, h[None, :, None], k, p.xp)

    widths = f"per-key widths up to {h.max():g}"
    return blocked_attention(p, scores_of, k, empty, widths, pool=values is not None), p


def attention_weights_per_key(queries: ArrayLike, keys: ArrayLike, *, bandwidths: ArrayLike,
                              kernel: str | Kernel = "gaussian",
                              empty: str = "raise") -> np.ndarray:
    """Attention weights when key ``j`` has its own width ``h_j``.

    Array types: numpy (a torch tensor raises TypeError); returns the input's float dtype (float32
    stays float32, integers become float64).

    The weight of key ``j`` for query ``q`` is proportional to
    ``k(||q - x_j|| / h_j) / h_j**d``; each row sums to 1. Scores are shifted by
    their row maximum before exponentiating, so very narrow widths stay finite.

    Parameters
    ----------
    queries : array_like, shape (m,) or (m, d)
    keys : array_like, shape (n,) or (n, d)
    bandwidths : array_like, shape (n,), or a float for one shared width
    kernel : str or Kernel
    empty : {"raise", "nan"}
        As in :func:`nwlib.attention_weights`.

    Returns
    -------
    weights : ndarray, shape (m, n)

    Examples
    --------
    >>> w = attention_weights_per_key([1.0], [0.0, 2.0], bandwidths=[0.5, 2.0])
    >>> w.round(3).tolist()  # equally far, but only the wide kernel reaches that far
    [[0.38, 0.62]]
    """
    return _per_key(queries, keys, None, kernel, bandwidths, empty)[0]


def nadaraya_watson_per_key(queries: ArrayLike, keys: ArrayLike, values: ArrayLike, *, bandwidths: ArrayLike,
                            kernel: str | Kernel = "gaussian",
                            empty: str = "raise") -> np.ndarray:
    """Nadaraya-Watson estimate with one width per key (see :func:`adaptive_bandwidths`).

    Array types: numpy (a torch tensor raises TypeError); returns the input's float dtype (float32
    stays float32, integers become float64).

    Parameters
    ----------
    queries : numpy.typing.ArrayLike, shape (m,) or (m, d)
        Where to estimate.
    keys : numpy.typing.ArrayLike, shape (n,) or (n, d)
        The data points the queries attend to.
    values : numpy.typing.ArrayLike, shape (n,) or (n, c)
        The value (response) of each key.
    bandwidths : numpy.typing.ArrayLike, shape (n,)
        One width ``> 0`` per key.
    kernel : str or Kernel
        A name from ``KERNELS`` or a :class:`Kernel`.
    empty : {"raise", "nan"}
        What a query no key reaches gets: an error, or NaN.

    Returns
    -------
    predictions : ndarray, shape (m,) for values of shape (n,), else (m, c)

    Examples
    --------
    >>> nadaraya_watson_per_key([0.0, 1.0], [0.0, 1.0], [5.0, 7.0], bandwidths=[1e-3, 1e-3])
    array([5., 7.])
    """
    out, p = _per_key(queries, keys, values, kernel, bandwidths, empty)
    return out[:, 0] if p.values_were_1d else out
