"""The dev users of the local stack: one per group of the template's user pool, with a strong
password that is generated once and then kept (``make dev``) or fresh per run (tests)."""

from __future__ import annotations

import json
import secrets
from pathlib import Path
from typing import Any

from devstack.provision import Stack, client
from vhtools.template import resources


def dev_password() -> str:
    """Strong, and meets any Cognito password policy: upper, lower, digit, symbol, 28+."""
    return f"{secrets.token_urlsafe(21)}!Vh7"


def _stored_passwords(path: Path | None) -> dict[str, str]:
    if path is None or not path.is_file():
        return {}
    stored: Any = json.loads(path.read_text(encoding="utf-8"))
    return {str(k): str(v) for k, v in stored.items()} if isinstance(stored, dict) else {}


def _store_passwords(path: Path, passwords: dict[str, str]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.touch(mode=0o600, exist_ok=True)
    path.chmod(0o600)
    path.write_text(json.dumps(passwords, indent=2) + "\n", encoding="utf-8")


def staff_pool(stack: Stack) -> tuple[str, str]:
    """(logical id, pool id) of the user pool the template's groups belong to."""
    template = stack.resolver.template
    pools = resources(template, "AWS::Cognito::UserPool")
    if len(pools) != 1:
        raise ValueError(f"the local sign-in expects one user pool, the template has {len(pools)}")
    logical_id = next(iter(pools))
    return logical_id, stack.physical[logical_id].ref


def seed_staff_users(
    stack: Stack, house: str, password_file: Path | None = None
) -> dict[str, tuple[str, str]]:
    """One confirmed user per group of the template's pool, in that group only, with a
    permanent password: group -> (username, password). With ``password_file`` a password is
    generated once and kept there (mode 0600, under the git-ignored ``.cache/``), so a browser's
    password manager keeps working across ``make dev`` runs."""
    _, pool_id = staff_pool(stack)
    idp = client("cognito-idp", stack.endpoint)
    stored = _stored_passwords(password_file)
    users: dict[str, tuple[str, str]] = {}
    for logical_id in resources(stack.resolver.template, "AWS::Cognito::UserPoolGroup"):
        group = stack.physical[logical_id].ref
        username = f"{group}@{house}.example.org"
        password = stored.get(username) or dev_password()
        idp.admin_create_user(
            UserPoolId=pool_id,
            Username=username,
            UserAttributes=[
                {"Name": "email", "Value": username},
                {"Name": "email_verified", "Value": "true"},
            ],
            MessageAction="SUPPRESS",
        )
        idp.admin_set_user_password(
            UserPoolId=pool_id, Username=username, Password=password, Permanent=True
        )
        idp.admin_add_user_to_group(UserPoolId=pool_id, Username=username, GroupName=group)
        users[group] = (username, password)
    if password_file is not None:
        wanted = dict(users.values())
        if wanted != {k: stored[k] for k in wanted if k in stored}:
            _store_passwords(password_file, {**stored, **wanted})
    return users
