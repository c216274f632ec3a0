"""Figures of the chapters on boundaries and smoothers.

Each helper draws on the Axes it is given (or a new one) and returns it.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np

from ..arrays import ArrayLike
from .plotting import use_axes

if TYPE_CHECKING:
    from matplotlib.axes import Axes

__all__ = ["plot_weight_profiles", "plot_band", "plot_pointwise"]


def plot_weight_profiles(keys: ArrayLike, profiles: dict[str, Any], *, query: float | None = None,
                         ax: Axes | None = None, title: str | None = None) -> Any:
    """Plot the weights of one query over the keys, one marker series per estimator.

    Array types: numpy (array-likes are converted); returns the matplotlib Axes.

    Parameters
    ----------
    keys : numpy.typing.ArrayLike, shape (n,)
        The keys.
    profiles : dict of str to array of shape (n,)
        One query's weights per estimator.
    query : float or None
        The query, marked by a vertical line.
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
    >>> ax = plot_weight_profiles([0.0, 1.0], {"a": [0.4, 0.6]}, query=0.0)
    >>> ax.get_ylabel()
    'weight of key x_i'
    """
    ax = use_axes(ax)
    x = np.asarray(keys, dtype=float)
    for i, (label, w) in enumerate(profiles.items()):
        ax.plot(x, np.asarray(w, dtype=float), marker="o^sd"[i % 4], markersize=4,
                linestyle="-", linewidth=0.8, color=f"C{i}", label=label)
    ax.axhline(0.0, color="0.5", linewidth=0.8)
    if query is not None:
        ax.axvline(query, color="0.3", linestyle=":", label=f"query q = {query:g}")
    ax.set_xlabel("key x_i")
    ax.set_ylabel("weight of key x_i")
    if title:
        ax.set_title(title)
    ax.legend(fontsize="small")
    return ax


def plot_band(queries: ArrayLike, band: ArrayLike, *, truth: ArrayLike = None, ax: Axes | None = None,
              label: str = "band", color: str = "C0", title: str | None = None) -> Any:
    """Plot a fit with its pointwise band (shaded), and optionally the true function.

    Array types: numpy (reads a Band; array-likes are converted); returns the matplotlib Axes.

    Parameters
    ----------
    queries : numpy.typing.ArrayLike, shape (m,)
        The queries.
    band : Band
        From :func:`nwlib.confidence_band` or :func:`nwlib.bootstrap_band`.
    truth : numpy.typing.ArrayLike or None
        The true function at the queries.
    ax : matplotlib.axes.Axes or None
        The Axes to draw on; a new figure when None.
    label : str
        Legend label.
    color : str
        A matplotlib colour.
    title : str or None
        The Axes title.

    Returns
    -------
    matplotlib.axes.Axes
        The Axes drawn on.

    Examples
    --------
    >>> from types import SimpleNamespace
    >>> b = SimpleNamespace(fit=np.zeros(3), lower=-np.ones(3), upper=np.ones(3), level=0.95)
    >>> plot_band([0, 1, 2], b).get_xlabel()
    'query q'
    """
    ax = use_axes(ax)
    q = np.asarray(queries, dtype=float)
    ax.fill_between(q, band.lower, band.upper, color=color, alpha=0.25,
                    label=f"{label} ({100 * band.level:.0f}%)")
    ax.plot(q, band.fit, color=color, label="fit")
    if truth is not None:
        ax.plot(q, truth, color="0.3", linestyle="--", label="true f(x)")
    ax.set_xlabel("query q")
    ax.set_ylabel("f(q)")
    if title:
        ax.set_title(title)
    ax.legend(fontsize="small")
    return ax


def plot_pointwise(queries: ArrayLike, curves: dict[str, Any], *, ylabel: str, ax: Axes | None = None,
                   reference: float | None = None, title: str | None = None) -> Any:
    """Plot curves of a pointwise quantity (bias, coverage, ...) against the query.

    Array types: numpy (array-likes are converted); returns the matplotlib Axes.

    Parameters
    ----------
    queries : numpy.typing.ArrayLike, shape (m,)
        The queries.
    curves : dict of str to array of shape (m,)
        One curve per label.
    ylabel : str
        The y-axis label.
    ax : matplotlib.axes.Axes or None
        The Axes to draw on; a new figure when None.
    reference : float or None
        A horizontal reference line.
    title : str or None
        The Axes title.

    Returns
    -------
    matplotlib.axes.Axes
        The Axes drawn on.

    Examples
    --------
    >>> plot_pointwise([0, 1], {"a": [1, 2]}, ylabel="bias").get_ylabel()
    'bias'
    """
    ax = use_axes(ax)
    q = np.asarray(queries, dtype=float)
    for i, (label, y) in enumerate(curves.items()):
        ax.plot(q, np.asarray(y, dtype=float), color=f"C{i}", label=label)
    if reference is not None:
        ax.axhline(reference, color="0.3", linestyle="--", linewidth=1)
    ax.set_xlabel("query q")
    ax.set_ylabel(ylabel)
    if title:
        ax.set_title(title)
    ax.legend(fontsize="small")
    return ax
