"""The preview of a catalog CSV import: what it would change, before anything changes.

Shows the counts (new / changed / unchanged / invalid), then one tab per kind
of row: changed rows with each field's before → after, new rows, and the
reason of each invalid row.  The preview is computed on a worker
(``catalog.preview.preview_import``); this dialog only shows it.  Import is
the dialog's accept; Cancel (or closing) leaves the catalog untouched.
"""

from __future__ import annotations

from PySide6.QtWidgets import (
    QAbstractItemView,
    QDialog,
    QDialogButtonBox,
    QLabel,
    QListWidget,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from etsysync_gui.catalog.preview import MAX_SHOWN, ImportPreview, PreviewRow


def _table(headers: list[str], rows: list[list[str]]) -> QTableWidget:
    table = QTableWidget(len(rows), len(headers))
    table.setHorizontalHeaderLabels(headers)
    table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
    table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
    table.verticalHeader().setVisible(False)
    for r, values in enumerate(rows):
        for c, value in enumerate(values):
            table.setItem(r, c, QTableWidgetItem(value))
    table.horizontalHeader().setStretchLastSection(True)
    table.resizeColumnsToContents()
    return table


def _more(shown: int, total: int) -> str:
    return f" (first {shown:,} shown)" if total > shown else ""


def _changed_rows(rows: list[PreviewRow]) -> list[list[str]]:
    return [[str(r.line), r.sku, r.title or "", r.describe_changes()] for r in rows]


def _new_rows(rows: list[PreviewRow]) -> list[list[str]]:
    return [[str(r.line), r.sku, r.title or "", str(r.quantity)] for r in rows]


def counts_text(preview: ImportPreview) -> str:
    return (
        f"{preview.new_count:,} new · {preview.changed_count:,} changed · "
        f"{preview.unchanged_count:,} unchanged · {preview.invalid_count:,} invalid"
    )


class ImportPreviewDialog(QDialog):
    """Import (accept) or Cancel (reject) after seeing what the file would change."""

    def __init__(self, preview: ImportPreview, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.preview = preview
        self.setWindowTitle(f"Import preview: {preview.file_name}")
        self.resize(820, 520)
        layout = QVBoxLayout(self)
        self.counts = QLabel(f"<b>{counts_text(preview)}</b>")
        layout.addWidget(self.counts)
        self.intro = QLabel(self._intro())
        self.intro.setWordWrap(True)
        layout.addWidget(self.intro)
        self.tabs = QTabWidget()
        self.changed = _table(
            ["Line", "SKU", "Title", "Before → after"], _changed_rows(preview.changed)
        )
        self.new = _table(["Line", "SKU", "Title", "Quantity"], _new_rows(preview.new))
        self.invalid = QListWidget()
        self.invalid.addItems(preview.invalid)
        for name, widget, total, shown in (
            ("Changed", self.changed, preview.changed_count, len(preview.changed)),
            ("New", self.new, preview.new_count, len(preview.new)),
            ("Invalid", self.invalid, preview.invalid_count, len(preview.invalid)),
        ):
            self.tabs.addTab(widget, f"{name} ({total:,}){_more(shown, total)}")
        first = next((i for i, n in enumerate((preview.changed_count, preview.new_count)) if n), 2)
        self.tabs.setCurrentIndex(first if preview.valid_count else 2)
        layout.addWidget(self.tabs, 1)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Cancel)
        self.import_button: QPushButton = buttons.addButton(
            self._import_label(), QDialogButtonBox.ButtonRole.AcceptRole
        )
        self.import_button.setEnabled(preview.changes_anything)
        self.cancel_button = buttons.button(QDialogButtonBox.StandardButton.Cancel)
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        layout.addWidget(buttons)

    def _intro(self) -> str:
        p = self.preview
        text = "Nothing has changed yet: the catalog changes only when you press Import."
        if not p.changes_anything:
            text = "This file changes nothing in the catalog; there is nothing to import."
        elif p.invalid_count:
            text += f" The {p.invalid_count:,} invalid row(s) will be left out; fix them and "
            text += "import again to add them."
        if p.changes_anything:
            text += " The next sync after an import waits for your review, even in autopilot."
        if max(p.new_count, p.changed_count, p.invalid_count) > MAX_SHOWN:
            text += f" Each tab lists the first {MAX_SHOWN:,} rows."
        return text

    def _import_label(self) -> str:
        p = self.preview
        rows = p.new_count + p.changed_count
        return (
            f"Import {rows:,} change(s)"
            if p.invalid_count == 0
            else (f"Import {rows:,} change(s), skip {p.invalid_count:,} invalid")
        )
