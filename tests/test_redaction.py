"""Every credential shape we know of is masked, wherever it sits in a log line."""

from __future__ import annotations

import io
import logging
import threading
import time
from collections.abc import Iterator

import pytest

from etsysync_gui.redaction import (
    MASK,
    RedactingFilter,
    RedactingFormatter,
    clear_registered_secrets,
    redact,
    register_secret,
)

TOKEN = "12345678.O1zLuwveeKjpIqCQFfmR-PaMMpBmagH6DljRAkK9qt05OtRKiANJOyZhn"
TOKEN_TAIL = TOKEN.split(".", 1)[1]


@pytest.fixture(autouse=True)
def _no_registered_secrets() -> Iterator[None]:
    clear_registered_secrets()
    yield
    clear_registered_secrets()


@pytest.mark.parametrize(
    ("text", "secret"),
    [
        (f"Authorization: Bearer {TOKEN}", TOKEN_TAIL),
        ("authorization: bearer opaque-token-value", "opaque-token-value"),
        (f"{{'Authorization': 'Bearer {TOKEN}', 'Accept': 'application/json'}}", TOKEN_TAIL),
        ("[(b'authorization', b'Bearer raw-bytes-token')]", "raw-bytes-token"),
        ("x-api-key: mykeystring:my-shared-secret", "my-shared-secret"),
        ("{'x-api-key': 'mykeystring:my-shared-secret'}", "my-shared-secret"),
        ("[(b'x-api-key', b'mykeystring:my-shared-secret')]", "my-shared-secret"),
        (f"token {TOKEN} expired", TOKEN_TAIL),
        ("GET /cb?code=AUTHCODE123&state=xyz", "AUTHCODE123"),
        ("grant_type=authorization_code&code_verifier=VERIFIER99&code=C0DE42", "VERIFIER99"),
        ("grant_type=authorization_code&code_verifier=VERIFIER99&code=C0DE42", "C0DE42"),
        ('{"access_token": "abc-access-1", "expires_in": 3600}', "abc-access-1"),
        ('{"refresh_token":"abc-refresh-1"}', "abc-refresh-1"),
        ('{"code": "json-code-1", "state": "s"}', "json-code-1"),
        ("client_secret=cs-secret-1&client_id=k", "cs-secret-1"),
        ("{'shared_secret': 'ss-secret-1'}", "ss-secret-1"),
        ("OAuthTokens(access_token='repr-access', refresh_token='repr-refresh')", "repr-access"),
        ("OAuthTokens(access_token='repr-access', refresh_token='repr-refresh')", "repr-refresh"),
        ('Creds(password="pw-in-repr")', "pw-in-repr"),
        ("password: prose-password", "prose-password"),
        ("dbname=shop user=etsy password=conninfo-pw host=db", "conninfo-pw"),
        ("postgresql+psycopg://etsy:db-pass-1@db.example.com:5432/shop", "db-pass-1"),
        ("postgresql://etsy:p@ss/w0rd@db.example.com/shop", "ss/w0rd"),
        ('{\\"access_token\\": \\"nested-json-token\\"}', "nested-json-token"),
        ("failed: refresh_token='cut-off-tok", "cut-off-tok"),
    ],
)
def test_pattern_is_masked(text: str, secret: str) -> None:
    result = redact(text)
    assert secret not in result
    assert MASK in result


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (f"Authorization: Bearer {TOKEN}", "Authorization: Bearer ***"),
        ("x-api-key: key:secret", "x-api-key: ***"),
        ("postgresql+psycopg://user:PASSWORD@host/db", "postgresql+psycopg://user:***@host/db"),
        (f"refreshed {TOKEN}", "refreshed 12345678.***"),
        ('{"access_token": "a-b-c"}', '{"access_token": "***"}'),
        ("?code=abc&state=xyz", "?code=***&state=xyz"),
        ("access_token='abc'", "access_token='***'"),
    ],
)
def test_mask_shape(text: str, expected: str) -> None:
    assert redact(text) == expected


@pytest.mark.parametrize(
    "text",
    [
        "Synced 42 listings in 3.5 s",
        "HTTP Request: GET https://openapi.etsy.com/v3/application/shops/123 200 OK",
        "status code: 429, error_code=5",
        "pi is 3.14159265358979323846264338",
        "https://host:8080/path?email=a@example.com",
        "Etsy refused the authorization, check the keystring",
        "",
    ],
)
def test_harmless_text_is_left_alone(text: str) -> None:
    assert redact(text) == text


