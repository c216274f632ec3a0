"""The causal-attention exercise's checks: a right answer passes, each usual slip is named."""

import numpy as np

from nwlib.checks import check_memory, check_running_sums


def _running(phi_q, phi_k, values, *, include_own=True, divide=True, mask=True):
    n, c = values.shape
    out = np.zeros((n, c))
    s, z = np.zeros((phi_k.shape[1], c)), np.zeros(phi_k.shape[1])
    if not mask:
        s, z = phi_k.T @ values, phi_k.sum(axis=0)
    for i in range(n):
        if mask and include_own:
            s, z = s + np.outer(phi_k[i], values[i]), z + phi_k[i]
        out[i] = phi_q[i] @ s / (phi_q[i] @ z if divide else 1.0)
        if mask and not include_own:
            s, z = s + np.outer(phi_k[i], values[i]), z + phi_k[i]
    return out


def test_running_sums_pass_and_float32_passes():
    assert check_running_sums(_running).status == "passed"
    assert check_running_sums(lambda q, k, v: _running(q, k, v).astype(np.float32)).status == "passed"


def test_running_sums_slips_get_their_own_message():
    def no_mask(q, k, v):
        return _running(q, k, v, mask=False)

    def strict(q, k, v):
        with np.errstate(invalid="ignore"):
            return _running(q, k, v, include_own=False)  # step 0 is 0/0

    def strict_patched(q, k, v):
        with np.errstate(invalid="ignore"):
            out = _running(q, k, v, include_own=False)
        out[0] = v[0]  # step 0 has no earlier key; made finite
        return out

    def undivided(q, k, v):
        return _running(q, k, v, divide=False)

    assert "without the mask" in repr(check_running_sums(no_mask))
    assert "before you read step i" in repr(check_running_sums(strict))
    assert "before you read step i" in repr(check_running_sums(strict_patched))
    assert "denominator" in repr(check_running_sums(undivided))
    fb = check_running_sums(lambda _q, _k, v: np.ones_like(v))
    assert fb.status == "failed" and "rows differ" in repr(fb)


def test_running_sums_catch_a_look_ahead():
    calls = []

    def looks_ahead(q, k, v):
        calls.append(1)
        out = _running(q, k, v)
        if len(calls) == 2:  # the check's second call, with a changed last value
            out[0] += 1.0
        return out

    fb = check_running_sums(looks_ahead)
    assert fb.status == "failed" and "look ahead" in repr(fb)


def test_stub_is_not_done_yet():
    def stub(*args):
        raise NotImplementedError("your code here")

    assert check_running_sums(stub).status == "todo" and check_memory(stub).status == "todo"


def test_memory():
    assert check_memory(lambda n, d, D, c: (D * c + D, n * (d + c))).status == "passed"
    assert "add them" in repr(check_memory(lambda n, d, D, c: (D * c, n * (d + c))))
    assert "does not grow" in repr(check_memory(lambda n, d, D, c: (n * D * c, n * (d + c))))
    assert "every earlier value" in repr(check_memory(lambda n, d, D, c: (D * c + D, n * d)))
    assert check_memory(lambda n, _d, D, c: (D * c + D, n * n)).status == "failed"
