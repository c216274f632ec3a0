"""Run jupyter-book's command line without jsonschema's optional IRI format checker.

jsonschema imports ``rfc3987_syntax`` whenever it is installed (jupyter-events pulls it
in), and that package compiles a Lark grammar on import: about 3.5 s of CPU on every
build, half of an unchanged rebuild. jupyter-book's config schema checks no IRI
formats, so the build loses nothing without it.

    python tools/jupyter_book_cli.py build . -W -n --keep-going
"""

import sys

# A None entry makes `import rfc3987_syntax` raise ImportError, which jsonschema expects.
sys.modules["rfc3987_syntax"] = None

from jupyter_book.cli.main import main  # noqa: E402  (must follow the line above)

if __name__ == "__main__":
    sys.exit(main())
