"""Resolve the course environment for another platform, as that platform's pip would.

pip's own ``--platform`` dry run evaluates environment markers for the running machine,
so it cannot show what a Mac or a Windows laptop would install. uv's resolver evaluates
them for the target: ``uv pip compile --python-platform P --python-version V`` over
requirements.txt and constraints.txt, written as a PEP 751 lock (``pylock.toml``), lists
the one wheel per package the target would download, with its size.

Run it to print the download size per platform::

    .venv/bin/python tools/resolve_env.py
"""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
import tomllib
from dataclasses import dataclass
from pathlib import Path

__all__ = ["PLATFORMS", "PYTHONS", "Resolution", "resolve"]

ROOT = Path(__file__).resolve().parents[1]
#: uv's names for the three kinds of laptop the course supports.
PLATFORMS = {
    "linux-x86_64": "x86_64-unknown-linux-gnu",
    "macos-arm64": "aarch64-apple-darwin",
    "windows-amd64": "x86_64-pc-windows-msvc",
}
#: The oldest Python the pins allow (numpy 2.4 needs 3.11) and the newest tested.
PYTHONS = ("3.11.0", "3.13")


@dataclass(frozen=True)
class Resolution:
    """What one platform would install: ``{name: version}`` and ``{name: wheel bytes}``."""

    versions: dict[str, str]
    wheel_bytes: dict[str, int]
    sdist_only: list[str]

    @property
    def total_bytes(self) -> int:
        return sum(self.wheel_bytes.values())


def _uv() -> str:
    from uv import find_uv_bin  # the pinned uv from requirements.txt

    return find_uv_bin()


def resolve(platform: str, python: str) -> Resolution:
    """Resolve requirements.txt under constraints.txt for ``platform`` (a PLATFORMS key).

    Raises ``subprocess.CalledProcessError`` with uv's explanation when no solution exists.

    Examples
    --------
    >>> r = resolve("macos-arm64", "3.11.0")  # doctest: +SKIP
    >>> r.versions["torch"]                     # doctest: +SKIP
    '2.13.0'
    """
    # torch's macOS wheels are tagged macosx_14_0: uv assumes an older macOS by default.
    env = dict(os.environ, MACOSX_DEPLOYMENT_TARGET="14.0")
    with tempfile.TemporaryDirectory() as tmp:
        lock = Path(tmp) / "pylock.toml"
        subprocess.run(
            [_uv(), "pip", "compile", "--quiet", "--no-header",
             str(ROOT / "requirements.txt"), "-c", str(ROOT / "constraints.txt"),
             "--python-platform", PLATFORMS[platform], "--python-version", python,
             "-o", str(lock)],
            check=True, capture_output=True, text=True, env=env, cwd=ROOT)
        packages = tomllib.loads(lock.read_text(encoding="utf-8"))["packages"]
    versions, sizes, sdist_only = {}, {}, []
    for p in packages:
        versions[p["name"]] = p["version"]
        wheels = p.get("wheels", [])
        if wheels:
            # Several compatible wheels (e.g. universal2 and arm64): the installer takes one.
            sizes[p["name"]] = max(w["size"] for w in wheels)
        else:
            sdist_only.append(p["name"])
    return Resolution(versions, sizes, sdist_only)


def main() -> None:
    print("| platform | Python | packages | wheels to download |")
    print("| --- | --- | --- | --- |")
    for platform in PLATFORMS:
        for python in PYTHONS:
            r = resolve(platform, python)
            print(f"| {platform} | {python} | {len(r.versions)} | {r.total_bytes / 1e6:,.0f} MB |")
    sys.stdout.flush()


if __name__ == "__main__":
    main()
