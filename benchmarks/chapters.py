"""Benchmark chapter generation: one chapter (warm cache) and all municipalities.

    SAMENSPEL_SNAPSHOT=../shared/data/cbs .venv/bin/python benchmarks/chapters.py [-j 2] [--skip-all]

Prints seconds for one chapter, for all chapters with the worker count, and the share of the
time that is kernel start-up. Chapters are written into a temporary folder.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))


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


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("-j", "--jobs", type=int, default=2)
    parser.add_argument("--skip-all", action="store_true", help="only the single chapter")
    args = parser.parse_args()
    os.environ["SAMENSPEL_CHAPTER_DIR"] = tempfile.mkdtemp(prefix="samenspel-bench-")
    from samenspel.chapter import runner as chapters
    from samenspel.data import dataset

    t = time.perf_counter()
    dataset.load()
    print(f"dataset (eenmalig, of uit cache): {time.perf_counter() - t:.2f} s")
    start = kernel_start_seconds()
    print(f"kernelstart: {start:.2f} s")

    one = chapters.run_chapters(["Almere"], jobs=1, force=True, progress=False)
    print(f"een hoofdstuk (Almere, warme cache, incl. kernelstart): {one.seconds:.2f} s; "
          f"zonder kernelstart: {one.seconds - start:.2f} s; aandeel kernelstart {start / one.seconds:.0%}")
    if not args.skip_all:
        all_ = chapters.run_chapters("alle", jobs=args.jobs, force=True, progress=False)
        n = len(all_.written)
        print(f"alle hoofdstukken: {n} in {all_.seconds:.1f} s met -j {args.jobs} "
              f"({all_.seconds / max(n, 1):.2f} s per hoofdstuk); mislukt: {len(all_.failures)}; "
              f"aandeel kernelstart ~{args.jobs * start / all_.seconds:.1%}")
        again = chapters.run_chapters("alle", jobs=args.jobs, progress=False)
        print(f"tweede keer zonder wijzigingen: {again.seconds:.1f} s ({len(again.skipped)} overgeslagen)")


if __name__ == "__main__":
    main()
