"""Name what this machine lacks for the course, in seconds, before any download.

``make env`` runs it first (``--npm`` too when the goal builds the book). It checks only
what the install cannot fix by itself: the Python version, its ``venv`` module (with
``ensurepip``, which Debian and Ubuntu ship apart as ``python3-venv``) and, for the book,
``npm``. Written for any Python 3, so that an old one gets a message, not a syntax error.
"""

import argparse
import shutil
import sys

# numpy 2.4 needs 3.11. Any 3.11 will do: soupsieve is pinned at 2.7, since 4.x needs
# 3.11.5 and Debian 12's own Python is 3.11.2.
MINIMUM = (3, 11, 0)


def problems(need_npm, version=None):
    """Messages naming each missing piece; empty when the machine is ready."""
    version = tuple(sys.version_info[:3] if version is None else version)
    found = []
    if version < MINIMUM:
        found.append(
            "Python {} is too old: the course needs Python >= {}. Install a newer one and "
            "run `make PYTHON=/path/to/python3.11 ...`.".format(
                ".".join(map(str, version)), ".".join(map(str, MINIMUM))))
    try:
        import ensurepip  # noqa: F401
        import venv  # noqa: F401
    except ImportError:
        found.append(
            "{} has no working `venv` module (no ensurepip). On Debian/Ubuntu: "
            "`sudo apt install python3-venv` (or python3.X-venv for your version); "
            "without root, use a Python from python.org, pyenv, uv or conda.".format(sys.executable))
    if need_npm and shutil.which("npm") is None:
        found.append(
            "npm is not on the PATH: building the book installs the JavaScript the site serves "
            "(MathJax, the widgets manager, require.js) with `npm ci`. Install Node.js "
            "(https://nodejs.org, or your package manager). Reading needs no Node: notebooks "
            "open with `make lab`; a built site (`make dist`) or PDF (`make pdf`) opens anywhere.")
    return found


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--npm", action="store_true", help="npm is needed too (building the book)")
    found = problems(parser.parse_args().npm)
    for p in found:
        sys.stderr.write("preflight: " + p + "\n")
    sys.exit(1 if found else 0)


if __name__ == "__main__":
    main()
