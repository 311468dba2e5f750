"""POST /api/admin/registrations/{reference}/export through the local gateway: one case as the
documented JSON for the chain's case file, only with a typed purpose, audited first."""

from __future__ import annotations

import json

import jsonschema
import requests

from devstack.openapi import EXPORT_SCHEMA
from devstack.stack import LocalSystem
from tests.factories import PERSONAL_VALUES
from tests.integration.test_admin_api import REFERENCE_ROUTE, audit_trail, new_case, tokens

__all__ = ["tokens"]  # the fixture, used by name


def export(system: LocalSystem, token: str, reference: str, body: object) -> requests.Response:
    return requests.post(
        f"{system.url}{REFERENCE_ROUTE.format(reference=reference)}/export",
        headers={"Authorization": f"Bearer {token}"},
        json=body,
        timeout=30,
    )


def test_an_export_needs_a_typed_purpose_is_audited_and_follows_its_schema(
    local_system: LocalSystem, tokens: dict[str, str]
) -> None:
    reference = new_case(local_system)
    for body in ({}, {"purpose": "  "}, {"purpose": "ok", "extra": 1}):
        refused = export(local_system, tokens["triage"], reference, body)
        assert refused.status_code == 422, body
    assert "exporteren" not in {
        r["action"] for r in audit_trail(local_system, tokens["beheer"], reference)
    }

    purpose = "Overdracht aan het ketendossier (KeDo)"
    response = export(local_system, tokens["procesregie"], reference, {"purpose": purpose})
    assert response.status_code == 200, response.text
    assert response.headers["Cache-Control"].startswith("no-store")
    document = response.json()
    jsonschema.validate(document, json.loads(EXPORT_SCHEMA.read_text(encoding="utf-8")))
    assert document["format"] == "veiligheidshuis-case-export/1"
    assert document["case"]["entry"]["reference"] == reference
    assert PERSONAL_VALUES["last_name"] in response.text  # the case in full, decrypted

    exports = [
        r
        for r in audit_trail(local_system, tokens["beheer"], reference)
        if r["action"] == "exporteren"
    ]
    assert [(r["purpose_category"], r["purpose"]) for r in exports] == [("export", purpose)]
