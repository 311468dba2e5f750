"""Envelope encryption with the house's KMS keys (AWS Encryption SDK via Powertools data
masking). The registration id is the encryption context, so a ciphertext cannot be moved to
another registration unnoticed.

Two keys, two audiences:
- the data key (setting ``DATA_KEY_ARN``) protects everything that identifies or describes a person;
  only the admin function may decrypt it;
- the contact key (setting ``CONTACT_KEY_ARN``) protects only the registrant's work e-mail address,
  so the notify function can write back without ever seeing a betrokkene's data.
"""

from __future__ import annotations

import json
from functools import cache
from typing import TYPE_CHECKING, Any

from vhcore.errors import ConfigurationError, StorageUnavailable
from vhcore.ports import KeyUse

if TYPE_CHECKING:
    import botocore.session
    from aws_lambda_powertools.utilities.data_masking import DataMasking
    from aws_lambda_powertools.utilities.data_masking.provider.kms.aws_encryption_sdk import (
        KMSKeyProvider,
    )


def _key_provider(key_arn: str, session: botocore.session.Session) -> KMSKeyProvider:
    """Powertools' KMS key provider as its own ``__init__`` builds it (the same data key cache
    and limits), but on the process's botocore session (``dal.aws``) instead of a new one per
    key, which would read the endpoint rules and the KMS model again on a cold start."""
    from aws_encryption_sdk import (
        CachingCryptoMaterialsManager,
        EncryptionSDKClient,
        LocalCryptoMaterialsCache,
        StrictAwsKmsMasterKeyProvider,
    )
    from aws_lambda_powertools.utilities.data_masking.constants import (
        CACHE_CAPACITY,
        MAX_BYTES_ENCRYPTED,
        MAX_CACHE_AGE_SECONDS,
        MAX_MESSAGES_ENCRYPTED,
    )
    from aws_lambda_powertools.utilities.data_masking.provider.base import JSON_DUMPS_CALL
    from aws_lambda_powertools.utilities.data_masking.provider.kms.aws_encryption_sdk import (
        KMSKeyProvider,
    )

    from vhcore.dal import aws

    provider = KMSKeyProvider.__new__(KMSKeyProvider)
    provider.json_serializer = JSON_DUMPS_CALL
    provider.json_deserializer = json.loads
    provider.client = EncryptionSDKClient()
    provider.keys = [key_arn]
    provider.cache = LocalCryptoMaterialsCache(CACHE_CAPACITY)

    class TimedKmsProvider(StrictAwsKmsMasterKeyProvider):  # type: ignore[misc]
        """Its KMS clients with the timeouts and retries of every other client (``aws.CONFIG``):
        the SDK's own config keeps botocore's 60 s connect and read timeouts."""

        def add_regional_client(self, region_name: str) -> None:
            own = vars(self)["_user_agent_adding_config"]  # set by the SDK before each client
            self._user_agent_adding_config = own.merge(aws.CONFIG)
            super().add_regional_client(region_name)

    with aws.LOCK:
        provider.key_provider = TimedKmsProvider(key_ids=[key_arn], botocore_session=session)
    provider.cache_cmm = CachingCryptoMaterialsManager(
        master_key_provider=provider.key_provider,
        cache=provider.cache,
        max_age=MAX_CACHE_AGE_SECONDS,
        max_messages_encrypted=MAX_MESSAGES_ENCRYPTED,
        max_bytes_encrypted=MAX_BYTES_ENCRYPTED,
    )
    return provider


def _masker_for(key_arn: str) -> DataMasking:
    """The masker of a key on the process's session (``dal.aws``: one per function locally)."""
    from vhcore.dal import aws

    return _masker_on(key_arn, aws.botocore_session())


@cache
def _masker_on(key_arn: str, session: botocore.session.Session) -> DataMasking:
    # Imported on first use: the Encryption SDK is heavy and only this path needs it.
    from aws_lambda_powertools.utilities.data_masking import DataMasking
    from aws_lambda_powertools.utilities.data_masking.provider.kms.aws_encryption_sdk import (
        AWSEncryptionSDKProvider,
    )

    provider = AWSEncryptionSDKProvider(
        keys=[key_arn], key_provider=_key_provider(key_arn, session)
    )
    return DataMasking(provider=provider)


class KmsCipher:
    """``vhcore.ports.Cipher`` with the house's two KMS keys. A function is given only the
    keys its role may use; asking for another is a configuration error."""

    def __init__(self, data_key_arn: str | None, contact_key_arn: str | None) -> None:
        self.keys: dict[KeyUse, str | None] = {
            "personal": data_key_arn,
            "contact": contact_key_arn,
        }

    def _masker(self, use: KeyUse) -> DataMasking:
        key_arn = self.keys[use]
        if not key_arn:
            raise ConfigurationError(f"no key for {use} data in this function")
        return _masker_for(key_arn)

    def encrypt(self, plaintext: str, registration_id: str, use: KeyUse) -> str:
        masker = self._masker(use)
        try:
            return masker.encrypt(plaintext, registration_id=registration_id)
        except Exception as exc:  # the SDK wraps KMS faults in many exception types
            raise StorageUnavailable("encrypting personal data failed") from exc

    def decrypt(self, ciphertext: str, registration_id: str, use: KeyUse) -> str:
        masker = self._masker(use)
        try:
            return str(masker.decrypt(ciphertext, registration_id=registration_id))
        except Exception as exc:
            raise StorageUnavailable("decrypting personal data failed") from exc


def _cipher() -> KmsCipher:
    from vhcore.settings import settings

    current = settings()
    return KmsCipher(current.data_key_arn, current.contact_key_arn)


def decrypt_personal_data(ciphertext: str, registration_id: str) -> dict[str, Any]:
    """The personal data of a registration (for tests and operators' tools)."""
    data: dict[str, Any] = json.loads(_cipher().decrypt(ciphertext, registration_id, "personal"))
    return data


def decrypt_contact(ciphertext: str, registration_id: str) -> str:
    """The registrant's address (for tests and operators' tools)."""
    return _cipher().decrypt(ciphertext, registration_id, "contact")
