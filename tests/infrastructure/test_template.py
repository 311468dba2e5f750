"""Checks on the transformed template: what AWS will create, before it is deployed."""

from __future__ import annotations

import fnmatch
import json
import re
from typing import Any

from vhtools.template import (
    REPO,
    choose_branches,
    http_routes,
    resources,
    transformed,
    without_no_value,
)


def statements(role: dict[str, Any]) -> list[dict[str, Any]]:
    return [
        statement
        for policy in role.get("Policies", [])
        for statement in policy["PolicyDocument"]["Statement"]
    ]


def test_the_intake_route_is_served_by_the_intake_function() -> None:
    routes = {(r.method, r.path): r.function for r in http_routes(transformed())}
    assert routes[("POST", "/api/registrations")] == "IntakeFunction"


SIGN_IN_ROUTES = {
    ("GET", "/api/admin/auth/login"),
    ("GET", "/api/admin/auth/callback"),
    ("POST", "/api/admin/auth/logout"),
    ("POST", "/api/admin/auth/refresh"),
}
# The routes anyone may call: the registration form and the sign-in. Every other route needs
# a staff token (the HTTP API's default authorizer).
PUBLIC_ROUTES = {("POST", "/api/registrations"), *SIGN_IN_ROUTES}


def test_only_the_form_and_the_sign_in_are_public_and_admin_serves_no_sign_in() -> None:
    routes = http_routes(transformed())
    assert {(r.method, r.path) for r in routes if r.authorizer is None} == PUBLIC_ROUTES
    assert {(r.method, r.path) for r in routes if r.function == "SignInFunction"} == SIGN_IN_ROUTES
    admin = [r for r in routes if r.function == "AdminFunction"]
    assert admin and not {(r.method, r.path) for r in admin} & SIGN_IN_ROUTES
    assert all(r.authorizer == "StaffJwt" for r in admin)


def test_the_sign_in_role_reaches_no_table_and_no_key() -> None:
    """Sign-in is public: its role has no statement on DynamoDB or KMS and names no table or
    key; it calls only the user pool's token endpoint, which needs no AWS rights."""
    template = transformed()
    function = resources(template, "AWS::Lambda::Function")["SignInFunction"]
    assert function["Role"] == {"Fn::GetAtt": ["SignInFunctionRole", "Arn"]}
    role = resources(template, "AWS::IAM::Role")["SignInFunctionRole"]
    actions = [action for statement in statements(role) for action in _actions(statement)]
    assert not [a for a in actions if a == "*" or a.split(":")[0] in ("kms", "dynamodb")]
    managed = {str(arn).rsplit("/", 1)[-1] for arn in role.get("ManagedPolicyArns", [])}
    assert managed <= {"AWSLambdaBasicExecutionRole", "AWSXrayWriteOnlyAccess"}
    data = [*resources(template, "AWS::DynamoDB::Table"), *resources(template, "AWS::KMS::Key")]
    assert data
    text = json.dumps(role)
    assert not [name for name in data if name in text]
    # Nothing grants it more from elsewhere: no separate policy, no key policy names the role.
    for kind in ("AWS::IAM::Policy", "AWS::IAM::ManagedPolicy", "AWS::KMS::Key"):
        for logical_id, props in resources(template, kind).items():
            assert "SignInFunctionRole" not in json.dumps(props), logical_id


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


def test_the_status_index_holds_the_listed_fields_and_no_ciphertext() -> None:
    """The overview of open cases reads the status index: it holds exactly what a list may
    show, so no query on it can return personal data, a history or a task token."""
    from vhcore.dal.items import LISTED_ATTRIBUTES, STATUS_INDEX, UNLISTED_ATTRIBUTES

    table = resources(transformed(), "AWS::DynamoDB::Table")["RegistrationsTable"]
    index = next(i for i in table["GlobalSecondaryIndexes"] if i["IndexName"] == STATUS_INDEX)
    keys = {"pk", "sk"} | {k["AttributeName"] for k in index["KeySchema"]}
    assert index["Projection"]["ProjectionType"] == "INCLUDE"
    projected = set(index["Projection"]["NonKeyAttributes"])
    assert projected | keys == set(LISTED_ATTRIBUTES)
    assert not projected & UNLISTED_ATTRIBUTES


