"""Run ONE benchmark case in a fresh interpreter and print its measurements as JSON.

Called by ``benchmarks/run.py`` once per case, so that each case's peak memory
(``ru_maxrss``) is its own. Usage::

    python benchmarks/case.py '{"impl": "nwlib", "n": 20000, "d": 1, "dtype": "float64"}'
"""

from __future__ import annotations

import json
import resource
import sys
import time
from pathlib import Path
from typing import Any

import numpy as np

#: Bandwidth per dimension: narrow enough that the estimate follows the data.
WIDTH = {1: 0.05, 5: 0.5}


def data(n: int, d: int, dtype: str, seed: int = 0):
    """Centred keys on [-2.5, 2.5]^d, noisy values, and as many queries.

    All numbers are float32-representable, so float32 and float64 runs see the same data.
    """
    rng = np.random.default_rng(seed)
    x = rng.uniform(-2.5, 2.5, (n, d))
    y = np.sin(2 * x).sum(axis=1) + rng.normal(0, 0.3, n)
    q = rng.uniform(-2.5, 2.5, (n, d))
    return tuple(a.astype(np.float32).astype(dtype) for a in (x, y, q))


def current_rss_mib() -> float:
    with open("/proc/self/statm") as f:
        return int(f.read().split()[1]) * resource.getpagesize() / 2**20


def peak_rss_mib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # Linux: KiB


def textbook(q: np.ndarray, x: np.ndarray, y: np.ndarray, h: float) -> np.ndarray:
    """The full-matrix version of the textbooks: all m x n weights at once."""
    from scipy.spatial.distance import cdist

    w = np.exp(-0.5 * cdist(q / h, x / h, "sqeuclidean"))
    return (w @ y) / w.sum(axis=1)


def statsmodels_nw(q: np.ndarray, x: np.ndarray, y: np.ndarray, h: float,
                   kernel: str = "gaussian") -> np.ndarray:
    """statsmodels' local-constant KernelReg; ``kernel`` is its ``ckertype``."""
    from statsmodels.nonparametric.kernel_regression import KernelReg

    d = x.shape[1]
    model = KernelReg(y, x, var_type="c" * d, reg_type="lc", bw=[h] * d, ckertype=kernel)
    return model.fit(q)[0]


def cutoff_path(q: np.ndarray, x: np.ndarray, y: np.ndarray, h: float) -> np.ndarray:
    """nwlib's cut-off route alone, where ``nadaraya_watson`` would take the fast transform.

    The same blocked, exact brute force the default path uses below the transform's
    crossover (``nwlib.gaussian_plan(...).route``), so the two can be compared at any size.
    """
    from nwlib._backends.cpu_gauss import gaussian_nadaraya_watson
    from nwlib.validation import prepare

    p = prepare(q, x, y, h)
    return gaussian_nadaraya_watson(p.queries, p.keys, p.values, p.bandwidth)[:, 0]


def busy_loop() -> Any:
    """Another process that keeps one core busy (a pure-Python loop)."""
    import subprocess

    return subprocess.Popen([sys.executable, "-c", "while True: pass"])


def load(spec: dict) -> dict:
    """The default path's time alone and next to a busy process, median of ``repeat`` calls."""
    import nwlib

    x, y, q = data(spec["n"], 1, "float64")
    h = spec["h"]
    nwlib.nadaraya_watson(q[:2], x[:2], y[:2], bandwidth=h)

    def times() -> list[float]:
        out = []
        for _ in range(spec.get("repeat", 7)):
            t0 = time.perf_counter()
            nwlib.nadaraya_watson(q, x, y, bandwidth=h)
            out.append(time.perf_counter() - t0)
        return sorted(out)

    quiet = times()
    busy = busy_loop()
    try:
        time.sleep(0.5)  # let the scheduler place it
        loaded = times()
    finally:
        busy.kill()
        busy.wait()
    return {"quiet": quiet, "loaded": loaded}


def max_rel_to_scale(q: np.ndarray, x: np.ndarray, y: np.ndarray, h: float, kernel: str,
                     pred: np.ndarray) -> float:
    """Largest difference from the reference path over its scale sum w|v| / sum w."""
    import nwlib

    ref = nwlib.nadaraya_watson(q, x, y, kernel=kernel, bandwidth=h, method="reference")
    scale = nwlib.nadaraya_watson(q, x, np.abs(y), kernel=kernel, bandwidth=h, method="reference")
    return float(np.max(np.abs(pred - ref) / scale))


