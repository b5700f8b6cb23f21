"""CBS open data: download tables with cbsodata into a local cache and read them back.

The cache uses cbsodata's own `download_data` folder format: `data/cbs/<table id>/` holds one
JSON list per OData entity (TableInfos, DataProperties, TypedDataSet, and one per dimension).
We read those files ourselves so that region *codes* are kept (cbsodata.get_data would replace
them by titles).

With the environment variable SAMENSPEL_SNAPSHOT=DIR (or `--snapshot DIR`), tables are read
from DIR only and CBS is never contacted.
"""

from __future__ import annotations

import datetime as dt
import functools
import json
import logging
import re
import shutil
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd
import yaml

from samenspel import paths
from samenspel.errors import SamenspelError

log = logging.getLogger(__name__)

TABLE_ID_RE = re.compile(r"^[0-9]{5}[A-Z]{3}$")
META_FILE = "_samenspel.json"  # written by us next to cbsodata's files: when and from where
REQUIRED_FILES = ("TableInfos.json", "TypedDataSet.json")
DOWNLOADED_FILES = REQUIRED_FILES + ("DataProperties.json",)  # what every download must hold
NUMERIC_TYPES = {"Long", "Integer", "Short", "Double", "Float", "Decimal", "Byte"}
DEFAULT_TIMEOUT = 60  # seconds per HTTP request
DEFAULT_RETRIES = 3


class TableNotAvailable(SamenspelError):
    """A table is neither in the snapshot nor in the cache, and may not be downloaded."""


@dataclass
class Table:
    """One CBS table as read from the cache or snapshot."""

    table_id: str
    info: dict
    properties: list[dict]
    data: pd.DataFrame
    origin: str  # "cache" or "snapshot"
    retrieved: dt.datetime | None
    path: Path
    region_dimension: str | None = None
    _by_key: dict = field(default_factory=dict, repr=False)

    @property
    def title(self) -> str:
        return (self.info.get("Title") or self.table_id).strip()

    @property
    def period(self) -> str:
        return str(self.info.get("Period") or "").strip()

    @property
    def modified(self) -> str | None:
        value = self.info.get("Modified")
        return str(value)[:10] if value else None

    def property(self, key: str) -> dict | None:
        if not self._by_key:
            self._by_key.update({p.get("Key"): p for p in self.properties if p.get("Key")})
        return self._by_key.get(key)

    def topic_keys(self) -> list[str]:
        return [p["Key"] for p in self.properties if p.get("Type") == "Topic" and p.get("Key")]

    def find_column(self, stems: list[str], group: str | None = None) -> str | None:
        """The column whose key stem (key without its numeric suffix) is one of `stems`.

        Stems are tried in order (the first is the current name, the rest are aliases for
        renamed stems). Where a stem occurs more than once in a table (herkomst: `Nederland_17`
        and `Nederland_20`), `group` names the title of the parent TopicGroup.
        """
        for stem in stems:
            matches = [k for k in self.topic_keys() if key_stem(k) == stem]
            if group is not None and self.has_groups():
                matches = [k for k in matches if self.group_title(k) == group]
            # Without topic groups (some rebuilt metadata has none) the first occurrence is
            # taken: CBS lists the groups in a fixed order.
            if matches:
                return matches[0]
        return None

    def has_groups(self) -> bool:
        return any(p.get("Type") == "TopicGroup" for p in self.properties)

    def group_title(self, key: str) -> str | None:
        prop = self.property(key)
        if not prop:
            return None
        parent = prop.get("ParentID")
        for p in self.properties:
            if p.get("ID") == parent and p.get("Type") == "TopicGroup":
                return (p.get("Title") or "").strip()
        return None

    def status(self, key: str) -> str:
        """'voorlopig' or 'definitief' for a column, from CBS's own description."""
        prop = self.property(key) or {}
        text = (prop.get("Description") or "").lower()
        if re.search(r"voorlopige? cijfers|betreft voorlopige", text) or self.period.endswith("*"):
            return "voorlopig"
        return "definitief"


def key_stem(key: str) -> str:
    """`AantalInwoners_5` -> `AantalInwoners`; `k_0Tot15Jaar_8` -> `k_0Tot15Jaar`."""
    return re.sub(r"_\d+$", "", key)


# --------------------------------------------------------------------------- registry

@functools.lru_cache(maxsize=1)
def registry() -> dict:
    with open(paths.DATA_DIR / "tables.yml", encoding="utf-8") as fh:
        return yaml.safe_load(fh)


def table_ids(statistic: str = "kwb") -> dict[int, str]:
    """Year -> table id for a statistic, from data/tables.yml."""
    try:
        tables = registry()["statistics"][statistic]["tables"]
    except KeyError:
        raise SamenspelError(f"Onbekende statistiek '{statistic}' in data/tables.yml.") from None
    return {int(year): str(tid) for year, tid in tables.items()}


