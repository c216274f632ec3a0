"""A simulation of how the error of Nadaraya-Watson falls as the sample grows.

The width at each sample size comes from a rule the caller supplies (in the
course, the learner's own), times a grid of factors around it, so that the
simulation shows both the error of the rule and the width that would have been
best at each size.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from ..pooling import attention_weights

__all__ = ["RateSimulation", "simulate_rate"]


@dataclass(frozen=True)
class RateSimulation:
    """Result of :func:`simulate_rate`.

    Array types: none; holds integer sample sizes and float64 widths and errors (numpy).

    Parameters
    ----------
    ns : ndarray, shape (k,)
        Sample sizes.
    factors : ndarray, shape (f,)
        Multiples of the rule's width that were tried at every n.
    widths : ndarray, shape (k, f)
        The widths used: ``factors[j] * width_rule(ns[i], d)``.
    mse : ndarray, shape (k, f, reps)
        Mean squared error at the queries, per sample size, width and repetition.
    """

    ns: np.ndarray
    factors: np.ndarray
    widths: np.ndarray
    mse: np.ndarray


def _target(x: np.ndarray) -> np.ndarray:
    return np.sin(2.0 * x).sum(axis=1)


def _rule_widths(width_rule: Callable[[int, int], float], ns: np.ndarray, d: int) -> np.ndarray:
    widths = []
    for n in ns:
        h = np.asarray(width_rule(int(n), d), dtype=float)
        if h.size != 1 or not np.isfinite(h) or h <= 0:
            raise ValueError(f"width_rule({int(n)}, {d}) returned {h!r}: it must return one "
                             "positive, finite width.")
        widths.append(float(h.reshape(())))
    return np.array(widths)


def simulate_rate(
    ns: list[int] | np.ndarray,
    d: int,
    width_rule: Callable[[int, int], float],
    *,
    factors: list[float] | np.ndarray = (1.0,),
    reps: int = 20,
    n_queries: int = 50,
    noise: float = 0.5,
    seed: int = 0,
) -> RateSimulation:
    """Mean squared error of Gaussian Nadaraya-Watson at widths ``factor * width_rule(n, d)``.

    Array types: none (sample sizes as a list or numpy array); returns float64 numpy arrays.

    The target is ``f(x) = sum_j sin(2 x_j)``, the inputs are uniform on
    ``[-1, 2]**d`` and the queries uniform on ``[0, 1]**d``: a margin of many
    widths, so the boundary plays no part. Each repetition draws one sample of the
    largest size and uses its first n points for every n and every width, so the
    curves are smooth in n and in the width. The noise is integrated out exactly:
    given the inputs, the estimate ``sum_i w_i y_i`` has squared bias
    ``(sum_i w_i f(x_i) - f(q))**2`` and variance ``noise**2 * sum_i w_i**2``.

    Parameters
    ----------
    ns : increasing sequence of int
        Sample sizes, at least two.
    d : int
        Dimension of the inputs.
    width_rule : callable
        ``width_rule(n, d)`` returns the width for a sample of size n.
    factors : sequence of float
        Multiples of the rule's width to try at every n (1.0 is the rule itself).
    reps : int
        Repetitions per sample size.
    n_queries : int
        Number of fixed query points.
    noise : float
        Standard deviation of the noise on the responses.
    seed : int
        Seed of every random draw.

    Returns
    -------
    RateSimulation

    Examples
    --------
    >>> sim = simulate_rate([100, 400], 1, lambda n, d: 0.3, factors=[0.5, 1.0], reps=3)
    >>> sim.mse.shape, sim.widths.tolist()
    ((2, 2, 3), [[0.15, 0.3], [0.15, 0.3]])
    """
    ns = np.asarray(ns)
    if ns.ndim != 1 or ns.size < 2 or np.any(ns < 2) or np.any(np.diff(ns) <= 0):
        raise ValueError(f"ns={ns.tolist()!r}: pass an increasing list of at least two sample "
                         "sizes >= 2.")
    if int(d) != d or d < 1:
        raise ValueError(f"d={d!r}: the dimension must be a positive whole number.")
    if not callable(width_rule):
        raise TypeError(f"width_rule={width_rule!r}: pass a function width_rule(n, d) -> width.")
    factors = np.asarray(factors, dtype=float)
    if factors.ndim != 1 or factors.size < 1 or np.any(~np.isfinite(factors)) or np.any(factors <= 0):
        raise ValueError(f"factors={factors.tolist()!r}: pass positive, finite multiples.")
    if noise < 0 or int(reps) != reps or reps < 1 or int(n_queries) != n_queries or n_queries < 1:
        raise ValueError("noise must be >= 0; reps and n_queries whole numbers >= 1.")
    widths = _rule_widths(width_rule, ns, int(d))[:, None] * factors[None, :]
    rng = np.random.default_rng(seed)
    queries = rng.uniform(0.0, 1.0, (int(n_queries), int(d)))
    f_q = _target(queries)
    # In one dimension, flat arrays take the library's sorted-key route: (n, 1) arrays
    # currently take the general one, about 30 times slower at n = 8000.
    flat = (lambda a: a[:, 0]) if d == 1 else (lambda a: a)
    mse = np.empty((ns.size, factors.size, int(reps)))
    for r in range(int(reps)):
        x = rng.uniform(-1.0, 2.0, (int(ns[-1]), int(d)))
        fx = _target(x)
        for i, n in enumerate(ns):
            for j, h in enumerate(widths[i]):
                w = attention_weights(flat(queries), flat(x[:n]), bandwidth=h)
                sq_bias = (w @ fx[:n] - f_q) ** 2
                variance = noise**2 * np.sum(w * w, axis=1)
                mse[i, j, r] = np.mean(sq_bias + variance)
    return RateSimulation(ns, factors, widths, mse)
