"""``etsysync migrate`` and ``etsysync status``."""

from __future__ import annotations

import argparse
import json
from datetime import datetime
from typing import Any

from sqlalchemy import func, select

from etsysync_gui.bootstrap import start
from etsysync_gui.db.migrate import head_revision
from etsysync_gui.db.models import EtsyProduct, EtsySyncConfig, ProductVariant
from etsysync_gui.db.urls import mask_url


def migrate(args: argparse.Namespace) -> int:
    context = start(args.profile)
    try:
        result = context.migration
        assert result is not None
        where = mask_url(context.require_database().url)
        if result.changed:
            print(
                f"Upgraded {where} from {result.before or 'an empty database'} to {result.after}."
            )
            if result.backup is not None:
                print(f"The previous file was copied to {result.backup}.")
        else:
            print(f"{where} is already at revision {result.after}; nothing to do.")
    finally:
        context.close()
    return 0


def _iso(value: datetime | None) -> str | None:
    return value.isoformat() if value else None


def status(args: argparse.Namespace) -> int:
    context = start(args.profile)
    try:
        database = context.require_database()
        with database.session() as session:
            shops = [
                {
                    "shop_id": row.shop_id,
                    "sync_status": row.sync_status,
                    "sync_error": row.sync_error,
                    "last_product_sync": _iso(row.last_product_sync),
                    "last_inventory_sync": _iso(row.last_inventory_sync),
                    "rate_limit_remaining": row.rate_limit_remaining,
                }
                for row in session.scalars(select(EtsySyncConfig).order_by(EtsySyncConfig.shop_id))
            ]
            listings = session.scalar(select(func.count()).select_from(EtsyProduct)) or 0
            variants = session.scalar(select(func.count()).select_from(ProductVariant)) or 0
        assert context.migration is not None
        report: dict[str, Any] = {
            "profile": context.settings.profile.name,
            "database": mask_url(database.url),
            "schema_revision": context.migration.after,
            "schema_head": head_revision(),
            "config_file": str(context.settings.config_path),
            "log_file": str(context.log_file),
            "listings": listings,
            "catalog_variants": variants,
            "shops": shops,
        }
    finally:
        context.close()
    if args.json:
        print(json.dumps(report, indent=2))
        return 0
    print(f"Profile:          {report['profile']}")
    print(f"Database:         {report['database']}")
    print(f"Schema revision:  {report['schema_revision']} (latest {report['schema_head']})")
    print(f"Config file:      {report['config_file']}")
    print(f"Log file:         {report['log_file']}")
    print(f"Etsy listings:    {listings}    Catalog variants: {variants}")
    if not shops:
        print("Shops:            none synced yet")
    for shop in shops:
        print(
            f"Shop {shop['shop_id']}: {shop['sync_status']}; "
            f"last listing sync {shop['last_product_sync'] or 'never'}, "
            f"last inventory sync {shop['last_inventory_sync'] or 'never'}"
            + (f"; error: {shop['sync_error']}" if shop["sync_error"] else "")
        )
    return 0
