"""A server without a keychain, as the README's recipe runs it: credentials from the environment.

``auth status`` used to exit 4 there while ``health`` said the keychain was not
needed; both now report the environment as the source.
"""

from __future__ import annotations

import json

from tests.cli.helpers import run_cli

ENV = {
    "PYTHON_KEYRING_BACKEND": "keyring.backends.fail.Keyring",
    "ETSY_API_KEY": "abcdefghijkl",
    "ETSY_API_SECRET": "secret-value-1",
    "ETSY_ACCESS_TOKEN": "12345.access-token-from-env",
    "ETSY_REFRESH_TOKEN": "12345.refresh-token-from-env",
}


def test_status_reports_environment_credentials_without_a_keychain() -> None:
    result = run_cli("auth", "status", "--json", env=ENV)
    assert result.code == 0, result.stderr
    report = json.loads(result.stdout)
    assert report["connected"]
    assert report["tokens_from"] == "environment"
    assert "not needed (credentials from the environment)" in report["keychain"]
    text = run_cli("auth", "status", env=ENV)
    assert text.code == 0
    assert "Tokens from:   environment" in text.stdout
    assert "access-token-from-env" not in text.stdout + text.stderr


def test_without_environment_tokens_a_missing_keychain_still_needs_the_user() -> None:
    env = {k: v for k, v in ENV.items() if "TOKEN" not in k}
    result = run_cli("auth", "status", env=env)
    assert result.code == 4
    assert "ETSYSYNC_CREDENTIALS_FILE=1" in result.stderr
