"""Rates of convergence (nwlib.course.consistency) and the exercise figures."""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from scipy.stats import linregress

import nwlib
from nwlib.course.consistency import RateSimulation


@given(st.floats(-3, 3), st.floats(0.1, 10))
def test_slope_recovers_a_power_law(b, c):
    ns = np.array([10.0, 30.0, 100.0, 1000.0])
    assert nwlib.loglog_slope(ns, c * ns**b) == pytest.approx(b, abs=1e-9)


def test_slope_agrees_with_scipy():
    rng = np.random.default_rng(0)
    ns, errs = np.array([10, 20, 40, 80.0]), rng.uniform(0.1, 1, 4)
    assert nwlib.loglog_slope(ns, errs) == pytest.approx(linregress(np.log(ns), np.log(errs)).slope)


@pytest.mark.parametrize("d", [1, 2, 3])
def test_rate_exponents_balance_bias_and_variance(d):
    a, b = nwlib.rate_exponents(d)
    # h**4 == 1 / (n h**d) holds for h = n**a at every n.
    for n in (10.0, 1e4):
        h = n**a
        assert h**4 == pytest.approx(1 / (n * h**d))
    assert b == pytest.approx(4 * a)


def test_simulated_rate_in_one_dimension_is_close_to_theory():
    sim = nwlib.simulate_rate([250, 1000, 4000], 1, reps=10, seed=1)
    assert abs(sim.slope - (-0.8)) < 0.08
    assert sim.widths == pytest.approx(0.6 * np.array([250, 1000, 4000.0]) ** -0.2)


def test_simulation_noise_integrated_out_matches_monte_carlo():
    # The exact conditional MSE equals the average over many noise draws.
    sim = nwlib.simulate_rate([20, 40], 1, reps=1, n_queries=5, noise=0.5, seed=3)
    rng = np.random.default_rng(3)
    q = rng.uniform(0, 1, (5, 1))
    x = rng.uniform(-1, 2, (40, 1))
    f = lambda z: np.sin(2 * z).sum(axis=1)  # noqa: E731
    h = 0.6 * 20 ** -0.2
    noise = np.random.default_rng(9).normal(0, 0.5, (20000, 20))
    preds = np.array([nwlib.nadaraya_watson(q, x[:20], f(x[:20]) + e, bandwidth=h) for e in noise[:2000]])
    mc = np.mean((preds - f(q)) ** 2)
    assert sim.mse[0, 0] == pytest.approx(mc, rel=0.05)


def test_bootstrap_se_is_small_and_seeded():
    sim = nwlib.simulate_rate([100, 400, 1600], 1, reps=8, seed=0)
    assert 0 < sim.bootstrap_se(seed=1) < 0.1
    assert sim.bootstrap_se(seed=1) == sim.bootstrap_se(seed=1)


@pytest.mark.parametrize(
    "call, match",
    [
        (lambda: nwlib.rate_exponents(0), "dimension"),
        (lambda: nwlib.loglog_slope([1, 2], [1, -1]), "positive"),
        (lambda: nwlib.loglog_slope([1, 2, 3], [1, 2]), "same length"),
        (lambda: nwlib.simulate_rate([100], 1), "increasing"),
        (lambda: nwlib.simulate_rate([200, 100], 1), "increasing"),
        (lambda: nwlib.simulate_rate([100, 200], 1, reps=0), "reps"),
    ],
)
def test_bad_input_raises(call, match):
    with pytest.raises(ValueError, match=match):
        call()


def test_plot_rate_draws_points_and_theory():
    sim = RateSimulation(np.array([10, 100]), np.array([0.5, 0.3]), np.array([[1.0], [0.1]]))
    ax = nwlib.plot_rate(sim, 1)
    assert ax.get_xlabel() == "sample size n" and ax.get_ylabel() == "mean squared error"
    points, theory = ax.get_lines()
    np.testing.assert_allclose(points.get_ydata(), [1.0, 0.1])
    slope = np.diff(np.log(theory.get_ydata())) / np.diff(np.log(theory.get_xdata()))
    assert slope[0] == pytest.approx(-0.8)


def test_plot_width_history_panels():
    hist = nwlib.WidthHistory(np.array([2.0, 1.0]), np.array([[1.0, 1.0], [0.5, 2.0], [0.25, 4.0]]))
    loss_ax, width_ax = nwlib.plot_width_history(hist, names=["a", "b"])
    assert loss_ax.get_yscale() == "log" and width_ax.get_ylabel() == "width h"
    assert [line.get_label() for line in width_ax.get_lines()] == ["a", "b"]
    with pytest.raises(ValueError, match="names"):
        nwlib.plot_width_history(hist, names=["a"])
