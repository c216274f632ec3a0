"""`make test` fails when a notebook's .md source and its .ipynb twin disagree."""

import shutil
from pathlib import Path

import nbformat
import pytest

from tools import nbsync

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def course(tmp_path, monkeypatch):
    (tmp_path / "chapters").mkdir()
    md = next(iter(nbsync.paired_markdown()))
    shutil.copy(md, tmp_path / "chapters" / md.name)
    shutil.copy(md.with_suffix(".ipynb"), tmp_path / "chapters" / md.with_suffix(".ipynb").name)
    monkeypatch.setattr(nbsync, "ROOT", tmp_path)
    return tmp_path / "chapters" / md.name


def test_committed_pairs_are_in_step():
    assert nbsync.check() == []


@pytest.mark.usefixtures("course")
def test_a_pair_in_step_passes():
    assert nbsync.check() == []


def test_an_edited_markdown_source_is_caught(course):
    course.write_text(course.read_text() + "\n```{code-cell} ipython3\nprint(1)\n```\n")
    assert "disagree" in " ".join(nbsync.check())


def test_a_missing_twin_is_caught(course):
    course.with_suffix(".ipynb").unlink()
    assert "no paired" in " ".join(nbsync.check())


def test_an_orphan_notebook_is_caught(course):
    course.unlink()
    assert "has no .md source" in " ".join(nbsync.check())


def test_a_reference_to_nothing_is_caught(course):
    course.write_text(course.read_text() + "\n+++\n\nSee {ref}`no-such-label`.\n")
    assert "no-such-label" in " ".join(nbsync.check())


def test_a_twin_without_its_first_cell_is_caught(course):
    twin = course.with_suffix(".ipynb")
    nb = nbformat.read(twin, as_version=4)
    nb.cells.pop(0)
    nbformat.write(nb, twin)
    assert "disagree" in " ".join(nbsync.check())
