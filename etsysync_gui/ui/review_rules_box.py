"""Settings' "Background syncs" group: Autopilot or Drafts, and when a plan waits for review.

Why a widget of its own: the write mode and the unusual-plan rules
(``sync.inventory.hold``) belong together, and more rules will come (each is
one row built by ``_rule``); the Settings dialog only asks this box for its
changes and for the first problem in what was typed.  The words are the
wizard's (``WRITE_MODE_LABELS``), never the stored values.
"""

from __future__ import annotations

from dataclasses import dataclass

from PySide6.QtWidgets import QComboBox, QFormLayout, QGroupBox, QLabel, QSpinBox, QWidget

from etsysync_gui.config import Profile
from etsysync_gui.policies import WriteMode
from etsysync_gui.ui.wizard.model import WRITE_MODE_LABELS


@dataclass(frozen=True, slots=True)
class Rule:
    """One threshold: the profile key it is stored under, and how the seller names it."""

    key: str
    label: str
    low: int
    high: int
    suffix: str
    what: str
    """The words of the message when the box holds no usable number."""


RULES = (
    Rule(
        "review_drop_percent",
        "Wait for me when a stock would drop by more than:",
        1,
        100,
        " %",
        "the share of a stock that may drop (1 to 100 %)",
    ),
    Rule(
        "review_max_listings",
        "Wait for me when a sync would write more than:",
        1,
        1_000_000,
        " listings",
        "how many listings a sync may write (at least 1)",
    ),
)


class ReviewRulesBox(QGroupBox):
    """The write mode and the unusual-plan thresholds, for one profile."""

    def __init__(self, profile: Profile, parent: QWidget | None = None) -> None:
        super().__init__("Background syncs", parent)
        self.profile = profile
        self.mode = QComboBox()
        for mode in WriteMode:
            self.mode.addItem(WRITE_MODE_LABELS[mode], mode.value)
        self.mode.setCurrentIndex(max(0, self.mode.findData(profile.write_mode.value)))
        form = QFormLayout(self)
        form.addRow("Autopilot or drafts:", self.mode)
        explain = QLabel(
            "Even on autopilot, an unusual plan waits for you in Needs you instead of being "
            "written. Syncs you start yourself are always shown to you first."
        )
        explain.setWordWrap(True)
        form.addRow(explain)
        self.rules: dict[str, QSpinBox] = {}
        for rule in RULES:
            box = QSpinBox()
            box.setRange(rule.low, rule.high)
            box.setSuffix(rule.suffix)
            box.setValue(int(getattr(profile, rule.key)))
            self.rules[rule.key] = box
            form.addRow(rule.label, box)
        self.mode.currentIndexChanged.connect(self._mode_changed)
        self._mode_changed()

    def _mode_changed(self) -> None:
        """In drafts mode every plan waits: the thresholds have nothing to decide."""
        drafts = self.mode.currentData() == WriteMode.DRAFTS.value
        for box in self.rules.values():
            box.setEnabled(not drafts)

    def problem(self) -> tuple[str, QWidget] | None:
        """The first box without a usable number, as a sentence, and the box to focus."""
        for rule in RULES:
            box = self.rules[rule.key]
            if not box.hasAcceptableInput():
                return f"Type {rule.what}, then save again.", box
        return None

    def changes(self) -> dict[str, str]:
        """``key → text`` for what differs from the profile."""
        wanted = {"write_mode": str(self.mode.currentData())}
        current = {"write_mode": self.profile.write_mode.value}
        for rule in RULES:
            wanted[rule.key] = str(self.rules[rule.key].value())
            current[rule.key] = str(getattr(self.profile, rule.key))
        return {key: value for key, value in wanted.items() if value != current[key]}
