"""Check that a release tag names the version the repository says it is releasing.

A release is tagged ``v<version>``, where ``<version>`` is ``pyproject.toml``'s
``project.version``, ``CITATION.cff``'s ``version`` and the newest numbered section of
``CHANGELOG.md`` (``## 0.2.0 (date)``, below ``## Unreleased``). The CI workflow runs this
on every pushed ``v*`` tag and stops before publishing anything when they disagree; with
``--notes`` it writes that CHANGELOG section, the release's notes.

    python tools/release_version.py v0.2.0 [--notes release-notes.md]
"""

from __future__ import annotations

import argparse
import re
import sys
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SECTION = re.compile(r"^## (\d+\.\d+\.\d+)\b.*$", re.M)


def changelog_release(text: str) -> tuple[str, str]:
    """The newest released version in a CHANGELOG and its notes (the section's body).

    >>> changelog_release("# Changelog\\n## Unreleased\\n- x\\n"
    ...                   "## 0.2.0 (2027-01-05)\\n- y\\n## 0.1.0\\n- z\\n")
    ('0.2.0', '- y')
    """
    first = SECTION.search(text)
    if first is None:
        raise ValueError("CHANGELOG.md has no released version (a heading like `## 0.2.0 (date)`)")
    following = SECTION.search(text, first.end())
    body = text[first.end():following.start() if following else len(text)]
    return first.group(1), body.strip()


def check(tag: str, root: Path = ROOT) -> str:
    """The release notes for ``tag``; raises ValueError naming what disagrees."""
    project = tomllib.loads((root / "pyproject.toml").read_text(encoding="utf-8"))["project"]["version"]
    released, notes = changelog_release((root / "CHANGELOG.md").read_text(encoding="utf-8"))
    citation = re.search(r'^version:\s*"?([^"\s]+)"?\s*$',
                         (root / "CITATION.cff").read_text(encoding="utf-8"), re.M)
    problems = []
    if project != released:
        problems.append(f"pyproject.toml says {project} but CHANGELOG.md's newest release is {released}")
    if citation is None or citation.group(1) != released:
        found = citation.group(1) if citation else "no version"
        problems.append(f"CITATION.cff says {found} but CHANGELOG.md's newest release is {released}")
    if tag != f"v{released}":
        problems.append(f"the tag {tag!r} is not v{released}, the version CHANGELOG.md releases")
    if problems:
        raise ValueError("; ".join(problems) + ". Bump pyproject.toml and CITATION.cff, move the notes from "
                         "`## Unreleased` under `## <version> (date)`, and tag v<version>.")
    return notes


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("tag", help="the pushed tag, e.g. v0.2.0")
    parser.add_argument("--notes", type=Path, help="write the version's CHANGELOG section here")
    args = parser.parse_args(argv)
    try:
        notes = check(args.tag)
    except ValueError as err:
        print(f"release_version: {err}", file=sys.stderr)
        return 1
    if args.notes:
        args.notes.parent.mkdir(parents=True, exist_ok=True)
        args.notes.write_text(notes + "\n", encoding="utf-8")
    print(f"release_version: {args.tag} matches pyproject.toml and CHANGELOG.md")
    return 0


if __name__ == "__main__":
    sys.exit(main())
