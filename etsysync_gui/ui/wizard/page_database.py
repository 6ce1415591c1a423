"""Page 5: where the catalog lives: the SQLite file (default) or a PostgreSQL server.

"Test connection" opens the database, checks it and applies the migrations
(the same ``bootstrap.open_database`` every start runs), so a database that
passes here opens at the next start.  Next runs the same check for the
choice on screen unless it already passed.
"""

from __future__ import annotations

from collections.abc import Hashable

from PySide6.QtWidgets import (
    QButtonGroup,
    QHBoxLayout,
    QLineEdit,
    QPushButton,
    QRadioButton,
    QVBoxLayout,
)

from etsysync_gui.ui.wizard import steps
from etsysync_gui.ui.wizard.base import Page, note
from etsysync_gui.ui.wizard.host import WizardHost


class DatabasePage(Page):
    def __init__(self, wizard: WizardHost) -> None:
        super().__init__(
            wizard,
            "Where to keep your catalog",
            "EtsySync keeps your catalog, the listings it has seen and its sync log in a database.",
        )
        self.sqlite = QRadioButton("On this computer (recommended)")
        self.postgres = QRadioButton("On a PostgreSQL server I already run")
        group = QButtonGroup(self)
        group.addButton(self.sqlite)
        group.addButton(self.postgres)
        self.sqlite.setChecked(True)
        self.sqlite_path = note()
        self.url = QLineEdit()
        self.url.setPlaceholderText("postgresql://USER@HOST:5432/DATABASE")
        self.test = QPushButton("Test connection")
        self.tested = note(style="color: #1a7f37")
        layout = QVBoxLayout(self)
        layout.addWidget(self.sqlite)
        layout.addWidget(self.sqlite_path)
        layout.addWidget(self.postgres)
        row = QHBoxLayout()
        row.addWidget(self.url, 1)
        row.addWidget(self.test)
        layout.addLayout(row)
        layout.addWidget(
            note(
                "Leave the password out of the URL: put it in ~/.pgpass or PGPASSWORD. "
                "Testing also creates or upgrades EtsySync's tables."
            )
        )
        layout.addWidget(self.tested)
        self.add_footer(layout)
        layout.addStretch(1)
        self.sqlite.toggled.connect(self._changed)
        self.url.textChanged.connect(self._changed)
        self.test.clicked.connect(self.test_connection)

    def initializePage(self) -> None:
        model = self.setup.model
        self.sqlite_path.setText(f"File: {model.settings.profile.default_database_path()}")
        if model.database_url and model.database_url.startswith(("postgres", "postgresql")):
            self.url.setText(model.database_url)
            self.postgres.setChecked(True)
        self._changed()

    def _changed(self) -> None:
        postgres = self.postgres.isChecked()
        self.url.setEnabled(postgres)
        self.test.setEnabled(postgres and bool(self.url.text().strip()) and not self.busy)
        self.tested.clear()
        self.clear_problem()
        self.completeChanged.emit()

    def chosen_url(self) -> str | None:
        return self.url.text().strip() if self.postgres.isChecked() else None

    def ready(self) -> bool:
        return self.sqlite.isChecked() or bool(self.url.text().strip())

    def check_key(self) -> Hashable | None:
        return (self.chosen_url(), self.setup.model.profile_name)

    def start_check(self, key: Hashable) -> None:
        self._prepare(key, go_on=True)

    def test_connection(self) -> None:
        self._prepare(self.check_key(), go_on=False)

    def _prepare(self, key: Hashable, *, go_on: bool) -> None:
        if self.busy:
            return
        settings, url = self.setup.model.settings, self.chosen_url()
        self.test.setEnabled(False)
        self.tested.clear()

        def ready(result: steps.DatabaseReady) -> None:
            self.setup.model.database_url = url
            self.test.setEnabled(self.postgres.isChecked())
            self.status.clear()
            self.tested.setText(
                f"Connected to {result.where}; EtsySync's tables are ready "
                f"(schema {result.revision or 'empty'})."
            )
            self.remember(key)
            if go_on:
                self.passed(key)

        def failed(exc: BaseException) -> None:
            self.test.setEnabled(self.postgres.isChecked())
            self.show_problem(exc)

        where = "the PostgreSQL server" if url else "the database file"
        self.run(
            lambda: steps.prepare_database(settings, url),
            ready,
            status=f"Opening {where} and preparing EtsySync's tables…",
            on_error=failed,
        )

    def remember(self, key: Hashable) -> None:
        """A check that passed by the Test button counts for Next too."""
        self._passed = key
