"""Build the student edition: the book and its notebooks without the worked solutions.

    make student                          # or: python tools/course.py student
    .venv/bin/python tools/student_edition.py [--root COURSE] [--out _build/student]

Instructors hand out exercises before they release the answers. This copies the course's
sources into ``_build/student/src/`` (the main sources and build are untouched), drops
``solutions/`` from the copy and from ``_toc.yml``, turns every reference to a solution
("compare with {ref}`sol-x`", the notebooks' links to ``../solutions/x.ipynb``) into
words saying the solution comes later, and builds that copy with the book's own command
and settings (``-W``: a reference left dangling fails the build). The notebooks are
executed only when the main build's execution cache (``.jupyter_cache/``) lacks them:
the copy starts from that cache and keeps its own between runs.

It writes, under ``--out``:

- ``html/``: the site (open ``index.html``), and ``attention-pooling-course-student.zip``,
  the same site for offline readers;
- ``notebooks/``: the chapters' and exercises' ``.ipynb`` to hand out, and
  ``notebooks.zip`` with the same files.

Then it checks that nothing in the edition names or links to a solution page.
``tests/book/test_student_edition.py`` runs the exercise leak test on the built edition.
"""

from __future__ import annotations

import argparse
import re
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import nbformat
import yaml

ROOT = Path(__file__).resolve().parents[1]
SKIP = shutil.ignore_patterns(".git", ".venv", "node_modules", "_build", ".jupyter_cache",
                              "__pycache__", ".pytest_cache", ".hypothesis", "*.egg-info",
                              ".ipynb_checkpoints", "solutions")
LATER = "the worked solution, which your instructor will hand out later"
# {ref}`sol-x`, {ref}`text <sol-x>`, {doc}`../solutions/x` and markdown links to solutions/.
REFERENCES = [
    re.compile(r"\{(?:ref|numref)\}`(?:[^`<]*<)?sol-[^`>]*>?`"),
    re.compile(r"\{doc\}`(?:[^`<]*<)?[^`>]*solutions/[^`>]*>?`"),
    re.compile(r"\[[^\]]*\]\((?:\.\./|/)?(?:[^)\s]*/)?solutions/[^)]*\)"),
]
GENERATED = re.compile(r"^% Generated from solutions/.*\n", re.MULTILINE)
BOOK_FLAGS = ["-W", "-n", "--keep-going"]
SITE_ZIP = "attention-pooling-course-student.zip"


def without_solutions(text: str) -> str:
    """``text`` with every reference to a solution replaced by words saying it comes later.

    >>> without_solutions("When you are done, compare with {ref}`sol-parzen`.")
    'When you are done, compare with the worked solution, which your instructor will hand out later.'
    >>> without_solutions("compare with [Solution: P](../solutions/parzen.ipynb).")
    'compare with the worked solution, which your instructor will hand out later.'
    """
    text = GENERATED.sub("", text)
    for pattern in REFERENCES:
        text = pattern.sub(LATER, text)
    return text


def student_toc(toc: dict) -> dict:
    """``_toc.yml`` without its solution pages (and without a part that held only those)."""
    parts = []
    for part in toc.get("parts", []):
        chapters = [c for c in part.get("chapters", []) if not c["file"].startswith("solutions/")]
        if chapters:
            parts.append(dict(part, chapters=chapters))
    return dict(toc, parts=parts)


def copy_sources(root: Path, src: Path) -> None:
    """Refresh ``src`` from ``root`` without solutions; keep ``src``'s own execution cache."""
    if src.exists():
        for item in src.iterdir():
            if item.name not in (".jupyter_cache", "_build"):
                shutil.rmtree(item) if item.is_dir() and not item.is_symlink() else item.unlink()
    shutil.copytree(root, src, ignore=SKIP, dirs_exist_ok=True, symlinks=True)
    toc = yaml.safe_load((root / "_toc.yml").read_text(encoding="utf-8"))
    (src / "_toc.yml").write_text(yaml.safe_dump(student_toc(toc), sort_keys=False),
                                  encoding="utf-8")
    strip_solutions(src)
    # Start from the main build's execution cache: notebooks it holds are not executed again.
    main_cache = root / ".jupyter_cache"
    if main_cache.is_dir():
        for keyed in main_cache.iterdir():
            if keyed.is_dir() and not (src / ".jupyter_cache" / keyed.name).exists():
                shutil.copytree(keyed, src / ".jupyter_cache" / keyed.name)


def strip_solutions(src: Path) -> None:
    """Rewrite every page and notebook markdown cell under ``src`` that names a solution."""
    for path in src.rglob("*.md"):
        text = path.read_text(encoding="utf-8")
        if without_solutions(text) != text:
            path.write_text(without_solutions(text), encoding="utf-8")
    for path in src.rglob("*.ipynb"):
        nb = nbformat.read(path, as_version=4)
        changed = False
        for cell in nb.cells:
            if cell.cell_type == "markdown" and without_solutions(cell.source) != cell.source:
                cell.source = without_solutions(cell.source)
                changed = True
        if changed:
            nbformat.write(nb, path)


def dangling_links(site: Path) -> list[str]:
    """Pages of the built site that name or link to a solution page."""
    found = []
    for page in site.rglob("*"):
        if (page.suffix in (".html", ".txt", ".ipynb", ".md") or page.name == "searchindex.js") \
                and page.is_file():
            if re.search(r"solutions/|sol-[a-z]", page.read_text(encoding="utf-8", errors="replace")):
                found.append(str(page.relative_to(site)))
    return sorted(found)


def build(root: Path, out: Path) -> None:
    src = out / "src"
    copy_sources(root, src)
    code = subprocess.call([sys.executable, str(root / "tools" / "jupyter_book_cli.py"), "build",
                            str(src), *BOOK_FLAGS])
    if code != 0:
        shutil.rmtree(src / "_build" / ".doctrees", ignore_errors=True)
        raise SystemExit(f"student edition: the book build failed (exit {code})")
    site = out / "html"
    shutil.rmtree(site, ignore_errors=True)
    shutil.copytree(src / "_build" / "html", site)
    subprocess.check_call([sys.executable, str(root / "tools" / "make_dist.py"), str(site),
                           str(out / SITE_ZIP)])
    notebooks = out / "notebooks"
    shutil.rmtree(notebooks, ignore_errors=True)
    for folder in ("chapters", "exercises"):
        (notebooks / folder).mkdir(parents=True)
        for nb in sorted((src / folder).glob("*.ipynb")):
            shutil.copy2(nb, notebooks / folder / nb.name)
    with zipfile.ZipFile(out / "notebooks.zip", "w", zipfile.ZIP_DEFLATED) as z:
        for nb in sorted(notebooks.rglob("*.ipynb")):
            z.write(nb, nb.relative_to(notebooks).as_posix())
    bad = dangling_links(site) + dangling_links(notebooks)
    if bad:
        raise SystemExit("student edition: these files still name a solution: " + ", ".join(bad))
    print(f"The student edition is built: open {site / 'index.html'}; "
          f"hand out {out / SITE_ZIP} and {out / 'notebooks.zip'}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--root", type=Path, default=ROOT, help="the course to build from")
    parser.add_argument("--out", type=Path, default=None, help="default: ROOT/_build/student")
    args = parser.parse_args(argv)
    root = args.root.resolve()
    build(root, (args.out or root / "_build" / "student").resolve())
    return 0


if __name__ == "__main__":
    sys.exit(main())