def _actions(statement: dict[str, Any]) -> list[str]:
    actions = statement["Action"]
    return [actions] if isinstance(actions, str) else list(actions)


# Who may decrypt what: the data key only the admin function; the contact key (the
# registrant's address) only notify; the ops key (log groups, alert topic) only the services
# that write and read those. Checked in the key policies and in the roles.
DECRYPTERS: dict[str, Any] = {
    "DataKey": {"AWS": {"Fn::GetAtt": ["AdminFunctionRole", "Arn"]}},
    "ContactKey": {"AWS": {"Fn::GetAtt": ["NotifyFunctionRole", "Arn"]}},
    "OpsKey": {"Service": ["logs", "cloudwatch.amazonaws.com"]},
}
ROLE_DECRYPTS = {"DataKey": "AdminFunctionRole", "ContactKey": "NotifyFunctionRole"}


def _may_decrypt(statement: dict[str, Any]) -> bool:
    return any(fnmatch.fnmatch("kms:Decrypt", action) for action in _actions(statement))


def _service(principal: Any) -> str:
    """``logs`` for the regional logs principal, else the principal's service name."""
    name = principal["Fn::Sub"] if isinstance(principal, dict) else principal
    return "logs" if str(name).startswith("logs.") else str(name)


def test_keys_rotate_and_no_role_but_admin_may_decrypt_the_data_key() -> None:
    template = transformed()
    keys = resources(template, "AWS::KMS::Key")
    assert set(keys) == set(DECRYPTERS)
    assert all(key["EnableKeyRotation"] is True for key in keys.values())
    for name, key in keys.items():
        for statement in key["KeyPolicy"]["Statement"]:
            if not _may_decrypt(statement):
                continue
            principal = statement["Principal"]
            if "Service" in principal:
                assert _service(principal["Service"]) in DECRYPTERS[name]["Service"], name
            else:
                assert principal == DECRYPTERS[name], name
    for logical_id, role in resources(template, "AWS::IAM::Role").items():
        for statement in statements(role):
            if _may_decrypt(statement):
                targets = statement["Resource"]
                targets = targets if isinstance(targets, list) else [targets]
                for target in targets:
                    key = target["Fn::GetAtt"][0]
                    assert ROLE_DECRYPTS[key] == logical_id, f"{logical_id} may decrypt {key}"


def test_the_logs_key_serves_only_log_groups_of_this_account_and_region() -> None:
    key = resources(transformed(), "AWS::KMS::Key")["OpsKey"]
    logs = next(
        s
        for s in key["KeyPolicy"]["Statement"]
        if "Service" in s["Principal"] and _service(s["Principal"]["Service"]) == "logs"
    )
    context = logs["Condition"]["ArnLike"]["kms:EncryptionContext:aws:logs:arn"]["Fn::Sub"]
    assert context.startswith("arn:${AWS::Partition}:logs:${AWS::Region}:${AWS::AccountId}:")
    for logical_id, group in resources(transformed(), "AWS::Logs::LogGroup").items():
        assert group["KmsKeyId"] == {"Fn::GetAtt": ["OpsKey", "Arn"]}, logical_id
    topic = next(iter(resources(transformed(), "AWS::SNS::Topic").values()))
    assert topic["KmsMasterKeyId"] == {"Ref": "OpsKey"}


