"""Catalog CSV import benchmark: rows per second and peak memory, on a fresh SQLite database.

A 1,000,000-row import once took 337 s and 5.9 GB; the streamed, chunked
import should keep memory flat whatever the row count.  The script writes a
CSV of ``--rows`` variants (half grouped into products of 10, half single),
imports it twice (all new, then all updated) into a migrated SQLite file, exports
it, and prints, for each pass, rows/s and the process's peak resident memory (the
peak only grows, so a line shows it only when that pass is the largest).  Before
the second pass it previews that file (``catalog.preview``, what the GUI shows
before an import), which must not raise the peak either.

    .venv/bin/python benchmarks/catalog_import.py [--rows 100000] [--database-url URL]
"""

from __future__ import annotations

import argparse
import resource
import sys
import tempfile
import time
from pathlib import Path

from etsysync_gui.catalog.importer import export_catalog, import_catalog
from etsysync_gui.catalog.preview import preview_import
from etsysync_gui.db.engine import Database
from etsysync_gui.db.migrate import upgrade_to_head


def write_csv(path: Path, rows: int, quantity_offset: int) -> None:
    with path.open("w", encoding="utf-8", newline="") as handle:
        handle.write("sku,quantity,title,price,product\n")
        for i in range(rows):
            product = f"Product {i // 10}" if i % 2 else ""
            handle.write(f"SKU-{i:08d},{(i + quantity_offset) % 50},Item {i},{i % 90}.50,")
            handle.write(f"{product}\n")


def peak_rss_mb() -> float:
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return peak / 1024 if sys.platform != "darwin" else peak / (1024 * 1024)


def preview_pass(database: Database, csv: Path, rows: int) -> None:
    """The preview the GUI shows before an import: streamed, so memory stays where it was."""
    started = time.perf_counter()
    preview = preview_import(database, csv)
    seconds = time.perf_counter() - started
    print(
        f"preview: {rows} rows in {seconds:.1f} s = {rows / seconds:,.0f} rows/s, "
        f"{preview.changed_count} changed, {len(preview.changed)} kept for display; "
        f"peak RSS {peak_rss_mb():.0f} MB"
    )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--database-url", help="default: a new SQLite file in a temp folder")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        url = args.database_url or f"sqlite:///{Path(folder) / 'bench.db'}"
        database = Database.open(url)
        upgrade_to_head(database.engine)
        print(f"start: peak RSS {peak_rss_mb():.0f} MB")
        for label, offset in (("new", 0), ("update", 1)):
            csv = Path(folder) / f"{label}.csv"
            write_csv(csv, args.rows, offset)
            if label == "update":
                preview_pass(database, csv, args.rows)
            started = time.perf_counter()
            report = import_catalog(database, csv)
            seconds = time.perf_counter() - started
            rate = args.rows / seconds
            print(
                f"{label}: {args.rows} rows in {seconds:.1f} s = {rate:,.0f} rows/s, "
                f"created {report.created}, updated {report.updated}; "
                f"peak RSS {peak_rss_mb():.0f} MB"
            )
        started = time.perf_counter()
        exported = export_catalog(database, Path(folder) / "export.csv")
        seconds = time.perf_counter() - started
        print(f"export: {exported} rows in {seconds:.1f} s; peak RSS {peak_rss_mb():.0f} MB")
        database.dispose()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
