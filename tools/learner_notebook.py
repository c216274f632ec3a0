"""What the .ipynb twin of a page says, as opposed to its MyST source.

The book resolves citations and cross-page references at build time; a notebook opened
in JupyterLab (with jupyterlab-myst) or any other notebook viewer has only its own cells.
So the twin that ``tools/nbsync.py`` writes carries, for every markdown cell:

- ``{cite:p}`` / ``{cite:t}`` as author-year text from ``references.bib`` (a link to the
  DOI where there is one), as the book prints them;
- ``{ref}``, ``{numref}``, ``{eq}`` and ``{doc}`` that point to another page as a link to
  that page's notebook, named by the target's title; a ``{numref}`` to a figure of the
  same page (a code-cell figure, which no notebook viewer numbers) as "the figure
  below/above"; an ``{eq}`` of the same page as a ``{numref}`` that jupyterlab-myst
  writes "Eq. 2", as the book does; other references inside the notebook stay as they are;
- ``{include}`` replaced by the included text; MyST comment lines (``% ...``) dropped;
- ``{glue:text}`name:fmt``` (a number a cell computed and glued with myst-nb's ``glue``) as
  that number, formatted as the book formats it: :func:`fill_glue` reads it from the
  executed twin's outputs, so the twin is a function of the source and its own outputs;
- a gated solution (``solution-start`` with ``:class: dropdown``) folded under its
  collapsed heading, since no renderer folds a box that spans cells; its
  ``solution-end`` as a line of text instead of an empty box;

and a first cell saying what the notebook needs and how to get it (:data:`HEADER`).
The MyST source stays the single source: this module is a pure function of it (and, for
glued numbers, of the twin's own outputs).

>>> cite_text(["mack1982"], textual=True, entries={"mack1982": ("Mack and Silverman", "1982", "")})
'Mack and Silverman (1982)'
"""

from __future__ import annotations

import codecs
import functools
import os
import re
from dataclasses import dataclass
from pathlib import Path

import jupytext
import latexcodec  # noqa: F401  (registers the "ulatex" codec pybtex's text needs)
import nbformat
import yaml
from pybtex.database import parse_file

ROOT = Path(__file__).resolve().parents[1]
PAGES = ("intro.md", "chapters/*.md", "exercises/*.md", "solutions/*.md")
HEADER_TAG = "course-header"
HEADER = """\
> **What this notebook needs.** It is a page of the course *{title}*. It runs in the
> course's Python environment, which includes `nwlib`, the course's helper library (not
> on PyPI: it comes with the course repository).
>
> **How to get it.** Get a copy of the course's source repository (a clone or its source
> archive; the course has no public address yet). In its folder, `make lab` installs the pinned
> environment into `.venv` and opens JupyterLab on the course; this notebook is `{path}`.
> Without `make`: `python3 -m venv .venv`, then
> `.venv/bin/pip install -r requirements.txt -c constraints.txt` and
> `.venv/bin/pip install -e .`, then `.venv/bin/python tools/lab.py`.
"""

ROLE = re.compile(r"\{(cite:p|cite:t|cite|ref|numref|eq|doc)\}`([^`]*)`")
EXPLICIT = re.compile(r"^(.*?)\s*<([^<>]+)>$", re.S)
INCLUDE = re.compile(r"^(`{3,}|:{3,})\{include\}\s+(\S+)\n((?::[^\n]*\n)*)(?:\n)?\1[ \t]*$", re.M)
COMMENT = re.compile(r"^%.*(?:\n|$)", re.M)
FOLDED_SOLUTION = re.compile(r"^(`{3,}|:{3,})\{solution-start\}.*\n(?::[^\n]*\n)*?"
                             r":class:[^\n]*\bdropdown\b", re.M)
SOLUTION_END = re.compile(r"^(`{3,}|:{3,})\{solution-end\}[ \t]*\n\1[ \t]*$", re.M)
COLLAPSED = "jp-MarkdownHeadingCollapsed"  # the cell metadata JupyterLab 4 folds a heading by


