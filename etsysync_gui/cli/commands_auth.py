"""``etsysync auth login|status|logout``, ``etsysync validate`` and ``etsysync health``.

The terminal face of ``connection``: the same service calls the setup wizard
makes (``connect_account``, ``client_from_settings``, ``credential_store``),
so the CLI and the GUI connect, store and check credentials identically.
Nothing here prints a secret: the keystring and the shared secret are never
echoed, tokens appear only as their expiry.

Exit codes follow ``errors``: 4 whenever the user must act (no credentials,
keychain locked, token revoked: "Reconnect to Etsy"), 2 for missing input
without a terminal to ask, 1 when a check failed for another reason.
"""

from __future__ import annotations

import argparse
import getpass
import json
import sys
import time
import webbrowser
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import select

from etsysync_gui.bootstrap import open_database, start
from etsysync_gui.cli import args_auth
from etsysync_gui.config import Settings
from etsysync_gui.credentials import Credentials, CredentialStore
from etsysync_gui.credentials.errors import KeychainError
from etsysync_gui.db.models import EtsySyncConfig
from etsysync_gui.db.urls import mask_url
from etsysync_gui.errors import EXIT_NEEDS_USER, EXIT_PARTIAL, EtsySyncError
from etsysync_gui.etsy.errors import EtsyError
from etsysync_gui.etsy_account import (
    ETSY_APPS_URL,
    NotConnectedError,
    client_from_settings,
    connect_account,
    credential_store,
    redirect_uri_to_register,
)
from etsysync_gui.redaction import register_secret

# -- auth login -------------------------------------------------------------------------


def _ask(prompt: str, *, secret: bool, what: str, how: str) -> str:
    if not sys.stdin.isatty():
        raise EtsySyncError(f"No {what} given, and no terminal to ask for it: {how}.")
    answer = (getpass.getpass(prompt) if secret else input(prompt)).strip()
    if not answer:
        raise EtsySyncError(f"No {what} entered; nothing was changed.")
    return answer


def _app_key(settings: Settings, stored: Credentials | None) -> tuple[str, str]:
    keystring = settings.profile.keystring or (stored.keystring if stored else None)
    if not keystring:
        keystring = _ask(
            "Etsy app keystring: ",
            secret=False,
            what="Etsy app keystring",
            how="set ETSY_API_KEY or run 'etsysync config set keystring KEYSTRING'",
        )
    shared_secret = settings.secrets.api_secret or (stored.shared_secret if stored else None)
    if not shared_secret:
        shared_secret = _ask(
            "Etsy shared secret (not shown): ",
            secret=True,
            what="Etsy shared secret",
            how="set ETSY_API_SECRET in the environment, or run this in a terminal",
        )
        register_secret(shared_secret)
    return keystring, shared_secret


def _no_browser(url: str) -> bool:
    return False


def login(args: argparse.Namespace) -> int:
    context = start(args.profile, with_database=False)
    settings = context.settings
    store = credential_store(settings)
    keystring, shared_secret = _app_key(settings, store.load())
    redirect = redirect_uri_to_register(settings.profile)
    print(f"Redirect URL (register it exactly like this on {ETSY_APPS_URL}): {redirect}")

    def show(url: str) -> None:
        print("Open this address in a browser to connect EtsySync to your Etsy shop:")
        print(f"  {url}")
        print("Waiting for Etsy's answer (Ctrl+C to cancel)...", flush=True)

    result = connect_account(
        settings,
        keystring,
        shared_secret,
        store=store,
        open_browser=_no_browser if args.no_browser else webbrowser.open,
        on_url=show,
        timeout=args.timeout,
    )
    print(
        f"Connected to Etsy: shop {result.shop_name or '(name unknown)'} (id {result.shop_id}), "
        f"user {result.user_id}."
    )
    print(f"Credentials saved in {store.backend_name()}.")
    print(f"shop_id {result.shop_id} saved to profile {settings.profile.name}.")
    return 0


# -- auth status / logout -----------------------------------------------------------------


