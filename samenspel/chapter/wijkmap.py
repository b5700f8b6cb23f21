"""A map of a municipality's wijken: an SVG choropleth written by Python.

The chapter page needs no map library, no tiles and no plotly map bundle: each map is a small
inline SVG (a few kB per map for 71 wijken) that works without JavaScript. Each wijk is a
focusable element (tabindex=0) with an accessible name ("wijk: value"); its name and value
appear on the map when it has keyboard focus or the pointer, through CSS only. Wijken without
a figure (CBS published none, or the base is under the small-base rule) are hatched, with a
legend entry. The table alternative lists every wijk with its value and class.

The boundaries are CBS's generalised wijk boundaries of 2024 (PDOK cbsgebiedsindelingen,
wijk_gegeneraliseerd), simplified for the web and kept in the repository as
data/wijkgrenzen_2024.json.gz, built by `python -m samenspel.chapter.wijkmap --van GEOJSON`.
A year is mapped only when its wijk codes are exactly those of the 2024 boundaries.
"""

from __future__ import annotations

import argparse
import functools
import gzip
import hashlib
import json
import math
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from samenspel import fmt, templating
from samenspel.data.indicators import SMALL_BASE
from samenspel.paths import DATA_DIR

GEOMETRY_YEAR = 2024
GEOMETRY_FILE = DATA_DIR / f"wijkgrenzen_{GEOMETRY_YEAR}.json.gz"
SCALE = 1000  # coordinates kept as integers of 1/1000 degree (about 70 m by 110 m)
TOLERANCE = 1.0  # Douglas-Peucker tolerance, in those units
WIDTH = 400  # the SVG's own width; it is scaled to the column
LABEL_BAND = 46  # room above the map for the focused wijk's name and value
# ColorBrewer "Blues", 5 classes: light (low) to dark (high).
COLOURS = ["#eff3ff", "#bdd7e7", "#6baed6", "#3182bd", "#08519c"]
CLASSES = 5


# --------------------------------------------------------------------------- geometry file


def _dp(points: list[tuple[int, int]], tol: float) -> list[tuple[int, int]]:
    """Douglas-Peucker simplification of an open polyline (iterative)."""
    if len(points) < 3:
        return points
    keep = [False] * len(points)
    keep[0] = keep[-1] = True
    stack = [(0, len(points) - 1)]
    while stack:
        a, b = stack.pop()
        (x1, y1), (x2, y2) = points[a], points[b]
        dx, dy = x2 - x1, y2 - y1
        norm = math.hypot(dx, dy)
        best, index = -1.0, None
        for i in range(a + 1, b):
            x, y = points[i]
            d = (abs(dy * (x - x1) - dx * (y - y1)) / norm) if norm else math.hypot(x - x1, y - y1)
            if d > best:
                best, index = d, i
        if index is not None and best > tol:
            keep[index] = True
            stack += [(a, index), (index, b)]
    return [p for p, k in zip(points, keep) if k]


def simplify_ring(ring: list[list[float]], tol: float = TOLERANCE) -> list[tuple[int, int]]:
    """A closed ring rounded to integer units and simplified; at least a triangle, or empty."""
    pts: list[tuple[int, int]] = []
    for lon, lat in ring:
        p = (round(lon * SCALE), round(lat * SCALE))
        if not pts or pts[-1] != p:
            pts.append(p)
    if len(pts) > 1 and pts[0] == pts[-1]:
        pts.pop()
    if len(pts) < 3:
        return []
    # Split the ring at its first point and the point farthest from it: two open lines.
    far = max(range(len(pts)), key=lambda i: (pts[i][0] - pts[0][0]) ** 2 + (pts[i][1] - pts[0][1]) ** 2)
    first = _dp(pts[: far + 1], tol)
    second = _dp(pts[far:] + [pts[0]], tol)
    out = first[:-1] + second[:-1]
    return out if len(out) >= 3 else pts[:3]


