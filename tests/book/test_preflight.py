"""tools/preflight.py names each missing piece before `make env` downloads anything."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from tools import preflight

ROOT = Path(__file__).resolve().parents[2]


def test_this_machine_is_ready():
    assert preflight.problems(need_npm=True) == []


def test_old_python_is_named():
    (msg,) = preflight.problems(need_npm=False, version=(3, 10, 12))
    assert "Python 3.10.12 is too old" in msg and ">= 3.11.0" in msg


def test_debian_12_python_is_enough():
    assert preflight.problems(need_npm=False, version=(3, 11, 2)) == []


def test_missing_venv_module_is_named(monkeypatch):
    monkeypatch.setitem(sys.modules, "ensurepip", None)  # as on Debian without python3-venv
    (msg,) = preflight.problems(need_npm=False)
    assert "venv" in msg and "python3-venv" in msg


def test_missing_npm_fails_only_when_the_book_is_built(tmp_path):
    # A PATH with this Python but no npm.
    (tmp_path / "python3").symlink_to(sys.executable)
    env = dict(os.environ, PATH=str(tmp_path))
    script = str(ROOT / "tools" / "preflight.py")
    ok = subprocess.run([sys.executable, script], env=env, capture_output=True, text=True)
    assert ok.returncode == 0, ok.stderr
    bad = subprocess.run([sys.executable, script, "--npm"], env=env, capture_output=True, text=True)
    assert bad.returncode == 1 and "npm is not on the PATH" in bad.stderr


# The platform comes first: torch 2.13 has wheels for macOS 14+ on arm64, Windows amd64 and
# Linux x86_64/aarch64 (64-bit) only. Each case patches the platform's values.
SUPPORTED = [
    dict(system="Linux", machine="x86_64"),
    dict(system="Linux", machine="aarch64"),
    dict(system="Windows", machine="AMD64"),
    dict(system="Darwin", machine="arm64", mac_version="14.0"),
    dict(system="Darwin", machine="arm64", mac_version="15.3.1"),
    dict(system="Darwin", machine="arm64", mac_version="26.1"),
]


@pytest.mark.parametrize("values", SUPPORTED, ids=lambda v: "-".join(v.values()))
def test_supported_platforms_pass(values):
    assert preflight.platform_problems(bits=64, translated=False, **values) == []


UNSUPPORTED = [  # (platform values, words the message must hold)
    (dict(system="Darwin", machine="x86_64", mac_version="14.5", translated=False),
     ["Intel Mac", "Apple silicon", "Linux virtual machine", "Colab"]),
    (dict(system="Darwin", machine="x86_64", mac_version="14.5", translated=True),
     ["Rosetta", "arm64 or universal2 Python"]),
    (dict(system="Darwin", machine="arm64", mac_version="13.6.1"),
     ["macOS 13.6.1", "macOS 14 (Sonoma) or later", "Software Update"]),
    (dict(system="Darwin", machine="arm64", mac_version="12.7"), ["macOS 12.7"]),
    (dict(system="Windows", machine="ARM64"), ["Windows on ARM", "WSL 2", "Linux aarch64"]),
    (dict(system="Windows", machine="x86"), ["Windows on x86", "x86-64"]),
    (dict(system="Linux", machine="ppc64le"), ["Linux on ppc64le", "x86_64 and aarch64"]),
    (dict(system="Linux", machine="armv7l"), ["Linux on armv7l"]),
    (dict(system="FreeBSD", machine="amd64"), ["FreeBSD", "Linux, Windows and macOS"]),
    (dict(system="Linux", machine="x86_64", bits=32), ["32-bit build", "64-bit Python"]),
]


@pytest.mark.parametrize("values, words", UNSUPPORTED,
                         ids=[f"{v['system']}-{v['machine']}-{i}" for i, (v, _) in enumerate(UNSUPPORTED)])
def test_unsupported_platforms_say_what_fails_and_what_to_do(values, words):
    values = dict(dict(bits=64, translated=False), **values)
    (msg,) = preflight.platform_problems(**values)
    assert "torch" in msg
    for word in words:
        assert word in msg, (word, msg)


def test_the_platform_is_checked_first(monkeypatch):
    monkeypatch.setattr(preflight.platform, "system", lambda: "Darwin")
    monkeypatch.setattr(preflight.platform, "machine", lambda: "x86_64")
    monkeypatch.setattr(preflight, "running_under_rosetta", lambda: False)
    found = preflight.problems(need_npm=False, version=(3, 10, 1))
    assert len(found) == 2 and "Intel Mac" in found[0] and "too old" in found[1]


def test_the_script_exits_1_on_an_unsupported_platform():
    # The script itself, with platform.machine() answering as on Windows on ARM.
    code = ("import platform, runpy, sys; platform.system = lambda: 'Windows'; "
            "platform.machine = lambda: 'ARM64'; sys.argv = ['preflight.py']; "
            f"runpy.run_path({str(ROOT / 'tools' / 'preflight.py')!r}, run_name='__main__')")
    r = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert r.returncode == 1 and r.stderr.startswith("preflight: This is Windows on ARM"), r.stderr
