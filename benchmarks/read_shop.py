"""Benchmark: read a whole shop, every listing with its inventory, at Etsy's rate limit.

Starts the fake Etsy server (real HTTP on loopback) with a per-second limit and
per-request latency like Etsy's, then reads every listing in every state with
``includes=Inventory`` through ``EtsyClient``.  Prints the calls made, the
seconds taken, and the ratio of the seconds to (calls ÷ limit): 1.0 means the
read ran exactly at the rate limit; a sequential client at 250 ms latency
would score about 2.5 at 10/s.

The expected number of calls is the sum over non-empty states of
ceil(listings in state ÷ 100); the client may spend at most one more.

A second pass (``--faults``) injects 429 bursts and 5xx errors and checks that
the read still returns every listing exactly once and that no 429 reached
the caller.

    .venv/bin/python benchmarks/read_shop.py [--listings 5000] [--qps 10] [--latency-ms 250]
"""

from __future__ import annotations

import argparse
import math
import sys
import time
from collections import Counter

from etsysync_gui.etsy.client import EtsyClient
from etsysync_gui.etsy.errors import RateLimitedError
from etsysync_gui.etsy.models import LISTING_STATES, Listing
from etsysync_gui.etsy.oauth.tokens import TokenSet
from fake_etsy import FakeEtsyServer


def _client(etsy: FakeEtsyServer) -> EtsyClient:
    """A connected client; its limiter starts at Etsy's defaults and learns the headers."""
    access, refresh, expires_in = etsy.issue_tokens()
    keystring = etsy.keystring
    probe = EtsyClient(keystring, etsy.shared_secret, base_url=etsy.base_url)
    manager = probe.make_token_manager(
        TokenSet(access, refresh, time.time() + expires_in), persist=lambda _t: None
    )
    probe.close()
    return EtsyClient(
        keystring,
        etsy.shared_secret,
        base_url=etsy.base_url,
        token_manager=manager,
    )


def _expected_calls(etsy: FakeEtsyServer) -> tuple[int, dict[str, int]]:
    per_state = {state: len(etsy.listing_ids(state)) for state in LISTING_STATES}
    return sum(math.ceil(n / 100) for n in per_state.values() if n), per_state


def _read(etsy: FakeEtsyServer) -> tuple[list[Listing], float, int]:
    client = _client(etsy)
    etsy.reset_stats()
    started = time.perf_counter()
    try:
        listings = client.get_listings_by_shop(etsy.shop_id, include_inventory=True)
    finally:
        client.close()
    return listings, time.perf_counter() - started, etsy.stats.total_requests


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--listings", type=int, default=5000)
    parser.add_argument("--qps", type=float, default=10.0)
    parser.add_argument("--latency-ms", type=float, default=250.0)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--no-faults", action="store_true", help="skip the fault pass")
    args = parser.parse_args(argv)

    with FakeEtsyServer(
        listings=args.listings,
        seed=args.seed,
        qps=args.qps,
        qpd=None,
        latency_ms=args.latency_ms,
    ) as etsy:
        expected, per_state = _expected_calls(etsy)
        listings, seconds, calls = _read(etsy)
        ideal = calls / args.qps
        ids = Counter(listing.listing_id for listing in listings)
        print(f"shop: {args.listings} listings {per_state}")
        print(f"rate limit {args.qps:g}/s, latency {args.latency_ms:g} ms")
        print(f"calls: {calls} (expected {expected}, at most {expected + 1})")
        print(f"seconds: {seconds:.2f}")
        print(f"ratio seconds / (calls / qps): {seconds / ideal:.3f}")
        print(f"listings read: {len(listings)}, duplicates: {sum(c - 1 for c in ids.values())}")
        print(f"429 responses sent by the server: {etsy.stats.rate_limited}")
        ok = (
            len(ids) == args.listings
            and calls <= expected + 1
            and seconds / ideal <= 1.2
            and all(listing.inventory is not None for listing in listings)
        )

        if not args.no_faults:
            etsy.faults.rate_limit_next(5, retry_after=1)
            etsy.faults.fault_rate = 0.10
            try:
                faulty, seconds, calls = _read(etsy)
            except RateLimitedError as exc:  # must not happen: retries absorb the bursts
                print(f"fault pass: a 429 reached the caller: {exc}")
                return 1
            finally:
                etsy.faults.fault_rate = 0.0
            faulty_ids = Counter(listing.listing_id for listing in faulty)
            exactly_once = set(faulty_ids) == set(ids) and max(faulty_ids.values()) == 1
            print(
                f"fault pass (5 x 429 + 10% 5xx): {calls} calls, {seconds:.2f} s, "
                f"{etsy.stats.faults_injected} faults injected, every listing exactly once: "
                f"{exactly_once}"
            )
            ok = ok and exactly_once
    print("OK" if ok else "TARGETS MISSED")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
