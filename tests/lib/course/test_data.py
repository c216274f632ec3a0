"""The seeded data sets are what the course brief describes, identically on every run."""

import numpy as np

import nwlib


def test_running_example_matches_the_brief():
    data = nwlib.course.running_example()
    assert data.x_train.shape == data.y_train.shape == (40,)
    assert (np.diff(data.x_train) >= 0).all()
    assert data.x_train.min() >= 0 and data.x_train.max() <= 5
    np.testing.assert_array_equal(data.x_query, np.round(np.arange(0, 5, 0.1), 10))
    np.testing.assert_allclose(data.y_true, 2 * np.sin(data.x_query) + data.x_query)
    residuals = data.y_train - nwlib.course.target_function(data.x_train)
    assert 0.5 < residuals.std() < 1.5  # N(0, 1) noise


def test_running_example_is_reproducible_and_seeded():
    a, b = nwlib.course.running_example(), nwlib.course.running_example()
    np.testing.assert_array_equal(a.y_train, b.y_train)
    c = nwlib.course.running_example(seed=1)
    assert not np.array_equal(a.x_train, c.x_train)
    assert nwlib.course.running_example(100).x_train.shape == (100,)
    np.testing.assert_array_equal(nwlib.course.running_example(noise=0.0).y_train,
                                  nwlib.course.target_function(a.x_train))


def test_toy_classification_is_seeded_and_balanced():
    X, y = nwlib.course.toy_classification(25)
    X2, y2 = nwlib.course.toy_classification(25)
    np.testing.assert_array_equal(X, X2)
    assert X.shape == (75, 2) and np.bincount(y).tolist() == [25, 25, 25]


def test_one_hot_round_trips():
    labels = np.array([2, 0, 1, 1])
    onehot = nwlib.one_hot(labels)
    np.testing.assert_array_equal(onehot.argmax(1), labels)
    assert nwlib.one_hot(labels, n_classes=5).shape == (4, 5)