@dataclass(frozen=True)
class Target:
    """Something a label names: where it is, what it is, what to call it."""

    page: str          # the page's path from the root, without suffix ("chapters/widths")
    kind: str          # "section", "figure", "equation", "exercise", "solution", ...
    title: str
    number: int = 0    # its number on the page (equations, figures), as the book numbers them
    cell: int = -1     # the index of the notebook cell that holds it


def page_link(page: str, here: str) -> str | None:
    """A relative link from page ``here`` to ``page``'s notebook; None if it has none.

    (A page that is no notebook, like the introduction, would open in JupyterLab as its
    raw MyST source: better name it than link to it.)
    """
    source = ROOT / f"{page}.md"
    if not source.read_text(encoding="utf-8").startswith("---\njupytext"):
        return None
    return Path(os.path.relpath(source.with_suffix(".ipynb"), (ROOT / here).parent)).as_posix()


@functools.lru_cache(maxsize=1)
def bibliography() -> dict[str, tuple[str, str, str]]:
    """Each key of references.bib: (authors as the book prints them, year, link)."""
    entries = {}
    for key, entry in parse_file(str(ROOT / "references.bib")).entries.items():
        names = [codecs.decode(" ".join(p.last_names), "ulatex").replace("{", "").replace("}", "")
                 for p in entry.persons.get("author", [])]
        authors = (names[0] if len(names) == 1 else " and ".join(names) if len(names) == 2
                   else f"{names[0]} et al.")
        fields = entry.fields
        link = (f"https://doi.org/{fields['doi']}" if "doi" in fields
                else f"https://arxiv.org/abs/{fields['eprint']}"
                if fields.get("archiveprefix", "").lower() == "arxiv" and "eprint" in fields
                else fields.get("url", ""))
        entries[key] = (authors, fields.get("year", ""), link)
    return entries


def cite_text(keys: list[str], *, textual: bool, entries: dict | None = None) -> str:
    """``{cite:p}`` as "(Author, year; ...)", ``{cite:t}`` as "Author (year)"."""
    entries = bibliography() if entries is None else entries
    parts = []
    for key in keys:
        if key not in entries:
            raise KeyError(f"citation {key!r} is not in references.bib")
        authors, year, link = entries[key]
        text = f"{authors} ({year})" if textual else f"{authors}, {year}"
        parts.append(f"[{text}]({link})" if link else text)
    return "; ".join(parts) if textual else f"({'; '.join(parts)})"


def _page_name(md: Path) -> str:
    return md.relative_to(ROOT).with_suffix("").as_posix()


@functools.lru_cache(maxsize=1)
def targets() -> dict[str, Target]:
    """Every label of every page, found in the MyST sources."""
    found: dict[str, Target] = {}
    for pattern in PAGES:
        for md in sorted(ROOT.glob(pattern)):
            found.update(_page_targets(md))
    return found


def _page_targets(md: Path) -> dict[str, Target]:
    page = _page_name(md)
    text = md.read_text(encoding="utf-8")
    is_notebook = text.startswith("---\njupytext")
    cells = nbformat_cells(md) if is_notebook else [("markdown", text, {})]
    found: dict[str, Target] = {}
    equations = figures = 0
    for index, (cell_type, source, metadata) in enumerate(cells):
        if "remove-cell" in metadata.get("tags", []):
            continue  # not on the book's page (a solution's copy of its exercise)
        if cell_type == "code":
            figure = metadata.get("mystnb", {}).get("figure", {})
            if figure.get("name"):
                figures += 1
                found[figure["name"]] = Target(page, "figure", figure.get("caption", "").strip(),
                                               figures, index)
            continue
        lines = source.splitlines()
        for n, line in enumerate(lines):
            section = _section_label(lines, n)
            if section:
                found[section[0]] = Target(page, "section", section[1], cell=index)
            for name, kind, title in _directive_labels(lines, n):
                if kind == "math":
                    equations += 1
                found[name] = Target(page, "equation" if kind == "math" else kind, title, equations, index)
            equation = re.match(r"^\$\$\s*\((\S+)\)\s*$", line)
            if equation:
                equations += 1
                found[equation.group(1)] = Target(page, "equation", "", equations, index)
    return found