def check_table_id(table_id: str) -> str:
    table_id = str(table_id).strip().upper()
    if not TABLE_ID_RE.match(table_id):
        raise SamenspelError(
            f"'{table_id}' is geen geldige CBS-tabelcode. Een tabelcode bestaat uit vijf cijfers "
            f"en drie letters, bijvoorbeeld 85984NED."
        )
    return table_id


# --------------------------------------------------------------------------- locations

def _location(table_id: str) -> tuple[Path, str]:
    snapshot = paths.snapshot_dir()
    if snapshot is not None:
        return snapshot / table_id, "snapshot"
    return paths.cache_dir() / table_id, "cache"


def is_available(table_id: str) -> bool:
    folder, _ = _location(table_id)
    return all((folder / name).is_file() for name in REQUIRED_FILES)


def available_years(statistic: str = "kwb") -> list[int]:
    return sorted(year for year, tid in table_ids(statistic).items() if is_available(tid))


def ensure_available(statistic: str = "kwb", warn=print) -> list[int]:
    """Download the registered tables that are not cached yet (never in snapshot mode).

    A table that cannot be fetched is skipped with one warning; its year is then simply
    absent. Returns the years that are available afterwards.
    """
    global _UNREACHABLE
    if paths.snapshot_dir() is None:
        missing = [(y, t) for y, t in sorted(table_ids(statistic).items()) if not is_available(t)]
        for year, tid in missing:
            if _UNREACHABLE:
                break  # said once: CBS is not asked again in this run
            try:
                download_table(tid)
            except CbsUnreachable as exc:
                _UNREACHABLE = exc.url
                skipped = [t for _, t in missing if t != tid]
                warn(f"Let op: {exc.message} Samenspel vraagt in deze run ook de andere ontbrekende tabellen "
                     f"niet meer op ({', '.join(skipped) or 'geen'}) en werkt met wat er lokaal is.")
            except SamenspelError as exc:
                warn(f"Let op: tabel {tid} ({year}) is niet beschikbaar en wordt overgeslagen. {exc.message}")
    return available_years(statistic)


_UNREACHABLE: str | None = None  # the CBS address that did not answer in this run


def forget_unreachable() -> None:  # ask CBS again: a new run, or a test
    global _UNREACHABLE
    _UNREACHABLE = None


def reference_file(name: str) -> Path | None:
    """A reference file from data/tables.yml: in the snapshot, or placed in the cache dir."""
    entry = registry().get("reference_files", {}).get(name)
    if entry is None:
        raise SamenspelError(f"Onbekend referentiebestand '{name}' in data/tables.yml.")
    for base in (paths.snapshot_dir(), paths.cache_dir()):
        if base is not None and (base / entry["path"]).is_file():
            return base / entry["path"]
    return None


# --------------------------------------------------------------------------- download

def download_table(
    table_id: str,
    timeout: float = DEFAULT_TIMEOUT,
    retries: int = DEFAULT_RETRIES,
    backoff: float = 2.0,
) -> Path:
    """Download a table with cbsodata into the cache, atomically.

    The table is downloaded into a temporary folder next to the cache and only then renamed
    into place, so an interrupted download leaves the previous cache intact.
    """
    table_id = check_table_id(table_id)
    if paths.snapshot_dir() is not None:
        raise TableNotAvailable(
            f"Tabel {table_id} staat niet in de momentopname {paths.snapshot_dir()} "
            f"en met SAMENSPEL_SNAPSHOT wordt het CBS niet benaderd."
        )
    import cbsodata  # imported here: it adds a handler to the root logger on import
    import requests

    cache = paths.cache_dir()
    cache.mkdir(parents=True, exist_ok=True)
    target = cache / table_id
    url = f"{'https' if cbsodata.options.use_https else 'http'}://{cbsodata.options.catalog_url}"
    last_error: Exception | None = None
    for attempt in range(1, retries + 1):
        tmp = Path(tempfile.mkdtemp(prefix=f".{table_id}-", dir=cache))
        try:
            # cbsodata's `typed` flag is inverted: typed=False downloads TypedDataSet.
            cbsodata.download_data(table_id, dir=str(tmp), typed=False, timeout=timeout)
            meta = {
                "table_id": table_id,
                "retrieved": dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds"),
                "url": f"{url}/ODataFeed/odata/{table_id}/",
            }
            (tmp / META_FILE).write_text(json.dumps(meta, indent=2), encoding="utf-8")
            _check_folder(tmp, table_id)
            _replace_folder(tmp, target)
            return target
        except requests.HTTPError as exc:
            shutil.rmtree(tmp, ignore_errors=True)
            status = exc.response.status_code if exc.response is not None else None
            if status == 404 or "404" in str(exc):
                raise SamenspelError(
                    f"Tabel {table_id} bestaat niet bij het CBS ({url}). Controleer de tabelcode "
                    f"in data/tables.yml of op opendata.cbs.nl."
                ) from exc
            last_error = exc
        except (requests.ConnectionError, requests.Timeout, OSError, ValueError, KeyError) as exc:
            shutil.rmtree(tmp, ignore_errors=True)
            last_error = exc
        except BaseException:
            shutil.rmtree(tmp, ignore_errors=True)
            raise
        if attempt < retries:
            time.sleep(backoff * attempt)
    raise CbsUnreachable(table_id, url, last_error)


