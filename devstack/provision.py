"""Create the resources of the transformed template on a moto server, through each
service's own API (moto's CloudFormation skips or mangles too much; see TOOLING.md)."""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

import boto3

from devstack.template import ACCOUNT, REGION, Physical, Resolver, Route, http_routes, resources

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


def client(service: str, endpoint: str) -> Any:
    return boto3.client(  # type: ignore[call-overload]
        service,
        endpoint_url=endpoint,
        region_name=REGION,
        aws_access_key_id="local",
        aws_secret_access_key="local",  # noqa: S106 - the emulator's fixed dummy credentials
    )


def _register_unbuilt(resolver: Resolver, template: Mapping[str, Any]) -> None:
    """Functions and roles are not created locally (handlers run in-process), but other
    resources refer to their names and ARNs."""
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


def _collect_functions(resolver: Resolver, template: Mapping[str, Any]) -> dict[str, Any]:
    functions: dict[str, dict[str, Any]] = {}
    for logical_id, props in resources(template, "AWS::Lambda::Function").items():
        variables = props.get("Environment", {}).get("Variables", {})
        functions[logical_id] = {
            "Handler": props["Handler"],
            "Environment": {k: str(resolver.resolve(v)) for k, v in variables.items()},
        }
    return functions


# Order matters: later steps refer to what earlier ones created.
PROVISIONERS: list[Callable[[Resolver, Mapping[str, Any], str], None]] = [
    _create_keys,
    _create_tables,
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
        functions=_collect_functions(resolver, template),
        routes=http_routes(template),
    )
