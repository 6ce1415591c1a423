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
at there too.
"""

from __future__ import annotations

import csv
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy import Connection, select
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import selectinload

from etsysync_gui.catalog.cells import escape_formula
from etsysync_gui.catalog.csv_rows import CatalogReader, CatalogRow, RowProblem, file_errors
from etsysync_gui.catalog.upsert import Counts, GroupIds, upsert_chunk
from etsysync_gui.db.engine import Database
from etsysync_gui.db.models import Product
from etsysync_gui.errors import CatalogExportError, CatalogImportError, EtsySyncError
from etsysync_gui.failures import user_error_for

EXPORT_COLUMNS = ("sku", "quantity", "title", "price", "product")
CHUNK_ROWS = 5000
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


class _Lines:
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


def _problems_error(path: Path, report: ImportReport) -> CatalogImportError:
    count = report.skipped_count
    listed = list(report.skipped)
    if count > len(listed):
        listed.append(f"… and {count - len(listed)} more")
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

    def flush(self, chunk: list[CatalogRow], lines: _Lines) -> None:
        if self.cancel is not None and self.cancel.is_set():
            raise ImportCancelled("Import cancelled; nothing was imported.")
        if chunk:
            upsert_chunk(self.conn, chunk, self.groups, self.counts)
            self.rows += len(chunk)
            chunk.clear()
        if self.progress is not None:
            self.progress(ImportProgress(self.rows, lines.fraction))


def _stream(run: _Run, reader: CatalogReader, lines: _Lines, skip_invalid: bool) -> None:
    """Check every row; write the valid ones chunk by chunk, until a problem (unless skipping)."""
    chunk: list[CatalogRow] = []
    report = run.report
    for item in reader:
        if isinstance(item, RowProblem):
            report.skipped_count += 1
            if len(report.skipped) < MAX_LISTED_PROBLEMS:
                report.skipped.append(item.text)
            continue
        if report.skipped_count and not skip_invalid:
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
) -> ImportReport:
    """Import ``path``; raise CatalogImportError listing every bad row unless skipping them."""
    report = ImportReport()
    try:
        with (
            file_errors(path),
            path.open(newline="", encoding="utf-8-sig") as handle,
            db.engine.begin() as conn,
        ):
            lines = _Lines(handle, path.stat().st_size)
            reader = CatalogReader(lines, str(path))
            run = _Run(conn, report, progress, cancel)
            _stream(run, reader, lines, skip_invalid)
            if report.skipped_count and not skip_invalid:
                raise _problems_error(path, report)  # rolls the transaction back
    except (OSError, DBAPIError) as exc:
        known = user_error_for(exc)
        if known is None:
            raise
        raise known from None
    report.created, report.updated = run.counts.created, run.counts.updated
    report.unchanged = run.counts.unchanged
    return report


def export_catalog(db: Database, path: Path) -> int:
    """Write every variant to ``path`` in the import format; return the number of rows."""
    written = 0
    tmp = path.with_name(path.name + ".partial")
    try:
        with db.session() as session, tmp.open("w", newline="", encoding="utf-8") as handle:
            writer = csv.writer(handle)
            writer.writerow(EXPORT_COLUMNS)
            query = select(Product).options(selectinload(Product.variants)).order_by(Product.id)
            for product in session.scalars(query):
                for variant in sorted(product.variants, key=lambda v: v.id):
                    writer.writerow(
                        [
                            escape_formula(variant.sku or ""),
                            variant.quantity,
                            escape_formula(variant.name or ""),
                            "" if variant.price is None else f"{variant.price:.2f}",
                            escape_formula(product.title),
                        ]
                    )
                    written += 1
        tmp.replace(path)
    except OSError as exc:
        tmp.unlink(missing_ok=True)
        known = user_error_for(exc)
        if known is not None:
            raise known from None
        raise CatalogExportError(f"Cannot write {path}: {exc.strerror or exc}.") from None
    return written
