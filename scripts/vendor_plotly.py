"""Refresh the vendored plotly.js basic bundle in vendor/plotly/.

    .venv/bin/python scripts/vendor_plotly.py [--versie 3.7.0] [--register URL]

Without --versie it takes the plotly.js version of the installed plotly package, because the
book only uses the vendored bundle when the two agree (samenspel.book.build.plotly_js_source).
It asks the npm registry (plain HTTPS, no Node needed) for the package's tarball and its
sha512 integrity, checks the download against it, and writes plotly-basic.min.js, LICENSE and
BRON.json (package, version, tarball, integrity, sha256 of the bundle) atomically.
"""

from __future__ import annotations

import argparse
import base64
import hashlib
import io
import json
import sys
import tarfile
from pathlib import Path

import requests

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from samenspel.errors import SamenspelError  # noqa: E402
from samenspel.files import atomic_write  # noqa: E402

PACKAGE = "plotly.js-basic-dist-min"
REGISTRY = "https://registry.npmjs.org"
TARGET = ROOT / "vendor" / "plotly"
FILES = {"package/plotly-basic.min.js": "plotly-basic.min.js", "package/LICENSE": "LICENSE"}


def _get(url: str) -> requests.Response:
    try:
        response = requests.get(url, timeout=60)
    except requests.RequestException as exc:
        raise SamenspelError(f"Het npm-register is niet bereikbaar ({url}): {exc}") from exc
    if response.status_code != 200:
        raise SamenspelError(f"Het npm-register antwoordt {response.status_code} op {url}.")
    return response


def check_integrity(data: bytes, integrity: str) -> None:
    """npm's Subresource-Integrity string (sha512-BASE64) must describe `data`."""
    algorithm, _, expected = integrity.partition("-")
    if algorithm != "sha512":
        raise SamenspelError(f"Onbekende integriteitscontrole {integrity!r} (verwacht sha512-…).")
    actual = base64.b64encode(hashlib.sha512(data).digest()).decode()
    if actual != expected:
        raise SamenspelError("De gedownloade plotly.js-bundel klopt niet met de controlesom van het npm-register.")


def extract(tarball: bytes) -> dict[str, bytes]:
    """The files of FILES from the package tarball, by their vendored name."""
    found: dict[str, bytes] = {}
    with tarfile.open(fileobj=io.BytesIO(tarball), mode="r:gz") as tar:
        for member in tar.getmembers():
            if member.name in FILES and member.isfile():
                found[FILES[member.name]] = tar.extractfile(member).read()
    missing = sorted(set(FILES.values()) - set(found))
    if missing:
        raise SamenspelError(f"Het pakket {PACKAGE} mist: {', '.join(missing)}.")
    return found


def refresh(version: str, registry: str = REGISTRY, target: Path = TARGET) -> dict:
    meta = _get(f"{registry.rstrip('/')}/{PACKAGE}/{version}").json()
    dist = meta["dist"]
    tarball = _get(dist["tarball"]).content
    check_integrity(tarball, dist["integrity"])
    files = extract(tarball)  # everything checked before anything is written
    target.mkdir(parents=True, exist_ok=True)
    for name, data in files.items():
        with atomic_write(target / name, "wb") as out:
            out.write(data)
    source = {
        "package": PACKAGE,
        "version": meta["version"],
        "tarball": dist["tarball"],
        "integrity": dist["integrity"],
        "sha256": hashlib.sha256(files["plotly-basic.min.js"]).hexdigest(),
        "license": "MIT (LICENSE)",
    }
    with atomic_write(target / "BRON.json", "w", encoding="utf-8") as out:
        json.dump(source, out, indent=2)
        out.write("\n")
    return source


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Ververs de meegeleverde plotly.js-bundel (vendor/plotly/).")
    parser.add_argument("--versie", help="plotly.js-versie (standaard: die van het geïnstalleerde plotly-pakket)")
    parser.add_argument("--register", default=REGISTRY, help="het npm-register")
    args = parser.parse_args(argv)
    if args.versie is None:
        from plotly.offline import get_plotlyjs_version

        args.versie = get_plotlyjs_version()
    try:
        source = refresh(args.versie, args.register)
    except SamenspelError as exc:
        print(f"Fout: {exc}", file=sys.stderr)
        return 2
    print(f"plotly.js {source['version']} (basisbundel) staat in {TARGET.relative_to(ROOT)}/.")
    return 0


if __name__ == "__main__":
    sys.exit(main())
