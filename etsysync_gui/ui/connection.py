"""What the app knows about its link to Etsy, in the words the dashboard and the tray use.

Apart from the controller so the views can name it without the controller's
weight, and so the rule turning a failed check into words lives in one place.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from etsysync_gui.scheduling.requests import describe_error
from etsysync_gui.ui.plain_errors import plain_error


@dataclass(frozen=True, slots=True)
class Connection:
    """What the dashboard says about Etsy: ``state`` is one of the words below."""

    state: str  # checking, connected, needs_user, error, not_configured
    shop_name: str | None = None
    shop_url: str | None = None
    message: str | None = None
    token_expires_at: datetime | None = None
    detail: str | None = None
    """The technical text behind ``message`` (shown on request, never in the main text)."""


def failed_connection(exc: object) -> Connection:
    """What the dashboard says when the connection check raised ``exc``."""
    if not isinstance(exc, BaseException):
        plain = plain_error(str(exc))
        return Connection("error", message=plain.text, detail=plain.detail)
    _title, message, needs_user = describe_error(exc)
    plain = plain_error(message, needs_user=needs_user)
    state = "needs_user" if needs_user else "error"
    return Connection(state, message=plain.text, detail=plain.detail)
