"""Run jupyter-book's command line with nbclient repaired and without a slow import.

The notebooks are executed with ``tools/nbclient_fix.py`` applied: without it a cell that
draws into an ``ipywidgets.Output`` (the width explorer) can wait for its whole timeout
for a reply that has already arrived.

The command line runs without jsonschema's optional IRI format checker:
jsonschema imports ``rfc3987_syntax`` whenever it is installed (jupyter-events pulls it
in), and that package compiles a Lark grammar on import: about 3.5 s of CPU on every
build, half of an unchanged rebuild. jupyter-book's config schema checks no IRI
formats, so the build loses nothing without it.

    python tools/jupyter_book_cli.py build . -W -n --keep-going
"""

import sys

# A None entry makes `import rfc3987_syntax` raise ImportError, which jsonschema expects.
sys.modules["rfc3987_syntax"] = None

import nbclient_fix  # noqa: E402, F401  (tools/ is this script's folder; it patches on import)
from jupyter_book.cli.main import main  # noqa: E402  (must follow the line above)

if __name__ == "__main__":
    sys.exit(main())
