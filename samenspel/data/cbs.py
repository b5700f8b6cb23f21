"""CBS open data: download tables with cbsodata into a local cache and read them back.

The cache uses cbsodata's own `download_data` folder format: `data/cbs/<table id>/` holds one
JSON list per OData entity (TableInfos, DataProperties, TypedDataSet, and one per dimension).
We read those files ourselves so that region *codes* are kept (cbsodata.get_data would replace
them by titles).

Where a table is read from:
- with the environment variable SAMENSPEL_SNAPSHOT=DIR (or `--snapshot DIR`), from DIR only, and
  CBS is never contacted;
- otherwise from the local cache, which the main jobs first fill from the live CBS API (a table
  that is missing, or that CBS has published anew since it was fetched); when CBS does not
  answer, the cache as it is; and for a table that is not cached either, the embedded snapshot
  `data/momentopname/` (built by `python -m samenspel momentopname`).
Files may be plain JSON (`X.json`, as cbsodata writes them) or gzip-compressed (`X.json.gz`, as
in the embedded snapshot). A snapshot folder with a MANIFEST.json has every file checked against
its sha256 before it is read.
"""

from __future__ import annotations

import datetime as dt
import functools
import gzip
import hashlib
import json
import logging
import re
import shutil
import tempfile
import time
import zlib
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd
import yaml

from samenspel import paths
from samenspel.errors import SamenspelError
from samenspel.files import atomic_write

log = logging.getLogger(__name__)

TABLE_ID_RE = re.compile(r"^[0-9]{5}[A-Z]{3}$")
META_FILE = "_samenspel.json"  # written by us next to cbsodata's files: when and from where
MANIFEST_FILE = "MANIFEST.json"  # in a snapshot built by `samenspel momentopname`: sha256 per file
RUN_FILE = "_bron.json"  # in the cache folder: whether CBS answered in the latest run that asked it
REQUIRED_FILES = ("TableInfos.json", "TypedDataSet.json")
DOWNLOADED_FILES = REQUIRED_FILES + ("DataProperties.json",)  # what every download must hold
JSON_SUFFIXES = (".json", ".json.gz")  # how an entity file may be stored
CHECK_TIMEOUT = 15  # seconds for asking CBS for a table's Modified date
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


def data_file(folder: Path, entity: str) -> Path | None:
    """The file of one OData entity in a table folder: `X.json` or `X.json.gz`, or None."""
    for suffix in JSON_SUFFIXES:
        path = folder / f"{entity}{suffix}"
        if path.is_file():
            return path
    return None


def _has_table(folder: Path) -> bool:
    return all(data_file(folder, Path(name).stem) is not None for name in REQUIRED_FILES)


def _is_embedded(folder: Path) -> bool:
    """Whether `folder` is the embedded snapshot (data/momentopname, or the folder that
    SAMENSPEL_MOMENTOPNAME names)."""
    folder = folder.resolve()
    embedded = paths.momentopname_dir()
    return folder == paths.MOMENTOPNAME_DIR.resolve() or (embedded is not None and folder == embedded.resolve())


def _resolve(table_id: str) -> tuple[Path, str]:
    """Where a table is read from, and the kind of source: 'snapshot' (SAMENSPEL_SNAPSHOT),
    'momentopname' (the embedded snapshot), or 'cache' (also the target of a download)."""
    snapshot = paths.snapshot_dir()
    if snapshot is not None:
        return snapshot / table_id, "momentopname" if _is_embedded(snapshot) else "snapshot"
    cached = paths.cache_dir() / table_id
    if _has_table(cached):
        return cached, "cache"
    embedded = paths.momentopname_dir()
    if embedded is not None and _has_table(embedded / table_id):
        return embedded / table_id, "momentopname"
    return cached, "cache"


def _location(table_id: str) -> tuple[Path, str]:
    """Where a table is read from, and its origin as Table.origin says it: 'snapshot' for any
    snapshot (given or embedded), 'cache' for the local cache."""
    folder, kind = _resolve(table_id)
    return folder, "cache" if kind == "cache" else "snapshot"


def source_kind(table_id: str) -> str | None:
    """'snapshot', 'momentopname' or 'cache' for an available table; None when it is not."""
    folder, kind = _resolve(table_id)
    return kind if _has_table(folder) else None


def is_available(table_id: str) -> bool:
    folder, _ = _resolve(table_id)
    return _has_table(folder)


