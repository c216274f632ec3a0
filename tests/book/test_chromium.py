"""tests/book/chromium.py: how the browser tests find Chromium, skip without one, and fail in CI."""

from __future__ import annotations

import chromium
import pytest


@pytest.fixture
def no_browser(monkeypatch):
    monkeypatch.delenv("NW_CHROMIUM", raising=False)
    monkeypatch.setattr(chromium.shutil, "which", lambda _name: None)
    monkeypatch.setattr(chromium, "playwright_chromium", lambda: None)


def test_environment_variable_comes_first(monkeypatch, tmp_path):
    browser = tmp_path / "my-chromium"
    browser.write_text("#!/bin/sh\n")
    browser.chmod(0o755)
    monkeypatch.setenv("NW_CHROMIUM", str(browser))
    monkeypatch.setattr(chromium.shutil, "which", lambda _name: pytest.fail("PATH searched"))
    assert chromium.find_chromium() == str(browser)


def test_a_wrong_environment_variable_is_an_error(monkeypatch, tmp_path):
    monkeypatch.setenv("NW_CHROMIUM", str(tmp_path / "missing"))
    with pytest.raises(FileNotFoundError, match="NW_CHROMIUM"):
        chromium.find_chromium()


@pytest.mark.usefixtures("no_browser")
def test_path_then_playwright(monkeypatch):
    assert chromium.find_chromium() is None
    monkeypatch.setattr(chromium, "playwright_chromium", lambda: "/opt/pw/chrome")
    assert chromium.find_chromium() == "/opt/pw/chrome"
    monkeypatch.setattr(chromium.shutil, "which",
                        lambda name: "/usr/bin/chromium-browser" if name == "chromium-browser" else None)
    assert chromium.find_chromium() == "/usr/bin/chromium-browser"


@pytest.mark.usefixtures("no_browser")
def test_without_a_browser_skip_names_the_ways(monkeypatch):
    monkeypatch.delenv("CI", raising=False)
    with pytest.raises(pytest.skip.Exception) as skipped:
        chromium.chromium_or_skip()
    message = str(skipped.value)
    assert "NW_CHROMIUM" in message and "playwright install chromium" in message


@pytest.mark.usefixtures("no_browser")
def test_without_a_browser_ci_fails(monkeypatch):
    monkeypatch.setenv("CI", "true")
    with pytest.raises(pytest.fail.Exception, match="CI=true"):
        chromium.chromium_or_skip()

