"""Classification by pooling one-hot labels, and its Bayes reading with Parzen densities."""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy.stats import gaussian_kde

import nwlib
from nwlib import class_densities, class_probabilities, parzen_posterior


@pytest.fixture(scope="module")
def toy():
    return nwlib.course.toy_classification(30, seed=3)


@given(
    seed=st.integers(0, 10_000),
    h=st.floats(0.05, 3.0),
    kernel=st.sampled_from(["gaussian", "epanechnikov", "triangular"]),
)
@settings(max_examples=40, deadline=None)
def test_nw_probabilities_equal_bayes_with_parzen_class_densities(seed, h, kernel):
    # The law of the chapter: with one width for every class, the pooled one-hot
    # labels are Bayes' posterior with Parzen class densities and frequency priors.
    rng = np.random.default_rng(seed)
    points = rng.normal(size=(25, 2))
    labels = np.arange(25) % 3
    queries = points[:5] + 0.01 * rng.normal(size=(5, 2))  # each in reach of some key
    nw = class_probabilities(queries, points, labels, bandwidth=h, kernel=kernel)
    priors = np.bincount(labels) / labels.size
    bayes = parzen_posterior(class_densities(queries, points, labels, bandwidth=h, kernel=kernel), priors)
    np.testing.assert_allclose(nw, bayes, atol=1e-12)


def test_probabilities_are_a_distribution_per_query(toy):
    X, y = toy
    q = np.random.default_rng(0).uniform(-2, 4, size=(200, 2))
    p = class_probabilities(q, X, y, bandwidth=0.3)
    assert p.shape == (200, 3)
    assert np.all((p >= 0) & (p <= 1))
    np.testing.assert_allclose(p.sum(axis=1), 1.0, atol=1e-12)


def test_narrow_width_gives_nearest_neighbour_label(toy):
    from sklearn.neighbors import KNeighborsClassifier

    X, y = toy
    q = np.random.default_rng(1).uniform(-1, 3, size=(100, 2))
    p = class_probabilities(q, X, y, bandwidth=1e-3)
    knn = KNeighborsClassifier(n_neighbors=1).fit(X, y).predict(q)
    np.testing.assert_array_equal(p.argmax(axis=1), knn)


@pytest.mark.parametrize("kernel", ["gaussian", "epanechnikov"])
def test_class_densities_match_sklearn_kernel_density(toy, kernel):
    from sklearn.neighbors import KernelDensity

    X, y = toy
    q = X[:7] + 0.1
    h = 0.4
    dens = class_densities(q, X, y, bandwidth=h, kernel=kernel)
    for c in range(3):
        kde = KernelDensity(bandwidth=h, kernel=kernel).fit(X[y == c])
        np.testing.assert_allclose(dens[:, c], np.exp(kde.score_samples(q)), rtol=1e-8)


def test_one_dimensional_parzen_matches_scipy_gaussian_kde(toy):
    x = toy[0][:, 0]
    h = 0.25
    grid = np.linspace(-2, 4, 50)
    # gaussian_kde's width is its factor times the sample standard deviation.
    kde = gaussian_kde(x, bw_method=h / x.std(ddof=1))
    np.testing.assert_allclose(nwlib.parzen_density(grid, x, bandwidth=h), kde(grid), rtol=1e-10)


def test_wide_width_gives_class_frequencies():
    X = np.array([[0.0, 0.0], [1.0, 0.0], [0.0, 1.0], [5.0, 5.0]])
    y = np.array([0, 0, 1, 2])
    p = class_probabilities([[0.3, 0.3]], X, y, kernel="constant")
    np.testing.assert_allclose(p[0], [0.5, 0.25, 0.25])


def test_bad_inputs_name_the_argument():
    with pytest.raises(TypeError, match="labels"):
        class_probabilities([[0.0]], [[0.0]], ["a"])
    with pytest.raises(ValueError, match="classes \\[1\\]"):
        class_densities([[0.0]], [[0.0], [1.0]], [0, 2])
    with pytest.raises(ValueError, match="priors"):
        parzen_posterior(np.ones((2, 3)), np.ones(2))
    with pytest.raises(ValueError, match="0/0"):
        parzen_posterior(np.zeros((1, 2)), np.array([0.5, 0.5]))


def test_query_out_of_reach_of_a_compact_kernel_is_an_error_or_a_nan_row(toy):
    X, y = toy
    far = np.array([[50.0, 50.0], [X[0, 0], X[0, 1]]])
    with pytest.raises(nwlib.NoKeyInReachError, match="no key within reach"):
        class_probabilities(far, X, y, kernel="epanechnikov", bandwidth=0.5)
    p = class_probabilities(far, X, y, kernel="epanechnikov", bandwidth=0.5, empty="nan")
    assert np.all(np.isnan(p[0]))
    np.testing.assert_allclose(p[1].sum(), 1.0)
