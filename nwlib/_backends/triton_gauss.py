"""Gaussian Nadaraya-Watson on CUDA tensors: one fused Triton kernel, forward only.

Each program owns ``BLOCK_M`` queries and streams every key past them, one
block of ``BLOCK_N`` keys at a time, keeping flash attention's running state per
query: the largest score so far, the softmax denominator and the numerators.
The (m, n) weights never exist. Scores, in log2 units, come from explicit
differences, ``-log2(e) / (2 h^2) * sum_j (w_j (q_j - k_j))^2`` with ``h`` the
smallest width and ``w_j = h / h_j``, on the ordinary float32 units: not on
tensor cores (tf32 keeps 10 bits) and not through ``|q|^2 - 2 q.k + |k|^2``, which
loses the digits of close pairs to cancellation. Nor are the data scaled before
the difference: rounding ``q_j / h_j`` costs digits in proportion to ``|q_j|``.
So the answers keep float32 accuracy for narrow widths and for data far from the
origin, where :mod:`nwlib._backends.sdpa` has to hand over to the slow reference code.

The kernel does no backward pass: :func:`available` says False when autograd
needs one, and :func:`nwlib.nadaraya_watson` then keeps the SDPA path.
``import triton`` happens on first use, so nwlib imports without it. Under
``TRITON_INTERPRET=1`` the kernel runs in Triton's interpreter on CPU tensors:
that is how the tests check it on machines without a GPU.
"""

from __future__ import annotations

import math
import os
from functools import lru_cache
from typing import Any

__all__ = ["available", "gaussian_nadaraya_watson", "tuned_configs"]

LOG2E = 1.0 / math.log(2.0)
#: Keys are padded to a multiple of this (every BLOCK_N divides it), so the key loop
#: needs no masks: padding keys sit at +inf and get weight exactly 0.
KEY_PAD = 128
#: Value channels per launch: more would spill registers; wider values take several.
MAX_CHANNELS = 4
#: Candidate tilings for Hopper, tried once per (d, channels, widths, size class).
#: Each thread owns r = BLOCK_M / (32 num_warps) queries and BLOCK_N keys a step, so
#: one load of a key serves r queries. Compiled for sm_90 (Triton 3.6 and 3.9), a
#: pair of a query and a key costs about 13 instructions for d = 3 and one channel
#: (3 differences, 3 fmas, a min, a subtraction, a product, ex2, two sums); the
#: tilings take 110 to 220 registers up to d = 5 and 4 channels, without spills.
#: r = 4 with BLOCK_N = 32 would need fewer loads but spills for 3 channels.
CONFIGS = [  # (BLOCK_M, BLOCK_N, num_warps)
    (256, 32, 4),  # r = 2
    (128, 32, 2),  # r = 2, smaller programs: finer waves over the SMs
    (512, 16, 4),  # r = 4
    (128, 64, 4),  # r = 1, fewer registers: more warps per SM
]
#: The tiling the interpreter uses: small, so the tests cover several blocks and tails.
INTERPRETER_CONFIG = (32, 16, 1)


def _interpreting() -> bool:
    return os.environ.get("TRITON_INTERPRET", "0").lower() in ("1", "true", "on", "yes")


@lru_cache(maxsize=1)
def _has_triton() -> bool:
    try:
        import triton  # noqa: F401
    except ImportError:
        return False
    return True


def available(queries: Any, keys: Any, values: Any, bandwidth: Any) -> bool:
    """Whether :func:`gaussian_nadaraya_watson` can take these prepared tensors.

    True for float32 tensors of shapes (m, d), (n, d), (n, c), (d,) on one CUDA
    device (or on the CPU while ``TRITON_INTERPRET=1``), when Triton imports and
    no gradient is asked for. Reads the smallest width (a device sync): widths
    below about 1e-19 would overflow the float32 scale of the scores.

    Examples
    --------
    >>> import torch
    >>> x = torch.zeros(5, 2)
    >>> available(x, x, x, torch.ones(2, dtype=torch.float64))  # float64 width
    False
    """
    import torch

    tensors = (queries, keys, values, bandwidth)
    if not all(isinstance(t, torch.Tensor) and t.dtype == torch.float32 for t in tensors):
        return False
    devices = {t.device for t in tensors}
    device = next(iter(devices))
    on_cpu_in_interpreter = device.type == "cpu" and _interpreting()
    if len(devices) > 1 or not (device.type == "cuda" or on_cpu_in_interpreter):
        return False
    if torch.is_grad_enabled() and any(t.requires_grad for t in tensors):
        return False
    if queries.ndim != 2 or keys.ndim != 2 or values.ndim != 2 or bandwidth.ndim != 1:
        return False
    (m, d), (n, c) = queries.shape, values.shape
    if keys.shape != (n, d) or bandwidth.shape[0] != d or m == 0 or n == 0:
        return False
    # The kernel indexes with int32.
    if max(d, c) * (max(m, n) + KEY_PAD) >= 2**31 or not _has_triton():
        return False
    return math.isfinite(_neg_a2(float(bandwidth.min())))


