"""Applying a checked catalog CSV to the database, and writing the catalog back out.

Import upserts by SKU in one transaction: a file with errors imports nothing
(unless the caller asked to skip invalid rows), and a cancelled import
commits nothing either, so a half-imported spreadsheet never leaves stock
counts in a state nobody chose.  Variants of one product share the
``product`` column; a row without it is a product of its own, named by its
title or SKU.

The file is streamed: rows are checked one by one and written in chunks of
``CHUNK_ROWS`` (see ``catalog.upsert``), so memory stays bounded whatever the
file's size; ``progress`` hears after each chunk, and ``cancel`` is looked
at there too.  The import is logged in the same transaction
(``catalog.journal``): "Imported catalog.csv: 3 new, 5 changed, …".

Variants made from SKU-less Etsy listings have no SKU, so the export also
writes the Etsy pool each variant is linked to (``etsy_listing``,
``etsy_pool_key``) and the import finds such a row's variant by that pool
first: Export → edit → Import round-trips every row, and an SKU typed into
such a row is given to the variant (when no other variant has it).  A row
without SKU whose pool is no longer linked is skipped and reported, not an
error: there is nothing to update and no SKU to create a variant with.
"""

from __future__ import annotations

import csv
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from sqlalchemy import Connection, select
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session

from etsysync_gui.catalog.cells import escape_formula
from etsysync_gui.catalog.csv_rows import CatalogReader, CatalogRow, RowProblem, file_errors
from etsysync_gui.catalog.journal import import_summary, log_import
from etsysync_gui.catalog.upsert import Counts, GroupIds, upsert_chunk
from etsysync_gui.db.engine import Database
from etsysync_gui.db.models import EtsyStockPool, Product, ProductVariant
from etsysync_gui.db.types import utcnow
from etsysync_gui.errors import CatalogExportError, CatalogImportError, EtsySyncError
from etsysync_gui.failures import user_error_for

EXPORT_COLUMNS = ("sku", "quantity", "title", "price", "product", "etsy_listing", "etsy_pool_key")
CHUNK_ROWS = 5000
EXPORT_BATCH_ROWS = 2000
MAX_LISTED_PROBLEMS = 1000
"""Problems kept word for word; beyond that they are counted (a wrong file has one per row)."""


@dataclass
class ImportReport:
    """What an import did; ``skipped`` lists the problems of rows left out."""

    created: int = 0
    updated: int = 0
    unchanged: int = 0
    skipped: list[str] = field(default_factory=list)
    skipped_count: int = 0

    @property
    def total(self) -> int:
        return self.created + self.updated + self.unchanged


@dataclass(frozen=True)
class ImportProgress:
    rows: int
    fraction: float
    """Share of the file read so far, 0.0 to 1.0."""


class ImportCancelled(EtsySyncError):
    title = "Import cancelled"


class Lines:
    """The file's lines, counting characters read so progress can be a fraction."""

    def __init__(self, handle: Iterator[str], size: int) -> None:
        self._handle, self._size, self.read = handle, max(size, 1), 0

    def __iter__(self) -> Iterator[str]:
        for line in self._handle:
            self.read += len(line)
            yield line

    @property
    def fraction(self) -> float:
        return min(1.0, self.read / self._size)


def unlinked_problem(row: CatalogRow) -> str:
    """Why a row without SKU whose Etsy pool is no longer linked is left out."""
    return (
        f"line {row.line}: Etsy listing {row.etsy_listing} ({row.etsy_pool_key}) is "
        "no longer linked to a catalog variant; give the row an SKU to add it"
    )


def _problems_error(path: Path, report: ImportReport, count: int) -> CatalogImportError:
    """``count`` invalid rows; the list also names rows left out for a pool no longer linked."""
    listed = list(report.skipped)
    if report.skipped_count > len(listed):
        listed.append(f"… and {report.skipped_count - len(listed)} more")
    return CatalogImportError(
        f"{path}: {count} invalid row{'s' if count != 1 else ''}; nothing was imported "
        "(fix them, or use --skip-invalid to import the valid rows only).",
        problems=listed,
    )


@dataclass
class _Run:
    conn: Connection
    report: ImportReport
    progress: Callable[[ImportProgress], None] | None
    cancel: threading.Event | None
    groups: GroupIds = field(default_factory=GroupIds)
    counts: Counts = field(default_factory=Counts)
    rows: int = 0
    invalid: int = 0
    """Rows the reader refused; any of them means nothing is imported unless skipping."""

    def skip(self, text: str) -> None:
        self.report.skipped_count += 1
        if len(self.report.skipped) < MAX_LISTED_PROBLEMS:
            self.report.skipped.append(text)

    def flush(self, chunk: list[CatalogRow], lines: Lines) -> None:
        if self.cancel is not None and self.cancel.is_set():
            raise ImportCancelled("Import cancelled; nothing was imported.")
        if chunk:
            for row in upsert_chunk(self.conn, chunk, self.groups, self.counts):
                self.skip(unlinked_problem(row))
            self.rows += len(chunk)
            chunk.clear()
        if self.progress is not None:
            self.progress(ImportProgress(self.rows, lines.fraction))


