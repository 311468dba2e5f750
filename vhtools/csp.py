"""The Content-Security-Policy hashes of a built site's inline scripts: what `make deploy`
and `make publish-site` pass to the stack as ``SiteScriptHashes``, and what the local edge
(``devstack.edge``) puts in its policy."""

from __future__ import annotations

import base64
import hashlib
import re
import sys
from pathlib import Path

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


def main() -> None:
    """`python -m vhtools.csp <site dir>`: the hashes for `sam deploy`."""
    print(" ".join(inline_script_hashes(Path(sys.argv[1]))))


if __name__ == "__main__":
    main()
