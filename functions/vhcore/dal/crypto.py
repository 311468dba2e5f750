"""Envelope encryption of personal data with the house's KMS key (AWS Encryption SDK via
Powertools data masking). The registration id is the encryption context, so a ciphertext
cannot be moved to another registration unnoticed."""

from __future__ import annotations

import os
from functools import cache
from typing import TYPE_CHECKING, Any

from vhcore.errors import ConfigurationError, StorageUnavailable

if TYPE_CHECKING:
    from aws_lambda_powertools.utilities.data_masking import DataMasking

KEY_ENV = "DATA_KEY_ARN"


@cache
def _masker() -> DataMasking:
    # Imported on first use: the Encryption SDK is heavy and only this path needs it.
    from aws_lambda_powertools.utilities.data_masking import DataMasking
    from aws_lambda_powertools.utilities.data_masking.provider.kms.aws_encryption_sdk import (
        AWSEncryptionSDKProvider,
    )

    key_arn = os.environ.get(KEY_ENV)
    if not key_arn:
        raise ConfigurationError(f"{KEY_ENV} is not set")
    return DataMasking(provider=AWSEncryptionSDKProvider(keys=[key_arn]))


def encrypt_personal_data(data: dict[str, Any], registration_id: str) -> str:
    try:
        return _masker().encrypt(data, registration_id=registration_id)
    except ConfigurationError:
        raise
    except Exception as exc:  # the SDK wraps KMS faults in many exception types
        raise StorageUnavailable("encrypting personal data failed") from exc


def decrypt_personal_data(ciphertext: str, registration_id: str) -> dict[str, Any]:
    try:
        result: dict[str, Any] = _masker().decrypt(ciphertext, registration_id=registration_id)
    except ConfigurationError:
        raise
    except Exception as exc:
        raise StorageUnavailable("decrypting personal data failed") from exc
    return result