def _expiry(expires_at: float | None, now: float) -> str:
    if not expires_at:
        return "unknown"
    when = datetime.fromtimestamp(expires_at, UTC).isoformat(timespec="seconds")
    minutes = round((expires_at - now) / 60)
    state = f"in {minutes} min" if minutes >= 0 else f"expired {-minutes} min ago"
    return f"{when} ({state}; renewed automatically while the connection is valid)"


def status(args: argparse.Namespace) -> int:
    context = start(args.profile, with_database=False)
    settings = context.settings
    store = credential_store(settings)
    env = settings.secrets
    stored, keychain = _stored_or_env(settings, store)
    report: dict[str, Any] = {
        "profile": settings.profile.name,
        "keychain": keychain,
        "connected": bool(stored and stored.connected) or bool(env.access_token),
        "tokens_from": "environment" if env.access_token else ("keychain" if stored else None),
        "user_id": stored.user_id if stored else None,
        "shop_id": settings.profile.shop_id or (stored.shop_id if stored else None),
        "access_token_expires": _expiry(stored.expires_at, time.time()) if stored else None,
        "scopes": list(stored.scopes) if stored else [],
    }
    if args.json:
        print(json.dumps(report, indent=2))
    else:
        print(f"Profile:       {report['profile']}")
        print(f"Keychain:      {report['keychain']}")
        if not report["connected"]:
            print("Etsy:          not connected (run 'etsysync auth login')")
        else:
            print(f"Tokens from:   {report['tokens_from']}")
            print(f"Etsy user:     {report['user_id'] or 'unknown'}")
            print(f"Shop:          {report['shop_id'] or 'unknown'}")
            print(f"Access token:  expires {report['access_token_expires'] or 'unknown'}")
            print(f"Scopes:        {' '.join(report['scopes']) or 'unknown'}")
    return 0 if report["connected"] else EXIT_NEEDS_USER


def _stored_or_env(settings: Settings, store: CredentialStore) -> tuple[Credentials | None, str]:
    """Saved credentials and where they live; a missing keychain is fine when the
    environment holds every secret (the server recipe), as ``health`` also says."""
    env = settings.secrets
    try:
        return store.load(), store.backend_name()
    except KeychainError as error:
        if env.api_secret and env.access_token and env.refresh_token:
            return (
                None,
                f"unavailable, not needed (credentials from the environment): {error.title}",
            )
        raise


def logout(args: argparse.Namespace) -> int:
    context = start(args.profile, with_database=False)
    settings = context.settings
    store = credential_store(settings)
    if store.delete():
        print(
            f"Removed the Etsy credentials of profile {settings.profile.name} from "
            f"{store.backend_name()}."
        )
    else:
        print(
            f"No Etsy credentials were saved for profile {settings.profile.name} in "
            f"{store.backend_name()}."
        )
    if settings.secrets.access_token or settings.secrets.api_secret:
        print(
            "Note: Etsy secrets are still set in the environment (ETSY_API_SECRET, "
            "ETSY_ACCESS_TOKEN, ETSY_REFRESH_TOKEN); remove them there too."
        )
    return 0


# -- validate ---------------------------------------------------------------------------------


def validate(args: argparse.Namespace) -> int:
    """Key, token and shop, in that order; stops at the first failure (its exit code)."""
    context = start(args.profile, with_database=False)
    profile = context.settings.profile
    with client_from_settings(context.settings) as client:
        print(f"API key:  ok (application {client.ping()})")
        me = client.get_me()
        print(f"Token:    ok (Etsy user {me.user_id})")
        shop_id = profile.shop_id or me.shop_id
        if shop_id is None:
            raise NotConnectedError(
                "The connected Etsy account has no shop. Reconnect to Etsy as the shop owner."
            )
        if me.shop_id is not None and shop_id != me.shop_id:
            raise NotConnectedError(
                f"Profile {profile.name} is set to shop {shop_id}, but the connected Etsy "
                f"account owns shop {me.shop_id}. Reconnect to Etsy with the right account, "
                "or change shop_id."
            )
        shop = client.get_shop(shop_id)
        print(
            f"Shop:     ok ({shop.shop_name}, id {shop.shop_id}, "
            f"{shop.listing_active_count} active listings)"
        )
    return 0


