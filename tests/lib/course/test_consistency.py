"""Rates of convergence (nwlib.course.consistency) and the exercise figures."""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")

import numpy as np
import pytest

import nwlib
from nwlib.course.consistency import RateSimulation


def rule(n, d):
    """The width rule of the bias-variance balance (the test knows the answer)."""
    return 0.6 * n ** (-1 / (d + 4))


def _slope(ns, values):
    return float(np.polyfit(np.log(ns), np.log(values), 1)[0])


def test_simulated_error_of_the_balanced_rule_falls_at_the_theoretical_rate():
    ns = np.array([250, 1000, 4000])
    sim = nwlib.course.simulate_rate(ns, 1, rule, reps=10, seed=1)
    assert sim.mse.shape == (3, 1, 10) and sim.factors.tolist() == [1.0]
    assert sim.widths[:, 0] == pytest.approx(0.6 * ns**-0.2)
    assert abs(_slope(ns, sim.mse[:, 0].mean(axis=1)) - (-0.8)) < 0.08


def test_a_wrong_rule_gives_a_wrong_rate():
    # A width that does not shrink keeps its bias: the error stops falling.
    ns = np.array([250, 1000, 4000])
    sim = nwlib.course.simulate_rate(ns, 1, lambda _n, _d: 0.6, reps=5, seed=1)
    assert _slope(ns, sim.mse[:, 0].mean(axis=1)) > -0.5


def test_the_best_width_on_a_grid_of_factors_shrinks_with_n():
    ns = np.array([250, 1000, 4000, 16000])
    factors = np.geomspace(0.25, 4, 25)
    sim = nwlib.course.simulate_rate(ns, 2, lambda n, _d: 0.7 * n ** (-1 / 6), factors=factors, reps=4,
                              n_queries=30, seed=0)
    assert sim.widths.shape == (4, 25) and sim.mse.shape == (4, 25, 4)
    index = sim.mse.mean(axis=2).argmin(axis=1)
    assert np.all((index > 0) & (index < 24))  # an interior minimum at every n
    best = sim.widths[np.arange(4), index]
    assert np.all(np.diff(best) < 0)
    assert abs(_slope(ns, best) - (-1 / 6)) < 0.06


def test_one_and_many_dimensions_agree_in_one_dimension():
    # d = 1 takes flat arrays inside; the result must not depend on that route.
    from nwlib.pooling import attention_weights

    sim = nwlib.course.simulate_rate([20, 40], 1, rule, reps=1, n_queries=5, seed=3)
    rng = np.random.default_rng(3)
    q = rng.uniform(0, 1, (5, 1))
    x = rng.uniform(-1, 2, (40, 1))
    f = lambda z: np.sin(2 * z).sum(axis=1)  # noqa: E731
    w = attention_weights(q, x[:20], bandwidth=rule(20, 1))
    exact = np.mean((w @ f(x[:20]) - f(q)) ** 2 + 0.25 * (w**2).sum(axis=1))
    assert sim.mse[0, 0, 0] == pytest.approx(exact, rel=1e-12)


def test_simulation_noise_integrated_out_matches_monte_carlo():
    # The exact conditional MSE equals the average over many noise draws.
    sim = nwlib.course.simulate_rate([20, 40], 1, rule, reps=1, n_queries=5, noise=0.5, seed=3)
    rng = np.random.default_rng(3)
    q = rng.uniform(0, 1, (5, 1))
    x = rng.uniform(-1, 2, (40, 1))
    f = lambda z: np.sin(2 * z).sum(axis=1)  # noqa: E731
    h = rule(20, 1)
    noise = np.random.default_rng(9).normal(0, 0.5, (2000, 20))
    preds = np.array([nwlib.nadaraya_watson(q, x[:20], f(x[:20]) + e, bandwidth=h) for e in noise])
    mc = np.mean((preds - f(q)) ** 2)
    assert sim.mse[0, 0, 0] == pytest.approx(mc, rel=0.05)


def test_simulation_is_seeded():
    a = nwlib.course.simulate_rate([20, 40], 2, rule, factors=[0.5, 1.0], reps=2, seed=4)
    b = nwlib.course.simulate_rate([20, 40], 2, rule, factors=[0.5, 1.0], reps=2, seed=4)
    assert np.array_equal(a.mse, b.mse)


@pytest.mark.parametrize(
    "call, match",
    [
        (lambda: nwlib.course.simulate_rate([100], 1, rule), "increasing"),
        (lambda: nwlib.course.simulate_rate([200, 100], 1, rule), "increasing"),
        (lambda: nwlib.course.simulate_rate([100, 200], 1, rule, reps=0), "reps"),
        (lambda: nwlib.course.simulate_rate([100, 200], 0, rule), "dimension"),
        (lambda: nwlib.course.simulate_rate([100, 200], 1, rule, factors=[1.0, -1.0]), "factors"),
        (lambda: nwlib.course.simulate_rate([100, 200], 1, lambda _n, _d: -1.0), "width_rule"),
        (lambda: nwlib.course.simulate_rate([100, 200], 1, lambda _n, _d: [0.1, 0.2]), "width_rule"),
        (lambda: nwlib.course.simulate_rate([100, 200], 1, lambda _n, _d: float("nan")), "width_rule"),
    ],
)
def test_bad_input_raises(call, match):
    with pytest.raises(ValueError, match=match):
        call()


def test_a_rule_that_is_not_a_function_is_a_type_error():
    with pytest.raises(TypeError, match="width_rule"):
        nwlib.course.simulate_rate([100, 200], 1, 0.5)


def test_the_answers_of_the_exercise_are_not_public():
    for name in ("rate_exponents", "loglog_slope"):
        assert not hasattr(nwlib, name) and not hasattr(nwlib.course, name)


def test_plot_rate_draws_points_and_the_expected_slope():
    ax = nwlib.course.plot_rate([10, 100], [1.0, 0.1], expected=-0.8, label="d = 1")
    assert ax.get_xlabel() == "sample size n" and ax.get_ylabel() == "mean squared error"
    points, expected = ax.get_lines()
    np.testing.assert_allclose(points.get_ydata(), [1.0, 0.1])
    slope = np.diff(np.log(expected.get_ydata())) / np.diff(np.log(expected.get_xdata()))
    assert slope[0] == pytest.approx(-0.8)
    assert len(nwlib.course.plot_rate([10, 100], [1.0, 0.1], ylabel="oracle width").get_lines()) == 1
    with pytest.raises(ValueError, match="positive"):
        nwlib.course.plot_rate([10, 100], [1.0, -0.1])


def test_rate_simulation_holds_its_arrays():
    sim = RateSimulation(np.array([10, 100]), np.array([1.0]), np.array([[0.5], [0.3]]),
                         np.ones((2, 1, 3)))
    assert sim.mse.shape == (2, 1, 3)


def test_plot_width_history_panels():
    hist = nwlib.WidthHistory(np.array([2.0, 1.0]), np.array([[1.0, 1.0], [0.5, 2.0], [0.25, 4.0]]))
    loss_ax, width_ax = nwlib.course.plot_width_history(hist, names=["a", "b"])
    assert loss_ax.get_yscale() == "log" and width_ax.get_ylabel() == "width h"
    assert [line.get_label() for line in width_ax.get_lines()] == ["a", "b"]
    with pytest.raises(ValueError, match="names"):
        nwlib.course.plot_width_history(hist, names=["a"])
