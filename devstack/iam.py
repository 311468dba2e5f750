"""IAM enforced locally as in AWS: each function calls the emulator with the credentials of its
own role from the template, and moto authorizes every call against the role's policies.

- Provisioning (``devstack.provision``) runs unauthenticated and creates the roles with their
  inline policies; then ``LocalStackIdentity.create`` makes the stack's own administrator (an
  IAM user allowed everything: provisioning a copy, the event pump's polling, the clock,
  seeding, tests) and ``enforce`` switches moto's authorization on for the whole process.
- The gateway and the event pump run a handler inside ``running_as(function)``: the product's
  sessions (``vhcore.dal.aws.set_session_source``) then carry the credentials of
  ``sts:AssumeRole`` on that function's role (``FunctionSessions``); outside any function
  the administrator's. A call the role does not allow answers 403 AccessDenied, which the
  product maps to ``StorageUnavailable`` as it would in AWS.
- Step Functions executions call the emulator with moto's fixed key ``ak``: that key belongs
  to a user that holds the state machine role's policies (``workflow_key``).

What moto checks (docs/tooling.md): the action, and the resource for SQS only (others pass
``*``); conditions it cannot evaluate pass. The template test checks the resources. moto
does not evaluate KMS key policies, nor the trust policy of an assumed role.
"""

from __future__ import annotations

import functools
import json
import uuid
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from typing import Any

import botocore.session

from devstack.provision import CREDENTIALS, Stack, client
from vhtools.template import ACCOUNT, resources

# The function whose handler runs in this thread (its logical id); None outside any function.
_function: ContextVar[str | None] = ContextVar("devstack_function", default=None)

# The longest session AssumeRole gives: the local stack never renews one (moto does not hold
# it to the role's MaxSessionDuration, nor do its credentials expire).
SESSION_SECONDS = 12 * 3600
# The access key moto's Step Functions executions sign their service integrations with.
WORKFLOW_KEY = ("ak", "sk")

ALLOW_EVERYTHING = {
    "Version": "2012-10-17",
    "Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"}],
}


@contextmanager
def running_as(function: str) -> Iterator[None]:
    """Calls made in this thread inside the block use ``function``'s role."""
    token = _function.set(function)
    try:
        yield
    finally:
        _function.reset(token)


@dataclass
class LocalStackIdentity:
    """The stack's own IAM user (everything allowed) and its access key."""

    user: str
    access_key_id: str
    secret_access_key: str

    @classmethod
    def create(cls, endpoint: str) -> LocalStackIdentity:
        iam = client("iam", endpoint)
        user = f"devstack-{uuid.uuid4().hex[:8]}"
        iam.create_user(UserName=user)
        iam.put_user_policy(
            UserName=user, PolicyName="everything", PolicyDocument=json.dumps(ALLOW_EVERYTHING)
        )
        key = iam.create_access_key(UserName=user)["AccessKey"]
        return cls(user, key["AccessKeyId"], key["SecretAccessKey"])

    def credentials(self) -> dict[str, str]:
        return {
            "aws_access_key_id": self.access_key_id,
            "aws_secret_access_key": self.secret_access_key,
        }

    def use(self) -> dict[str, str]:
        """From now on the stack's own clients (``devstack.provision.client``) sign with this
        key; the returned variables do so for clients that read the environment (tests)."""
        CREDENTIALS.update(self.credentials())
        return {
            "AWS_ACCESS_KEY_ID": self.access_key_id,
            "AWS_SECRET_ACCESS_KEY": self.secret_access_key,
        }


def workflow_key(template: Mapping[str, Any], stack: Stack) -> None:
    """Give moto's fixed key ``ak`` (its Step Functions executions' service integrations) the
    policies of the state machines' roles, through a user that holds copies of them. One key
    for the process: a second local system in the same process finds it made."""
    from moto.iam.models import iam_backends

    backend = iam_backends[ACCOUNT]["aws"]
    if any(key.access_key_id == WORKFLOW_KEY[0] for key in backend.access_keys.values()):
        return
    iam = client("iam", stack.endpoint)
    user = f"{stack.resolver.stack_name}-state-machines"
    iam.create_user(UserName=user)
    for props in resources(template, "AWS::StepFunctions::StateMachine").values():
        role = str(stack.resolver.resolve(props["RoleArn"])).rsplit("/", 1)[-1]
        for name in iam.list_role_policies(RoleName=role)["PolicyNames"]:
            document = iam.get_role_policy(RoleName=role, PolicyName=name)["PolicyDocument"]
            iam.put_user_policy(
                UserName=user,
                PolicyName=f"{role}-{name}",
                PolicyDocument=document if isinstance(document, str) else json.dumps(document),
            )
    key = backend.create_access_key(user)
    key.access_key_id, key.secret_access_key = WORKFLOW_KEY