def tuned_configs() -> dict[str, str]:
    """Report the tilings the autotuner has chosen in this process, as text.

    Maps each autotuning key (d, channels, scaled widths, size class, dtypes) to the
    configuration picked for it; empty before the first launch, without Triton, and
    in the interpreter (which does not autotune).

    Examples
    --------
    >>> isinstance(tuned_configs(), dict)
    True
    """
    if not _has_triton():
        return {}
    cache = getattr(_kernel(), "cache", {})
    return {str(key): str(config) for key, config in cache.items()}


def _neg_a2(h: float) -> float:
    """``-log2(e) / (2 h^2)`` if float32 can hold it, else -inf (h is not a width then)."""
    value = -LOG2E / (2.0 * h * h) if h > 0 else -math.inf
    return value if abs(value) < 3.4e38 else -math.inf


@lru_cache(maxsize=1)
def _kernel() -> Any:
    """Define the kernel on first use: ``@triton.jit`` reads TRITON_INTERPRET then."""
    import triton
    import triton.language as tl

    @triton.jit
    def nw_kernel(q_ptr, k_ptr, v_ptr, w_ptr, out_ptr, m, n_pad, out_stride, neg_a2, m_class,  # noqa: ARG001 (an autotune key)
                  D: tl.constexpr, C: tl.constexpr, C_PAD: tl.constexpr, SCALED: tl.constexpr,
                  BLOCK_M: tl.constexpr, BLOCK_N: tl.constexpr):
        # m_class only keys the autotuning. Tiles are (keys, queries): Triton lays
        # threads along the last axis, so each thread owns whole query columns and
        # the reductions over keys stay in its registers, with no shuffles.
        rows = tl.program_id(0) * BLOCK_M + tl.arange(0, BLOCK_M)
        row_ok = rows < m
        chans = tl.arange(0, C_PAD)
        mn = tl.full([BLOCK_M], float("inf"), tl.float32)  # smallest ss so far
        # The running sums gather one block's float32 partial sum per step: n / BLOCK_N
        # additions, whose float32 rounding grew to 1.3e-5 of the answer at n = 10^6.
        # In float64 they cost a few operations per query and block, not per pair.
        den = tl.zeros([BLOCK_M], tl.float64)
        acc = tl.zeros([C_PAD, BLOCK_M], tl.float64)
        for start in range(0, n_pad, BLOCK_N):
            cols = start + tl.arange(0, BLOCK_N)
            ss = tl.zeros([BLOCK_N, BLOCK_M], tl.float32)
            for j in tl.static_range(D):
                # Loop-invariant: the compiler hoists these loads out of the key loop.
                qj = tl.load(q_ptr + j * m + rows, mask=row_ok, other=0.0)
                diff = qj[None, :] - tl.load(k_ptr + j * n_pad + cols)[:, None]
                if SCALED:
                    diff = diff * tl.load(w_ptr + j)
                ss = tl.fma(diff, diff, ss)
            # Scores are neg_a2 * ss in log2 units, so the running max score belongs to
            # the running min of ss. Shifting ss by it before scaling keeps every
            # exponent <= 0 and the nearest key's exactly 0, however far the query is
            # from the keys. One fma(ss, neg_a2, -max score) would save an instruction,
            # but it rounds the max score and not its own product: near -2^32 the two
            # differ by up to 2^7, and exp2 overflows.
            mn_new = tl.minimum(mn, tl.min(ss, axis=0))
            alpha = tl.exp2((mn - mn_new) * neg_a2)
            p = tl.exp2((ss - mn_new[None, :]) * neg_a2)
            alpha64 = alpha.to(tl.float64)
            den = den * alpha64 + tl.sum(p, axis=0).to(tl.float64)
            acc = acc * alpha64[None, :]
            for j in tl.static_range(C):
                part = tl.sum(p * tl.load(v_ptr + j * n_pad + cols)[:, None], axis=0)
                acc = tl.where(chans[:, None] == j, acc + part.to(tl.float64)[None, :], acc)
            mn = mn_new
        tl.store(out_ptr + rows[None, :] * out_stride + chans[:, None],
                 (acc / den[None, :]).to(tl.float32), mask=row_ok[None, :] & (chans[:, None] < C))

    if _interpreting():
        return nw_kernel
    configs = [triton.Config({"BLOCK_M": bm, "BLOCK_N": bn}, num_warps=nw, num_stages=1)
               for bm, bn, nw in CONFIGS]
    return triton.autotune(configs, key=["D", "C", "SCALED", "m_class"])(nw_kernel)


