"""Benchmark nwlib against statsmodels and the full-matrix textbook code; write results.md.

    .venv/bin/python benchmarks/run.py            # about 5-10 minutes on 2 cores
    .venv/bin/python benchmarks/run.py --sizes 1000 10000   # a quicker, partial run

Every case runs in its own interpreter (``benchmarks/case.py``), so its peak
resident memory (``ru_maxrss``) belongs to it alone. Wall times are the best of
three calls for small cases and of one call for large ones.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

HERE = Path(__file__).resolve().parent
RESULTS = HERE / "results.md"
#: statsmodels is skipped where its extrapolated time exceeds this many seconds.
COMPETITOR_LIMIT_S = 60.0
#: ... and stopped (reported as skipped) when it runs longer than this.
COMPETITOR_TIMEOUT_S = 300.0
#: The size of the stated speed targets.
TARGET_N = 20_000
#: The textbook code holds two (m, n) matrices; skip it above this many bytes.
TEXTBOOK_LIMIT_BYTES = 4 * 2**30


def run_case(spec: dict, timeout: float = 600) -> dict | None:
    """The case's measurements, or None if it ran past ``timeout`` seconds."""
    try:
        out = subprocess.run(
            [sys.executable, str(HERE / "case.py"), json.dumps(spec)],
            capture_output=True, text=True, timeout=timeout, check=False,
        )
    except subprocess.TimeoutExpired:
        return None
    if out.returncode != 0:
        raise RuntimeError(f"case {spec} failed:\n{out.stderr[-2000:]}")
    return json.loads(out.stdout.strip().splitlines()[-1])


def machine() -> list[str]:
    cpu = "unknown CPU"
    if Path("/proc/cpuinfo").exists():
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    blas = "unknown"
    try:
        cfg = np.show_config(mode="dicts")
        info = cfg["Build Dependencies"]["blas"]
        blas = f"{info.get('name')} {info.get('version', '')}".strip()
    except Exception:  # older numpy: show_config only prints
        pass
    import scipy
    import statsmodels

    from nwlib._backends.cpu_gauss import n_threads

    return [
        f"- CPU: {cpu}, {n_threads()} cores usable ({os.cpu_count()} online)",
        f"- Python {platform.python_version()}, numpy {np.__version__} (BLAS: {blas}), "
        f"scipy {scipy.__version__}, statsmodels {statsmodels.__version__}",
        "- load average before / after the run: {load_before} / {load_after} "
        "(other jobs on the machine inflate every time)",
        f"- date: {time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}",
    ]


def loadavg() -> str:
    try:
        return " ".join(Path("/proc/loadavg").read_text().split()[:3])
    except OSError:
        return "n/a"


def max_diff(a: Path, b: Path) -> tuple[float, float]:
    """Largest absolute difference, and that over the largest reference value."""
    x, y = np.load(a).astype(float), np.load(b).astype(float)
    diff = float(np.max(np.abs(x - y)))
    return diff, diff / float(np.max(np.abs(y)))


def fmt_s(s: float | None) -> str:
    return "skipped" if s is None else (f"{s:.3g}" if s < 100 else f"{s:.0f}")


