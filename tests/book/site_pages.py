"""The built book as the site tests see it: every HTML page under _build/html."""

from __future__ import annotations

from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
SITE = ROOT / "_build" / "html"
MISSING = "NO-BUILT-SITE"


def site_pages() -> list[str]:
    """Every page of the built site, relative to its root; [MISSING] when there is none.

    Returning a placeholder (rather than nothing) makes the parametrized tests fail
    loudly on an unbuilt site instead of silently collecting zero tests.
    """
    if not (SITE / "index.html").is_file():
        return [MISSING]
    return sorted(
        p.relative_to(SITE).as_posix()
        for p in SITE.rglob("*.html")
        if not p.relative_to(SITE).parts[0].startswith("_")
    )


def page_file(page: str) -> Path:
    if page == MISSING:
        raise AssertionError(f"no built site at {SITE}: run `make book` first (`make test` does).")
    return SITE / page
