"""The served OpenAPI document describes exactly the API routes Flask has, no more, no less."""

from __future__ import annotations

import re

import pytest

from queue_server.config import DEMO_OFFICE_PATH, load_office
from queue_server.web import create_app

API_PREFIX = "/api/v1"
HTTP_METHODS = {"get", "put", "post", "delete", "patch", "head", "options", "trace"}


@pytest.fixture(scope="module")
def app(tmp_path_factory):
    return create_app(office=load_office(DEMO_OFFICE_PATH),
                      data_dir=tmp_path_factory.mktemp("openapi"))


@pytest.fixture(scope="module")
def document(app):
    response = app.test_client().get(f"{API_PREFIX}/openapi.json")  # no token: it is public
    assert response.status_code == 200
    assert response.mimetype == "application/json"
    return response.get_json()


def flask_routes(app) -> set[tuple[str, str]]:
    """(method, path) of every API route, with Flask's <conv:name> written as {name}."""
    routes = set()
    for rule in app.url_map.iter_rules():
        if not rule.rule.startswith(API_PREFIX + "/"):
            continue
        path = re.sub(r"<(?:[^:<>]+:)?([^<>]+)>", r"{\1}", rule.rule[len(API_PREFIX):])
        routes |= {(method.lower(), path) for method in rule.methods - {"HEAD", "OPTIONS"}}
    return routes


def documented_routes(document: dict) -> set[tuple[str, str]]:
    return {(method, path) for path, item in document["paths"].items()
            for method in item if method in HTTP_METHODS}


def test_document_lists_exactly_the_api_routes(app, document):
    routes, documented = flask_routes(app), documented_routes(document)
    assert routes, "no API routes found"
    assert routes - documented == set(), "routes missing from openapi.json"
    assert documented - routes == set(), "openapi.json describes routes that do not exist"


def test_document_is_openapi_3(document):
    assert document["openapi"].startswith("3.")
    assert document["info"]["title"] and document["info"]["version"]
    assert document["servers"] == [{"url": API_PREFIX}]
    schemes = document["components"]["securitySchemes"]
    for requirement in document["security"]:
        assert set(requirement) <= set(schemes)


def test_every_operation_has_responses_and_declares_its_path_parameters(document):
    for path, item in document["paths"].items():
        placeholders = set(re.findall(r"\{(\w+)\}", path))
        for method, operation in item.items():
            where = f"{method.upper()} {path}"
            assert operation.get("summary"), where
            responses = operation["responses"]
            assert responses, where
            assert any(code.startswith("2") for code in responses), where
            for code, answer in responses.items():
                assert re.fullmatch(r"[1-5]\d\d|default", code), (where, code)
                assert answer.get("description"), (where, code)
            declared = {p["name"] for p in operation.get("parameters", []) if p["in"] == "path"}
            assert declared == placeholders, where
            for parameter in operation.get("parameters", []):
                assert parameter["required"] is True or parameter["in"] != "path", where


def test_every_reference_resolves(document):
    schemas = document["components"]["schemas"]

    def refs(node):
        if isinstance(node, dict):
            if "$ref" in node:
                yield node["$ref"]
            for value in node.values():
                yield from refs(value)
        elif isinstance(node, list):
            for value in node:
                yield from refs(value)

    found = list(refs(document["paths"]))
    assert found
    for ref in found:
        assert ref.startswith("#/components/schemas/"), ref
        assert ref.rsplit("/", 1)[1] in schemas, ref


def test_ticket_actions_in_the_document_are_the_ones_the_server_accepts(app, document):
    from queue_server.web.api.tickets import ACTION_PERMISSION

    operation = document["paths"]["/tickets/{ticket_id}/{action}"]["post"]
    action = next(p for p in operation["parameters"] if p["name"] == "action")
    assert set(action["schema"]["enum"]) == set(ACTION_PERMISSION)


def test_document_publishes_the_error_codes_and_event_types(document):
    from queue_server.web.api.contract import ERROR_CODES, stream_message_audiences

    assert document["x-error-codes"] == {
        code: {"status": error.status, "meaning": error.meaning} for code, error in ERROR_CODES.items()}
    assert document["components"]["schemas"]["Error"]["properties"]["error"]["enum"] == list(ERROR_CODES)
    assert document["x-event-types"] == {
        name: {"audience": str(audience)} for name, audience in stream_message_audiences().items()}
    assert {"ticket.called", "ticket.print_requested", "resync"} <= set(document["x-event-types"])
