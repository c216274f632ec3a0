"""Find a Chromium for the browser tests, without root, and say how to get one.

The order: ``NW_CHROMIUM`` (a path; an error if it names nothing runnable), then
``chromium``, ``chromium-browser``, ``google-chrome`` or ``google-chrome-stable`` on the
PATH, then the browser Playwright downloads with ``playwright install chromium``.
Without one the browser tests skip with a message naming these ways, except under
``CI=true``, where a missing browser fails: CI must run them.

Run as a script it prints the browser it finds (exit 0) or nothing (exit 1); `make
browser` uses that to decide whether to install one.
"""

from __future__ import annotations

import os
import shutil
import sys
from pathlib import Path

__all__ = ["FLAGS", "HOW_TO_ENABLE", "chromium_or_skip", "find_chromium"]

NAMES = ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable")
# Headless as root needs --no-sandbox; the rest keep Chromium itself off the network.
FLAGS = ["--no-sandbox", "--disable-background-networking", "--disable-component-update",
         "--disable-sync", "--disable-quic", "--no-first-run", "--disable-default-apps"]
HOW_TO_ENABLE = (
    "no Chromium found. To run the browser tests, set NW_CHROMIUM=/path/to/chromium, put "
    "chromium on the PATH (as root, `make browser` installs Debian's), or download "
    "Playwright's own: `.venv/bin/playwright install chromium` (no root needed).")


def _runnable(path: str | os.PathLike) -> bool:
    return Path(path).is_file() and os.access(path, os.X_OK)


def playwright_chromium() -> str | None:
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        return None
    with sync_playwright() as p:
        path = p.chromium.executable_path
    return path if path and _runnable(path) else None


def find_chromium() -> str | None:
    """The Chromium to drive, or None.

    Examples
    --------
    >>> path = find_chromium()
    >>> path is None or Path(path).is_file()
    True
    """
    chosen = os.environ.get("NW_CHROMIUM")
    if chosen:
        if not _runnable(chosen):
            raise FileNotFoundError(f"NW_CHROMIUM={chosen!r} is not an executable file")
        return chosen
    for name in NAMES:
        found = shutil.which(name)
        if found:
            return found
    return playwright_chromium()


def in_ci() -> bool:
    return os.environ.get("CI", "").lower() in ("1", "true", "yes")


def chromium_or_skip() -> str:
    """The browser's path; skips the calling test with HOW_TO_ENABLE, or fails under CI."""
    import pytest

    path = find_chromium()
    if path is None:
        if in_ci():
            pytest.fail(f"CI=true and {HOW_TO_ENABLE}", pytrace=False)
        pytest.skip(HOW_TO_ENABLE)
    return path


if __name__ == "__main__":
    found = find_chromium()
    if found:
        print(found)
    sys.exit(0 if found else 1)
