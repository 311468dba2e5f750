"""What a cold start loads: nearly every request of a house starts a cold Lambda, so a
handler imports only what its requests need (timings are in ``benchmarks/coldstart``)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from vhtools.template import REPO, resources, transformed

IMPORTED = (
    "import json, sys\n"
    "for name in sys.argv[2:]:\n"
    "    __import__(name)\n"
    "print(json.dumps([m for m in json.loads(sys.argv[1]) if m in sys.modules]))\n"
)


def loaded_after_import(modules: list[str], watched: list[str]) -> list[str]:
    """Which of ``watched`` a fresh interpreter has loaded after importing ``modules``."""
    env = os.environ | {"PYTHONPATH": f"{REPO / 'functions'}{os.pathsep}{REPO}"}
    done = subprocess.run(
        [sys.executable, "-c", IMPORTED, json.dumps(watched), *modules],
        env=env,
        capture_output=True,
        text=True,
        check=True,
        timeout=120,
    )
    loaded: list[str] = json.loads(done.stdout.strip().splitlines()[-1])
    return loaded


def handler_modules() -> list[str]:
    functions = resources(transformed(), "AWS::Lambda::Function").values()
    return sorted({str(f["Handler"]).rsplit(".", 1)[0] for f in functions})


def test_no_handler_loads_the_holidays_library_it_is_only_the_tests_oracle() -> None:
    modules = handler_modules()
    assert "intake.intake_handler" in modules
    assert loaded_after_import(modules, ["holidays"]) == []


def test_intake_loads_neither_the_aws_sdk_nor_jinja2_before_a_registration_is_valid() -> None:
    """A refused registration (413, 415, 422) is answered without them; the AWS SDK comes
    with the first registration that is stored, Jinja2 with the first plain-form page."""
    watched = ["boto3", "botocore.session", "s3transfer", "jinja2", "aws_encryption_sdk"]
    assert loaded_after_import(["intake.intake_handler"], watched) == []


def test_intake_answers_without_powertools_event_handler() -> None:
    """Its one route is answered by the handler itself; the resolver and its OpenAPI
    machinery (with asyncio, for AppSync) cost ~170 ms of every cold start. The route is
    described for the OpenAPI document in ``intake.contract``, which the handler never loads."""
    watched = [
        "aws_lambda_powertools.event_handler",
        "aws_lambda_powertools.event_handler.openapi.params",
        "asyncio",
        "intake.contract",
    ]
    assert loaded_after_import(["intake.intake_handler"], watched) == []


def test_sign_in_loads_neither_the_aws_sdk_nor_the_data_layer() -> None:
    """The public sign-in routes run apart from the staff API (no table, no key in their
    role): nothing that reads the tables or decrypts is even loaded."""
    assert "signin.signin_handler" in handler_modules()
    watched = ["boto3", "botocore.session", "aws_encryption_sdk", "vhcore.dal", "vhcore.logic"]
    assert loaded_after_import(["signin.signin_handler"], watched) == []


# What no handler loads at import (each measured in benchmarks/coldstart): Powertools' batch
# utility and typed event classes (its batch processor imports asyncio; vhcore.batch is a
# small loop), the AWS Encryption SDK (only earlier versions' ciphertexts need it, when read),
# the X-Ray SDK (no Tracer is used), PyYAML (houses ship as JSON), the holidays oracle.
NEVER_AT_IMPORT = [
    "aws_lambda_powertools.utilities.batch",
    "aws_encryption_sdk",
    "aws_lambda_powertools.utilities.data_masking",
    "aws_xray_sdk",
    "yaml",
    "holidays",
    "email_validator",
]
# What each handler may not load at import, on top of NEVER_AT_IMPORT. A handler of the
# template missing here fails the test: a new handler gets its guard when it is added.
AWS_SDK = ["boto3", "botocore.session", "s3transfer", "cryptography"]
RESOLVER = ["aws_lambda_powertools.event_handler", "asyncio"]
EVENT_CLASSES = ["aws_lambda_powertools.utilities.data_classes"]
NOT_AT_IMPORT: dict[str, list[str]] = {
    "intake.intake_handler": [*AWS_SDK, *RESOLVER, *EVENT_CLASSES, "jinja2"],
    # The staff API: the resolver with validation for its routes (docs: README, Performance).
    "admin.admin_handler": [*AWS_SDK, "jinja2"],
    "admin.seal_handler": [*AWS_SDK, *RESOLVER, *EVENT_CLASSES, "jinja2"],
    "signin.signin_handler": [*AWS_SDK, "jinja2", "vhcore.dal", "vhcore.logic"],
    "triage.workflow_start_handler": [*AWS_SDK, *RESOLVER, *EVENT_CLASSES, "jinja2"],
    "triage.triage_handler": [*AWS_SDK, *RESOLVER, *EVENT_CLASSES, "jinja2"],
    "triage.agenda_handler": [*AWS_SDK, *RESOLVER, *EVENT_CLASSES, "jinja2"],
    # notify renders an e-mail with every message it handles: Jinja2 is its work.
    "notify.notify_handler": [*AWS_SDK, *RESOLVER, *EVENT_CLASSES],
}


def test_every_handler_has_its_import_guard() -> None:
    assert set(handler_modules()) == set(NOT_AT_IMPORT)


@pytest.mark.parametrize("module", sorted(NOT_AT_IMPORT))
def test_a_handler_loads_at_import_only_what_its_requests_need(module: str) -> None:
    """The AWS SDK comes with the first call to AWS (a refused request never loads it), the
    encryption library with the first encryption; see NOT_AT_IMPORT for the rest."""
    watched = [*NEVER_AT_IMPORT, *NOT_AT_IMPORT[module]]
    assert loaded_after_import([module], watched) == []


def test_no_handler_loads_email_validator_addresses_are_checked_by_vhcore() -> None:
    """``email_validator`` (pydantic's ``EmailStr``) cost ~45 ms of every cold start."""
    modules = handler_modules()
    assert loaded_after_import(modules, ["email_validator"]) == []


def test_a_lambda_reads_its_bundled_house_without_pyyaml(tmp_path: Path) -> None:
    """``make build`` ships the houses as JSON (``deploy.bundle``); PyYAML cost ~20 ms."""
    from deploy.bundle import bundle

    bundle(tmp_path)
    env = os.environ | {
        "PYTHONPATH": f"{REPO / 'functions'}{os.pathsep}{REPO}",
        "VH_HOUSE_FILE": str(tmp_path / "voorbeeldregio.json"),
    }
    script = (
        "import sys, intake.intake_handler\n"
        "from vhcore.house import current_house\n"
        "print(current_house().id, 'yaml' in sys.modules)\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", script],
        env=env,
        capture_output=True,
        text=True,
        check=True,
        timeout=120,
    )
    assert done.stdout.split() == ["voorbeeldregio", "False"]
