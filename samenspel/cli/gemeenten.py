"""`python -m samenspel gemeenten [--jaar J]`: every municipality of a year."""

from __future__ import annotations

import sys

from samenspel import fmt
from samenspel.data import cbs, regions
from samenspel.errors import SamenspelError


def add_arguments(parser) -> None:
    parser.add_argument("--jaar", type=int, help="het jaar (standaard: het nieuwste jaar met gegevens)")


def run(args) -> int:
    warn = lambda m: print(m, file=sys.stderr)  # noqa: E731
    print(cbs.prepare(warn=warn).sentence, flush=True)
    years = cbs.available_years()
    if args.jaar is not None and args.jaar not in years:
        raise SamenspelError(
            f"Voor {args.jaar} is er geen KWB-tabel beschikbaar (beschikbaar: {', '.join(map(str, years)) or 'geen'})."
        )
    frame = regions.municipalities(args.jaar)
    year = int(frame["jaar"].iloc[0]) if len(frame) else args.jaar
    print(f"Gemeenten op 1 januari {year}: {len(frame)}")
    print(f"{'code':<7} {'naam':<32} {'provincie':<14} {'inwoners':>10}  peiljaar inwoners")
    for row in frame.itertuples():
        inw = fmt.number(row.inwoners)
        print(
            f"{row.code:<7} {row.naam:<32} {row.provincie or 'onbekend':<14} {inw:>10}  "
            f"{'' if row.inwoners_jaar is None or fmt.is_missing(row.inwoners) else row.inwoners_jaar}"
        )
    older = frame[frame["inwoners_jaar"].notna() & (frame["inwoners_jaar"] != year)]
    if len(older):
        print(
            f"\nVan {len(older)} gemeenten heeft het CBS nog geen inwonertal voor {year} "
            f"in de beschikbare tabellen; daar staat het dichtstbijzijnde jaar met een inwonertal (zie peiljaar)."
        )
    return 0
