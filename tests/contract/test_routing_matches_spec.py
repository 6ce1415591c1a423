"""Every operation the fake models exists in the spec with the same method and scopes."""

from __future__ import annotations

from fake_etsy import OPERATIONS
from fake_etsy.oauth import KNOWN_SCOPES

from .spec import spec_dict


def test_operations_match_the_spec() -> None:
    spec = spec_dict()
    for operation in OPERATIONS:
        item = spec["paths"].get(operation.path)
        assert item is not None, operation.path
        spec_operation = item.get(operation.method.lower())
        assert spec_operation is not None, (operation.method, operation.path)
        assert spec_operation["operationId"] == operation.operation_id
        security = spec_operation.get("security", spec["security"])
        scopes = {scope for requirement in security for scope in requirement.get("oauth2", [])}
        assert scopes == set(operation.scopes), operation.operation_id
        assert all("api_key" in requirement for requirement in security)


def test_known_scopes_are_the_specs() -> None:
    flows = spec_dict()["components"]["securitySchemes"]["oauth2"]["flows"]
    assert set(flows["authorizationCode"]["scopes"]) == KNOWN_SCOPES


def test_oauth_urls_match_the_spec_paths() -> None:
    flows = spec_dict()["components"]["securitySchemes"]["oauth2"]["flows"]["authorizationCode"]
    assert flows["tokenUrl"].endswith("/v3/public/oauth/token")
    assert flows["authorizationUrl"].endswith("/oauth/connect")
