"""Where things live. Everything is relative to the project root."""

from __future__ import annotations

import os
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DATA_DIR = ROOT / "data"
BOOK_DIR = ROOT / "book"
CHAPTER_DIR = BOOK_DIR / "gemeenten"
NOTEBOOK_DIR = ROOT / "notebooks"
CASESTUDY_DIR = ROOT / "casestudies"
DOELEN_DIR = ROOT / "doelen"

SNAPSHOT_ENV = "SAMENSPEL_SNAPSHOT"
CACHE_ENV = "SAMENSPEL_CACHE"
CHAPTER_ENV = "SAMENSPEL_CHAPTER_DIR"
DOELEN_ENV = "SAMENSPEL_DOELEN_DIR"


def chapter_dir() -> Path:
    """Where generated chapters go (book/gemeenten; tests point it elsewhere)."""
    return Path(os.environ.get(CHAPTER_ENV) or CHAPTER_DIR)


def doelen_dir() -> Path:
    """Where the councils' goals files live (doelen/; tests point it elsewhere)."""
    return Path(os.environ.get(DOELEN_ENV) or DOELEN_DIR)


def cache_dir() -> Path:
    """The local CBS cache (git-ignored): one folder per table id."""
    return Path(os.environ.get(CACHE_ENV) or DATA_DIR / "cbs")


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
            f"../shared/data/cbs."
        )
    return path
