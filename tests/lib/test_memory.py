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
# Warm up on blocks small enough that there are several: one block needs no
# checkpoint, and torch's first checkpointed call (about 150 MiB of one-time set-up)
# is not a block's memory.
with nwlib.blocking.working_memory_limit(0.01):
    nwlib.leave_one_out_loss(x[:50], y[:50], bandwidth=small).backward()
before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
h = torch.tensor(0.4, dtype=torch.float64, requires_grad=True)
nwlib.leave_one_out_loss(x, y, bandwidth=h).backward()
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


def test_the_memory_knob_sizes_the_fast_paths_tiles():
    """One knob: the fast paths' blocks follow working_memory_limit."""
    from nwlib._backends.cpu_gauss import inverse_2h2
    from nwlib._backends.cutoff import Plan
    from nwlib.blocking import tile_elements, working_memory_limit

    x = np.linspace(0.0, 5.0, 2_000)[:, None]
    scale = inverse_2h2(np.array([0.37]), np.float64)
    default = Plan(x, x, scale, tile_elements()).blocks
    with working_memory_limit(1 / 32):  # tiles of 1,024 entries
        assert tile_elements() == 1024
        small = Plan(x, x, scale, tile_elements()).blocks
        got = nwlib.nadaraya_watson(x, x, np.sin(x), bandwidth=0.37)
    assert len(small) > 4 * len(default)
    assert all((r.stop - r.start) * (hi - lo) <= 1024 or r.stop - r.start == 1
               for r, lo, hi in small)
    np.testing.assert_allclose(got, nwlib.nadaraya_watson(x, x, np.sin(x), bandwidth=0.37),
                               rtol=1e-12, atol=1e-14)  # S = sum alpha |v| is about 0.5


def test_the_memory_knob_belongs_to_the_thread_that_sets_it():
    """As scikit-learn's config_context: another thread keeps its own setting."""
    import threading

    from nwlib.blocking import working_memory, working_memory_limit

    inside, seen = threading.Event(), []

    def other() -> None:
        inside.wait(10)
        seen.append(working_memory())
        with working_memory_limit(2.0):
            seen.append(working_memory())

    t = threading.Thread(target=other)
    t.start()
    with working_memory_limit(0.5):
        inside.set()
        t.join(10)
        assert working_memory() == 0.5
    assert seen == [8.0, 2.0] and working_memory() == 8.0


def test_a_child_process_starts_from_the_default_setting():
    import multiprocessing as mp

    from nwlib.blocking import working_memory_limit

    with working_memory_limit(0.5), mp.get_context("spawn").Pool(1) as pool:
        assert pool.apply(_child_memory) == 8.0


def _child_memory() -> float:
    from nwlib.blocking import working_memory

    return working_memory()
