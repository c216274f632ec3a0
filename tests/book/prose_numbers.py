"""The numbers a page's prose states, and the numbers its executed notebook shows.

A result a cell computes reaches the prose through myst-nb's glue (``{glue:text}`name:.3f```),
so the text cannot drift from the output. :func:`typed_results` finds the numbers that
were typed instead: a number in a markdown cell, a figure caption or alt text that equals,
at the precision it is written with, a number the page's executed notebook prints, displays
or glues.

The rule that tells a typed *result* from every other number (no per-page list):

1. Only running text counts. Skipped: code spans and code blocks, roles and their targets
   (``{cite:p}``, ``{numref}``, ``{eq}``, ``{glue:text}``...), directive options and
   labels, link targets, headings, and the numbering of lists.
2. Inside math, only a value a symbol is *said to have* counts: a number right after
   ``=``, ``\\approx``, ``\\le``/``\\ge``/``<``/``>`` or ``\\pm``. Every other number in
   math is part of a formula (an exponent, a coefficient, the 2 of :math:`2h^2`).
3. A number that appears as a literal in the page's code is a *setting* the reader can
   see in the code (a width tried, a sample size, a seed), not a result; it is exempt, and
   so is a percentage whose fraction is such a literal (95% for ``level=0.95``).
4. A number with fewer than two significant digits (0.5, 3, 100, 2,000) is exempt: it is
   a round setting or a count that printed arrays match by chance.
5. A year (an integer 1900-2099 written without a thousands separator) is exempt.

A number that survives the rule and equals a shown number is reported: glue it.
"""

from __future__ import annotations

import ast
import json
import re
from decimal import Decimal
from pathlib import Path

import jupytext
import nbformat

ROOT = Path(__file__).resolve().parents[2]
PAGES = sorted([*ROOT.glob("chapters/*.md"), *ROOT.glob("exercises/*.md"), *ROOT.glob("solutions/*.md")])
NOTEBOOK_PAGES = [p for p in PAGES if p.read_text(encoding="utf-8").startswith("---\njupytext")]

NUMBER = re.compile(r"(?<![\w.])(-?\d{1,3}(?:,\d{3})+(?:\.\d+)?|-?\d+(?:\.\d+)?(?:[eE][-+]?\d+)?)(?![\w])")
MATH_VALUE = re.compile(r"(?:=|\\approx|\\simeq|\\le(?:q)?|\\ge(?:q)?|<|>|\\pm|\\sim)\s*\{?\s*"
                        r"(-?\d+(?:\{,\}\d{3})*(?:\.\d+)?)")
ROLE = re.compile(r"\{[\w:-]+\}`[^`]*`")
CODE_SPAN = re.compile(r"`[^`\n]*`")
FENCE = re.compile(r"^(`{3,}|:{3,}).*?^\1[ \t]*$", re.M | re.S)
DISPLAY_MATH = re.compile(r"\$\$.*?\$\$", re.S)
INLINE_MATH = re.compile(r"(?<!\\)\$(?!\$)([^$\n]+?)(?<!\\)\$")
LINK_TARGET = re.compile(r"\]\([^)]*\)")
HEADING = re.compile(r"^#+ .*$", re.M)
LIST_NUMBER = re.compile(r"^\s*\d+[.)]\s", re.M)
LABEL = re.compile(r"^\((\S+)\)=\s*$", re.M)
COMMENT = re.compile(r"^%.*$", re.M)
HTML_COMMENT = re.compile(r"<!--.*?-->", re.S)
MATH_BLOCK = re.compile(r"^(`{3,}|:{3,})\{math\}.*?\n(.*?)^\1[ \t]*$", re.M | re.S)


def significant_digits(text: str) -> int:
    digits = text.replace(",", "").lstrip("-").replace(".", "").split("e")[0].split("E")[0]
    digits = digits.lstrip("0")
    if "." not in text:
        digits = digits.rstrip("0")
    return len(digits)


def _value(text: str) -> Decimal:
    return Decimal(text.replace(",", "").replace("{,}", ""))


def _decimals(text: str) -> int:
    text = text.replace(",", "")
    return len(text.split(".")[1].split("e")[0]) if "." in text else 0


def _math_values(math: str) -> list[str]:
    return [m.group(1).replace("{,}", ",") for m in MATH_VALUE.finditer(math)]


