"""nwlib works in child processes, whichever way they are started.

A child made by ``fork()`` inherits the parent's memory but only the forking
thread: a thread pool cached before the fork looks alive in the child and never
runs anything. Each check runs in a fresh interpreter with a timeout, so a child
that hangs fails this test instead of hanging the suite.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap

import pytest

SCRIPT = textwrap.dedent(
    """
    import multiprocessing as mp
    import sys

    import numpy as np
    import nwlib

    def work(seed):
        rng = np.random.default_rng(seed)
        x = rng.uniform(0, 5, 3_000)
        out = nwlib.nadaraya_watson(x, x, np.sin(x), bandwidth=0.05)
        mse = nwlib.loo_bandwidth(x[:500], np.sin(x[:500]), [0.05, 0.5])[1]
        return float(out.sum()) + float(mse.sum())

    if __name__ == "__main__":
        method = sys.argv[1]
        parent = work(0)  # the parent has used the thread pool before the children start
        with mp.get_context(method).Pool(2) as pool:
            children = pool.map(work, [0, 0])
        assert children == [parent, parent], (parent, children)
        print("ok")
    """
)


@pytest.mark.parametrize("method", ["fork", "spawn", "forkserver"])
def test_children_finish_after_the_parent_used_the_pool(method, tmp_path):
    if method not in __import__("multiprocessing").get_all_start_methods():
        pytest.skip(f"{method} is not available on this platform")
    script = tmp_path / "children.py"
    script.write_text(SCRIPT)
    # A session of its own, so that a hung run's children are stopped with it.
    proc = subprocess.Popen([sys.executable, str(script), method], stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True, cwd=tmp_path,
                            start_new_session=True)
    try:
        stdout, stderr = proc.communicate(timeout=90)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)
        proc.communicate()
        pytest.fail(f"children started by {method!r} hung after the parent used nwlib")
    assert proc.returncode == 0 and stdout.strip() == "ok", stderr[-2000:]
