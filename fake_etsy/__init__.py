"""A spec-faithful fake of Etsy's Open API v3, served over real HTTP on localhost.

Why: Etsy has no sandbox. The app's tests, its demo mode and the benchmarks drive this
fake instead: the same paths, shapes, auth rules, rate limits and failure modes as
Etsy documents them (https://developers.etsy.com/documentation/), with hooks to play the
buyer, the seller and an unreliable network. Standard library only, because it ships inside the app.
"""

from __future__ import annotations

from fake_etsy.app import RequestObserver, ResponseObserver
from fake_etsy.browser import ConsentError, browser_consent
from fake_etsy.clock import Clock, ManualClock, system_clock
from fake_etsy.errors import ApiError
from fake_etsy.faults import FaultInjector, FaultKind
from fake_etsy.oauth import KNOWN_SCOPES, s256
from fake_etsy.routing import OPERATIONS, Operation
from fake_etsy.server import (
    DEFAULT_KEYSTRING,
    DEFAULT_REDIRECT_URIS,
    DEFAULT_SCOPES,
    DEFAULT_SHARED_SECRET,
    FakeEtsyServer,
)
from fake_etsy.stats import StatsSnapshot

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