# Services whose data the functions work on: no statement on them may name every resource.
DATA_SERVICES = ("dynamodb", "kms", "sqs", "states", "ses", "s3")
# Where AWS itself wants Resource "*" (or SAM attaches an AWS managed policy), with why.
ANY_RESOURCE_ALLOWED = {
    # Step Functions' log delivery: these log-delivery APIs take no resource (AWS docs,
    # "IAM policies for logging to CloudWatch Logs").
    "logs:CreateLogDelivery": "log delivery has no resource-level permissions",
    "logs:GetLogDelivery": "log delivery has no resource-level permissions",
    "logs:UpdateLogDelivery": "log delivery has no resource-level permissions",
    "logs:DeleteLogDelivery": "log delivery has no resource-level permissions",
    "logs:ListLogDeliveries": "log delivery has no resource-level permissions",
    "logs:PutResourcePolicy": "log delivery has no resource-level permissions",
    "logs:DescribeResourcePolicies": "log delivery has no resource-level permissions",
    "logs:DescribeLogGroups": "log delivery has no resource-level permissions",
}
# AWS managed policies SAM attaches; their statements are AWS's, outside the template.
MANAGED_POLICIES_ALLOWED = {
    "AWSLambdaBasicExecutionRole": "logs of the function's own log group",
    "AWSXrayWriteOnlyAccess": "X-Ray PutTraceSegments has no resource-level permissions",
    # Attached by SAM for an SQS / DynamoDB stream event source: the poller reads the queue or
    # stream named in the event source mapping (messages carry references, no personal data).
    "AWSLambdaSQSQueueExecutionRole": "SAM's poller policy for the SQS event source",
    "AWSLambdaDynamoDBExecutionRole": "SAM's poller policy for the stream event source",
}


def _resources_of(statement: dict[str, Any]) -> list[Any]:
    targets = statement.get("Resource", [])
    return targets if isinstance(targets, list) else [targets]


def test_no_policy_grants_every_action_or_every_data_resource() -> None:
    template = transformed()
    documents = [
        (logical_id, policy["PolicyDocument"])
        for logical_id, role in resources(template, "AWS::IAM::Role").items()
        for policy in role.get("Policies", [])
    ]
    documents += [
        (logical_id, key["KeyPolicy"])
        for logical_id, key in resources(template, "AWS::KMS::Key").items()
    ]
    for kind in ("AWS::SQS::QueuePolicy", "AWS::S3::BucketPolicy"):
        documents += [(i, p["PolicyDocument"]) for i, p in resources(template, kind).items()]
    assert len(documents) > 10
    for logical_id, document in documents:
        for statement in document["Statement"]:
            actions = _actions(statement)
            if statement["Effect"] == "Deny":
                continue  # denying everything (e.g. plain HTTP) is the safe direction
            assert not any(a == "*" or a.endswith(":*") for a in actions), (logical_id, actions)
            if "*" not in _resources_of(statement):
                continue
            if logical_id in resources(template, "AWS::KMS::Key"):
                continue  # in a key policy "*" means this key
            for action in actions:
                service = action.split(":")[0]
                assert service not in DATA_SERVICES, f"{logical_id}: {action} on every resource"
                assert action in ANY_RESOURCE_ALLOWED, f"{logical_id}: {action} on every resource"
    for logical_id, role in resources(template, "AWS::IAM::Role").items():
        for arn in role.get("ManagedPolicyArns", []):
            name = str(arn).rsplit("/", 1)[-1]
            assert name in MANAGED_POLICIES_ALLOWED, f"{logical_id}: managed policy {name}"


def test_the_intake_role_writes_only_its_tables_and_may_only_encrypt() -> None:
    role = resources(transformed(), "AWS::IAM::Role")["IntakeFunctionRole"]
    for statement in statements(role):
        assert statement["Resource"] != "*"
        if any(a.startswith("kms:") for a in _actions(statement)):
            assert set(_actions(statement)) == {"kms:GenerateDataKey"}


def test_intake_reads_of_a_registration_only_the_answer_it_gave() -> None:
    """No personal data, not even its ciphertext: the attributes of the stored answer."""
    from vhcore.dal.items import ANSWER_ATTRIBUTES

    role = resources(transformed(), "AWS::IAM::Role")["IntakeFunctionRole"]
    reads = [
        s
        for s in statements(role)
        if "dynamodb:GetItem" in _actions(s) and "RegistrationsTable" in json.dumps(s["Resource"])
    ]
    assert len(reads) == 1
    condition = reads[0]["Condition"]
    allowed = condition["ForAllValues:StringEquals"]["dynamodb:Attributes"]
    assert set(allowed) == {"pk", "sk", *ANSWER_ATTRIBUTES}
    assert condition["StringEqualsIfExists"]["dynamodb:Select"] == "SPECIFIC_ATTRIBUTES"


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


OPTIONAL = ("CustomDomainName", "CustomDomainCertificateArn", "WebAclArn")


