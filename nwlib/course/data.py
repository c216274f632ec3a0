"""The course's data sets, seeded so every run prints the same numbers."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

__all__ = [
    "random_unit_vectors",
    "target_function",
    "RegressionData",
    "running_example",
    "toy_classification",
    "uneven_example",
    "uneven_target",
    "irrelevant_coordinate_example",
]

#: Seed of the running example; every chapter uses it, so their numbers agree.
SEED = 7


def target_function(x: np.ndarray) -> np.ndarray:
    """Evaluate the running example's true regression function ``f(x) = 2 sin(x) + x``.

    Array types: numpy (array-likes and CPU tensors are converted); returns float64.

    Parameters
    ----------
    x : numpy.typing.ArrayLike
        Inputs.

    Returns
    -------
    numpy.ndarray
        ``f(x)``, float64, the shape of ``x``.

    Examples
    --------
    >>> target_function(np.array([0.0]))
    array([0.])
    """
    x = np.asarray(x, dtype=float)
    return 2 * np.sin(x) + x


@dataclass(frozen=True)
class RegressionData:
    """Training keys and values, and the query grid with the true function on it.

    Array types: none; holds float64 numpy arrays.

    Parameters
    ----------
    x_train : numpy.ndarray, shape (n,)
        The keys.
    y_train : numpy.ndarray, shape (n,)
        The noisy values.
    x_query : numpy.ndarray, shape (m,)
        The query grid.
    y_true : numpy.ndarray, shape (m,)
        The true function on the grid.

    """

    x_train: np.ndarray
    y_train: np.ndarray
    x_query: np.ndarray
    y_true: np.ndarray


def running_example(n: int = 40, *, noise: float = 1.0, seed: int = SEED) -> RegressionData:
    """Draw the course's running example.

    Array types: none; returns float64 numpy arrays.

    ``n`` inputs drawn uniformly from [0, 5] and sorted, ``y = 2 sin(x) + x + eps``
    with ``eps ~ N(0, noise**2)``, and the queries 0, 0.1, ..., 4.9.

    Parameters
    ----------
    n : int
        Number of keys.
    noise : float
        Standard deviation of the Gaussian noise.
    seed : int
        Seed of the draw.

    Returns
    -------
    RegressionData
        Sorted keys in [0, 5] with noisy values, and the query grid with the truth.

    Examples
    --------
    >>> data = running_example()
    >>> data.x_train.shape, data.x_query[:3].tolist()
    ((40,), [0.0, 0.1, 0.2])
    """
    if int(n) != n or n < 1:
        raise ValueError(f"n={n!r}: pass a positive whole number of training points.")
    if noise < 0:
        raise ValueError(f"noise={noise!r}: a standard deviation cannot be negative.")
    rng = np.random.default_rng(seed)
    x = np.sort(rng.uniform(0.0, 5.0, int(n)))
    y = target_function(x) + noise * rng.standard_normal(int(n))
    x_query = np.arange(50) / 10.0  # exactly 0.0, 0.1, ..., 4.9
    return RegressionData(x, y, x_query, target_function(x_query))


def toy_classification(
    n_per_class: int = 60, *, seed: int = SEED
) -> tuple[np.ndarray, np.ndarray]:
    """Draw a small 2-D, three-class data set: two interleaved arcs and a blob.

    Array types: none; returns float64 points and int64 labels (numpy).

    Parameters
    ----------
    n_per_class : int
        Number of points of each class.
    seed : int
        Seed of the draw.

    Returns
    -------
    points : (3 * n_per_class, 2) array
    labels : (3 * n_per_class,) int array with classes 0, 1, 2

    Examples
    --------
    >>> X, y = toy_classification(10)
    >>> X.shape, sorted(set(y.tolist()))
    ((30, 2), [0, 1, 2])
    """
    if int(n_per_class) != n_per_class or n_per_class < 1:
        raise ValueError(f"n_per_class={n_per_class!r}: pass a positive whole number.")
    rng = np.random.default_rng(seed)
    m = int(n_per_class)
    t = rng.uniform(0, np.pi, m)
    upper = np.column_stack([np.cos(t), np.sin(t)])
    t = rng.uniform(0, np.pi, m)
    lower = np.column_stack([1 - np.cos(t), 0.5 - np.sin(t)])
    blob = rng.normal([2.6, 1.2], 0.3, size=(m, 2))
    points = np.vstack([upper, lower, blob]) + 0.12 * rng.standard_normal((3 * m, 2))
    labels = np.repeat(np.arange(3), m)
    return points, labels


def uneven_target(x: np.ndarray) -> np.ndarray:
    """Evaluate the true function of :func:`uneven_example`: ``x + 1.5 sin(8 / (x + 1))``.

    Array types: numpy (array-likes and CPU tensors are converted); returns float64.

    It bends sharply on [0, 2] (a deep dip near 0.7) and is nearly straight beyond.

    Parameters
    ----------
    x : numpy.typing.ArrayLike
        Inputs.

    Returns
    -------
    numpy.ndarray
        The true function at ``x``, float64.

    Examples
    --------
    >>> uneven_target(np.array([7.0])).round(4)
    array([8.2622])
    """
    x = np.asarray(x, dtype=float)
    return x + 1.5 * np.sin(8.0 / (x + 1.0))


def uneven_example(n: int = 100, *, noise: float = 0.3, seed: int = SEED) -> RegressionData:
    """Draw keys of very uneven density: 80% of them in [0, 2], the rest spread over [2, 5].

    Array types: none; returns float64 numpy arrays.

    The true function :func:`uneven_target` bends sharply where the keys are
    crowded and is nearly straight where they are sparse, so one global width
    cannot suit both ends. ``y = uneven_target(x) + eps``, ``eps ~ N(0, noise**2)``;
    the queries are those of :func:`running_example`.

    Parameters
    ----------
    n : int
        Number of keys.
    noise : float
        Standard deviation of the Gaussian noise.
    seed : int
        Seed of the draw.

    Returns
    -------
    RegressionData
        The keys, noisy values, query grid and truth.

    Examples
    --------
    >>> data = uneven_example()
    >>> int((data.x_train < 2).sum()), data.x_train.size
    (80, 100)
    """
    if int(n) != n or n < 1:
        raise ValueError(f"n={n!r}: pass a positive whole number of training points.")
    if noise < 0:
        raise ValueError(f"noise={noise!r}: a standard deviation cannot be negative.")
    rng = np.random.default_rng(seed)
    crowded = int(round(0.8 * int(n)))
    x = np.sort(np.concatenate([rng.uniform(0.0, 2.0, crowded),
                                rng.uniform(2.0, 5.0, int(n) - crowded)]))
    y = uneven_target(x) + noise * rng.standard_normal(int(n))
    x_query = np.arange(50) / 10.0
    return RegressionData(x, y, x_query, uneven_target(x_query))

def irrelevant_coordinate_example(
    n: int = 150, *, noise: float = 0.5, seed: int = SEED
) -> tuple[np.ndarray, np.ndarray]:
    """Two input coordinates, of which only the first matters.

    Array types: none; returns float64 numpy arrays.

    ``x`` is uniform on [0, 5]^2 and ``y = 2 sin(x_1) + x_1 + eps`` with
    ``eps ~ N(0, noise**2)``: the second coordinate carries no information.

    Parameters
    ----------
    n : int
        Number of points.
    noise : float
        Standard deviation of the Gaussian noise.
    seed : int
        Seed of the draw.

    Returns
    -------
    x : numpy.ndarray, shape (n, 2)
        The inputs.
    y : numpy.ndarray, shape (n,)
        The noisy responses, which depend on ``x[:, 0]`` only.

    Examples
    --------
    >>> x, y = irrelevant_coordinate_example(10)
    >>> x.shape, y.shape
    ((10, 2), (10,))
    """
    if int(n) != n or n < 1:
        raise ValueError(f"n={n!r}: pass a positive whole number of points.")
    if noise < 0:
        raise ValueError(f"noise={noise!r}: a standard deviation cannot be negative.")
    rng = np.random.default_rng(seed)
    x = rng.uniform(0.0, 5.0, (int(n), 2))
    return x, target_function(x[:, 0]) + noise * rng.standard_normal(int(n))


def random_unit_vectors(n: int, d: int, *, seed: int) -> np.ndarray:
    """``n`` seeded points drawn uniformly on the unit sphere of R^d, shape (n, d).

    Array types: none; returns float64 numpy arrays.

    Parameters
    ----------
    n : int
        Number of points.
    d : int
        Dimension of the space.
    seed : int
        Seed of the draw.

    Returns
    -------
    numpy.ndarray, shape (n, d)
        Rows of norm 1, float64.

    Examples
    --------
    >>> u = random_unit_vectors(4, 3, seed=0)
    >>> np.linalg.norm(u, axis=1).round(12).tolist()
    [1.0, 1.0, 1.0, 1.0]
    """
    if int(n) != n or int(d) != d or n < 1 or d < 1:
        raise ValueError(f"n={n!r}, d={d!r}: pass positive whole numbers.")
    g = np.random.default_rng(seed).standard_normal((int(n), int(d)))
    return g / np.linalg.norm(g, axis=1, keepdims=True)
