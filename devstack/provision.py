"""Create the resources of the transformed template on a moto server, through each
service's own API (moto's CloudFormation skips or mangles too much; see docs/tooling.md)."""

from __future__ import annotations

import json
import re
import urllib.request
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

import boto3

from devstack.edge import api_origin_headers
from vhtools.template import ACCOUNT, REGION, Physical, Resolver, Route, http_routes, resources

# DynamoDB CreateTable takes these properties as CloudFormation names them.
_TABLE_KEYS = (
    "KeySchema",
    "AttributeDefinitions",
    "BillingMode",
    "GlobalSecondaryIndexes",
    "LocalSecondaryIndexes",
    "ProvisionedThroughput",
    "StreamSpecification",
    "DeletionProtectionEnabled",
)


@dataclass
class Stack:
    """The local stack: physical names, function settings and HTTP routes."""

    endpoint: str
    resolver: Resolver
    functions: dict[str, dict[str, Any]] = field(default_factory=dict)
    routes: list[Route] = field(default_factory=list)
    # The headers CloudFront adds for the API origin (OriginCustomHeaders), resolved.
    api_origin_headers: dict[str, str] = field(default_factory=dict)

    @property
    def physical(self) -> dict[str, Physical]:
        return self.resolver.physical

    def environment(self) -> dict[str, str]:
        """The environment every function gets, merged; conflicting values are an error,
        because all handlers share one process locally."""
        merged: dict[str, str] = {}
        for logical_id, function in self.functions.items():
            for name, value in function["Environment"].items():
                if name in merged and merged[name] != value:
                    raise ValueError(
                        f"{logical_id}: environment {name}={value!r} conflicts with "
                        f"{merged[name]!r} of another function; give it its own name"
                    )
                merged[name] = value
        return merged

    def handler(self, logical_id: str) -> str:
        return str(self.functions[logical_id]["Handler"])


# The local stack's own credentials (provisioning, the event pump, seeding, tests): the
# emulator's dummy key until ``devstack.iam`` creates its administrator and enforces IAM.
CREDENTIALS = {"aws_access_key_id": "local", "aws_secret_access_key": "local"}


def client(service: str, endpoint: str) -> Any:
    return boto3.client(  # type: ignore[call-overload]
        service, endpoint_url=endpoint, region_name=REGION, **CREDENTIALS
    )


def _register_unbuilt(resolver: Resolver, template: Mapping[str, Any]) -> None:
    """Functions are not created locally (handlers run in-process), but other resources refer
    to their names and ARNs; so do they to the roles, which are created last
    (``_create_roles``: their policies name the other resources)."""
    stack = resolver.stack_name
    for logical_id in resources(template, "AWS::IAM::Role"):
        name = f"{stack}-{logical_id}"
        arn = f"arn:aws:iam::{ACCOUNT}:role/{name}"
        resolver.physical[logical_id] = Physical(name, {"Arn": arn, "RoleId": name})
    for logical_id in resources(template, "AWS::Lambda::Function"):
        name = f"{stack}-{logical_id}"
        arn = f"arn:aws:lambda:{REGION}:{ACCOUNT}:function:{name}"
        resolver.physical[logical_id] = Physical(name, {"Arn": arn})


def _create_keys(resolver: Resolver, template: Mapping[str, Any], endpoint: str) -> None:
    kms = client("kms", endpoint)
    for logical_id, props in resources(template, "AWS::KMS::Key").items():
        policy = resolver.resolve(props.get("KeyPolicy", {}))
        key = kms.create_key(
            Description=resolver.resolve(props.get("Description", logical_id)),
            KeyUsage=props.get("KeyUsage", "ENCRYPT_DECRYPT"),
            KeySpec=props.get("KeySpec", "SYMMETRIC_DEFAULT"),
            Policy=json.dumps(policy),
        )["KeyMetadata"]
        if props.get("EnableKeyRotation"):
            kms.enable_key_rotation(KeyId=key["KeyId"])
        resolver.physical[logical_id] = Physical(key["KeyId"], {"Arn": key["Arn"]})
    for logical_id, props in resources(template, "AWS::KMS::Alias").items():
        alias = resolver.resolve(props["AliasName"])
        kms.create_alias(AliasName=alias, TargetKeyId=resolver.resolve(props["TargetKeyId"]))
        resolver.physical[logical_id] = Physical(alias)


