"""Sphinx extension: load each script at most once per page.

sphinx-thebe's inline configuration script reaches every page twice (and
sphinx-togglebutton's too), so each page declared ``const THEBE_JS_URL`` twice and the
browser logged a SyntaxError. Dropping exact
repeats from the page's script list fixes that without touching what the scripts do.
"""

from __future__ import annotations

from typing import Any

from sphinx.application import Sphinx


def _key(script: Any) -> tuple:
    attributes = getattr(script, "attributes", {})
    # An inline script is registered with filename None in one place and "" in another.
    return (getattr(script, "filename", str(script)) or "", tuple(sorted(attributes.items())))


def drop_repeated_scripts(_app: Sphinx, _pagename: str, _templatename: str,
                          context: dict[str, Any], _doctree: Any) -> None:
    seen: set[tuple] = set()
    unique = []
    for script in context.get("script_files", []):
        if _key(script) not in seen:
            seen.add(_key(script))
            unique.append(script)
    context["script_files"] = unique


def setup(app: Sphinx) -> dict[str, Any]:
    # Last, after every extension has added its per-page scripts.
    app.connect("html-page-context", drop_repeated_scripts, priority=900)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
