"""Opening the setup wizard, when the colleague's ``ui/wizard`` package offers it.

Why a guard: the wizard is built separately; until it exposes
``run_setup_wizard``, the app must start and the demo's "Set up your own
shop…" button must still tell the seller what to do (``SETUP_BY_HAND``).

The wizard's function is called with the keyword arguments it declares among
``parent`` and ``profile`` (so either signature works), and its answer is
read by duck typing (``connected``, ``demo_requested``, ``profile``,
``run_first_sync``), as the wizard's ``WizardOutcome`` has them.
"""

from __future__ import annotations

import importlib
import inspect
import logging
from collections.abc import Callable
from dataclasses import dataclass

from PySide6.QtWidgets import QWidget

log = logging.getLogger(__name__)

WIZARD_MODULE = "etsysync_gui.ui.wizard"
WIZARD_FUNCTION = "run_setup_wizard"
SETUP_BY_HAND = (
    "To sync your own Etsy shop, connect it from a terminal:\n\n"
    "    etsysync auth login\n\n"
    "It asks for your Etsy app's keystring and shared secret (from "
    "etsy.com/developers/your-apps) and opens Etsy in your browser to connect. "
    "Then quit the demo and start EtsySync again: it opens your shop. "
    "The demo stays available with 'etsysync-gui --demo'."
)


@dataclass(frozen=True)
class SetupResult:
    """How the wizard ended, in the words the start-up needs."""

    connected: bool = False
    demo_requested: bool = False
    profile: str | None = None
    run_first_sync: bool = False


def find_setup_wizard() -> Callable[..., object] | None:
    """``ui.wizard.run_setup_wizard``, or ``None`` while there is no such function."""
    try:
        module = importlib.import_module(WIZARD_MODULE)
    except ImportError:
        return None
    function = getattr(module, WIZARD_FUNCTION, None)
    return function if callable(function) else None


def run_setup(
    parent: QWidget | None, profile: str | None, wizard: Callable[..., object] | None = None
) -> SetupResult | None:
    """Run the wizard (modal) and report how it ended; ``None`` when there is no wizard."""
    wizard = wizard or find_setup_wizard()
    if wizard is None:
        return None
    offered = {"parent": parent, "profile": profile}
    try:
        names = set(inspect.signature(wizard).parameters)
    except (TypeError, ValueError):  # a builtin or C function: call it without arguments
        names = set()
    outcome = wizard(**{name: value for name, value in offered.items() if name in names})
    return SetupResult(
        connected=bool(getattr(outcome, "connected", False)),
        demo_requested=bool(getattr(outcome, "demo_requested", False)),
        profile=getattr(outcome, "profile", None) or profile,
        run_first_sync=bool(getattr(outcome, "run_first_sync", False)),
    )
