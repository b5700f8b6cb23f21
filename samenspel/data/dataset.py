"""Everything the chapters need, computed once and reused: indicator values for every region
and year, the municipality lists, and the table overview.

The dataset is kept in memory per process and on disk in the cache folder, keyed by a
fingerprint of its inputs (the CBS files, the catalogues and the package version), so the
chapter notebooks never recompute it.
"""

from __future__ import annotations

import functools
import hashlib
import os
import pickle
import tempfile
from pathlib import Path

import numpy as np
import pandas as pd

import samenspel
from samenspel import paths
from samenspel.data import cbs, indicators, regions
from samenspel.errors import SamenspelError


def fingerprint() -> str:
    """Changes whenever an input of the figures changes."""
    h = hashlib.sha256()
    h.update(samenspel.__version__.encode())
    for source in sorted(Path(__file__).parent.glob("*.py")):  # the code that builds the dataset
        h.update(source.read_bytes())
    h.update(str(paths.snapshot_dir()).encode())
    for name in ("tables.yml", "indicators.yml", "herindelingen.yml"):
        h.update((paths.DATA_DIR / name).read_bytes())
    for _year, tid in sorted(cbs.table_ids().items()) + sorted(cbs.table_ids("provincies").items()):
        folder, _ = cbs._location(tid)
        files = [cbs.data_file(folder, entity) for entity in ("TableInfos", "DataProperties", "TypedDataSet")]
        for f in files + [folder / cbs.META_FILE]:
            if f is not None and f.is_file():
                st = f.stat()
                h.update(f"{f}:{st.st_size}:{st.st_mtime_ns}".encode())
    ref = cbs.reference_file("gemeentelijke_indeling")
    if ref is not None:
        st = ref.stat()
        h.update(f"{ref}:{st.st_size}:{st.st_mtime_ns}".encode())
    return h.hexdigest()[:16]


def _cache_file(fp: str) -> Path:
    return paths.cache_dir() / "_dataset" / f"dataset-{fp}.pkl"


def build() -> dict:
    years = cbs.available_years()
    data = {
        "fingerprint": fingerprint(),
        "years": years,
        "values": indicators.values(levels=("land", "gemeente", "wijk")),
        "municipalities": {y: regions.municipalities(y) for y in years},
        "tables": cbs.table_overview(),
        "catalogue": list(indicators.catalogue()),
        "known": regions.known_municipalities(),
        "area_changes": indicators.area_changes(),
        "origin": cbs.data_origin(),  # which source, how old: one Dutch sentence for every chapter
    }
    data["values"]["indicator"] = data["values"]["indicator"].astype("category")
    return data


@functools.lru_cache(maxsize=2)
def _load(fp: str) -> dict:
    path = _cache_file(fp)
    if path.is_file():
        try:
            with open(path, "rb") as fh:
                return pickle.load(fh)
        except Exception:  # a corrupt or outdated cache file: rebuild it
            pass
    data = build()
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, suffix=".tmp")
    with os.fdopen(fd, "wb") as fh:
        pickle.dump(data, fh, protocol=pickle.HIGHEST_PROTOCOL)
    os.replace(tmp, path)
    for old in path.parent.glob("dataset-*.pkl"):
        if old != path:
            old.unlink(missing_ok=True)
    return data


FETCH_ENV = "SAMENSPEL_FETCH"  # "0": never download here (set by the chapter runner for its kernels)


def load(fetch: bool | None = None) -> dict:
    """The dataset; first downloads registered tables that are not cached yet, unless
    `fetch` is False (default: the environment variable SAMENSPEL_FETCH, else True). The
    chapter runner fetches once in its own process and tells its kernels not to."""
    if fetch is None:
        fetch = os.environ.get(FETCH_ENV, "1") != "0"
    if fetch:
        cbs.ensure_available()
        if cbs.reference_file("gemeentelijke_indeling") is None:
            cbs.ensure_available("provincies")
    if not cbs.available_years():
        regions.latest_year()  # raises the Dutch message that says what to do
    data = _load(fingerprint())
    # The files are the same, but whether CBS answered is this run's: say it anew.
    data["origin"] = cbs.data_origin()
    return data


def municipalities(data: dict, year: int | None = None) -> tuple[int, pd.DataFrame]:
    """The chapter year (default: the latest) and its municipalities; a year without a KWB
    table is refused with a Dutch message that lists the years there are."""
    years = data["years"]
    year = years[-1] if year is None else int(year)
    if year not in data["municipalities"]:
        raise SamenspelError(
            f"Voor {year} is er geen KWB-tabel beschikbaar (beschikbaar: {', '.join(map(str, years))})."
        )
    return year, data["municipalities"][year]


def lookup(data: dict, query: str, year: int | None = None) -> regions.Municipality:
    """A municipality of `year` (default: the latest) by name or code, resolved on the dataset
    only: no CBS table is read on the way."""
    _, frame = municipalities(data, year)
    return regions.lookup(query, frame, data["known"])


def values_for(data: dict, indicator_id: str) -> pd.DataFrame:
    """The rows of one indicator (grouped once per process, not filtered per call)."""
    groups = data.get("_by_indicator")
    if groups is None:
        groups = {str(k): g for k, g in data["values"].groupby("indicator", observed=True)}
        data["_by_indicator"] = groups
    return groups.get(indicator_id, data["values"].iloc[0:0])


def _positions(data: dict, key_length: int | None) -> dict:
    """Row positions of data["values"] by code (key_length None) or by the code's first
    `key_length` characters; made once per process."""
    memo = data.setdefault("_positions", {})
    if key_length not in memo:
        codes = data["values"]["code"]
        keys = codes if key_length is None else codes.astype(object).str[:key_length]
        memo[key_length] = {str(k): v for k, v in data["values"].groupby(keys, sort=False).indices.items()}
    return memo[key_length]


def value_rows(data: dict, codes=(), prefix: str | None = None) -> np.ndarray:
    """The positions (in table order) of the rows of data["values"] whose code is one of
    `codes` or starts with `prefix`: what `isin(codes) | str.startswith(prefix)` selects,
    from an index by code and by the code's first characters made once per process (the
    table has every wijk's rows, a chapter needs a few thousand of them)."""
    by_code = _positions(data, None)
    parts = [by_code[c] for c in set(codes) if c in by_code]
    if prefix is not None:
        parts.append(_positions(data, len(prefix)).get(prefix, np.zeros(0, dtype=np.intp)))
    return np.unique(np.concatenate(parts)) if parts else np.zeros(0, dtype=np.intp)
