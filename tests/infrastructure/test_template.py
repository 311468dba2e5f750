"""Checks on the transformed template: what AWS will create, before it is deployed."""

from __future__ import annotations

from typing import Any

from devstack.template import http_routes, resources, transformed


def statements(role: dict[str, Any]) -> list[dict[str, Any]]:
    return [
        statement
        for policy in role.get("Policies", [])
        for statement in policy["PolicyDocument"]["Statement"]
    ]


def test_the_intake_route_is_served_by_the_intake_function() -> None:
    routes = {(r.method, r.path): r.function for r in http_routes(transformed())}
    assert routes[("POST", "/api/registrations")] == "IntakeFunction"


def test_every_function_runs_arm64_on_a_current_python_with_tracing() -> None:
    for logical_id, props in resources(transformed(), "AWS::Lambda::Function").items():
        assert props["Architectures"] == ["arm64"], logical_id
        assert props["Runtime"] in {"python3.12", "python3.13"}, logical_id
        assert props["TracingConfig"] == {"Mode": "Active"}, logical_id


def test_every_function_has_a_log_group_with_retention() -> None:
    template = transformed()
    groups = resources(template, "AWS::Logs::LogGroup").values()
    named = {str(g["LogGroupName"]) for g in groups if "LogGroupName" in g}
    for logical_id in resources(template, "AWS::Lambda::Function"):
        assert any(logical_id in name for name in named), f"{logical_id} has no log group"
    assert all(g.get("RetentionInDays") for g in groups)


def test_tables_are_encrypted_recoverable_protected_and_expire_items() -> None:
    for logical_id, props in resources(transformed(), "AWS::DynamoDB::Table").items():
        assert props["SSESpecification"]["SSEEnabled"] is True, logical_id
        assert props["SSESpecification"]["SSEType"] == "KMS", logical_id
        assert props["PointInTimeRecoverySpecification"]["PointInTimeRecoveryEnabled"], logical_id
        assert props["DeletionProtectionEnabled"] is True, logical_id
        assert props["TimeToLiveSpecification"]["Enabled"] is True, logical_id


def _actions(statement: dict[str, Any]) -> list[str]:
    actions = statement["Action"]
    return [actions] if isinstance(actions, str) else list(actions)


def test_keys_rotate_and_only_notify_may_decrypt_and_only_the_contact_key() -> None:
    template = transformed()
    keys = resources(template, "AWS::KMS::Key")
    assert all(key["EnableKeyRotation"] is True for key in keys.values())
    for name, key in keys.items():
        for statement in key["KeyPolicy"]["Statement"]:
            if "kms:Decrypt" in _actions(statement):
                assert name == "ContactKey"
                assert statement["Principal"]["AWS"] == {
                    "Fn::GetAtt": ["NotifyFunctionRole", "Arn"]
                }
    for logical_id, role in resources(template, "AWS::IAM::Role").items():
        for statement in statements(role):
            assert "*" not in _actions(statement), logical_id
            if "kms:Decrypt" in _actions(statement):
                assert logical_id == "NotifyFunctionRole"
                assert statement["Resource"] == {"Fn::GetAtt": ["ContactKey", "Arn"]}


def test_the_intake_role_writes_only_its_tables_and_may_only_encrypt() -> None:
    role = resources(transformed(), "AWS::IAM::Role")["IntakeFunctionRole"]
    for statement in statements(role):
        assert statement["Resource"] != "*"
        if any(a.startswith("kms:") for a in _actions(statement)):
            assert set(_actions(statement)) == {"kms:GenerateDataKey", "kms:Encrypt"}


def test_every_queue_has_a_dead_letter_queue_and_consumers_report_partial_failures() -> None:
    template = transformed()
    queues = resources(template, "AWS::SQS::Queue")
    dead_letters = {
        props["RedrivePolicy"]["deadLetterTargetArn"]["Fn::GetAtt"][0]
        for props in queues.values()
        if "RedrivePolicy" in props
    }
    mappings = resources(template, "AWS::Lambda::EventSourceMapping")
    dead_letters |= {
        m["DestinationConfig"]["OnFailure"]["Destination"]["Fn::GetAtt"][0]
        for m in mappings.values()
        if "DestinationConfig" in m
    }
    for name, props in queues.items():
        assert name in dead_letters or "RedrivePolicy" in props, f"{name} has no dead-letter queue"
        assert props.get("SqsManagedSseEnabled") or props.get("KmsMasterKeyId"), name
    for name, mapping in mappings.items():
        assert mapping["FunctionResponseTypes"] == ["ReportBatchItemFailures"], name
    stream = next(m for m in mappings.values() if "StartingPosition" in m)
    assert "OnFailure" in stream["DestinationConfig"]


def test_the_api_is_throttled_per_route_and_logs_no_bodies() -> None:
    stage = next(iter(resources(transformed(), "AWS::ApiGatewayV2::Stage").values()))
    assert stage["DefaultRouteSettings"]["ThrottlingRateLimit"] > 0
    assert "POST /api/registrations" in stage["RouteSettings"]
    log_format = stage["AccessLogSettings"]["Format"]
    assert "$context.requestId" in log_format
    for forbidden in ("body", "querystring", "$input"):
        assert forbidden not in log_format.lower()
