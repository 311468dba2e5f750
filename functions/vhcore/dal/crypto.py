"""Envelope encryption with the house's KMS keys: format ``vh1`` (docs/encryption.md).

Each encryption asks KMS for a new data key (``GenerateDataKey``) bound to the registration
by the encryption context ``{"registration_id": ...}``, derives an AES-256 key and a key
commitment from it with HKDF-SHA512 and a random salt, and encrypts with AES-256-GCM. The
header (with the wrapped data key) and the encryption context are the GCM's associated data,
so a ciphertext cannot be moved to another registration, key or header unnoticed; KMS
refuses to unwrap the data key under another context or key.

A ``vh1`` ciphertext is text: ``vh1.`` and the base64url of
``version (1) | salt (32) | commitment (32) | nonce (12) | wrapped key length (2) |
wrapped key | AES-GCM ciphertext and tag``.

Ciphertexts of earlier versions (the AWS Encryption SDK through Powertools data masking,
plain base64, which never contains a ``.``) are still read: the SDK is imported only then.

Two keys, two audiences:
- the data key (setting ``DATA_KEY_ARN``) protects everything that identifies or describes a person;
  only the admin function may decrypt it;
- the contact key (setting ``CONTACT_KEY_ARN``) protects only the registrant's work e-mail address,
  so the notify function can write back without ever seeing a betrokkene's data.
"""

from __future__ import annotations

import base64
import hmac
import json
import os
import struct
from functools import cache
from typing import TYPE_CHECKING, Any, NamedTuple

from vhcore.errors import ConfigurationError, StorageUnavailable
from vhcore.ports import KeyUse

if TYPE_CHECKING:
    import botocore.session
    from aws_lambda_powertools.utilities.data_masking import DataMasking
    from aws_lambda_powertools.utilities.data_masking.provider.kms.aws_encryption_sdk import (
        KMSKeyProvider,
    )

PREFIX = "vh1."
VERSION = 1
SALT_BYTES = 32
COMMITMENT_BYTES = 32
NONCE_BYTES = 12
KEY_BYTES = 32
TAG_BYTES = 16
# version, salt, commitment, nonce, length of the wrapped data key
HEADER = struct.Struct(f">B{SALT_BYTES}s{COMMITMENT_BYTES}s{NONCE_BYTES}sH")
# A KMS ciphertext blob of a 32-byte key is ~180 bytes; anything far larger is not ours.
MAX_WRAPPED_KEY_BYTES = 1024
# HKDF's info: the format and the purpose of the derived bytes (ESDK v2 derives the same way).
INFO = b"vh1 AES-256-GCM key and commitment"


class Tampered(ValueError):
    """A ciphertext that is not what ``encrypt`` wrote (no exception text from it is logged)."""


def _context(registration_id: str) -> dict[str, str]:
    return {"registration_id": registration_id}


def _associated_data(header: bytes, context: dict[str, str]) -> bytes:
    canonical = json.dumps(context, sort_keys=True, separators=(",", ":"))
    return header + canonical.encode("utf-8")


def _derive(data_key: bytes, salt: bytes) -> tuple[bytes, bytes]:
    """The AES key and the key commitment, both from the data key and the salt."""
    from cryptography.hazmat.primitives.hashes import SHA512
    from cryptography.hazmat.primitives.kdf.hkdf import HKDF

    derived = HKDF(
        algorithm=SHA512(), length=KEY_BYTES + COMMITMENT_BYTES, salt=salt, info=INFO
    ).derive(data_key)
    return derived[:KEY_BYTES], derived[KEY_BYTES:]


def seal(data_key: bytes, wrapped_key: bytes, plaintext: str, context: dict[str, str]) -> str:
    """The ``vh1`` ciphertext of ``plaintext`` under ``data_key`` (KMS's plaintext copy of
    ``wrapped_key``). Pure: the KMS call is the caller's."""
    from cryptography.hazmat.primitives.ciphers.aead import AESGCM

    if len(wrapped_key) > MAX_WRAPPED_KEY_BYTES:
        raise ValueError("wrapped data key too long")
    salt, nonce = os.urandom(SALT_BYTES), os.urandom(NONCE_BYTES)
    key, commitment = _derive(data_key, salt)
    header = HEADER.pack(VERSION, salt, commitment, nonce, len(wrapped_key)) + wrapped_key
    body = AESGCM(key).encrypt(nonce, plaintext.encode("utf-8"), _associated_data(header, context))
    return PREFIX + base64.urlsafe_b64encode(header + body).decode("ascii")