def nw_table(sizes: list[int], tmp: Path, floor: dict) -> list[str]:
    rows = [
        "| d | n = m | dtype | nwlib (s) | statsmodels (s) | textbook (s) | speed-up vs statsmodels "
        "| max abs diff vs statsmodels (rel.) | vs textbook | nwlib peak MiB above start "
        "| pairs evaluated | evaluated/s, % of np.exp floor |",
        "|---|---|---|---|---|---|---|---|---|---|---|---|",
    ]
    for d in (1, 5):
        sm_time: dict[int, float] = {}
        for n in sizes:
            for dtype in ("float64", "float32"):
                path = {k: tmp / f"{k}-{d}-{n}-{dtype}.npy" for k in ("nwlib", "sm", "tb")}
                base = {"n": n, "d": d, "dtype": dtype}
                repeat = 3 if n <= 10_000 else 1
                ours = run_case({**base, "impl": "nwlib", "out": str(path["nwlib"]), "repeat": repeat})
                print(f"d={d} n={n} {dtype}: nwlib {ours['seconds']:.3f} s", flush=True)
                sm = None
                if dtype == "float64":
                    prev = max((k for k in sm_time if k < n), default=None)
                    guess = sm_time[prev] * (n / prev) ** 2 if prev else 0.0
                    # Up to the target size statsmodels always runs: its fixed cost per
                    # query makes small sizes a poor guide to large ones.
                    if n <= TARGET_N or guess <= COMPETITOR_LIMIT_S:
                        res = run_case({**base, "impl": "statsmodels", "out": str(path["sm"])},
                                       timeout=COMPETITOR_TIMEOUT_S)
                        sm = res and res["seconds"]
                        if sm:
                            sm_time[n] = sm
                        print(f"    statsmodels {sm} s", flush=True)
                else:
                    sm = sm_time.get(n)
                    path["sm"] = tmp / f"sm-{d}-{n}-float64.npy"
                tb = None
                if 2 * n * n * np.dtype(dtype).itemsize <= TEXTBOOK_LIMIT_BYTES:
                    tb = run_case({**base, "impl": "textbook", "out": str(path["tb"])})["seconds"]
                speed = f"{sm / ours['seconds']:.0f}x" if sm else "-"
                d_sm = "-"
                if sm:
                    a, r = max_diff(path["nwlib"], path["sm"])
                    d_sm = f"{a:.1e} ({r:.1e})"
                d_tb = f"{max_diff(path['nwlib'], path['tb'])[0]:.1e}" if tb else "-"
                share = ours["evaluated_pairs"] / (n * n)
                rate = ours["evaluated_pairs"] / ours["seconds"]
                rows.append(
                    f"| {d} | {n:,} | {dtype} | {fmt_s(ours['seconds'])} | {fmt_s(sm)} | {fmt_s(tb)} "
                    f"| {speed} | {d_sm} | {d_tb} | {ours['peak_above_mib']:.1f} "
                    f"| {100 * share:.0f}% | {rate / 1e9:.2f} G ({100 * rate / floor[dtype]:.0f}%) |"
                )
    return rows


def loo_table(n: int) -> list[str]:
    ours = run_case({"impl": "loo-auto", "n": n})
    brute = run_case({"impl": "loo-reference", "n": n})
    sm = run_case({"impl": "loo-statsmodels", "n": n})
    same = np.max(np.abs(np.array(ours["mse"]) / np.array(brute["mse"]) - 1))
    return [
        "| method | seconds | chosen width | leave-one-out MSE at that width |",
        "|---|---|---|---|",
        f"| nwlib.loo_bandwidth, 50 widths | {ours['seconds']:.3f} | {ours['best']:.4g} "
        f"| {min(ours['mse']):.6f} |",
        f"| same, brute force (method=\"reference\") | {brute['seconds']:.3f} | {brute['best']:.4g} "
        f"| {min(brute['mse']):.6f} |",
        f"| statsmodels KernelReg(bw=\"cv_ls\") | {sm['seconds']:.3f} | {sm['best']:.4g} "
        f"| {sm['mse'][0]:.6f} |",
        "",
        f"The fast and brute-force leave-one-out errors agree to a relative {same:.1e} "
        "over all 50 widths.",
    ]


