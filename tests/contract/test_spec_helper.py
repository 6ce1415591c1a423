"""The contract validator itself, and the evidence for each named exception."""

from __future__ import annotations

import json

import pytest
from openapi_core import Config, OpenAPI
from openapi_spec_validator import validate as validate_spec

from .spec import (
    COMMA_JOINED_ARRAYS,
    INVALID_SPEC_DOCUMENT,
    NAMED_EXCEPTIONS,
    SPEC_SERVER,
    UNDOCUMENTED_ERROR_STATUSES,
    ContractViolation,
    SpecRecorder,
    operation_for,
    spec_dict,
    validate_request,
    validate_response,
)

KEY = {"x-api-key": "key:secret"}
PING = f"{SPEC_SERVER}/v3/application/openapi-ping"


def test_named_exceptions_are_listed() -> None:
    assert set(NAMED_EXCEPTIONS) == {
        "INVALID_SPEC_DOCUMENT",
        "COMMA_JOINED_ARRAYS",
        "OAUTH_ENDPOINTS_NOT_IN_SPEC",
        "UNDOCUMENTED_ERROR_STATUSES",
        "OAUTH2_SECURITY",
    }


def test_invalid_spec_document_exception_is_needed() -> None:
    """INVALID_SPEC_DOCUMENT: Etsy's document does not pass OpenAPI validation as shipped."""
    assert INVALID_SPEC_DOCUMENT
    with pytest.raises(Exception, match="None for not nullable"):
        validate_spec(spec_dict())


def test_comma_joined_arrays_exception_is_needed() -> None:
    """COMMA_JOINED_ARRAYS: with the spec's default style, '1,2,3' is not an int array."""
    assert COMMA_JOINED_ARRAYS
    from openapi_core.testing import MockRequest

    from .spec import _drop_null_defaults

    raw = json.loads(json.dumps(spec_dict()))
    _drop_null_defaults(raw)
    strict = OpenAPI.from_dict(raw, config=Config(spec_validator_cls=None))
    request = MockRequest(
        SPEC_SERVER,
        "get",
        "/v3/application/listings/batch",
        args={"listing_ids": "1,2,3"},
        headers=KEY,
    )
    with pytest.raises(Exception, match="listing_ids"):
        strict.validate_request(request)
    validate_request("GET", f"{SPEC_SERVER}/v3/application/listings/batch?listing_ids=1,2,3", KEY)


def test_request_validation_catches_bad_requests() -> None:
    validate_request("GET", PING, KEY)
    with pytest.raises(ContractViolation):
        validate_request("GET", PING, {})  # no x-api-key
    with pytest.raises(ContractViolation):
        validate_request("GET", f"{SPEC_SERVER}/v3/application/users/me", KEY)  # no bearer
    url = f"{SPEC_SERVER}/v3/application/shops/1/listings?limit=101"
    with pytest.raises(ContractViolation, match="limit"):
        validate_request("GET", url, {**KEY, "authorization": "Bearer 1.x"})


def test_response_validation_catches_bad_bodies() -> None:
    json_headers = {"content-type": "application/json"}
    validate_response("GET", PING, KEY, b"", 200, json_headers, b'{"application_id": 5}')
    with pytest.raises(ContractViolation):
        validate_response("GET", PING, KEY, b"", 200, json_headers, b'{"application_id": "x"}')


def test_undocumented_error_statuses_must_still_be_error_bodies() -> None:
    """UNDOCUMENTED_ERROR_STATUSES: ping lists no 403, Etsy sends one for a bad key."""
    assert UNDOCUMENTED_ERROR_STATUSES
    assert "403" not in operation_for("get", "/v3/application/openapi-ping")["responses"]
    headers = {"content-type": "application/json"}
    validate_response("GET", PING, {}, b"", 403, headers, b'{"error": "Invalid API key"}')
    with pytest.raises(ContractViolation):
        validate_response("GET", PING, {}, b"", 403, headers, b'{"message": "nope"}')
    with pytest.raises(ContractViolation):
        validate_response("GET", PING, {}, b"", 418, headers, b'{"error": "teapot"}')


def test_recorder_collects_violations() -> None:
    recorder = SpecRecorder()
    recorder.request_observer("GET", "/v3/application/openapi-ping", "", {}, b"")
    recorder.response_observer(200, {"content-type": "application/json"}, b'{"x": 1}')
    recorder.request_observer("POST", "/v3/public/oauth/token", "", {}, b"")  # not in spec
    recorder.response_observer(200, {"content-type": "application/json"}, b"{}")
    assert len(recorder.errors) == 1  # the request without x-api-key; body passes Pong
    with pytest.raises(ContractViolation):
        recorder.assert_clean()
