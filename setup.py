"""Packaging: pyproject.toml holds the metadata; this file only ships the repository folders the
package reads (data/, notebooks/, casestudies/, doelen/, book/, vendor/ and the book's configuration)
inside the wheel as samenspel/_share/, where samenspel.paths finds them in an installed package.
In a checkout (also an editable install) samenspel.paths uses the folders where they are."""

from __future__ import annotations

import fnmatch
import shutil
from pathlib import Path

from setuptools import setup
from setuptools.command.build_py import build_py

HERE = Path(__file__).resolve().parent
SHARED = [
    "data",
    "notebooks",
    "casestudies",
    "doelen",
    "book",
    "_config.yml",
    "_toc.yml",
    "_static",
    "_templates",
    "vendor",
]
# What is generated or local, as in .gitignore: never shipped.
EXCLUDE = [
    "data/cbs",
    "data/cbs/*",
    "book/generated",
    "book/generated/*",
    "book/gemeenten/*.ipynb",
    "book/gemeenten/*.csv",
    "_static/plotly.min.js",
    "*/__pycache__",
    "*/__pycache__/*",
    "*.pyc",
    "*/.ipynb_checkpoints",
    "*/.ipynb_checkpoints/*",
    ".*",
    "*/.*",
]


def _excluded(rel: str) -> bool:
    return any(fnmatch.fnmatch(rel, pattern) for pattern in EXCLUDE)


def shared_files(root: Path = HERE):
    """(source, path relative to the repository) of every file that is shipped in _share/."""
    for name in SHARED:
        top = root / name
        if top.is_file():
            yield top, name
        elif top.is_dir():
            for path in sorted(top.rglob("*")):
                rel = path.relative_to(root).as_posix()
                if path.is_file() and not _excluded(rel) and not any(_excluded(p) for p in _parents(rel)):
                    yield path, rel


def _parents(rel: str):
    parts = rel.split("/")
    return ["/".join(parts[:i]) for i in range(1, len(parts))]


class BuildWithShare(build_py):
    def run(self):
        super().run()
        if getattr(self, "editable_mode", False):
            return  # an editable install reads the checkout itself
        target = Path(self.build_lib) / "samenspel" / "_share"
        if target.exists():
            shutil.rmtree(target)
        for source, rel in shared_files():
            dest = target / rel
            dest.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, dest)


if __name__ == "__main__":  # also under PEP 517 builds; importing this file (a test) builds nothing
    setup(cmdclass={"build_py": BuildWithShare})