def _create_tables(resolver: Resolver, template: Mapping[str, Any], endpoint: str) -> None:
    dynamodb = client("dynamodb", endpoint)
    for logical_id, declared in resources(template, "AWS::DynamoDB::Table").items():
        props = resolver.resolve(declared)
        name = props.get("TableName") or f"{resolver.stack_name}-{logical_id}"
        args: dict[str, Any] = {k: props[k] for k in _TABLE_KEYS if k in props}
        if "StreamSpecification" in args:
            # CloudFormation's StreamSpecification has only the view type; the API also
            # wants the switch.
            args["StreamSpecification"] = {"StreamEnabled": True, **args["StreamSpecification"]}
        sse = props.get("SSESpecification")
        if sse:
            args["SSESpecification"] = {
                "Enabled": bool(sse.get("SSEEnabled")),
                **({"SSEType": sse["SSEType"]} if "SSEType" in sse else {}),
                **({"KMSMasterKeyId": sse["KMSMasterKeyId"]} if "KMSMasterKeyId" in sse else {}),
            }
        table = dynamodb.create_table(TableName=name, **args)["TableDescription"]
        ttl = props.get("TimeToLiveSpecification")
        if ttl and ttl.get("Enabled"):
            dynamodb.update_time_to_live(
                TableName=name,
                TimeToLiveSpecification={"Enabled": True, "AttributeName": ttl["AttributeName"]},
            )
        pitr = props.get("PointInTimeRecoverySpecification", {})
        if pitr.get("PointInTimeRecoveryEnabled"):
            dynamodb.update_continuous_backups(
                TableName=name,
                PointInTimeRecoverySpecification={"PointInTimeRecoveryEnabled": True},
            )
        attributes = {"Arn": table["TableArn"]}
        if "LatestStreamArn" in table:
            attributes["StreamArn"] = table["LatestStreamArn"]
        resolver.physical[logical_id] = Physical(name, attributes)


# SQS CreateQueue attributes, from the CloudFormation property of the same name.
_QUEUE_ATTRIBUTES = (
    "DelaySeconds",
    "MaximumMessageSize",
    "MessageRetentionPeriod",
    "ReceiveMessageWaitTimeSeconds",
    "VisibilityTimeout",
    "FifoQueue",
    "ContentBasedDeduplication",
    "DeduplicationScope",
    "FifoThroughputLimit",
    "KmsMasterKeyId",
    "KmsDataKeyReusePeriodSeconds",
    "SqsManagedSseEnabled",
    "RedrivePolicy",
    "RedriveAllowPolicy",
)


def _attribute_value(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, dict | list):
        return json.dumps(value)
    return str(value)


def _create_queues(resolver: Resolver, template: Mapping[str, Any], endpoint: str) -> None:
    """Queues in reference order: a queue whose RedrivePolicy names another queue is created
    after that one (moto checks that the dead-letter queue exists)."""
    sqs = client("sqs", endpoint)
    pending = resources(template, "AWS::SQS::Queue")
    while pending:
        progressed = False
        for logical_id, declared in list(pending.items()):
            try:
                props = resolver.resolve(declared)
            except KeyError:
                continue  # refers to a queue not created yet
            name = props.get("QueueName") or f"{resolver.stack_name}-{logical_id}"
            if props.get("FifoQueue") and not name.endswith(".fifo"):
                name += ".fifo"
            attributes = {
                key: _attribute_value(props[key]) for key in _QUEUE_ATTRIBUTES if key in props
            }
            url = sqs.create_queue(QueueName=name, Attributes=attributes)["QueueUrl"]
            arn = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])["Attributes"][
                "QueueArn"
            ]
            resolver.physical[logical_id] = Physical(
                url, {"Arn": arn, "QueueName": name, "QueueUrl": url}
            )
            del pending[logical_id]
            progressed = True
        if not progressed:
            raise KeyError(f"queues refer to something not created locally: {sorted(pending)}")


def enable_state_machine_execution(endpoint: str) -> None:
    """moto only records executions unless told to run them (docs/tooling.md). Must happen before
    the state machines are created: executing ones live in another moto backend."""
    request = urllib.request.Request(  # noqa: S310 - the local emulator, http on loopback
        f"{endpoint}/moto-api/config",
        data=json.dumps({"stepfunctions": {"execute_state_machine": True}}).encode(),
        headers={"Content-Type": "application/json"},
        method="POST",
    )
    with urllib.request.urlopen(request, timeout=10) as response:  # noqa: S310
        response.read()


