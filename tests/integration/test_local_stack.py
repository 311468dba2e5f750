"""The local stack creates what infra/template.yaml declares, and nothing hand-written."""

from __future__ import annotations

from pathlib import Path

import boto3
import yaml
from moto.server import ThreadedMotoServer

from devstack.provision import provision
from devstack.stack import LocalSystem
from vhtools.template import TEMPLATE, resources, transformed


class _Loader(yaml.SafeLoader):
    """Reads CloudFormation short forms (!Ref, !GetAtt, !Sub) back as mappings."""


def _intrinsic(loader: yaml.SafeLoader, suffix: str, node: yaml.Node) -> dict[str, object]:
    name = {"Ref": "Ref"}.get(suffix, f"Fn::{suffix}")
    if isinstance(node, yaml.ScalarNode):
        value: object = loader.construct_scalar(node)
        if suffix == "GetAtt":
            value = str(value).split(".", 1)
    elif isinstance(node, yaml.SequenceNode):
        value = loader.construct_sequence(node, deep=True)
    else:
        value = loader.construct_mapping(node, deep=True)  # type: ignore[arg-type]
    return {name: value}


_Loader.add_multi_constructor("!", _intrinsic)


def test_every_table_of_the_template_exists_with_its_keys(local_system: LocalSystem) -> None:
    dynamodb = boto3.client("dynamodb", endpoint_url=local_system.endpoint)
    for logical_id, props in resources(transformed(), "AWS::DynamoDB::Table").items():
        table = dynamodb.describe_table(TableName=local_system.stack.physical[logical_id].ref)
        assert table["Table"]["KeySchema"] == props["KeySchema"]
        indexes = {
            i["IndexName"]: i["KeySchema"] for i in table["Table"].get("GlobalSecondaryIndexes", [])
        }
        assert indexes == {
            i["IndexName"]: i["KeySchema"] for i in props.get("GlobalSecondaryIndexes", [])
        }
        ttl = dynamodb.describe_time_to_live(TableName=local_system.stack.physical[logical_id].ref)
        assert (
            ttl["TimeToLiveDescription"]["AttributeName"]
            == props["TimeToLiveSpecification"]["AttributeName"]
        )


def test_the_functions_get_the_environment_the_template_gives_them(
    local_system: LocalSystem,
) -> None:
    environment = local_system.stack.environment()
    assert (
        environment["REGISTRATIONS_TABLE"] == local_system.stack.physical["RegistrationsTable"].ref
    )
    assert environment["DATA_KEY_ARN"] == local_system.stack.physical["DataKey"].attributes["Arn"]
    assert environment["VH_HOUSE"] == "voorbeeldregio"


def test_changing_a_key_schema_in_the_template_changes_what_is_created(tmp_path: Path) -> None:
    document = yaml.load(TEMPLATE.read_text(encoding="utf-8"), Loader=_Loader)  # noqa: S506
    table = document["Resources"]["RegistrationsTable"]["Properties"]
    # The table's own key is replaced; the indexes keep the attributes they name.
    index_keys = {
        key["AttributeName"]
        for index in table.get("GlobalSecondaryIndexes", [])
        for key in index["KeySchema"]
    }
    table["AttributeDefinitions"] = [
        {"AttributeName": "case_id", "AttributeType": "S"},
        *(
            definition
            for definition in table["AttributeDefinitions"]
            if definition["AttributeName"] in index_keys
        ),
    ]
    table["KeySchema"] = [{"AttributeName": "case_id", "KeyType": "HASH"}]
    changed = tmp_path / "infra" / "template.yaml"
    changed.parent.mkdir()
    changed.write_text(yaml.safe_dump(document), encoding="utf-8")

    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    try:
        host, port = server.get_host_and_port()
        endpoint = f"http://{host}:{port}"
        # moto keeps one state per process: a stack name of its own avoids the main stack.
        stack = provision(transformed(changed), endpoint, stack_name="vh-drift")
        dynamodb = boto3.client("dynamodb", endpoint_url=endpoint)
        described = dynamodb.describe_table(TableName=stack.physical["RegistrationsTable"].ref)
        assert described["Table"]["KeySchema"] == [{"AttributeName": "case_id", "KeyType": "HASH"}]
    finally:
        server.stop()


def test_the_gateway_routes_come_from_the_template(local_system: LocalSystem) -> None:
    routes = {(r.method, r.path): r.function for r in local_system.stack.routes}
    assert routes[("POST", "/api/registrations")] == "IntakeFunction"
    assert local_system.stack.handler("IntakeFunction") == "intake.intake_handler.handler"
