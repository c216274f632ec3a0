"""The course environment installs on the laptops learners have, not only on this machine.

Each platform and Python is resolved from the public index by uv, which evaluates
environment markers for the target (tools/resolve_env.py). Needs the package registry,
as the install itself does.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from tools.resolve_env import PLATFORMS, PYTHONS, resolve

ROOT = Path(__file__).resolve().parents[2]


def _norm(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def _pins() -> dict[str, str]:
    pins = {}
    for line in (ROOT / "constraints.txt").read_text(encoding="utf-8").splitlines():
        spec = line.split("#")[0].split(";")[0].strip()
        if spec:
            name, _, version = spec.partition("==")
            assert version, f"constraints.txt: {line!r} is not an exact pin"
            pins[_norm(name)] = version.strip()
    return pins


@pytest.mark.timeout(600)
@pytest.mark.parametrize("python", PYTHONS)
@pytest.mark.parametrize("platform", PLATFORMS)
def test_environment_resolves(platform, python):
    r = resolve(platform, python)  # raises with uv's explanation when unsatisfiable
    pins = _pins()
    # constraints.txt is a lock for every platform: nothing floats.
    unpinned = {n: v for n, v in r.versions.items() if pins.get(_norm(n)) != v}
    assert not unpinned, f"{platform}, Python {python}: not pinned in constraints.txt: {unpinned}"
    # Every package comes as a wheel: no compiler needed on a learner's laptop.
    assert not r.sdist_only, f"{platform}, Python {python}: only sdists for {r.sdist_only}"
    assert r.versions["torch"] == "2.13.0"
    # Triton only where torch itself needs it, at the version torch requires.
    if platform == "linux-x86_64":
        assert r.versions["triton"] == "3.7.1"
    else:
        assert "triton" not in r.versions
