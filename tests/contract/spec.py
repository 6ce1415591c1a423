"""Validate the fake's traffic against Etsy's OpenAPI document, with named exceptions.

Why: the fake is only useful if it speaks exactly Etsy's shapes. This module loads
``tests/data/etsy-openapi-v3.json`` once and checks requests and responses with
openapi-core. The fake runs on ``http://127.0.0.1:PORT/v3``; URLs are mapped onto the
spec's server ``https://openapi.etsy.com`` (same ``/v3/application/...`` paths).

Where the spec and Etsy's documented or observed behaviour disagree, the behaviour wins
and the exception is
named here (and asserted by name in the contract tests):

* ``INVALID_SPEC_DOCUMENT``: the document itself fails OpenAPI validation (``default:
  null`` on non-nullable schemas such as the ``includes`` arrays), so spec validation
  is switched off and those null defaults are dropped (openapi-core would otherwise
  inject ``None`` for every omitted optional parameter and reject the request);
* ``COMMA_JOINED_ARRAYS``: the spec gives array query parameters no style; Etsy's
  clients send them comma-joined (``listing_ids=1,2,3``), so array query parameters
  are validated as ``style: form, explode: false``;
* ``OAUTH_ENDPOINTS_NOT_IN_SPEC``: ``/v3/public/oauth/token`` and ``/oauth/connect``
  have no path in the spec (the token URL only appears in ``securitySchemes``); they
  are skipped here and checked by ``TOKEN_RESPONSE_SCHEMA`` in the tests;
* ``UNDOCUMENTED_ERROR_STATUSES``: Etsy sends 403 (x-api-key), 401 (tokens), 429 (rate
  limits) and 5xx on operations whose ``responses`` do not list them; such bodies are
  validated against ``components.schemas.ErrorSchema`` instead;
* ``OAUTH2_SECURITY``: openapi-core cannot check ``oauth2`` requirements; a provider
  here requires ``Authorization: Bearer <token>`` for them.
"""

from __future__ import annotations

import json
import threading
from collections import Counter
from collections.abc import Mapping
from copy import deepcopy
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl, urlsplit

from openapi_core import Config, OpenAPI
from openapi_core.datatypes import RequestParameters
from openapi_core.security.exceptions import SecurityProviderError
from openapi_core.security.factories import SecurityProviderFactory
from openapi_core.security.providers import BaseProvider
from openapi_core.templating.responses.exceptions import ResponseNotFound
from openapi_schema_validator import OAS30Validator
from werkzeug.datastructures import Headers, ImmutableMultiDict

SPEC_PATH = Path(__file__).resolve().parents[1] / "data" / "etsy-openapi-v3.json"
SPEC_SERVER = "https://openapi.etsy.com"

INVALID_SPEC_DOCUMENT = "INVALID_SPEC_DOCUMENT"
COMMA_JOINED_ARRAYS = "COMMA_JOINED_ARRAYS"
OAUTH_ENDPOINTS_NOT_IN_SPEC = "OAUTH_ENDPOINTS_NOT_IN_SPEC"
UNDOCUMENTED_ERROR_STATUSES = "UNDOCUMENTED_ERROR_STATUSES"
OAUTH2_SECURITY = "OAUTH2_SECURITY"
NAMED_EXCEPTIONS = (
    INVALID_SPEC_DOCUMENT,
    COMMA_JOINED_ARRAYS,
    OAUTH_ENDPOINTS_NOT_IN_SPEC,
    UNDOCUMENTED_ERROR_STATUSES,
    OAUTH2_SECURITY,
)
ERROR_STATUSES_OUTSIDE_SPEC = frozenset({400, 401, 403, 404, 409, 429, 500, 502, 503, 504})
NOT_IN_SPEC_PATHS = ("/v3/public/oauth/token", "/oauth/connect")

TOKEN_RESPONSE_SCHEMA: dict[str, Any] = {
    "type": "object",
    "required": ["access_token", "token_type", "expires_in", "refresh_token"],
    "properties": {
        "access_token": {"type": "string", "pattern": r"^[0-9]+\..+$"},
        "token_type": {"type": "string", "enum": ["Bearer"]},
        "expires_in": {"type": "integer", "minimum": 1},
        "refresh_token": {"type": "string", "pattern": r"^[0-9]+\..+$"},
    },
}
OAUTH_ERROR_SCHEMA: dict[str, Any] = {
    "type": "object",
    "required": ["error"],
    "properties": {"error": {"type": "string"}, "error_description": {"type": "string"}},
}


class ContractViolation(AssertionError):
    """A request or response does not match Etsy's OpenAPI document."""


