"""The OpenAPI document of every HTTP function, generated from the code (Powertools).

``python -m devstack.openapi`` writes ``docs/openapi.json`` (and ``docs/rights.md``, the
staff groups' rights from ``vhcore.staff.RIGHTS_TABLE``); a test fails when a committed
document and the code disagree. Which functions serve HTTP is read from the template.
"""

from __future__ import annotations

import importlib
import json
import sys
from typing import Any

from aws_lambda_powertools.event_handler import APIGatewayHttpResolver

from vhtools.template import REPO, http_routes, resources, transformed

DOCUMENT = REPO / "docs" / "openapi.json"
RIGHTS_DOCUMENT = REPO / "docs" / "rights.md"
# The JSON Schema of one case exported for the chain's case file (docs/case-export.md).
EXPORT_SCHEMA = REPO / "docs" / "case-export.schema.json"
TITLE = "Veiligheidshuis API"
VERSION = "1.0.0"


def generate() -> dict[str, Any]:
    template = transformed()
    handlers = {
        logical_id: props["Handler"]
        for logical_id, props in resources(template, "AWS::Lambda::Function").items()
    }
    merged: dict[str, Any] = {"paths": {}, "components": {"schemas": {}}}
    for function in sorted({route.function for route in http_routes(template)}):
        document = resolver(handlers[function]).get_openapi_json_schema(
            title=TITLE,
            version=VERSION,
            description="Registration, triage and follow-up for one Veiligheidshuis.",
        )
        spec = json.loads(document)
        merged["openapi"] = spec["openapi"]
        merged["info"] = spec["info"]
        merged["paths"].update(spec.get("paths", {}))
        merged["components"]["schemas"].update(spec.get("components", {}).get("schemas", {}))
    _problems_as_answered(merged)
    _secured_as_deployed(merged, template)
    _drop_unused_schemas(merged)
    return merged


def resolver(handler: str) -> APIGatewayHttpResolver:
    """The Powertools resolver that describes a function: the handler module's ``app``, or,
    for a handler that answers without one (intake, for its cold start), ``contract.app``
    in the same package."""
    module = importlib.import_module(handler.rpartition(".")[0])
    if not hasattr(module, "app"):
        package = module.__name__.rpartition(".")[0]
        module = importlib.import_module(f"{package}.contract")
    app: APIGatewayHttpResolver = module.app
    return app


def _problems_as_answered(document: dict[str, Any]) -> None:
    """Every validation problem is answered as ``Problem`` (``vhcore.http``), not as
    Powertools' default schema: document what the API really sends."""
    problem = {"$ref": "#/components/schemas/Problem"}
    for operations in document["paths"].values():
        for operation in operations.values():
            invalid = operation.get("responses", {}).get("422")
            if invalid is not None:
                invalid["content"] = {"application/json": {"schema": problem}}


def _secured_as_deployed(document: dict[str, Any], template: dict[str, Any]) -> None:
    """The routes behind a JWT authorizer in the template need a bearer token: the HTTP API
    answers 401 without a valid one, before the function runs."""
    schemes = document["components"].setdefault("securitySchemes", {})
    refused = {
        "description": "No valid token (the HTTP API's JWT authorizer)",
        "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Problem"}}},
    }
    for route in http_routes(template):
        if route.authorizer is None:
            continue
        schemes[route.authorizer] = {
            "type": "http",
            "scheme": "bearer",
            "bearerFormat": "JWT",
            "description": "The ID token of a staff member (Cognito), sent by the edge.",
        }
        operation = document["paths"][route.path][route.method.lower()]
        operation["security"] = [{route.authorizer: list(route.scopes)}]
        operation["responses"]["401"] = refused


def _drop_unused_schemas(document: dict[str, Any]) -> None:
    """Powertools adds its default validation-error schemas even when every route documents
    its own 422; keep only the schemas something refers to."""
    schemas = document["components"]["schemas"]
    while True:
        text = json.dumps({k: v for k, v in document.items() if k != "components"})
        text += json.dumps(schemas)
        unused = [n for n in schemas if f'"#/components/schemas/{n}"' not in text]
        if not unused:
            return
        for name in unused:
            del schemas[name]


def render() -> str:
    return json.dumps(generate(), indent=2, ensure_ascii=False, sort_keys=True) + "\n"


def render_export_schema() -> str:
    from vhcore.logic.staff import CaseExport

    schema = CaseExport.model_json_schema(mode="serialization")
    schema = {"$schema": "https://json-schema.org/draft/2020-12/schema", **schema}
    return json.dumps(schema, indent=2, ensure_ascii=False, sort_keys=True) + "\n"


def main() -> None:
    from vhcore.staff import rights_markdown

    DOCUMENT.parent.mkdir(exist_ok=True)
    DOCUMENT.write_text(render(), encoding="utf-8")
    print(f"wrote {DOCUMENT.relative_to(REPO)}", file=sys.stderr)
    RIGHTS_DOCUMENT.write_text(rights_markdown(), encoding="utf-8")
    print(f"wrote {RIGHTS_DOCUMENT.relative_to(REPO)}", file=sys.stderr)
    EXPORT_SCHEMA.write_text(render_export_schema(), encoding="utf-8")
    print(f"wrote {EXPORT_SCHEMA.relative_to(REPO)}", file=sys.stderr)


if __name__ == "__main__":
    main()
