"""The plotting helpers draw what they are given, with labels a learner can read."""

import matplotlib.pyplot as plt
import numpy as np
import pytest

import nwlib
from nwlib.course import plotting


@pytest.fixture
def data():
    return nwlib.course.running_example()


def test_plot_fit_draws_truth_fit_and_data(data):
    fit = nwlib.nadaraya_watson(data.x_query, data.x_train, data.y_train, bandwidth=0.5)
    ax = nwlib.course.plot_fit(data, fit, title="Gaussian")
    assert ax.get_xlabel() and ax.get_ylabel() and ax.get_title() == "Gaussian"
    truth, estimate = ax.lines
    np.testing.assert_array_equal(truth.get_xdata(), data.x_query)
    np.testing.assert_array_equal(truth.get_ydata(), nwlib.course.target_function(data.x_query))
    np.testing.assert_array_equal(estimate.get_ydata(), fit)
    np.testing.assert_array_equal(ax.collections[0].get_offsets(),
                                  np.column_stack([data.x_train, data.y_train]))
    assert len(ax.get_legend().get_texts()) == 3


def test_plot_fit_rejects_a_fit_of_the_wrong_length(data):
    with pytest.raises(ValueError, match="one prediction per query"):
        nwlib.course.plot_fit(data, np.zeros(3))


def test_plot_fit_keeps_nan_gaps(data):
    fit = nwlib.nadaraya_watson(data.x_query, data.x_train, data.y_train, kernel="boxcar",
                                bandwidth=0.05, empty="nan")
    ax = nwlib.course.plot_fit(data, fit)
    assert np.isnan(ax.lines[1].get_ydata()).sum() == np.isnan(fit).sum() > 0


def test_plot_weights_image_is_queries_by_keys(data):
    w = nwlib.attention_weights(data.x_query, data.x_train, kernel="epanechnikov", bandwidth=1.0)
    ax = nwlib.course.plot_weights(w, data.x_query, data.x_train, title="Epanechnikov")
    image = ax.images[0]
    assert image.get_array().shape == (50, 40)
    np.testing.assert_array_equal(image.get_array(), w)
    assert "key" in ax.get_xlabel() and "query" in ax.get_ylabel()
    assert ax.get_title() == "Epanechnikov"
    colourbars = [a for a in ax.figure.axes if a is not ax]
    assert len(colourbars) == 1 and colourbars[0].get_ylabel() == "attention weight"
    # Tick labels name key and query positions, not matrix indices.
    assert ax.get_xticklabels()[0].get_text() == f"{data.x_train[0]:.1f}"
    assert ax.get_yticklabels()[-1].get_text() == f"{data.x_query[-1]:.1f}"


def test_plot_weights_without_colourbar_and_shape_check():
    ax = nwlib.course.plot_weights(np.eye(3), [0, 1, 2], [0, 1, 2], colorbar=False)
    assert len(ax.figure.axes) == 1
    with pytest.raises(ValueError, match="queries and"):
        nwlib.course.plot_weights(np.eye(3), [0, 1], [0, 1, 2])


@pytest.mark.parametrize("name", list(nwlib.KERNELS))
def test_plot_kernel_traces_the_kernel(name):
    ax = nwlib.course.plot_kernel(name, bandwidth=0.5)
    q, weight = ax.lines[0].get_xdata(), ax.lines[0].get_ydata()
    assert q.min() == -2.5 and q.max() == 2.5
    np.testing.assert_allclose(weight, nwlib.KERNELS[name](np.abs(q) / 0.5))
    assert ax.get_title().startswith(name) and ax.get_xlabel() and ax.get_ylabel()


def test_plot_kernel_rejects_bad_width():
    with pytest.raises(ValueError, match="bandwidth"):
        nwlib.course.plot_kernel("gaussian", bandwidth=0.0)


def test_kernel_gallery_has_one_panel_per_kernel():
    fig = nwlib.course.plot_kernel_gallery(ncols=4)
    visible = [ax for ax in fig.axes if ax.get_visible()]
    assert [ax.get_title().split(":")[0] for ax in visible] == list(nwlib.KERNELS)
    assert len(fig.axes) == 8  # 7 kernels in 2 rows of 4, one panel hidden


def test_axes_grid_rejects_zero_panels():
    with pytest.raises(ValueError, match="count"):
        nwlib.course.axes_grid(0)


def test_loo_curve_marks_the_minimum(data):
    grid = np.geomspace(0.05, 2.0, 15)
    best, mse = nwlib.loo_bandwidth(data.x_train, data.y_train, grid)
    ax = nwlib.course.plot_loo_curve(grid, mse)
    curve, marker = ax.lines
    np.testing.assert_array_equal(curve.get_ydata(), mse)
    assert marker.get_xdata()[0] == best and ax.get_xscale() == "log"
    assert "width" in ax.get_xlabel()
    with pytest.raises(ValueError, match="same length"):
        nwlib.course.plot_loo_curve(grid, mse[:-1])


def test_helpers_draw_on_a_given_axes(data):
    fig, ax = plt.subplots()
    assert nwlib.course.plot_fit(data, ax=ax) is ax
    assert plotting.plot_kernel("cosine", ax=ax) is ax


def test_plot_fit_legend_can_be_left_out(data):
    assert nwlib.course.plot_fit(data, legend=False).get_legend() is None


def test_bias_variance_plot_sums_the_two_curves():
    widths, bias2, variance = [0.1, 0.5, 2.0], np.array([0.0, 0.1, 0.6]), np.array([0.5, 0.2, 0.1])
    ax = nwlib.course.plot_bias_variance(widths, bias2, variance)
    np.testing.assert_allclose(ax.lines[2].get_ydata(), bias2 + variance)
    assert ax.get_xscale() == "log" and ax.get_xlabel() and ax.get_ylabel()
    with pytest.raises(ValueError, match="same length"):
        nwlib.course.plot_bias_variance(widths, bias2[:2], variance)


def test_one_axes_helper_for_every_figure_module():
    """The figure modules share plotting.use_axes: no private _axes copies, and no module
    but plotting opens a single-Axes figure of its own."""
    import re
    from pathlib import Path

    import nwlib.course

    folder = Path(nwlib.course.__file__).parent
    for path in sorted(folder.glob("*.py")):
        text = path.read_text(encoding="utf-8")
        assert "def _axes(" not in text, path.name
        if path.name != "plotting.py":
            assert not re.search(r"plt\.subplots\(figsize", text), path.name
