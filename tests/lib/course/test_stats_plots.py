"""Figures of the boundaries and smoother chapters: drawn on the Axes given, labelled."""

import matplotlib.pyplot as plt
import numpy as np

from nwlib import confidence_band
from nwlib.course import running_example
from nwlib.course.stats_plots import plot_band, plot_pointwise, plot_weight_profiles


def test_each_helper_draws_on_the_axes_given():
    d = running_example()
    band = confidence_band(d.x_query, d.x_train, d.y_train, bandwidth=0.4)
    _, axes = plt.subplots(1, 3)
    assert plot_weight_profiles(d.x_train, {"a": np.ones(d.x_train.size)}, query=1.0, ax=axes[0]) is axes[0]
    assert plot_band(d.x_query, band, truth=d.y_true, ax=axes[1]) is axes[1]
    assert plot_pointwise(d.x_query, {"bias": band.fit - d.y_true}, ylabel="bias", reference=0.0,
                          ax=axes[2]) is axes[2]
    assert [ax.get_xlabel() for ax in axes] == ["key x_i", "query q", "query q"]
    # The band's legend names its level; the truth is drawn as its own line.
    labels = [t.get_text() for t in axes[1].get_legend().get_texts()]
    assert labels == ["band (95%)", "fit", "true f(x)"]
    np.testing.assert_allclose(axes[1].lines[0].get_ydata(), band.fit)
