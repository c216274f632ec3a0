"""What every reader of the built site is owed: described, numbered figures, the licences
of what the site redistributes, and no placeholder links."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from bs4 import BeautifulSoup

from site_pages import MISSING, ROOT, SITE, page_file, site_pages

PAGES = [p for p in site_pages()]
# An alt text that is a file name or a path, as Sphinx writes when it has nothing better.
PATHLIKE = re.compile(r"(^|[\\/])[\w.-]+\.(png|jpe?g|svg|gif|webp)$"
                      r"|^[\w./\\-]*[\\/][\w./\\-]*$|^_images|^[0-9a-f]{16,}", re.I)
PLACEHOLDER = re.compile(r"https?://(www\.)?(example\.(com|org|net)|github\.com/example)\b|"
                         r"\bYOUR[-_ ]?(USER|ORG|NAME|REPO)\b|\bTODO-URL\b", re.I)
LICENCES = {  # what the site serves -> the licence file that must travel with it
    "vendor/mathjax/tex-chtml.js": ("vendor/mathjax/LICENSE", "Apache License"),
    "vendor/html-manager/embed-amd.js": ("vendor/html-manager/LICENSE", "Redistribution and use"),
    "vendor/html-manager/1551f4f60c37af51121f.woff2": ("vendor/html-manager/LICENSE-fonts",
                                                       "SIL OPEN FONT LICENSE Version 1.1"),
    "vendor/requirejs/require.js": ("vendor/requirejs/LICENSE", "Permission is hereby granted"),
}


def _soup(page: str) -> BeautifulSoup:
    return BeautifulSoup(page_file(page).read_text(encoding="utf-8"), "html.parser")


def _twins() -> list[Path]:
    return sorted(p for folder in ("chapters", "exercises", "solutions")
                  for p in (ROOT / folder).glob("*.ipynb"))


@pytest.mark.parametrize("twin", _twins(), ids=lambda p: p.relative_to(ROOT).as_posix())
def test_every_figure_cell_has_caption_name_and_alt(twin):
    cells = json.loads(twin.read_text(encoding="utf-8"))["cells"]
    missing = []
    for i, cell in enumerate(cells):
        if not any("image/png" in o.get("data", {}) for o in cell.get("outputs", [])):
            continue
        meta = cell["metadata"].get("mystnb", {})
        figure, image = meta.get("figure", {}), meta.get("image", {})
        if not (figure.get("caption") and str(figure.get("name", "")).startswith("fig-")
                and len(image.get("alt", "")) >= 40):
            missing.append(f"cell {i}: {''.join(cell['source'])[:60]!r}")
    assert not missing, (f"{twin.name}: figure cells without mystnb figure caption, a fig-... name "
                         f"and a sentence of alt text (CONTRIBUTING.md): {missing}")


@pytest.mark.parametrize("page", PAGES)
def test_images_have_alt_text_and_numbered_captions(page):
    soup = _soup(page)
    for img in soup.select("img"):
        alt = (img.get("alt") or "").strip()
        assert alt, f"{page}: <img src={img.get('src')!r}> has no alt text"
        assert not PATHLIKE.search(alt), f"{page}: alt text {alt!r} is a path, not a description"
    for img in soup.select(".cell_output img"):
        figure = img.find_parent("figure")
        assert figure is not None, f"{page}: {img.get('src')} is not a figure"
        number = figure.select_one("figcaption .caption-number")
        text = figure.select_one("figcaption .caption-text")
        assert number and re.fullmatch(r"Fig\. [\d.]+", number.get_text(strip=True)), \
            f"{page}: figure {figure.get('id')} has no number"
        assert text and len(text.get_text(strip=True)) > 20, \
            f"{page}: figure {figure.get('id')} has no caption"


@pytest.mark.parametrize("page", PAGES)
def test_figure_references_resolve_to_numbers(page):
    for ref in _soup(page).select("a.reference span.std-numref"):
        # A numbered reference reads "Fig. 3" (or "Exercise 6" where it names an exercise).
        assert re.fullmatch(r"(Fig\.|Exercise) [\d.]+", ref.get_text(strip=True)), f"{page}: numref {ref}"


def test_numbered_figures_exist():
    pages = [p for p in PAGES if p != MISSING]
    assert pages, f"no built site at {SITE}: run `make book`"
    numbers = [n.get_text(strip=True) for p in pages for n in _soup(p).select("figcaption .caption-number")]
    assert len(numbers) >= 20 and len(set(numbers)) == len(numbers), numbers


@pytest.mark.parametrize("served, licence", LICENCES.items())
def test_vendored_code_ships_with_its_licence(served, licence):
    static = SITE / "_static"
    assert (static / served).is_file(), f"the site does not serve {served}: run `make book`"
    path, phrase = licence
    assert phrase in (static / path).read_text(encoding="utf-8"), f"{path} lacks {phrase!r}"


def test_no_placeholder_links():
    sources = [ROOT / name for name in ("_config.yml", "README.md", "CITATION.cff", "CONTRIBUTING.md",
                                        "package.json", "pyproject.toml")]
    built = sorted(SITE.rglob("*.html")) if SITE.is_dir() else []
    assert built, f"no built site at {SITE}: run `make book`"
    found = [f"{p.relative_to(ROOT)}: {m.group(0)}" for p in sources + built
             for m in PLACEHOLDER.finditer(p.read_text(encoding="utf-8"))]
    assert not found, found
    # With no repository configured, no page offers repository, issue or edit buttons.
    for p in built:
        soup = BeautifulSoup(p.read_text(encoding="utf-8"), "html.parser")
        links = [a["href"] for a in soup.select("a[href]") if "github.com" in a["href"]]
        assert not links, f"{p.relative_to(SITE)} links to {links}"
