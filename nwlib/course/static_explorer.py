"""A width explorer that works in the static HTML book, with no Python kernel.

Every fit and attention-weight matrix the reader can ask for is computed here, by
:func:`~nwlib.nadaraya_watson` and :func:`~nwlib.attention_weights`, rounded, and embedded
as JSON next to a small script (``static_explorer.js``) that redraws an SVG plot when
the reader drags the width slider or picks a kernel. The output is deterministic (no
random ids), so nbval can compare it.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from ..arrays import ArrayLike
from ..kernels import KERNELS
from ..pooling import attention_weights, nadaraya_watson
from .data import RegressionData, running_example

__all__ = ["StaticWidthExplorer", "static_width_explorer"]

#: Weights are embedded as whole numbers of thousandths: three digits are all a
#: heatmap's colour can show, and they keep the page small.
WEIGHT_SCALE = 1000

#: More widths than this would make the page heavy for no visible gain.
MAX_WIDTHS = 60

#: The slider's default widths: 21, geometric from 0.05 to 2 (a tuple: a default is shared).
CANDIDATES = tuple(float(w) for w in np.geomspace(0.05, 2.0, 21).round(3))

_SCRIPT = Path(__file__).with_name("static_explorer.js")


@dataclass(frozen=True)
class StaticWidthExplorer:
    """The precomputed explorer; Jupyter and the book display it through ``_repr_html_``.

    Array types: none; holds plain Python data (the page's JSON payload).

    Parameters
    ----------
    payload : dict
        What the page embeds: the data, the widths, the rounded fits per kernel and
        width (``None`` where no key is in reach), the heatmap's query indices and
        its weights in thousandths.
    """

    payload: dict[str, Any] = field(repr=False)

    def _repr_html_(self) -> str:
        data = json.dumps(self.payload, separators=(",", ":")).replace("</", "<\\/")
        return (
            '<div class="nw-static-explorer" data-nw-explorer="width">'
            '<script type="application/json" class="nw-explorer-data">'
            f"{data}</script>"
            "<noscript>The width explorer needs JavaScript.</noscript>"
            f"</div><script>{_SCRIPT.read_text(encoding='utf-8')}</script>"
        )


def _validate_widths(widths: Any) -> np.ndarray:
    w = np.asarray(widths, dtype=float)
    if w.ndim != 1 or not 2 <= w.size <= MAX_WIDTHS:
        raise ValueError(
            f"candidates has shape {w.shape}: pass a 1-D sequence of 2 to {MAX_WIDTHS} widths."
        )
    if not (np.all(np.isfinite(w)) and np.all(w > 0) and np.all(np.diff(w) > 0)):
        raise ValueError(
            "candidates must be finite, positive and strictly increasing; sort them."
        )
    return w


def _validate_kernels(kernels: Any) -> tuple[str, ...]:
    if isinstance(kernels, str) or not isinstance(kernels, Sequence):
        raise TypeError(
            f"kernels={kernels!r}: pass a tuple of kernel names, e.g. ('gaussian',)."
        )
    unknown = [k for k in kernels if k not in KERNELS]
    if not kernels or unknown or len(set(kernels)) != len(kernels):
        raise ValueError(
            f"kernels={tuple(kernels)!r}: pass distinct names from {', '.join(KERNELS)}."
        )
    return tuple(kernels)


def _rounded(values: np.ndarray, decimals: int) -> list:
    """Nested lists of rounded numbers (ints for 0 decimals), ``None`` for NaN (JSON has no NaN)."""
    missing = np.isnan(values)
    rounded = np.round(np.where(missing, 0.0, values), decimals)
    out = (rounded.astype(int) if decimals == 0 else rounded).astype(object)
    out[missing] = None
    return out.tolist()


def static_width_explorer(
    data: RegressionData | None = None,
    *,
    kernels: Sequence[str] = ("gaussian", "epanechnikov", "boxcar"),
    candidates: ArrayLike = CANDIDATES,
    heatmap_rows: int = 10,
    decimals: int = 3,
) -> StaticWidthExplorer:
    """Precompute fits and attention weights for a slider that needs no kernel.

    Array types: numpy (``candidates`` as an array-like); returns a StaticWidthExplorer.

    Parameters
    ----------
    data : RegressionData, optional
        Keys, values, queries and true function; default :func:`running_example`.
    kernels : sequence of str
        Kernel names the reader can pick from (the first is shown first).
    candidates : array_like
        Strictly increasing widths, one per slider position; default :data:`CANDIDATES`.
    heatmap_rows : int
        How many evenly spaced queries the weights heatmap shows.
    decimals : int
        Decimals kept for the data and the fits.

    Returns
    -------
    StaticWidthExplorer
        Displays as HTML with the data embedded; its ``payload`` holds the numbers.

    Examples
    --------
    >>> ex = static_width_explorer(candidates=[0.2, 0.5], kernels=("gaussian",))
    >>> len(ex.payload["fits"]["gaussian"]), len(ex.payload["fits"]["gaussian"][0])
    (2, 50)
    """
    data = running_example() if data is None else data
    if not isinstance(data, RegressionData):
        raise TypeError(f"data is a {type(data).__name__}: pass a nwlib.course.RegressionData.")
    kernels = _validate_kernels(kernels)
    widths = _validate_widths(candidates)
    n_queries = data.x_query.size
    if int(heatmap_rows) != heatmap_rows or not 1 <= heatmap_rows <= n_queries:
        raise ValueError(f"heatmap_rows={heatmap_rows!r}: pass a whole number in 1..{n_queries}.")
    if int(decimals) != decimals or not 0 <= decimals <= 8:
        raise ValueError(f"decimals={decimals!r}: pass a whole number in 0..8.")
    # Every step-th query, so the heatmap's rows sit at round inputs (0, 0.5, 1, ...).
    rows = np.arange(0, n_queries, n_queries // int(heatmap_rows))[: int(heatmap_rows)]
    fits: dict[str, list] = {}
    weights: dict[str, list] = {}
    for name in kernels:
        fits[name], weights[name] = [], []
        for h in widths:
            # A compact kernel leaves gaps where no key is in reach: show them, don't fail.
            fit = nadaraya_watson(
                data.x_query, data.x_train, data.y_train, kernel=name, bandwidth=h, empty="nan"
            )
            w = attention_weights(
                data.x_query[rows], data.x_train, kernel=name, bandwidth=h, empty="nan"
            )
            fits[name].append(_rounded(fit, decimals))
            weights[name].append(_rounded(w * WEIGHT_SCALE, 0))
    payload = {
        "kernels": list(kernels),
        "widths": widths.tolist(),
        "start": int(np.argmin(np.abs(np.log(widths / 0.5)))),
        "x_train": _rounded(data.x_train, decimals),
        "y_train": _rounded(data.y_train, decimals),
        "x_query": _rounded(data.x_query, decimals),
        "y_true": _rounded(data.y_true, decimals),
        "fits": fits,
        "heatmap_rows": rows.tolist(),
        "weight_scale": WEIGHT_SCALE,
        "weights": weights,
    }
    return StaticWidthExplorer(payload)
