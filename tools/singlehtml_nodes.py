"""Sphinx extension: give the singlehtml builder every node handler the html builder has.

Sphinx looks up an extension's node handlers by builder name first and falls back to the
format ("html") only when no extension registered any handler under that name.
sphinx-exercise registers some under "singlehtml", so the other extensions' html handlers
(sphinx-jupyterbook-latex's HiddenCellNode among them) were lost there and
`make pdf`'s single-page build stopped with "unknown node type". Copying the missing html
handlers across restores the fallback.
"""

from __future__ import annotations

from typing import Any

from sphinx.application import Sphinx


def share_html_handlers(app: Sphinx) -> None:
    handlers = app.registry.translation_handlers
    if app.builder.name == "singlehtml" and "singlehtml" in handlers:
        for node, pair in handlers.get("html", {}).items():
            handlers["singlehtml"].setdefault(node, pair)


def setup(app: Sphinx) -> dict[str, Any]:
    # builder-inited comes before the translator is created.
    app.connect("builder-inited", share_html_handlers)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
