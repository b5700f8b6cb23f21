"""Read single cells straight from the raw snapshot JSON, independently of samenspel's code,
so tests compare the program's figures with the source cells."""

import json
import re
from functools import lru_cache
from pathlib import Path


@lru_cache(maxsize=16)
def rows(folder: str) -> dict:
    data = json.loads((Path(folder) / "TypedDataSet.json").read_text("utf-8"))
    return {row["WijkenEnBuurten"].strip(): row for row in data}


def cell(snapshot: Path, table: str, code: str, stem: str):
    """The raw value for the key whose name is `stem` + '_<digits>' (first match)."""
    row = rows(str(snapshot / table))[code]
    for key, value in row.items():
        if re.fullmatch(re.escape(stem) + r"_\d+", key):
            return value
    declared = json.loads((snapshot / table / "DataProperties.json").read_text("utf-8"))
    if any(re.fullmatch(re.escape(stem) + r"_\d+", p.get("Key") or "") for p in declared):
        return None  # declared, but no value for this region (CBS leaves the cell out)
    raise KeyError(f"{stem} not in {table}")
