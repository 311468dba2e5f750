"""`make publish-site` against moto: the site reaches the stack's bucket with the right
content types and cache headers, stale files go, CloudFront is invalidated, and a build whose
inline scripts the deployed CSP does not allow is refused."""

from __future__ import annotations

import json
import uuid
from pathlib import Path
from typing import Any

import boto3
import pytest

from deploy.aws import StackState, stack_state
from deploy.publish import publish
from devstack.stack import LocalSystem
from vhtools.csp import inline_script_hashes
from vhtools.template import REGION, transformed

# The outputs publish reads must be the template's own.
OUTPUTS = ("SiteBucketName", "DistributionId", "SiteUrl")


def _site(root: Path) -> Path:
    files = {
        "index.html": "<html><script>var a = 1;</script></html>",
        "contact/index.html": "<html><p>Contact</p></html>",
        "assets/stylesheets/main.57a0d79d.min.css": "body{}",
        "assets/form/form.js": "console.log(1);",
        "sitemap.xml": "<urlset/>",
    }
    for key, text in files.items():
        (root / key).parent.mkdir(parents=True, exist_ok=True)
        (root / key).write_text(text, encoding="utf-8")
    return root


@pytest.fixture
def aws(local_system: LocalSystem) -> dict[str, Any]:
    """Clients on the local stack's emulator. (Not in-process ``mock_aws``: starting it
    resets moto's shared state, the local stack's tables included.)"""
    return {
        name: boto3.client(name, region_name=REGION, endpoint_url=local_system.endpoint)
        for name in ("cloudformation", "cloudfront", "s3")
    }


def _stack(aws: dict[str, Any], hashes: str) -> StackState:
    """A stand-in stack with the template's site outputs (moto's CloudFormation cannot create
    the real one: it skips CloudFront)."""
    assert set(OUTPUTS) <= set(transformed()["Outputs"])
    distribution = aws["cloudfront"].create_distribution(
        DistributionConfig={
            "CallerReference": uuid.uuid4().hex,
            "Comment": "",
            "Enabled": True,
            "Origins": {
                "Quantity": 1,
                "Items": [{"Id": "site", "DomainName": "site.s3.amazonaws.com"}],
            },
            "DefaultCacheBehavior": {
                "TargetOriginId": "site",
                "ViewerProtocolPolicy": "https-only",
            },
        }
    )["Distribution"]
    template = {
        "Parameters": {"SiteScriptHashes": {"Type": "String"}},
        "Resources": {"SiteBucket": {"Type": "AWS::S3::Bucket"}},
        "Outputs": {
            "SiteBucketName": {"Value": {"Ref": "SiteBucket"}},
            "DistributionId": {"Value": distribution["Id"]},
            "SiteUrl": {"Value": f"https://{distribution['DomainName']}"},
        },
    }
    stack_name = f"vh-publish-test-{uuid.uuid4().hex[:8]}"
    aws["cloudformation"].create_stack(
        StackName=stack_name,
        TemplateBody=json.dumps(template),
        Parameters=[{"ParameterKey": "SiteScriptHashes", "ParameterValue": hashes}],
    )
    state = stack_state(aws["cloudformation"], stack_name)
    assert state is not None
    return state


def test_the_site_is_synced_with_content_types_and_cache_headers(
    aws: dict[str, Any], tmp_path: Path
) -> None:
    # Given a deployed stack whose CSP allows this build, and a stale file in its bucket
    site = _site(tmp_path)
    state = _stack(aws, " ".join(inline_script_hashes(site)) + " ")
    bucket = state.outputs["SiteBucketName"]
    aws["s3"].put_object(Bucket=bucket, Key="oud/index.html", Body=b"old")
    # When the site is published
    uploaded, deleted, invalidation = publish(
        aws["s3"], aws["cloudfront"], state, site, "voorbeeldregio"
    )
    # Then every file is there with its type and cache policy, and the stale one is gone
    assert (uploaded, deleted) == (5, 1)
    keys = {o["Key"] for o in aws["s3"].list_objects_v2(Bucket=bucket)["Contents"]}
    assert keys == {p.relative_to(site).as_posix() for p in site.rglob("*") if p.is_file()}
    page = aws["s3"].head_object(Bucket=bucket, Key="index.html")
    assert page["ContentType"] == "text/html; charset=utf-8"
    assert page["CacheControl"] == "no-cache"
    styles = aws["s3"].head_object(Bucket=bucket, Key="assets/stylesheets/main.57a0d79d.min.css")
    assert styles["ContentType"] == "text/css; charset=utf-8"
    assert "immutable" in styles["CacheControl"]
    script = aws["s3"].head_object(Bucket=bucket, Key="assets/form/form.js")
    assert script["ContentType"] == "text/javascript; charset=utf-8"
    assert "immutable" not in script["CacheControl"]
    # And the whole distribution is invalidated
    listed = aws["cloudfront"].list_invalidations(DistributionId=state.outputs["DistributionId"])
    assert invalidation in {i["Id"] for i in listed["InvalidationList"]["Items"]}
    # And publishing the same build again uploads nothing
    assert publish(aws["s3"], aws["cloudfront"], state, site, "voorbeeldregio")[:2] == (0, 0)


def test_a_build_the_deployed_csp_does_not_allow_is_refused(
    aws: dict[str, Any], tmp_path: Path
) -> None:
    site = _site(tmp_path)
    state = _stack(aws, "'sha256-of-an-older-build='")
    with pytest.raises(SystemExit, match="make deploy HOUSE=voorbeeldregio"):
        publish(aws["s3"], aws["cloudfront"], state, site, "voorbeeldregio")
    assert "Contents" not in aws["s3"].list_objects_v2(Bucket=state.outputs["SiteBucketName"])


def test_a_stack_that_does_not_exist_has_no_state(aws: dict[str, Any]) -> None:
    assert stack_state(aws["cloudformation"], "vh-bestaat-niet") is None
