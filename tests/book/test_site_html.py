"""Static checks of the built HTML: self-contained, links resolve, reader features present."""

from __future__ import annotations

import json
import re
from pathlib import Path
from urllib.parse import unquote, urlsplit

import pytest
from bs4 import BeautifulSoup

from site_pages import ROOT, SITE, page_file, site_pages

PAGES = site_pages()
# Elements whose URL the browser fetches when the page opens (plain <a> links are not).
LOADED = {"script": "src", "img": "src", "iframe": "src", "source": "src", "audio": "src",
          "video": "src", "embed": "src", "object": "data", "link": "href"}
NOT_FETCHED_LINKS = {"canonical", "author", "license", "help", "search", "next", "prev",
                     "index", "alternate"}
REMOTE = re.compile(r"^(https?:)?//", re.I)


def soup(page: str) -> BeautifulSoup:
    return BeautifulSoup(page_file(page).read_text(encoding="utf-8"), "html.parser")


@pytest.mark.parametrize("page", PAGES)
def test_page_loads_nothing_from_another_host(page):
    remote = []
    for tag, attr in LOADED.items():
        for el in soup(page).find_all(tag):
            if tag == "link" and NOT_FETCHED_LINKS.issuperset(el.get("rel") or []) and el.get("rel"):
                continue
            url = el.get(attr) or ""
            if REMOTE.match(url):
                remote.append(f"<{tag} {attr}={url}>")
    style = " ".join(s.get_text() for s in soup(page).find_all("style"))
    remote += re.findall(r"(?:@import|url\()\s*['\"]?(?:https?:)?//[^)'\"\s]+", style)
    assert not remote, f"{page} loads from other hosts: {remote}"


def test_stylesheets_fetch_nothing_remote():
    # Theme fonts and icons must come from the site (pydata-sphinx-theme bundles them).
    offenders = {}
    for css in (SITE / "_static").rglob("*.css"):
        text = re.sub(r"/\*.*?\*/", "", css.read_text(encoding="utf-8", errors="replace"), flags=re.S)
        found = re.findall(r"(?:@import\s+|url\()\s*['\"]?(?:https?:)?//[^)'\"\s]+", text)
        if found:
            offenders[css.relative_to(SITE).as_posix()] = found
    assert not offenders


@pytest.mark.parametrize("page", PAGES)
def test_internal_links_resolve(page):
    here = page_file(page)
    broken = []
    for a in soup(page).find_all("a", href=True):
        href = a["href"]
        parts = urlsplit(href)
        if parts.scheme or href.startswith("//") or href.startswith("mailto:"):
            continue
        target = (here.parent / unquote(parts.path)).resolve() if parts.path else here
        if target.is_dir():
            target = target / "index.html"
        if not target.is_file():
            broken.append(href)
        elif parts.fragment and target.suffix == ".html":
            ids = {el.get("id") for el in soup(target.relative_to(SITE).as_posix()).find_all(id=True)}
            if unquote(parts.fragment) not in ids:
                broken.append(href)
    assert not broken, f"{page}: links to nothing: {broken}"


def notebook_pages() -> list[str]:
    return [p for p in PAGES if (ROOT / p).with_suffix(".ipynb").is_file()] or PAGES[:1]


@pytest.mark.parametrize("page", notebook_pages())
def test_notebook_pages_offer_ipynb_and_md_downloads(page):
    hrefs = {a["href"] for a in soup(page).select(".dropdown-download-buttons a[href]")}
    suffixes = {Path(urlsplit(h).path).suffix for h in hrefs}
    assert {".ipynb", ".md"} <= suffixes, f"{page}: download menu offers {sorted(hrefs)}"
    ipynb = next(h for h in hrefs if h.endswith(".ipynb"))
    nb = json.loads((page_file(page).parent / ipynb).read_text(encoding="utf-8"))
    assert any(c.get("outputs") for c in nb["cells"] if c["cell_type"] == "code"), \
        "the downloaded notebook should carry its outputs"
    first = "".join(nb["cells"][0]["source"])
    assert "nwlib" in first and "make lab" in first, "the download should say what it needs"


def test_every_citation_resolves_into_the_bibliography():
    bib = soup("bibliography.html")
    entries = {el["id"] for el in bib.select("[id]") if el["id"].startswith("id")}
    cited = 0
    for page in PAGES:
        for a in soup(page).find_all("a", href=re.compile(r"bibliography\.html#")):
            cited += 1
            assert urlsplit(a["href"]).fragment in entries, f"{page}: {a['href']}"
        assert "[?]" not in soup(page).get_text(), f"{page} has an unresolved citation"
    assert cited, "no page cites anything: is the bibliography wired up?"


def test_labelled_equation_is_numbered_and_referenced():
    intro = soup("intro.html")
    eq = intro.find(id="equation-eq-nw")
    assert eq is not None and eq.select_one(".eqno").get_text(strip=True).startswith("(1)")
    refs = [a for p in PAGES for a in soup(p).find_all("a", href=re.compile(r"#equation-eq-nw$"))
            if "headerlink" not in a.get("class", [])]
    assert refs and all(re.fullmatch(r"Eq\. \d+", a.get_text(strip=True)) for a in refs)
