"""Benchmark nwlib against statsmodels and the full-matrix textbook code; write results.md.

    .venv/bin/python benchmarks/run.py            # about 10 minutes on 2 quiet cores
    .venv/bin/python benchmarks/run.py --quick    # about 2 minutes: n = m up to 20,000

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
from case import WIDTH

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
#: The two widths of every case: the favourable one (narrow next to the data's range)
#: and the one leave-one-out picks (see :func:`learner_widths`).
FAVOURABLE, LEAVE_ONE_OUT = "favourable", "leave-one-out"
#: Largest n at the leave-one-out width (5-D: every pair is evaluated at both widths,
#: so n = 100,000 would repeat the favourable row's minute).
SECOND_WIDTH_MAX_N = {1: 100_000, 5: 20_000}
#: Largest n for statsmodels at the leave-one-out width (its time hardly depends on it).
SECOND_WIDTH_SM_MAX_N = {1: 20_000, 5: 10_000}
COMPACT_KERNELS = ("boxcar", "triangular", "epanechnikov", "tricube", "cosine")
#: statsmodels' KernelReg offers one compact kernel, tricube; timed up to this n.
COMPACT_SM_MAX_N = 10_000
README = HERE.parent / "README.md"
HIGHLIGHTS = ("<!-- bench-highlights:start -->", "<!-- bench-highlights:end -->")


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


def learner_widths() -> dict[int, float]:
    """The widths leave-one-out picks, rounded to 3 digits: on the course's running example
    (1-D, n = 40 on [0, 5], the same range as the benchmark's data) and on the 5-D data
    (n = 2,000)."""
    from case import data

    import nwlib

    candidates = np.geomspace(0.02, 3.0, 80)
    example = nwlib.course.running_example()
    x5, y5, _ = data(2_000, 5, "float64")
    picked = {1: nwlib.loo_bandwidth(example.x_train, example.y_train, candidates)[0],
              5: nwlib.loo_bandwidth(x5, y5, candidates)[0]}
    return {d: float(f"{w:.3g}") for d, w in picked.items()}


# C901 (11 branches) kept: the table's measurement loop, whose skip rules for statsmodels and the
# textbook code read best in one place; it runs only under `make bench` (tens of minutes).
def nw_table(sizes: list[int], tmp: Path, floor: dict, widths: dict[int, list[tuple[str, float]]],  # noqa: C901
             results: dict) -> list[str]:
    """One row per dimension, width, size and dtype; ``results[(d, label, n, dtype)]`` keeps
    the measurements for the other tables and the README highlights."""
    rows = [
        "| d | width | n = m | dtype | route | nwlib (s) | cut-off route (s) | statsmodels (s) "
        "| textbook (s) | speed-up vs statsmodels | max abs diff vs statsmodels (rel.) | vs textbook "
        "| nwlib peak MiB above start | pairs evaluated by the cut-off | pairs skipped "
        "| cut-off's evaluated/s, % of np.exp floor |",
        "|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|",
    ]
    for d in (1, 5):
        for label, h in widths[d]:
            first = label == FAVOURABLE
            sm_time: dict[int, float] = {}
            for n in sizes:
                if not first and n > SECOND_WIDTH_MAX_N[d]:
                    continue
                for dtype in ("float64", "float32"):
                    tag = f"{d}-{label}-{n}"
                    path = {k: tmp / f"{k}-{tag}-{dtype}.npy" for k in ("nwlib", "sm", "tb")}
                    base = {"n": n, "d": d, "dtype": dtype, "h": h}
                    repeat = 3 if n <= TARGET_N else 1
                    ours = run_case({**base, "impl": "nwlib", "out": str(path["nwlib"]), "repeat": repeat})
                    print(f"d={d} h={h} n={n} {dtype}: nwlib {ours['seconds']:.3f} s ({ours['route']})",
                          flush=True)
                    cut = ours
                    if ours["route"] != "cut-off":
                        cut = run_case({**base, "impl": "cutoff", "out": str(tmp / f"cut-{tag}-{dtype}.npy"),
                                        "repeat": repeat})
                        print(f"    cut-off route {cut['seconds']:.3f} s", flush=True)
                    sm = None
                    if dtype == "float64":
                        prev = max((k for k in sm_time if k < n), default=None)
                        guess = sm_time[prev] * (n / prev) ** 2 if prev else 0.0
                        # Up to the target size statsmodels always runs: its fixed cost per
                        # query makes small sizes a poor guide to large ones.
                        limit = TARGET_N if first else SECOND_WIDTH_SM_MAX_N[d]
                        if n <= limit or (first and guess <= COMPETITOR_LIMIT_S):
                            res = run_case({**base, "impl": "statsmodels", "out": str(path["sm"])},
                                           timeout=COMPETITOR_TIMEOUT_S)
                            sm = res and res["seconds"]
                            if sm:
                                sm_time[n] = sm
                            print(f"    statsmodels {sm} s", flush=True)
                    else:
                        sm = sm_time.get(n)
                        path["sm"] = tmp / f"sm-{tag}-float64.npy"
                    tb = None
                    # The textbook code computes every pair whatever the width: once is enough.
                    if first and 2 * n * n * np.dtype(dtype).itemsize <= TEXTBOOK_LIMIT_BYTES:
                        tb = run_case({**base, "impl": "textbook", "out": str(path["tb"])})["seconds"]
                    speed = f"{sm / ours['seconds']:.0f}x" if sm else "-"
                    d_sm = "-"
                    if sm:
                        a, r = max_diff(path["nwlib"], path["sm"])
                        d_sm = f"{a:.1e} ({r:.1e})"
                    d_tb = f"{max_diff(path['nwlib'], path['tb'])[0]:.1e}" if tb else "-"
                    tb_s = fmt_s(tb) if first else "not rerun"
                    share = cut["evaluated_pairs"] / (n * n)
                    rate = cut["evaluated_pairs"] / cut["seconds"]
                    results[(d, label, n, dtype)] = {**ours, "sm": sm, "share": share, "h": h,
                                                     "cutoff": cut["seconds"]}
                    cut_s = "same" if cut is ours else fmt_s(cut["seconds"])
                    rows.append(
                        f"| {d} | {h:g} ({label}) | {n:,} | {dtype} | {ours['route']} "
                        f"| {fmt_s(ours['seconds'])} | {cut_s} | {fmt_s(sm)} "
                        f"| {tb_s} | {speed} | {d_sm} | {d_tb} | {ours['peak_above_mib']:.1f} "
                        f"| {100 * share:.0f}% | {100 * (1 - share):.0f}% "
                        f"| {rate / 1e9:.2f} G ({100 * rate / floor[dtype]:.0f}%) |"
                    )
    return rows


def compact_table(sizes: list[int], widths: list[tuple[str, float]], tmp: Path,
                  results: dict) -> list[str]:
    """Each compact kernel against the Gaussian (1-D, float64, same run) and statsmodels."""
    rows = [
        "| kernel | width | n = m | nwlib (s) | Gaussian, cut-off route (s) | Gaussian cut-off / kernel "
        "| Gaussian, default route (s) | pairs skipped | statsmodels tricube (s) "
        "| speed-up vs statsmodels "
        "| max diff vs reference path (500 queries, rel. to sum w abs(v) / sum w) |",
        "|---|---|---|---|---|---|---|---|---|---|---|",
    ]
    scratch = str(tmp / "compact.npy")
    for label, h in widths:
        for n in sizes:
            base = {"n": n, "d": 1, "dtype": "float64", "h": h, "out": scratch}
            gauss = results.get((1, label, n, "float64"))
            if gauss is None:
                gauss = run_case({**base, "impl": "nwlib"})
                gauss["cutoff"] = (gauss["seconds"] if gauss["route"] == "cut-off"
                                   else run_case({**base, "impl": "cutoff"})["seconds"])
                results[(1, label, n, "float64")] = gauss
            sm = None
            if n <= COMPACT_SM_MAX_N:
                res = run_case({**base, "impl": "statsmodels", "kernel": "tricube"},
                               timeout=COMPETITOR_TIMEOUT_S)
                sm = res and res["seconds"]
            for kernel in COMPACT_KERNELS:
                ours = run_case({**base, "impl": "nwlib", "kernel": kernel,
                                 "repeat": 3 if n <= 20_000 else 1})
                results[("compact", kernel, label, n)] = {**ours, "gauss": gauss["cutoff"], "sm": sm}
                print(f"{kernel} h={h} n={n}: {ours['seconds']:.3f} s (Gaussian cut-off "
                      f"{gauss['cutoff']:.3f} s)", flush=True)
                speed = f"{sm / ours['seconds']:.0f}x" if sm else "-"
                rows.append(
                    f"| {kernel} | {h:g} ({label}) | {n:,} | {fmt_s(ours['seconds'])} "
                    f"| {fmt_s(gauss['cutoff'])} | {gauss['cutoff'] / ours['seconds']:.1f}x "
                    f"| {fmt_s(gauss['seconds'])} ({gauss['route']}) "
                    f"| {100 * (1 - ours['evaluated_pairs'] / n**2):.0f}% | {fmt_s(sm)} | {speed} "
                    f"| {ours['max_rel_vs_reference']:.1e} |"
                )
    return rows


def load_table(widths: list[tuple[str, float]], results: dict) -> list[str]:
    """The default path alone and next to one busy process, at n = m = TARGET_N in 1-D."""
    rows = ["| width | alone (s) | next to a busy process (s) | ratio | load average before |",
            "|---|---|---|---|---|"]
    for label, h in widths:
        before = loadavg()
        res = run_case({"impl": "load", "n": TARGET_N, "h": h, "repeat": 7})
        quiet, loaded = res["quiet"][3], res["loaded"][3]
        results[("load", label)] = (quiet, loaded)
        print(f"load h={h}: alone {quiet:.3f} s, loaded {loaded:.3f} s", flush=True)
        rows.append(f"| {h:g} ({label}) | {quiet:.3f} | {loaded:.3f} | {loaded / quiet:.2f}x | {before} |")
    return rows


def loo_table(n: int, results: dict) -> list[str]:
    ours = run_case({"impl": "loo-auto", "n": n})
    brute = run_case({"impl": "loo-reference", "n": n})
    sm = run_case({"impl": "loo-statsmodels", "n": n})
    same = np.max(np.abs(np.array(ours["mse"]) / np.array(brute["mse"]) - 1))
    results["loo"] = {"n": n, "seconds": ours["seconds"], "sm": sm["seconds"], "same": same}
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


def highlights(results: dict, widths: dict[int, list[tuple[str, float]]], compact_n: int) -> list[str]:
    """The README's summary of this run: 1-D at the target size at both widths."""
    rows = ["| 1-D, n = m = 20,000 | width | nwlib (route) | cut-off route | statsmodels `KernelReg` "
            "| speed-up | pairs the cut-off skips |",
            "|---|---|---|---|---|---|---|"]
    for dtype in ("float64", "float32"):
        for label, h in widths[1]:
            r = results.get((1, label, TARGET_N, dtype))
            if r and r["sm"]:
                rows.append(f"| Gaussian, {dtype} | {h:g} ({label}) | {r['seconds']:.3g} s ({r['route']}) "
                            f"| {r['cutoff']:.3g} s | {r['sm']:.3g} s "
                            f"| {r['sm'] / r['seconds']:.0f}x | {100 * (1 - r['share']):.0f}% |")
    lines = [*rows, ""]
    for label, h in widths[1]:
        compact = {key[1]: r for key, r in results.items()
                   if key[0] == "compact" and key[2:] == (label, compact_n)}
        if compact:
            ratio = {k: r["gauss"] / r["seconds"] for k, r in compact.items()}
            slow, quick = min(ratio, key=ratio.get), max(ratio, key=ratio.get)
            lines.append(f"- Compact kernels, 1-D, n = m = {compact_n:,}, width {h:g} ({label}): "
                         f"{ratio[slow]:.1f}x ({slow}) to {ratio[quick]:.1f}x ({quick}) the "
                         "speed of the Gaussian's cut-off route, exact (every key in reach is scored).")
    if "loo" in results:
        loo = results["loo"]
        lines.append(f"- Leave-one-out over 50 widths, n = {loo['n']:,}: {loo['seconds']:.3g} s against "
                     f"{loo['sm']:.3g} s for statsmodels' `cv_ls` ({loo['sm'] / loo['seconds']:.0f}x), "
                     f"the same errors as brute force (to {loo['same']:.1e}).")
    for label, h in widths[1]:
        if ("load", label) in results:
            quiet, loaded = results[("load", label)]
            lines.append(f"- Next to one busy process (2 cores), width {h:g}: {quiet:.3f} s alone, "
                         f"{loaded:.3f} s loaded ({loaded / quiet:.2f}x).")
    return lines


def write_highlights(lines: list[str], markers: tuple[str, str] = HIGHLIGHTS) -> None:
    """Replace the README's block between ``markers`` with ``lines``."""
    text = README.read_text()
    start, end = text.find(markers[0]), text.find(markers[1])
    if start < 0 or end < start:
        return
    README.write_text(text[: start + len(markers[0])] + "\n" + "\n".join(lines) + "\n" + text[end:])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=None,
                        help="values of n = m (default: 1000 10000 20000 100000)")
    parser.add_argument("--quick", action="store_true",
                        help="n = m up to 20,000 only (compact kernels at 10,000 and 20,000)")
    parser.add_argument("--note", default="",
                        help="a line printed at the top of results.md, e.g. that the machine was busy")
    args = parser.parse_args()
    full = [1_000, 10_000, 20_000, 100_000]
    sizes = sorted(args.sizes or ([1_000, 10_000, 20_000] if args.quick else full))
    compact_sizes = [10_000, 20_000] if args.quick else [10_000, 100_000]
    load_before = loadavg()
    floor = {dt: run_case({"impl": "exp", "dtype": dt})["evals_per_s"] for dt in ("float64", "float32")}
    torch_exp = {dt: run_case({"impl": "exp", "dtype": dt, "library": "torch"})["evals_per_s"]
                 for dt in ("float64", "float32")}
    print(f"exp floor: {floor}, torch {torch_exp}", flush=True)
    loo_width = learner_widths()
    widths = {d: [(FAVOURABLE, WIDTH[d]), (LEAVE_ONE_OUT, loo_width[d])] for d in (1, 5)}
    print(f"widths: {widths}", flush=True)
    results: dict = {}
    load = load_table(widths[1], results)
    with tempfile.TemporaryDirectory() as tmp:
        nw = nw_table(sizes, Path(tmp), floor, widths, results)
        compact = compact_table(compact_sizes, widths[1], Path(tmp), results)
    loo = loo_table(2_000, results)
    info = [line.format(load_before=load_before, load_after=loadavg()) for line in machine()]
    text = "\n".join([
        "# Benchmark results",
        "",
        "Written by `.venv/bin/python benchmarks/run.py" + (" --quick" if args.quick else "")
        + "`; do not edit by hand.",
        "",
        *([f"**{args.note}**", ""] if args.note else []),
        "<!-- table -->",
        "## Machine",
        "",
        *info,
        f"- exp floor (np.exp on an in-cache block, all cores): "
        f"{floor['float64'] / 1e9:.2f} G/s float64, {floor['float32'] / 1e9:.2f} G/s float32; "
        f"torch's vectorised exp, which nwlib uses: {torch_exp['float64'] / 1e9:.2f} G/s float64, "
        f"{torch_exp['float32'] / 1e9:.2f} G/s float32.",
        "",
        "## Two widths",
        "",
        f"Every case runs at two widths. The favourable one, {WIDTH[1]:g} in 1-D and {WIDTH[5]:g} "
        "in 5-D on data spread over [-2.5, 2.5]^d, is narrow next to the data's range, so most "
        "pairs lie out of reach and are skipped. The second is the width leave-one-out "
        f"cross-validation picks: {loo_width[1]:g} on the course's running example (40 points "
        f"on [0, 5], the same range), {loo_width[5]:g} on the 5-D data (n = 2,000). At that width "
        "in 1-D almost every pair is within reach, and the speed-up is what is left without "
        "skipping. The columns \"pairs evaluated\" and \"pairs skipped\" give the split at each width.",
        "",
        "## Gaussian Nadaraya-Watson, n keys and m queries",
        "",
        f"Data on [-2.5, 2.5]^d. statsmodels is skipped where "
        f"it would take more than {COMPETITOR_LIMIT_S:.0f} s (extrapolated quadratically from the "
        f"previous size) above n = {TARGET_N:,}, or when it ran past {COMPETITOR_TIMEOUT_S:.0f} s; "
        "the textbook code where its two "
        f"m x n matrices exceed {TEXTBOOK_LIMIT_BYTES / 2**30:.0f} GiB. float32 rows compare with "
        "statsmodels' float64 run. Peak memory: the case's peak resident set (ru_maxrss) minus "
        "its resident set just before the call (interpreter, libraries and data). \"Route\" is "
        "the one `nwlib.nadaraya_watson` takes (`nwlib.gaussian_plan(...).route`): the cut-off, or "
        "above its crossover in d <= 3 the fast Gauss transform (its own benchmark is "
        "results-fgt.md); where it takes the transform, the cut-off route is timed too, in the "
        "same run, for comparison with earlier runs. \"Pairs "
        "evaluated\" is the share of the m n kernel values the cut-off route computes: it skips keys whose "
        "weights are below 2^-(p+8)/n of their row's largest (p the mantissa's bits), and "
        "widens a row's reach where the skipped keys' largest |value| could move its answer "
        "by more than 2^-(p+3) of sum_i w_i |v_i| (see the Scaling up page). The last column is the "
        "rate of those evaluations (distance, shift, exp and products included) against the "
        "np.exp floor of the dtype. At the leave-one-out width the textbook code is not rerun "
        "(it computes every pair at any width), statsmodels runs up to n = "
        f"{SECOND_WIDTH_SM_MAX_N[1]:,} in 1-D and {SECOND_WIDTH_SM_MAX_N[5]:,} in 5-D, and 5-D "
        f"stops at n = {SECOND_WIDTH_MAX_N[5]:,} (every pair is evaluated at both widths there).",
        "",
        *nw,
        "",
        "## Compact kernels, 1-D, float64",
        "",
        "A compact kernel is exactly 0 beyond u = 1, so nwlib scores only the keys within one "
        "width of each query (sorted keys, one slice per block of queries): nothing is "
        "approximated. The Gaussian columns are the same run's Gaussian row at that width and "
        "size: its cut-off route, which skips keys out of reach in the same way, and the "
        "route `nadaraya_watson` takes by default (the fast transform has no compact-kernel "
        "counterpart). statsmodels' `KernelReg` offers one compact kernel, tricube, timed at n = "
        f"{COMPACT_SM_MAX_N:,}; its answers are not compared, because its tricube gives keys "
        "beyond the support the weight of u = 0 (70/81) instead of 0. The last column compares "
        "with nwlib's reference path (`method=\"reference\"`, every pair) on the first 500 queries.",
        "",
        *compact,
        "",
        "## Under load",
        "",
        f"The default path (1-D Gaussian, float64, n = m = {TARGET_N:,}), median of 7 calls alone "
        "and 7 calls while a busy-loop process started by the benchmark holds one core. Target: "
        "at most 1.5x. Blocks go to a pool of two threads per core, each taking the next block "
        "when free, so a thread that loses its core does fewer blocks instead of stalling every call.",
        "",
        *load,
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
    if not args.quick and args.sizes is None:
        note = [f"**{args.note}**", ""] if args.note else []
        write_highlights(note + highlights(results, widths, max(compact_sizes)))
    print(text)


if __name__ == "__main__":
    main()
