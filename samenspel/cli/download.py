"""`python -m samenspel download [TABEL ...]`: fetch CBS tables into the local cache."""

from __future__ import annotations

import sys

from samenspel import paths
from samenspel.data import cbs
from samenspel.errors import SamenspelError


def add_arguments(parser) -> None:
    parser.add_argument(
        "tabellen", nargs="*", metavar="TABEL", help="CBS-tabelcodes (standaard: alle tabellen uit data/tables.yml)"
    )


def run(args) -> int:
    ids = args.tabellen or sorted({t for s in cbs.registry()["statistics"] for t in cbs.table_ids(s).values()})
    snapshot = paths.snapshot_dir()
    if snapshot is not None:
        # Snapshot mode never contacts CBS: say what the snapshot holds instead.
        print(cbs.data_origin().sentence)
        print(f"Met een momentopname ({snapshot}) haalt Samenspel niets op bij het CBS.")
        missing = [t for t in ids if not cbs.is_available(cbs.check_table_id(t))]
        for table_id in ids:
            state = "staat in de momentopname" if table_id not in missing else "ontbreekt in de momentopname"
            print(f"- {table_id}: {state}")
        return 1 if args.tabellen and missing else 0
    print(
        f"Gegevens: ophalen bij het CBS ({cbs._cbs_url()}) in de lokale cache {paths.cache_dir()}; "
        f"nu in gebruik: {cbs.data_origin().sentence.removeprefix('Gegevens: ')}",
        flush=True,
    )
    failures = 0
    for table_id in ids:
        try:
            folder, warning = cbs.refresh(table_id)
        except SamenspelError as exc:
            print(f"Fout bij {table_id}: {exc.message}", file=sys.stderr)
            failures += 1
            continue
        print(warning or f"Tabel {table_id} opgehaald in {folder}.")
    return 1 if failures else 0
