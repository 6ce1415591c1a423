"""Errors as the seller reads them: a sentence, a next step, and the detail kept apart.

Why here and not in the error classes: the engine's messages are written for
the log and the command line, where "Cannot reach Etsy (ConnectError: [Errno
111] …)" is exactly what an administrator wants.  The window shows a sentence
with what to do next; the technical text stays one click away ("Details"),
so nothing is lost for a bug report.  No Qt here: plain strings in and out.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from etsysync_gui.scheduling.requests import SyncOutcome

INTERNAL_MARKERS = (
    "Error [Errno",
    "Errno",
    "invalid_grant",
    "postgresql+",
    "psycopg",
    "sqlite3.",
    "Traceback",
    "Exception",
)
_PARENTHESISED_DETAIL = re.compile(r"\s*\((?:[A-Za-z]+Error|[A-Za-z]+Timeout)[^)]*\)")


@dataclass(frozen=True, slots=True)
class PlainError:
    sentence: str
    next_step: str
    detail: str

    @property
    def text(self) -> str:
        """The main text: the sentence and the next step, never the detail."""
        return f"{self.sentence} {self.next_step}".strip()


def _is_network(message: str) -> bool:
    lowered = message.lower()
    return "cannot reach etsy" in lowered or "connecterror" in lowered or "timeout" in lowered


def _is_auth(message: str) -> bool:
    lowered = message.lower()
    return any(
        word in lowered
        for word in ("invalid_grant", "reconnect", "revoked", "expired", "invalid token")
    )


def _is_database(message: str) -> bool:
    lowered = message.lower()
    return any(w in lowered for w in ("postgresql", "psycopg", "sqlite", "database"))


def plain_error(message: str, *, needs_user: bool = False) -> PlainError:
    """The seller's version of ``message`` (an engine or exception text)."""
    detail = message.strip()
    if _is_network(detail):
        return PlainError(
            "EtsySync cannot reach Etsy right now.",
            "Check the internet connection; EtsySync tries again at the next scheduled sync.",
            detail,
        )
    internal = any(m in detail for m in INTERNAL_MARKERS)
    if (needs_user or _is_auth(detail)) and (internal or not detail):
        return PlainError(
            "Etsy no longer accepts EtsySync's connection to your shop.",
            "Choose Reconnect to Etsy… and approve EtsySync again.",
            detail,
        )
    if needs_user:  # the engine's words are written for the seller (errors.py); keep them
        step = "" if "reconnect" in detail.lower() else "Choose Reconnect to Etsy…"
        return PlainError(_PARENTHESISED_DETAIL.sub("", detail).strip(), step, detail)
    if _is_database(detail) and internal:
        return PlainError(
            "EtsySync cannot open its database.",
            "Check that the database server is running, or choose another database in "
            "Settings; then start EtsySync again.",
            detail,
        )
    cleaned = _PARENTHESISED_DETAIL.sub("", detail).strip()
    if not cleaned or any(m in cleaned for m in INTERNAL_MARKERS):
        return PlainError(
            "Something went wrong that EtsySync did not expect.",
            "Try again; if it keeps happening, send the log file (Help → Open log folder).",
            detail,
        )
    return PlainError(cleaned, "", detail)


def is_unreachable(message: str | None) -> bool:
    """The last call never reached Etsy (no network, DNS, refused, timed out)."""
    return message is not None and _is_network(message)


def outcome_text(outcome: SyncOutcome) -> tuple[str, str | None]:
    """``(main text, technical detail)`` for a finished request."""
    if outcome.error is None or outcome.already_running:
        return outcome.summary, None
    plain = plain_error(outcome.error, needs_user=outcome.needs_user)
    return f"{outcome.request.title} failed. {plain.text}", plain.detail


def problem_text(prefix: str, exc: object) -> str:
    """``"Could not load the stock: <sentence and next step>"`` for a failed job."""
    return f"{prefix}: {plain_error(str(exc)).text}"