class _BearerProvider(BaseProvider):
    """OAUTH2_SECURITY: an oauth2 requirement is met by a Bearer Authorization header."""

    def __call__(self, parameters: RequestParameters) -> Any:
        value = parameters.header.get("Authorization", "")
        scheme, _, token = value.partition(" ")
        if scheme.lower() != "bearer" or not token.strip():
            raise SecurityProviderError("Missing Authorization: Bearer header.")
        return token


class _Factory(SecurityProviderFactory):
    def __init__(self) -> None:
        self.PROVIDERS = {**SecurityProviderFactory.PROVIDERS, "oauth2": _BearerProvider}


@cache
def spec_dict() -> dict[str, Any]:
    """The spec as loaded from disk (do not mutate)."""
    with SPEC_PATH.open(encoding="utf-8") as handle:
        data: dict[str, Any] = json.load(handle)
    return data


def _drop_null_defaults(node: object) -> int:
    """INVALID_SPEC_DOCUMENT: remove ``default: null`` from non-nullable schemas."""
    dropped = 0
    if isinstance(node, dict):
        if "default" in node and node["default"] is None and not node.get("nullable"):
            del node["default"]
            dropped += 1
        for value in node.values():
            dropped += _drop_null_defaults(value)
    elif isinstance(node, list):
        for value in node:
            dropped += _drop_null_defaults(value)
    return dropped


def _patched_spec() -> dict[str, Any]:
    """The spec with the INVALID_SPEC_DOCUMENT and COMMA_JOINED_ARRAYS patches."""
    data = deepcopy(spec_dict())
    _drop_null_defaults(data)
    for item in data["paths"].values():
        for operation in item.values():
            if not isinstance(operation, dict):
                continue
            for parameter in operation.get("parameters", []):
                if parameter.get("in") == "query" and parameter["schema"].get("type") == "array":
                    parameter["style"] = "form"
                    parameter["explode"] = False
    return data


@cache
def openapi() -> OpenAPI:
    """The openapi-core object (INVALID_SPEC_DOCUMENT: document validation is off)."""
    config = Config(spec_validator_cls=None, security_provider_factory=_Factory())
    return OpenAPI.from_dict(_patched_spec(), config=config)


@cache
def _error_schema_validator() -> OAS30Validator:
    return OAS30Validator(spec_dict()["components"]["schemas"]["ErrorSchema"])


def operation_for(method: str, path_template: str) -> dict[str, Any]:
    """The spec's operation object for a method and path template."""
    operation: dict[str, Any] = spec_dict()["paths"][path_template][method.lower()]
    return operation


@dataclass
class _Request:
    host_url: str
    path: str
    method: str
    parameters: RequestParameters
    body: bytes | None
    content_type: str


@dataclass
class _Response:
    status_code: int
    headers: Headers
    data: bytes
    content_type: str


def _content_type(headers: Mapping[str, str]) -> str:
    for name, value in headers.items():
        if name.lower() == "content-type":
            return value.lower()
    return ""


def _request(method: str, url: str, headers: Mapping[str, str], body: bytes) -> _Request:
    parts = urlsplit(url)
    return _Request(
        host_url=SPEC_SERVER,
        path=parts.path,
        method=method.lower(),
        parameters=RequestParameters(
            query=ImmutableMultiDict(parse_qsl(parts.query, keep_blank_values=True)),
            header=Headers(dict(headers)),
        ),
        body=body or None,
        content_type=_content_type(headers) or "application/json",
    )


def is_spec_path(url: str) -> bool:
    """False for OAUTH_ENDPOINTS_NOT_IN_SPEC (and anything outside /v3/application)."""
    return urlsplit(url).path.startswith("/v3/application/")


def validate_request(method: str, url: str, headers: Mapping[str, str], body: bytes = b"") -> None:
    """Raise :class:`ContractViolation` unless the request matches the spec."""
    try:
        openapi().validate_request(_request(method, url, headers, body))
    except Exception as exc:
        raise ContractViolation(f"{method} {url}: {_describe(exc)}") from exc


def validate_response(
    method: str,
    url: str,
    request_headers: Mapping[str, str],
    request_body: bytes,
    status: int,
    headers: Mapping[str, str],
    body: bytes,
) -> None:
    """Raise :class:`ContractViolation` unless the response matches the spec.

    UNDOCUMENTED_ERROR_STATUSES: a status the operation does not list is accepted only
    if it is one of ``ERROR_STATUSES_OUTSIDE_SPEC`` and its body is an ``ErrorSchema``.
    """
    request = _request(method, url, request_headers, request_body)
    response = _Response(status, Headers(dict(headers)), body, _content_type(headers))
    try:
        openapi().validate_response(request, response)
    except Exception as exc:
        if _is_response_not_found(exc) and status in ERROR_STATUSES_OUTSIDE_SPEC:
            validate_error_body(body, f"{method} {url} -> {status}")
            return
        raise ContractViolation(f"{method} {url} -> {status}: {_describe(exc)}") from exc


