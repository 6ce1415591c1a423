"""The sync log's CSV export escapes formula-leading text as the catalog export does."""

from __future__ import annotations

import csv
from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy import update

from etsysync_gui.db.engine import Database
from etsysync_gui.db.models import EtsyInventorySyncLog
from etsysync_gui.queries.log import LogFilter, export_log_csv
from tests.queries.logdata import fill_log


def test_text_cells_are_escaped_and_numbers_are_not(database: Database, tmp_path: Path) -> None:
    fill_log(database, shop_id=1, runs=1, per_run=3, end=datetime(2026, 1, 1, tzinfo=UTC))
    with database.session() as session:
        session.execute(
            update(EtsyInventorySyncLog).values(message='=HYPERLINK("http://x")', quantity_diff=-2)
        )
    path = tmp_path / "log.csv"
    assert export_log_csv(database, LogFilter(), path) == 3
    with path.open(encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle))
    assert {row["message"] for row in rows} == {'\'=HYPERLINK("http://x")'}
    assert {row["quantity_diff"] for row in rows} == {"-2"}
