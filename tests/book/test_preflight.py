"""tools/preflight.py names each missing piece before `make env` downloads anything."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

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