def exp_floor(dtype: str, seconds: float = 1.0, library: str = "numpy") -> float:
    """exp evaluations per second on an in-cache block, on all cores.

    numpy: one thread per core, each on its own 128 KiB block (numpy releases the
    GIL). ``library="torch"``: one call on a block of 2**17 entries (1 MiB in
    float64) that torch spreads over the cores itself, as nwlib calls it.
    """
    from concurrent.futures import ThreadPoolExecutor

    from nwlib._backends.cpu_gauss import n_threads

    if library == "torch":
        import torch

        src = torch.from_numpy(np.linspace(-5, 0, 2**17, dtype=dtype))
        out = torch.empty_like(src)
        t0, count = time.perf_counter(), 0
        while time.perf_counter() - t0 < seconds:
            for _ in range(20):
                torch.exp(src, out=out)
            count += 20 * src.numel()
        return count / (time.perf_counter() - t0)

    block = np.linspace(-5, 0, 2**14, dtype=dtype)

    def run(_):
        out = np.empty_like(block)
        t0, count = time.perf_counter(), 0
        while time.perf_counter() - t0 < seconds:
            for _ in range(100):
                np.exp(block, out=out)
            count += 100 * block.size
        return count / (time.perf_counter() - t0)

    threads = n_threads()
    with ThreadPoolExecutor(threads) as pool:
        return float(sum(pool.map(run, range(threads))))


def loo(impl: str, n: int) -> dict:
    import nwlib

    x, y, _ = data(n, 1, "float64")
    widths = np.geomspace(0.005, 2.0, 50)
    if impl != "statsmodels":
        # Load what the first call loads (torch, the thread pool) before measuring.
        nwlib.loo_bandwidth(x[:20], y[:20], widths[:2], method=impl)
    t0 = time.perf_counter()
    if impl == "statsmodels":
        from statsmodels.nonparametric.kernel_regression import KernelReg

        best = float(KernelReg(y, x, var_type="c", reg_type="lc", bw="cv_ls").bw[0])
        seconds = time.perf_counter() - t0
        mse = nwlib.loo_bandwidth(x, y, [best])[1]
    else:
        best, mse = nwlib.loo_bandwidth(x, y, widths, method=impl)
        seconds = time.perf_counter() - t0
    return {"seconds": seconds, "best": float(best), "mse": mse.tolist()}


def main(spec: dict) -> dict:
    impl = spec["impl"]
    if impl == "exp":
        return {"evals_per_s": exp_floor(spec["dtype"], library=spec.get("library", "numpy"))}
    if impl.startswith("loo-"):
        return loo(impl[4:], spec["n"])
    if impl == "load":
        return load(spec)
    import nwlib

    n, d, dtype = spec["n"], spec["d"], spec["dtype"]
    x, y, q = data(n, d, dtype)
    h = spec.get("h", WIDTH[d])
    kernel = spec.get("kernel", "gaussian")
    run = {
        "nwlib": lambda: nwlib.nadaraya_watson(q, x, y, kernel=kernel, bandwidth=h),
        "cutoff": lambda: cutoff_path(q, x, y, h),
        "textbook": lambda: textbook(q, x, y, h),
        "statsmodels": lambda: statsmodels_nw(q, x, y, h, kernel),
    }[impl]
    if impl in ("nwlib", "cutoff"):
        # Load what the first call loads (torch's exp, the thread pool) before measuring.
        nwlib.nadaraya_watson(q[:2], x[:2], y[:2], kernel=kernel, bandwidth=h * 1e3)
    before = current_rss_mib()
    best = float("inf")
    for _ in range(spec.get("repeat", 1)):
        t0 = time.perf_counter()
        pred = run()
        best = min(best, time.perf_counter() - t0)
    np.save(spec["out"], pred)
    peak = peak_rss_mib()  # before the checks below, which run the reference path
    extra = {}
    if impl in ("nwlib", "cutoff") and kernel == "gaussian":
        plan = nwlib.gaussian_plan(q, x, bandwidth=np.full(d, h))
        extra["evaluated_pairs"] = plan.evaluated
        extra["route"] = plan.route if impl == "nwlib" else "cut-off"
    elif impl == "nwlib":
        from nwlib._backends.compact_kernels import evaluated_pairs as compact_pairs
        from nwlib.kernels import KERNELS

        extra["evaluated_pairs"] = compact_pairs(q, x, np.full(d, h, dtype=x.dtype),
                                                 KERNELS[kernel].radius)
        check = spec.get("check", 500)  # the reference path on this many queries
        extra["max_rel_vs_reference"] = max_rel_to_scale(q[:check], x, y, h, kernel, pred[:check])
    return {
        **extra,
        "seconds": best,
        "rss_before_mib": before,
        "peak_rss_mib": peak,
        "peak_above_mib": peak - before,
        "dtype_out": str(np.asarray(pred).dtype),
    }


if __name__ == "__main__":
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
    print(json.dumps(main(json.loads(sys.argv[1]))))
