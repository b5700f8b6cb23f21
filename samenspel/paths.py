"""Where things live.

Two layouts, one set of names:

- a repository checkout: everything is relative to the repository root (the folder that holds
  `samenspel/`, `data/`, `notebooks/`, `casestudies/`, `book/`);
- an installed package (`pip install .`): the same folders are shipped inside the package as
  `samenspel/_share/` (see setup.py), so ROOT is that folder. The local CBS cache then lives in
  the user's cache folder, because an installed package may not be writable.

Nothing here depends on the working directory.
"""

from __future__ import annotations

import os
from pathlib import Path

PACKAGE_DIR = Path(__file__).resolve().parent
SHARE_DIR = PACKAGE_DIR / "_share"  # the repository folders, as shipped in a wheel


def _root() -> tuple[Path, bool]:
    """(root, installed): the checkout root when the package sits in a checkout, else the
    folders shipped with the installed package."""
    checkout = PACKAGE_DIR.parent
    if (checkout / "data" / "tables.yml").is_file() and (checkout / "samenspel" / "__init__.py").is_file():
        return checkout, False
    return SHARE_DIR, True


ROOT, INSTALLED = _root()
DATA_DIR = ROOT / "data"
BOOK_DIR = ROOT / "book"
CHAPTER_DIR = BOOK_DIR / "gemeenten"
NOTEBOOK_DIR = ROOT / "notebooks"
CASESTUDY_DIR = ROOT / "casestudies"
DOELEN_DIR = ROOT / "doelen"
MOMENTOPNAME_DIR = DATA_DIR / "momentopname"  # the embedded CBS snapshot

SNAPSHOT_ENV = "SAMENSPEL_SNAPSHOT"
CACHE_ENV = "SAMENSPEL_CACHE"
CHAPTER_ENV = "SAMENSPEL_CHAPTER_DIR"
DOELEN_ENV = "SAMENSPEL_DOELEN_DIR"
MOMENTOPNAME_ENV = "SAMENSPEL_MOMENTOPNAME"  # another embedded snapshot folder, or "0" for none
WORK_ENV = "SAMENSPEL_WERKMAP"
WORK_DIR_NAME = "samenspel-boek"


def work_root() -> Path:
    """Where chapters and the book are written. In a checkout the checkout itself. An installed
    package may sit in a folder that is not writable (and must not change as it is used), so
    there it is ./samenspel-boek in the working folder; SAMENSPEL_WERKMAP names another. The
    book's sources are copied there before it is built (samenspel.book.workspace)."""
    value = os.environ.get(WORK_ENV)
    if value:
        return Path(value).resolve()
    return Path.cwd() / WORK_DIR_NAME if INSTALLED else ROOT


def chapter_dir() -> Path:
    """Where generated chapters go (book/gemeenten of the work root; tests point it elsewhere)."""
    value = os.environ.get(CHAPTER_ENV)
    if value:
        return Path(value)
    return work_root() / "book" / "gemeenten"


def doelen_dir() -> Path:
    """Where the councils' goals files live (doelen/; tests point it elsewhere)."""
    return Path(os.environ.get(DOELEN_ENV) or DOELEN_DIR)


def cache_dir() -> Path:
    """The local CBS cache (git-ignored): one folder per table id. In a checkout data/cbs/;
    for an installed package the user's cache folder (XDG_CACHE_HOME, else ~/.cache)."""
    value = os.environ.get(CACHE_ENV)
    if value:
        return Path(value)
    if not INSTALLED:
        return DATA_DIR / "cbs"
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "samenspel" / "cbs"


def momentopname_dir() -> Path | None:
    """The embedded snapshot (data/momentopname), used when neither CBS nor the cache has a
    table; None when it is absent or switched off with SAMENSPEL_MOMENTOPNAME=0."""
    value = os.environ.get(MOMENTOPNAME_ENV)
    if value == "0":
        return None
    path = Path(value).resolve() if value else MOMENTOPNAME_DIR
    return path if path.is_dir() else None


def snapshot_dir() -> Path | None:
    """The offline snapshot directory, if SAMENSPEL_SNAPSHOT is set; a folder that does not
    exist is refused with a message that names it."""
    value = os.environ.get(SNAPSHOT_ENV)
    if not value:
        return None
    path = Path(value).resolve()
    if not path.is_dir():
        from samenspel.errors import SamenspelError

        raise SamenspelError(
            f"De momentopname {value} ({path}) bestaat niet of is geen map. Controleer "
            f"{SNAPSHOT_ENV} of --snapshot: die moet een map met CBS-tabellen noemen, bijvoorbeeld "
            f"de meegeleverde momentopname {MOMENTOPNAME_DIR}."
        )
    return path
