"""Run inside a throwaway D-Bus session with an unlocked GNOME Keyring (see the test).

Stores, reads, rotates and deletes credentials through ``CredentialStore`` on
keyring's real SecretService backend, checking each step and the raw item in
the Secret Service collection.  Prints ``ALL STEPS OK`` at the end; any failed
check exits non-zero with the step that failed.
"""

from __future__ import annotations

import json
from contextlib import closing

import secretstorage
from keyring.backends import SecretService

from etsysync_gui.credentials import Credentials, CredentialStore
from etsysync_gui.etsy.oauth.tokens import TokenSet

PROFILE = "ci-real"
QUERY = {"service": "etsysync", "username": f"profile:{PROFILE}"}


def step(name: str, ok: bool) -> None:
    if not ok:
        raise SystemExit(f"FAILED: {name}")
    print(f"ok: {name}", flush=True)


def items_in_collection() -> list[dict[str, str]]:
    with closing(secretstorage.dbus_init()) as bus:
        collection = secretstorage.get_default_collection(bus)
        return [dict(item.get_attributes()) for item in collection.search_items(QUERY)]


def main() -> None:
    backend = SecretService.Keyring()
    store = CredentialStore(PROFILE, keyring_backend=backend)
    step("backend is the Secret Service", "SecretService" in store.backend_name())
    step("nothing stored at first", store.load() is None)

    credentials = Credentials(
        keystring="realkeystring01",
        shared_secret="real-shared-secret-value",
        access_token="712345678.first-access-token-aaaaaaaaaaaaaaaa",
        refresh_token="712345678.first-refresh-token-bbbbbbbbbbbbbbb",
        expires_at=1_900_000_000.0,
        scopes=("listings_r", "listings_w", "shops_r"),
        user_id=712345678,
        shop_id=41234567,
    )
    store.save(credentials)
    step("read back what was stored", store.load() == credentials)
    fresh = CredentialStore(PROFILE, keyring_backend=SecretService.Keyring())
    step("a second store object sees it", fresh.load() == credentials)
    raw = backend.get_password("etsysync", f"profile:{PROFILE}")
    step(
        "one JSON item holds everything", raw is not None and json.loads(raw)["shop_id"] == 41234567
    )
    step("exactly one item in the collection", len(items_in_collection()) == 1)

    rotated = TokenSet(
        "712345678.second-access-token-cccccccccccccccc",
        "712345678.second-refresh-token-ddddddddddddddd",
        1_900_003_600.0,
    )
    updated = store.update_tokens(rotated)
    loaded = fresh.load()
    step("rotation stored", loaded is not None and loaded.tokens == rotated and loaded == updated)
    step(
        "rotation kept the app key and shop",
        loaded is not None
        and loaded.shared_secret == credentials.shared_secret
        and loaded.shop_id == credentials.shop_id,
    )
    step("still exactly one item after rotation", len(items_in_collection()) == 1)

    default_store = CredentialStore("ci-default")  # keyring's own choice in this session
    step(
        "keyring picks the Secret Service by itself",
        "SecretService" in default_store.backend_name(),
    )

    step("delete reports the removal", store.delete() is True)
    step("nothing left", store.load() is None and items_in_collection() == [])
    step("a second delete finds nothing", store.delete() is False)
    print("ALL STEPS OK", flush=True)


if __name__ == "__main__":
    main()
