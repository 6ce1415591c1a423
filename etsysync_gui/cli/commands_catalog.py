"""``etsysync catalog import|export``: the local catalog as CSV."""

from __future__ import annotations

import argparse
import sys

from etsysync_gui.bootstrap import start
from etsysync_gui.catalog.importer import export_catalog, import_catalog
from etsysync_gui.catalog.preview import MAX_SHOWN, preview_import
from etsysync_gui.errors import EXIT_PARTIAL

SHOWN_ROWS = 20
"""Rows of each kind the dry run prints; the counts cover every row."""


def import_csv(args: argparse.Namespace) -> int:
    if args.dry_run:
        return _dry_run(args)
    context = start(args.profile)
    try:
        report = import_catalog(
            context.require_database(), args.file, skip_invalid=args.skip_invalid
        )
    finally:
        context.close()
    print(
        f"Imported {args.file}: {report.created} new, {report.updated} changed, "
        f"{report.unchanged} unchanged."
    )
    if report.skipped_count:
        print(f"Skipped {report.skipped_count} invalid row(s):", file=sys.stderr)
        for problem in report.skipped:
            print(f"  {problem}", file=sys.stderr)
        if report.skipped_count > len(report.skipped):
            print(f"  … and {report.skipped_count - len(report.skipped)} more", file=sys.stderr)
        return EXIT_PARTIAL
    return 0


def _dry_run(args: argparse.Namespace) -> int:
    """Print what the import would do (the GUI's preview) and change nothing."""
    context = start(args.profile)
    try:
        preview = preview_import(context.require_database(), args.file)
    finally:
        context.close()
    print(f"Dry run, nothing changed. {preview.summary()}.")
    for title, rows in (("New", preview.new), ("Changed", preview.changed)):
        for row in rows[:SHOWN_ROWS]:
            detail = row.describe_changes() or f"quantity {row.quantity}"
            print(f"  {title:<8} line {row.line}: {row.name}: {detail}")
    for problem in preview.invalid[:SHOWN_ROWS]:
        print(f"  Invalid  {problem}")
    shown = min(len(preview.new), SHOWN_ROWS) + min(len(preview.changed), SHOWN_ROWS)
    shown += min(len(preview.invalid), SHOWN_ROWS)
    rest = preview.new_count + preview.changed_count + preview.invalid_count - shown
    if rest > 0:
        print(f"  … and {rest:,} more (the GUI's preview lists up to {MAX_SHOWN:,} of each).")
    if preview.invalid_count and args.skip_invalid:
        print("The invalid rows would be skipped (--skip-invalid).", file=sys.stderr)
        return EXIT_PARTIAL
    if preview.invalid_count:
        print(
            "Invalid rows would stop the import: fix them, or import with --skip-invalid.",
            file=sys.stderr,
        )
        return EXIT_PARTIAL
    return 0


def export_csv(args: argparse.Namespace) -> int:
    context = start(args.profile)
    try:
        count = export_catalog(context.require_database(), args.file)
    finally:
        context.close()
    print(f"Wrote {count} variant(s) to {args.file}.")
    return 0
