"""The values behind a chapter's figures, as a CSV download next to the chapter."""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from samenspel import files, paths
from samenspel.analysis import compare
from samenspel.chapter.model import Chapter
from samenspel.data import dataset


def figure_data(ch: Chapter) -> pd.DataFrame:
    """This municipality, its peers, the Netherlands and its wijken, for every indicator and
    year, with their CBS table and columns; `reden` says why a figure is left out (the
    small-base rule)."""
    codes = set(ch.peer_group.members) | {ch.code, compare.NATIONAL}
    prefix = "WK" + ch.code[2:]
    # the rows of these codes and of the wijken, in table order (an index made once per
    # process, instead of two string filters over the whole table per chapter)
    rows = ch.data["values"].iloc[dataset.value_rows(ch.data, codes, prefix)].copy()
    rows["indicator"] = rows["indicator"].astype(str)
    rows["rol"] = rows["code"].map(
        lambda c: (
            "gemeente"
            if c == ch.code
            else "Nederland"
            if c == compare.NATIONAL
            else "wijk"
            if c.startswith("WK")
            else "vergelijkbare gemeente"
        )
    )
    return rows[["indicator", "jaar", "code", "naam", "rol", "waarde", "reden", "tabel", "kolommen", "status"]]


def write_csv(ch: Chapter, directory: Path | None = None) -> Path:
    """Write the figure data next to the chapter (book/gemeenten/GMxxxx.csv); the chapter
    links to it and the book build publishes it as a download."""
    directory = paths.chapter_dir() if directory is None else directory
    target = directory / f"{ch.code}.csv"
    with files.atomic_write(target, "w", encoding="utf-8", newline="") as fh:
        figure_data(ch).to_csv(fh, index=False, sep=";", decimal=",")
    return target
