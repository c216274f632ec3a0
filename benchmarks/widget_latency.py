"""How long the explorer computes per slider move on the running example.

    .venv/bin/python benchmarks/widget_latency.py

Times :func:`nwlib.course.explore` (regenerate the data, weights, fit) for every kernel
over widths spanning the slider, and the full redraw of :class:`nwlib.course.KernelExplorer`
(computation plus matplotlib drawing on the Agg backend), with and without rendering
the PNG the inline backend sends. Reports medians and the 95th percentile in
milliseconds. The target: well under 100 ms of computation.
"""

from __future__ import annotations

import contextlib
import io
import time

import matplotlib

matplotlib.use("Agg")

import numpy as np  # noqa: E402

import nwlib  # noqa: E402


def timed(fn, repeats: int) -> np.ndarray:
    out = np.empty(repeats)
    for i in range(repeats):
        start = time.perf_counter()
        fn(i)
        out[i] = (time.perf_counter() - start) * 1e3
    return out


def main() -> None:
    widths = np.geomspace(0.01, 10.0, 50)
    for n in (40, 200):
        ms = np.concatenate([
            timed(lambda i, k=k, n=n: nwlib.course.explore(k, bandwidth=widths[i % widths.size], n=n), 200)
            for k in nwlib.KERNELS
        ])
        print(f"compute per move, n = {n:3d}: median {np.median(ms):.2f} ms, "
              f"95th percentile {np.percentile(ms, 95):.2f} ms")
    with contextlib.redirect_stdout(io.StringIO()):
        explorer = nwlib.course.KernelExplorer()

    def move(i: int) -> None:
        # Outside a notebook the Output widget echoes terminal clear codes; hide them.
        with contextlib.redirect_stdout(io.StringIO()):
            explorer.width.value = float(widths[i % widths.size])

    ms = timed(move, 30)
    print(f"compute + redraw per move, n = 40: median {np.median(ms):.1f} ms, "
          f"95th percentile {np.percentile(ms, 95):.1f} ms")

    def move_and_render(i: int) -> None:
        move(i)
        # The inline backend sends a PNG to the browser: include that rendering.
        explorer.figure.savefig(io.BytesIO(), format="png")

    ms = timed(move_and_render, 30)
    print(f"compute + redraw + PNG per move, n = 40: median {np.median(ms):.0f} ms, "
          f"95th percentile {np.percentile(ms, 95):.0f} ms")


if __name__ == "__main__":
    main()
