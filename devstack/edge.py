"""What CloudFront adds in AWS, for the local origin: the security headers of the template's
response-headers policy, with the CSP hashes of the built site's inline scripts (the same
computation `make publish-site` passes to the stack as ``SiteScriptHashes``, from
``vhtools.csp``)."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

from vhtools.csp import inline_script_hashes
from vhtools.template import Resolver, resources


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
