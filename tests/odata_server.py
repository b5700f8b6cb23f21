"""A local CBS OData v3 server for tests, serving tables from a folder in cbsodata's
download format (the shared snapshot). It answers exactly what cbsodata asks:

    /ODataFeed/odata/<table>/?$format=json          service document
    /ODataFeed/odata/<table>/<Entity>?$format=json   one entity set, paged with an absolute
                                                     odata.nextLink (as CBS does)
"""

from __future__ import annotations

import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qs, urlparse


class ODataServer:
    def __init__(self, source: Path, tables: list[str] | None = None, page_size: int = 500):
        self.source = Path(source)
        self.tables = set(tables) if tables else None
        self.page_size = page_size
        self.requests: list[str] = []
        self.fail_entity: str | None = None  # answer 500 for this entity (simulated outage)
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

    def _rows(self, table: str, entity: str) -> list:
        key = (table, entity)
        if key not in self._cache:
            value = json.loads((self.source / table / f"{entity}.json").read_text("utf-8"))
            self._cache[key] = value["value"] if isinstance(value, dict) else value
        return self._cache[key]

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
            names = sorted(p.stem for p in folder.glob("*.json") if not p.name.startswith("_"))
            if "TypedDataSet" in names and "UntypedDataSet" not in names:
                names.append("UntypedDataSet")
            return 200, {
                "odata.metadata": f"{self.base}/ODataFeed/odata/{table}/$metadata",
                "value": [{"name": n, "url": f"{self.base}/ODataFeed/odata/{table}/{n}"} for n in names],
            }
        entity = parts[3]
        if entity == self.fail_entity:
            return 500, {"error": "simulated failure"}
        if not (folder / f"{entity}.json").is_file():
            return 404, {"error": f"no entity {entity}"}
        rows = self._rows(table, entity)
        skip = int(parse_qs(url.query).get("$skip", ["0"])[0])
        page = rows[skip: skip + self.page_size]
        body = {"odata.metadata": f"{self.base}/ODataFeed/odata/{table}/$metadata#{entity}", "value": page}
        if skip + self.page_size < len(rows):
            body["odata.nextLink"] = (
                f"{self.base}/ODataFeed/odata/{table}/{entity}?$format=json&$skip={skip + self.page_size}"
            )
        return 200, body
