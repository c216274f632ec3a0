"""Every function works in bounded memory, or refuses at once (issue 11, item 5)."""

from __future__ import annotations

import tracemalloc

import numpy as np
import pytest

import nwlib
from nwlib.blocking import available_memory


def _peak_mib(call) -> tuple[object, float]:
    tracemalloc.start()
    try:
        out = call()
        return out, tracemalloc.get_traced_memory()[1] / 2**20
    finally:
        tracemalloc.stop()


@pytest.mark.parametrize("function", ["attention_weights", "attention_weights_per_key"])
def test_a_matrix_beyond_memory_is_refused_at_once(function):
    free = available_memory()
    assert free is not None  # Linux: /proc/meminfo
    m = int(np.sqrt(free / 8)) * 4  # 16 times the free memory in float64
    queries, keys = np.zeros(m), np.linspace(0.0, 1.0, m)
    kwargs = {"bandwidth": 0.1} if function == "attention_weights" else {"bandwidths": 0.1}
    # Raised before any work: computing this matrix would take hours.
    with pytest.raises(MemoryError, match=r"GiB, more than the .* call nadaraya_watson"):
        getattr(nwlib, function)(queries, keys, **kwargs)


def test_per_key_widths_are_blocked_and_keep_float32():
    rng = np.random.default_rng(0)
    x = rng.uniform(0, 5, (3000, 2)).astype(np.float32)
    y = np.sin(x[:, 0]).astype(np.float32)
    widths = np.full(3000, 0.3)
    out, peak = _peak_mib(lambda: nwlib.nadaraya_watson_per_key(x, x, y, bandwidths=widths))
    assert out.dtype == np.float32
    # the unblocked code held (m, n, d) differences: 3000 * 3000 * 2 * 8 bytes = 137 MiB
    assert peak < 48, f"{peak:.0f} MiB"
    ref = nwlib.nadaraya_watson(x, x, y, bandwidth=0.3)
    np.testing.assert_allclose(out, ref, rtol=2e-5, atol=2e-6)


_GRAD_STEP = """
import resource, numpy as np, torch, nwlib
rng = np.random.default_rng(1)
x = torch.tensor(rng.uniform(0, 5, (N, 2)))
y = torch.sin(x[:, :1])
small = torch.tensor(0.4, dtype=torch.float64, requires_grad=True)
nwlib.leave_one_out_loss(x[:50], y[:50], small).backward()  # warm up
before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
h = torch.tensor(0.4, dtype=torch.float64, requires_grad=True)
nwlib.leave_one_out_loss(x, y, h).backward()
assert torch.isfinite(h.grad)
print((resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - before) / 1024)
"""


@pytest.mark.slow  # tens of seconds: make test runs it, make unit leaves it out
def test_a_gradient_step_holds_one_block_at_a_time():
    """Full-batch leave-one-out loss and its gradient at n = 3000 in 2-D: without
    checkpointing, autograd keeps every block's (b, n, d) arrays until backward,
    over 500 MiB here; with it, about 150 MiB (a few blocks of 8 MiB and their gradients)."""
    import subprocess
    import sys

    out = subprocess.run([sys.executable, "-c", _GRAD_STEP.replace("N", "3000")],
                         capture_output=True, text=True, check=True)
    grown = float(out.stdout.strip().splitlines()[-1])
    assert grown < 200, f"peak memory grew by {grown:.0f} MiB"  # 526 MiB unblocked
