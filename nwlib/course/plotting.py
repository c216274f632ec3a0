"""Figures the chapters draw: fits, attention-weight heatmaps, kernel shapes, CV curves.

Every helper draws on an Axes it is given (or a new one) and returns it, so a
chapter composes figures from these pieces and tests can inspect what was drawn.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

import numpy as np

from ..arrays import ArrayLike
from ..kernels import KERNELS, Kernel, get_kernel
from .data import RegressionData

if TYPE_CHECKING:
    from matplotlib.axes import Axes

__all__ = ["plot_fit", "plot_weights", "plot_kernel", "plot_kernel_gallery", "plot_loo_curve",
           "plot_bias_variance", "axes_grid"]


def use_axes(ax: Axes | None = None, figsize: tuple[float, float] = (5.0, 3.5)) -> Any:
    """Return ``ax``, or the Axes of a new figure of ``figsize`` inches when it is None.

    The one axes helper of the course's figures (:mod:`.plotting`, :mod:`.stats_plots`,
    :mod:`.maps`, :mod:`.densityplot`, :mod:`.exercise_plots`): every ``plot_x(...,
    ax=None)`` draws on the Axes it is given or on a new constrained-layout figure.

    Array types: none; returns a matplotlib Axes.

    Parameters
    ----------
    ax : matplotlib.axes.Axes or None
        The Axes to draw on.
    figsize : tuple of float
        Width and height in inches of the new figure.

    Returns
    -------
    matplotlib.axes.Axes
        ``ax`` itself, or the new figure's Axes.
    """
    import matplotlib.pyplot as plt

    if ax is None:
        _, ax = plt.subplots(figsize=figsize, layout="constrained")
    return ax


def axes_grid(count: int, *, ncols: int = 3, size: tuple[float, float] = (4.0, 3.2),
              sharey: bool = True) -> tuple[Any, list[Any]]:
    """Make a figure with ``count`` panels in rows of ``ncols``; unused panels are hidden.

    Array types: none; returns a matplotlib Figure and its Axes.

    Parameters
    ----------
    count : int
        Number of panels.
    ncols : int
        Panels per row.
    size : tuple of float
        Width and height of one panel, in inches.
    sharey : bool
        Share the y-axis between panels.

    Returns
    -------
    fig : matplotlib.figure.Figure
        The figure.
    axes : list of matplotlib.axes.Axes
        The ``count`` visible panels, row by row.

    Examples
    --------
    >>> fig, axes = axes_grid(4, ncols=3)
    >>> len(axes), sum(ax.get_visible() for ax in fig.axes)
    (4, 4)
    """
    import matplotlib.pyplot as plt

    if count < 1:
        raise ValueError(f"count={count!r}: a grid needs at least one panel.")
    ncols = min(ncols, count)
    nrows = -(-count // ncols)
    fig, grid = plt.subplots(nrows, ncols, figsize=(size[0] * ncols, size[1] * nrows),
                             sharey=sharey, squeeze=False, layout="constrained")
    flat = list(grid.ravel())
    for ax in flat[count:]:
        ax.set_visible(False)
    return fig, flat[:count]


def plot_fit(data: RegressionData, fit: ArrayLike = None, *, ax: Axes | None = None,
             label: str = "estimate", title: str | None = None,
             queries: ArrayLike = None, legend: bool = True) -> Any:
    """Training data, the true function and (optionally) an estimate on the queries.

    Array types: numpy (and array-likes); returns the matplotlib Axes.

    Parameters
    ----------
    data : RegressionData
        The keys and values (dots) and the true function on ``data.x_query``.
    fit : array_like, shape (m,), optional
        Predictions at ``queries`` (default ``data.x_query``). NaN entries, the
        queries no key reaches, show as gaps.
    ax : matplotlib.axes.Axes or None
        The Axes to draw on; a new figure when None.
    label : str
        Legend label of the estimate.
    title : str or None
        The Axes title.
    queries : numpy.typing.ArrayLike, shape (m,), optional
        Where ``fit`` was computed (default ``data.x_query``).
    legend : bool
        Draw the legend (in a grid of panels, one legend is enough).

    Returns
    -------
    ax : the Axes drawn on; lines are ``[truth, estimate]``, the data a scatter.

    Examples
    --------
    >>> from nwlib.course import running_example
    >>> ax = plot_fit(running_example(), title="data only")
    >>> ax.get_xlabel(), len(ax.lines)
    ('input x', 1)
    """
    ax = use_axes(ax)
    ax.plot(data.x_query, data.y_true, color="0.3", linestyle="--", label="true f(x)")
    if fit is not None:
        xq = data.x_query if queries is None else np.asarray(queries, dtype=float)
        fit = np.asarray(fit, dtype=float)
        if fit.shape != xq.shape:
            raise ValueError(
                f"fit has shape {fit.shape} but there are {xq.shape} queries; pass one "
                "prediction per query (e.g. nadaraya_watson(data.x_query, ...))."
            )
        ax.plot(xq, fit, color="C1", linewidth=2, label=label)
    ax.scatter(data.x_train, data.y_train, s=14, color="C0", alpha=0.7, label="data (keys, values)")
    ax.set_xlabel("input x")
    ax.set_ylabel("output y")
    if title:
        ax.set_title(title)
    if legend:
        ax.legend(loc="lower right", fontsize="x-small", framealpha=0.8)
    return ax


def plot_weights(weights: ArrayLike, queries: ArrayLike, keys: ArrayLike, *, ax: Axes | None = None,
                 title: str | None = None, colorbar: bool = True, vmax: float | None = None) -> Any:
    """Draw the attention-weight matrix as a heatmap: one row per query, one column per key.

    Array types: numpy (and array-likes); returns the matplotlib Axes.

    Columns are the keys in the order given (sort them first so neighbours sit
    side by side); the tick labels show key positions. NaN rows (queries with
    no key in reach) are left blank.

    Parameters
    ----------
    weights : array_like, shape (m, n)
    queries : array_like, shape (m,)
    keys : array_like, shape (n,)
    ax : matplotlib Axes, optional
    title : str, optional
    colorbar : bool
        Add a colour bar labelled "attention weight".
    vmax : float, optional
        Top of the colour scale (shared scales make panels comparable).

    Returns
    -------
    ax : the Axes; ``ax.images[0].get_array().shape == (m, n)``.

    Examples
    --------
    >>> from nwlib import attention_weights
    >>> w = attention_weights([0.0, 1.0, 2.0], [0.0, 2.0], bandwidth=1.0)
    >>> plot_weights(w, [0.0, 1.0, 2.0], [0.0, 2.0]).images[0].get_array().shape
    (3, 2)
    """
    w = np.asarray(weights, dtype=float)
    q = np.asarray(queries, dtype=float).ravel()
    k = np.asarray(keys, dtype=float).ravel()
    if w.shape != (q.size, k.size):
        raise ValueError(
            f"weights has shape {w.shape} but there are {q.size} queries and {k.size} keys; "
            "pass the (queries x keys) matrix from attention_weights(queries, keys)."
        )
    ax = use_axes(ax, figsize=(4.5, 4.0))
    image = ax.imshow(w, aspect="auto", origin="lower", cmap="Reds", vmin=0.0, vmax=vmax,
                      interpolation="nearest")
    # Rows are an even grid of queries, columns unevenly spaced keys: label ticks by value.
    ticks_k = np.unique(np.linspace(0, k.size - 1, min(k.size, 6)).round().astype(int))
    ticks_q = np.unique(np.linspace(0, q.size - 1, min(q.size, 6)).round().astype(int))
    ax.set_xticks(ticks_k, [f"{k[i]:.1f}" for i in ticks_k])
    ax.set_yticks(ticks_q, [f"{q[i]:.1f}" for i in ticks_q])
    ax.set_xlabel("key $x_j$ (sorted)")
    ax.set_ylabel("query $q$")
    if title:
        ax.set_title(title)
    if colorbar:
        ax.figure.colorbar(image, ax=ax, label="attention weight")
    return ax


def plot_kernel(kernel: str | Kernel, *, ax: Axes | None = None, bandwidth: float = 1.0,
                key: float = 0.0, span: float = 2.5, num: int = 501,
                label: str | None = None, color: str = "C2") -> Any:
    """Draw a kernel's weight ``k(|q - key| / h)`` as a function of the query ``q``.

    Array types: none; returns the matplotlib Axes.

    Call it several times on one Axes (with ``label`` and ``color``) to compare widths.

    Parameters
    ----------
    kernel : str or Kernel
        A name from ``KERNELS`` or a :class:`Kernel`.
    ax : matplotlib.axes.Axes or None
        The Axes to draw on; a new figure when None.
    bandwidth : float
        The width ``h``.
    key : float
        Where the key sits.
    span : float
        Half-width of the plotted range, in widths.
    num : int
        Number of points on the curve.
    label : str or None
        Legend label (default: the kernel's name).
    color : str
        A matplotlib colour.

    Returns
    -------
    matplotlib.axes.Axes
        The Axes drawn on.

    Examples
    --------
    >>> ax = plot_kernel("boxcar")
    >>> float(ax.lines[0].get_ydata().max()), ax.get_title()
    (1.0, 'boxcar: 1 if u <= 1 else 0')
    """
    k = get_kernel(kernel)
    if not bandwidth > 0:
        raise ValueError(f"bandwidth={bandwidth!r}: pass a positive width.")
    ax = use_axes(ax, figsize=(3.5, 2.6))
    q = np.linspace(key - span, key + span, num)
    ax.plot(q, k(np.abs(q - key) / bandwidth), color=color, linewidth=2, label=label)
    ax.set_xlabel("query q (key at 0)" if key == 0 else f"query q (key at {key:g})")
    ax.set_ylabel("weight k(u)")
    ax.set_title(f"{k.name}: {k.formula}")
    ax.set_ylim(-0.05, 1.1)
    return ax


def plot_kernel_gallery(kernels: Sequence[str] = tuple(KERNELS), *, ncols: int = 4,
                        span: float = 2.5) -> Any:
    """One panel per kernel, each drawn with :func:`plot_kernel` (width 1, key at 0).

    Array types: none; returns the matplotlib Figure.

    Parameters
    ----------
    kernels : sequence of str
        Names from ``KERNELS``.
    ncols : int
        Panels per row.
    span : float
        Half-width of each plotted range.

    Returns
    -------
    matplotlib.figure.Figure
        The figure of panels.

    Examples
    --------
    >>> fig = plot_kernel_gallery(["gaussian", "boxcar"])
    >>> [ax.get_title().split(":")[0] for ax in fig.axes]
    ['gaussian', 'boxcar']
    """
    fig, axes = axes_grid(len(kernels), ncols=ncols, size=(3.3, 2.6))
    for name, ax in zip(kernels, axes, strict=True):
        plot_kernel(name, ax=ax, span=span)
    return fig


def plot_loo_curve(candidates: ArrayLike, mse: ArrayLike, *, ax: Axes | None = None,
                   title: str | None = None) -> Any:
    """Leave-one-out error against the width on a log axis, with the minimum marked.

    Array types: numpy (and array-likes); returns the matplotlib Axes.

    Parameters
    ----------
    candidates : numpy.typing.ArrayLike, shape (w,)
        The widths.
    mse : numpy.typing.ArrayLike, shape (w,)
        The leave-one-out error at each.
    ax : matplotlib.axes.Axes or None
        The Axes to draw on; a new figure when None.
    title : str or None
        The Axes title.

    Returns
    -------
    matplotlib.axes.Axes
        The Axes drawn on.

    Examples
    --------
    >>> ax = plot_loo_curve([0.1, 0.2, 0.5, 1.0], [1.3, 1.0, 0.99, 1.5])
    >>> ax.get_xscale(), ax.lines[1].get_xdata().tolist()
    ('log', [0.5])
    """
    c = np.asarray(candidates, dtype=float).ravel()
    e = np.asarray(mse, dtype=float).ravel()
    if c.shape != e.shape:
        raise ValueError(f"candidates ({c.size}) and mse ({e.size}) need the same length.")
    ax = use_axes(ax)
    ax.plot(c, e, marker=".", color="C0", label="leave-one-out MSE")
    best = int(np.argmin(e))
    ax.plot([c[best]], [e[best]], marker="o", markersize=9, color="C3", linestyle="none",
            label=f"minimum at h = {c[best]:.3g}")
    ax.set_xscale("log")
    ax.set_xlabel("width h (log scale)")
    ax.set_ylabel("mean squared error")
    if title:
        ax.set_title(title)
    ax.legend(fontsize="small")
    return ax


def plot_bias_variance(candidates: ArrayLike, bias2: ArrayLike, variance: ArrayLike, *,
                       ax: Axes | None = None) -> Any:
    """Squared bias, variance and their sum (the mean squared error) against the width.

    Array types: numpy (and array-likes); returns the matplotlib Axes.

    Parameters
    ----------
    candidates : numpy.typing.ArrayLike, shape (w,)
        The widths.
    bias2 : numpy.typing.ArrayLike, shape (w,)
        Squared bias at each width.
    variance : numpy.typing.ArrayLike, shape (w,)
        Variance at each width.
    ax : matplotlib.axes.Axes or None
        The Axes to draw on; a new figure when None.

    Returns
    -------
    matplotlib.axes.Axes
        The Axes drawn on.

    Examples
    --------
    >>> ax = plot_bias_variance([0.1, 1.0], [0.0, 0.4], [0.4, 0.1])
    >>> [line.get_label() for line in ax.lines]
    ['squared bias', 'variance', 'mean squared error']
    """
    h, b, v = (np.asarray(a, dtype=float).ravel() for a in (candidates, bias2, variance))
    if not h.shape == b.shape == v.shape:
        raise ValueError("candidates, bias2 and variance need the same length (one per width).")
    ax = use_axes(ax, figsize=(6.0, 3.6))
    ax.plot(h, b, label="squared bias")
    ax.plot(h, v, label="variance")
    ax.plot(h, b + v, color="k", label="mean squared error")
    ax.set_xscale("log")
    ax.set_xlabel("width (log scale)")
    ax.set_ylabel("averaged over the queries")
    ax.set_title("The width trades variance for bias")
    ax.legend(fontsize="small")
    return ax