def _in_cache(table_id: str) -> bool:
    return _has_table(paths.cache_dir() / table_id)


def available_years(statistic: str = "kwb") -> list[int]:
    return sorted(year for year, tid in table_ids(statistic).items() if is_available(tid))


@dataclass
class _Run:
    """What this process learnt from CBS (said once per run, also to the chapter kernels
    through RUN_FILE)."""

    asked: set = field(default_factory=set)  # table ids CBS was asked about
    fetched: set = field(default_factory=set)  # downloaded in this run
    current: set = field(default_factory=set)  # cached, and CBS has nothing newer
    unreachable: str | None = None  # the CBS address that did not answer


_RUN = _Run()


def ensure_available(
    statistic: str = "kwb", warn=print, check: bool = True, warn_unreachable: bool = True
) -> list[int]:
    """Bring the cache up to date with CBS (never in snapshot mode), once per table per run.

    A registered table that is not cached is downloaded; with `check`, CBS is asked for the
    Modified date of a cached table (TableInfos, one small request) and the table downloaded
    again when CBS has published it anew. When CBS does not answer, it is not asked again in
    this run: the cache is used as it is, and a table that is not cached comes from the
    embedded snapshot. A table that cannot be fetched otherwise is skipped with one warning;
    its year is then simply absent. Returns the years that are available afterwards.

    The first question of a run is one small request without retries, so that a machine
    without internet does not wait; `warn_unreachable=False` leaves saying that CBS did not
    answer to the caller (data_origin's sentence says it).
    """
    if paths.snapshot_dir() is not None:
        return available_years(statistic)
    asked = False
    registered = sorted(table_ids(statistic).items())
    if registered and not _RUN.asked and not _RUN.unreachable:
        try:
            cbs_modified(registered[0][1])  # is CBS there at all?
        except CbsUnreachable as exc:
            _RUN.unreachable = exc.url
            _RUN.asked.add(registered[0][1])
            if warn_unreachable:
                warn(_unreachable_warning(exc))
            _write_run_state()
            return available_years(statistic)
        except SamenspelError:
            pass  # CBS answers, but does not know this table: the loop below says so
    for year, tid in registered:
        if _RUN.unreachable or tid in _RUN.asked:
            continue
        _RUN.asked.add(tid)
        asked = True
        try:
            if _in_cache(tid) and not (check and _published_anew(tid)):
                _RUN.current.add(tid)
                continue
            cached = _in_cache(tid)
            try:
                download_table(tid)
                _RUN.fetched.add(tid)
            except CbsUnreachable:
                raise
            except SamenspelError as exc:
                if not cached:
                    warn(f"Let op: tabel {tid} ({year}) is niet beschikbaar en wordt overgeslagen. {exc.message}")
        except CbsUnreachable as exc:
            _RUN.unreachable = exc.url
            if warn_unreachable:
                warn(_unreachable_warning(exc))
        except SamenspelError:
            _RUN.current.add(tid)  # CBS does not know the cached table (any more): keep the copy
    if asked:
        _write_run_state()
    return available_years(statistic)


def _unreachable_warning(exc: CbsUnreachable) -> str:
    fallback = "de lokale cache en de meegeleverde momentopname" if paths.momentopname_dir() else "de lokale cache"
    return (
        f"Let op: {exc.message} Samenspel vraagt in deze run ook de andere tabellen niet meer op "
        f"en werkt met {fallback}."
    )


def forget_unreachable() -> None:
    """Ask CBS again (a new run, or a test)."""
    global _RUN
    _RUN = _Run()


def _write_run_state() -> None:
    state = {
        "checked": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "reachable": _RUN.unreachable is None,
        "url": _RUN.unreachable or _cbs_url(),
        "fetched": sorted(_RUN.fetched),
        "current": sorted(_RUN.current),
    }
    cache = paths.cache_dir()
    try:
        with atomic_write(cache / RUN_FILE, encoding="utf-8") as fh:
            json.dump(state, fh, indent=2)
    except OSError as exc:  # a read-only cache: the sentence then says less, nothing breaks
        log.info("Kon %s niet schrijven: %s", cache / RUN_FILE, exc)


def _run_state() -> dict:
    """The latest run's answer from CBS (this process, or the runner that started it)."""
    if _RUN.asked:
        return {
            "reachable": _RUN.unreachable is None,
            "url": _RUN.unreachable,
            "fetched": sorted(_RUN.fetched),
            "current": sorted(_RUN.current),
            "checked": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        }
    try:
        return json.loads((paths.cache_dir() / RUN_FILE).read_text("utf-8"))
    except (OSError, ValueError):
        return {}


