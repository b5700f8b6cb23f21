"""`python -m samenspel momentopname --van DIR`: build the embedded snapshot data/momentopname/."""

from __future__ import annotations

from pathlib import Path

from samenspel import paths
from samenspel.data import momentopname


def add_arguments(parser) -> None:
    parser.add_argument(
        "--van",
        required=True,
        metavar="MAP",
        help="een map met CBS-tabellen in het formaat van cbsodata.download_data, bijvoorbeeld ../shared/data/cbs",
    )
    parser.add_argument(
        "--naar", metavar="MAP", default=None, help=f"waar de momentopname komt (standaard: {paths.MOMENTOPNAME_DIR})"
    )


def _size(n: int) -> str:
    return f"{n / 1_000_000:.1f} MB".replace(".", ",") if n >= 100_000 else f"{n / 1000:.0f} kB"


def run(args) -> int:
    print(f"Momentopname maken uit {args.van}…", flush=True)
    result = momentopname.build(Path(args.van), Path(args.naar) if args.naar else None)
    for t in result.tables:
        dropped = f", {t['dropped_rows']} buurten weggelaten" if t["dropped_rows"] else ""
        print(f"- {t['table_id']} ({t['title'] or t['statistic']}): {t['rows']} rijen{dropped}")
    for r in result.reference_files:
        print(f"- {r['path']}")
    print(
        f"Klaar: {len(result.tables)} tabellen en {len(result.reference_files)} referentiebestand(en) in "
        f"{result.target} ({_size(result.size)}), met MANIFEST.json en LICENTIE.md."
    )
    return 0
