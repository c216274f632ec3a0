"""Nothing that exists only in a solution reaches the learner.

For every ``solutions/NAME.md``, the solution-only material (cells tagged
``solution``, the code between the solution markers, the solution's prose) must not
appear in the exercise (its MyST source, its notebook, the built page) nor in the
docstring of any name the exercise uses.
"""

from __future__ import annotations

import ast
import html
import inspect
import re
import textwrap
from html.parser import HTMLParser

import jupytext
import nbformat
import pytest

from exercise_runs import NAMES, ROOT, mx

MIN_CODE = 16  # characters of a code line, blanks removed, below which a match means nothing
MIN_PROSE = 40  # letters and digits of a prose fragment


def _code_key(line: str) -> str:
    return re.sub(r"\s+", "", line.split("#")[0]) if not line.lstrip().startswith("#") else ""


def _prose_key(text: str) -> str:
    return re.sub(r"[^a-z0-9]", "", text.lower())


def _fragments(markdown: str) -> list[str]:
    """Sentences and display-math blocks of a markdown cell, as prose keys."""
    text = re.sub(r"```\{(solution-start|solution-end)\}.*?```", " ", markdown, flags=re.S)
    text = re.sub(r"^\s*:(label|class):.*$", " ", text, flags=re.M)
    pieces = re.split(r"(?<=[.!?:])\s+|\$\$|\n\n", text)
    return [key for key in (_prose_key(p) for p in pieces) if len(key) >= MIN_PROSE]


def _code_keys(source: str) -> list[str]:
    """Each statement of the code (continuation lines joined) and each assigned expression."""
    source = textwrap.dedent(source)
    try:
        tree = ast.parse(source)
    except SyntaxError:  # a fragment that is not whole statements: compare line by line
        return [k for k in map(_code_key, source.splitlines()) if len(k) >= MIN_CODE]
    keys = []
    for node in ast.walk(tree):
        if isinstance(node, ast.stmt) and not isinstance(node, (ast.FunctionDef, ast.For, ast.If,
                                                                ast.With, ast.Try, ast.While)):
            keys.append(ast.get_source_segment(source, node) or "")
        if isinstance(node, (ast.Assign, ast.AugAssign, ast.Return)) and node.value is not None:
            keys.append(ast.get_source_segment(source, node.value) or "")
    keys = ["".join(_code_key(line) for line in key.splitlines()) for key in keys]
    return [k for k in keys if len(k) >= MIN_CODE]


def _solution_parts(name: str) -> tuple[set[str], set[str], set[str], set[str]]:
    """(solution-only code, solution-only prose, shared code, shared prose) keys."""
    nb = jupytext.read(ROOT / "solutions" / f"{name}.md")
    only_code, only_prose, shared_code, shared_prose = set(), set(), set(), set()
    for cell in nb.cells:
        tags = cell.get("metadata", {}).get("tags", [])
        if cell.cell_type == "markdown":
            target = only_prose if "solution" in tags else shared_prose
            target.update(_fragments(cell.source))
        elif "solution" in tags:
            only_code.update(_code_keys(cell.source))
        else:
            inside = False
            kept, hidden = [], []
            for line in cell.source.splitlines():
                match = mx.MARKER.match(line)
                if match:
                    inside = match.group(2) == mx.BEGIN
                    continue
                (hidden if inside else kept).append(line)
            only_code.update(_code_keys("\n".join(hidden)))
            shared_code.update(_code_keys("\n".join(kept)))
    return only_code - shared_code, only_prose - shared_prose, shared_code, shared_prose


def _leaks(name: str, text: str) -> list[str]:
    only_code, only_prose, _, _ = _solution_parts(name)
    flat_code, flat_prose = re.sub(r"\s+", "", text), _prose_key(text)
    return sorted([c for c in only_code if c in flat_code] + [p for p in only_prose if p in flat_prose])


@pytest.mark.parametrize("name", NAMES)
def test_every_solution_has_material_of_its_own(name):
    only_code, only_prose, _, _ = _solution_parts(name)
    assert only_code and only_prose, "a solution with no code or no prose of its own"


@pytest.mark.parametrize("name", NAMES)
def test_the_exercise_source_holds_nothing_of_the_solution(name):
    assert _leaks(name, (ROOT / "exercises" / f"{name}.md").read_text(encoding="utf-8")) == []


