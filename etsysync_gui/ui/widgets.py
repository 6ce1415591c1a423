"""Small building blocks the views share: a lazily loading view, a fast table view, a debounced
search box, settings."""

from __future__ import annotations

from PySide6.QtCore import QByteArray, QSettings, Qt, QTimer, Signal
from PySide6.QtGui import QShowEvent
from PySide6.QtWidgets import QAbstractItemView, QHeaderView, QLineEdit, QTableView, QWidget

from etsysync_gui.paths import user_config_dir

SEARCH_DEBOUNCE_MS = 150


_active_profile: str | None = None


def use_profile_settings(profile: str | None) -> None:
    """Scope ``gui_settings()`` to ``profile`` from now on (``None``: the shared group).

    Why a module-wide choice: one process shows one profile's window (the
    single-instance guard), and every view reads its remembered things through
    ``gui_settings()``; scoping here keeps the demo's window, tray and review
    choices apart from the seller's real shop without threading a name through
    every widget.
    """
    global _active_profile
    _active_profile = profile


def gui_settings(profile: str | None = None) -> QSettings:
    """The GUI's own remembered things (geometry, column widths, tray choice), per user.

    Each profile (the demo included) has its own group in the one ``gui.ini``;
    ``profile`` overrides the active one (the wizard writes the choices of the
    profile it has just set up).
    """
    path = user_config_dir() / "gui.ini"
    settings = QSettings(str(path), QSettings.Format.IniFormat)
    name = profile or _active_profile
    if name:
        settings.beginGroup(f"profile-{name}")
    return settings


class LazyView(QWidget):
    """A tab that loads its rows only when it is seen.

    Data changes (a sync finished, an edit) mark every view stale, but only the
    visible one reloads at once; the others reload when the seller switches to
    them, so a sync never triggers four database queries for tabs nobody looks at.
    """

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.loaded = False

    def reload(self) -> None:
        raise NotImplementedError

    def mark_stale(self) -> None:
        if self.isVisible():
            self.reload()
        else:
            self.loaded = False

    def showEvent(self, event: QShowEvent) -> None:
        if not self.loaded:
            self.reload()
        super().showEvent(event)


class FastTableView(QTableView):
    """A table view set up for very many rows: fixed row heights, no per-row measuring.

    ``name`` keys its column widths in ``gui_settings()`` (saved on ``save_state``).
    """

    def __init__(self, name: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName(f"{name}Table")
        self._name = name
        vertical = self.verticalHeader()
        vertical.setSectionResizeMode(QHeaderView.ResizeMode.Fixed)
        vertical.setDefaultSectionSize(self.fontMetrics().height() + 8)
        vertical.hide()
        header = self.horizontalHeader()
        header.setStretchLastSection(True)
        header.setSectionsMovable(True)
        header.setHighlightSections(False)
        self.setWordWrap(False)
        self.setAlternatingRowColors(True)
        self.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.setHorizontalScrollMode(QAbstractItemView.ScrollMode.ScrollPerPixel)
        self.setTextElideMode(Qt.TextElideMode.ElideRight)

    def enable_sorting(
        self, column: int = 0, order: Qt.SortOrder = Qt.SortOrder.AscendingOrder
    ) -> None:
        """Sortable by header click; starts sorted by ``column`` in ``order``."""
        self.horizontalHeader().setSortIndicator(column, order)
        self.setSortingEnabled(True)

    def restore_state(self, default_widths: list[int | None]) -> None:
        state = gui_settings().value(f"columns/{self._name}")
        if isinstance(state, QByteArray) and self.horizontalHeader().restoreState(state):
            return
        for column, width in enumerate(default_widths):
            if width:
                self.setColumnWidth(column, width)

    def save_state(self) -> None:
        gui_settings().setValue(f"columns/{self._name}", self.horizontalHeader().saveState())

    def selected_row(self) -> int | None:
        rows = self.selectionModel().selectedRows() if self.selectionModel() else []
        return rows[0].row() if rows else None


class SearchBox(QLineEdit):
    """A line edit whose ``search`` signal fires ``SEARCH_DEBOUNCE_MS`` after typing stops."""

    search = Signal(str)

    def __init__(self, placeholder: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setPlaceholderText(placeholder)
        self.setClearButtonEnabled(True)
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(SEARCH_DEBOUNCE_MS)
        self._timer.timeout.connect(self._fire)
        self.textChanged.connect(lambda _text: self._timer.start())

    def _fire(self) -> None:
        self.search.emit(self.text())

    def flush(self) -> None:
        """Apply pending text now (tests and Enter)."""
        if self._timer.isActive():
            self._timer.stop()
            self._fire()
