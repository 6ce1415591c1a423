"""What a catalog CSV import would do, computed without changing anything.

Why: an import rewrites stock counts that the next sync pushes to Etsy, and
a stale or wrong spreadsheet is the easiest way to lose a shop's real
numbers.  The seller sees the preview first (new / changed / unchanged /
invalid rows, before → after for each changed field, the reason of each
invalid row) and only an accepted preview is imported.

The file is streamed like the import itself (``CatalogReader`` row by row,
matched against the database ``CHUNK_ROWS`` at a time with the import's own
``match_rows`` and ``field_changes``), inside a read-only transaction that
is rolled back.  Only the counts and the first ``MAX_SHOWN`` rows of each
kind are kept, so a preview of a million rows holds no more than a few
thousand in memory.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy import Connection
from sqlalchemy.exc import DBAPIError

from etsysync_gui.catalog.csv_rows import CatalogReader, CatalogRow, RowProblem, file_errors
from etsysync_gui.catalog.importer import (
    CHUNK_ROWS,
    ImportCancelled,
    ImportProgress,
    Lines,
    unlinked_problem,
)
from etsysync_gui.catalog.journal import import_summary
from etsysync_gui.catalog.upsert import FieldChange, field_changes, match_rows
from etsysync_gui.db.engine import Database
from etsysync_gui.failures import user_error_for

MAX_SHOWN = 1000
"""Rows of each kind kept for display; beyond that they are only counted."""


@dataclass(frozen=True, slots=True)
class PreviewRow:
    """One row as the preview shows it: its line, SKU, title and what it changes."""

    line: int
    sku: str
    title: str | None
    quantity: int
    changes: tuple[FieldChange, ...] = ()

    @property
    def name(self) -> str:
        return self.sku or self.title or f"line {self.line}"

    def describe_changes(self) -> str:
        """ "quantity 5 → 8, price 12.00 → 14.50": each changed field, before → after."""
        return ", ".join(f"{c.name} {_value(c.before)} → {_value(c.after)}" for c in self.changes)


def _value(value: object) -> str:
    return "(none)" if value is None or value == "" else str(value)


@dataclass
class ImportPreview:
    """Counts of each kind of row, and the first ``MAX_SHOWN`` rows of each."""

    file_name: str
    new: list[PreviewRow] = field(default_factory=list)
    changed: list[PreviewRow] = field(default_factory=list)
    invalid: list[str] = field(default_factory=list)
    new_count: int = 0
    changed_count: int = 0
    unchanged_count: int = 0
    invalid_count: int = 0

    @property
    def valid_count(self) -> int:
        return self.new_count + self.changed_count + self.unchanged_count

    @property
    def changes_anything(self) -> bool:
        return self.new_count + self.changed_count > 0

    def summary(self) -> str:
        """The same line the log will say once imported (counts as previewed)."""
        return import_summary(
            self.file_name,
            self.new_count,
            self.changed_count,
            self.unchanged_count,
            self.invalid_count,
        )

    def add_invalid(self, text: str) -> None:
        self.invalid_count += 1
        if len(self.invalid) < MAX_SHOWN:
            self.invalid.append(text)


def _shown(row: CatalogRow, changes: list[FieldChange] | None = None) -> PreviewRow:
    return PreviewRow(row.line, row.sku, row.title, row.quantity, tuple(changes or ()))


def _classify(conn: Connection, chunk: list[CatalogRow], preview: ImportPreview) -> None:
    """Sort one chunk into new / changed / unchanged / left out, as the import would."""
    match = match_rows(conn, chunk)
    for row, stored, sku in match.updates:
        changes = field_changes(row, stored, sku)
        if not changes:
            preview.unchanged_count += 1
            continue
        preview.changed_count += 1
        if len(preview.changed) < MAX_SHOWN:
            preview.changed.append(_shown(row, changes))
    for row in match.new:
        preview.new_count += 1
        if len(preview.new) < MAX_SHOWN:
            preview.new.append(_shown(row))
    for row in match.unlinked:
        preview.add_invalid(unlinked_problem(row))
    chunk.clear()


def _check(
    cancel: threading.Event | None,
    progress: Callable[[ImportProgress], None] | None,
    rows: int,
    lines: Lines,
) -> None:
    if cancel is not None and cancel.is_set():
        raise ImportCancelled("Preview cancelled; nothing was imported.")
    if progress is not None:
        progress(ImportProgress(rows, lines.fraction))


def preview_import(
    db: Database,
    path: Path,
    *,
    progress: Callable[[ImportProgress], None] | None = None,
    cancel: threading.Event | None = None,
) -> ImportPreview:
    """What importing ``path`` would do; the database is only read (and rolled back)."""
    preview = ImportPreview(path.name)
    try:
        with (
            file_errors(path),
            path.open(newline="", encoding="utf-8-sig") as handle,
            db.engine.connect() as conn,
        ):
            lines = Lines(handle, path.stat().st_size)
            chunk: list[CatalogRow] = []
            rows = 0
            for item in CatalogReader(lines, str(path)):
                if isinstance(item, RowProblem):
                    preview.add_invalid(item.text)
                    continue
                chunk.append(item)
                if len(chunk) >= CHUNK_ROWS:
                    rows += len(chunk)
                    _classify(conn, chunk, preview)
                    _check(cancel, progress, rows, lines)
            rows += len(chunk)
            _classify(conn, chunk, preview)
            _check(cancel, progress, rows, lines)
            conn.rollback()
    except (OSError, DBAPIError) as exc:
        known = user_error_for(exc)
        if known is None:
            raise
        raise known from None
    return preview
