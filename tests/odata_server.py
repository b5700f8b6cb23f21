"""A local CBS OData v3 server for tests, serving tables from a folder in cbsodata's
download format (the test snapshot; entity files plain or gzip-compressed). It answers exactly
what cbsodata and Samenspel's freshness check ask:

    /ODataFeed/odata/<table>/?$format=json          service document
    /ODataFeed/odata/<table>/<Entity>?$format=json   one entity set, paged with an absolute
                                                     odata.nextLink (as CBS does)

`modified[table] = "2026-01-05T02:00:00"` makes TableInfos say that CBS published the table
anew on that date.
"""

from __future__ import annotations

import contextlib
import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qs, urlparse

from tests.rawcbs import read_json

SUFFIXES = (".json", ".json.gz")


class ODataServer:
    def __init__(self, source: Path, tables: list[str] | None = None, page_size: int = 500):
        self.source = Path(source)
        self.tables = set(tables) if tables else None
        self.page_size = page_size
        self.requests: list[str] = []
        self.fail_entity: str | None = None  # answer 500 for this entity (simulated outage)
        self.modified: dict[str, str] = {}  # table -> the Modified date TableInfos gives instead
        self._cache: dict[tuple[str, str], list] = {}
        server = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args):
                pass

            def do_GET(self):
                server.requests.append(self.path)
                status, body = server.respond(self.path)
                payload = json.dumps(body).encode("utf-8")
                self.send_response(status)
                self.send_header("Content-Type", "application/json;charset=utf-8")
                self.send_header("Content-Length", str(len(payload)))
                self.end_headers()
                self.wfile.write(payload)

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.port = self.httpd.server_address[1]
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *exc):
        self.httpd.shutdown()
        self.httpd.server_close()

    def _file(self, table: str, entity: str) -> Path | None:
        for suffix in SUFFIXES:
            path = self.source / table / f"{entity}{suffix}"
            if path.is_file():
                return path
        return None

    def _rows(self, table: str, entity: str) -> list:
        key = (table, entity)
        if key not in self._cache:
            self._cache[key] = read_json(self._file(table, entity))
        rows = self._cache[key]
        if entity == "TableInfos" and table in self.modified:
            rows = [{**row, "Modified": self.modified[table]} for row in rows]
        return rows

    def respond(self, raw_path: str):
        url = urlparse(raw_path)
        parts = [p for p in url.path.split("/") if p]
        if parts[:2] != ["ODataFeed", "odata"] or len(parts) < 3:
            return 404, {"error": "not found"}
        table = parts[2]
        folder = self.source / table
        if (self.tables is not None and table not in self.tables) or not folder.is_dir():
            return 404, {"odata.error": {"message": {"value": f"Table {table} not found"}}}
        if len(parts) == 3:
            names = sorted(
                {
                    p.name.split(".")[0]
                    for p in folder.iterdir()
                    if p.name.endswith(SUFFIXES) and not p.name.startswith("_")
                }
            )
            if "TypedDataSet" in names and "UntypedDataSet" not in names:
                names.append("UntypedDataSet")
            return 200, {
                "odata.metadata": f"{self.base}/ODataFeed/odata/{table}/$metadata",
                "value": [{"name": n, "url": f"{self.base}/ODataFeed/odata/{table}/{n}"} for n in names],
            }
        entity = parts[3]
        if entity == self.fail_entity:
            return 500, {"error": "simulated failure"}
        if self._file(table, entity) is None:
            return 404, {"error": f"no entity {entity}"}
        rows = self._rows(table, entity)
        skip = int(parse_qs(url.query).get("$skip", ["0"])[0])
        page = rows[skip : skip + self.page_size]
        body = {"odata.metadata": f"{self.base}/ODataFeed/odata/{table}/$metadata#{entity}", "value": page}
        if skip + self.page_size < len(rows):
            body["odata.nextLink"] = (
                f"{self.base}/ODataFeed/odata/{table}/{entity}?$format=json&$skip={skip + self.page_size}"
            )
        return 200, body


@contextlib.contextmanager
def cbsodata_at(address: str):
    """cbsodata pointed at `address` (host:port, plain HTTP) for the duration, then back."""
    import cbsodata

    old = (cbsodata.options.catalog_url, cbsodata.options.use_https)
    cbsodata.options.catalog_url, cbsodata.options.use_https = address, False
    try:
        yield
    finally:
        cbsodata.options.catalog_url, cbsodata.options.use_https = old


@contextlib.contextmanager
def serving(snapshot_dir: Path, **options):
    """An ODataServer for `snapshot_dir` with cbsodata pointed at it."""
    with ODataServer(snapshot_dir, **options) as server, cbsodata_at(f"127.0.0.1:{server.port}"):
        yield server
