"""The local-quadratic exercise's checks: pass the right answers, name the usual mistakes."""

import numpy as np
from scipy.integrate import quad

from nwlib.course.checks_localpoly import check_equivalent_kernel, check_scaled_weights
from nwlib.polynomial_regression import local_polynomial

N = 2000
KEYS = (np.arange(N) + 0.5) * 5.0 / N


def _phi(u):
    return np.exp(-u * u / 2) / np.sqrt(2 * np.pi)


def _kstar(u):
    # Derived independently of the check: (mu_4 - mu_2 u^2) / (mu_4 - mu_2^2) K(u), with the
    # Gaussian's moments computed by quadrature.
    mu2, mu4 = (quad(lambda t, j=j: t**j * _phi(t), -np.inf, np.inf)[0] for j in (2, 4))
    return (mu4 - mu2 * u * u) / (mu4 - mu2**2) * _phi(u)


def _scaled(q, h, degree=2):
    return local_polynomial([q], KEYS, np.eye(N), bandwidth=h, degree=degree)[0] * N * h / 5


def test_equivalent_kernel_check():
    assert check_equivalent_kernel(_kstar).passed
    assert "Gaussian kernel itself" in check_equivalent_kernel(_phi).messages[0]
    assert "sign" in check_equivalent_kernel(lambda u: -_kstar(u)).messages[0]
    assert "integrates to 1" in check_equivalent_kernel(lambda u: 2 * _kstar(u)).messages[0]
    assert check_equivalent_kernel(lambda u: u).status == "failed"
    assert check_equivalent_kernel(lambda _u: 1.0).status == "failed"


def test_scaled_weights_check_and_the_measured_kernel():
    assert check_scaled_weights(_scaled).passed
    # The measured weights are the derived kernel (the exercise's numeric check).
    assert np.abs(_scaled(2.5, 0.3) - _kstar((KEYS - 2.5) / 0.3)).max() < 1e-9
    raw = check_scaled_weights(lambda q, h: _scaled(q, h) * 5 / (N * h))
    assert "raw weights" in raw.messages[0]
    assert "local-linear" in check_scaled_weights(lambda q, h: _scaled(q, h, 1)).messages[0]


def test_stubs_are_todo():
    def stub(*args):
        raise NotImplementedError

    assert check_equivalent_kernel(stub).status == "todo"
    assert check_scaled_weights(stub).status == "todo"
