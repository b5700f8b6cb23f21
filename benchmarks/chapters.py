"""Benchmark chapter generation: one chapter (warm cache), all municipalities, and where a
chapter's time goes.

    SAMENSPEL_SNAPSHOT=../shared/data/cbs .venv/bin/python benchmarks/chapters.py [-j 2] [--skip-all]
        [--profiel Almere,Vlieland,...]

Prints seconds for one chapter from a cold start (a new kernel: what `samenspel hoofdstuk
Almere` costs after the CLI's own start), for a chapter in a warm worker (kernel, client,
dataset and per-process indexes already there: what each chapter of a batch costs), for all
chapters with the worker count and again with nothing changed, and a profile per phase of the
chapter's own work (the notebook's cells run in this process under cProfile: model.build and
its parts, the CSV, the figures' JSON, the wijk maps, the templates, plotly's object model),
next to what papermill and the kernel add. benchmarks/book.py times the book build. Chapters
are written into a temporary folder. Timings on a shared machine are noisy: compare the
shares, and take the best of several runs.
"""

from __future__ import annotations

import argparse
import cProfile
import json
import os
import pstats
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

PROFILE_DEFAULT = "Almere,Vlieland,Groningen,'s-Gravenhage,Beverwijk"
# phase -> (file suffix, function name): cumulative time of that function
PHASES = [
    ("model.build (alles)", "samenspel/chapter/model.py", "build"),
    ("  vergelijkingen (compare.compare, alle groepen)", "samenspel/analysis/compare.py", "compare"),
    ("  andere vergelijkingsgroepen", "samenspel/chapter/model.py", "_alternatives"),
    ("  vergelijkingsgroep (tweelingen)", "samenspel/chapter/model.py", "_peer_group"),
    ("  wijken", "samenspel/chapter/model.py", "_wijken"),
    ("  wijken door de jaren", "samenspel/chapter/model.py", "_wijk_trends"),
    ("  samenhang", "samenspel/chapter/model.py", "_coherences"),
    ("  casestudies", "samenspel/chapter/model.py", "_case_study_links"),
    ("  doelen", "samenspel/chapter/model.py", "_goal_file"),
    ("CSV (export.write_csv)", "samenspel/chapter/export.py", "write_csv"),
    ("figuren als JSON (Chart.figure_json)", "samenspel/chapter/charts.py", "figure_json"),
    ("wijkkaarten (wijkmap.wijk_map)", "samenspel/chapter/wijkmap.py", "wijk_map"),
    ("tekst en tabellen (templating.render)", "samenspel/templating.py", "render"),
]
PLOTLY_OBJECT_MODEL = ("plotly/basedatatypes.py", "_plotly_utils/", "plotly/graph_objs/", "plotly/validators/")


def kernel_start_seconds() -> float:
    from jupyter_client.manager import KernelManager

    t = time.perf_counter()
    km = KernelManager(kernel_name="python3")
    km.start_kernel()
    kc = km.client()
    kc.start_channels()
    kc.wait_for_ready(timeout=60)
    elapsed = time.perf_counter() - t
    kc.stop_channels()
    km.shutdown_kernel(now=True)
    return elapsed


def _notebook_cells() -> list[str]:
    from samenspel.chapter import runner

    nb = json.loads(runner.TEMPLATE.read_text("utf-8"))
    return [
        "".join(c["source"])
        for c in nb["cells"]
        if c["cell_type"] == "code" and "parameters" not in c["metadata"].get("tags", [])
    ]


def run_cells(name: str, cells: list[str]) -> None:
    """Run the chapter notebook's code cells here, formatting every displayed object the way
    the kernel does (so figures are serialised to HTML as in a real run)."""
    ns = {"gemeente": name, "jaar": None, "vergelijk_met": None, "methode": "tweelingen"}
    for source in cells:
        exec(compile(source, "<chapter cell>", "exec"), ns)


def _install_display():
    import IPython.display
    from IPython.core.interactiveshell import InteractiveShell

    fmt = InteractiveShell.instance().display_formatter
    IPython.display.display = lambda *objs, **kw: [fmt.format(o) for o in objs]


