"""The book's own sources in a work root other than the checkout (an installed package, or
SAMENSPEL_WERKMAP): copied there before a build, file by file and only when they differ, so
that Sphinx's incremental build sees unchanged files as unchanged. What is generated there
(book/generated, book/gemeenten, _toc.yml, _build) is never overwritten from the package."""

from __future__ import annotations

import os
from pathlib import Path

from samenspel.files import atomic_write

SOURCES = ["_config.yml", "book", "_static", "_templates", "casestudies"]
GENERATED = {"book/generated", "book/gemeenten"}


def _files(source_root: Path):
    for name in SOURCES:
        top = source_root / name
        if top.is_file():
            yield top, name
        elif top.is_dir():
            for path in sorted(top.rglob("*")):
                rel = path.relative_to(source_root).as_posix()
                hidden = any(part.startswith(".") or part == "__pycache__" for part in rel.split("/"))
                generated = any(rel == g or rel.startswith(g + "/") for g in GENERATED)
                if path.is_file() and not hidden and not generated:
                    yield path, rel


def sync(source_root: Path, work_root: Path) -> list[str]:
    """Copy the book's sources from `source_root` into `work_root`; the paths written."""
    if Path(source_root).resolve() == Path(work_root).resolve():
        return []
    written = []
    for source, rel in _files(Path(source_root)):
        target = Path(work_root) / rel
        data = source.read_bytes()
        if target.is_file() and target.read_bytes() == data:
            continue
        with atomic_write(target, "wb") as out:
            out.write(data)
        os.utime(target, (source.stat().st_atime, source.stat().st_mtime))
        written.append(rel)
    return written
