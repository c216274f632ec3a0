"""tools/course.py: the course's commands in Python, for machines without make or bash."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path, PureWindowsPath

import pytest

from tools import course

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.parametrize("os_name, expected", [("posix", "bin/python"),
                                               ("nt", "Scripts/python.exe")])
def test_the_venv_interpreter_for_each_layout(os_name, expected):
    assert course.venv_python(Path(".venv"), os_name).as_posix() == ".venv/" + expected
    # A Windows path from a Windows root, as course.py builds it there.
    win = course.venv_python(PureWindowsPath(r"C:\course\.venv"), os_name)
    assert str(win) == r"C:\course\.venv" + "\\" + expected.replace("/", "\\")


def test_this_machine_uses_its_own_layout():
    python = course.venv_python()
    assert python.exists() and python == ROOT / ".venv" / ("Scripts" if os.name == "nt" else "bin") \
        / ("python.exe" if os.name == "nt" else "python")


def test_every_documented_command_exists():
    for name in ("book", "test", "lab", "pdf", "dist", "student", "grade", "env", "unit", "lint"):
        assert callable(course.COMMANDS[name])


def test_the_makefile_only_calls_course_py():
    # One implementation: every recipe line runs tools/course.py, but `unit` and `lint`,
    # which call the venv's pytest and ruff directly, and the PYTHON guard.
    text = (ROOT / "Makefile").read_text(encoding="utf-8")
    recipes = re.findall(r"^([\w ]+):[^\n]*\n((?:\t[^\n]*\n)+)", text, flags=re.M)
    assert recipes
    for goals, lines in recipes:
        for line in lines.splitlines():
            line = line.strip().lstrip("@")
            if goals in ("unit", "lint", "help") or line.startswith("command -v"):
                continue
            assert line.startswith("$(COURSE) "), (goals, line)
    assert "SHELL" not in text  # no bash needed


def test_stale_follows_makes_rule(tmp_path, monkeypatch):
    monkeypatch.setattr(course, "ROOT", tmp_path)
    (tmp_path / "in.txt").write_text("x")
    assert course.stale("out", ["in.txt"])  # missing target
    (tmp_path / "out").write_text("")
    os.utime(tmp_path / "in.txt", (1, 1))
    assert not course.stale("out", ["in.txt"])
    os.utime(tmp_path / "in.txt", (4e9, 4e9))
    assert course.stale("out", ["in.txt"])


def test_runs_where_there_is_no_make_and_no_bash(tmp_path):
    # A PATH holding only python3, node and npm, as a Windows learner's has: no make, no bash,
    # no sh. The course's existing .venv is reused (its stamp is newer than the pins).
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    (bin_dir / "python3").symlink_to(os.path.realpath(sys.executable))
    for tool in ("node", "npm"):
        found = shutil.which(tool)
        if found:
            (bin_dir / tool).symlink_to(found)
    env = {"PATH": str(bin_dir), "HOME": str(tmp_path), "LANG": "C.UTF-8"}
    assert not any(shutil.which(tool, path=env["PATH"]) for tool in ("make", "bash", "sh"))
    if course.stale(Path(".venv", ".installed"), ["requirements.txt", "constraints.txt",
                                                  "pyproject.toml"]):
        pytest.fail("the .venv is older than the pins: run `make env` (this test must not install)")
    for command in ("preflight", "env", "lint"):
        r = subprocess.run([str(bin_dir / "python3"), "tools/course.py", command], cwd=ROOT,
                           env=env, capture_output=True, text=True, timeout=300)
        assert r.returncode == 0, (command, r.stdout, r.stderr)
    assert "ruff check ." in r.stdout and "All checks passed" in r.stdout
    # A failing step's status comes back: an unknown goal, and a command that fails.
    r = subprocess.run([str(bin_dir / "python3"), "tools/course.py", "nonsense"], cwd=ROOT,
                       env=env, capture_output=True, text=True)
    assert r.returncode == 2 and "invalid choice" in r.stderr