class CbsUnreachable(SamenspelError):
    def __init__(self, table_id: str, url: str, cause: Exception | None):
        self.table_id = table_id
        self.url = url
        super().__init__(
            f"Het CBS ({url}) is niet bereikbaar voor tabel {table_id} "
            f"({type(cause).__name__ if cause else 'onbekende fout'}). Controleer de "
            f"internetverbinding, of werk offline met een momentopname: "
            f"SAMENSPEL_SNAPSHOT=../shared/data/cbs."
        )


def _replace_folder(new: Path, target: Path) -> None:
    old = None
    if target.exists():
        old = target.with_name(f".{target.name}-old-{int(time.time() * 1000)}")
        target.rename(old)
    new.rename(target)
    if old is not None:
        shutil.rmtree(old, ignore_errors=True)


def _check_folder(folder: Path, table_id: str) -> None:
    for name in DOWNLOADED_FILES:
        _read_json(folder / name)


def refresh(table_id: str, **kwargs) -> tuple[Path, str | None]:
    """Download a table; when CBS is unreachable but a cache exists, keep the cache.

    Returns the folder and, when the cache was kept, a Dutch warning that says its date.
    """
    try:
        return download_table(table_id, **kwargs), None
    except CbsUnreachable as exc:
        folder = paths.cache_dir() / table_id
        if is_available(table_id):
            retrieved = _retrieved(folder)
            when = retrieved.strftime("%d-%m-%Y %H:%M") if retrieved else "onbekende datum"
            return folder, (
                f"Het CBS is niet bereikbaar; tabel {table_id} komt uit de lokale cache, "
                f"opgehaald op {when}."
            )
        raise SamenspelError(
            exc.message + " Er is ook geen lokale kopie van deze tabel."
        ) from exc


# --------------------------------------------------------------------------- reading

def _read_json(path: Path):
    try:
        with open(path, encoding="utf-8") as fh:
            value = json.load(fh)
    except FileNotFoundError:
        raise CorruptTable(path, "het bestand ontbreekt") from None
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        raise CorruptTable(path, f"het is geen geldige JSON ({exc})") from None
    if isinstance(value, dict) and "value" in value:  # a raw OData envelope
        value = value["value"]
    if not isinstance(value, list):
        raise CorruptTable(path, "er staat geen lijst met rijen in")
    return value


class CorruptTable(SamenspelError):
    def __init__(self, path: Path, reason: str):
        self.path = path
        super().__init__(f"Het CBS-bestand {path} is beschadigd of onvolledig: {reason}.")


def _retrieved(folder: Path) -> dt.datetime | None:
    """When the table was fetched from CBS: from our note next to the download; for a cache
    folder without one, the file date. A snapshot without a note: unknown (its file dates say
    when the copy was made, not when CBS served it)."""
    meta = folder / META_FILE
    if meta.is_file():
        try:
            return dt.datetime.fromisoformat(json.loads(meta.read_text("utf-8"))["retrieved"])
        except (ValueError, KeyError, json.JSONDecodeError):
            pass
    snapshot = paths.snapshot_dir()
    if snapshot is not None and folder.parent == snapshot:
        return None
    data = folder / "TypedDataSet.json"
    if data.is_file():
        return dt.datetime.fromtimestamp(data.stat().st_mtime, tz=dt.timezone.utc)
    return None


def load_table(table_id: str, download: bool = True) -> Table:
    """Read a table from the snapshot or the cache, downloading it into the cache if needed.

    A corrupt cache file is detected and the table downloaded again; in snapshot mode (or
    when the download fails) a clear error names the file.
    """
    table_id = check_table_id(table_id)
    return _load_table_cached(table_id, download, _stamp(table_id))


def _stamp(table_id: str) -> float:
    folder, _ = _location(table_id)
    try:
        return (folder / "TypedDataSet.json").stat().st_mtime
    except OSError:
        return 0.0


