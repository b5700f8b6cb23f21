"""The vendored plotly.js basic bundle: the book uses it only when it is intact and of the
installed plotly's version, and scripts/vendor_plotly.py refreshes it from an npm registry
(here a local one on 127.0.0.1) only when the download matches the registry's checksum."""

from __future__ import annotations

import base64
import hashlib
import http.server
import importlib.util
import io
import json
import tarfile
import threading

import pytest

from samenspel import book
from samenspel.book import build
from samenspel.errors import SamenspelError
from samenspel.paths import ROOT


def _script():
    spec = importlib.util.spec_from_file_location("vendor_plotly", ROOT / "scripts" / "vendor_plotly.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_the_vendored_bundle_is_the_installed_plotly_version_and_intact():
    from plotly.offline import get_plotlyjs_version

    source = json.loads((book.BASIC_BUNDLE.parent / "BRON.json").read_text("utf-8"))
    assert source["version"] == get_plotlyjs_version()
    assert hashlib.sha256(book.BASIC_BUNDLE.read_bytes()).hexdigest() == source["sha256"]
    assert (book.BASIC_BUNDLE.parent / "LICENSE").read_text("utf-8").startswith("MIT License")
    assert book.plotly_js_source() == book.BASIC_BUNDLE


def test_a_damaged_or_other_version_bundle_falls_back_to_plotlys_full_bundle(tmp_path, monkeypatch):
    (tmp_path / "plotly-basic.min.js").write_bytes(book.BASIC_BUNDLE.read_bytes() + b"//changed")
    (tmp_path / "BRON.json").write_bytes((book.BASIC_BUNDLE.parent / "BRON.json").read_bytes())
    monkeypatch.setattr(build, "BASIC_BUNDLE", tmp_path / "plotly-basic.min.js")
    full = build.plotly_js_source()
    assert full.name == book.PLOTLY_JS and full.parent.name == "package_data"

    (tmp_path / "plotly-basic.min.js").write_bytes(book.BASIC_BUNDLE.read_bytes())
    assert build.plotly_js_source() == tmp_path / "plotly-basic.min.js"
    meta = json.loads((tmp_path / "BRON.json").read_text("utf-8"))
    (tmp_path / "BRON.json").write_text(json.dumps(dict(meta, version="0.0.1")), "utf-8")
    assert build.plotly_js_source() == full


def _tarball(files: dict[str, bytes]) -> bytes:
    out = io.BytesIO()
    with tarfile.open(fileobj=out, mode="w:gz") as tar:
        for name, data in files.items():
            info = tarfile.TarInfo(name)
            info.size = len(data)
            tar.addfile(info, io.BytesIO(data))
    return out.getvalue()


@pytest.fixture
def registry():
    """A tiny npm registry on 127.0.0.1: {path: bytes} served as they are."""
    served: dict[str, bytes] = {}

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_GET(self):
            body = served.get(self.path)
            self.send_response(200 if body is not None else 404)
            self.end_headers()
            self.wfile.write(body or b"")

        def log_message(self, *args):
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    url = f"http://127.0.0.1:{server.server_port}"
    yield url, served
    server.shutdown()


def _publish(url, served, files, integrity_of=None):
    tarball = _tarball(files)
    digest = hashlib.sha512(integrity_of if integrity_of is not None else tarball).digest()
    name = "plotly.js-basic-dist-min"
    served[f"/-/{name}-9.9.9.tgz"] = tarball
    served[f"/{name}/9.9.9"] = json.dumps(
        {
            "version": "9.9.9",
            "dist": {
                "tarball": f"{url}/-/{name}-9.9.9.tgz",
                "integrity": "sha512-" + base64.b64encode(digest).decode(),
            },
        }
    ).encode()


def test_refresh_writes_the_bundle_licence_and_its_source(registry, tmp_path):
    url, served = registry
    bundle = b"/* plotly.js basic */ window.Plotly = {};"
    _publish(
        url,
        served,
        {
            "package/plotly-basic.min.js": bundle,
            "package/LICENSE": b"The MIT License",
            "package/README.md": b"not vendored",
        },
    )
    source = _script().refresh("9.9.9", url, tmp_path)
    assert (tmp_path / "plotly-basic.min.js").read_bytes() == bundle
    assert sorted(p.name for p in tmp_path.iterdir()) == ["BRON.json", "LICENSE", "plotly-basic.min.js"]
    written = json.loads((tmp_path / "BRON.json").read_text("utf-8"))
    assert written == source and written["version"] == "9.9.9"
    assert written["sha256"] == hashlib.sha256(bundle).hexdigest()


@pytest.mark.parametrize("problem", ["checksum", "missing licence", "unknown version"])
def test_refresh_changes_nothing_on_a_bad_download(registry, tmp_path, problem):
    url, served = registry
    files = {"package/plotly-basic.min.js": b"x", "package/LICENSE": b"MIT"}
    if problem == "missing licence":
        del files["package/LICENSE"]
    _publish(url, served, files, integrity_of=b"something else" if problem == "checksum" else None)
    (tmp_path / "plotly-basic.min.js").write_bytes(b"old")
    with pytest.raises(SamenspelError) as err:
        _script().refresh("1.0.0" if problem == "unknown version" else "9.9.9", url, tmp_path)
    assert {"checksum": "controlesom", "missing licence": "LICENSE", "unknown version": "404"}[problem] in str(
        err.value
    )
    assert [p.name for p in tmp_path.iterdir()] == ["plotly-basic.min.js"]
    assert (tmp_path / "plotly-basic.min.js").read_bytes() == b"old"


def test_the_refresh_command_says_in_dutch_when_the_registry_is_unreachable(capsys):
    # Port 1 on 127.0.0.1: nothing listens there.
    code = _script().main(["--versie", "3.7.0", "--register", "http://127.0.0.1:1"])
    assert code == 2
    assert "niet bereikbaar" in capsys.readouterr().err
