"""Add or edit a variant (and, for a new product, its title).

The texts are checked with the same rules the catalog edits enforce
(``catalog.editing``); a problem is shown under the form and the dialog
stays open.  A form with neither an SKU nor a name is refused, so Enter on
an empty form saves nothing.  Saving happens in the caller, on a worker:
the dialog emits ``submitted`` and stays open until the caller says
``saved()``; a refusal (a duplicate SKU) comes back through ``failed()``,
and the seller's typing is still there to correct.
"""

from __future__ import annotations

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QVBoxLayout,
    QWidget,
)

from etsysync_gui.catalog.editing import (
    CatalogEditError,
    VariantInput,
    parse_price,
    parse_quantity,
)
from etsysync_gui.queries.catalog import VariantRow


class VariantDialog(QDialog):
    submitted = Signal()

    def __init__(
        self,
        title: str,
        parent: QWidget | None = None,
        *,
        row: VariantRow | None = None,
        with_product: bool = False,
    ) -> None:
        super().__init__(parent)
        self.setWindowTitle(title)
        self.value: VariantInput | None = None
        layout = QVBoxLayout(self)
        form = QFormLayout()
        self.product = QLineEdit(row.product_title if row else "")
        if with_product or row is not None:
            form.addRow("Product title:", self.product)
        self.sku = QLineEdit((row.sku or "") if row else "")
        self.name = QLineEdit((row.name or "") if row else "")
        self.price = QLineEdit("" if row is None or row.price is None else f"{row.price:.2f}")
        self.quantity = QLineEdit(str(row.quantity or 0) if row else "0")
        form.addRow("SKU:", self.sku)
        form.addRow("Variant name:", self.name)
        form.addRow("Price:", self.price)
        form.addRow("Quantity:", self.quantity)
        layout.addLayout(form)
        self.problem = QLabel()
        self.problem.setStyleSheet("color: #b00020")
        self.problem.setWordWrap(True)
        layout.addWidget(self.problem)
        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Save | QDialogButtonBox.StandardButton.Cancel
        )
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        layout.addWidget(self.buttons)

    def accept(self) -> None:
        try:
            if self.product.isVisibleTo(self) and not self.product.text().strip():
                raise CatalogEditError("A product needs a title.")
            if not self.sku.text().strip() and not self.name.text().strip():
                raise CatalogEditError(
                    "Give the variant an SKU or a name (the SKU links it to Etsy)."
                )
            self.value = VariantInput(
                self.sku.text(),
                self.name.text(),
                parse_price(self.price.text()),
                parse_quantity(self.quantity.text()),
            )
        except CatalogEditError as exc:
            self.problem.setText(exc.message)
            return
        self.problem.setText("Saving…")
        self.buttons.setEnabled(False)
        self.submitted.emit()

    def saved(self) -> None:
        """The caller stored it: close."""
        super().accept()

    def failed(self, message: str) -> None:
        """The caller could not store it: say why and keep everything typed."""
        self.buttons.setEnabled(True)
        self.problem.setText(message)
