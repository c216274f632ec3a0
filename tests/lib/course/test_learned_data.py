"""The learned-attention data sets: seeded, shaped as documented, targets as described."""

from __future__ import annotations

import numpy as np
import pytest

from nwlib.course.learned_data import oblique_example, oblique_target, two_neighbourhoods


def test_oblique_example_depends_on_one_direction_only():
    x, y, u = oblique_example(200, 4, noise=0.0, seed=3)
    assert x.shape == (200, 4) and np.linalg.norm(u) == pytest.approx(1.0)
    np.testing.assert_allclose(y, oblique_target(x @ u), rtol=0, atol=1e-12)
    again = oblique_example(200, 4, noise=0.1, seed=3)
    np.testing.assert_array_equal(again[0], oblique_example(200, 4, noise=0.1, seed=3)[0])


@pytest.mark.parametrize("bad", [dict(n=0), dict(d=1), dict(n=2.5)])
def test_oblique_example_rejects_bad_sizes(bad):
    with pytest.raises(ValueError, match=next(iter(bad))):
        oblique_example(**bad)


def test_two_neighbourhoods_target_is_two_pooled_signals():
    task = two_neighbourhoods(sets=2, n=7, m=3, concentration=4.0, seed=1)
    s, qa, ka = task.keys[..., 4:], task.query_angles, task.key_angles
    want = np.zeros((2, 3))
    for c in range(2):  # one softmax per angle, written out independently
        w = np.exp(4.0 * np.cos(qa[:, :, None, c] - ka[:, None, :, c]))
        want += (w * s[:, None, :, c]).sum(-1) / w.sum(-1)
    np.testing.assert_allclose(task.targets[..., 0], want, rtol=1e-12)
    np.testing.assert_allclose(task.queries[..., 4:], 0.0)
    with pytest.raises(ValueError, match="concentration"):
        two_neighbourhoods(concentration=0.0)
