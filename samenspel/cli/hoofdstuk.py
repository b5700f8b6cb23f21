"""`python -m samenspel hoofdstuk GEMEENTE [...]` / `--alle`: generate chapters."""

from __future__ import annotations

import sys
from pathlib import Path

from samenspel import paths
from samenspel.chapter import runner as chapters
from samenspel.cli import positive_jobs
from samenspel.data import cbs
from samenspel.errors import SamenspelError


def add_arguments(parser) -> None:
    parser.add_argument(
        "gemeenten", nargs="*", metavar="GEMEENTE", help="naam of code, bijvoorbeeld Almere, GM0034 of 34"
    )
    parser.add_argument("--alle", action="store_true", help="alle gemeenten van het jaar")
    parser.add_argument("--jaar", type=int, help="het jaar van het hoofdstuk (standaard: het nieuwste)")
    parser.add_argument(
        "-j",
        "--jobs",
        type=int,
        default=None,
        help="aantal hoofdstukken tegelijk (standaard: het aantal processorkernen)",
    )
    parser.add_argument(
        "--vergelijk-met",
        metavar="GEMEENTEN",
        help="eigen vergelijkingsgroep, gescheiden door komma's (bijv. 'Lelystad,Zwolle')",
    )
    parser.add_argument(
        "--methode",
        default="tweelingen",
        choices=["tweelingen", "grootteklasse", "provincie"],
        help="hoe de vergelijkingsgroep wordt gekozen (standaard: statistische tweelingen)",
    )
    parser.add_argument("--opnieuw", action="store_true", help="ook hoofdstukken maken die niet veranderd zijn")


def run(args) -> int:
    if not args.alle and not args.gemeenten:
        raise SamenspelError("Noem een of meer gemeenten, of gebruik --alle.")
    jobs = positive_jobs(args.jobs)
    print(cbs.prepare(warn=lambda m: print(m, file=sys.stderr)).sentence, flush=True)
    peers = [p.strip() for p in args.vergelijk_met.split(",") if p.strip()] if args.vergelijk_met else None
    result = chapters.run_chapters(
        "alle" if args.alle else args.gemeenten,
        jobs=jobs,
        year=args.jaar,
        vergelijk_met=peers,
        methode=args.methode,
        force=args.opnieuw,
    )
    report(result)
    return 1 if result.failures else 0


def report(result) -> None:
    where = paths.chapter_dir()
    base = Path.cwd() if paths.INSTALLED else paths.ROOT
    where = where.relative_to(base) if where.is_relative_to(base) else where
    print(
        f"{len(result.written)} hoofdstuk(ken) gemaakt in {where}/, {len(result.skipped)} ongewijzigd "
        f"overgeslagen ({result.seconds:.1f} s)."
    )
    if result.failures:
        print(f"{len(result.failures)} hoofdstuk(ken) mislukt:", file=sys.stderr)
        for code, error in sorted(result.failures.items()):
            print(f"- {code}: {error.splitlines()[0]}", file=sys.stderr)
