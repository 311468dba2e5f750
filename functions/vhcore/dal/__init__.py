"""Data access: the only layer that talks to AWS services."""

from __future__ import annotations


def reset_clients() -> None:
    """Forget cached clients and keys, e.g. when the local stack points the process at a new
    emulator. Deployed functions never need this: their settings do not change."""
    from vhcore.dal import aws, crypto, idempotency
    from vhcore.house import current_house
    from vhcore.settings import settings

    aws._client.cache_clear()
    aws._session.cache_clear()
    aws._process_botocore_session.cache_clear()
    crypto._legacy_masker_on.cache_clear()
    idempotency._persistence_layer.cache_clear()
    idempotency._guarded_on.cache_clear()
    settings.cache_clear()
    current_house.cache_clear()