def prose_numbers(markdown: str) -> list[str]:
    """The numbers of a markdown text that rule 1 and 2 leave to check, as written."""
    found: list[str] = []
    text = HTML_COMMENT.sub(" ", COMMENT.sub(" ", markdown))
    for block in MATH_BLOCK.finditer(text):
        found += _math_values(block.group(2))
    text = FENCE.sub(" ", text)
    for block in DISPLAY_MATH.finditer(text):
        found += _math_values(block.group(0))
    text = DISPLAY_MATH.sub(" ", text)
    text = ROLE.sub(" ", text)
    text = CODE_SPAN.sub(" ", text)
    for inline in INLINE_MATH.finditer(text):
        found += _math_values(inline.group(1))
    text = INLINE_MATH.sub(" ", text)
    text = LINK_TARGET.sub("] ", text)
    text = HEADING.sub(" ", text)
    text = LABEL.sub(" ", text)
    text = LIST_NUMBER.sub(" ", text)
    found += [m.group(1) for m in NUMBER.finditer(text)]
    return found


def code_literals(sources: list[str]) -> set[Decimal]:
    """Every number written as a literal in the page's code (rule 3)."""
    literals: set[Decimal] = set()
    for source in sources:
        cleaned = "\n".join(line for line in source.splitlines() if not line.lstrip().startswith(("%", "!")))
        try:
            tree = ast.parse(cleaned)
        except SyntaxError:
            continue
        for node in ast.walk(tree):
            if isinstance(node, ast.Constant) and isinstance(node.value, (int, float)) \
                    and not isinstance(node.value, bool):
                literals.add(Decimal(repr(node.value)))
                if isinstance(node.value, float):
                    literals.add(Decimal(repr(node.value)).normalize())
    return literals


def exempt(text: str, literals: set[Decimal]) -> bool:
    """Rules 3-5."""
    if significant_digits(text) < 2:
        return True
    if re.fullmatch(r"(19|20)\d\d", text):
        return True
    try:
        value = _value(text)
    except ArithmeticError:
        return True
    # A percentage is a setting when its fraction is one (a 95% band: level=0.95 in the code).
    return any(v in literals or v.normalize() in literals
               for v in (value, abs(value), (abs(value) / 100)))


def _shown_text(nb: nbformat.NotebookNode) -> str:
    """Everything the executed notebook shows as text: streams, text/plain, glued values."""
    pieces = []
    for cell in nb.cells:
        if cell.cell_type != "code":
            continue
        for output in cell.get("outputs", []):
            if output.get("output_type") == "stream":
                pieces.append(output.get("text", ""))
            for mime, data in output.get("data", {}).items():
                if mime.endswith("text/plain") or mime.endswith("text/markdown") or mime == "text/html":
                    pieces.append(data if isinstance(data, str) else json.dumps(data))
    return "\n".join(pieces)


def shown_numbers(nb: nbformat.NotebookNode) -> list[Decimal]:
    numbers = []
    for match in re.finditer(r"-?\d+(?:,\d{3})*(?:\.\d+)?(?:[eE][-+]?\d+)?", _shown_text(nb)):
        try:
            numbers.append(Decimal(match.group(0).replace(",", "")))
        except ArithmeticError:
            pass
    return numbers


def equals_shown(text: str, shown: list[Decimal]) -> bool:
    """Does the written number equal a shown one, rounded to the precision it is written with?

    A percentage also matches the fraction it rounds (94% and 0.9412).
    """
    value = _value(text)
    places = _decimals(text)
    quantum = Decimal(1).scaleb(-places)
    candidates = {value}
    for number in shown:
        for scale in (Decimal(1), Decimal(100)):
            scaled = number * scale
            if scaled.as_tuple().exponent > -places and scaled != value:
                continue  # shown with less precision than written: not the source of it
            try:
                if scaled.quantize(quantum) in candidates:
                    return True
            except ArithmeticError:
                continue
    return False


def page_cells(md: Path) -> tuple[list[str], list[str]]:
    """(prose texts, code sources) of a page: markdown cells, captions and alt texts; code."""
    prose, code = [], []
    for cell in jupytext.read(md).cells:
        if cell.cell_type == "markdown":
            prose.append(cell.source)
        elif cell.cell_type == "code":
            code.append(cell.source)
            mystnb = cell.get("metadata", {}).get("mystnb", {})
            for text in (mystnb.get("figure", {}).get("caption"), mystnb.get("image", {}).get("alt")):
                if text:
                    prose.append(text)
    return prose, code


def typed_results(md: Path) -> list[str]:
    """Every typed number of ``md`` that its executed notebook twin shows (see the module)."""
    ipynb = md.with_suffix(".ipynb")
    if not ipynb.exists():
        return []
    shown = shown_numbers(nbformat.read(ipynb, as_version=4))
    prose, code = page_cells(md)
    literals = code_literals(code)
    problems = []
    for text in prose:
        for number in prose_numbers(text):
            if not exempt(number, literals) and equals_shown(number, shown):
                line = next((ln for ln in text.splitlines() if number in ln.replace("{,}", ",")), "")
                problems.append(f"{md.relative_to(ROOT)}: {number!r} is shown by the notebook: "
                                f"glue it ({line.strip()[:100]})")
    return problems
