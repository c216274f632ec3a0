"""Class-probability maps of 2-D classifiers: evaluate on a grid, then draw.

A map colours each grid cell by the mixture of the class colours weighted by
the class probabilities, so confident regions show a pure colour and uncertain
ones a blend; the decision boundaries (where the most probable class changes)
are drawn as lines, and the training points on top.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np

from ..arrays import ArrayLike, Width
from ..classify import class_probabilities
from ..kernels import Kernel
from .plotting import use_axes

if TYPE_CHECKING:
    from matplotlib.axes import Axes

__all__ = ["ProbabilityMap", "probability_map", "plot_probability_map", "plot_class_panel"]

#: One colour per class (colour-blind friendly: blue, orange, green, purple).
CLASS_COLOURS = np.array(
    [[0.00, 0.45, 0.70], [0.90, 0.62, 0.00], [0.00, 0.62, 0.45], [0.80, 0.47, 0.65]]
)


@dataclass(frozen=True)
class ProbabilityMap:
    """Class probabilities on a regular grid.

    Array types: none; holds float64 numpy arrays.

    ``probs[i, j]`` holds the probabilities at the point ``(xs[j], ys[i])``.

    Parameters
    ----------
    xs : numpy.ndarray, shape (r,)
        Grid coordinates along the first axis.
    ys : numpy.ndarray, shape (r,)
        Grid coordinates along the second axis.
    probs : numpy.ndarray, shape (r, r, c)
        Class probabilities at each grid point.

    """

    xs: np.ndarray  # (nx,)
    ys: np.ndarray  # (ny,)
    probs: np.ndarray  # (ny, nx, c)

    @property
    def decision(self) -> np.ndarray:
        """The most probable class in each cell, shape (ny, nx)."""
        return np.argmax(self.probs, axis=-1)

    @property
    def extent(self) -> tuple[float, float, float, float]:
        """Bounds for ``imshow``."""
        return (self.xs[0], self.xs[-1], self.ys[0], self.ys[-1])


def probability_map(
    keys: ArrayLike,
    labels: ArrayLike,
    *,
    bandwidth: Width,
    kernel: str | Kernel = "gaussian",
    resolution: int = 150,
    margin: float = 0.5,
) -> ProbabilityMap:
    """Nadaraya-Watson class probabilities on a grid covering the labelled keys.

    Array types: numpy (array-likes and CPU tensors are converted); returns float64 numpy arrays (in a
    ProbabilityMap).

    Parameters
    ----------
    keys : array_like, shape (n, 2)
    labels : array_like of int, shape (n,)
    bandwidth : float or array_like of shape (2,)
    kernel : str or Kernel
    resolution : int
        Grid cells along each axis.
    margin : float
        How far the grid extends beyond the keys, in data units.

    Returns
    -------
    ProbabilityMap
        The grid and the class probabilities on it.

    Examples
    --------
    >>> from nwlib.course import toy_classification
    >>> X, y = toy_classification(20)
    >>> pm = probability_map(X, y, bandwidth=0.3, resolution=10)
    >>> pm.probs.shape, bool(np.allclose(pm.probs.sum(axis=-1), 1))
    ((10, 10, 3), True)
    """
    pts = np.asarray(keys, dtype=float)
    if pts.ndim != 2 or pts.shape[1] != 2:
        raise ValueError(f"keys has shape {pts.shape}; a map needs 2-D keys, shape (n, 2).")
    if int(resolution) != resolution or resolution < 2:
        raise ValueError(f"resolution={resolution!r}: pass a whole number of cells >= 2.")
    lo, hi = pts.min(axis=0) - margin, pts.max(axis=0) + margin
    xs = np.linspace(lo[0], hi[0], int(resolution))
    ys = np.linspace(lo[1], hi[1], int(resolution))
    gx, gy = np.meshgrid(xs, ys)
    grid = np.column_stack([gx.ravel(), gy.ravel()])
    probs = class_probabilities(grid, pts, labels, kernel=kernel, bandwidth=bandwidth)
    return ProbabilityMap(xs, ys, probs.reshape(len(ys), len(xs), -1))


#: One marker per class, so points stand out on a background of their own colour.
CLASS_MARKERS = ("o", "s", "^", "D")


def _scatter(ax: Any, points: np.ndarray, labels: np.ndarray) -> None:
    if labels.max() >= len(CLASS_COLOURS):
        raise ValueError(
            f"labels go up to {labels.max()} but only {len(CLASS_COLOURS)} classes have a "
            "colour; these maps are meant for a handful of classes."
        )
    for c in np.unique(labels):
        pts = points[labels == c]
        ax.scatter(pts[:, 0], pts[:, 1], s=20, color=CLASS_COLOURS[c], marker=CLASS_MARKERS[c],
                   edgecolor="black", linewidth=0.6, label=f"class {c}")


def _axes_labels(ax: Any, title: str) -> None:
    ax.set_xlabel("$x_1$")
    ax.set_ylabel("$x_2$")
    ax.set_title(title)


def plot_probability_map(
    pmap: ProbabilityMap, keys: ArrayLike, labels: ArrayLike, *, ax: Axes | None = None, title: str = ""
) -> Any:
    """Draw the blended class colours, the decision boundaries and the labelled keys.

    Array types: numpy (and array-likes); returns the matplotlib Axes.

    Parameters
    ----------
    pmap : ProbabilityMap
        From :func:`probability_map`.
    keys : numpy.typing.ArrayLike, shape (n, 2)
        The labelled points.
    labels : numpy.typing.ArrayLike of int, shape (n,)
        Their classes.
    ax : matplotlib.axes.Axes or None
        The Axes to draw on; a new figure when None.
    title : str
        The Axes title.

    Returns
    -------
    The matplotlib Axes (a new figure's when ``ax`` is None).

    Examples
    --------
    >>> import matplotlib.pyplot as plt
    >>> from nwlib.course import toy_classification
    >>> X, y = toy_classification(20)
    >>> fig, ax = plt.subplots()
    >>> _ = plot_probability_map(probability_map(X, y, bandwidth=0.3, resolution=20), X, y, ax=ax)
    >>> ax.get_xlabel(), len(ax.get_legend().get_texts())
    ('$x_1$', 3)
    >>> plt.close(fig)
    """
    ax = use_axes(ax, figsize=(5.0, 4.0))
    c = pmap.probs.shape[-1]
    # A light tint keeps the points readable on top; blending further towards white
    # where no class dominates makes uncertainty read as pale.
    rgb = pmap.probs @ CLASS_COLOURS[:c]
    confidence = pmap.probs.max(axis=-1, keepdims=True)
    white = 0.45 + 0.4 * (1 - (confidence - 1 / c) / (1 - 1 / c))
    rgb = (1 - white) * rgb + white
    ax.imshow(rgb, origin="lower", extent=pmap.extent, aspect="auto")
    ax.contour(pmap.xs, pmap.ys, pmap.decision, levels=np.arange(c) + 0.5, colors="black",
               linewidths=1.0)
    _scatter(ax, np.asarray(keys, dtype=float), np.asarray(labels))
    ax.legend(loc="lower left", fontsize="small")
    _axes_labels(ax, title)
    return ax


def plot_class_panel(
    pmap: ProbabilityMap, cls: int, keys: ArrayLike, labels: ArrayLike, *, ax: Axes | None = None
) -> Any:
    r"""Draw ``p(y = cls | x)`` as a heat map (0 to 1) with the labelled keys on top.

    Array types: numpy (and array-likes); returns the matplotlib Axes.

    Parameters
    ----------
    pmap : ProbabilityMap
        From :func:`probability_map`.
    cls : int
        The class to show.
    keys : numpy.typing.ArrayLike, shape (n, 2)
        The labelled points.
    labels : numpy.typing.ArrayLike of int, shape (n,)
        Their classes.
    ax : matplotlib.axes.Axes or None
        The Axes to draw on; a new figure when None.

    Returns
    -------
    The matplotlib Axes; its heat map, for ``fig.colorbar``, is ``ax.images[0]``.

    Examples
    --------
    >>> import matplotlib.pyplot as plt
    >>> from nwlib.course import toy_classification
    >>> X, y = toy_classification(20)
    >>> fig, ax = plt.subplots()
    >>> ax = plot_class_panel(probability_map(X, y, bandwidth=0.3, resolution=20), 1, X, y, ax=ax)
    >>> ax.images[0].get_clim(), ax.get_title()
    ((0.0, 1.0), '$p(y=1 \\mid x)$')
    >>> plt.close(fig)
    """
    if not 0 <= cls < pmap.probs.shape[-1]:
        raise ValueError(f"cls={cls!r}: pass a class index in 0..{pmap.probs.shape[-1] - 1}.")
    import matplotlib
    from matplotlib.colors import ListedColormap

    # Light to dark grey, never white or black, so the coloured points stay visible.
    greys = ListedColormap(matplotlib.colormaps["gray_r"](np.linspace(0.08, 0.8, 256)))
    ax = use_axes(ax, figsize=(5.0, 4.0))
    ax.imshow(pmap.probs[..., cls], origin="lower", extent=pmap.extent, aspect="auto",
              cmap=greys, vmin=0.0, vmax=1.0)
    _scatter(ax, np.asarray(keys, dtype=float), np.asarray(labels))
    _axes_labels(ax, f"$p(y={cls} \\mid x)$")
    return ax
