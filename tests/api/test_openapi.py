"""The OpenAPI document describes exactly the routes that exist, in the shapes they answer."""

from __future__ import annotations

import re
from typing import Any

from flask import Flask
from flask.testing import FlaskClient

from mentorship.models import Role
from tests.api.helpers import bearer
from tests.factories import create, make_enrolment, make_program, make_user

PREFIX = "/api/v1"
IGNORED_METHODS = {"HEAD", "OPTIONS"}
HTTP_METHODS = {"get", "put", "post", "patch", "delete"}


def routed_operations(app: Flask) -> set[tuple[str, str]]:
    found = set()
    for rule in app.url_map.iter_rules():
        if rule.rule.startswith(PREFIX + "/"):
            path = re.sub(r"<(?:\w+:)?(\w+)>", r"{\1}", rule.rule[len(PREFIX):])
            found |= {(path, m.lower()) for m in rule.methods - IGNORED_METHODS}
    return found


def documented_operations(document: dict[str, Any]) -> set[tuple[str, str]]:
    return {(path, method) for path, item in document["paths"].items()
            for method in item if method in HTTP_METHODS}


def refs(node: Any) -> list[str]:
    if isinstance(node, dict):
        own = [node["$ref"]] if "$ref" in node else []
        return own + [r for value in node.values() for r in refs(value)]
    if isinstance(node, list):
        return [r for value in node for r in refs(value)]
    return []


def test_document_is_served_without_sign_in(client: FlaskClient) -> None:
    response = client.get("/api/v1/openapi.json")
    assert response.status_code == 200
    assert response.json["openapi"].startswith("3.")
    assert response.json["servers"] == [{"url": "/api/v1"}]


def test_every_route_is_documented_and_every_documented_operation_exists(
        app: Flask, client: FlaskClient) -> None:
    document = client.get("/api/v1/openapi.json").json
    assert routed_operations(app) == documented_operations(document)


def test_every_reference_resolves(client: FlaskClient) -> None:
    document = client.get("/api/v1/openapi.json").json
    schemas = document["components"]["schemas"]
    for target in refs(document):
        assert target.startswith("#/components/schemas/")
        assert target.rsplit("/", 1)[1] in schemas


def test_path_parameters_are_declared(client: FlaskClient) -> None:
    document = client.get("/api/v1/openapi.json").json
    for path, item in document["paths"].items():
        declared = {p["name"] for p in item.get("parameters", [])}
        assert declared == set(re.findall(r"{(\w+)}", path)), path


def test_every_operation_documents_its_errors(client: FlaskClient) -> None:
    document = client.get("/api/v1/openapi.json").json
    for path, item in document["paths"].items():
        for method in HTTP_METHODS & set(item):
            operation = item[method]
            if operation.get("security") != []:
                assert "401" in operation["responses"], (path, method)
            if "requestBody" in operation:
                assert {"415", "422"} <= set(operation["responses"]), (path, method)


def test_answers_have_exactly_the_documented_fields(app: Flask, client: FlaskClient) -> None:
    def build(session: Any) -> tuple[int, int]:
        user = make_user(session, is_admin=True)
        program = make_program(session)
        make_enrolment(session, user, program, Role.MENTEE)
        make_enrolment(session, user, program, Role.MENTOR)
        return user.id, program.id
    user_id, program_id = create(app, build)
    headers = bearer(app, user_id)
    schemas = client.get("/api/v1/openapi.json").json["components"]["schemas"]
    me = client.get("/api/v1/me", headers=headers).json
    program = client.get(f"/api/v1/programs/{program_id}", headers=headers).json

    def keys(name: str) -> set[str]:
        return set(schemas[name]["properties"])
    assert set(me) == keys("Me")
    assert set(me["account"]) == keys("Account")
    assert set(me["profile"]) == keys("Profile")
    assert set(program) == keys("Program")
    enrolments = {e["role"]: set(e) for e in me["enrolments"]}
    base = set(schemas["Enrolment"]["required"])
    assert enrolments["mentee"] == base | {"goals", "skills_to_grow"}
    assert enrolments["mentor"] == base | {"about", "expertise", "capacity", "availability"}
    assert enrolments["mentee"] | enrolments["mentor"] == keys("Enrolment")