class FunctionSessions:
    """``vhcore.dal.aws``'s session source locally: per function a botocore session with its
    role's credentials; outside any function the stack's own.

    The roles are assumed when this is made, before IAM is enforced: moto would then check
    the roles' trust policies, and fails on a service principal (``lambda.amazonaws.com``)."""

    def __init__(self, stack: Stack, identity: LocalStackIdentity) -> None:
        self._sessions: dict[str | None, botocore.session.Session] = {
            None: _session(identity.access_key_id, identity.secret_access_key)
        }
        sts = client("sts", stack.endpoint)
        for function, settings in stack.functions.items():
            assumed = sts.assume_role(
                RoleArn=settings["Role"], RoleSessionName=function, DurationSeconds=SESSION_SECONDS
            )["Credentials"]
            self._sessions[function] = _session(
                assumed["AccessKeyId"], assumed["SecretAccessKey"], assumed["SessionToken"]
            )

    def __call__(self) -> botocore.session.Session:
        return self._sessions[_function.get()]


def _session(key: str, secret: str, token: str | None = None) -> botocore.session.Session:
    session = botocore.session.get_session()
    session.set_credentials(key, secret, token)
    return session


# DynamoDB's transactions have no IAM action of their own: AWS authorizes each item's action.
_ITEM_ACTIONS = {
    "Put": "PutItem",
    "Update": "UpdateItem",
    "Delete": "DeleteItem",
    "ConditionCheck": "ConditionCheckItem",
    "Get": "GetItem",
}
_patched = False


def _patch_moto_authorization() -> None:
    """Two corrections to moto's authorization, once per process:

    - moto passes the resource ``*`` for most services (it does not work out which table or
      key a call is for), and ``*`` matches no statement that names a resource: an allowed
      call would be refused. Locally the check is on the action when the resource is unknown
      (``tests/infrastructure/test_template.py`` checks the resources).
    - moto authorizes ``dynamodb:TransactWriteItems`` (an action IAM does not have); AWS
      authorizes each item's action (PutItem, ConditionCheckItem, ...).
    - moto checks the signature of a request without a body (a REST GET) over the parameters
      it parsed from the path instead of the empty body, and refuses a correct signature.
      (A form POST's body is those parameters: it stays as moto has it.)"""
    global _patched  # noqa: PLW0603 - patched once per process
    if _patched:
        return
    from moto.dynamodb.responses import DynamoHandler
    from moto.iam.access_control import IAMPolicyStatement, IAMRequestBase

    matches = IAMPolicyStatement._check_element_matches

    def matches_unknown_resource(self: IAMPolicyStatement, element: Any, value: str) -> bool:
        return (element == "Resource" and value == "*") or matches(self, element, value)

    original = DynamoHandler._authenticate_and_authorize_normal_action

    def per_item(self: Any, resource: str = "*") -> None:
        action = self._get_action()
        if action not in ("TransactWriteItems", "TransactGetItems"):
            return original(self, resource)
        items = getattr(self, "params", {}).get("TransactItems") or []
        for name in sorted({_ITEM_ACTIONS[kind] for item in items for kind in item}):
            self._get_action = functools.partial(str, name)
            try:
                original(self, resource)
            finally:
                del self._get_action
        return None

    request = IAMRequestBase._create_aws_request

    def request_as_signed(self: IAMRequestBase) -> Any:
        signed = request(self)
        if self._method in ("GET", "HEAD", "DELETE") and not self._body:
            signed.data = b""
        return signed

    IAMRequestBase._create_aws_request = request_as_signed  # type: ignore[method-assign]
    IAMPolicyStatement._check_element_matches = matches_unknown_resource  # type: ignore[method-assign,assignment]
    DynamoHandler._authenticate_and_authorize_normal_action = per_item  # type: ignore[method-assign]
    _patched = True


def enforce(on: bool) -> None:
    """Switch moto's IAM authorization on (every request is signature-checked and authorized)
    or off, for every emulator in this process."""
    from moto import settings

    _patch_moto_authorization()
    settings.INITIAL_NO_AUTH_ACTION_COUNT = 0.0 if on else float("inf")