def _stream(run: _Run, reader: CatalogReader, lines: Lines, skip_invalid: bool) -> None:
    """Check every row; write the valid ones chunk by chunk, until a problem (unless skipping)."""
    chunk: list[CatalogRow] = []
    for item in reader:
        if isinstance(item, RowProblem):
            run.invalid += 1
            run.skip(item.text)
            continue
        if run.invalid and not skip_invalid:
            continue  # nothing will be imported; keep reading to list every problem
        chunk.append(item)
        if len(chunk) >= CHUNK_ROWS:
            run.flush(chunk, lines)
    run.flush(chunk, lines)


def import_catalog(
    db: Database,
    path: Path,
    *,
    skip_invalid: bool = False,
    progress: Callable[[ImportProgress], None] | None = None,
    cancel: threading.Event | None = None,
    now: datetime | None = None,
) -> ImportReport:
    """Import ``path``; raise CatalogImportError listing every bad row unless skipping them.

    ``now``: the time the log row and the import mark get (the app's clock).
    """
    report = ImportReport()
    try:
        with (
            file_errors(path),
            path.open(newline="", encoding="utf-8-sig") as handle,
            db.engine.begin() as conn,
        ):
            lines = Lines(handle, path.stat().st_size)
            reader = CatalogReader(lines, str(path))
            run = _Run(conn, report, progress, cancel)
            _stream(run, reader, lines, skip_invalid)
            if run.invalid and not skip_invalid:
                raise _problems_error(path, report, run.invalid)  # rolls the transaction back
            _finish(run, path.name, now or utcnow())
    except (OSError, DBAPIError) as exc:
        known = user_error_for(exc)
        if known is None:
            raise
        raise known from None
    return report


def _finish(run: _Run, file_name: str, now: datetime) -> None:
    """Fill the report and log the import in its own transaction (with the unsynced mark)."""
    report = run.report
    report.created, report.updated = run.counts.created, run.counts.updated
    report.unchanged = run.counts.unchanged
    message = import_summary(
        file_name, report.created, report.updated, report.unchanged, report.skipped_count
    )
    changed = report.created + report.updated > 0
    log_import(run.conn, message, changed_catalog=changed, now=now)


def _pool_of_variant(session: Session) -> dict[int, tuple[int | str, str]]:
    """variant id → the (first) Etsy pool it is linked to, for the export's key columns."""
    query = (
        select(
            EtsyStockPool.local_variant_id, EtsyStockPool.etsy_listing_id, EtsyStockPool.pool_key
        )
        .where(EtsyStockPool.local_variant_id.is_not(None))
        .order_by(EtsyStockPool.id.desc())
    )
    return {vid: (listing, key) for vid, listing, key in session.execute(query) if vid is not None}


def _export_rows(session: Session) -> Iterator[list[object]]:
    """Every variant as an export row, streamed from the database in batches.

    Why plain columns and ``yield_per``: loading the products as ORM objects with
    their variants held the whole catalog at once (328 MB peak for 100,000
    variants); rows fetched a batch at a time keep the export flat.
    """
    pools = _pool_of_variant(session)
    query = (
        select(
            ProductVariant.id,
            ProductVariant.sku,
            ProductVariant.quantity,
            ProductVariant.name,
            ProductVariant.price,
            Product.title,
        )
        .join(Product, ProductVariant.product_id == Product.id)
        .order_by(Product.id, ProductVariant.id)
        .execution_options(yield_per=EXPORT_BATCH_ROWS)
    )
    for vid, sku, quantity, name, price, title in session.execute(query):
        listing, key = pools.get(vid, ("", ""))
        yield [
            escape_formula(sku or ""),
            quantity,
            escape_formula(name or ""),
            "" if price is None else f"{price:.2f}",
            escape_formula(title),
            listing,
            escape_formula(key),
        ]


def export_catalog(db: Database, path: Path) -> int:
    """Write every variant to ``path`` in the import format; return the number of rows."""
    written = 0
    tmp = path.with_name(path.name + ".partial")
    try:
        with db.session() as session, tmp.open("w", newline="", encoding="utf-8") as handle:
            writer = csv.writer(handle)
            writer.writerow(EXPORT_COLUMNS)
            for row in _export_rows(session):
                writer.writerow(row)
                written += 1
        tmp.replace(path)
    except OSError as exc:
        tmp.unlink(missing_ok=True)
        known = user_error_for(exc)
        if known is not None:
            raise known from None
        raise CatalogExportError(f"Cannot write {path}: {exc.strerror or exc}.") from None
    return written
