"""Noticing that another process rotated the refresh token we just sent.

Why: Etsy refresh tokens rotate, and the lock in ``TokenManager`` only spans
one process.  The app, its scheduler and a cron ``etsysync sync`` share one
keychain item; when two renew at the same moment, Etsy accepts the first and
answers ``invalid_grant`` to the second, whose token the first just burned.
Reporting that as "reconnect to Etsy" paused background sync for nothing.

So on ``invalid_grant`` the manager re-reads the stored tokens: a stored
refresh token other than the one it sent means someone rotated it, and those
tokens are the ones to use.  The winner saves its tokens right after Etsy
answers it, which can be a moment AFTER the loser's ``invalid_grant``, so the
re-read is repeated a few times over about a second before the token is taken
as truly revoked (a cost paid only on a real revocation).
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from etsysync_gui.etsy.oauth.tokens import TokenSet

log = logging.getLogger(__name__)

RELOAD_ATTEMPTS = 6
RELOAD_WAIT_S = 0.2
TokenReload = Callable[[], "TokenSet | None"]


def rotated_elsewhere(
    reload: TokenReload | None, used: str, sleep: Callable[[float], None]
) -> TokenSet | None:
    """The stored tokens if another process rotated ``used``, else None."""
    if reload is None:
        return None
    for attempt in range(RELOAD_ATTEMPTS):
        if attempt:
            sleep(RELOAD_WAIT_S)
        try:
            stored = reload()
        except Exception as exc:  # a keychain hiccup must not hide the real answer
            log.warning("Could not re-read the stored Etsy tokens: %s", type(exc).__name__)
            return None
        if stored is not None and stored.refresh_token != used:
            return stored
    return None
