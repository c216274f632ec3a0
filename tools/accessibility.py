"""Sphinx extension: give the theme's and docutils' markup the accessible names and roles it lacks.

axe-core (tests/book/test_browser.py) found two faults in markup the course does not write:

- pydata-sphinx-theme's sidebar folds a page's sub-pages in a ``<details>`` whose
  ``<summary>`` holds only a chevron icon, so a screen reader announces a nameless
  button on every page. Each such summary gets an ``aria-label`` naming the page whose
  sub-pages it shows (a summary that already has a name is left alone, so a theme
  release that names them itself takes over).
- docutils marks each bibliography entry ``role="doc-biblioentry"``, a role WAI-ARIA has
  deprecated, inside a ``role="list"``; assistive technology then finds a list without
  list items. Each entry becomes ``role="listitem"``, what DPUB-ARIA 1.1 advises.

Both are applied to the HTML Sphinx hands the templates, not to the theme's files, so
they survive theme upgrades. The colour fixes are CSS (assets/accessibility.css). Two
header buttons drawn by the theme's templates get names that contain the text they show
(WCAG 2.1 "Label in Name") from a small script, assets/accessible-names.js, which also
leaves alone whatever the theme already names well.
"""

from __future__ import annotations

import re
from typing import Any

from bs4 import BeautifulSoup
from sphinx.application import Sphinx

BIBLIOENTRY = re.compile(r'(<div class="citation"[^>]*?) role="doc-biblioentry"')


def has_name(element: Any) -> bool:
    return bool(element.get_text(strip=True) or element.get("aria-label")
                or element.get("aria-labelledby") or element.get("title"))


def name_toggles(html: Any) -> Any:
    """Label each nameless ``<summary>`` after the link of the list item it folds.

    Examples
    --------
    >>> item = '<li><a href="k.html">Kernels</a><details><summary><i></i></summary></details></li>'
    >>> print(name_toggles(item))  # doctest: +NORMALIZE_WHITESPACE
    <li><a href="k.html">Kernels</a><details><summary aria-label="Show or hide the pages
    under Kernels"><i></i></summary></details></li>
    """
    soup = html if isinstance(html, BeautifulSoup) else BeautifulSoup(str(html), "html.parser")
    for summary in soup.find_all("summary"):
        if has_name(summary):
            continue
        item = summary.find_parent("li")
        link = item.find("a", recursive=False) if item else None
        title = link.get_text(" ", strip=True) if link else ""
        summary["aria-label"] = (f"Show or hide the pages under {title}" if title
                                 else "Show or hide these pages")
    return soup


def label_sidebar_and_bibliography(_app: Sphinx, _pagename: str, _templatename: str,
                                   context: dict[str, Any], _doctree: Any) -> None:
    generate = context.get("generate_toctree_html")
    if generate is not None:
        def generate_named(*args: Any, **kwargs: Any) -> Any:
            return name_toggles(generate(*args, **kwargs))
        context["generate_toctree_html"] = generate_named
    if "body" in context:
        context["body"] = BIBLIOENTRY.sub(r'\1 role="listitem"', context["body"])


def setup(app: Sphinx) -> dict[str, Any]:
    # After pydata-sphinx-theme puts generate_toctree_html into the context (priority 500).
    app.connect("html-page-context", label_sidebar_and_bibliography, priority=800)
    app.add_css_file("accessibility.css")
    app.add_js_file("accessible-names.js")
    return {"parallel_read_safe": True, "parallel_write_safe": True}
