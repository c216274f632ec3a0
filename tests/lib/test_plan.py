"""gaussian_plan reports the work of the Gaussian fast path: every pair that matters, no more."""

import numpy as np
import pytest
import torch

import nwlib


@pytest.mark.parametrize("h", [0.01, 0.3, 5.0])
def test_counts_add_up_and_cover_every_key_that_matters(rng, h):
    # Clustered keys and far queries: the cut-off must still keep each query's own neighbours.
    keys = np.concatenate([rng.normal(0, 0.05, 300), rng.uniform(-50, 50, 300), [1e3]])
    queries = np.concatenate([rng.uniform(-60, 60, 200), [-1e3, 2e3]])
    plan = nwlib.gaussian_plan(queries, keys, bandwidth=h)
    assert plan.evaluated + plan.skipped == queries.size * keys.size
    # In 1-D the smallest score of each query is exact, so the pairs within the gap of it
    # are exactly the ones whose weights can change a digit: the plan must compute all of them.
    scores = (queries[:, None] - keys[None, :]) ** 2 / (2 * h * h)
    needed = int(np.sum(scores - scores.min(axis=1, keepdims=True) <= plan.gap))
    assert needed <= plan.evaluated


def test_narrow_width_skips_most_pairs_and_wide_width_none():
    x = np.linspace(0.0, 100.0, 2001)
    narrow = nwlib.gaussian_plan(x, x, bandwidth=0.05)
    assert narrow.skipped > 0.9 * x.size**2
    assert np.isclose(narrow.gap, np.log(x.size) + 61 * np.log(2.0))
    wide = nwlib.gaussian_plan(x, x, bandwidth=1e3)
    assert wide.skipped == 0


def test_torch_routes_compute_every_pair():
    x = torch.linspace(0.0, 100.0, 301, dtype=torch.float64, requires_grad=True)
    plan = nwlib.gaussian_plan(x, x, bandwidth=0.05)
    assert plan == (301 * 301, 0, float("inf"), "every pair")


def test_cpu_tensors_without_gradient_take_the_numpy_plan():
    # nadaraya_watson hands such tensors to the numpy routes, so the plan must too.
    x = np.linspace(0.0, 100.0, 301)
    assert nwlib.gaussian_plan(torch.from_numpy(x), torch.from_numpy(x), bandwidth=0.05) == \
        nwlib.gaussian_plan(x, x, bandwidth=0.05)


@pytest.mark.parametrize(("n", "d", "route"), [(2_000, 1, "cut-off"), (30_000, 1, "transform"),
                                              (30_000, 4, "cut-off")])
def test_route_is_the_one_nadaraya_watson_takes(monkeypatch, n, d, route):
    x = np.random.default_rng(0).uniform(-2.5, 2.5, (n, d))
    assert nwlib.gaussian_plan(x, x, bandwidth=0.37).route == route

    class Taken(Exception):
        pass

    def transform(*_args, **_kwargs):
        raise Taken

    monkeypatch.setattr("nwlib._backends.fgt.pool", transform)
    if route == "transform":
        with pytest.raises(Taken):
            nwlib.nadaraya_watson(x, x, x[:, 0], bandwidth=0.37)
    else:
        nwlib.nadaraya_watson(x[:10], x, x[:, 0], bandwidth=0.37)
