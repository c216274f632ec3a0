"""An interactive explorer: drag the width, pick a kernel, change the number of points.

The computation (:func:`explore`) is a pure function, so tests and benchmarks
call it directly; :class:`KernelExplorer` only wires ipywidgets controls to it
and redraws a matplotlib figure inside an ``Output`` widget, which JupyterLab
shows without any extra extension.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from ..kernels import KERNELS
from ..pooling import attention_weights
from .data import RegressionData, running_example

__all__ = ["ExplorerResult", "explore", "KernelExplorer"]


@dataclass(frozen=True)
class ExplorerResult:
    """What the explorer shows for one setting of its controls.

    Array types: none; holds float64 numpy arrays.

    Parameters
    ----------
    kernel : str
        The kernel's name.
    bandwidth : float
        The width.
    data : RegressionData
        The running example drawn.
    weights : numpy.ndarray, shape (m, n)
        Attention weights, NaN rows where no key is in reach.
    fit : numpy.ndarray, shape (m,)
        The fit on the query grid.

    """

    kernel: str
    bandwidth: float
    data: RegressionData
    weights: np.ndarray  # (m, n): queries x keys; NaN rows where no key is in reach
    fit: np.ndarray  # (m,)

    @property
    def unreached(self) -> int:
        """How many queries no key reaches (compact kernels with a small width)."""
        return int(np.isnan(self.fit).sum())


def explore(kernel: str = "gaussian", *, bandwidth: float = 0.5, n: int = 40) -> ExplorerResult:
    """Fit the running example with ``n`` points and return the weights and the fit.

    Array types: none; returns float64 numpy arrays (in an ExplorerResult).

    Queries no key reaches get NaN (``empty="nan"``) so the learner sees a gap
    in the curve rather than an error while dragging the slider.

    Parameters
    ----------
    kernel : str
        A name from ``KERNELS``.
    bandwidth : float
        The width ``h > 0``.
    n : int
        Number of keys.

    Returns
    -------
    ExplorerResult
        The data, weights and fit.

    Examples
    --------
    >>> r = explore("gaussian", bandwidth=0.5, n=40)
    >>> r.weights.shape, r.fit.shape, round(float(r.weights.sum(axis=1).max()), 12)
    ((50, 40), (50,), 1.0)
    """
    data = running_example(n)
    weights = attention_weights(data.x_query, data.x_train, kernel=kernel,
                                bandwidth=bandwidth, empty="nan")
    return ExplorerResult(kernel, float(bandwidth), data, weights, weights @ data.y_train)


class KernelExplorer:
    """Controls for width, kernel and sample size, redrawing the fit and the weights.

    Array types: none; redraws from the float64 numpy arrays of :func:`explore`.

    The computation takes about a millisecond; drawing and sending the figure takes
    far longer, so the sliders redraw when released rather than at every pixel
    (``continuous_update=False``), which keeps redraws from queueing up.

    Parameters
    ----------
    kernel : str
        The kernel first shown, a name from ``KERNELS``.
    bandwidth : float
        The width first shown.
    n : int
        The sample size first shown.
    draw : bool
        Draw the figure (False: compute only, for tests).

    Attributes
    ----------
    width : ipywidgets.FloatLogSlider
    kernel : ipywidgets.Dropdown
    points : ipywidgets.IntSlider
    output : ipywidgets.Output
        Where the figure is drawn.
    result : ExplorerResult
        What the current figure shows.
    redraws : int
        How many times the figure was drawn (tests check that a move redraws).
    figure : matplotlib Figure or None
        The latest figure drawn (None with ``draw=False``).

    Examples
    --------
    >>> ex = KernelExplorer(draw=False)
    >>> ex.width.value = 0.2
    >>> ex.result.bandwidth
    0.2
    """

    def __init__(self, kernel: str = "gaussian", bandwidth: float = 0.5, n: int = 40,
                 *, draw: bool = True) -> None:
        import ipywidgets as w

        self.width = w.FloatLogSlider(value=bandwidth, base=10, min=-2, max=1, step=0.02,
                                      description="width h", continuous_update=False,
                                      readout_format=".3f")
        self.kernel = w.Dropdown(options=list(KERNELS), value=kernel, description="kernel")
        self.points = w.IntSlider(value=n, min=5, max=200, step=1, description="points n",
                                  continuous_update=False)
        self.output = w.Output()
        self.redraws = 0
        self.figure: Any = None
        self._draw = draw
        self.result = explore(kernel, bandwidth=bandwidth, n=n)
        for control in (self.width, self.kernel, self.points):
            control.observe(self._on_change, names="value")
        self.widget = w.VBox([w.HBox([self.width, self.kernel, self.points]), self.output])
        self._redraw()

    def _on_change(self, _change: Any = None) -> None:
        self.result = explore(self.kernel.value, bandwidth=self.width.value, n=self.points.value)
        self._redraw()

    def _redraw(self) -> None:
        if not self._draw:
            return
        import matplotlib.pyplot as plt

        from .plotting import plot_fit, plot_weights

        r = self.result
        with self.output:
            self.output.clear_output(wait=True)
            fig, (left, right) = plt.subplots(1, 2, figsize=(10, 3.8), layout="constrained")
            note = f", {r.unreached} queries out of reach" if r.unreached else ""
            plot_fit(r.data, r.fit, ax=left, label=f"{r.kernel}, h = {r.bandwidth:.3f}",
                     title=f"Fit with n = {r.data.x_train.size} points{note}")
            plot_weights(r.weights, r.data.x_query, r.data.x_train, ax=right,
                         title="Attention weights")
            plt.show()
            plt.close(fig)
        self.figure = fig
        self.redraws += 1

    def _ipython_display_(self) -> None:
        from IPython.display import display

        display(self.widget)
