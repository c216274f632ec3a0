"""Seeded data sets of the learned-attention chapters."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ..logspace import shifted_exp

__all__ = ["oblique_example", "oblique_target", "TwoNeighbourhoods", "two_neighbourhoods"]

#: The relevant direction of :func:`oblique_example`: 45 degrees in the first two coordinates.
ANGLE = np.pi / 4


def oblique_target(t: np.ndarray) -> np.ndarray:
    """Return the target as a function of the projection ``t = u . x`` on the relevant direction.

    Array types: numpy; returns a numpy array of the input's float dtype (float64 for integers).

    Parameters
    ----------
    t : numpy.typing.ArrayLike
        Projections on the relevant direction.

    Returns
    -------
    numpy.ndarray
        The target at ``t``, float64.

    """
    return np.sin(3.0 * t) + 0.5 * t


def oblique_example(n: int = 300, d: int = 5, *, noise: float = 0.1,
                    seed: int = 0) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Draw inputs in ``[-2, 2]^d`` whose target varies along one oblique direction only.

    Array types: none; returns float64 numpy arrays.

    ``y = sin(3 t) + t / 2 + eps`` with ``t = u . x``, ``u = (cos 45 deg, sin 45 deg, 0, ...)``:
    the direction mixes the first two coordinates, and the other ``d - 2`` carry nothing.

    Parameters
    ----------
    n : int
        Number of points.
    d : int
        Number of input coordinates.
    noise : float
        Standard deviation of the Gaussian noise.
    seed : int
        Seed of the draw.

    Returns
    -------
    x : (n, d), y : (n,), u : (d,) the relevant unit direction.

    Examples
    --------
    >>> x, y, u = oblique_example(10)
    >>> x.shape, y.shape, u.round(3).tolist()
    ((10, 5), (10,), [0.707, 0.707, 0.0, 0.0, 0.0])
    """
    if int(n) != n or n < 1:
        raise ValueError(f"n={n!r}: pass a positive whole number of points.")
    if int(d) != d or d < 2:
        raise ValueError(f"d={d!r}: the oblique direction needs d >= 2 coordinates.")
    rng = np.random.default_rng(seed)
    x = rng.uniform(-2.0, 2.0, (int(n), int(d)))
    u = np.zeros(int(d))
    u[:2] = np.cos(ANGLE), np.sin(ANGLE)
    return x, oblique_target(x @ u) + noise * rng.standard_normal(int(n)), u


@dataclass(frozen=True)
class TwoNeighbourhoods:
    """Sets of tokens on a torus; each query needs two neighbourhoods at once.

    Array types: none; holds float64 numpy arrays.

    Parameters
    ----------
    queries : numpy.ndarray, shape (sets, m, 6)
        Query tokens ``(cos a, sin a, cos b, sin b, 0, 0)``.
    keys : numpy.ndarray, shape (sets, n, 6)
        Key tokens ``(cos a, sin a, cos b, sin b, s, t)``.
    targets : numpy.ndarray, shape (sets, m, 1)
        What each query should output.
    query_angles : numpy.ndarray, shape (sets, m, 2)
        The angles ``(a, b)`` of the queries.
    key_angles : numpy.ndarray, shape (sets, n, 2)
        The angles ``(a, b)`` of the keys.
    concentration : float
        How sharply each neighbourhood is peaked.
    """

    queries: np.ndarray
    keys: np.ndarray
    targets: np.ndarray
    query_angles: np.ndarray
    key_angles: np.ndarray
    concentration: float


def _pool(query_angle: np.ndarray, key_angle: np.ndarray, signal: np.ndarray, kappa: float) -> np.ndarray:
    scores = kappa * np.cos(query_angle[:, :, None] - key_angle[:, None, :])
    w = shifted_exp(scores, axis=2)
    return (w * signal[:, None, :]).sum(axis=2) / w.sum(axis=2)


def two_neighbourhoods(sets: int = 256, n: int = 24, m: int = 8, *, concentration: float = 6.0,
                       seed: int = 0) -> TwoNeighbourhoods:
    """Draw a toy task that one attention head cannot solve and two heads can.

    Array types: none; returns a TwoNeighbourhoods holding float64 numpy arrays.

    Every token has two angles ``a, b``; keys also carry two signals ``s, t``. The
    target of a query is the average of ``s`` over the keys near it in ``a`` plus the
    average of ``t`` over the keys near it in ``b`` (softmax weights
    ``exp(kappa cos(angle difference))``: a Gaussian on the circle, written as a dot
    product of the tokens' ``(cos, sin)`` coordinates). One head has one set of weights
    per query; the target needs two.

    Parameters
    ----------
    sets : int
        Number of token sets.
    n : int
        Keys per set.
    m : int
        Queries per set.
    concentration : float
        How sharply each neighbourhood is peaked.
    seed : int
        Seed of the draw.

    Returns
    -------
    TwoNeighbourhoods
        The tokens, targets and angles.

    Examples
    --------
    >>> task = two_neighbourhoods(sets=3, n=5, m=2)
    >>> task.queries.shape, task.keys.shape, task.targets.shape
    ((3, 2, 6), (3, 5, 6), (3, 2, 1))
    """
    for name, value in (("sets", sets), ("n", n), ("m", m)):
        if int(value) != value or value < 1:
            raise ValueError(f"{name}={value!r}: pass a positive whole number.")
    if not concentration > 0:
        raise ValueError(f"concentration={concentration!r}: pass a positive number.")
    rng = np.random.default_rng(seed)
    qa = rng.uniform(0, 2 * np.pi, (sets, m, 2))
    ka = rng.uniform(0, 2 * np.pi, (sets, n, 2))
    signals = rng.standard_normal((sets, n, 2))

    def circle(angles: np.ndarray) -> np.ndarray:
        return np.concatenate([np.cos(angles[..., :1]), np.sin(angles[..., :1]),
                               np.cos(angles[..., 1:]), np.sin(angles[..., 1:])], axis=-1)

    queries = np.concatenate([circle(qa), np.zeros((sets, m, 2))], axis=-1)
    keys = np.concatenate([circle(ka), signals], axis=-1)
    target = (_pool(qa[..., 0], ka[..., 0], signals[..., 0], concentration)
              + _pool(qa[..., 1], ka[..., 1], signals[..., 1], concentration))
    return TwoNeighbourhoods(queries, keys, target[..., None], qa, ka, float(concentration))
