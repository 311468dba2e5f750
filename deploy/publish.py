"""`make publish-site`: the built site to the stack's bucket, then a CloudFront invalidation.

Like ``aws s3 sync --delete``: files whose content changed are uploaded (with their content
type and cache headers), objects the build no longer has are deleted (the bucket keeps old
versions for 90 days). Refuses when the stack's CSP does not allow the build's inline scripts
(``make deploy`` passes their hashes): the pages would load without their scripts.
"""

from __future__ import annotations

import argparse
import hashlib
import mimetypes
import re
import sys
import time
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from deploy.aws import StackState, client, stack_state
from deploy.stack import Target, _region, deploy_config
from vhtools.csp import inline_script_hashes

_CONTENT_TYPES = {
    ".html": "text/html; charset=utf-8",
    ".css": "text/css; charset=utf-8",
    ".js": "text/javascript; charset=utf-8",
    ".json": "application/json",
    ".map": "application/json",
    ".xml": "application/xml",
    ".txt": "text/plain; charset=utf-8",
    ".svg": "image/svg+xml",
    ".png": "image/png",
    ".ico": "image/x-icon",
    ".woff2": "font/woff2",
    ".webmanifest": "application/manifest+json",
    ".gz": "application/gzip",
}
# MkDocs Material's own assets carry their content hash in the name (main.57a0d79d.min.css).
_FINGERPRINTED = re.compile(r"\.[0-9a-f]{8,}\.min\.(css|js)(\.map)?$")


def content_type(key: str) -> str:
    suffix = Path(key).suffix.lower()
    return _CONTENT_TYPES.get(suffix) or mimetypes.guess_type(key)[0] or "application/octet-stream"


def cache_control(key: str) -> str:
    """Pages are revalidated on every visit (a new publish shows at once); fingerprinted
    assets never change; the rest (our own form script and styles) briefly."""
    if key.endswith(".html"):
        return "no-cache"
    if _FINGERPRINTED.search(key):
        return "public, max-age=31536000, immutable"
    return "public, max-age=300"


@dataclass(frozen=True)
class Upload:
    key: str
    path: Path

    @property
    def content_type(self) -> str:
        return content_type(self.key)

    @property
    def cache_control(self) -> str:
        return cache_control(self.key)


def _md5(path: Path) -> str:
    return hashlib.md5(path.read_bytes(), usedforsecurity=False).hexdigest()


def plan(site_dir: Path, existing: Mapping[str, str]) -> tuple[list[Upload], list[str]]:
    """What to upload (new or changed content) and what to delete, given the bucket's
    objects as key -> ETag (the MD5 of a single-part upload)."""
    files = {p.relative_to(site_dir).as_posix(): p for p in sorted(site_dir.rglob("*"))}
    files = {key: path for key, path in files.items() if path.is_file()}
    uploads = [
        Upload(key, path)
        for key, path in files.items()
        if existing.get(key, "").strip('"') != _md5(path)
    ]
    return uploads, sorted(set(existing) - set(files))


def _objects(s3: Any, bucket: str) -> Iterator[tuple[str, str]]:
    for page in s3.get_paginator("list_objects_v2").paginate(Bucket=bucket):
        for item in page.get("Contents", []):
            yield item["Key"], item["ETag"]


def check_script_hashes(state: StackState, site_dir: Path, house: str) -> None:
    """The stack's CSP must allow exactly the inline scripts of this build."""
    built = inline_script_hashes(site_dir)
    deployed = state.parameters.get("SiteScriptHashes", "").split()
    if sorted(deployed) != built:
        raise SystemExit(
            "The stack's Content-Security-Policy does not match the inline scripts of this "
            f"build: run `make deploy HOUSE={house}` first (it passes the new hashes)."
        )


def publish(
    s3: Any, cloudfront: Any, state: StackState, site_dir: Path, house: str
) -> tuple[int, int, str]:
    """Sync the site and invalidate the distribution; (uploaded, deleted, invalidation id)."""
    check_script_hashes(state, site_dir, house)
    bucket = state.outputs["SiteBucketName"]
    uploads, deletes = plan(site_dir, dict(_objects(s3, bucket)))
    for upload in uploads:
        s3.put_object(
            Bucket=bucket,
            Key=upload.key,
            Body=upload.path.read_bytes(),
            ContentType=upload.content_type,
            CacheControl=upload.cache_control,
        )
    for start in range(0, len(deletes), 1000):
        batch = [{"Key": key} for key in deletes[start : start + 1000]]
        s3.delete_objects(Bucket=bucket, Delete={"Objects": batch, "Quiet": True})
    invalidation = cloudfront.create_invalidation(
        DistributionId=state.outputs["DistributionId"],
        InvalidationBatch={
            "Paths": {"Quantity": 1, "Items": ["/*"]},
            "CallerReference": f"publish-site-{time.time_ns()}",
        },
    )["Invalidation"]["Id"]
    return len(uploads), len(deletes), str(invalidation)


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--house", required=True)
    parser.add_argument("--stage", default="prod")
    parser.add_argument("--site-dir", type=Path, required=True)
    args = parser.parse_args(argv)
    target = Target(args.house, args.stage)
    region = _region(deploy_config(target))
    state = stack_state(client("cloudformation", region), target.stack_name)
    if state is None:
        raise SystemExit(f"Stack {target.stack_name} does not exist: run `make deploy` first.")
    uploaded, deleted, invalidation = publish(
        client("s3", region), client("cloudfront", region), state, args.site_dir, args.house
    )
    print(f"{uploaded} files uploaded, {deleted} deleted; CloudFront invalidation {invalidation}.")
    print(f"The site: {state.outputs.get('SiteUrl', '')}")


if __name__ == "__main__":
    main(sys.argv[1:])
