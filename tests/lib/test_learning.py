"""Learning widths by gradient descent (nwlib.learning)."""

from __future__ import annotations

import numpy as np
import pytest
import torch
from hypothesis import given, settings
from hypothesis import strategies as st

import nwlib
from nwlib.learning import WidthHistory, learn_bandwidth, width_objective


@pytest.fixture(scope="module")
def data():
    return nwlib.course.running_example()


def test_loo_optimum_is_the_grid_optimum(data):
    grid = np.linspace(0.05, 2.0, 391)
    best, _ = nwlib.loo_bandwidth(data.x_train, data.y_train, grid)
    hist = learn_bandwidth(data.x_train, data.y_train, steps=300, progress=False)
    assert abs(hist.final - best) < 0.02
    # Its objective is no worse than the grid's best (up to the grid step).
    assert width_objective(data.x_train, data.y_train, bandwidth=hist.final) <= \
        width_objective(data.x_train, data.y_train, bandwidth=best) + 1e-4


def test_sgd_wanders_near_the_grid_optimum(data):
    hist = learn_bandwidth(data.x_train, data.y_train, steps=300, batch_size=10, progress=False)
    best, _ = nwlib.loo_bandwidth(data.x_train, data.y_train, np.linspace(0.05, 2.0, 391))
    assert abs(hist.widths[-100:, 0].mean() - best) < 0.05


def test_naive_objective_drives_the_width_down(data):
    hist = learn_bandwidth(data.x_train, data.y_train, leave_one_out=False, steps=200,
                           batch_size=10, progress=False)
    assert hist.final < 0.05
    assert np.all(np.diff(hist.widths[:, 0]) < 0)  # every step shrinks it
    assert hist.loss[-1] < 0.05 * hist.loss[0]


def test_irrelevant_coordinate_width_grows():
    x, y = nwlib.course.irrelevant_coordinate_example()
    hist = learn_bandwidth(x, y, init=[1.0, 1.0], per_coordinate=True, steps=200,
                           batch_size=30, progress=False)
    h1, h2 = hist.final
    assert h2 > 3.0 and h2 > 10 * h1
    assert hist.widths[-1, 1] > hist.widths[100, 1]  # still growing


def test_history_shapes_and_seeding(data):
    a = learn_bandwidth(data.x_train, data.y_train, steps=20, batch_size=8, seed=3, progress=False)
    b = learn_bandwidth(data.x_train, data.y_train, steps=20, batch_size=8, seed=3, progress=False)
    c = learn_bandwidth(data.x_train, data.y_train, steps=20, batch_size=8, seed=4, progress=False)
    assert isinstance(a, WidthHistory) and a.loss.shape == (20,) and a.widths.shape == (21, 1)
    np.testing.assert_array_equal(a.widths, b.widths)
    assert not np.array_equal(a.widths, c.widths)
    assert torch.get_num_threads() >= 1


def test_objective_matches_statsmodels_free_reference(data):
    # The leave-one-out error equals loo_bandwidth's (an independent loop in numpy).
    _, mse = nwlib.loo_bandwidth(data.x_train, data.y_train, [0.2, 0.7])
    got = [width_objective(data.x_train, data.y_train, bandwidth=h) for h in (0.2, 0.7)]
    np.testing.assert_allclose(got, mse, rtol=1e-10)


def test_objective_against_sklearn_leave_one_out(data):
    # sklearn's LeaveOneOut split, each fold predicted with nwlib.nadaraya_watson.
    from sklearn.model_selection import LeaveOneOut

    errs = [
        (nwlib.nadaraya_watson(data.x_train[test], data.x_train[train], data.y_train[train],
                               bandwidth=0.4)[0] - data.y_train[test][0]) ** 2
        for train, test in LeaveOneOut().split(data.x_train)
    ]
    objective = width_objective(data.x_train, data.y_train, bandwidth=0.4)
    assert objective == pytest.approx(np.mean(errs), rel=1e-10)


@settings(max_examples=20, deadline=None)
@given(st.floats(0.05, 5.0), st.integers(0, 10))
def test_widths_stay_positive_and_finite(init, seed):
    x = np.random.default_rng(seed).uniform(0, 5, 15)
    hist = learn_bandwidth(x, np.sin(x), init=init, steps=5, lr=0.5, seed=seed, progress=False)
    assert np.all(hist.widths > 0) and np.all(np.isfinite(hist.loss))


@pytest.mark.parametrize(
    "kwargs, match",
    [
        (dict(steps=0), "steps"),
        (dict(lr=-1.0), "learning rate"),
        (dict(batch_size=0), "batch_size"),
        (dict(batch_size=100), "batch_size"),
        (dict(init=-1.0), "bandwidth must be positive"),
        (dict(optimizer="rmsprop"), "optimizer"),
        (dict(num_threads=0), "num_threads"),
    ],
)
def test_bad_settings_raise(data, kwargs, match):
    with pytest.raises(ValueError, match=match):
        learn_bandwidth(data.x_train, data.y_train, progress=False, **kwargs)


def test_bad_data_raise():
    with pytest.raises(ValueError, match="values"):
        learn_bandwidth([0.0, 1.0, 2.0], [1.0, 2.0], progress=False)
    with pytest.raises(ValueError, match="at least 2 points"):
        learn_bandwidth([0.0], [1.0], progress=False)
    with pytest.raises(ValueError, match="NaN"):
        learn_bandwidth([0.0, np.nan], [1.0, 2.0], progress=False)
    with pytest.raises(ValueError, match="per_coordinate=True"):
        learn_bandwidth(np.ones((4, 2)) * np.arange(4)[:, None], np.arange(4.0), init=[1.0, 2.0],
                        progress=False)


def test_compact_kernel_without_neighbours_raises_instead_of_nan():
    with pytest.raises(ValueError, match="no other point in reach"):
        learn_bandwidth([0.0, 10.0, 20.0], [1.0, 2.0, 3.0], kernel="epanechnikov", init=1.0,
                        progress=False)


def test_no_progress_bar_needs_no_tqdm(data, monkeypatch):
    """tqdm is optional: progress=False must not import it."""
    import sys

    monkeypatch.setitem(sys.modules, "tqdm", None)  # any import of tqdm now fails
    monkeypatch.setitem(sys.modules, "tqdm.auto", None)
    hist = learn_bandwidth(data.x_train, data.y_train, steps=3, progress=False)
    assert hist.loss.shape == (3,)
    with pytest.raises(ImportError):
        learn_bandwidth(data.x_train, data.y_train, steps=3, progress=True)
