"""Envelope encryption with the house's KMS keys (AWS Encryption SDK via Powertools data
masking). The registration id is the encryption context, so a ciphertext cannot be moved to
another registration unnoticed.

Two keys, two audiences:
- the data key (``DATA_KEY_ARN``) protects everything that identifies or describes a person;
  only the admin function may decrypt it;
- the contact key (``CONTACT_KEY_ARN``) protects only the registrant's work e-mail address,
  so the notify function can write back without ever seeing a betrokkene's data.
"""

from __future__ import annotations

import json
import os
from functools import cache
from typing import TYPE_CHECKING, Any

from vhcore.errors import ConfigurationError, StorageUnavailable

if TYPE_CHECKING:
    from aws_lambda_powertools.utilities.data_masking import DataMasking
    from aws_lambda_powertools.utilities.data_masking.provider.kms.aws_encryption_sdk import (
        KMSKeyProvider,
    )

DATA_KEY_ENV = "DATA_KEY_ARN"
CONTACT_KEY_ENV = "CONTACT_KEY_ARN"


def _key_provider(key_arn: str) -> KMSKeyProvider:
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
    with aws.LOCK:
        provider.key_provider = StrictAwsKmsMasterKeyProvider(
            key_ids=[key_arn], botocore_session=aws.botocore_session()
        )
    provider.cache_cmm = CachingCryptoMaterialsManager(
        master_key_provider=provider.key_provider,
        cache=provider.cache,
        max_age=MAX_CACHE_AGE_SECONDS,
        max_messages_encrypted=MAX_MESSAGES_ENCRYPTED,
        max_bytes_encrypted=MAX_BYTES_ENCRYPTED,
    )
    return provider


@cache
def _masker_for(key_arn: str) -> DataMasking:
    # Imported on first use: the Encryption SDK is heavy and only this path needs it.
    from aws_lambda_powertools.utilities.data_masking import DataMasking
    from aws_lambda_powertools.utilities.data_masking.provider.kms.aws_encryption_sdk import (
        AWSEncryptionSDKProvider,
    )

    provider = AWSEncryptionSDKProvider(keys=[key_arn], key_provider=_key_provider(key_arn))
    return DataMasking(provider=provider)


def _key(env: str) -> str:
    key_arn = os.environ.get(env)
    if not key_arn:
        raise ConfigurationError(f"{env} is not set")
    return key_arn


def _masker(env: str = DATA_KEY_ENV) -> DataMasking:
    return _masker_for(_key(env))


def _encrypt(data: Any, registration_id: str, env: str) -> str:
    try:
        return _masker(env).encrypt(data, registration_id=registration_id)
    except ConfigurationError:
        raise
    except Exception as exc:  # the SDK wraps KMS faults in many exception types
        raise StorageUnavailable("encrypting personal data failed") from exc


def _decrypt(ciphertext: str, registration_id: str, env: str) -> Any:
    try:
        return _masker(env).decrypt(ciphertext, registration_id=registration_id)
    except ConfigurationError:
        raise
    except Exception as exc:
        raise StorageUnavailable("decrypting personal data failed") from exc


def encrypt_personal_data(data: dict[str, Any], registration_id: str) -> str:
    return _encrypt(data, registration_id, DATA_KEY_ENV)


def decrypt_personal_data(ciphertext: str, registration_id: str) -> dict[str, Any]:
    result: dict[str, Any] = _decrypt(ciphertext, registration_id, DATA_KEY_ENV)
    return result


def encrypt_contact(email: str, registration_id: str) -> str:
    return _encrypt({"email": email}, registration_id, CONTACT_KEY_ENV)


def decrypt_contact(ciphertext: str, registration_id: str) -> str:
    return str(_decrypt(ciphertext, registration_id, CONTACT_KEY_ENV)["email"])