def build_geometry(source: Path, target: Path = GEOMETRY_FILE) -> dict:
    """The simplified wijk boundaries from CBS's GeoJSON, written as gzip JSON."""
    raw = json.loads(Path(source).read_text("utf-8"))
    wijken = {}
    for f in raw["features"]:
        props = f["properties"]
        geom = f["geometry"]
        polygons = [geom["coordinates"]] if geom["type"] == "Polygon" else geom["coordinates"]
        rings = [r for poly in polygons for r in (simplify_ring(ring) for ring in poly) if r]
        if rings:
            wijken[props["statcode"].strip()] = {
                "naam": props.get("name") or props.get("statnaam"),
                "ringen": [[list(p) for p in r] for r in rings],
            }
    data = {
        "jaar": GEOMETRY_YEAR,
        "bron": (
            "CBS/PDOK cbsgebiedsindelingen, wijk_gegeneraliseerd 2024 (WGS84), vereenvoudigd met "
            f"Douglas-Peucker ({TOLERANCE:g}/{SCALE} graad); CC BY 4.0, Bron: CBS"
        ),
        "eenheid": f"1/{SCALE} graad",
        "wijken": dict(sorted(wijken.items())),
    }
    body = json.dumps(data, ensure_ascii=False, separators=(",", ":")).encode("utf-8")
    target = Path(target)
    target.parent.mkdir(parents=True, exist_ok=True)
    # mtime=0: the same source gives the same bytes (and sha256).
    target.write_bytes(gzip.compress(body, compresslevel=9, mtime=0))
    return data


@functools.lru_cache(maxsize=2)
def load_geometry(path: Path = GEOMETRY_FILE) -> dict | None:
    """The simplified boundaries, or None when the file is not there."""
    path = Path(path)
    if not path.is_file():
        return None
    return json.loads(gzip.decompress(path.read_bytes()).decode("utf-8"))


def geometry_sha256(path: Path = GEOMETRY_FILE) -> str:
    return hashlib.sha256(Path(path).read_bytes()).hexdigest()


def municipality_wijken(code: str, geometry: dict | None = None) -> dict:
    """The wijken (code -> {naam, ringen}) of a municipality (GM0034) in the boundaries."""
    geometry = geometry if geometry is not None else load_geometry()
    if not geometry:
        return {}
    prefix = "WK" + code[2:]
    return {k: v for k, v in geometry["wijken"].items() if k.startswith(prefix)}


# --------------------------------------------------------------------------- classes


def class_breaks(values: list[float], decimals: int, n: int = CLASSES) -> list[float]:
    """Upper bounds of up to n classes with about as many wijken each (quantiles), rounded to
    the indicator's decimals; the last bound is the maximum."""
    vals = sorted(v for v in values if v is not None and not pd.isna(v))
    if not vals:
        return []
    bounds: list[float] = []
    for i in range(1, n + 1):
        q = vals[min(len(vals) - 1, math.ceil(i * len(vals) / n) - 1)]
        b = round(q, decimals)
        if i == n:
            b = max(b, vals[-1])
        if not bounds or b > bounds[-1]:
            bounds.append(b)
    # Rounding may put the true maximum just above the last bound.
    if bounds[-1] < vals[-1]:
        bounds[-1] = vals[-1]
    return bounds


def class_of(value: float, breaks: list[float]) -> int:
    """The class index (0 = lowest) of a value: the first class whose upper bound it does not
    exceed."""
    for i, b in enumerate(breaks):
        if value <= b:
            return i
    return len(breaks) - 1


def _colours(k: int) -> list[str]:
    """k colours spread over the palette, light to dark."""
    if k >= len(COLOURS):
        return COLOURS[:k]
    idx = [round(i * (len(COLOURS) - 1) / max(1, k - 1)) for i in range(k)] if k > 1 else [3]
    return [COLOURS[i] for i in idx]


# --------------------------------------------------------------------------- the map


@dataclass
class Area:
    code: str
    naam: str
    value: float | None
    reason: str | None  # SMALL_BASE, or None (CBS published no figure) when value is None
    klasse: int | None
    path: str
    label: str  # accessible name and the text shown on focus
    colour: str | None  # None: hatched


@dataclass
class LegendItem:
    label: str
    colour: str | None  # None: the hatched "no figure" entry
    count: int


@dataclass
class WijkMap:
    indicator: object
    name: str
    year: int
    table: str
    municipal_value: float | None
    areas: list[Area]
    breaks: list[float]
    legend: list[LegendItem]
    width: int
    height: int
    uid: str

    @property
    def title(self) -> str:
        return f"Kaart: {self.indicator.label} per wijk in {self.name}, {self.year}"

    @property
    def source(self) -> str:
        return (
            f"Bron: CBS, tabel {self.table}, {self.year}; wijkgrenzen: CBS/PDOK, wijken "
            f"{GEOMETRY_YEAR} (vereenvoudigd)."
        )

    @property
    def missing(self) -> list[Area]:
        return [a for a in self.areas if a.value is None]

    def html(self) -> str:
        return templating.render("chapter/wijkmap.html", m=self).rstrip("\n")


def _text(ind, v) -> str:
    return fmt.with_unit(v, ind.unit, ind.decimals)