def gpu_table() -> list[str]:
    """The recorded GPU runs of ``benchmarks/gpu_sdpa.py`` (``benchmarks/gpu/*.json``)."""
    rows = ["| device | software | path | best of 3 (s) | first call (s) "
            "| max rel. diff vs float64 (1,000 queries) |", "|---|---|---|---|---|---|"]
    for path in sorted((HERE / "gpu").glob("*.json")):
        run = json.loads(path.read_text())
        soft = f"torch {run['torch']}, CUDA {run['cuda']}" + (
            f", Triton {run['triton']}" if run.get("triton") else "")
        for name, row in run.get("triton_forward", {}).items():
            rows.append(f"| {run['device']} | {soft} | Triton kernel, {name} "
                        f"| {row['best_s']:.3f} | {row['first_call_s']:.1f} | {row['max_rel_error']:.1e} |")
        for name, row in run.get("forward", {}).items():
            if "best_s" in row:
                rows.append(f"| {run['device']} | {soft} | SDPA, {name} backend "
                            f"| {row['best_s']:.3f} | - | {row['max_rel_error']:.1e} |")
        if "best_s" in run.get("classification", {}):
            row = run["classification"]
            rows.append(f"| {run['device']} | {soft} | SDPA, classification | {row['best_s']:.3f} "
                        f"| - | - |")
        if "best_s" in run.get("learned_width", {}):
            rows.append(f"| {run['device']} | {soft} | SDPA, learned width (forward + backward) "
                        f"| {run['learned_width']['best_s']:.3f} | - | - |")
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[1_000, 10_000, 20_000, 100_000],
                        help="values of n = m (default: 1000 10000 20000 100000)")
    sizes = sorted(parser.parse_args().sizes)
    load_before = loadavg()
    floor = {dt: run_case({"impl": "exp", "dtype": dt})["evals_per_s"] for dt in ("float64", "float32")}
    torch_exp = {dt: run_case({"impl": "exp", "dtype": dt, "library": "torch"})["evals_per_s"]
                 for dt in ("float64", "float32")}
    print(f"exp floor: {floor}, torch {torch_exp}", flush=True)
    with tempfile.TemporaryDirectory() as tmp:
        nw = nw_table(sizes, Path(tmp), floor)
    loo = loo_table(2_000)
    info = [line.format(load_before=load_before, load_after=loadavg()) for line in machine()]
    text = "\n".join([
        "# Benchmark results",
        "",
        "Written by `.venv/bin/python benchmarks/run.py`; do not edit by hand.",
        "",
        "<!-- table -->",
        "## Machine",
        "",
        *info,
        f"- exp floor (np.exp on an in-cache block, all cores): "
        f"{floor['float64'] / 1e9:.2f} G/s float64, {floor['float32'] / 1e9:.2f} G/s float32; "
        f"torch's vectorised exp, which nwlib uses: {torch_exp['float64'] / 1e9:.2f} G/s float64, "
        f"{torch_exp['float32'] / 1e9:.2f} G/s float32.",
        "",
        "## Gaussian Nadaraya-Watson, n keys and m queries",
        "",
        f"Widths: 0.05 in 1-D, 0.5 in 5-D, data on [-2.5, 2.5]^d. statsmodels is skipped where "
        f"it would take more than {COMPETITOR_LIMIT_S:.0f} s (extrapolated quadratically from the "
        f"previous size) above n = {TARGET_N:,}, or when it ran past {COMPETITOR_TIMEOUT_S:.0f} s; the textbook code where its two "
        f"m x n matrices exceed {TEXTBOOK_LIMIT_BYTES / 2**30:.0f} GiB. float32 rows compare with "
        "statsmodels' float64 run. Peak memory: the case's peak resident set (ru_maxrss) minus "
        "its resident set just before the call (interpreter, libraries and data). \"Pairs "
        "evaluated\" is the share of the m n kernel values nwlib computes: it skips keys whose "
        "weights are below 2^-(p+8)/n of their row's largest (p the mantissa's bits), which "
        "together move an answer by less than 1/256 of a rounding. The last column is the "
        "rate of those evaluations (distance, shift, exp and products included) against the "
        "np.exp floor of the dtype.",
        "",
        *nw,
        "",
        "## Leave-one-out bandwidth choice, n = 2,000, 1-D",
        "",
        *loo,
        "",
        "## GPU, n = m = 10^6, d = 3, float32, width 0.1",
        "",
        "Recorded runs of `benchmarks/gpu_sdpa.py` (`benchmarks/gpu/*.json`; this script "
        "does not rerun them). Target: under 0.5 s on one H100; KeOps publishes 1.39 s for a "
        "Gaussian kernel sum of this size on an RTX 2080 Ti.",
        "",
        *gpu_table(),
        "",
    ])
    RESULTS.write_text(text)
    print(text)


if __name__ == "__main__":
    main()
