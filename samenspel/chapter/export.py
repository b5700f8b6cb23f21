"""The values behind a chapter's figures, as a CSV download next to the chapter."""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from samenspel import files, paths
from samenspel.analysis import compare
from samenspel.chapter.model import Chapter


def figure_data(ch: Chapter) -> pd.DataFrame:
    """This municipality, its peers, the Netherlands and its wijken, for every indicator and
    year, with their CBS table and columns; `reden` says why a figure is left out (the
    small-base rule)."""
    v = ch.data["values"]
    codes = set(ch.peer_group.members) | {ch.code, compare.NATIONAL}
    prefix = "WK" + ch.code[2:]
    rows = v[v["code"].isin(codes) | v["code"].str.startswith(prefix)].copy()
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
