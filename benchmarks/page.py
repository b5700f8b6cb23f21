"""A chapter page on a phone: paint and load times, bytes and height, in headless Chromium.

    SAMENSPEL_SNAPSHOT=../shared/data/cbs .venv/bin/python benchmarks/page.py [--boek DIR]

Without --boek it makes the chapters of Almere and a small gemeente (Vlieland) when they are
not there yet and builds the default book (`python -m samenspel hoofdstuk ...` and
`python -m samenspel boek`); with --boek it measures an existing build (its html folder).
The book is served on 127.0.0.1. For each chapter, in a fresh browser context (empty cache)
at 390 x 844, and the median of --runs loads, it prints first contentful paint,
DOMContentLoaded and load, the bytes the page downloads (raw and gzip-compressed, with and
without the shared plotly bundle) and the page height; unthrottled, with the CPU slowed 4x
(DevTools protocol Emulation.setCPUThrottlingRate), and with 4x CPU plus 150 ms latency.
Times on a shared machine are noisy: compare runs on a quiet one.
"""

from __future__ import annotations

import argparse
import functools
import gzip
import http.server
import statistics
import subprocess
import sys
import threading
from pathlib import Path
from urllib.parse import urlsplit

ROOT = Path(__file__).resolve().parent.parent
CHROMIUM = "/usr/bin/chromium"
PHONE = {"width": 390, "height": 844}
CHAPTERS = {"Almere": "GM0034", "Vlieland": "GM0096"}
SETTINGS = [
    ("geen vertraging", 1, 0),
    ("CPU 4x trager", 4, 0),
    ("CPU 4x trager + 150 ms latentie", 4, 150),
]


class _Quiet(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args):
        pass


def serve(folder: Path):
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(_Quiet, directory=str(folder)))
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server, f"http://127.0.0.1:{server.server_address[1]}/"


def build_default_book() -> Path:
    env_cmd = [sys.executable, "-m", "samenspel"]
    missing = [name for name, code in CHAPTERS.items() if not (ROOT / "book" / "gemeenten" / f"{code}.ipynb").is_file()]
    if missing:
        subprocess.run(env_cmd + ["hoofdstuk", *missing], cwd=ROOT, check=True)
    subprocess.run(env_cmd + ["boek"], cwd=ROOT, check=True)
    return ROOT / "_build" / "html"


def measure(browser, url: str, cpu: int, latency: int) -> dict:
    context = browser.new_context(viewport=PHONE, locale="nl-NL")
    page = context.new_page()
    sizes: dict[str, tuple[int, int]] = {}

    def on_response(resp):
        try:
            body = resp.body()
        except Exception:  # redirects, aborted requests
            return
        sizes[resp.url] = (len(body), len(gzip.compress(body, 6)))

    page.on("response", on_response)
    cdp = context.new_cdp_session(page)
    cdp.send("Network.enable")
    cdp.send("Network.setCacheDisabled", {"cacheDisabled": True})
    if cpu > 1:
        cdp.send("Emulation.setCPUThrottlingRate", {"rate": cpu})
    if latency:
        cdp.send(
            "Network.emulateNetworkConditions",
            {"offline": False, "latency": latency, "downloadThroughput": -1, "uploadThroughput": -1},
        )
    page.goto(url, wait_until="load", timeout=120_000)
    page.wait_for_timeout(300)
    timing = page.evaluate("""() => {
        const nav = performance.getEntriesByType('navigation')[0];
        const fcp = performance.getEntriesByName('first-contentful-paint')[0];
        return {fcp: fcp ? fcp.startTime : null, dcl: nav.domContentLoadedEventEnd, load: nav.loadEventEnd,
                height: document.documentElement.scrollHeight,
                charts: document.querySelectorAll('.samenspel-plot').length,
                drawn: document.querySelectorAll('.samenspel-plot .main-svg').length,
                maps: document.querySelectorAll('.samenspel-map').length};
    }""")
    context.close()
    plotly = [u for u in sizes if urlsplit(u).path.endswith("plotly.min.js")]
    own = {u: s for u, s in sizes.items() if u not in plotly}
    timing.update(
        raw=sum(s[0] for s in sizes.values()),
        gz=sum(s[1] for s in sizes.values()),
        raw_own=sum(s[0] for s in own.values()),
        gz_own=sum(s[1] for s in own.values()),
        html=sizes.get(url, (0, 0)),
    )
    return timing


def _kb(n: int) -> str:
    return f"{n / 1024:,.0f} kB".replace(",", ".")


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--boek", type=Path, help="the html folder of an existing build (_build/html)")
    p.add_argument("--runs", type=int, default=3)
    args = p.parse_args(argv)
    html = args.boek or build_default_book()
    server, base = serve(html)
    from playwright.sync_api import sync_playwright

    try:
        with sync_playwright() as pw:
            browser = pw.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox", "--disable-gpu"])
            for name, code in CHAPTERS.items():
                path = f"book/gemeenten/{code}.html"
                if not (html / path).is_file():
                    print(f"{name}: {path} is not in {html}")
                    continue
                for label, cpu, latency in SETTINGS:
                    runs = [measure(browser, base + path, cpu, latency) for _ in range(args.runs)]
                    med = {k: statistics.median(r[k] for r in runs) for k in ("fcp", "dcl", "load")}
                    r = runs[0]
                    print(
                        f"{name} ({path}), {label}, mediaan van {args.runs}: FCP {med['fcp'] / 1000:.2f} s, "
                        f"DOMContentLoaded {med['dcl'] / 1000:.2f} s, load {med['load'] / 1000:.2f} s"
                    )
                print(
                    f"  bytes: alles {_kb(r['raw'])} ({_kb(r['gz'])} gzip); zonder plotly.js {_kb(r['raw_own'])} "
                    f"({_kb(r['gz_own'])} gzip); de HTML zelf {_kb(r['html'][0])} ({_kb(r['html'][1])} gzip)"
                )
                print(
                    f"  paginahoogte {r['height']} px; {r['charts']} grafieken, waarvan {r['drawn']} getekend "
                    f"zonder te scrollen; {r['maps']} kaarten"
                )
            browser.close()
    finally:
        server.shutdown()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