def _definition(resolver: Resolver, props: Mapping[str, Any]) -> str:
    """The definition as AWS runs it: ``${Name}`` placeholders replaced by the resolved
    DefinitionSubstitutions (moto's CloudFormation does not apply them)."""
    if "DefinitionString" in props:
        text = str(resolver.resolve(props["DefinitionString"]))
    else:
        text = json.dumps(resolver.resolve(props["Definition"]))
    substitutions = {
        name: str(resolver.resolve(value))
        for name, value in (props.get("DefinitionSubstitutions") or {}).items()
    }

    def replace(match: re.Match[str]) -> str:
        name = match.group(1)
        if name not in substitutions:
            raise KeyError(f"definition placeholder ${{{name}}} has no DefinitionSubstitution")
        return substitutions[name]

    # Placeholders only, never JSONPath or intrinsic functions (which use "$." and "States.").
    return re.sub(r"\$\{([A-Za-z0-9_]+)\}", replace, text)


def _create_state_machines(resolver: Resolver, template: Mapping[str, Any], endpoint: str) -> None:
    machines = resources(template, "AWS::StepFunctions::StateMachine")
    if not machines:
        return
    enable_state_machine_execution(endpoint)
    sfn = client("stepfunctions", endpoint)
    for logical_id, props in machines.items():
        name = props.get("StateMachineName") or f"{resolver.stack_name}-{logical_id}"
        definition = _definition(resolver, props)
        json.loads(definition)  # a placeholder left in the wrong place shows up here
        arn = sfn.create_state_machine(
            name=name,
            definition=definition,
            roleArn=str(resolver.resolve(props["RoleArn"])),
            type=props.get("StateMachineType", "STANDARD"),
        )["stateMachineArn"]
        resolver.physical[logical_id] = Physical(arn, {"Arn": arn, "Name": name})


# Parameters that name the address e-mails are sent from: SES only sends from a verified
# identity, so the local stack verifies it (in AWS, verifying is a one-time manual step).
SENDER_PARAMETERS = ("SenderEmail",)


def _create_email(resolver: Resolver, template: Mapping[str, Any], endpoint: str) -> None:
    """Configuration sets (CloudFormation's SES and SESV2 types take the same options) and
    the sending identities, through the SES v2 API the functions use."""
    sesv2 = client("sesv2", endpoint)
    sets = resources(template, "AWS::SES::ConfigurationSet")
    sets.update(resources(template, "AWS::SESV2::ConfigurationSet"))
    for logical_id, declared in sets.items():
        props = resolver.resolve(declared)
        name = props.get("Name") or f"{resolver.stack_name}-{logical_id}"
        options = {
            key: props[key]
            for key in (
                "DeliveryOptions",
                "ReputationOptions",
                "SendingOptions",
                "SuppressionOptions",
                "TrackingOptions",
            )
            if key in props
        }
        sesv2.create_configuration_set(ConfigurationSetName=name, **options)
        resolver.physical[logical_id] = Physical(name)
    identities = [resolver.ref(p) for p in SENDER_PARAMETERS if p in template.get("Parameters", {})]
    for logical_id, declared in resources(template, "AWS::SES::EmailIdentity").items():
        identity = str(resolver.resolve(declared["EmailIdentity"]))
        identities.append(identity)
        resolver.physical[logical_id] = Physical(identity)
    for identity in dict.fromkeys(identities):
        if identity:
            sesv2.create_email_identity(EmailIdentity=identity)


# CreateUserPool takes these CloudFormation properties under the same name (UserPoolName is
# PoolName there; EnabledMfas is SetUserPoolMfaConfig's business).
_USER_POOL_KEYS = (
    "Policies",
    "DeletionProtection",
    "LambdaConfig",
    "AutoVerifiedAttributes",
    "AliasAttributes",
    "UsernameAttributes",
    "SmsVerificationMessage",
    "EmailVerificationMessage",
    "EmailVerificationSubject",
    "VerificationMessageTemplate",
    "SmsAuthenticationMessage",
    "MfaConfiguration",
    "UserAttributeUpdateSettings",
    "DeviceConfiguration",
    "EmailConfiguration",
    "SmsConfiguration",
    "UserPoolTags",
    "AdminCreateUserConfig",
    "Schema",
    "UserPoolAddOns",
    "UsernameConfiguration",
    "AccountRecoverySetting",
    "UserPoolTier",
)
# CreateUserPoolClient, likewise.
_CLIENT_KEYS = (
    "GenerateSecret",
    "RefreshTokenValidity",
    "RefreshTokenRotation",
    "AccessTokenValidity",
    "IdTokenValidity",
    "TokenValidityUnits",
    "ReadAttributes",
    "WriteAttributes",
    "ExplicitAuthFlows",
    "SupportedIdentityProviders",
    "CallbackURLs",
    "LogoutURLs",
    "DefaultRedirectURI",
    "AllowedOAuthFlows",
    "AllowedOAuthScopes",
    "AllowedOAuthFlowsUserPoolClient",
    "AnalyticsConfiguration",
    "PreventUserExistenceErrors",
    "EnableTokenRevocation",
    "EnablePropagateAdditionalUserContextData",
    "AuthSessionValidity",
)


