"""Bad input gets an error that names the argument and says how to fix it."""

import numpy as np
import pytest

import nwlib
from nwlib import attention_weights, loo_bandwidth, nadaraya_watson, parzen_density

X = np.linspace(0, 1, 10)


@pytest.mark.parametrize(
    "kwargs, error, pattern",
    [
        (dict(values=np.ones(9)), ValueError, r"keys has 10 points but values has 9"),
        (dict(queries=np.ones((3, 2))), ValueError, r"queries have d=2 .* keys have d=1"),
        (dict(queries=np.ones((2, 2, 2))), ValueError, r"queries has 3 dimensions"),
        (dict(keys=np.ones((1, 1, 10))), ValueError, r"keys has 3 dimensions"),
        (dict(values=np.ones((10, 2, 2))), ValueError, r"values has 3 dimensions"),
        (dict(keys=np.array([]), values=np.array([])), ValueError, r"keys is empty"),
        (dict(bandwidth=0.0), ValueError, r"bandwidth must be positive"),
        (dict(bandwidth=-1.0), ValueError, r"bandwidth must be positive"),
        (dict(bandwidth=np.nan), ValueError, r"bandwidth=nan is NaN or infinite"),
        (dict(bandwidth=np.inf), ValueError, r"bandwidth=inf is NaN or infinite"),
        (dict(bandwidth=[0.1, 0.2]), ValueError, r"bandwidth has shape \(2,\) .* d=1"),
        (dict(bandwidth="scott"), TypeError, r"bandwidth='scott' is a string"),
        (dict(values=np.r_[np.nan, np.ones(9)]), ValueError, r"values contains NaN"),
        (dict(keys=np.r_[np.inf, X[1:]]), ValueError, r"keys contains NaN or infinite"),
        (dict(queries=[np.nan]), ValueError, r"queries contains NaN"),
        (dict(queries=["a"]), TypeError, r"queries has dtype <U1"),
        (dict(keys=None), TypeError, r"keys is None"),
        (dict(kernel="gauss"), ValueError, r"kernel='gauss' is unknown; choose one of 'gaussian'"),
    ],
)
def test_nadaraya_watson_errors_name_the_argument(kwargs, error, pattern):
    args = dict(queries=[0.5], keys=X, values=np.sin(X))
    args.update(kwargs)
    q, k, v = args.pop("queries"), args.pop("keys"), args.pop("values")
    with pytest.raises(error, match=pattern):
        nadaraya_watson(q, k, v, **args)


def test_per_coordinate_bandwidth_of_wrong_length():
    with pytest.raises(ValueError, match=r"vector of 2 per-coordinate widths"):
        attention_weights(np.zeros((1, 2)), np.zeros((3, 2)), bandwidth=[1.0, 2.0, 3.0])


def test_density_rejects_the_constant_kernel():
    with pytest.raises(ValueError, match="'constant' does not integrate"):
        parzen_density([0.0], X, kernel="constant")


def test_rules_of_thumb_need_spread():
    with pytest.raises(ValueError, match="at least 2 points"):
        nwlib.scott_bandwidth([1.0])
    with pytest.raises(ValueError, match="zero spread"):
        nwlib.silverman_bandwidth(np.ones(5))


def test_loo_bandwidth_input_checks():
    with pytest.raises(ValueError, match="candidates has shape"):
        loo_bandwidth(X, X, [])
    with pytest.raises(ValueError, match=r"candidates\[1\] = -1.0 is not a finite positive"):
        loo_bandwidth(X, X, [0.1, -1.0])
    with pytest.raises(ValueError, match="at least 2 points"):
        loo_bandwidth([0.0], [1.0], [0.1])
    with pytest.raises(ValueError, match="every candidate leaves some key"):
        loo_bandwidth(np.array([0.0, 10.0]), np.ones(2), [0.1, 0.2], kernel="boxcar")


def test_data_generators_check_their_arguments():
    with pytest.raises(ValueError, match="n=0"):
        nwlib.course.running_example(0)
    with pytest.raises(ValueError, match="noise=-1"):
        nwlib.course.running_example(noise=-1)
    with pytest.raises(ValueError, match="n_per_class"):
        nwlib.course.toy_classification(2.5)
    with pytest.raises(ValueError, match="non-negative integer"):
        nwlib.one_hot(np.array([0.5, 1.0]))
    with pytest.raises(ValueError, match="n_classes=2"):
        nwlib.one_hot(np.array([0, 2]), n_classes=2)