def _section_label(lines: list[str], n: int) -> tuple[str, str] | None:
    """The label ``(name)=`` on line n and its section's title (the heading below, else the name)."""
    label = re.match(r"^\((\S+)\)=\s*$", lines[n])
    if not label:
        return None
    heading = re.match(r"^#+\s+(.*)", lines[n + 1]) if n + 1 < len(lines) else None
    return label.group(1), heading.group(1) if heading else label.group(1)


def _directive_labels(lines: list[str], n: int) -> list[tuple[str, str, str]]:
    """(name, kind, argument) for each ``:label:``/``:name:`` option of a directive opening on line n."""
    directive = re.match(r"^(?:`{3,}|:{3,})\{([\w:-]+)\}\s*(.*)$", lines[n])
    if not directive:
        return []
    kind = directive.group(1).removeprefix("prf:").removesuffix("-start")
    found = []
    for option in lines[n + 1:]:
        if not option.startswith(":"):
            break
        named = re.match(r"^:(?:label|name):\s*(\S+)", option)
        if named:
            found.append((named.group(1), kind, directive.group(2).strip()))
    return found


def nbformat_cells(md: Path) -> list[tuple[str, str, dict]]:
    """The cells of a paired MyST page as (type, source, metadata)."""
    return [(c.cell_type, c.source, dict(c.get("metadata", {}))) for c in jupytext.read(md).cells]


def page_title(page: str) -> str:
    text = (ROOT / f"{page}.md").read_text(encoding="utf-8")
    heading = re.search(r"^#\s+(.+)$", text, re.M)
    return heading.group(1).strip() if heading else page


KINDS = {"theorem": "Theorem", "proof": "Proof", "exercise": "Exercise", "solution": "Solution"}


def _ref(role: str, content: str, here: str, cell: int) -> str | None:
    """The readable text for one reference role, or None to leave it to the renderer."""
    explicit = EXPLICIT.match(content)
    text, label = (explicit.group(1), explicit.group(2)) if explicit else (None, content.strip())
    if role == "doc":
        page = (Path(here).parent / label).as_posix() if not label.startswith("/") else label[1:]
        page = os.path.normpath(page)
        return _link(text or page_title(page), page_link(page, here))
    target = targets().get(label)
    if target is None:
        raise KeyError(f"{here}: no page defines the label {label!r}")
    same_page = target.page == here
    if same_page and role == "eq" and not text:
        # jupyterlab-myst writes an {eq} as "(2)"; the book, as "Eq. 2" (math_eqref_format).
        return f"{{numref}}`Eq. %s <{label}>`"
    if same_page and target.kind != "figure":
        return None  # jupyterlab-myst numbers and links it inside the notebook
    if same_page:
        where = "below" if target.cell > cell else "above"
        return text.replace("%s", f"{target.number}") if text else f"the figure {where}"
    return _link(_elsewhere(target, text), page_link(target.page, here))


def _elsewhere(target: Target, text: str | None) -> str:
    """The words for a reference to a target on another page (``text``: the role's own, if any)."""
    if text:
        return text.replace("%s", str(target.number))
    title = page_title(target.page)
    if target.kind == "equation":
        return f"Eq. {target.number} of *{title}*"
    if target.kind == "figure":
        return f"Fig. {target.number} of *{title}*"
    if target.kind == "solution" and target.title in targets():
        return f"Solution: {targets()[target.title].title}"  # a solution's argument is its exercise
    if target.kind in KINDS:
        kind = KINDS[target.kind]
        return f"{kind}: {target.title}" if target.title else f"{kind} in *{title}*"
    return target.title or title


def _link(text: str, link: str | None) -> str:
    return f"[{text}]({link})" if link else text


