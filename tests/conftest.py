import matplotlib

matplotlib.use("Agg")  # tests draw figures without a display

import numpy as np
import pytest


@pytest.fixture
def rng() -> np.random.Generator:
    return np.random.default_rng(20261126)