@pytest.mark.parametrize("name", NAMES)
def test_the_exercise_notebook_holds_nothing_of_the_solution(name):
    nb = nbformat.read(ROOT / "exercises" / f"{name}.ipynb", as_version=4)
    parts = [cell.source for cell in nb.cells]
    for cell in nb.cells:
        for out in cell.get("outputs", []):
            parts.append(str(out.get("text", "")) + str(out.get("data", {}).get("text/plain", "")))
    assert _leaks(name, "\n".join(parts)) == []


class _Text(HTMLParser):
    """The visible text of a page (scripts and styles left out)."""

    def __init__(self) -> None:
        super().__init__()
        self.parts: list[str] = []
        self._skip = 0

    def handle_starttag(self, tag, _attrs):
        self._skip += tag in ("script", "style")

    def handle_endtag(self, tag):
        self._skip -= tag in ("script", "style")

    def handle_data(self, data):
        if not self._skip:
            self.parts.append(data)


@pytest.mark.parametrize("name", NAMES)
def test_the_built_exercise_page_holds_nothing_of_the_solution(name):
    page = ROOT / "_build" / "html" / "exercises" / f"{name}.html"
    if not page.exists():
        pytest.skip(f"{page.relative_to(ROOT)} is not built: run `make book` first "
                    "(`make test` builds the book before it runs the tests)")
    parser = _Text()
    parser.feed(page.read_text(encoding="utf-8"))
    text = html.unescape(" ".join(parser.parts))
    assert "Exercise" in text  # the page is the exercise, not an empty shell
    assert _leaks(name, text) == []


def _used_objects(name: str) -> dict[str, object]:
    """Every nwlib object the exercise's code names: nwlib.X(.Y) and `from nwlib... import`."""
    import importlib

    import nwlib

    found: dict[str, object] = {}
    nb = jupytext.read(ROOT / "exercises" / f"{name}.md")
    for cell in nb.cells:
        if cell.cell_type != "code":
            continue
        tree = ast.parse(cell.source)
        for node in ast.walk(tree):
            if isinstance(node, ast.ImportFrom) and node.module and node.module.startswith("nwlib"):
                module = importlib.import_module(node.module)
                found[node.module] = module
                for alias in node.names:
                    found[f"{node.module}.{alias.name}"] = getattr(module, alias.name)
            elif isinstance(node, ast.Attribute):
                found.update(_nwlib_attribute(node, nwlib))
    found["nwlib"] = nwlib
    return found


def _nwlib_attribute(node: ast.Attribute, nwlib: object) -> dict[str, object]:
    """``nwlib.a.b``'s dotted name and the deepest object of the chain that nwlib has ({} if none)."""
    chain = []
    while isinstance(node, ast.Attribute):
        chain.append(node.attr)
        node = node.value
    if not (isinstance(node, ast.Name) and node.id == "nwlib"):
        return {}
    found = {}
    obj = nwlib
    for attr in reversed(chain):
        if not hasattr(obj, attr):
            break
        obj = getattr(obj, attr)
        found["nwlib." + ".".join(reversed(chain))] = obj
    return found


def _docstrings(obj: object) -> str:
    docs = [inspect.getdoc(obj) or ""]
    if inspect.isclass(obj):
        docs += [inspect.getdoc(member) or "" for _, member in inspect.getmembers(obj)
                 if not _.startswith("_")]
    return "\n".join(docs)


@pytest.mark.parametrize("name", NAMES)
def test_no_docstring_of_a_name_the_exercise_uses_holds_the_solution(name):
    used = _used_objects(name)
    # The checks live in nwlib.checks and in the per-chapter modules nwlib.course.*checks.
    assert any(re.match(r"nwlib(\.course)?\.\w*checks\.check_", key) for key in used), \
        "the exercise calls no check"
    leaks = {key: found for key, obj in used.items() if (found := _leaks(name, _docstrings(obj)))}
    assert leaks == {}


def test_the_leak_finder_finds_a_leak():
    # The test above could pass by finding nothing: show it sees a copied line and sentence.
    name = NAMES[0]
    only_code, only_prose, _, _ = _solution_parts(name)
    code = next(iter(only_code))
    assert _leaks(name, "some text " + code + " more") != []
    sol = jupytext.read(ROOT / "solutions" / f"{name}.md")
    prose = next(c.source for c in sol.cells
                 if c.cell_type == "markdown" and "solution" in c.get("metadata", {}).get("tags", [])
                 and set(_fragments(c.source)) & only_prose)
    assert _leaks(name, prose) != []