def validate_error_body(body: bytes, where: str = "error body") -> None:
    """The body must be JSON matching ``ErrorSchema``."""
    try:
        document = json.loads(body)
    except ValueError as exc:
        raise ContractViolation(f"{where}: not JSON: {body[:200]!r}") from exc
    errors = list(_error_schema_validator().iter_errors(document))
    if errors:
        raise ContractViolation(f"{where}: not an ErrorSchema: {errors[0].message}")


def validate_json(document: object, schema: dict[str, Any], where: str) -> None:
    errors = list(OAS30Validator(schema).iter_errors(document))
    if errors:
        raise ContractViolation(f"{where}: {errors[0].message}")


def _is_response_not_found(exc: BaseException) -> bool:
    seen: BaseException | None = exc
    while seen is not None:
        if isinstance(seen, ResponseNotFound):
            return True
        seen = seen.__cause__ or seen.__context__
    return False


def _short(text: object, limit: int = 300) -> str:
    value = str(text)
    return value if len(value) <= limit else value[:limit] + "..."


def _schema_error_lines(error: Any, depth: int = 0) -> list[str]:
    path = "/".join(str(p) for p in getattr(error, "absolute_path", []))
    lines = [f"{'  ' * depth}- {path or '<root>'}: {_short(getattr(error, 'message', error))}"]
    for child in (getattr(error, "context", None) or [])[:4]:
        lines.extend(_schema_error_lines(child, depth + 1))
    return lines


def _describe(exc: BaseException) -> str:
    """A readable, bounded description of an openapi-core failure and its causes."""
    parts = [f"{type(exc).__name__}: {_short(exc)}"]
    seen: BaseException | None = exc
    while seen is not None:
        for error in (getattr(seen, "schema_errors", None) or [])[:5]:
            parts.extend(_schema_error_lines(error, 1))
        seen = seen.__cause__
        if seen is not None:
            parts.append(f"  caused by {type(seen).__name__}: {_short(seen)}")
    return "\n".join(parts)


@dataclass
class SpecRecorder:
    """``request_observer``/``response_observer`` pair that validates live traffic.

    Pass ``recorder.request_observer`` and ``recorder.response_observer`` to
    :class:`FakeEtsyServer`; every ``/v3/application`` request (if
    ``validate_requests``) and response (if ``validate_responses``) is checked and
    failures collected in ``errors``; call :meth:`assert_clean` at the end. Requests and
    responses are paired per server thread (each connection's handler runs on one).
    """

    validate_requests: bool = True
    validate_responses: bool = True
    errors: list[str] = field(default_factory=list)
    checked: Counter[str] = field(default_factory=Counter)
    _local: threading.local = field(default_factory=threading.local)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def request_observer(
        self, method: str, path: str, query: str, headers: Mapping[str, str], body: bytes
    ) -> None:
        url = f"{SPEC_SERVER}{path}" + (f"?{query}" if query else "")
        self._local.pending = (method, url, dict(headers), body)
        if not self.validate_requests or not is_spec_path(url):
            return
        try:
            validate_request(method, url, headers, body)
        except ContractViolation as exc:
            self._fail(f"request: {exc}")
        else:
            self._count(f"request {method} {urlsplit(url).path}")

    def response_observer(self, status: int, headers: Mapping[str, str], body: bytes) -> None:
        pending = getattr(self._local, "pending", None)
        self._local.pending = None
        if pending is None or not self.validate_responses:
            return
        method, url, request_headers, request_body = pending
        if not is_spec_path(url):
            return
        try:
            validate_response(method, url, request_headers, request_body, status, headers, body)
        except ContractViolation as exc:
            self._fail(f"response: {exc}")
        else:
            self._count(f"response {method} {urlsplit(url).path} {status}")

    def _fail(self, message: str) -> None:
        with self._lock:
            self.errors.append(message)

    def _count(self, key: str) -> None:
        with self._lock:
            self.checked[key] += 1

    def assert_clean(self) -> None:
        if self.errors:
            raise ContractViolation(
                f"{len(self.errors)} contract violation(s):\n" + "\n\n".join(self.errors[:5])
            )
