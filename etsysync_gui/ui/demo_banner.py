"""The band across the top of the demo window: "Demo shop: nothing is sent to Etsy".

Why it is always visible (not a dismissable notice): every number in the
window belongs to a generated shop, and a seller must never mistake it for
theirs.  Its button opens the setup wizard for a real shop
(``MainWindow.set_up_own_shop``).
"""

from __future__ import annotations

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QFrame, QHBoxLayout, QLabel, QPushButton, QWidget

DEMO_BANNER_TEXT = "Demo shop: nothing is sent to Etsy"
SETUP_BUTTON_TEXT = "Set up your own shop…"


class DemoBanner(QFrame):
    setup_requested = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("demoBanner")
        self.setFrameShape(QFrame.Shape.StyledPanel)
        self.setStyleSheet(
            "#demoBanner { background: #fff4ce; border: 1px solid #e0c36a; }"
            "#demoBanner QLabel { color: #4a3b00; font-weight: bold; }"
        )
        self.label = QLabel(DEMO_BANNER_TEXT)
        self.label.setToolTip(
            "A generated shop served by EtsySync itself; simulated buyers buy now and then."
        )
        self.setup_button = QPushButton(SETUP_BUTTON_TEXT)
        self.setup_button.clicked.connect(lambda _checked=False: self.setup_requested.emit())
        layout = QHBoxLayout(self)
        layout.setContentsMargins(10, 4, 10, 4)
        layout.addWidget(self.label, 1)
        layout.addWidget(self.setup_button)