def _cbs_url() -> str:
    import cbsodata

    return f"{'https' if cbsodata.options.use_https else 'http'}://{cbsodata.options.catalog_url}"


def cbs_modified(table_id: str, timeout: float = CHECK_TIMEOUT) -> str | None:
    """The `Modified` date-time CBS gives now for a table (its TableInfos), as text; None when
    CBS gives none. Raises CbsUnreachable when CBS does not answer, SamenspelError for a table
    CBS does not know."""
    import requests

    url = _cbs_url()
    address = f"{url}/ODataFeed/odata/{table_id}/TableInfos?$format=json"
    try:
        response = requests.get(address, timeout=timeout)
    except (requests.ConnectionError, requests.Timeout) as exc:
        raise CbsUnreachable(table_id, url, exc) from None
    if response.status_code == 404:
        raise SamenspelError(f"Tabel {table_id} bestaat niet bij het CBS ({url}).")
    if response.status_code != 200:
        raise CbsUnreachable(table_id, url, requests.HTTPError(f"HTTP {response.status_code}"))
    try:
        body = response.json()
        rows = body.get("value", body) if isinstance(body, dict) else body
        value = rows[0].get("Modified") if rows else None
    except (ValueError, AttributeError, IndexError, KeyError) as exc:
        raise CbsUnreachable(table_id, url, exc) from None
    return str(value) if value else None


def _published_anew(table_id: str) -> bool:
    """Whether CBS's Modified date of a cached table is later than the cached copy's."""
    now = cbs_modified(table_id)
    try:
        cached = (_read_json(paths.cache_dir() / table_id / "TableInfos.json") or [{}])[0].get("Modified")
    except CorruptTable:
        return True
    return bool(now) and (not cached or str(now) > str(cached))


def reference_file(name: str) -> Path | None:
    """A reference file from data/tables.yml (plain or gzip-compressed): in the snapshot, else
    placed in the cache folder, else in the embedded snapshot. A file of a snapshot with a
    manifest is checked against it first."""
    entry = registry().get("reference_files", {}).get(name)
    if entry is None:
        raise SamenspelError(f"Onbekend referentiebestand '{name}' in data/tables.yml.")
    snapshot = paths.snapshot_dir()
    bases = [snapshot] if snapshot is not None else [paths.cache_dir(), paths.momentopname_dir()]
    for base in bases:
        if base is None:
            continue
        for candidate in (base / entry["path"], base / (entry["path"] + ".gz")):
            if candidate.is_file():
                _verify(candidate)
                return candidate
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
                "retrieved": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
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
            f"internetverbinding, of werk offline met een momentopname: SAMENSPEL_SNAPSHOT=MAP "
            f"(Samenspel heeft er zelf een in {_shown(paths.MOMENTOPNAME_DIR)})."
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
                f"Het CBS is niet bereikbaar; tabel {table_id} komt uit de lokale cache, opgehaald op {when}."
            )
        raise SamenspelError(exc.message + " Er is ook geen lokale kopie van deze tabel.") from exc


# --------------------------------------------------------------------------- reading


def _read_json(path: Path):
    """One entity file as a list of rows: `X.json` or `X.json.gz` (`path` may name either;
    a plain file is preferred). A file of a snapshot with a manifest is checked first."""
    path = Path(path)
    if not path.is_file() and path.suffix == ".json" and path.with_name(path.name + ".gz").is_file():
        path = path.with_name(path.name + ".gz")
    try:
        _verify(path)
        if path.suffix == ".gz":
            with gzip.open(path, "rt", encoding="utf-8") as fh:
                value = json.load(fh)
        else:
            with open(path, encoding="utf-8") as fh:
                value = json.load(fh)
    except FileNotFoundError:
        raise CorruptTable(path, "het bestand ontbreekt") from None
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        raise CorruptTable(path, f"het is geen geldige JSON ({exc})") from None
    except (gzip.BadGzipFile, EOFError, zlib.error) as exc:
        raise CorruptTable(path, f"het is geen geldig gzip-bestand ({exc})") from None
    if isinstance(value, dict) and "value" in value:  # a raw OData envelope
        value = value["value"]
    if not isinstance(value, list):
        raise CorruptTable(path, "er staat geen lijst met rijen in")
    return value


