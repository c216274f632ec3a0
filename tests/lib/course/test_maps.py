"""Probability maps and density plots: shapes, labels and what they draw."""

import matplotlib

matplotlib.use("Agg")  # the tests draw figures without a display

import matplotlib.pyplot as plt
import numpy as np
import pytest

import nwlib
from nwlib.course import plot_class_panel, plot_densities, plot_probability_map, probability_map


@pytest.fixture(scope="module")
def toy():
    return nwlib.course.toy_classification(20)


@pytest.fixture
def ax():
    fig, ax = plt.subplots()
    yield ax
    plt.close(fig)


def test_map_covers_points_and_probabilities_sum_to_one(toy):
    X, y = toy
    pm = probability_map(X, y, bandwidth=0.3, resolution=25, margin=0.5)
    assert pm.probs.shape == (25, 25, 3)
    np.testing.assert_allclose(pm.probs.sum(axis=-1), 1.0, atol=1e-12)
    assert pm.xs[0] == pytest.approx(X[:, 0].min() - 0.5)
    assert pm.ys[-1] == pytest.approx(X[:, 1].max() + 0.5)
    assert set(np.unique(pm.decision)) <= {0, 1, 2}


def test_map_cell_is_the_probability_at_that_point(toy):
    X, y = toy
    pm = probability_map(X, y, bandwidth=0.3, resolution=11)
    i, j = 4, 7
    direct = nwlib.class_probabilities([[pm.xs[j], pm.ys[i]]], X, y, bandwidth=0.3)[0]
    np.testing.assert_allclose(pm.probs[i, j], direct, atol=1e-14)


def test_probability_map_plot_draws_boundaries_points_and_labels(toy, ax):
    X, y = toy
    pm = probability_map(X, y, bandwidth=0.3, resolution=30)
    assert plot_probability_map(pm, X, y, ax=ax, title="h = 0.3") is ax
    rgb = ax.images[0].get_array()
    assert rgb.shape == (30, 30, 3)
    assert float(np.min(rgb)) >= 0 and float(np.max(rgb)) <= 1
    assert (ax.get_xlabel(), ax.get_ylabel(), ax.get_title()) == ("$x_1$", "$x_2$", "h = 0.3")
    assert [t.get_text() for t in ax.get_legend().get_texts()] == ["class 0", "class 1", "class 2"]
    assert len(ax.collections) >= 4  # the boundary contour and one scatter per class


def test_class_panel_has_fixed_colour_range(toy, ax):
    X, y = toy
    pm = probability_map(X, y, bandwidth=0.3, resolution=15)
    assert plot_class_panel(pm, 2, X, y, ax=ax) is ax
    image = ax.images[0]
    assert image.get_clim() == (0.0, 1.0)
    np.testing.assert_allclose(image.get_array(), pm.probs[..., 2])
    with pytest.raises(ValueError, match="cls=3"):
        plot_class_panel(pm, 3, X, y, ax=ax)


def test_map_rejects_bad_input(toy):
    X, y = toy
    with pytest.raises(ValueError, match="2-D keys"):
        probability_map(X[:, :1], y, bandwidth=0.3)
    with pytest.raises(ValueError, match="resolution"):
        probability_map(X, y, bandwidth=0.3, resolution=1)


def test_plot_densities_draws_each_curve_and_rug(ax):
    grid = np.linspace(-1, 1, 5)
    assert plot_densities(grid, {"ours": grid**2, "other": grid}, [0.0, 0.5], ax=ax, title="t") is ax
    labels = [t.get_text() for t in ax.get_legend().get_texts()]
    assert labels == ["ours", "other", "samples"]
    np.testing.assert_allclose(ax.lines[1].get_ydata(), grid)
    np.testing.assert_allclose(ax.lines[2].get_xdata(), [0.0, 0.5])
    with pytest.raises(ValueError, match="'bad'"):
        plot_densities(grid, {"bad": [1.0]}, [0.0], ax=ax)
    with pytest.raises(ValueError, match="curves is empty"):
        plot_densities(grid, {}, [0.0], ax=ax)


def test_overlay_curves_are_dashed_in_the_colour_of_their_partner(ax):
    grid = np.linspace(-1, 1, 5)
    plot_densities(grid, {"a": grid, "b": -grid}, [0.0], ax=ax,
                   overlay={"a'": grid, "b'": -grid}, ylabel="p")
    solid_a, solid_b, dashed_a, dashed_b = ax.lines[:4]
    assert dashed_a.get_linestyle() == "--" and solid_a.get_linestyle() == "-"
    assert dashed_a.get_color() == solid_a.get_color()
    assert dashed_b.get_color() == solid_b.get_color() != solid_a.get_color()
    assert ax.get_ylabel() == "p"
