"""The course's commands, in Python, for every platform: ``make X`` runs ``python tools/course.py X``.

Windows has no ``make`` and no bash, and its virtual environments keep Python at
``.venv\\Scripts\\python.exe``; so each command is written here once, with ``pathlib``,
``shutil`` and ``subprocess``, and the Makefile only calls it. Run it with any Python >= 3.11
(the one the environment is created from):

    python tools/course.py book      # = make book: set up, execute the notebooks, build the HTML
    python tools/course.py test      # = make test: everything CI checks
    python tools/course.py --help    # every command

Like ``make``, a step whose output is newer than its inputs is skipped (the environment,
the npm packages, the copied JavaScript). The syntax is kept to what any Python 3 parses,
so that an old Python gets the preflight's message rather than a syntax error.
"""

import argparse
import os
import shutil
import subprocess
import sys
from pathlib import Path, PurePath

ROOT = Path(__file__).resolve().parents[1]
VENV = ROOT / ".venv"
BOOK_FLAGS = ["-W", "-n", "--keep-going"]
PDF = Path("_build", "pdf", "attention-pooling-course.pdf")
DIST = Path("_build", "dist", "attention-pooling-course.zip")
# Goals that build the book need npm (tools/preflight.py --npm).
NEEDS_NPM = {"book", "test", "assets", "pdf", "dist", "student"}


class CommandFailed(Exception):
    """A step failed; its exit status is the command's."""

    def __init__(self, returncode):
        super().__init__(returncode)
        self.returncode = returncode


def venv_python(venv=VENV, os_name=None):
    """The interpreter of a virtual environment: ``bin/python``, or ``Scripts\\python.exe`` on Windows.

    >>> venv_python(Path("v"), "posix").as_posix()
    'v/bin/python'
    >>> venv_python(Path("v"), "nt").as_posix()
    'v/Scripts/python.exe'
    """
    venv = venv if isinstance(venv, PurePath) else Path(venv)
    if (os_name or os.name) == "nt":
        return venv / "Scripts" / "python.exe"
    return venv / "bin" / "python"


def run(*args, **kwargs):
    """Run a command in the project root, echoing it as make does; raise on failure."""
    args = [str(a) for a in args]
    print(" ".join(args), flush=True)
    code = subprocess.call(args, cwd=str(ROOT), **kwargs)
    if code != 0:
        raise CommandFailed(code)


def py(*args):
    """Run the course environment's Python."""
    run(venv_python(), *args)


def stale(target, inputs):
    """True when ``target`` is missing or older than any of ``inputs`` (make's rule)."""
    target = ROOT / target
    if not target.exists():
        return True
    built = target.stat().st_mtime
    return any((ROOT / p).stat().st_mtime > built for p in inputs if (ROOT / p).exists())


def touch(path):
    path = ROOT / path
    path.parent.mkdir(parents=True, exist_ok=True)
    path.touch()


# -- setting up ---------------------------------------------------------------------------

_checked = set()


def preflight(goal):
    """Name what the machine lacks before downloading anything (tools/preflight.py)."""
    if goal in _checked:
        return
    _checked.add(goal)
    args = [sys.executable, str(ROOT / "tools" / "preflight.py")]
    if goal in NEEDS_NPM:
        args.append("--npm")
    if subprocess.call(args, cwd=str(ROOT)) != 0:
        raise CommandFailed(1)


def env(goal="env"):
    """The pinned course environment in .venv (constraints.txt holds the exact versions)."""
    preflight(goal)
    stamp = Path(".venv", ".installed")
    if not stale(stamp, ["requirements.txt", "constraints.txt", "pyproject.toml"]):
        return
    if not venv_python().exists():
        run(sys.executable, "-m", "venv", VENV)
    py("-m", "pip", "install", "--quiet", "-r", "requirements.txt", "-c", "constraints.txt")
    py("-m", "pip", "install", "--quiet", "--no-deps", "--no-build-isolation", "-e", ".")
    touch(stamp)


