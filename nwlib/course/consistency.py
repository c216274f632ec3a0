"""How fast Nadaraya-Watson converges: the width and error rates, and a simulation.

With width h, the estimate's bias is of order h**2 and its variance of order
1 / (n h**d) (Mack and Silverman 1982). Balancing the squared bias h**4 against
the variance gives h ~ n**(-1/(d+4)) and a mean squared error ~ n**(-4/(d+4)).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ..pooling import attention_weights

__all__ = ["RateSimulation", "rate_exponents", "simulate_rate", "loglog_slope"]


def rate_exponents(d: int) -> tuple[float, float]:
    """Exponents (a, b) of the optimal width h ~ n**a and of the MSE ~ n**b in d dimensions.

    Array types: none; returns Python floats.

    >>> rate_exponents(1)
    (-0.2, -0.8)
    """
    if int(d) != d or d < 1:
        raise ValueError(f"d={d!r}: the dimension must be a positive whole number.")
    return -1.0 / (d + 4), -4.0 / (d + 4)


def loglog_slope(ns: np.ndarray, errors: np.ndarray) -> float:
    """Slope of the least-squares line through (log n, log error).

    Array types: numpy (array-likes and CPU tensors are converted); returns a Python float.

    >>> round(loglog_slope([10, 100, 1000], [1.0, 0.1, 0.01]), 6)
    -1.0
    """
    ns, errors = np.asarray(ns, dtype=float), np.asarray(errors, dtype=float)
    if ns.shape != errors.shape or ns.ndim != 1 or ns.size < 2:
        raise ValueError("ns and errors must be 1-D arrays of the same length, at least 2.")
    if np.any(ns <= 0) or np.any(errors <= 0):
        raise ValueError("ns and errors must be positive to take their logarithms.")
    return float(np.polyfit(np.log(ns), np.log(errors), 1)[0])


@dataclass(frozen=True)
class RateSimulation:
    """Result of :func:`simulate_rate`.

    Array types: none; holds integer sample sizes and float64 widths and errors (numpy).

    Attributes
    ----------
    ns : ndarray, shape (k,)
        Sample sizes.
    widths : ndarray, shape (k,)
        The width used at each n.
    mse : ndarray, shape (k, reps)
        Mean squared error at the queries, for each sample size and repetition.
    """

    ns: np.ndarray
    widths: np.ndarray
    mse: np.ndarray

    @property
    def slope(self) -> float:
        """Fitted log-log slope of the mean MSE against n."""
        return loglog_slope(self.ns, self.mse.mean(axis=1))

    def bootstrap_se(self, boots: int = 200, seed: int = 0) -> float:
        """Estimate the standard error of :attr:`slope` by resampling the repetitions (seeded)."""
        rng = np.random.default_rng(seed)
        reps = self.mse.shape[1]
        draws = [
            loglog_slope(self.ns, self.mse[:, rng.integers(0, reps, reps)].mean(axis=1))
            for _ in range(boots)
        ]
        return float(np.std(draws))


def _target(x: np.ndarray) -> np.ndarray:
    return np.sin(2.0 * x).sum(axis=1)


def simulate_rate(
    ns: list[int] | np.ndarray,
    d: int,
    *,
    width_scale: float = 0.6,
    reps: int = 20,
    n_queries: int = 50,
    noise: float = 0.5,
    seed: int = 0,
) -> RateSimulation:
    """Mean squared error of Gaussian Nadaraya-Watson with h = width_scale * n**(-1/(d+4)).

    Array types: none (sample sizes as a list or numpy array); returns float64 numpy arrays.

    The target is ``f(x) = sum_j sin(2 x_j)``, the inputs are uniform on
    ``[-1, 2]**d`` and the queries uniform on ``[0, 1]**d``: a margin of many
    widths, so the boundary (where the bias is of order h, not h**2) plays no part.
    Each repetition draws one sample of the largest size and uses its first n
    points for every n, so the curves are smooth in n. The noise is integrated out
    exactly: given the inputs, the estimate ``sum_i w_i y_i`` has squared bias
    ``(sum_i w_i f(x_i) - f(q))**2`` and variance ``noise**2 * sum_i w_i**2``.

    Returns
    -------
    RateSimulation

    Examples
    --------
    >>> sim = simulate_rate([100, 400], 1, reps=3)
    >>> sim.mse.shape, bool(sim.mse[1].mean() < sim.mse[0].mean())
    ((2, 3), True)
    """
    ns = np.asarray(ns)
    if ns.ndim != 1 or ns.size < 2 or np.any(ns < 2) or np.any(np.diff(ns) <= 0):
        raise ValueError("ns must be an increasing list of at least two sample sizes >= 2.")
    a, _ = rate_exponents(d)
    if width_scale <= 0 or noise < 0 or int(reps) != reps or reps < 1 or n_queries < 1:
        raise ValueError("width_scale must be > 0, noise >= 0, reps and n_queries >= 1.")
    rng = np.random.default_rng(seed)
    queries = rng.uniform(0.0, 1.0, (int(n_queries), d))
    f_q = _target(queries)
    widths = width_scale * ns.astype(float) ** a
    mse = np.empty((ns.size, int(reps)))
    for r in range(int(reps)):
        x = rng.uniform(-1.0, 2.0, (int(ns[-1]), d))
        fx = _target(x)
        for i, (n, h) in enumerate(zip(ns, widths)):
            w = attention_weights(queries, x[:n], bandwidth=h)
            sq_bias = (w @ fx[:n] - f_q) ** 2
            variance = noise**2 * np.sum(w * w, axis=1)
            mse[i, r] = np.mean(sq_bias + variance)
    return RateSimulation(ns, widths, mse)
