"""The embedded snapshot `data/momentopname/`: a compact copy of the CBS tables Samenspel needs,
so that a fresh clone works without the CBS API and without a snapshot folder beside it.

Built from a snapshot folder in cbsodata's layout (`DIR/<table id>/<Entity>.json`, such as
../shared/data/cbs) by `python -m samenspel momentopname --van DIR`:

- only the tables registered in data/tables.yml that DIR holds, and of each table only the files
  the code reads (TableInfos, DataProperties, TypedDataSet, the region dimension, Perioden);
- buurten (BU codes) are left out of the data set and the region dimension: Samenspel reads the
  levels land, gemeente and wijk only (see BUURT_REASON; a test builds the snapshot from the
  full source and checks that every figure is the same);
- the reference files of data/tables.yml (the municipality list);
- every file gzip-compressed (without a time stamp, so that the same input gives the same
  bytes), with a MANIFEST.json (per table: id, title, period, CBS Modified date, source, rows
  kept and left out; per file its sha256 and size) and LICENTIE.md.

The folder is built next to its target and renamed into place, so an interrupted build leaves
the previous snapshot intact.
"""

from __future__ import annotations

import datetime as dt
import gzip
import hashlib
import json
import os
import shutil
import tempfile
from dataclasses import dataclass
from pathlib import Path

from samenspel import paths
from samenspel.data import cbs
from samenspel.errors import SamenspelError

LICENCE = "CBS open data, CC BY 4.0 (https://creativecommons.org/licenses/by/4.0/deed.nl); Bron: CBS"
LICENCE_FILE = "LICENTIE.md"
REGION_DIMENSIONS = ("WijkenEnBuurten", "RegioS", "Regio")
OTHER_ENTITIES = ("Perioden",)  # dimension files the code reads besides the region dimension
BUURT_REASON = (
    "buurten (codes BU…) weggelaten: Samenspel leest van een KWB-tabel alleen de niveaus land, "
    "gemeente en wijk (samenspel/data/indicators.py: values, table_values en area_changes met "
    "levels land/gemeente/wijk; dataset.build en regions vragen niet meer). De volledige tabel "
    "staat in de bron en bij het CBS."
)


@dataclass
class Result:
    target: Path
    tables: list[dict]
    reference_files: list[dict]
    size: int  # bytes of all files written


def _gz(data: bytes) -> bytes:
    return gzip.compress(data, compresslevel=9, mtime=0)


def _raw(folder: Path, entity: str) -> tuple[Path, bytes] | None:
    """The bytes of an entity file as JSON text (decompressed when the source is gzipped)."""
    path = cbs.data_file(folder, entity)
    if path is None:
        return None
    data = path.read_bytes()
    return path, gzip.decompress(data) if path.suffix == ".gz" else data


def _rows(data: bytes, path: Path):
    try:
        value = json.loads(data.decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise cbs.CorruptTable(path, f"het is geen geldige JSON ({exc})") from None
    return value["value"] if isinstance(value, dict) and "value" in value else value


def _is_buurt(code) -> bool:
    return str(code or "").strip().startswith("BU")


def _source_label(source: Path) -> str:
    """How the manifest names the source: relative to the project when it lies beside it, with
    its description file when it has one."""
    try:
        label = Path(os.path.relpath(source.resolve(), paths.ROOT.resolve())).as_posix()
    except ValueError:  # another drive
        label = str(source)
    if label.startswith("../../.."):
        label = str(source.resolve())
    return f"{label} (SOURCES.md)" if (source / "SOURCES.md").is_file() else label


def check_source(source: Path) -> list[tuple[str, int, str]]:
    """The registered tables (statistic, year, table id) that `source` holds; a folder that
    is not a snapshot is refused."""
    source = Path(source)
    if not source.is_dir():
        raise SamenspelError(f"De map {source} bestaat niet of is geen map. Noem met --van een map met CBS-tabellen.")
    found = []
    for statistic in cbs.registry()["statistics"]:
        for year, tid in sorted(cbs.table_ids(statistic).items()):
            if cbs._has_table(source / tid):
                found.append((statistic, year, tid))
    if not found:
        example = next(iter(cbs.table_ids().values()))
        raise SamenspelError(
            f"De map {source} is geen momentopname: er staat geen enkele CBS-tabel uit data/tables.yml in "
            f"(verwacht: {source}/<tabelcode>/TableInfos.json en TypedDataSet.json, bijvoorbeeld "
            f"{source}/{example}/ in het formaat van cbsodata.download_data)."
        )
    return found


def build(source: Path, target: Path | None = None, today: dt.date | None = None) -> Result:
    """Build the embedded snapshot from `source` into `target` (default data/momentopname)."""
    source = Path(source).resolve()
    target = Path(target or paths.MOMENTOPNAME_DIR).resolve()
    if source == target:
        raise SamenspelError(
            f"De bron en het doel zijn dezelfde map ({source}). Noem met --van de map waaruit de "
            f"momentopname wordt gemaakt, bijvoorbeeld ../shared/data/cbs."
        )
    found = check_source(source)
    target.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=".momentopname-", dir=target.parent))
    try:
        label = _source_label(source)
        tables = [_copy_table(source, tmp, statistic, year, tid, label) for statistic, year, tid in found]
        references = _copy_references(source, tmp, label)
        built = (today or dt.date.today()).isoformat()
        manifest = {
            "description": (
                "De meegeleverde momentopname van Samenspel: CBS-tabellen in het mapformaat van "
                "cbsodata.download_data, elk bestand met gzip gecomprimeerd. Gemaakt met "
                "'python -m samenspel momentopname --van MAP'. Samenspel controleert elk bestand "
                "met de sha256 hieronder voordat het wordt gelezen."
            ),
            "built": built,
            "source": label,
            "licence": LICENCE,
            "tables": tables,
            "reference_files": references,
        }
        (tmp / cbs.MANIFEST_FILE).write_text(
            json.dumps(manifest, indent=1, ensure_ascii=False, sort_keys=False) + "\n", "utf-8"
        )
        (tmp / LICENCE_FILE).write_text(_licence_text(label), "utf-8")
        _self_check(tmp, tables, references)
        size = sum(f.stat().st_size for f in tmp.rglob("*") if f.is_file())
        cbs._replace_folder(tmp, target)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    return Result(target=target, tables=tables, reference_files=references, size=size)