def _include(match: re.Match, here: str) -> str:
    path = (ROOT / here).parent / match.group(2)
    text = path.read_text(encoding="utf-8")
    options = dict(re.findall(r"^:([\w-]+):\s*(.*)$", match.group(3), re.M))
    start, end = options.get("start-after", "").strip('"'), options.get("end-before", "").strip('"')
    if start:
        text = text.split(start, 1)[1]
    if end:
        text = text.split(end, 1)[0]
    return text.strip("\n")


def learner_markdown(source: str, here: str, cell: int) -> str:
    """A markdown cell as the notebook twin carries it (see the module docstring)."""
    source = INCLUDE.sub(lambda m: _include(m, here), source)
    source = COMMENT.sub("", source).lstrip("\n")
    # The end of a gated solution closes the book's box; in a notebook it would draw an
    # empty one.
    source = SOLUTION_END.sub("*End of the solution.*", source)

    def replace(match: re.Match) -> str:
        role, content = match.group(1), match.group(2)
        if role.startswith("cite"):
            keys = [k.strip() for k in content.split(",")]
            return cite_text(keys, textual=role == "cite:t")
        readable = _ref(role, content, here, cell)
        return match.group(0) if readable is None else readable

    return ROLE.sub(replace, source)


GLUE_ROLE = re.compile(r"\{glue:text\}`([^`]*)`")
GLUE_PREFIX = "application/papermill.record/"


def glued_values(nb: nbformat.NotebookNode) -> dict[str, str]:
    """The text/plain value of every name an executed notebook glued (myst-nb's ``glue``)."""
    values = {}
    for cell in nb.cells:
        for output in cell.get("outputs", []) if cell.cell_type == "code" else []:
            name = output.get("metadata", {}).get("scrapbook", {}).get("name")
            data = output.get("data", {})
            text = data.get(GLUE_PREFIX + "text/plain", data.get("text/plain"))
            if name and text is not None:
                values[name] = text
    return values


def fill_glue(nb: nbformat.NotebookNode, values: dict[str, str], page: str = "") -> nbformat.NotebookNode:
    """Write each ``{glue:text}`` role of the markdown cells as its value, in place.

    A name no cell glued raises KeyError (the book would warn about it too).

    >>> cell = nbformat.v4.new_markdown_cell("h = {glue:text}`h:.2f`.")
    >>> fill_glue(nbformat.v4.new_notebook(cells=[cell]), {"h": "0.3675"}).cells[0].source
    'h = 0.37.'
    """
    from myst_nb.core.variables import format_plain_text

    def replace(match: re.Match) -> str:
        key, _, spec = match.group(1).partition(":")
        if key not in values:
            raise KeyError(f"{page}: no cell glues the name {key!r}")
        return format_plain_text(values[key], spec)

    for cell in nb.cells:
        if cell.cell_type == "markdown":
            cell.source = GLUE_ROLE.sub(replace, cell.source)
    return nb


def header_cell(page: str) -> nbformat.NotebookNode:
    """The first cell of every twin: what the notebook needs and how to get it."""
    config = yaml.safe_load((ROOT / "_config.yml").read_text(encoding="utf-8"))
    text = HEADER.format(title=config["title"], path=f"{page}.ipynb")
    return nbformat.v4.new_markdown_cell(text, metadata={"tags": [HEADER_TAG]})


def learner_notebook(nb: nbformat.NotebookNode, page: str) -> nbformat.NotebookNode:
    """Turn the notebook of ``page`` ("chapters/widths") into its twin, in place."""
    for index, cell in enumerate(nb.cells):
        if cell.cell_type == "markdown":
            cell.source = learner_markdown(cell.source, page, index)
            if FOLDED_SOLUTION.search(cell.source) and cell.source.startswith("#"):
                # A gated solution spans many cells, which no renderer folds into one box;
                # JupyterLab folds the cells under a collapsed heading instead.
                cell.metadata[COLLAPSED] = True
    nb.cells.insert(0, header_cell(page))
    return nb