# -- health -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Check:
    """One line of ``etsysync health``; ``exit_code`` is 0 for ok and warnings."""

    name: str
    status: str  # "ok", "warning" or "failed"
    detail: str
    exit_code: int = 0


def _failed(name: str, error: EtsySyncError) -> Check:
    return Check(name, "failed", error.message, error.exit_code)


def _check_keychain(settings: Settings, store: CredentialStore) -> tuple[Check, Credentials | None]:
    env = settings.secrets
    try:
        stored = store.load()
    except EtsySyncError as error:
        if env.api_secret and env.access_token and env.refresh_token:
            return Check(
                "keychain",
                "warning",
                f"{error.message} (not needed: the credentials come from the environment)",
            ), None
        return _failed("keychain", error), None
    saved = "Etsy credentials saved" if stored else "no Etsy credentials saved"
    return Check("keychain", "ok", f"{store.backend_name()}: {saved}"), stored


def _check_token(settings: Settings, store: CredentialStore) -> tuple[Check, int | None]:
    try:
        with client_from_settings(settings, store=store) as client:
            me = client.get_me()
    except EtsyError as error:
        code = error.exit_code if error.needs_user else EXIT_PARTIAL
        return Check("token", "failed", error.message, code), None
    except EtsySyncError as error:
        return _failed("token", error), None
    return Check("token", "ok", f"valid or renewed (Etsy user {me.user_id})"), me.shop_id


def _check_database(settings: Settings, shop_id: int | None) -> list[Check]:
    try:
        database, _ = open_database(settings)
    except EtsySyncError as error:
        return [_failed("database", error)]
    try:
        with database.session() as session:
            query = select(EtsySyncConfig).order_by(EtsySyncConfig.shop_id)
            if shop_id is not None:
                query = query.where(EtsySyncConfig.shop_id == shop_id)
            row = session.scalars(query.limit(1)).first()
            checks = [Check("database", "ok", mask_url(database.url))]
            if row is None:
                checks.append(Check("api budget", "warning", "unknown (no sync recorded yet)"))
                checks.append(Check("last sync", "warning", "never"))
                return checks
            remaining = row.rate_limit_remaining
            budget = "unknown" if remaining is None else f"{remaining} requests left today"
            checks.append(Check("api budget", "ok" if remaining != 0 else "warning", budget))
            last = max(
                (t for t in (row.last_product_sync, row.last_inventory_sync) if t is not None),
                default=None,
            )
            when = last.isoformat(timespec="seconds") if last else "never"
            detail = f"shop {row.shop_id}: {row.sync_status}, last {when}"
            if row.sync_error:
                detail += f"; error: {row.sync_error}"
            checks.append(
                Check("last sync", "warning" if row.sync_status == "error" else "ok", detail)
            )
            return checks
    except Exception as exc:  # a broken schema or a dropped connection: report, go on
        return [Check("database", "failed", f"cannot read sync state ({type(exc).__name__})", 1)]
    finally:
        database.dispose()


def health(args: argparse.Namespace) -> int:
    context = start(args.profile, with_database=False)
    settings = context.settings
    store = credential_store(settings)
    keychain, stored = _check_keychain(settings, store)
    token, me_shop = _check_token(settings, store)
    shop_id = settings.profile.shop_id or (stored.shop_id if stored else None) or me_shop
    database, *sync_state = _check_database(settings, shop_id)
    checks = [database, keychain, token, *sync_state]
    codes = [c.exit_code for c in checks if c.status == "failed"]
    code = EXIT_NEEDS_USER if EXIT_NEEDS_USER in codes else max(codes, default=0)
    if args.json:
        report = {
            "profile": settings.profile.name,
            "ok": code == 0,
            "exit_code": code,
            "checks": [asdict(c) for c in checks],
        }
        print(json.dumps(report, indent=2))
    else:
        for check in checks:
            print(f"{check.name + ':':<12} {check.status:<8} {check.detail}")
    return code


# -- registration -------------------------------------------------------------------------------


def register(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add ``auth``, ``validate`` and ``health`` to the ``etsysync`` parser (see ``args_auth``)."""
    args_auth.register(commands)