def _with(parameters: dict[str, str]) -> dict[str, Any]:
    """The transformed resources with the conditions decided for these parameter values."""
    template = transformed()
    resolved: dict[str, Any] = without_no_value(
        choose_branches(template, parameters, template["Resources"])
    )
    return resolved


def test_without_a_custom_domain_or_web_acl_nothing_refers_to_them() -> None:
    text = json.dumps(_with({}))
    for name in OPTIONAL:
        assert f'{{"Ref": "{name}"}}' not in text and f"${{{name}}}" not in text, name
    config = _with({})["Distribution"]["Properties"]["DistributionConfig"]
    assert "Aliases" not in config and "WebACLId" not in config
    assert config["ViewerCertificate"] == {"CloudFrontDefaultCertificate": True}


def test_a_custom_domain_and_web_acl_reach_the_distribution_and_the_sign_in() -> None:
    certificate = "arn:aws:acm:us-east-1:123456789012:certificate/0a1b2c3d-0000-4000-8000-0000"
    resolved = _with(
        {
            "CustomDomainName": "aanmelden.veiligheidshuis.example.nl",
            "CustomDomainCertificateArn": certificate,
            "WebAclArn": "arn:aws:wafv2:us-east-1:123456789012:global/webacl/vh/0000",
        }
    )
    config = resolved["Distribution"]["Properties"]["DistributionConfig"]
    assert config["Aliases"] == [{"Ref": "CustomDomainName"}]
    assert config["WebACLId"] == {"Ref": "WebAclArn"}
    assert config["ViewerCertificate"]["MinimumProtocolVersion"] == "TLSv1.2_2021"
    assert config["ViewerCertificate"]["SslSupportMethod"] == "sni-only"
    client = resolved["StaffClient"]["Properties"]
    assert client["CallbackURLs"] == [
        {"Fn::Sub": "https://${CustomDomainName}/api/admin/auth/callback"}
    ]
    for function in resources({"Resources": resolved}, "AWS::Lambda::Function").values():
        assert function["Environment"]["Variables"]["SITE_URL"] == {
            "Fn::Sub": "https://${CustomDomainName}"
        }


def test_a_house_without_a_weekly_rhythm_gets_a_switched_off_schedule() -> None:
    def schedule(parameters: dict[str, str]) -> dict[str, Any]:
        resolved = _with(parameters)
        return next(iter(resources({"Resources": resolved}, "AWS::Scheduler::Schedule").values()))

    assert schedule({"AgendaSchedule": ""})["State"] == "DISABLED"
    weekly = schedule({"AgendaSchedule": "cron(0 12 ? * MON *)"})
    assert weekly["State"] == "ENABLED"
    assert weekly["ScheduleExpression"] == {"Ref": "AgendaSchedule"}


PERSONAL_DATA_KEYS = ("DataKey", "ContactKey")
# What may be done with a key of personal data by a principal that is not a function's role.
SEE_ONLY = {"kms:Describe*", "kms:Get*", "kms:List*"}
NEVER_FOR_THE_ADMINISTRATOR = ("kms:Decrypt", "kms:Encrypt", "kms:CreateGrant", "kms:ReEncrypt*")


def test_no_principal_of_the_account_can_give_itself_use_of_a_key_of_personal_data() -> None:
    """The account root (every IAM policy of the account) may only see the keys; the key
    administrator may change the policy (break-glass) but neither use the key nor grant it."""
    keys = resources(transformed(), "AWS::KMS::Key")
    for name in PERSONAL_DATA_KEYS:
        for statement in keys[name]["KeyPolicy"]["Statement"]:
            principal = statement["Principal"].get("AWS")
            actions = set(_actions(statement))
            if principal == {"Fn::Sub": "arn:${AWS::Partition}:iam::${AWS::AccountId}:root"}:
                assert actions == SEE_ONLY, (name, statement["Sid"])
            elif principal == {"Ref": "KeyAdministratorArn"}:
                for action in actions:
                    for forbidden in NEVER_FOR_THE_ADMINISTRATOR:
                        assert not fnmatch.fnmatch(forbidden, action), (name, action)
                        assert not fnmatch.fnmatch(action, forbidden), (name, action)
            else:
                assert "Fn::GetAtt" in principal, (name, statement["Sid"])  # a function's role


