"""What CloudFront adds in AWS, for the local origin: the security headers of the template's
response-headers policy, with the CSP hashes of the built site's inline scripts (the same
computation `make publish-site` passes to the stack as ``SiteScriptHashes``, from
``vhtools.csp``), and what the CloudFront function does: the session cookie becomes the
``Authorization`` header for ``/api/admin/*``."""

from __future__ import annotations

from collections.abc import Mapping
from http.cookies import CookieError, SimpleCookie
from pathlib import Path
from typing import Any

from vhtools.csp import inline_script_hashes
from vhtools.template import Resolver, resources

SESSION_COOKIE = "__Host-vh-session"
EDGE_AUTH_PREFIX = "/api/admin/"


def security_headers(
    template: Mapping[str, Any], resolver: Resolver, site_dir: Path
) -> dict[str, str]:
    """The headers the distribution's response-headers policy sets, resolved locally."""
    policies = resources(template, "AWS::CloudFront::ResponseHeadersPolicy")
    if not policies:
        return {}
    config = next(iter(policies.values()))["ResponseHeadersPolicyConfig"]
    local = Resolver(
        template,
        resolver.parameters | {"SiteScriptHashes": " ".join(inline_script_hashes(site_dir))},
        physical=resolver.physical,
        stack_name=resolver.stack_name,
    )
    security = config.get("SecurityHeadersConfig", {})
    headers: dict[str, str] = {}
    if "ContentSecurityPolicy" in security:
        csp = str(local.resolve(security["ContentSecurityPolicy"]["ContentSecurityPolicy"]))
        # Loopback is plain HTTP: upgrading would break the local origin.
        headers["Content-Security-Policy"] = " ".join(
            csp.replace("upgrade-insecure-requests", "").split()
        ).rstrip("; ")
    if "ContentTypeOptions" in security:
        headers["X-Content-Type-Options"] = "nosniff"
    if "FrameOptions" in security:
        headers["X-Frame-Options"] = security["FrameOptions"]["FrameOption"]
    if "ReferrerPolicy" in security:
        headers["Referrer-Policy"] = security["ReferrerPolicy"]["ReferrerPolicy"]
    for item in config.get("CustomHeadersConfig", {}).get("Items", []):
        headers[item["Header"]] = str(local.resolve(item["Value"]))
    return headers


def api_origin_headers(template: Mapping[str, Any], resolver: Resolver) -> dict[str, str]:
    """The headers the distribution adds to every request for the API (the origin that
    ``/api/*`` goes to): its ``OriginCustomHeaders``, intrinsics resolved (a dynamic
    reference stays as it is: ``devstack.provision`` resolves it)."""
    headers: dict[str, str] = {}
    for props in resources(template, "AWS::CloudFront::Distribution").values():
        config = props["DistributionConfig"]
        api = {b["TargetOriginId"] for b in config.get("CacheBehaviors", [])}
        api &= {
            b["TargetOriginId"] for b in config["CacheBehaviors"] if b["PathPattern"] == "/api/*"
        }
        for origin in config.get("Origins", []):
            if origin["Id"] in api:
                for header in origin.get("OriginCustomHeaders", []):
                    headers[header["HeaderName"]] = str(resolver.resolve(header["HeaderValue"]))
    return headers


def with_origin_headers(headers: Mapping[str, str], added: Mapping[str, str]) -> dict[str, str]:
    """The request's headers with CloudFront's origin custom headers: a viewer's header of
    the same name is replaced."""
    names = {name.lower() for name in added}
    return {k: v for k, v in headers.items() if k.lower() not in names} | dict(added)


# --- The CloudFront function --------------------------------------------------------------


def session_token(cookie_header: str) -> str:
    """The session cookie's value, or '' (a malformed Cookie header counts as none)."""
    jar: SimpleCookie = SimpleCookie()
    try:
        jar.load(cookie_header)
    except CookieError:
        return ""
    morsel = jar.get(SESSION_COOKIE)
    return morsel.value if morsel else ""


def edge_headers(path: str, headers: Mapping[str, str]) -> dict[str, str]:
    """The request headers as the origin sees them after the CloudFront function: for
    ``/api/admin/*`` without an ``Authorization`` header, the session cookie's token becomes
    ``Authorization: Bearer <token>``. Must do what the deployed function does."""
    result = dict(headers)
    if not path.startswith(EDGE_AUTH_PREFIX):
        return result
    lowered = {k.lower(): v for k, v in result.items()}
    if lowered.get("authorization"):
        return result
    token = session_token(lowered.get("cookie", ""))
    if token:
        result["Authorization"] = f"Bearer {token}"
    return result
