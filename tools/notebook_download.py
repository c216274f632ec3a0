"""Sphinx extension: offer every notebook page as an executed .ipynb download.

sphinx-book-theme only lists the ``.ipynb`` in its download menu when a launch service
(Binder, Colab, ...) is configured. The book needs no such service, so this copies each
page's paired notebook (the executed ``.ipynb`` twin of its ``.md``, with the outputs
nbval checks) into ``_sources`` next to the ``.md`` and tells the theme about it.
(myst-nb's own copy in ``_build/jupyter_execute`` lacks the outputs when they come from
the execution cache.)
"""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

from sphinx.application import Sphinx


def add_notebook_download(app: Sphinx, pagename: str, _templatename: str,
                          context: dict[str, Any], _doctree: Any) -> None:
    if "kernelspec" not in app.env.metadata.get(pagename, {}):
        return
    executed = Path(app.srcdir) / f"{pagename}.ipynb"
    if not executed.is_file():
        return
    target = Path(app.outdir) / "_sources" / f"{pagename}.ipynb"
    target.parent.mkdir(parents=True, exist_ok=True)
    shutil.copy2(executed, target)
    context["ipynb_source"] = f"{pagename}.ipynb"


def setup(app: Sphinx) -> dict[str, Any]:
    # The theme builds its download menu at priority 501: run just before it.
    app.connect("html-page-context", add_notebook_download, priority=500)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
