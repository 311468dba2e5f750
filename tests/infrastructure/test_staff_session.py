"""The staff session as the template declares it: short tokens, a refresh token rotated and
bounded by the working day the sign-in function also enforces, and a cookie key only the
sign-in function gets."""

from __future__ import annotations

import datetime as dt

from signin.session import WORKING_DAY
from vhtools.template import resources, transformed

REFERENCE = {"Fn::Sub": "{{resolve:secretsmanager:${SessionSecret}}}"}


def test_the_staff_client_rotates_a_refresh_token_that_lasts_a_working_day() -> None:
    client = resources(transformed(), "AWS::Cognito::UserPoolClient")["StaffClient"]
    rotation = client["RefreshTokenRotation"]
    assert rotation["Feature"] == "ENABLED" and rotation["RetryGracePeriodSeconds"] <= 30
    # Rotation and REFRESH_TOKEN_AUTH exclude each other in Cognito.
    assert "ALLOW_REFRESH_TOKEN_AUTH" not in client["ExplicitAuthFlows"]
    assert client["EnableTokenRevocation"] is True
    units = client["TokenValidityUnits"]
    assert units["RefreshToken"] == "hours"
    assert dt.timedelta(hours=client["RefreshTokenValidity"]) == WORKING_DAY
    for kind in ("IdToken", "AccessToken"):
        assert units[kind] == "minutes" and client[f"{kind}Validity"] <= 15


def test_only_the_sign_in_function_gets_the_session_key() -> None:
    template = transformed()
    generate = template["Resources"]["SessionSecret"]["Properties"]["GenerateSecretString"]
    assert generate["PasswordLength"] >= 32
    for name, props in resources(template, "AWS::Lambda::Function").items():
        variables = props["Environment"]["Variables"]
        if name == "SignInFunction":
            assert variables["SESSION_SECRET"] == REFERENCE
        else:
            assert "SESSION_SECRET" not in variables, name