def test_a_function_uses_a_key_of_personal_data_only_for_a_case() -> None:
    """Every use of a key of personal data by a function's role needs an encryption context
    that names a registration (vhcore.dal.crypto binds each ciphertext to one): the key
    cannot be used as a general encryption service, even by the roles allowed to use it."""
    keys = resources(transformed(), "AWS::KMS::Key")
    used = 0
    for name in PERSONAL_DATA_KEYS:
        for statement in keys[name]["KeyPolicy"]["Statement"]:
            if "Fn::GetAtt" not in statement["Principal"].get("AWS", {}):
                continue
            used += 1
            condition = statement.get("Condition", {})
            assert condition == {"Null": {"kms:EncryptionContext:registration_id": "false"}}, (
                name,
                statement["Sid"],
            )
    assert used == 5  # intake on both keys, admin and the upkeep on the data key, notify


def test_a_change_to_a_key_of_personal_data_raises_an_alarm() -> None:
    template = transformed()
    rule = resources(template, "AWS::Events::Rule")["KeyPolicyChangedRule"]
    pattern = rule["EventPattern"]
    assert {"PutKeyPolicy", "CreateGrant"} <= set(pattern["detail"]["eventName"])
    watched = [arn["Fn::GetAtt"][0] for arn in pattern["detail"]["resources"]["ARN"]]
    assert sorted(watched) == sorted(PERSONAL_DATA_KEYS)
    [target] = rule["Targets"]
    queue = target["Arn"]["Fn::GetAtt"][0]
    alarms = resources(template, "AWS::CloudWatch::Alarm").values()
    assert any(
        a["Dimensions"][0]["Value"] == {"Fn::GetAtt": [queue, "QueueName"]}
        and a["AlarmActions"] == [{"Ref": "AlertTopic"}]
        for a in alarms
    )
    parameter = template["Parameters"]["KeyAdministratorArn"]
    assert ":role/" in parameter["AllowedPattern"]


def test_no_role_can_change_or_delete_an_audit_record() -> None:
    """The audit log is write-once for every role: records are added (a conditional put on a
    fresh key) and read, never updated or deleted; only the table's TTL removes them."""
    rewriting = ("dynamodb:UpdateItem", "dynamodb:DeleteItem", "dynamodb:BatchWriteItem")
    for logical_id, role in resources(transformed(), "AWS::IAM::Role").items():
        for statement in statements(role):
            targets = statement.get("Resource", [])
            targets = targets if isinstance(targets, list) else [targets]
            if not any("AuditTable" in json.dumps(target) for target in targets):
                continue
            for action in _actions(statement):
                for forbidden in rewriting:
                    assert not fnmatch.fnmatch(forbidden, action), (logical_id, action)
                assert action != "*", logical_id


