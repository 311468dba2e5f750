"""What CloudFront adds in AWS, for the local origin: the security headers of the template's
response-headers policy, with the CSP hashes of the built site's inline scripts (the same
computation `make publish-site` passes to the stack as ``SiteScriptHashes``)."""

from __future__ import annotations

import base64
import hashlib
import re
import sys
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from devstack.template import Resolver, resources

_INLINE_SCRIPT = re.compile(r"<script(?![^>]*\bsrc=)([^>]*)>(.*?)</script>", re.S)


def inline_script_hashes(site_dir: Path) -> list[str]:
    """'sha256-...' of every inline script of the built site (JSON data blocks excluded)."""
    hashes: set[str] = set()
    for page in sorted(site_dir.rglob("*.html")):
        for match in _INLINE_SCRIPT.finditer(page.read_text(encoding="utf-8")):
            attributes, body = match.groups()
            if "application/json" in attributes:
                continue
            digest = base64.b64encode(hashlib.sha256(body.encode()).digest()).decode()
            hashes.add(f"'sha256-{digest}'")
    return sorted(hashes)


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


def main() -> None:
    """`python -m devstack.edge <site dir>`: the hashes for `sam deploy`."""
    print(" ".join(inline_script_hashes(Path(sys.argv[1]))))


if __name__ == "__main__":
    main()
