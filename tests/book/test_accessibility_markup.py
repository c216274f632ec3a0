"""tools/accessibility.py's markup fixes, on the markup the theme and docutils write.

The browser tests (tests/book/test_browser.py) run axe-core on every built page; these
check the two rewrites themselves, quickly and without a build.
"""

from __future__ import annotations

from bs4 import BeautifulSoup

from tools.accessibility import BIBLIOENTRY, name_toggles

# pydata-sphinx-theme 0.17's sidebar markup for a page with sub-pages, and for a caption.
PAGE_WITH_CHILDREN = (
    '<ul><li class="toctree-l1 has-children"><a class="reference internal" href="chapters/index.html">'
    'The course</a><details><summary><span class="toctree-toggle" role="presentation">'
    '<i class="fa-solid fa-chevron-down"></i></span></summary><ul><li><a href="k.html">Kernels</a>'
    '</li></ul></details></li></ul>')
CAPTION = ('<ul><li class="toctree-l0 has-children"><details><summary><p class="caption">'
           '<span class="caption-text">Exercises</span></p><span class="toctree-toggle"></span>'
           '</summary></details></li></ul>')


def test_a_nameless_sidebar_toggle_is_named_after_its_page():
    soup = name_toggles(BeautifulSoup(PAGE_WITH_CHILDREN, "html.parser"))
    assert soup.summary["aria-label"] == "Show or hide the pages under The course"


def test_a_toggle_that_has_a_name_is_left_alone():
    caption = name_toggles(BeautifulSoup(CAPTION, "html.parser"))
    assert not caption.summary.has_attr("aria-label")
    labelled = PAGE_WITH_CHILDREN.replace("<summary>", '<summary aria-label="Theme label">')
    assert name_toggles(labelled).summary["aria-label"] == "Theme label"


def test_naming_twice_changes_nothing():
    # The theme caches its sidebar per page and may render it twice.
    once = name_toggles(BeautifulSoup(PAGE_WITH_CHILDREN, "html.parser"))
    assert str(name_toggles(once)) == str(once)


def test_bibliography_entries_become_list_items():
    body = ('<div role="list" class="citation-list">\n<div class="citation" id="id15" '
            'role="doc-biblioentry">\n<span class="label">1</span></div>')
    fixed = BIBLIOENTRY.sub(r'\1 role="listitem"', body)
    assert 'role="doc-biblioentry"' not in fixed
    assert '<div class="citation" id="id15" role="listitem">' in fixed