def _create_user_pools(resolver: Resolver, template: Mapping[str, Any], endpoint: str) -> None:
    """Cognito user pools with their domains, clients and groups (moto's CloudFormation skips
    Cognito altogether).

    Created exactly as declared. Notes on what the emulator does with it (docs/tooling.md): it
    stores MfaConfiguration but never asks for a code, and it does not enforce a client's
    ExplicitAuthFlows, so the local sign-in page (``devstack.loginpage``) can use
    USER_PASSWORD_AUTH without adding ALLOW_USER_PASSWORD_AUTH to the client."""
    idp = client("cognito-idp", endpoint)
    for logical_id, declared in resources(template, "AWS::Cognito::UserPool").items():
        props = resolver.resolve(declared)
        name = props.get("UserPoolName") or f"{resolver.stack_name}-{logical_id}"
        args = {key: props[key] for key in _USER_POOL_KEYS if key in props}
        pool = idp.create_user_pool(PoolName=name, **args)["UserPool"]
        pool_id = pool["Id"]
        if "SOFTWARE_TOKEN_MFA" in (props.get("EnabledMfas") or []):
            idp.set_user_pool_mfa_config(
                UserPoolId=pool_id,
                SoftwareTokenMfaConfiguration={"Enabled": True},
                MfaConfiguration=props.get("MfaConfiguration", "OFF"),
            )
        provider = f"cognito-idp.{REGION}.amazonaws.com/{pool_id}"
        resolver.physical[logical_id] = Physical(
            pool_id,
            {
                "Arn": pool["Arn"],
                "ProviderName": provider,
                "ProviderURL": f"https://{provider}",
                "UserPoolId": pool_id,
            },
        )
    for logical_id, declared in resources(template, "AWS::Cognito::UserPoolDomain").items():
        props = resolver.resolve(declared)
        domain = idp.create_user_pool_domain(Domain=props["Domain"], UserPoolId=props["UserPoolId"])
        resolver.physical[logical_id] = Physical(
            props["Domain"], {"CloudFrontDistribution": domain.get("CloudFrontDomain", "")}
        )
    for logical_id, declared in resources(template, "AWS::Cognito::UserPoolClient").items():
        props = resolver.resolve(declared)
        name = props.get("ClientName") or f"{resolver.stack_name}-{logical_id}"
        args = {key: props[key] for key in _CLIENT_KEYS if key in props}
        created = idp.create_user_pool_client(
            UserPoolId=props["UserPoolId"], ClientName=name, **args
        )["UserPoolClient"]
        attributes = {"ClientId": created["ClientId"], "Name": name}
        if created.get("ClientSecret"):
            attributes["ClientSecret"] = created["ClientSecret"]
        resolver.physical[logical_id] = Physical(created["ClientId"], attributes)
    for logical_id, declared in resources(template, "AWS::Cognito::UserPoolGroup").items():
        props = resolver.resolve(declared)
        name = props.get("GroupName") or f"{resolver.stack_name}-{logical_id}"
        args = {key: props[key] for key in ("Description", "Precedence", "RoleArn") if key in props}
        idp.create_group(UserPoolId=props["UserPoolId"], GroupName=name, **args)
        resolver.physical[logical_id] = Physical(name)


def _create_roles(resolver: Resolver, template: Mapping[str, Any], endpoint: str) -> None:
    """The roles with their inline policies, as declared (``devstack.iam`` gives each function
    its role's credentials). AWS managed policies are not attached: moto does not have them,
    and what they grant (logs, X-Ray, the pollers' reads of queues and streams) is not called
    with a function's credentials locally."""
    iam = client("iam", endpoint)
    for logical_id, declared in resources(template, "AWS::IAM::Role").items():
        props = resolver.resolve(declared)
        name = resolver.physical[logical_id].ref
        iam.create_role(
            RoleName=name,
            AssumeRolePolicyDocument=json.dumps(props["AssumeRolePolicyDocument"]),
            MaxSessionDuration=int(props.get("MaxSessionDuration", 3600)),
        )
        for policy in props.get("Policies", []):
            # SAM writes no Version; AWS then reads 2008-10-17 (no policy variables, none
            # used), moto wants one.
            document = {"Version": "2012-10-17", **policy["PolicyDocument"]}
            iam.put_role_policy(
                RoleName=name, PolicyName=policy["PolicyName"], PolicyDocument=json.dumps(document)
            )