def test_redact_is_idempotent() -> None:
    text = f"Authorization: Bearer {TOKEN} code=abc password='x' postgresql://u:p@h/d"
    once = redact(text)
    assert redact(once) == once


def test_registered_secret_is_masked_anywhere() -> None:
    register_secret("s3cr3t-shared-value")
    assert redact("weird place: xs3cr3t-shared-valuex") == "weird place: x***x"


def test_registered_secret_url_encoded_form_is_masked() -> None:
    register_secret("a+b/c=d&e")
    assert "a%2Bb%2Fc%3Dd%26e" not in redact("url?x=a%2Bb%2Fc%3Dd%26e")
    assert "a+b/c=d&e" not in redact("raw a+b/c=d&e")


def test_short_values_are_not_registered() -> None:
    register_secret("abc")
    register_secret("")
    assert redact("abc def") == "abc def"


def test_register_secret_is_thread_safe() -> None:
    values = [f"secret-value-{i:04d}" for i in range(200)]

    def register(chunk: list[str]) -> None:
        for value in chunk:
            register_secret(value)

    threads = [threading.Thread(target=register, args=(values[i::4],)) for i in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    text = " ".join(values)
    assert all(value not in redact(text) for value in values)


def _logger_with(handler: logging.Handler) -> logging.Logger:
    logger = logging.getLogger(f"etsysync_gui.test_redaction.{id(handler)}")
    logger.propagate = False
    logger.setLevel(logging.DEBUG)
    logger.addHandler(handler)
    return logger


def test_formatter_redacts_percent_args() -> None:
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(RedactingFormatter("%(message)s"))
    logger = _logger_with(handler)
    logger.info("headers=%s url=%s", {"Authorization": f"Bearer {TOKEN}"}, "/cb?code=ABC123")
    output = stream.getvalue()
    assert TOKEN_TAIL not in output
    assert "ABC123" not in output


def test_formatter_redacts_exception_message_and_traceback() -> None:
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(RedactingFormatter("%(message)s"))
    logger = _logger_with(handler)
    try:
        raise RuntimeError(f"token refresh failed: refresh_token='{TOKEN}'")
    except RuntimeError:
        logger.exception("refresh failed for %s", f"Bearer {TOKEN}")
    output = stream.getvalue()
    assert "Traceback" in output
    assert "RuntimeError" in output
    assert TOKEN_TAIL not in output


def test_formatter_redacts_stack_info() -> None:
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(RedactingFormatter("%(message)s"))
    logger = _logger_with(handler)
    # The stack shows this source line, comment included.
    logger.info("where am I", stack_info=True)  # Authorization: Bearer stack-line-token
    output = stream.getvalue()
    assert "Stack (most recent call last)" in output
    assert "Authorization: Bearer" in output
    assert "stack-line-token" not in output


def test_filter_redacts_record_for_any_formatter() -> None:
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(logging.Formatter("%(message)s"))  # a plain formatter
    handler.addFilter(RedactingFilter())
    logger = _logger_with(handler)
    register_secret("filter-secret-value")
    try:
        raise ValueError("boom filter-secret-value")
    except ValueError:
        logger.exception("with %s and %d%%", f"access_token={TOKEN}", 5)
    output = stream.getvalue()
    assert "filter-secret-value" not in output
    assert TOKEN_TAIL not in output
    assert "5%" in output
    assert "ValueError" in output


def test_filter_survives_bad_format_args() -> None:
    record = logging.LogRecord("x", logging.INFO, __file__, 1, "%d %s", ("no", "x"), None)
    assert RedactingFilter().filter(record) is True
    assert isinstance(record.getMessage(), str)


@pytest.mark.parametrize(
    "text",
    [
        "access_token='" + "\\a" * 20000,
        "password=" * 10000,
        "a://" + "b:" * 5000 + "c" * 5000,
        "1." + "a" * 50000 + "!",
        "authorization: " * 5000,
        '{"code": "' + '\\"' * 20000,
    ],
)
def test_no_catastrophic_backtracking(text: str) -> None:
    started = time.perf_counter()
    redact(text)
    assert time.perf_counter() - started < 1.0