def _project(wijken: dict) -> tuple[dict[str, list[list[tuple[float, float]]]], int, int]:
    """Equirectangular projection around the municipality's mean latitude, scaled to WIDTH."""
    xs = [p[0] for w in wijken.values() for r in w["ringen"] for p in r]
    ys = [p[1] for w in wijken.values() for r in w["ringen"] for p in r]
    x0, x1, y0, y1 = min(xs), max(xs), min(ys), max(ys)
    k = math.cos(math.radians((y0 + y1) / 2 / SCALE))
    span_x = max(1e-9, (x1 - x0) * k)
    span_y = max(1e-9, y1 - y0)
    s = (WIDTH - 4) / span_x
    # A tall municipality (such as Vlieland or Zandvoort) stays at most 1.4 times as tall as wide.
    s = min(s, 1.4 * WIDTH / span_y)
    out = {
        code: [[(2 + (x - x0) * k * s, 2 + (y1 - y) * s) for x, y in r] for r in w["ringen"]]
        for code, w in wijken.items()
    }
    return out, WIDTH, math.ceil(span_y * s + 4)


def _path(rings: list[list[tuple[float, float]]], dy: float) -> str:
    parts = []
    for r in rings:
        pts = [f"{x:.0f} {y + dy:.0f}" for x, y in r]
        parts.append("M" + "L".join(pts) + "Z")
    return "".join(parts)


def mappable(frame: pd.DataFrame, wijken: dict) -> bool:
    """A year is mapped only when its wijk codes are exactly those of the boundaries."""
    return bool(wijken) and set(frame["code"].str.strip()) == set(wijken)


def wijk_map(w, name: str, code: str, geometry: dict | None = None) -> WijkMap | None:
    """The map of one key indicator (a chapter's WijkIndicator), or None when the municipality
    has no boundaries or the year's wijk codes differ from them."""
    wijken = municipality_wijken(code, geometry)
    frame = w.frame
    if not mappable(frame, wijken):
        return None
    ind = w.indicator
    values = {r.code.strip(): (None if pd.isna(r.waarde) else float(r.waarde)) for r in frame.itertuples()}
    reasons = {
        r.code.strip(): (SMALL_BASE if getattr(r, "reden", None) == SMALL_BASE else None) for r in frame.itertuples()
    }
    names = {r.code.strip(): r.naam for r in frame.itertuples()}
    breaks = class_breaks([v for v in values.values() if v is not None], ind.decimals)
    colours = _colours(len(breaks))
    projected, width, height = _project(wijken)
    areas = []
    for c in sorted(wijken, key=lambda c: names.get(c) or ""):
        v = values.get(c)
        klasse = class_of(v, breaks) if v is not None else None
        if v is not None:
            label = f"{names[c]}: {_text(ind, v)}"
        elif reasons.get(c) == SMALL_BASE:
            label = f"{names[c]}: geen cijfer (te weinig {ind.base_label})"
        else:
            label = f"{names[c]}: geen cijfer van het CBS"
        areas.append(
            Area(
                c,
                names[c],
                v,
                reasons.get(c),
                klasse,
                _path(projected[c], LABEL_BAND),
                label,
                colours[klasse] if klasse is not None else None,
            )
        )
    legend = []
    low = None
    for i, b in enumerate(breaks):
        count = sum(1 for a in areas if a.klasse == i)
        lo = min(a.value for a in areas if a.klasse == i) if count else b
        text = (
            f"{fmt.number(lo, ind.decimals)} tot en met {fmt.number(b, ind.decimals)}"
            if low is not None
            else f"tot en met {fmt.number(b, ind.decimals)}"
        )
        if len(breaks) == 1:
            text = fmt.number(b, ind.decimals)
        legend.append(LegendItem(text, colours[i], count))
        low = b
    missing = [a for a in areas if a.value is None]
    if missing:
        legend.append(LegendItem("geen cijfer", None, len(missing)))
    uid = hashlib.sha1(f"{code}{ind.id}{w.year}".encode()).hexdigest()[:8]
    return WijkMap(
        ind, name, w.year, w.table, w.municipal_value, areas, breaks, legend, width, height + LABEL_BAND, uid
    )


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(
        prog="python -m samenspel.chapter.wijkmap",
        description="Bouw data/wijkgrenzen_2024.json.gz uit de GeoJSON van het CBS.",
    )
    p.add_argument("--van", required=True, type=Path, help="wijk_2024_gegeneraliseerd.geojson")
    p.add_argument("--naar", type=Path, default=GEOMETRY_FILE)
    args = p.parse_args(argv)
    data = build_geometry(args.van, args.naar)
    print(
        f"{args.naar}: {len(data['wijken'])} wijken, {args.naar.stat().st_size} bytes, "
        f"sha256 {geometry_sha256(args.naar)}"
    )
    return 0


if __name__ == "__main__":  # pragma: no cover
    raise SystemExit(main())