class CorruptTable(SamenspelError):
    def __init__(self, path: Path, reason: str):
        self.path = path
        super().__init__(f"Het CBS-bestand {path} is beschadigd of onvolledig: {reason}.")


# --------------------------------------------------------------------------- manifest


def _shown(path: Path) -> str:
    """A path as a user reads it: relative to the project when it lies inside it."""
    path = Path(path)
    try:
        return path.resolve().relative_to(paths.ROOT.resolve()).as_posix()
    except ValueError:
        return str(path)


@functools.lru_cache(maxsize=8)
def _manifest_cached(path: str, _stamp: tuple) -> dict:
    try:
        manifest = json.loads(Path(path).read_text("utf-8"))
        files = {}
        for group in ("tables", "reference_files"):
            for entry in manifest.get(group, []):
                for rel, info in entry.get("files", {}).items():
                    files[rel] = info
        manifest["_files"] = files
        return manifest
    except (OSError, ValueError, AttributeError, TypeError) as exc:
        raise CorruptTable(Path(path), f"het manifest is onleesbaar ({exc})") from None


def manifest(root: Path) -> dict | None:
    """The MANIFEST.json of a snapshot folder, or None when it has none."""
    path = Path(root) / MANIFEST_FILE
    try:
        st = path.stat()
    except OSError:
        return None
    return _manifest_cached(str(path), (st.st_size, st.st_mtime_ns))


def _snapshot_root(path: Path) -> Path | None:
    """The snapshot folder with a manifest that `path` belongs to (a table file lies one
    level down, a reference file such as gebieden/x.csv.gz too)."""
    for root in (path.parent, path.parent.parent):
        if (root / MANIFEST_FILE).is_file():
            return root
    return None


_VERIFIED: set = set()  # (path, size, mtime) of files whose sha256 matched in this process