@functools.lru_cache(maxsize=32)
def _load_table_cached(table_id: str, download: bool, _stamp: float) -> Table:
    folder, origin = _location(table_id)
    if not is_available(table_id):
        if origin == "snapshot":
            raise TableNotAvailable(
                f"Tabel {table_id} staat niet in de momentopname {folder.parent}."
            )
        if not download:
            raise TableNotAvailable(f"Tabel {table_id} staat niet in de lokale cache {folder}.")
        download_table(table_id)
    try:
        return _read_folder(folder, table_id, origin)
    except CorruptTable:
        if origin == "snapshot" or not download:
            raise
        log.warning("Beschadigde cache voor %s; opnieuw ophalen.", table_id)
        download_table(table_id)
        return _read_folder(folder, table_id, origin)


def _read_folder(folder: Path, table_id: str, origin: str) -> Table:
    infos = _read_json(folder / "TableInfos.json")
    # DataProperties is part of every download; a reference table kept without it (such as
    # 84489NED in the snapshot) is read with its values as text.
    properties = _read_json(folder / "DataProperties.json") if (folder / "DataProperties.json").exists() else []
    rows = _read_json(folder / "TypedDataSet.json")
    info = infos[0] if infos else {}
    dims = [p["Key"] for p in properties if p.get("Type") in ("Dimension", "GeoDimension", "GeoDetail", "TimeDimension")]
    region_dim = next((d for d in dims if d in ("WijkenEnBuurten", "RegioS", "Regio")), None)
    frame = pd.DataFrame.from_records(rows)
    frame = _type_columns(frame, properties, folder)
    table = Table(
        table_id=table_id,
        info=info,
        properties=properties,
        data=frame,
        origin=origin,
        retrieved=_retrieved(folder),
        path=folder,
        region_dimension=region_dim,
    )
    _attach_periods(table, folder)
    return table


def _type_columns(frame: pd.DataFrame, properties: list[dict], folder: Path) -> pd.DataFrame:
    types = {p.get("Key"): p.get("Datatype") for p in properties if p.get("Key")}
    # A declared column without a single value may be absent from the rows: it is missing
    # (NaN), not an error.
    for p in properties:
        if p.get("Type") == "Topic" and p.get("Key") and p["Key"] not in frame.columns:
            frame[p["Key"]] = np.nan
    out = {}
    for col in frame.columns:
        series = frame[col]
        if types.get(col) in NUMERIC_TYPES:
            # CBS marks unknown/secret cells with '.' (padded) in text exports; null in JSON.
            if series.dtype == object or pd.api.types.is_string_dtype(series):
                series = series.astype("string").str.strip().replace({".": None, "": None})
            out[col] = pd.to_numeric(series, errors="coerce").astype("float64")
        elif col == "ID":
            out[col] = series
        elif series.dtype == object or pd.api.types.is_string_dtype(series):
            out[col] = series.astype("string").str.strip()
        else:
            out[col] = series
    return pd.DataFrame(out, index=frame.index)


def _attach_periods(table: Table, folder: Path) -> None:
    """Tables with a Perioden dimension: add `jaar` and `status` columns per row."""
    if "Perioden" not in table.data.columns:
        return
    periods_file = folder / "Perioden.json"
    status = {}
    if periods_file.is_file():
        for p in _read_json(periods_file):
            status[str(p.get("Key", "")).strip()] = (p.get("Status") or "").strip().lower()
    keys = table.data["Perioden"].astype("string").str.strip()
    table.data["jaar"] = pd.to_numeric(keys.str.slice(0, 4), errors="coerce")
    table.data["status"] = keys.map(lambda k: "voorlopig" if "voorlopig" in status.get(k, "") else "definitief")


# --------------------------------------------------------------------------- overview

def table_overview() -> list[dict]:
    """Every registered table with its period, modification and retrieval date, and origin."""
    rows = []
    for name, stat in registry()["statistics"].items():
        for year, tid in sorted(stat["tables"].items()):
            folder, origin = _location(tid)
            entry = {
                "table_id": tid,
                "statistic": stat.get("title", name),
                "year": int(year),
                "title": None,
                "period": str(year),
                "modified": None,
                "retrieved": None,
                "origin": None,
                "url": stat.get("url", "").format(table_id=tid),
            }
            if is_available(tid):
                try:
                    info = _read_json(folder / "TableInfos.json")[0]
                    entry.update(
                        title=(info.get("Title") or "").strip() or None,
                        period=str(info.get("Period") or year).strip(),
                        modified=str(info["Modified"])[:10] if info.get("Modified") else None,
                        origin=origin,
                    )
                    retrieved = _retrieved(folder)
                    entry["retrieved"] = retrieved.date().isoformat() if retrieved else None
                except (CorruptTable, IndexError):
                    entry["origin"] = None
            rows.append(entry)
    return rows
