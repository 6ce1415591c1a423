"""The database page: the default SQLite file, and a reachable PostgreSQL server whose
"Test connection" applies the migrations (then Next goes on without a second check)."""

from __future__ import annotations

import pytest
from PySide6.QtWidgets import QWizard
from pytestqt.qtbot import QtBot
from sqlalchemy import create_engine, inspect

from etsysync_gui.config import ConfigStore
from etsysync_gui.db.migrate import head_revision
from etsysync_gui.ui.wizard.model import PageId
from etsysync_gui.ui.wizard.page_database import DatabasePage

from .conftest import MakeWizard
from .drive import TIMEOUT_MS, go_next, start_at


def test_the_default_sqlite_file_is_created_and_migrated_on_next(
    qtbot: QtBot, make_wizard: MakeWizard
) -> None:
    wizard = make_wizard()
    page = start_at(wizard, PageId.DATABASE)
    assert isinstance(page, DatabasePage)
    path = wizard.model.settings.profile.default_database_path()
    assert str(path) in page.sqlite_path.text()
    go_next(qtbot, wizard, PageId.SYNC)
    assert path.exists()
    assert wizard.model.database_url is None


@pytest.mark.postgres
@pytest.mark.parametrize("db_url", ["postgresql"], indirect=True)
def test_test_connection_migrates_a_postgresql_database(
    qtbot: QtBot, make_wizard: MakeWizard, db_url: str
) -> None:
    wizard = make_wizard()
    page = start_at(wizard, PageId.DATABASE)
    assert isinstance(page, DatabasePage)
    page.postgres.setChecked(True)
    page.url.setText(db_url)
    page.test.click()
    qtbot.waitUntil(
        lambda: bool(page.tested.text()) or bool(page.problem_title),
        timeout=TIMEOUT_MS,
    )
    assert page.problem_title == "", page.problem_message
    assert f"schema {head_revision()}" in page.tested.text()
    engine = create_engine(db_url.replace("postgresql://", "postgresql+psycopg://", 1))
    try:
        assert "etsy_products" in inspect(engine).get_table_names()
    finally:
        engine.dispose()
    wizard.button(QWizard.WizardButton.NextButton).click()
    assert wizard.currentId() == PageId.SYNC  # already tested: no second check
    assert wizard.model.database_url == db_url
    assert not ConfigStore().path.exists()  # written at Finish, with the rest
