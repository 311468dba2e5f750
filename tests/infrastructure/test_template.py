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


# Who may decrypt what: the data key only the admin function; the contact key (the
# registrant's address) only notify. Checked in the key policies and in the roles.
DECRYPTERS = {"DataKey": "AdminFunctionRole", "ContactKey": "NotifyFunctionRole"}


def test_keys_rotate_and_no_role_but_admin_may_decrypt_the_data_key() -> None:
    template = transformed()
    keys = resources(template, "AWS::KMS::Key")
    assert set(keys) == set(DECRYPTERS)
    assert all(key["EnableKeyRotation"] is True for key in keys.values())
    for name, key in keys.items():
        for statement in key["KeyPolicy"]["Statement"]:
            if "kms:Decrypt" in _actions(statement):
                assert statement["Principal"]["AWS"] == {"Fn::GetAtt": [DECRYPTERS[name], "Arn"]}, (
                    name
                )
    for logical_id, role in resources(template, "AWS::IAM::Role").items():
        for statement in statements(role):
            assert "*" not in _actions(statement), logical_id
            if any(a in {"kms:Decrypt", "kms:*"} for a in _actions(statement)):
                targets = statement["Resource"]
                targets = targets if isinstance(targets, list) else [targets]
                for target in targets:
                    key = target["Fn::GetAtt"][0]
                    assert DECRYPTERS[key] == logical_id, f"{logical_id} may decrypt {key}"


def test_the_intake_role_writes_only_its_tables_and_may_only_encrypt() -> None:
    role = resources(transformed(), "AWS::IAM::Role")["IntakeFunctionRole"]
    for statement in statements(role):
        assert statement["Resource"] != "*"
        if any(a.startswith("kms:") for a in _actions(statement)):
            assert set(_actions(statement)) == {"kms:GenerateDataKey", "kms:Encrypt"}


def test_consumed_queues_have_a_dead_letter_queue_and_every_end_queue_an_alarm() -> None:
    template = transformed()
    queues = resources(template, "AWS::SQS::Queue")
    mappings = resources(template, "AWS::Lambda::EventSourceMapping")
    consumed = {
        m["EventSourceArn"]["Fn::GetAtt"][0]
        for m in mappings.values()
        if "Fn::GetAtt" in m["EventSourceArn"] and m["EventSourceArn"]["Fn::GetAtt"][0] in queues
    }
    watched = {
        alarm["Dimensions"][0]["Value"]["Fn::GetAtt"][0]
        for alarm in resources(template, "AWS::CloudWatch::Alarm").values()
        if alarm["Namespace"] == "AWS/SQS"
    }
    for name, props in queues.items():
        assert props.get("SqsManagedSseEnabled") or props.get("KmsMasterKeyId"), name
        if name in consumed:
            assert "RedrivePolicy" in props, f"{name} is consumed but has no dead-letter queue"
        else:
            assert name in watched, f"{name} is an end queue without an alarm"
    for name, mapping in mappings.items():
        assert mapping["FunctionResponseTypes"] == ["ReportBatchItemFailures"], name
    stream = next(m for m in mappings.values() if "StartingPosition" in m)
    assert "OnFailure" in stream["DestinationConfig"]


def test_the_distribution_sends_every_security_header() -> None:
    policy = next(iter(resources(transformed(), "AWS::CloudFront::ResponseHeadersPolicy").values()))
    config = policy["ResponseHeadersPolicyConfig"]["SecurityHeadersConfig"]
    csp = config["ContentSecurityPolicy"]["ContentSecurityPolicy"]["Fn::Sub"]
    directives = {d.split()[0]: d.split()[1:] for d in csp.split(";") if d.strip()}
    assert "'unsafe-inline'" not in directives["script-src"]
    assert "'unsafe-inline'" not in directives["style-src"]
    assert directives["frame-ancestors"] == ["'none'"]
    assert directives["default-src"] == ["'self'"]
    assert config["StrictTransportSecurity"]["AccessControlMaxAgeSec"] >= 31536000
    assert config["ContentTypeOptions"]["Override"] is True
    assert config["FrameOptions"]["FrameOption"] == "DENY"
    assert config["ReferrerPolicy"]["ReferrerPolicy"] in {"same-origin", "no-referrer"}


def test_only_the_staff_api_turns_the_session_cookie_into_a_bearer_token() -> None:
    template = transformed()
    distribution = resources(template, "AWS::CloudFront::Distribution")["Distribution"]
    behaviours = {b["PathPattern"]: b for b in distribution["DistributionConfig"]["CacheBehaviors"]}
    admin = behaviours["/api/admin/*"]["FunctionAssociations"]
    assert admin[0]["FunctionARN"]["Fn::GetAtt"][0] == "StaffSessionFunction"
    assert "FunctionAssociations" not in behaviours["/api/*"]
    code = resources(template, "AWS::CloudFront::Function")["StaffSessionFunction"]["FunctionCode"]
    assert "__Host-vh-session" in code and "authorization" in code
    for behaviour in behaviours.values():
        assert behaviour["CachePolicyId"] == "4135ea2d-6df8-44a3-9df3-4b5a84be39ad"  # no caching


def test_the_site_bucket_is_private_encrypted_and_versioned() -> None:
    bucket = resources(transformed(), "AWS::S3::Bucket")["SiteBucket"]
    assert all(bucket["PublicAccessBlockConfiguration"].values())
    assert bucket["VersioningConfiguration"]["Status"] == "Enabled"
    assert bucket["BucketEncryption"]["ServerSideEncryptionConfiguration"]
