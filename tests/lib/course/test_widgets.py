"""The explorer: moving a control recomputes and redraws what nwlib computes directly."""

import numpy as np
import pytest

import nwlib


def direct(kernel, h, n):
    data = nwlib.course.running_example(n)
    return data, nwlib.nadaraya_watson(data.x_query, data.x_train, data.y_train, kernel=kernel,
                                       bandwidth=h, empty="nan")


def test_explore_matches_nadaraya_watson():
    r = nwlib.course.explore("epanechnikov", bandwidth=0.8, n=25)
    data, fit = direct("epanechnikov", 0.8, 25)
    np.testing.assert_array_equal(r.data.x_train, data.x_train)
    np.testing.assert_allclose(r.fit, fit, rtol=1e-12)
    np.testing.assert_allclose(r.weights.sum(axis=1), 1.0)
    assert r.weights.shape == (50, 25) and r.unreached == 0


def test_explore_marks_unreached_queries_instead_of_raising():
    r = nwlib.course.explore("boxcar", bandwidth=0.02, n=10)
    assert r.unreached > 0 and np.isnan(r.weights).any(axis=1).sum() == r.unreached


def test_moving_the_width_slider_recomputes_and_redraws():
    ex = nwlib.course.KernelExplorer()
    assert ex.redraws == 1 and ex.result.bandwidth == 0.5
    ex.width.value = 0.1
    assert ex.redraws == 2 and ex.result.bandwidth == pytest.approx(0.1)
    _, fit = direct("gaussian", ex.width.value, 40)
    np.testing.assert_allclose(ex.result.fit, fit, rtol=1e-12)
    # The figure shows the new fit and the new weights.
    fit_axes, weight_axes = ex.figure.axes[:2]
    np.testing.assert_allclose(fit_axes.lines[1].get_ydata(), fit, rtol=1e-12)
    np.testing.assert_allclose(weight_axes.images[0].get_array(), ex.result.weights)


def test_choosing_a_kernel_and_the_number_of_points():
    ex = nwlib.course.KernelExplorer()
    ex.kernel.value = "triangular"
    ex.width.value = 1.0
    ex.points.value = 80
    assert (ex.result.kernel, ex.result.data.x_train.size) == ("triangular", 80)
    data, fit = direct("triangular", 1.0, 80)
    np.testing.assert_allclose(ex.result.fit, fit, rtol=1e-12)
    assert ex.figure.axes[1].images[0].get_array().shape == (50, 80)
    assert "n = 80" in ex.figure.axes[0].get_title()
    assert ex.redraws == 4


def test_the_kernel_menu_offers_every_kernel_and_the_slider_is_logarithmic():
    import ipywidgets

    ex = nwlib.course.KernelExplorer(draw=False)
    assert list(ex.kernel.options) == list(nwlib.KERNELS)
    assert isinstance(ex.width, ipywidgets.FloatLogSlider)
    assert ex.width.min <= -1.5 and ex.width.max >= 0.5  # 0.03 .. 3 at least
    assert ex.figure is None and ex.redraws == 0
    assert isinstance(ex.widget, ipywidgets.VBox)


def test_explorer_starting_values_are_checked():
    with pytest.raises(ValueError, match="kernel"):
        nwlib.course.explore("parabolic", bandwidth=0.5, n=40)
    with pytest.raises(ValueError, match="bandwidth"):
        nwlib.course.explore("gaussian", bandwidth=-0.5, n=40)


def test_sliders_redraw_on_release_so_moves_do_not_queue():
    ex = nwlib.course.KernelExplorer(draw=False)
    assert not ex.width.continuous_update and not ex.points.continuous_update
