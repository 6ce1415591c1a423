"""``etsysync catalog import|export``: the local catalog as CSV."""

from __future__ import annotations

import argparse
import sys

from etsysync_gui.bootstrap import start
from etsysync_gui.catalog.importer import export_catalog, import_catalog
from etsysync_gui.errors import EXIT_PARTIAL


def import_csv(args: argparse.Namespace) -> int:
    context = start(args.profile)
    try:
        report = import_catalog(
            context.require_database(), args.file, skip_invalid=args.skip_invalid
        )
    finally:
        context.close()
    print(
        f"Imported {args.file}: {report.created} new, {report.updated} updated, "
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


def export_csv(args: argparse.Namespace) -> int:
    context = start(args.profile)
    try:
        count = export_catalog(context.require_database(), args.file)
    finally:
        context.close()
    print(f"Wrote {count} variant(s) to {args.file}.")
    return 0
