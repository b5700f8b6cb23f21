"""Read single cells straight from the raw snapshot JSON, independently of samenspel's code,
so tests compare the program's figures with the source cells. Files may be plain (`X.json`, as
in ../shared/data/cbs) or gzip-compressed (`X.json.gz`, as in the embedded data/momentopname)."""

import gzip
import json
import re
from functools import lru_cache
from pathlib import Path


def existing(path: Path) -> Path:
    """`path`, or `path` + '.gz' when only the compressed file exists."""
    path = Path(path)
    packed = path.with_name(path.name + ".gz")
    return packed if not path.exists() and packed.exists() else path


def read_text(path: Path) -> str:
    path = existing(path)
    if path.suffix == ".gz":
        return gzip.decompress(path.read_bytes()).decode("utf-8")
    return path.read_text("utf-8")


def read_json(path: Path):
    """An entity file as its rows (a raw OData envelope is unwrapped)."""
    value = json.loads(read_text(path))
    return value["value"] if isinstance(value, dict) and "value" in value else value


def write_plain(folder: Path, entity: str, rows) -> Path:
    """Write `rows` as `<entity>.json` into a copied table folder, removing a compressed copy."""
    (Path(folder) / f"{entity}.json.gz").unlink(missing_ok=True)
    path = Path(folder) / f"{entity}.json"
    path.write_text(json.dumps(rows), "utf-8")
    return path


@lru_cache(maxsize=16)
def rows(folder: str) -> dict:
    data = read_json(Path(folder) / "TypedDataSet.json")
    return {row["WijkenEnBuurten"].strip(): row for row in data}


def cell(snapshot: Path, table: str, code: str, stem: str):
    """The raw value for the key whose name is `stem` + '_<digits>' (first match)."""
    row = rows(str(snapshot / table))[code]
    for key, value in row.items():
        if re.fullmatch(re.escape(stem) + r"_\d+", key):
            return value
    declared = read_json(snapshot / table / "DataProperties.json")
    if any(re.fullmatch(re.escape(stem) + r"_\d+", p.get("Key") or "") for p in declared):
        return None  # declared, but no value for this region (CBS leaves the cell out)
    raise KeyError(f"{stem} not in {table}")