def file_sha256(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


def _verify(path: Path) -> None:
    """A file of a snapshot with a manifest must be listed there with its sha256."""
    root = _snapshot_root(path)
    if root is None:
        return
    entries = manifest(root)["_files"]
    rel = path.relative_to(root).as_posix()
    entry = entries.get(rel)
    if entry is None:
        raise CorruptTable(path, f"het staat niet in {root / MANIFEST_FILE}")
    st = path.stat()
    key = (str(path), st.st_size, st.st_mtime_ns)
    if key in _VERIFIED:
        return
    if st.st_size != entry.get("size") or file_sha256(path) != entry.get("sha256"):
        raise CorruptTable(
            path,
            f"de controlesom (sha256) klopt niet met {root / MANIFEST_FILE}. Zet het bestand terug "
            f"(git checkout -- {_shown(path)}) of maak de momentopname opnieuw met "
            f"'python -m samenspel momentopname --van MAP'",
        )
    _VERIFIED.add(key)


def _retrieved(folder: Path) -> dt.datetime | None:
    """When the table was fetched from CBS: from our note next to the download, or from the
    manifest of a snapshot; for a cache folder without a note, the file date. A snapshot
    without a note: unknown (its file dates say when the copy was made, not when CBS served
    it)."""
    meta = folder / META_FILE
    if meta.is_file():
        try:
            return dt.datetime.fromisoformat(json.loads(meta.read_text("utf-8"))["retrieved"])
        except (ValueError, KeyError, json.JSONDecodeError):
            pass
    root = _snapshot_root(folder / "TableInfos.json")
    if root is not None:
        entry = next((t for t in manifest(root).get("tables", []) if t.get("table_id") == folder.name), {})
        value = entry.get("retrieved")
        try:
            return dt.datetime.fromisoformat(value) if value else None
        except ValueError:
            return None
    snapshot = paths.snapshot_dir()
    embedded = paths.momentopname_dir()
    if any(base is not None and folder.parent.resolve() == base.resolve() for base in (snapshot, embedded)):
        return None
    data = data_file(folder, "TypedDataSet")
    if data is not None:
        return dt.datetime.fromtimestamp(data.stat().st_mtime, tz=dt.UTC)
    return None


def load_table(table_id: str, download: bool = True) -> Table:
    """Read a table from the snapshot or the cache, downloading it into the cache if needed.

    A corrupt cache file is detected and the table downloaded again; in snapshot mode (or
    when the download fails) a clear error names the file.
    """
    table_id = check_table_id(table_id)
    return _load_table_cached(table_id, download, _stamp(table_id))


def _stamp(table_id: str) -> tuple:
    folder, _ = _location(table_id)
    data = data_file(folder, "TypedDataSet")
    try:
        return (str(folder), data.stat().st_mtime) if data is not None else (str(folder), 0.0)
    except OSError:
        return (str(folder), 0.0)


@functools.lru_cache(maxsize=32)
def _load_table_cached(table_id: str, download: bool, _stamp: tuple) -> Table:
    folder, origin = _location(table_id)
    if not is_available(table_id):
        if paths.snapshot_dir() is not None:
            raise TableNotAvailable(f"Tabel {table_id} staat niet in de momentopname {folder.parent}.")
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
    props_file = data_file(folder, "DataProperties")
    properties = _read_json(props_file) if props_file is not None else []
    rows = _read_json(folder / "TypedDataSet.json")
    info = infos[0] if infos else {}
    dims = [
        p["Key"] for p in properties if p.get("Type") in ("Dimension", "GeoDimension", "GeoDetail", "TimeDimension")
    ]
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
    periods_file = data_file(folder, "Perioden")
    status = {}
    if periods_file is not None:
        for p in _read_json(periods_file):
            status[str(p.get("Key", "")).strip()] = (p.get("Status") or "").strip().lower()
    keys = table.data["Perioden"].astype("string").str.strip()
    table.data["jaar"] = pd.to_numeric(keys.str.slice(0, 4), errors="coerce")
    table.data["status"] = keys.map(lambda k: "voorlopig" if "voorlopig" in status.get(k, "") else "definitief")


# --------------------------------------------------------------------------- overview


def table_overview() -> list[dict]:
    """Every registered table with its period, modification and retrieval date, and origin
    ('cache' or 'snapshot'; `source` says more: 'cache', 'snapshot' for SAMENSPEL_SNAPSHOT or
    'momentopname' for the embedded snapshot)."""
    rows = []
    for name, stat in registry()["statistics"].items():
        for year, tid in sorted(stat["tables"].items()):
            folder, kind = _resolve(tid)
            origin = "cache" if kind == "cache" else "snapshot"
            entry = {
                "table_id": tid,
                "statistic": stat.get("title", name),
                "year": int(year),
                "title": None,
                "period": str(year),
                "modified": None,
                "retrieved": None,
                "origin": None,
                "source": None,
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
                        source=kind,
                    )
                    retrieved = _retrieved(folder)
                    entry["retrieved"] = retrieved.date().isoformat() if retrieved else None
                except (CorruptTable, IndexError):
                    entry["origin"] = entry["source"] = None
            rows.append(entry)
    return rows


# --------------------------------------------------------------------------- where the data came from

ORIGIN_KINDS = ("cbs", "cache", "momentopname", "snapshot")


@dataclass(frozen=True)
class DataOrigin:
    """Which source the figures come from and how old they are, in one Dutch sentence.

    kind: 'cbs' (the live API answered in the latest run: fetched or confirmed current),
    'cache' (the local cache, CBS not reached or not asked), 'momentopname' (the embedded
    snapshot) or 'snapshot' (a folder named by SAMENSPEL_SNAPSHOT). With tables from more
    than one source, `kind` is that of the newest year and the sentence names the others.
    """

    kind: str
    sentence: str
    modified: str | None = None  # the latest CBS 'Modified' date of the tables used (ISO date)
    retrieved: str | None = None  # when the newest table was fetched from CBS (ISO date)
    checked: str | None = None  # when CBS was last asked (ISO date), for 'cbs' and 'cache'
    folder: str | None = None  # where the newest table was read from
    tables: tuple = ()  # (year, table id, kind) of every table used


def _years_text(years: list[int]) -> str:
    years = sorted(years)
    if len(years) > 2 and years == list(range(years[0], years[-1] + 1)):
        return f"{years[0]}–{years[-1]}"
    return ", ".join(map(str, years[:-1])) + (" en " if len(years) > 1 else "") + str(years[-1])


def data_origin(statistic: str = "kwb") -> DataOrigin:
    """Where the tables of `statistic` come from now, and how old they are."""
    from samenspel import fmt

    used = []
    for year, tid in sorted(table_ids(statistic).items()):
        folder, kind = _resolve(tid)
        if not _has_table(folder):
            continue
        used.append((year, tid, kind, folder))
    snapshot = paths.snapshot_dir()
    if not used:
        where = (
            f"in de momentopname {_shown(snapshot)}"
            if snapshot
            else "bij het CBS, in de lokale cache of in een momentopname"
        )
        return DataOrigin(
            "snapshot" if snapshot else "cache", f"Gegevens: er zijn geen CBS-tabellen beschikbaar ({where})."
        )
    state = {} if snapshot is not None else _run_state()
    confirmed = set(state.get("fetched", [])) | set(state.get("current", [])) if state.get("reachable") else set()

    def kind_of(tid: str, kind: str) -> str:
        return "cbs" if kind == "cache" and tid in confirmed else kind

    tables = tuple((year, tid, kind_of(tid, kind)) for year, tid, kind, _ in used)
    modified = []
    retrieved = []
    for _year, _tid, kind, folder in used:
        try:
            info = (_read_json(folder / "TableInfos.json") or [{}])[0]
        except CorruptTable:
            info = {}
        if info.get("Modified"):
            modified.append(str(info["Modified"])[:10])
        if kind == "cache":
            when = _retrieved(folder)
            if when is not None:
                retrieved.append(when.date().isoformat())
    newest_year, newest_tid, newest_kind = tables[-1]
    newest_folder = used[-1][3]
    checked = str(state.get("checked") or "")[:10] or None
    latest = max(modified) if modified else None
    age = (
        f"stand: nieuwste CBS-tabel gewijzigd op {fmt.date_nl(latest)}"
        if latest
        else "stand: wijzigingsdatum van het CBS onbekend"
    )
    unreachable = (
        f"het CBS ({state.get('url')}) is niet bereikbaar" if state.get("url") else "het CBS is niet bereikbaar"
    )
    if retrieved:
        first, last = min(retrieved), max(retrieved)
        fetched = (
            f"opgehaald op {fmt.date_nl(last)}"
            if first == last
            else f"opgehaald tussen {fmt.date_nl(first)} en {fmt.date_nl(last)}"
        )
    else:
        fetched = None

    if newest_kind == "snapshot":
        head = (
            f"Gegevens: CBS-momentopname in {_shown(newest_folder.parent)} (SAMENSPEL_SNAPSHOT); "
            f"Samenspel maakt geen verbinding met het CBS"
        )
    elif newest_kind == "momentopname":
        built = (manifest(newest_folder.parent) or {}).get("built")
        made = f", samengesteld op {fmt.date_nl(built)}" if built else ""
        if snapshot is not None:
            why = "gekozen met SAMENSPEL_SNAPSHOT; Samenspel maakt geen verbinding met het CBS"
        elif state.get("reachable") is False:
            why = f"want {unreachable} en de lokale cache heeft deze tabellen niet"
        else:
            why = "want de lokale cache heeft deze tabellen niet"
        head = f"Gegevens: de meegeleverde CBS-momentopname ({_shown(newest_folder.parent)}{made}), {why}"
    elif newest_kind == "cbs":
        head = f"Gegevens: van het CBS (open-data-API), {fetched or 'ophaaldatum onbekend'}"
        if checked and not (retrieved and min(retrieved) == checked):  # not fetched that very day
            head += f", bij het CBS nagevraagd op {fmt.date_nl(checked)}"
    else:
        head = f"Gegevens: uit de lokale cache ({_shown(newest_folder.parent)}), {fetched or 'ophaaldatum onbekend'}"
        if state.get("reachable") is False:
            head += f", want {unreachable}"
        else:
            head += ", niet opnieuw bij het CBS nagevraagd"
    others = {}
    for year, _tid, kind in tables:
        if kind != newest_kind:
            others.setdefault(kind, []).append(year)
    names = {
        "cbs": "van het CBS",
        "cache": "uit de lokale cache",
        "momentopname": "uit de meegeleverde momentopname",
        "snapshot": "uit de momentopname",
    }
    extra = "".join(f"; {_years_text(years)} {names[kind]}" for kind, years in others.items())
    sentence = f"{head}{extra}; {age}."
    return DataOrigin(
        kind=newest_kind,
        sentence=sentence,
        modified=latest,
        retrieved=max(retrieved) if retrieved else None,
        checked=checked if snapshot is None else None,
        folder=str(newest_folder),
        tables=tables,
    )


def prepare(warn=print) -> DataOrigin:
    """What the main jobs do first: bring the cache up to date with CBS where it answers (the
    provinces tables only when there is no municipality list), then say where the data comes
    from."""
    ensure_available(warn=warn, warn_unreachable=False)
    if reference_file("gemeentelijke_indeling") is None:
        ensure_available("provincies", warn=warn, warn_unreachable=False)
    return data_origin()
