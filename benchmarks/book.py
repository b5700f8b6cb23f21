"""Time the book build and weigh a chapter page.

    SAMENSPEL_SNAPSHOT=../shared/data/cbs .venv/bin/python benchmarks/book.py

Builds a book in a temporary folder: the chapters in book/gemeenten/ when there are any
(otherwise three real chapters made from the snapshot) and the case studies in casestudies/ (or
one fixture case study). Prints:
- the full build time (generated pages + Jupyter Book, from scratch);
- a rebuild with nothing changed;
- a rebuild after one case study changed;
- the weight of a chapter page: its HTML, the other files the browser loads for it, and
  plotly.min.js, measured in headless Chromium when /usr/bin/chromium exists (else from the
  HTML's own script and style links), raw and gzip-compressed.
"""

from __future__ import annotations

import argparse
import functools
import gzip
import http.server
import importlib.util
import json
import re
import shutil
import sys
import tempfile
import threading
import time
from pathlib import Path
from urllib.parse import urljoin, urlsplit

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from samenspel import book  # noqa: E402
from tests.chromium import CHROMIUM, CHROMIUM_ARGS  # noqa: E402


def _helper():
    spec = importlib.util.spec_from_file_location("samenspel_book_fixture_build", ROOT / "tests/fixtures/book/build.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


def _timed(fn):
    start = time.perf_counter()
    result = fn()
    return time.perf_counter() - start, result


JOBS = 1


def _build(layout, fresh=False) -> None:
    book.generate(layout)
    proc = book.build_html(layout, fresh=fresh, capture=True, jobs=JOBS)
    if proc.returncode != 0:
        sys.exit(f"Build failed:\n{proc.stdout[-3000:]}\n{proc.stderr[-3000:]}")


def _kb(n: int) -> str:
    return f"{n:>10,} B ({n / 1024:,.0f} KiB)".replace(",", ".")


def _weigh_in_chromium(html_dir: Path, page: str) -> dict[str, bytes] | None:
    if not Path("/usr/bin/chromium").exists():
        return None
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        return None

    class Quiet(http.server.SimpleHTTPRequestHandler):
        def log_message(self, *args):
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(Quiet, directory=str(html_dir)))
    threading.Thread(target=server.serve_forever, daemon=True).start()
    base = f"http://127.0.0.1:{server.server_address[1]}/"
    bodies: dict[str, bytes] = {}
    try:
        with sync_playwright() as pw, tempfile.TemporaryDirectory() as profile:
            context = pw.chromium.launch_persistent_context(
                profile,
                executable_path=CHROMIUM,
                headless=True,
                args=CHROMIUM_ARGS,
                viewport={"width": 375, "height": 812},
            )
            tab = context.new_page()

            def on_response(resp):
                if resp.url.startswith(base):
                    try:
                        bodies[resp.url[len(base) :].split("?")[0]] = resp.body()
                    except Exception:
                        pass

            tab.on("response", on_response)
            tab.goto(base + page, wait_until="load")
            tab.wait_for_timeout(2000)
            context.close()
    finally:
        server.shutdown()
    return bodies


