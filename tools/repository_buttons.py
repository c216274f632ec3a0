"""Sphinx extension: the book's repository links follow one setting, ``repository.url``.

The course's public address is entered in one place, ``repository: url:`` in
``_config.yml`` (jupyter-book hands it to the theme as ``repository_url``). Until it is
set, the book shows no repository or issue button and no link to a release, so nothing
points at a placeholder. Once it is, this turns on sphinx-book-theme's repository and
"open issue" buttons and adds the released PDF and offline zip to each page's download
menu, at the address GitHub serves the latest release's files from
(``<url>/releases/latest/download/<file>``, which the CI workflow's release uploads).
jupyter-book itself refuses ``use_repository_button: true`` without a URL, which is why
the switch lives here and not in ``_config.yml``.
"""

from __future__ import annotations

import re
from typing import Any

from sphinx.application import Sphinx
from sphinx.errors import ConfigError

# What `make pdf` and `make dist` write, and the CI workflow attaches to a release.
RELEASE_FILES = {
    "attention-pooling-course.pdf": ("Whole book (PDF)", "fas fa-file-pdf"),
    "attention-pooling-course.zip": ("Offline site (zip)", "fas fa-file-zipper"),
}
ADDRESS = re.compile(r"https://(github\.com|gitlab\.com)/[\w.-]+/[\w.-]+")


def repository_url(theme_options: dict[str, Any]) -> str:
    """The repository's address from the theme options, "" when unset; rejects a malformed one.

    Examples
    --------
    >>> repository_url({"repository_url": "https://github.com/someone/course/"})
    'https://github.com/someone/course'
    >>> repository_url({})
    ''
    """
    url = (theme_options.get("repository_url") or "").strip().rstrip("/").removesuffix(".git")
    if url and not ADDRESS.fullmatch(url):
        raise ConfigError(
            f"_config.yml: repository.url is {url!r}; give the repository's web address, "
            "https://github.com/OWNER/NAME (or gitlab.com), or leave it empty")
    return url


def release_downloads(url: str) -> list[dict[str, str]]:
    """Header-menu entries for the latest release's PDF and zip (GitHub only), else [].

    Examples
    --------
    >>> [b["url"] for b in release_downloads("https://github.com/someone/course")][0]
    'https://github.com/someone/course/releases/latest/download/attention-pooling-course.pdf'
    >>> release_downloads("https://gitlab.com/someone/course")
    []
    """
    if not url.startswith("https://github.com/"):
        return []
    return [{"type": "link", "url": f"{url}/releases/latest/download/{name}", "text": text,
             "icon": icon, "tooltip": f"Download the latest release: {text.lower()}",
             "label": f"download-release-{name.rsplit('.', 1)[1]}-button"}
            for name, (text, icon) in RELEASE_FILES.items()]


def buttons_follow_the_address(_app: Sphinx, config: Any) -> None:
    options = config.html_theme_options
    url = repository_url(options)
    options["repository_url"] = url
    options["use_repository_button"] = bool(url)
    options["use_issues_button"] = bool(url)


def add_release_downloads(app: Sphinx, _pagename: str, _templatename: str,
                          context: dict[str, Any], _doctree: Any) -> None:
    extra = release_downloads(app.config.html_theme_options.get("repository_url", ""))
    for button in context.get("header_buttons", []):
        if extra and button.get("label") == "download-buttons":
            button["buttons"].extend(extra)


def setup(app: Sphinx) -> dict[str, Any]:
    # Before the theme reads its options (builder-inited) ...
    app.connect("config-inited", buttons_follow_the_address)
    # ... and after it has built the page's download menu (priority 501).
    app.connect("html-page-context", add_release_downloads, priority=600)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
