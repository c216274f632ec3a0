"""The fast paths share blocks among their own threads and leave torch's settings as found.

Whether a call keeps its speed next to a busy process is measured in
``benchmarks/`` (the load case), not here; these tests check the contract that
design relies on.
"""

from __future__ import annotations

import threading

import numpy as np
import pytest
import torch

import nwlib
from nwlib._backends import cpu_gauss
from nwlib.blocking import TILE_ITEMSIZE, TILE_SHARE, working_memory_limit


def _data(n: int = 3_000, seed: int = 5):
    rng = np.random.default_rng(seed)
    x = rng.uniform(0, 5, n)
    return rng.uniform(0, 5, n), x, np.sin(x) + rng.normal(0, 0.2, n)


@pytest.mark.parametrize("before", [1, 2, 3])
def test_torch_thread_count_is_restored(before):
    saved = torch.get_num_threads()
    try:
        torch.set_num_threads(before)
        q, x, y = _data()
        nwlib.nadaraya_watson(q, x, y, bandwidth=0.05)
        nwlib.attention_weights(q[:50], x, bandwidth=0.05)
        nwlib.loo_bandwidth(x[:500], y[:500], [0.01, 0.1, 1.0])
        assert torch.get_num_threads() == before
    finally:
        torch.set_num_threads(saved)


@pytest.mark.parametrize("before", [1, 2, 3])
def test_a_single_block_runs_torch_on_one_thread_and_restores(before):
    """A call of one block: torch's OpenMP team would split even that and, next to a
    busy process, wait a scheduler slice for it; so the block runs on one thread, and
    the caller's setting comes back, also for CPU tensors and compact kernels."""
    seen = []

    def work(item):
        seen.append(torch.get_num_threads())
        return item

    saved = torch.get_num_threads()
    try:
        torch.set_num_threads(before)
        assert cpu_gauss.parallel(work, [0]) == [0] and seen == [1]
        q, x, y = _data(50)
        for kernel in ("gaussian", "epanechnikov"):
            nwlib.nadaraya_watson(torch.from_numpy(q), torch.from_numpy(x), torch.from_numpy(y),
                                  bandwidth=2.0, kernel=kernel)
            nwlib.attention_weights(q, x, bandwidth=2.0, kernel=kernel)
        assert torch.get_num_threads() == before
    finally:
        torch.set_num_threads(saved)


def test_serial_torch_nests_and_restores_once():
    saved = torch.get_num_threads()
    with cpu_gauss.serial_torch():
        torch.set_num_threads(1)  # what a pool thread does
        with cpu_gauss.serial_torch():
            pass
        assert torch.get_num_threads() == 1  # the inner exit must not restore yet
    assert torch.get_num_threads() == saved


def test_blocks_are_shared_by_several_threads(monkeypatch):
    """Every block runs exactly once, some on different threads, results in order."""
    seen: list[str] = []
    original = cpu_gauss.parallel

    def spy(work, items):
        def wrapped(item):
            seen.append(threading.current_thread().name)
            return work(item)

        return original(wrapped, items)

    monkeypatch.setattr(cpu_gauss, "parallel", spy)
    q, x, y = _data()
    with working_memory_limit(2**12 * TILE_SHARE * TILE_ITEMSIZE / 2**20):  # tiles of 2**12
        got = nwlib.nadaraya_watson(q, x, y, bandwidth=0.05)
    np.testing.assert_allclose(got, nwlib.nadaraya_watson(q, x, y, bandwidth=0.05, method="reference"),
                               rtol=1e-12, atol=1e-12)
    assert len(seen) > cpu_gauss.workers()
    if cpu_gauss.n_threads() > 1:
        assert len(set(seen)) > 1


def test_concurrent_callers_get_their_own_answers():
    """Two user threads calling at once share the pool without mixing blocks."""
    cases = [_data(seed=s) for s in (1, 2)]
    expected = [nwlib.nadaraya_watson(q, x, y, bandwidth=0.05, method="reference") for q, x, y in cases]
    saved = torch.get_num_threads()
    results: list = [None, None]

    def call(i: int) -> None:
        q, x, y = cases[i]
        results[i] = [nwlib.nadaraya_watson(q, x, y, bandwidth=0.05) for _ in range(3)]

    threads = [threading.Thread(target=call, args=(i,)) for i in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    for got, want in zip(results, expected, strict=True):
        for g in got:
            np.testing.assert_allclose(g, want, rtol=1e-12, atol=1e-12)
    assert torch.get_num_threads() == saved