def gaussian_nadaraya_watson(queries: Any, keys: Any, values: Any, bandwidth: Any) -> Any:
    """Gaussian NW of prepared float32 (m, d), (n, d), (n, c) tensors and (d,) widths.

    Call it where :func:`available` says True. Returns the (m, c) predictions.

    Examples
    --------
    >>> import torch
    >>> from nwlib._backends import sdpa
    >>> x = torch.tensor([[0.0], [1.0], [2.0]]); y = torch.tensor([[0.0], [1.0], [4.0]])
    >>> q, h = torch.tensor([[1.0]]), torch.tensor([0.05])
    >>> # On a CPU without TRITON_INTERPRET=1 this takes the SDPA path.
    >>> nw = gaussian_nadaraya_watson if available(q, x, y, h) else sdpa.gaussian_nadaraya_watson
    >>> nw(q, x, y, h)
    tensor([[1.]])
    """
    import torch

    (m, d), (n, c) = queries.shape, values.shape
    h = bandwidth.double()
    h_min = float(h.min())
    neg_a2 = _neg_a2(h_min)
    if not math.isfinite(neg_a2):
        raise ValueError(f"bandwidth {h_min:g} is too small for float32 scores; "
                         "pass float64 tensors or a wider bandwidth.")
    # Relative widths w_j = h_min / h_j <= 1 scale the differences; with one common
    # width all are 1 and the kernel skips the multiplications (SCALED=False). A w_j
    # of 0 (or a subnormal one, which the GPU may flush to 0) would turn the +inf
    # padding into NaN; the smallest normal float ignores the coordinate as well.
    w = (h_min / h).clamp(min=torch.finfo(torch.float32).tiny).float()
    scaled = bool((w != 1).any())
    n_pad = -(-n // KEY_PAD) * KEY_PAD
    dev = keys.device
    # Each coordinate a contiguous row, so a block of keys is one coalesced load.
    q_t = queries.t().contiguous()
    k_t = torch.full((d, n_pad), math.inf, dtype=torch.float32, device=dev)
    k_t[:, :n] = keys.t()
    v_t = torch.zeros((c, n_pad), dtype=torch.float32, device=dev)
    v_t[:, :n] = values.t()
    out = torch.empty((m, c), dtype=torch.float32, device=dev)
    kernel = _kernel()
    # Autotuning is per size class: small batches of queries want other tiles.
    m_class = min(m.bit_length(), 20)
    for c0 in range(0, c, MAX_CHANNELS):
        chunk = min(MAX_CHANNELS, c - c0)
        args = (q_t, k_t, v_t[c0:], w, out[:, c0:], m, n_pad, c, neg_a2, m_class, d, chunk,
                _next_power_of_2(chunk), scaled)
        if not hasattr(kernel, "configs"):  # defined under TRITON_INTERPRET: no autotuner
            bm, bn, nw = INTERPRETER_CONFIG
            kernel[(-(-m // bm),)](*args, BLOCK_M=bm, BLOCK_N=bn, num_warps=nw)
        else:
            kernel[lambda meta: (-(-m // meta["BLOCK_M"]),)](*args, enable_fp_fusion=True)
    return out


def _next_power_of_2(x: int) -> int:
    return 1 << (x - 1).bit_length()
