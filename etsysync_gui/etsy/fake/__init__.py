"""A spec-faithful fake of Etsy's Open API v3, served over real HTTP on localhost.

Why: Etsy has no sandbox. The app's tests, its demo mode and the benchmarks drive this
fake instead: the same paths, shapes, auth rules, rate limits and failure modes as
documented in /work/shared/etsy/FACTS.md, with hooks to play the buyer, the seller and
an unreliable network. Standard library only, because it ships inside the app.
"""

from __future__ import annotations

from etsysync_gui.etsy.fake.app import RequestObserver, ResponseObserver
from etsysync_gui.etsy.fake.browser import ConsentError, browser_consent
from etsysync_gui.etsy.fake.clock import Clock, ManualClock, system_clock
from etsysync_gui.etsy.fake.errors import ApiError
from etsysync_gui.etsy.fake.faults import FaultInjector, FaultKind
from etsysync_gui.etsy.fake.oauth import KNOWN_SCOPES, s256
from etsysync_gui.etsy.fake.routing import OPERATIONS, Operation
from etsysync_gui.etsy.fake.server import (
    DEFAULT_KEYSTRING,
    DEFAULT_REDIRECT_URIS,
    DEFAULT_SCOPES,
    DEFAULT_SHARED_SECRET,
    FakeEtsyServer,
)
from etsysync_gui.etsy.fake.stats import StatsSnapshot

__all__ = [
    "DEFAULT_KEYSTRING",
    "DEFAULT_REDIRECT_URIS",
    "DEFAULT_SCOPES",
    "DEFAULT_SHARED_SECRET",
    "KNOWN_SCOPES",
    "OPERATIONS",
    "ApiError",
    "Clock",
    "ConsentError",
    "FakeEtsyServer",
    "FaultInjector",
    "FaultKind",
    "ManualClock",
    "Operation",
    "RequestObserver",
    "ResponseObserver",
    "StatsSnapshot",
    "browser_consent",
    "s256",
    "system_clock",
]