def phase_profile(names: list[str]) -> tuple[float, float, list[tuple[str, float]]]:
    """Seconds per chapter of the chapter's own work in this process (without and with
    cProfile), and per phase (with cProfile)."""
    _install_display()
    cells = _notebook_cells()
    run_cells(names[0], cells)  # warm: imports, the dataset, per-process indexes
    t = time.perf_counter()
    for name in names:
        run_cells(name, cells)
    plain = (time.perf_counter() - t) / len(names)
    prof = cProfile.Profile()
    t = time.perf_counter()
    prof.enable()
    for name in names:
        run_cells(name, cells)
    prof.disable()
    total = (time.perf_counter() - t) / len(names)  # with cProfile's overhead: use the shares
    stats = pstats.Stats(prof).stats  # (file, line, func) -> (cc, nc, tt, ct, callers)
    rows = []
    for label, suffix, func in PHASES:
        ct = sum(v[3] for (f, _, fn), v in stats.items() if f.endswith(suffix) and fn == func)
        # cumulative time counts recursion once per top-level call only when not nested in itself
        rows.append((label, ct / len(names)))
    plotly_tt = sum(v[2] for (f, _, _), v in stats.items() if any(p in f for p in PLOTLY_OBJECT_MODEL))
    # the figures are plain dicts (samenspel/chapter/figure.py): this stays near zero
    rows.append(("plotly objectmodel en validatie (eigen tijd in graph_objects/validators)", plotly_tt / len(names)))
    return plain, total, rows


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("-j", "--jobs", type=int, default=2)
    parser.add_argument("--skip-all", action="store_true", help="only the single chapter")
    parser.add_argument("--profiel", default=PROFILE_DEFAULT, help="gemeenten for the phase profile")
    parser.add_argument("--herhaal", type=int, default=3, help="best of N for the single chapter")
    args = parser.parse_args()
    os.environ["SAMENSPEL_CHAPTER_DIR"] = tempfile.mkdtemp(prefix="samenspel-bench-")
    from samenspel.chapter import runner as chapters
    from samenspel.data import dataset

    print(f"machine: {os.cpu_count()} kernen, belasting {os.getloadavg()[0]:.1f} (1 min) bij de start")
    t = time.perf_counter()
    dataset.load()
    print(f"dataset (eenmalig, of uit cache): {time.perf_counter() - t:.2f} s")
    start = kernel_start_seconds()
    print(f"kernelstart: {start:.2f} s")

    ones = [
        chapters.run_chapters(["Almere"], jobs=1, force=True, progress=False).seconds
        for _ in range(max(1, args.herhaal))
    ]
    one = min(ones)
    print(
        f"een hoofdstuk (Almere, warme cache, incl. kernelstart; beste van {len(ones)}): {one:.2f} s; "
        f"zonder kernelstart: {one - start:.2f} s; aandeel kernelstart {start / one:.0%}"
    )
    names = [n.strip() for n in args.profiel.split(",") if n.strip()]
    # one worker, one kernel for the chapters in a row: the first pays the kernel's imports and
    # the dataset; the others are what a chapter costs in a warm worker
    five = chapters.run_chapters(names, jobs=1, force=True, progress=False)
    times = [five.timings[c] for c in five.timings]
    warm = times[1:] or times
    per_papermill = sum(warm) / len(warm)
    plain, own, rows = phase_profile(names)
    print(f"profiel per fase ({len(names)} hoofdstukken, gemiddeld per hoofdstuk):")
    print(
        f"  via papermill in een warme worker (kernel en client hergebruikt): {per_papermill:.3f} s "
        f"(het eerste hoofdstuk van de worker: {times[0]:.2f} s, met de imports en de dataset in de kernel)"
    )
    print(f"  het eigen werk in dit proces: {plain:.3f} s (onder cProfile {own:.3f} s; de fasen hieronder)")
    print(f"  papermill + kernel (verschil): {max(0.0, per_papermill - plain):.3f} s")
    for label, seconds in rows:
        print(f"  {label}: {seconds:.3f} s ({seconds / own:.0%} van het eigen werk)")
    if not args.skip_all:
        all_ = chapters.run_chapters("alle", jobs=args.jobs, force=True, progress=False)
        n = len(all_.written)
        print(
            f"alle hoofdstukken: {n} in {all_.seconds:.1f} s met -j {args.jobs} "
            f"({all_.seconds / max(n, 1):.2f} s per hoofdstuk); mislukt: {len(all_.failures)}; "
            f"aandeel kernelstart ~{args.jobs * start / all_.seconds:.1%}"
        )
        again = chapters.run_chapters("alle", jobs=args.jobs, progress=False)
        print(f"tweede keer zonder wijzigingen: {again.seconds:.1f} s ({len(again.skipped)} overgeslagen)")


if __name__ == "__main__":
    main()
