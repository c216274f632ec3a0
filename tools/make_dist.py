"""Zip the built site for readers without a network: unzip, open index.html.

    .venv/bin/python tools/make_dist.py _build/html _build/dist/attention-pooling-course.zip

Everything the pages load is in the site (no CDN), so the unpacked folder reads offline.
The archive holds one top folder, and its files in sorted order with a fixed timestamp,
so the same site gives the same zip.
"""

from __future__ import annotations

import argparse
import zipfile
from pathlib import Path

TOP = "attention-pooling-course"
STAMP = (2026, 1, 1, 0, 0, 0)
README = """Attention pooling by similarity: the course as a website that needs no network.

Open index.html in any web browser. Math, figures, the width explorer and search all work
offline. The code is MIT-licensed and the text CC BY-SA 4.0; the JavaScript libraries keep
their own licences, in _static/vendor/*/LICENSE*.
"""


def make_dist(site: Path, out: Path) -> int:
    """Write the archive; returns the number of files in it."""
    files = sorted(p for p in site.rglob("*") if p.is_file() and ".buildinfo" not in p.name)
    out.parent.mkdir(parents=True, exist_ok=True)
    with zipfile.ZipFile(out, "w", compression=zipfile.ZIP_DEFLATED) as z:
        z.writestr(zipfile.ZipInfo(f"{TOP}/README.txt", STAMP), README)
        for path in files:
            info = zipfile.ZipInfo(f"{TOP}/{path.relative_to(site).as_posix()}", STAMP)
            info.compress_type = zipfile.ZIP_DEFLATED
            z.writestr(info, path.read_bytes())
    return len(files) + 1


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("site", type=Path)
    parser.add_argument("out", type=Path)
    args = parser.parse_args()
    if not (args.site / "index.html").is_file():
        raise SystemExit(f"no {args.site / 'index.html'}: run `make book` first")
    count = make_dist(args.site, args.out)
    print(f"{args.out}: {count} files, {args.out.stat().st_size / 1e6:.1f} MB")


if __name__ == "__main__":
    main()
