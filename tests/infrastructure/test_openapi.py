"""The committed OpenAPI document is what the code generates, and it bounds every string."""

from __future__ import annotations

import json
from typing import Any

from devstack.openapi import DOCUMENT, EXPORT_SCHEMA, render, render_export_schema


def test_the_committed_document_matches_the_code() -> None:
    assert DOCUMENT.read_text(encoding="utf-8") == render(), (
        "docs/openapi.json is out of date: run `make openapi` and commit the result"
    )


def test_the_committed_case_export_schema_matches_the_code() -> None:
    assert EXPORT_SCHEMA.read_text(encoding="utf-8") == render_export_schema(), (
        "docs/case-export.schema.json is out of date: run `make openapi` and commit the result"
    )


def _unbounded_strings(node: Any, path: str = "") -> list[str]:
    found: list[str] = []
    if isinstance(node, dict):
        bounded = "maxLength" in node or "enum" in node or "const" in node
        if node.get("type") == "string" and not bounded:
            found.append(path)
        if node.get("type") == "array" and "maxItems" not in node:
            found.append(f"{path} (array without maxItems)")
        for key, value in node.items():
            found += _unbounded_strings(value, f"{path}/{key}")
    elif isinstance(node, list):
        for index, value in enumerate(node):
            found += _unbounded_strings(value, f"{path}/{index}")
    return found


def test_every_string_has_a_maximum_length_and_every_list_a_maximum_size() -> None:
    document = json.loads(DOCUMENT.read_text(encoding="utf-8"))
    assert _unbounded_strings(document["components"]) == []


def test_request_models_refuse_unknown_fields() -> None:
    schemas = json.loads(DOCUMENT.read_text(encoding="utf-8"))["components"]["schemas"]
    for name in ("RegistrationRequest", "Registrant", "Person", "InvolvedOrganisation"):
        assert schemas[name]["additionalProperties"] is False, name