# Every role's rights, action by action, on what (logical ids; "Table/index/queue" an index,
# "ses:identity/*" a literal ARN pattern): exactly what the code calls, no more. The local
# stack enforces the actions (devstack.iam); moto does not check most resources, this does.
# SAM's SQSSendMessagePolicy grants "sqs:SendMessage*" (SendMessage and its batch form).
ROLE_RIGHTS: dict[str, dict[str, set[str]]] = {
    "IntakeFunctionRole": {
        "dynamodb:GetItem": {"IdempotencyTable", "RegistrationsTable"},  # the latter: answer only
        "dynamodb:PutItem": {"IdempotencyTable", "RegistrationsTable"},
        "dynamodb:UpdateItem": {"IdempotencyTable"},
        "dynamodb:DeleteItem": {"IdempotencyTable"},
        "kms:GenerateDataKey": {"DataKey", "ContactKey"},
    },
    "AdminFunctionRole": {
        "dynamodb:GetItem": {"RegistrationsTable"},
        "dynamodb:UpdateItem": {"RegistrationsTable"},
        "dynamodb:Scan": {"RegistrationsTable"},
        "dynamodb:Query": {
            "RegistrationsTable/index/queue",
            "RegistrationsTable/index/status",
            "AuditTable",
            "AuditTable/index/month",
        },
        "dynamodb:PutItem": {"AuditTable"},
        "kms:Decrypt": {"DataKey"},
        "kms:GenerateDataKey": {"DataKey"},
        "states:SendTaskSuccess": {"Workflow"},
        "sqs:SendMessage*": {"sqs:NotifyQueue"},
        # Erasing a case (beheer): the registration and its reference claim, its workflow.
        "dynamodb:DeleteItem": {"RegistrationsTable"},
        "states:StopExecution": {"states:execution:Workflow:*"},
    },
    "TriageFunctionRole": {
        "dynamodb:GetItem": {"RegistrationsTable"},
        "dynamodb:UpdateItem": {"RegistrationsTable"},
        "states:SendTaskSuccess": {"Workflow"},
        # The follow-up queues the e-mails that are due (vhcore.logic.followup).
        "sqs:SendMessage*": {"sqs:NotifyQueue"},
    },
    "NotifyFunctionRole": {
        "dynamodb:GetItem": {"RegistrationsTable"},
        # What was sent (SENT# items only): claimed, settled, released when SES refused it.
        "dynamodb:PutItem": {"IdempotencyTable"},
        "dynamodb:UpdateItem": {"IdempotencyTable"},
        "dynamodb:DeleteItem": {"IdempotencyTable"},
        "kms:Decrypt": {"ContactKey"},
        "ses:SendEmail": {"ses:identity/*", "ses:configuration-set/EmailConfigurationSet"},
    },
    "WorkflowStartFunctionRole": {
        "states:StartExecution": {"Workflow"},
        "dynamodb:DeleteItem": {"RegistrationsTable"},  # reference claims only (REF#)
        # Lambda sends a batch that keeps failing there, with the function's role.
        "sqs:SendMessage*": {"sqs:WorkflowStartDeadLetterQueue"},
        "sqs:SendMessage": {"WorkflowStartDeadLetterQueue"},
    },
    "AgendaFunctionRole": {
        # The triage queue, and the new registrations of the daily digest.
        "dynamodb:Query": {"RegistrationsTable/index/queue", "RegistrationsTable/index/status"},
        "dynamodb:GetItem": {"RegistrationsTable"},  # these three: the agenda item only
        "dynamodb:PutItem": {"RegistrationsTable"},
        "dynamodb:UpdateItem": {"RegistrationsTable"},
        "sqs:SendMessage*": {"sqs:NotifyQueue"},
        # The asynchronous dead-letter queue: Lambda sends there with the function's role.
        "sqs:SendMessage": {"AgendaDeadLetterQueue"},
    },
    "SignInFunctionRole": {},
    # Run by make deploy: seals what an earlier version stored in clear; encrypts only.
    "SealLegacyTextFunctionRole": {
        "dynamodb:Scan": {"RegistrationsTable", "AuditTable"},
        "dynamodb:UpdateItem": {"RegistrationsTable"},
        "dynamodb:PutItem": {"AuditTable"},
        "kms:GenerateDataKey": {"DataKey"},
    },
    # Scheduler's role for the weekly run.
    "AgendaFunctionWeeklyCutoffRole": {"lambda:InvokeFunction": {"AgendaFunction"}},
    "AgendaFunctionDailyDigestRole": {"lambda:InvokeFunction": {"AgendaFunction"}},
    # The state machine's: the queues it sends to and its log delivery.
    "WorkflowRole": {
        "sqs:SendMessage*": {"sqs:NotifyQueue", "sqs:TriageQueue"},
        # The current definition reads no case (the follow-up's consumer looks at it);
        # executions started before the follow-up loop still do, until they end.
        "dynamodb:GetItem": {"RegistrationsTable"},
        **{action: {"*"} for action in ANY_RESOURCE_ALLOWED},
    },
}
# Patterns inside an ARN, with why.
WILDCARD_ARNS_ALLOWED = {
    "ses:identity/*": "the sender's identity is its address or its domain, whichever is verified",
    "states:execution:Workflow:*": "the executions of the house's workflow, named per case",
}
# Conditions that narrow a statement to some items of a table (partition key prefixes).
LEADING_KEYS = {
    ("WorkflowStartFunctionRole", "dynamodb:DeleteItem"): ["REF#*"],
    ("AgendaFunctionRole", "dynamodb:GetItem"): ["AGENDA#*"],
    ("AgendaFunctionRole", "dynamodb:PutItem"): ["AGENDA#*"],
    ("AgendaFunctionRole", "dynamodb:UpdateItem"): ["AGENDA#*"],
    ("AdminFunctionRole", "dynamodb:DeleteItem"): ["REG#*", "REF#*"],
    ("NotifyFunctionRole", "dynamodb:PutItem"): ["SENT#*"],
    ("NotifyFunctionRole", "dynamodb:UpdateItem"): ["SENT#*"],
    ("NotifyFunctionRole", "dynamodb:DeleteItem"): ["SENT#*"],
}