# GenerateSecretString's options that GetRandomPassword takes as they are.
_PASSWORD_OPTIONS = (
    "PasswordLength",
    "ExcludeCharacters",
    "ExcludeNumbers",
    "ExcludePunctuation",
    "ExcludeUppercase",
    "ExcludeLowercase",
    "IncludeSpace",
    "RequireEachIncludedType",
)


def _create_secrets(resolver: Resolver, template: Mapping[str, Any], endpoint: str) -> None:
    """Secrets as CloudFormation creates them: a generated value (the template's
    ``GenerateSecretString``) unless the template gives one."""
    secretsmanager = client("secretsmanager", endpoint)
    for logical_id, declared in resources(template, "AWS::SecretsManager::Secret").items():
        props = resolver.resolve(declared)
        generate = props.get("GenerateSecretString")
        if generate and {"SecretStringTemplate", "GenerateStringKey"} & set(generate):
            raise ValueError(f"{logical_id}: JSON secrets are not generated locally")
        value = (
            props.get("SecretString")
            or secretsmanager.get_random_password(
                **{key: generate[key] for key in _PASSWORD_OPTIONS if key in (generate or {})}
            )["RandomPassword"]
        )
        created = secretsmanager.create_secret(
            Name=props.get("Name") or f"{resolver.stack_name}-{logical_id}",
            Description=props.get("Description", ""),
            SecretString=value,
        )
        resolver.physical[logical_id] = Physical(created["ARN"], {"Id": created["ARN"]})


_DYNAMIC = re.compile(r"\{\{resolve:secretsmanager:(?P<reference>[^{}]+)\}\}")
_SECRET_ID = re.compile(
    r"^(?P<id>arn:[\w-]+:secretsmanager:[\w-]+:\d{12}:secret:[^:]+|[^:]+)(?::(?P<rest>.*))?$"
)


def resolve_dynamic_references(text: str, endpoint: str) -> str:
    """``{{resolve:secretsmanager:<id>}}`` (the whole secret string) replaced by the
    secret's value, read from the emulator as CloudFormation reads it at deploy time. A JSON
    key, version stage or version id is not supported locally: an error, not a guess."""

    def value(match: re.Match[str]) -> str:
        found = _SECRET_ID.match(match.group("reference"))
        rest = (found.group("rest") or "") if found else "?"
        if found is None or rest.rstrip(":") not in ("", "SecretString"):
            raise ValueError(f"dynamic reference not supported locally: {match.group(0)}")
        secret = client("secretsmanager", endpoint).get_secret_value(SecretId=found.group("id"))
        return str(secret["SecretString"])

    return _DYNAMIC.sub(value, text)


def _collect_functions(
    resolver: Resolver, template: Mapping[str, Any], endpoint: str
) -> dict[str, Any]:
    functions: dict[str, dict[str, Any]] = {}
    for logical_id, props in resources(template, "AWS::Lambda::Function").items():
        variables = props.get("Environment", {}).get("Variables", {})
        functions[logical_id] = {
            "Handler": props["Handler"],
            "Role": str(resolver.resolve(props["Role"])),
            "Environment": {
                k: resolve_dynamic_references(str(resolver.resolve(v)), endpoint)
                for k, v in variables.items()
            },
        }
    return functions


# Order matters: later steps refer to what earlier ones created.
PROVISIONERS: list[Callable[[Resolver, Mapping[str, Any], str], None]] = [
    _create_keys,
    _create_secrets,
    _create_tables,
    _create_queues,
    _create_email,
    _create_user_pools,
    _create_state_machines,
    _create_roles,
]


def provision(
    template: Mapping[str, Any],
    endpoint: str,
    parameters: Mapping[str, str] | None = None,
    stack_name: str = "vh-local",
) -> Stack:
    """Create every resource the local stack needs from the transformed template."""
    resolver = Resolver(template, dict(parameters or {}), stack_name=stack_name)
    _register_unbuilt(resolver, template)
    for step in PROVISIONERS:
        step(resolver, template, endpoint)
    return Stack(
        endpoint=endpoint,
        resolver=resolver,
        functions=_collect_functions(resolver, template, endpoint),
        routes=http_routes(template),
        api_origin_headers={
            name: resolve_dynamic_references(value, endpoint)
            for name, value in api_origin_headers(template, resolver).items()
        },
    )
