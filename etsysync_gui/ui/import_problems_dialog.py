"""The rows of a catalog CSV that could not be imported, one per line.

``catalog.importer`` refuses a file with bad rows unless asked to skip them;
this dialog lists every problem as the importer wrote it and offers to
import only the valid rows ("Import the valid rows") or to give up.
"""

from __future__ import annotations

from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QLabel,
    QListWidget,
    QVBoxLayout,
    QWidget,
)


class ImportProblemsDialog(QDialog):
    def __init__(self, message: str, problems: list[str], parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Catalog import: rows with problems")
        self.resize(700, 420)
        layout = QVBoxLayout(self)
        self.intro = QLabel(message)
        self.intro.setWordWrap(True)
        layout.addWidget(self.intro)
        self.problems = QListWidget()
        self.problems.addItems(problems)
        layout.addWidget(self.problems, 1)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Cancel)
        self.import_valid = buttons.addButton(
            "Import the valid rows", QDialogButtonBox.ButtonRole.AcceptRole
        )
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        layout.addWidget(buttons)