def _named(resource: Any, logical_ids: set[str]) -> str:
    """A statement's resource as ``ROLE_RIGHTS`` writes it; fails on one that is neither a
    resource of this template nor an allowed pattern."""
    if resource == "*":
        return "*"
    assert isinstance(resource, dict), f"a literal ARN: {resource}"
    if "Fn::GetAtt" in resource:
        name, attribute = resource["Fn::GetAtt"]
        assert attribute == "Arn"
    elif "Ref" in resource:
        name = resource["Ref"]
    else:
        text, values = resource["Fn::Sub"], {}
        if isinstance(text, list):
            text, values = text
        for key, value in values.items():
            text = text.replace(f"${{{key}}}", f"${{{value['Fn::GetAtt'][0]}}}")
        text = text.replace("arn:${AWS::Partition}:", "").replace(
            ":${AWS::Region}:${AWS::AccountId}:", ":"
        )
        named = [
            n.removesuffix(".Arn").removesuffix(".Name")
            for n in re.findall(r"\$\{([A-Za-z0-9.]+)\}", text)
        ]
        assert set(named) <= logical_ids, text
        name = re.sub(r"\$\{([A-Za-z0-9]+)(\.Arn|\.Name)?\}", r"\1", text)
        if not named or "*" in name:
            assert name in WILDCARD_ARNS_ALLOWED, name
        return name
    assert name in logical_ids, name
    return str(name)


def test_every_role_may_do_exactly_what_its_code_needs_on_named_resources() -> None:
    """Each statement names the table, index, queue, key, state machine or function it is for
    (no "*" but where AWS wants it), and each role's rights are ``ROLE_RIGHTS``."""
    template = transformed()
    logical_ids = set(template["Resources"])
    roles = resources(template, "AWS::IAM::Role")
    assert set(roles) == set(ROLE_RIGHTS)
    for logical_id, role in roles.items():
        rights: dict[str, set[str]] = {}
        for statement in statements(role):
            assert statement["Effect"] == "Allow" and "NotAction" not in statement
            assert "NotResource" not in statement
            named = {_named(r, logical_ids) for r in _resources_of(statement)}
            for action in _actions(statement):
                rights.setdefault(action, set()).update(named)
                leading = LEADING_KEYS.get((logical_id, action))
                condition = statement.get("Condition", {}).get("ForAllValues:StringLike", {})
                assert condition.get("dynamodb:LeadingKeys") == leading, (logical_id, action)
                if "*" in named:
                    assert action in ANY_RESOURCE_ALLOWED, (logical_id, action)
        assert rights == ROLE_RIGHTS[logical_id], logical_id


def test_every_e_mail_the_workflow_asks_for_is_named_the_same_in_each_retry() -> None:
    """A retry of a state that queues an e-mail (its answer lost) queues another copy: the
    execution and the state name it, so notify sends one (issue #15)."""
    workflow = json.loads((REPO / "infra" / "workflow.asl.json").read_text())
    named = "States.Format('{}/{}', $$.Execution.Name, $$.State.Name)"
    bodies = [
        state["Parameters"]["MessageBody"]
        for state in workflow["States"].values()
        if state.get("Parameters", {}).get("QueueUrl") == "${NotifyQueueUrl}"
    ]
    assert bodies
    assert {body.get("message_id.$") for body in bodies} == {named}
