"""Check that two folders of generated chapters say the same: every chapter notebook's cells
and outputs, and every chapter CSV. Used before and after a speed-up ("the figures and the
text must not change"):

    .venv/bin/python benchmarks/same_chapters.py BEFORE_DIR AFTER_DIR

A chart's figure is compared as parsed JSON (key order and number spelling do not matter,
values do, including the base64 arrays); plotly's random div ids are ignored; the rest of
every output is compared as text. CSVs must be byte-identical. Exit 0 when all are the same,
1 with a list of differences otherwise.
"""

from __future__ import annotations

import json
import re
import sys
from pathlib import Path

FIGURE = re.compile(r'(<script type="application/json"[^>]*>)(.*?)(</script>)', re.S)
RANDOM_ID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")


def _split(html: str) -> tuple[str, list]:
    figures = [json.loads(m.group(2)) for m in FIGURE.finditer(html)]
    return RANDOM_ID.sub("", FIGURE.sub(r"\1\3", html)), figures


def _outputs(cell: dict) -> list:
    result = []
    for out in cell.get("outputs", []):
        data = dict(out.get("data", {}))
        html = "".join(data.pop("text/html", ""))
        text, figures = _split(html)
        rest = {k: "".join(v) if isinstance(v, list) else v for k, v in data.items()}
        result.append((out.get("output_type"), text, figures, rest, "".join(out.get("text", ""))))
    return result


def chapter_differences(a: Path, b: Path) -> list[str]:
    na, nb = (json.loads(p.read_text("utf-8")) for p in (a, b))
    found = []
    if na["metadata"].get("samenspel", {}) | {"inputs": None} != nb["metadata"].get("samenspel", {}) | {"inputs": None}:
        found.append("metadata")
    if len(na["cells"]) != len(nb["cells"]):
        return [*found, f"{len(na['cells'])} tegen {len(nb['cells'])} cellen"]
    for i, (ca, cb) in enumerate(zip(na["cells"], nb["cells"])):
        if "".join(ca["source"]) != "".join(cb["source"]):
            found.append(f"cel {i}: bron")
        oa, ob = _outputs(ca), _outputs(cb)
        if len(oa) != len(ob):
            found.append(f"cel {i}: {len(oa)} tegen {len(ob)} uitvoer")
            continue
        for j, (x, y) in enumerate(zip(oa, ob)):
            if x[1] != y[1]:
                found.append(f"cel {i} uitvoer {j}: tekst/html")
            if x[2] != y[2]:
                found.append(f"cel {i} uitvoer {j}: figuur ({len(x[2])} figuren)")
            if x[0] != y[0] or x[3] != y[3] or x[4] != y[4]:
                found.append(f"cel {i} uitvoer {j}: overige uitvoer")
    return found


def main(argv: list[str]) -> int:
    before, after = Path(argv[0]), Path(argv[1])
    names = sorted({p.name for p in before.glob("GM*.*")} | {p.name for p in after.glob("GM*.*")})
    problems = 0
    for name in names:
        a, b = before / name, after / name
        if not a.exists() or not b.exists():
            print(f"{name}: ontbreekt in {'de eerste' if not a.exists() else 'de tweede'} map")
            problems += 1
            continue
        if name.endswith(".csv"):
            diffs = [] if a.read_bytes() == b.read_bytes() else ["CSV verschilt"]
        else:
            diffs = chapter_differences(a, b)
        if diffs:
            problems += 1
            print(f"{name}: " + "; ".join(diffs[:6]) + (" …" if len(diffs) > 6 else ""))
    print(f"{len(names)} bestanden vergeleken, {problems} verschillen")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