def _write(tmp: Path, rel: str, data: bytes, files: dict) -> None:
    path = tmp / rel
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)
    files[rel] = {"sha256": hashlib.sha256(data).hexdigest(), "size": len(data)}


def _copy_table(source: Path, tmp: Path, statistic: str, year: int, tid: str, label: str) -> dict:
    folder = source / tid
    infos_path, infos_raw = _raw(folder, "TableInfos")
    info = (_rows(infos_raw, infos_path) or [{}])[0]
    props = _raw(folder, "DataProperties")
    properties = _rows(props[1], props[0]) if props else []
    dim_types = ("Dimension", "GeoDimension", "GeoDetail", "TimeDimension")
    dims = [p.get("Key") for p in properties if p.get("Type") in dim_types]
    region_dim = next((d for d in dims if d in REGION_DIMENSIONS), None)
    files: dict = {}
    entry = {
        "table_id": tid,
        "statistic": statistic,
        "year": int(year),
        "title": (info.get("Title") or "").strip() or None,
        "period": str(info.get("Period") or "").strip() or None,
        "modified": str(info["Modified"]) if info.get("Modified") else None,
        "retrieved": _retrieved(folder),
        "source": f"{label}, {tid}/",
        "rows": None,
        "dropped_rows": 0,
        "dropped": None,
        "files": files,
    }
    _write(tmp, f"{tid}/TableInfos.json.gz", _gz(infos_raw), files)
    if props:
        _write(tmp, f"{tid}/DataProperties.json.gz", _gz(props[1]), files)
    data_path, data_raw = _raw(folder, "TypedDataSet")
    rows = _rows(data_raw, data_path)
    kept = rows
    if region_dim == "WijkenEnBuurten" and isinstance(rows, list):
        kept = [r for r in rows if not _is_buurt(r.get(region_dim))]
    entry["rows"] = len(kept)
    if len(kept) != len(rows):
        entry["dropped_rows"] = len(rows) - len(kept)
        entry["dropped"] = BUURT_REASON
        data_raw = json.dumps(kept, ensure_ascii=False, separators=(",", ":")).encode("utf-8")
    _write(tmp, f"{tid}/TypedDataSet.json.gz", _gz(data_raw), files)
    for entity in ([region_dim] if region_dim else []) + list(OTHER_ENTITIES):
        found = _raw(folder, entity)
        if found is None:
            continue
        path, raw = found
        if entity == "WijkenEnBuurten":
            dim_rows = _rows(raw, path)
            dim_kept = [r for r in dim_rows if not _is_buurt(r.get("Key"))]
            if len(dim_kept) != len(dim_rows):
                raw = json.dumps(dim_kept, ensure_ascii=False, separators=(",", ":")).encode("utf-8")
        _write(tmp, f"{tid}/{entity}.json.gz", _gz(raw), files)
    return entry


def _retrieved(folder: Path) -> str | None:
    """When CBS served the table, if the source says so (our note next to a download)."""
    meta = folder / cbs.META_FILE
    try:
        return json.loads(meta.read_text("utf-8")).get("retrieved")
    except (OSError, ValueError, AttributeError):
        return None


def _copy_references(source: Path, tmp: Path, label: str) -> list[dict]:
    result = []
    for name, ref in (cbs.registry().get("reference_files") or {}).items():
        rel = ref["path"]
        plain, packed = source / rel, source / (rel + ".gz")
        if plain.is_file():
            data = _gz(plain.read_bytes())
        elif packed.is_file():
            data = packed.read_bytes()
        else:
            continue
        files: dict = {}
        _write(tmp, rel + ".gz", data, files)
        result.append(
            {"name": name, "title": ref.get("title"), "path": rel + ".gz", "source": f"{label}, {rel}", "files": files}
        )
    return result


def _self_check(tmp: Path, tables: list[dict], references: list[dict]) -> None:
    """Read every file back as the reader will (sha256 against the new manifest, gzip, JSON)."""
    for entry in tables:
        for rel in entry["files"]:
            cbs._read_json(tmp / rel)
    for entry in references:
        for rel in entry["files"]:
            cbs._verify(tmp / rel)
            gzip.decompress((tmp / rel).read_bytes())


def _licence_text(label: str) -> str:
    return (
        "# Licentie van de momentopname\n\n"
        f"Licentie: {LICENCE}.\n\n"
        "De tabellen in deze map zijn open data van het Centraal Bureau voor de Statistiek (CBS), "
        "overgenomen uit de bron die MANIFEST.json noemt "
        f"({label}); alleen buurten zijn weggelaten (zie MANIFEST.json) en elk bestand is met gzip "
        "gecomprimeerd. De gemeentelijke indeling (gebieden/) is de CBS-lijst 'Gemeentelijke indeling "
        "op 1 januari', samengesteld door NLExtract (https://github.com/nlextract/NLExtract).\n"
    )