def _weigh_from_html(html_dir: Path, page: str) -> dict[str, bytes]:
    path = html_dir / page
    text = path.read_text(encoding="utf-8")
    bodies = {page: path.read_bytes()}
    for ref in re.findall(r'<(?:script|link)[^>]+(?:src|href)="([^"]+\.(?:js|css)[^"]*)"', text):
        target = urlsplit(urljoin(page, ref)).path
        file = html_dir / target
        if file.is_file():
            bodies[target] = file.read_bytes()
    return bodies


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--keep", action="store_true", help="keep the temporary book folder")
    parser.add_argument("-j", "--jobs", type=int, default=2, help="Sphinx processes (parallel reading)")
    parser.add_argument(
        "--hoofdstukken", type=Path, default=None, help="folder with chapters to use (default: book/gemeenten/)"
    )
    args = parser.parse_args()
    global JOBS
    JOBS = args.jobs

    helper = _helper()
    tmp = Path(tempfile.mkdtemp(prefix="samenspel-boek-"))
    layout = helper.copy_sources(tmp)
    real_chapters = sorted((args.hoofdstukken or book.Layout().chapter_dir).glob("GM*.ipynb"))
    if real_chapters:
        layout.chapter_dir.mkdir(parents=True, exist_ok=True)
        for nb in real_chapters:
            shutil.copy2(nb, layout.chapter_dir / nb.name)
            data = nb.with_suffix(".csv")  # the chapter's figure data, linked as a download
            if data.is_file():
                shutil.copy2(data, layout.chapter_dir / data.name)
        source = f"{len(real_chapters)} chapters from {args.hoofdstukken or 'book/gemeenten/'}"
    else:
        helper.write_chapters(layout.chapter_dir)
        source = f"{len(helper.CODES)} real chapters made for the benchmark (book/gemeenten/ is empty)"
    from samenspel import casestudies

    real_studies = casestudies.case_study_files(book.Layout().casestudies)
    if real_studies:
        layout.casestudies.mkdir(exist_ok=True)
        for cs in real_studies:
            shutil.copy2(cs, layout.casestudies / cs.name)
        source += f", {len(real_studies)} case studies from casestudies/"
    else:
        helper.write_case_study(layout.casestudies)
        source += ", 1 fixture case study"

    print(f"Book: {source}; folder {tmp}; sphinx -j {JOBS}")
    full, _ = _timed(lambda: _build(layout, fresh=True))
    print(f"Full build (generate + jupyter-book, from scratch): {full:6.1f} s")
    same, _ = _timed(lambda: _build(layout))
    print(f"Rebuild, nothing changed:                           {same:6.1f} s")
    study = sorted(layout.casestudies.glob("*.md"))
    study = [p for p in study if p.name not in casestudies.NOT_CASE_STUDIES][0]
    study.write_text(study.read_text(encoding="utf-8") + "\nEen extra zin om de build te meten.\n", encoding="utf-8")
    one, _ = _timed(lambda: _build(layout))
    print(f"Rebuild after one case study changed ({study.name}): {one:6.1f} s")
    changed = sorted(layout.chapter_dir.glob("GM*.ipynb"))[-1]
    nb = json.loads(changed.read_text("utf-8"))
    nb["cells"].append(
        {
            "cell_type": "markdown",
            "id": "benchmark-edit",
            "metadata": {},
            "source": ["Een extra zin om de build te meten."],
        }
    )
    changed.write_text(json.dumps(nb, ensure_ascii=False, indent=1), encoding="utf-8")
    one_chapter, _ = _timed(lambda: _build(layout))
    print(f"Rebuild after one chapter changed ({changed.name}):      {one_chapter:6.1f} s")

    chapter = sorted(layout.chapter_dir.glob("GM*.ipynb"))[0]
    page = f"book/gemeenten/{chapter.stem}.html"
    bodies = _weigh_in_chromium(layout.html_dir, page)
    how = "loaded in headless Chromium"
    if bodies is None:
        bodies = _weigh_from_html(layout.html_dir, page)
        how = "script and style links of the HTML (no Chromium)"
    html = len(bodies.get(page, b""))
    plotly = {k: v for k, v in bodies.items() if k.endswith(book.PLOTLY_JS)}
    others = {k: v for k, v in bodies.items() if k != page and k not in plotly}
    plotly_raw = sum(len(v) for v in plotly.values())
    others_raw = sum(len(v) for v in others.values())

    def gz(items):
        return sum(len(gzip.compress(v, 6)) for v in items)

    print(f"\nChapter page {page} ({how}):")
    print(f"  page HTML                      {_kb(html)}   gzip {_kb(gz([bodies.get(page, b'')]))}")
    print(f"  other files ({len(others):2d}, no plotly)    {_kb(others_raw)}   gzip {_kb(gz(others.values()))}")
    print(f"  HTML + other files             {_kb(html + others_raw)}")
    print(f"  plotly.min.js                  {_kb(plotly_raw)}   gzip {_kb(gz(plotly.values()))}")
    total = html + others_raw + plotly_raw
    total_gz = gz([bodies.get(page, b"")]) + gz(others.values()) + gz(plotly.values())
    print(f"  total with plotly.min.js       {_kb(total)}   gzip {_kb(total_gz)}")
    biggest = sorted(others.items(), key=lambda kv: -len(kv[1]))[:5]
    print("  largest other files: " + ", ".join(f"{k} {len(v) // 1024} KiB" for k, v in biggest))

    if not args.keep:
        shutil.rmtree(tmp, ignore_errors=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