# The JavaScript the pages load is served by the site itself: package-lock.json pins it, and
# only what the pages load is copied into vendor-assets/ (a Sphinx static path; not
# `_static/`, which jupyter-book would inject into every page). Of the widget fonts only
# woff2/woff are copied: every current browser takes them; the legacy formats add 2.5 MB.
VENDOR = Path("vendor-assets", "vendor")
NODE = Path("node_modules")
COPIES = [  # (source under node_modules or the root, destination under VENDOR)
    ("node_modules/mathjax/es5/tex-chtml.js", "mathjax/"),
    ("node_modules/mathjax/es5/a11y", "mathjax/a11y"),
    ("node_modules/mathjax/es5/adaptors", "mathjax/adaptors"),
    ("node_modules/mathjax/es5/sre", "mathjax/sre"),
    ("node_modules/mathjax/es5/ui", "mathjax/ui"),
    ("node_modules/mathjax/es5/input/tex", "mathjax/input/tex"),
    ("node_modules/mathjax/es5/output/chtml", "mathjax/output/chtml"),
    ("node_modules/@jupyter-widgets/html-manager/dist/embed-amd.js", "html-manager/"),
    ("node_modules/@jupyter-widgets/html-manager/dist/*.woff2", "html-manager/"),
    ("node_modules/@jupyter-widgets/html-manager/dist/*.woff", "html-manager/"),
    ("node_modules/requirejs/require.js", "requirejs/"),
    # Each library's licence travels with it into the site (and the zip and the PDF's
    # readers); only MathJax's npm package holds its licence file, the others are in third-party/.
    ("node_modules/mathjax/LICENSE", "mathjax/LICENSE"),
    ("third-party/html-manager/LICENSE", "html-manager/LICENSE"),
    ("third-party/fontawesome/LICENSE", "html-manager/LICENSE-fonts"),
    ("node_modules/@jupyter-widgets/html-manager/dist/embed.js.LICENSE.txt",
     "html-manager/THIRD-PARTY-NOTICES"),
    ("third-party/requirejs/LICENSE", "requirejs/LICENSE"),
]


def assets(goal="assets"):
    """npm ci (when package-lock.json changed), then copy what the pages load into vendor-assets/."""
    preflight(goal)
    npm_stamp = NODE / ".installed"
    if stale(npm_stamp, ["package.json", "package-lock.json"]):
        # shutil.which finds npm.cmd on Windows, which subprocess would not.
        run(shutil.which("npm") or "npm", "ci", "--ignore-scripts", "--no-audit", "--no-fund")
        touch(npm_stamp)
    copied = Path("vendor-assets", ".copied")
    licences = [p.relative_to(ROOT) for p in ROOT.glob("third-party/*/LICENSE")]
    if not stale(copied, [npm_stamp] + licences):
        return
    shutil.rmtree(str(ROOT / "vendor-assets"), ignore_errors=True)
    for source, dest in COPIES:
        matches = sorted(ROOT.glob(source)) if "*" in source else [ROOT / source]
        if not matches or not all(m.exists() for m in matches):
            sys.exit("assets: {} is missing: run `npm ci` again".format(source))
        for match in matches:
            target = ROOT / VENDOR / dest
            if dest.endswith("/"):
                target = target / match.name
            target.parent.mkdir(parents=True, exist_ok=True)
            if match.is_dir():
                shutil.copytree(str(match), str(target))
            else:
                shutil.copyfile(str(match), str(target))
    touch(copied)


def has_chromium():
    return subprocess.call([str(venv_python()), "tests/book/chromium.py"], cwd=str(ROOT),
                           stdout=subprocess.DEVNULL) == 0


def browser(goal="browser"):
    """Find Chromium for the browser tests; as root on Debian/Ubuntu, install one."""
    env(goal)
    if has_chromium():
        return
    root = hasattr(os, "geteuid") and os.geteuid() == 0
    if root and shutil.which("apt-get"):
        run("apt-get", "update")
        run("apt-get", "install", "-y", "chromium")
    else:
        print("browser: no Chromium and no root to install one. Set NW_CHROMIUM=/path/to/chromium, "
              "or run: {} -m playwright install chromium".format(venv_python()))


# -- the book -----------------------------------------------------------------------------

def book(goal="book"):
    """Set everything up, execute the notebooks, build the HTML book."""
    env(goal)
    assets(goal)
    try:
        py("tools/jupyter_book_cli.py", "build", ".", *BOOK_FLAGS)
    except CommandFailed:
        # A failed build must not leave a cached environment behind that lets the next,
        # unchanged build pass: drop the doctrees when Sphinx reports a problem.
        shutil.rmtree(str(ROOT / "_build" / ".doctrees"), ignore_errors=True)
        raise
    print("The book is built: open {}".format(ROOT / "_build" / "html" / "index.html"))


def pdf(goal="pdf"):
    """The whole book as one PDF, typeset by Chromium (tools/print_pdf.py): no TeX."""
    book(goal)
    py("tools/jupyter_book_cli.py", "build", ".", "--builder", "singlehtml", *BOOK_FLAGS)
    py("tools/print_pdf.py", Path("_build", "singlehtml"), PDF)