class _Parsed(NamedTuple):
    salt: bytes
    commitment: bytes
    nonce: bytes
    header: bytes  # everything before the GCM body, the wrapped key included
    wrapped_key: bytes
    body: bytes


def _parse(ciphertext: str) -> _Parsed:
    try:
        blob = base64.urlsafe_b64decode(ciphertext.removeprefix(PREFIX).encode("ascii"))
        version, salt, commitment, nonce, length = HEADER.unpack_from(blob)
    except (ValueError, struct.error):
        raise Tampered("not a vh1 ciphertext") from None
    end = HEADER.size + length
    if version != VERSION or length > MAX_WRAPPED_KEY_BYTES or len(blob) < end + TAG_BYTES:
        raise Tampered("not a vh1 ciphertext")
    return _Parsed(salt, commitment, nonce, blob[:end], blob[HEADER.size : end], blob[end:])


def wrapped_key_of(ciphertext: str) -> bytes:
    """The KMS-wrapped data key of a ``vh1`` ciphertext (raises ``Tampered``)."""
    return _parse(ciphertext).wrapped_key


def open_sealed(data_key: bytes, parsed: _Parsed, context: dict[str, str]) -> str:
    """The plaintext of a parsed ``vh1`` ciphertext, with KMS's plaintext ``data_key`` of its
    wrapped key. Raises ``Tampered`` when the commitment, the tag or the context differ."""
    from cryptography.exceptions import InvalidTag
    from cryptography.hazmat.primitives.ciphers.aead import AESGCM

    key, commitment = _derive(data_key, parsed.salt)
    if not hmac.compare_digest(parsed.commitment, commitment):
        raise Tampered("key commitment does not match")
    try:
        plain = AESGCM(key).decrypt(
            parsed.nonce, parsed.body, _associated_data(parsed.header, context)
        )
    except InvalidTag:
        raise Tampered("authentication failed") from None
    return plain.decode("utf-8")


def _legacy_key_provider(key_arn: str, session: botocore.session.Session) -> KMSKeyProvider:
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


def legacy_masker(key_arn: str) -> DataMasking:
    """The Encryption SDK's masker of a key, on the process's session (``dal.aws``): how
    earlier versions encrypted. Only ciphertexts they wrote need it."""
    from vhcore.dal import aws

    return _legacy_masker_on(key_arn, aws.botocore_session())


@cache
def _legacy_masker_on(key_arn: str, session: botocore.session.Session) -> DataMasking:
    # Imported on first use: the Encryption SDK is heavy (~100 ms) and only old data needs it.
    from aws_lambda_powertools.utilities.data_masking import DataMasking
    from aws_lambda_powertools.utilities.data_masking.provider.kms.aws_encryption_sdk import (
        AWSEncryptionSDKProvider,
    )

    provider = AWSEncryptionSDKProvider(
        keys=[key_arn], key_provider=_legacy_key_provider(key_arn, session)
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

    def _key(self, use: KeyUse) -> str:
        key_arn = self.keys[use]
        if not key_arn:
            raise ConfigurationError(f"no key for {use} data in this function")
        return key_arn

    def encrypt(self, plaintext: str, registration_id: str, use: KeyUse) -> str:
        from vhcore.dal import aws

        key_arn, context = self._key(use), _context(registration_id)
        with aws.calling("encrypting personal data"):
            answer = aws.client("kms").generate_data_key(
                KeyId=key_arn, KeySpec="AES_256", EncryptionContext=context
            )
        return seal(answer["Plaintext"], answer["CiphertextBlob"], plaintext, context)

    def decrypt(self, ciphertext: str, registration_id: str, use: KeyUse) -> str:
        key_arn = self._key(use)
        if not ciphertext.startswith(PREFIX):
            return self._decrypt_legacy(key_arn, ciphertext, registration_id)
        from vhcore.dal import aws

        context = _context(registration_id)
        try:
            parsed = _parse(ciphertext)
            with aws.calling("decrypting personal data"):
                answer = aws.client("kms").decrypt(
                    CiphertextBlob=parsed.wrapped_key,
                    KeyId=key_arn,  # only this key: never one named by the ciphertext
                    EncryptionContext=context,
                )
            return open_sealed(answer["Plaintext"], parsed, context)
        except Tampered as exc:
            raise StorageUnavailable("decrypting personal data failed") from exc

    @staticmethod
    def _decrypt_legacy(key_arn: str, ciphertext: str, registration_id: str) -> str:
        """A ciphertext of the AWS Encryption SDK (earlier versions): read with the SDK."""
        try:
            return str(legacy_masker(key_arn).decrypt(ciphertext, registration_id=registration_id))
        except Exception as exc:  # the SDK wraps KMS faults in many exception types
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
