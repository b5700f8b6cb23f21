"""`python -m samenspel boek`: generate the book's generated parts and build it as HTML."""

from __future__ import annotations

import argparse
import sys
import time

from samenspel import book, paths
from samenspel.book import workspace
from samenspel.cli import positive_jobs
from samenspel.data import cbs
from samenspel.errors import SamenspelError


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--alle",
        action="store_true",
        help="maak eerst de hoofdstukken van alle gemeenten (dat duurt lang)",
    )
    parser.add_argument(
        "--jobs",
        "-j",
        type=int,
        default=None,
        metavar="N",
        help="aantal hoofdstukken dat tegelijk wordt gemaakt (standaard: aantal processorkernen)",
    )
    parser.add_argument(
        "--uitgebreid",
        action="store_true",
        help="toon alle meldingen van Jupyter Book en Sphinx",
    )
    parser.add_argument(
        "--opnieuw",
        action="store_true",
        help="bouw alle pagina's opnieuw, niet alleen wat is veranderd",
    )


def _run_chapters(codes, jobs: int) -> None:
    try:
        from samenspel.chapter.runner import run_chapters
    except ImportError as exc:
        raise SamenspelError(
            f"Hoofdstukken maken kan nog niet: de module samenspel.chapter.runner ontbreekt ({exc})."
        ) from exc
    run_chapters(codes=codes, jobs=jobs)


def _layout() -> book.Layout:
    """The checkout itself; for an installed package a work folder with a copy of the book's
    sources (samenspel.paths.work_root)."""
    root = paths.work_root()
    if root.resolve() != paths.ROOT.resolve():
        print(f"Het boek wordt gemaakt in {root}.", flush=True)
        workspace.sync(paths.ROOT, root)
    return book.Layout(root=root)


def run(args: argparse.Namespace) -> int:
    jobs = positive_jobs(args.jobs)
    print(cbs.prepare(warn=lambda m: print(m, file=sys.stderr)).sentence, flush=True)
    layout = _layout()

    if args.alle:
        print(f"Alle hoofdstukken maken ({jobs} tegelijk)…", flush=True)
        _run_chapters("alle", jobs)
    elif not book.read_chapters(layout.chapter_dir):
        names = ", ".join(book.DEFAULT_CODES)
        print(f"Er zijn nog geen hoofdstukken. Eerst een paar voorbeelden maken: {names}…", flush=True)
        _run_chapters(list(book.DEFAULT_CODES), jobs)

    started = time.perf_counter()
    result = book.generate(layout, log_to=lambda msg: print(f"Let op: {msg}", flush=True))
    changed = len(result.written) + len(result.removed)
    print(
        f"{len(result.chapters)} hoofdstukken in het boek; {changed} gegenereerde bestanden bijgewerkt.",
        flush=True,
    )

    print("Het boek bouwen (waarschuwingen gelden als fouten)…", flush=True)
    proc = book.build_html(layout, strict=True, fresh=args.opnieuw, quiet=not args.uitgebreid, jobs=jobs)
    seconds = time.perf_counter() - started
    if proc.returncode != 0:
        raise SamenspelError(
            "Het boek kon niet worden gebouwd. Hierboven staat wat er misging (elke waarschuwing telt als fout).",
            exit_code=proc.returncode or 1,
        )
    index = layout.html_dir / "index.html"
    print(f"\nKlaar in {seconds:.1f} s. Open het boek in uw browser:\n  {index.as_uri()}")
    print(
        "Of bekijk het via een lokale webserver:\n"
        f"  python -m http.server --directory {layout.html_dir} 8000\n"
        "  en ga naar http://127.0.0.1:8000/"
    )
    return 0
