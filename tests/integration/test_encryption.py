"""Envelope encryption ``vh1`` on the local stack (docs/encryption.md): a KMS data key per
registration and key, bound to the registration; cases stored by an earlier version (the AWS
Encryption SDK) are still read."""

from __future__ import annotations

import base64

import boto3
import pytest
from botocore.exceptions import ClientError

from devstack.iam import running_as
from devstack.stack import LocalSystem
from tests.factories import PERSONAL_VALUES, registration
from tests.integration.test_admin_api import REFERENCE_ROUTE, call, tokens
from tests.integration.test_intake import post, registration_item
from tests.integration.test_local_iam import assert_access_denied
from vhcore.dal.crypto import PREFIX, KmsCipher, decrypt_contact, legacy_masker, wrapped_key_of
from vhcore.errors import StorageUnavailable
from vhcore.ports import KeyUse
from vhcore.settings import settings

__all__ = ["tokens"]  # the module-scoped fixture of staff tokens


def test_each_registration_gets_its_own_data_key_per_key_bound_to_it(
    local_system: LocalSystem,
) -> None:
    items = [
        registration_item(local_system, post(local_system, registration()).json()["reference"])
        for _ in range(2)
    ]
    wrapped = set()
    kms = boto3.client("kms", endpoint_url=local_system.endpoint)
    for item in items:
        registration_id = item["pk"]["S"].removeprefix("REG#")
        for field, key in (("personal", "DATA_KEY_ARN"), ("contact", "CONTACT_KEY_ARN")):
            ciphertext = item[field]["S"]
            assert ciphertext.startswith(PREFIX)
            wrapped_key = wrapped_key_of(ciphertext)
            wrapped.add(wrapped_key)
            # KMS unwraps the data key only for this registration.
            arn = local_system.environment[key]
            kms.decrypt(
                CiphertextBlob=wrapped_key,
                KeyId=arn,
                EncryptionContext={"registration_id": registration_id},
            )
            with pytest.raises(kms.exceptions.ClientError):
                kms.decrypt(
                    CiphertextBlob=wrapped_key,
                    KeyId=arn,
                    EncryptionContext={"registration_id": "another-registration"},
                )
    assert len(wrapped) == 4


def test_staff_read_a_case_an_earlier_version_encrypted_with_the_encryption_sdk(
    local_system: LocalSystem, tokens: dict[str, str]
) -> None:
    """The fixture is made by the earlier code itself: Powertools data masking (the AWS
    Encryption SDK) with the same key and encryption context, stored as that version did."""
    reference = str(post(local_system, registration()).json()["reference"])
    local_system.pump.drain(timeout=20)
    item = registration_item(local_system, reference)
    registration_id = item["pk"]["S"].removeprefix("REG#")
    old: dict[str, str] = {}
    cipher = KmsCipher(settings().data_key_arn, settings().contact_key_arn)
    uses: tuple[KeyUse, ...] = ("personal", "contact")
    for use in uses:
        field, key_arn = use, str(cipher.keys[use])
        plaintext = cipher.decrypt(item[field]["S"], registration_id, use)
        old[field] = legacy_masker(key_arn).encrypt(plaintext, registration_id=registration_id)
        assert not old[field].startswith(PREFIX)
        base64.b64decode(old[field], validate=True)  # the SDK's message, as base64
    dynamodb = boto3.client("dynamodb", endpoint_url=local_system.endpoint)
    dynamodb.put_item(
        TableName=local_system.stack.physical["RegistrationsTable"].ref,
        Item=item | {field: {"S": text} for field, text in old.items()},
    )

    response = call(local_system, "POST", f"{REFERENCE_ROUTE}/read", tokens["triage"], reference)
    assert response.status_code == 200, response.text
    case = response.json()["registration"]
    assert case["persons"][0]["last_name"] == PERSONAL_VALUES["last_name"]
    assert case["registrant"]["email"] == PERSONAL_VALUES["email"]
    assert decrypt_contact(old["contact"], registration_id) == PERSONAL_VALUES["email"]
    with pytest.raises(StorageUnavailable):
        decrypt_contact(old["contact"], "another-registration")


def test_a_role_uses_the_keys_only_as_its_policy_allows(local_system: LocalSystem) -> None:
    """The local stack enforces the roles' KMS actions: intake may wrap but not unwrap a data
    key, notify may unwrap the address's key but not make a data key."""
    cipher = KmsCipher(settings().data_key_arn, settings().contact_key_arn)
    sealed = cipher.encrypt("iemand@politie.example", "r-1", "contact")
    with running_as("IntakeFunction"):
        assert cipher.encrypt("tekst", "r-1", "personal").startswith(PREFIX)
        with pytest.raises(StorageUnavailable) as refused:
            cipher.decrypt(sealed, "r-1", "contact")
    assert isinstance(refused.value.__cause__, ClientError)
    assert_access_denied(refused.value.__cause__, "kms:Decrypt")
    with running_as("NotifyFunction"):
        assert cipher.decrypt(sealed, "r-1", "contact") == "iemand@politie.example"
        with pytest.raises(StorageUnavailable) as refused:
            cipher.encrypt("tekst", "r-1", "contact")
    assert isinstance(refused.value.__cause__, ClientError)
    assert_access_denied(refused.value.__cause__, "kms:GenerateDataKey")
