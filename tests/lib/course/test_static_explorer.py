"""The kernel-free width explorer embeds exactly what nwlib computes, and nothing external."""

import json
import re

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from statsmodels.nonparametric.kernel_regression import KernelReg

import nwlib
from nwlib.course.static_explorer import WEIGHT_SCALE, static_width_explorer

WIDTHS = (0.1, 0.3, 1.0)


@pytest.fixture(scope="module")
def explorer():
    return static_width_explorer(kernels=("gaussian", "boxcar"), candidates=WIDTHS, heatmap_rows=5)


def embedded(html: str) -> dict:
    match = re.search(r'<script type="application/json" class="nw-explorer-data">(.*?)</script>', html)
    assert match, "the explorer's data block is missing"
    return json.loads(match.group(1))


def as_array(nested) -> np.ndarray:
    return np.array([[np.nan if v is None else v for v in row] for row in nested], dtype=float)


def test_html_embeds_the_payload(explorer):
    assert embedded(explorer._repr_html_()) == explorer.payload


def test_fits_match_nwlib(explorer):
    data = nwlib.course.running_example()
    for kernel in ("gaussian", "boxcar"):
        for h, fit in zip(WIDTHS, explorer.payload["fits"][kernel], strict=True):
            expected = nwlib.nadaraya_watson(
                data.x_query, data.x_train, data.y_train, kernel=kernel, bandwidth=h, empty="nan"
            )
            got = np.array([np.nan if v is None else v for v in fit])
            np.testing.assert_allclose(got, expected, atol=5e-4, equal_nan=True)


# statsmodels announces a future change of its random-number default; we draw nothing random.
@pytest.mark.filterwarnings("ignore::FutureWarning")
def test_gaussian_fit_matches_statsmodels(explorer):
    # statsmodels' Gaussian bw is the kernel's standard deviation, like our width.
    data = nwlib.course.running_example()
    model = KernelReg(data.y_train, data.x_train, var_type="c", reg_type="lc", bw=[0.3])
    expected, _ = model.fit(data.x_query)
    np.testing.assert_allclose(explorer.payload["fits"]["gaussian"][1], expected, atol=5e-4)


def test_weights_match_nwlib(explorer):
    data = nwlib.course.running_example()
    rows = explorer.payload["heatmap_rows"]
    assert rows == [0, 10, 20, 30, 40]
    for kernel in ("gaussian", "boxcar"):
        for h, w in zip(WIDTHS, explorer.payload["weights"][kernel], strict=True):
            expected = nwlib.attention_weights(
                data.x_query[rows], data.x_train, kernel=kernel, bandwidth=h, empty="nan"
            )
            got = as_array(w) / WEIGHT_SCALE
            np.testing.assert_allclose(got, expected, atol=0.5 / WEIGHT_SCALE, equal_nan=True)
            assert all(isinstance(v, int) for row in w for v in row if v is not None)


def test_narrow_boxcar_leaves_gaps_instead_of_failing(explorer):
    # At width 0.1 some queries have no key within reach of the boxcar.
    assert None in explorer.payload["fits"]["boxcar"][0]
    assert None not in explorer.payload["fits"]["gaussian"][0]


def test_output_is_deterministic_and_self_contained():
    html = static_width_explorer()._repr_html_()
    assert html == static_width_explorer()._repr_html_()
    assert not re.search(r"""(src|href)\s*=\s*["']?https?:""", html)
    assert "data-nw-explorer" in html and "<script>" in html
    # The page stays light: the default explorer is well under 150 kB.
    assert len(html.encode()) < 150_000


def test_default_starts_near_width_half():
    payload = static_width_explorer().payload
    assert payload["widths"][payload["start"]] == pytest.approx(0.5, rel=0.1)


@pytest.mark.parametrize(
    "kwargs, error, words",
    [
        ({"kernels": "gaussian"}, TypeError, "tuple of kernel names"),
        ({"kernels": ("gaussian", "nope")}, ValueError, "kernels="),
        ({"kernels": ()}, ValueError, "kernels="),
        ({"kernels": ("gaussian", "gaussian")}, ValueError, "distinct"),
        ({"candidates": [0.5]}, ValueError, "candidates"),
        ({"candidates": [0.5, 0.2]}, ValueError, "increasing"),
        ({"candidates": [0.0, 0.2]}, ValueError, "positive"),
        ({"candidates": [0.1, np.nan]}, ValueError, "finite"),
        ({"candidates": np.ones((2, 2))}, ValueError, "1-D"),
        ({"heatmap_rows": 0}, ValueError, "heatmap_rows"),
        ({"heatmap_rows": 2.5}, ValueError, "heatmap_rows"),
        ({"decimals": -1}, ValueError, "decimals"),
        ({"data": {"x": [1.0]}}, TypeError, "RegressionData"),
    ],
)
def test_bad_input_names_the_argument(kwargs, error, words):
    with pytest.raises(error, match=re.escape(words)):
        static_width_explorer(**kwargs)


@settings(max_examples=15, deadline=None)
@given(
    low=st.floats(0.05, 1.0),
    ratio=st.floats(1.01, 5.0),
    kernel=st.sampled_from(["gaussian", "epanechnikov", "boxcar", "tricube"]),
)
def test_embedded_numbers_obey_the_pooling_laws(low, ratio, kernel):
    # Weights are a convex combination: each shown row sums to one (up to rounding),
    # so every fit lies between the smallest and the largest value.
    payload = static_width_explorer(kernels=(kernel,), candidates=[low, low * ratio]).payload
    y = np.array(payload["y_train"])
    for fit, weights in zip(payload["fits"][kernel], payload["weights"][kernel], strict=True):
        f = np.array([v for v in fit if v is not None])
        assert np.all((f >= y.min() - 1e-3) & (f <= y.max() + 1e-3))
        for row in weights:
            if row[0] is not None:
                assert abs(sum(row) - WEIGHT_SCALE) <= 0.5 * len(row)