def dist(goal="dist"):
    """The self-contained site as one zip for offline readers: unzip, open index.html."""
    book(goal)
    py("tools/make_dist.py", Path("_build", "html"), DIST)


def dev_env(goal="unit"):
    """The library's `dev` extra only (no book stack), for `unit` and `lint`.

    With TORCH_INDEX set (e.g. https://download.pytorch.org/whl/cpu), torch comes from
    that index: its CPU build instead of the CUDA wheels.
    """
    preflight(goal)
    stamp = Path(".venv", ".installed-dev")
    if not stale(stamp, ["pyproject.toml", "constraints.txt"]):
        return
    if not venv_python().exists():
        run(sys.executable, "-m", "venv", VENV)
    py("-m", "pip", "install", "--quiet", "-c", "constraints.txt", "setuptools")
    index = os.environ.get("TORCH_INDEX")
    py("-m", "pip", "install", "--quiet", "-c", "constraints.txt",
       *(["--extra-index-url", index] if index else []), "--no-build-isolation", "-e", ".[dev]")
    touch(stamp)


def lint(goal="lint"):
    """ruff: pyflakes, import order, NumPy docstrings, bugbear, style (pyproject.toml)."""
    dev_env(goal)
    py("-m", "ruff", "check", ".")


def unit(goal="unit"):
    """The library alone: its tests and doctests, no notebook, no book build, no slow suite."""
    dev_env(goal)
    py("-m", "pytest", "-m", "not slow", "tests/lib", "nwlib")


def test(goal="test"):
    """Everything CI runs. The browser and PDF tests read the built site and zip."""
    lint(goal)
    dist(goal)
    browser(goal)
    if has_chromium():
        pdf(goal)
    else:
        print("test: no Chromium, so no PDF (tests/book/chromium.py says how to get one)")
    py("tools/make_exercises.py", "check")
    py("tools/nbsync.py", "check")
    py("-m", "pytest", "-rs", "--nbval", "--nbval-sanitize-with", "tests/nbval_sanitize.cfg")


def lab(goal="lab"):
    """JupyterLab on the notebooks, with the course's learner settings (tools/lab.py)."""
    env(goal)
    py("tools/lab.py")


def notebooks(goal="notebooks"):
    """Regenerate the exercises and execute each .ipynb twin from its .md source."""
    env(goal)
    py("tools/make_exercises.py", "build")
    py("tools/nbsync.py", "build")


def bench(goal="bench"):
    """Time nwlib against statsmodels and the fast Gauss transform against brute force.

    The Scaling up and fast-transform pages include the results, so their twins are refreshed.
    """
    env(goal)
    py("benchmarks/run.py")
    py("benchmarks/fgt.py")
    py("tools/nbsync.py", "refresh", Path("chapters", "scaling-up.md"), Path("chapters", "fast-transform.md"))


def student(goal="student", extra=()):
    """The student edition in _build/student/: the book and notebooks without solutions."""
    env(goal)
    assets(goal)
    py("tools/student_edition.py", *extra)


def grade(goal="grade", extra=()):
    """Execute collected exercise notebooks in isolation and tabulate the checks."""
    env(goal)
    py("tools/grade.py", *extra)


def clean(_goal="clean"):
    """Remove _build and vendor-assets (the execution cache stays)."""
    for folder in ("_build", "vendor-assets"):
        shutil.rmtree(str(ROOT / folder), ignore_errors=True)


COMMANDS = {f.__name__: f for f in (book, test, pdf, dist, lab, student, grade, env, assets,
                                    browser, unit, lint, notebooks, bench, clean)}
COMMANDS["preflight"] = preflight
PASS_THROUGH = {"student", "grade"}  # commands whose further arguments go to their tool


def main(argv=None):
    parser = argparse.ArgumentParser(
        description=__doc__.splitlines()[0],
        epilog="\n".join("  {:10} {}".format(name, (f.__doc__ or " ").splitlines()[0])
                         for name, f in COMMANDS.items()),
        formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("command", choices=sorted(COMMANDS), metavar="command")
    parser.add_argument("args", nargs=argparse.REMAINDER,
                        help="for student and grade: their own options (--help shows them)")
    args = parser.parse_args(argv)
    if args.args and args.command not in PASS_THROUGH:
        parser.error("{} takes no further arguments".format(args.command))
    try:
        if args.command in PASS_THROUGH:
            COMMANDS[args.command](args.command, args.args)
        else:
            COMMANDS[args.command](args.command)
    except CommandFailed as failed:
        return failed.returncode
    except KeyboardInterrupt:
        return 130
    return 0


if __name__ == "__main__":
    sys.exit(main())
