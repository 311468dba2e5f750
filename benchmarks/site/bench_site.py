"""Page weight and Lighthouse scores of the public site, per page.

Builds the site for one house (``mkdocs build --strict``), serves it on 127.0.0.1 with gzip
(as CloudFront serves it), and prints per page: the number of requests, the bytes transferred
on a cold load (gzipped bodies) and, when Lighthouse is installed in this folder
(``npm ci --prefix benchmarks/site``), its four scores for a mobile device.

Usage: .venv/bin/python benchmarks/site/bench_site.py [--house NAME] [--no-lighthouse]
Exit status 1 when a page misses a target: accessibility 100, best practices 100, SEO >= 95,
performance >= 95, heaviest page <= 80 KB gzipped.
"""

from __future__ import annotations

import argparse
import functools
import gzip
import json
import os
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass, field
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

from playwright.sync_api import Browser, Request, sync_playwright

from devstack.chromium import CHROMIUM, CHROMIUM_FLAGS

HERE = Path(__file__).resolve().parent
REPO = HERE.parents[1]
CONFIG = REPO / "site" / "mkdocs.yml"
LIGHTHOUSE = HERE / "node_modules" / ".bin" / "lighthouse"
CATEGORIES = ("performance", "accessibility", "best-practices", "seo")
TARGETS = {"performance": 95, "accessibility": 100, "best-practices": 100, "seo": 95}
MAX_PAGE_BYTES = 80 * 1024
COMPRESSIBLE = (".html", ".css", ".js", ".json", ".svg", ".xml", ".txt", ".map")


@dataclass
class PageResult:
    path: str
    requests: int = 0
    transferred: int = 0
    scores: dict[str, int] = field(default_factory=dict)
    problem: str = ""


def build(house: str, out_dir: Path) -> None:
    env = os.environ | {"VH_HOUSE": house, "NO_MKDOCS_2_WARNING": "1"}
    env.pop("VH_HOUSE_FILE", None)
    command = [sys.executable, "-m", "mkdocs", "build", "--strict", "--quiet"]
    command += ["-f", str(CONFIG), "-d", str(out_dir)]
    subprocess.run(
        command,
        check=True,
        env=env,
        cwd=REPO,
        timeout=120,
    )


class GzipHandler(SimpleHTTPRequestHandler):
    """Static files with gzip and cache headers, roughly as CloudFront in front of S3."""

    def log_message(self, format: str, *args: Any) -> None:
        pass

    def send_head(self) -> Any:
        path = Path(self.translate_path(self.path))
        if path.is_dir():
            if not self.path.split("?", 1)[0].endswith("/"):
                return super().send_head()
            path = path / "index.html"
        accepts_gzip = "gzip" in self.headers.get("Accept-Encoding", "")
        if not path.is_file() or not accepts_gzip or path.suffix not in COMPRESSIBLE:
            return super().send_head()
        body = gzip.compress(path.read_bytes(), compresslevel=9)
        self.send_response(200)
        self.send_header("Content-Type", self.guess_type(str(path)))
        self.send_header("Content-Encoding", "gzip")
        self.send_header("Content-Length", str(len(body)))
        hashed = "/assets/" in self.path and path.suffix in (".js", ".css")
        cache = "public, max-age=31536000, immutable" if hashed else "public, max-age=300"
        self.send_header("Cache-Control", cache)
        self.end_headers()
        return _Body(body)


class _Body:
    """What ``send_head`` returns: something ``copyfile`` can read, then close."""

    def __init__(self, data: bytes) -> None:
        self.data = data
        self.done = False

    def read(self, size: int = -1) -> bytes:
        if self.done:
            return b""
        self.done = True
        return self.data

    def close(self) -> None:
        pass


def serve(directory: Path) -> tuple[ThreadingHTTPServer, str]:
    handler = functools.partial(GzipHandler, directory=str(directory))
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    server.daemon_threads = True
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server, f"http://127.0.0.1:{server.server_address[1]}"


def pages(site: Path) -> list[str]:
    found = []
    for index in sorted(site.rglob("index.html")):
        relative = index.parent.relative_to(site)
        if relative.parts and relative.parts[0] == "assets":
            continue
        found.append("/" + "".join(f"{part}/" for part in relative.parts))
    return found


def _cold_load(browser: Browser, url: str) -> list[tuple[str, int]]:
    """URL and encoded body size of every request of one load in a fresh context (cold cache)."""
    context = browser.new_context()
    page = context.new_page()
    requests: list[Request] = []

    def record(request: Request) -> None:
        requests.append(request)

    page.on("requestfinished", record)
    page.goto(url, wait_until="networkidle", timeout=30_000)
    sizes = [(request.url, request.sizes()["responseBodySize"]) for request in requests]
    context.close()
    return sizes


def measure_weight(origin: str, results: list[PageResult]) -> None:
    """Cold load of each page in Chromium; sums the encoded (gzipped) response bodies."""
    with sync_playwright() as pw:
        browser = pw.chromium.launch(
            executable_path=str(CHROMIUM), args=CHROMIUM_FLAGS, headless=True
        )
        for result in results:
            requests = _cold_load(browser, origin + result.path)
            foreign = [url for url, _ in requests if not url.startswith(origin + "/")]
            if foreign:
                result.problem = f"requests to another origin: {foreign}"
            result.requests = len(requests)
            result.transferred = sum(size for _, size in requests)
        browser.close()


def run_lighthouse(url: str, timeout: float) -> dict[str, int]:
    with tempfile.TemporaryDirectory(prefix="vh-lh-") as tmp:
        report = Path(tmp) / "report.json"
        command = [
            str(LIGHTHOUSE),
            url,
            "--quiet",
            "--output=json",
            f"--output-path={report}",
            f"--only-categories={','.join(CATEGORIES)}",
            "--form-factor=mobile",
            f"--chrome-flags={' '.join(CHROMIUM_FLAGS)} --user-data-dir={tmp}/profile",
        ]
        env = os.environ | {"CHROME_PATH": str(CHROMIUM)}
        subprocess.run(command, check=True, env=env, timeout=timeout, capture_output=True)
        data = json.loads(report.read_text(encoding="utf-8"))
    return {
        name: round((data["categories"][name]["score"] or 0) * 100)
        for name in CATEGORIES
        if name in data["categories"]
    }


def misses(result: PageResult) -> list[str]:
    found = [
        f"{name} {result.scores[name]} < {target}"
        for name, target in TARGETS.items()
        if name in result.scores and result.scores[name] < target
    ]
    if result.transferred > MAX_PAGE_BYTES:
        found.append(f"{result.transferred / 1024:.1f} KB > {MAX_PAGE_BYTES // 1024} KB")
    if result.problem:
        found.append(result.problem)
    return found


def print_table(house: str, results: list[PageResult], lighthouse: bool) -> None:
    print(f"\nPublic site, house '{house}' (cold load, gzipped bodies; Lighthouse mobile)\n")
    header = f"{'page':<32} {'req':>4} {'KB gz':>7}"
    if lighthouse:
        header += f" {'perf':>5} {'a11y':>5} {'best':>5} {'seo':>5}"
    print(header)
    print("-" * len(header))
    for result in results:
        line = f"{result.path:<32} {result.requests:>4} {result.transferred / 1024:>7.1f}"
        if lighthouse:
            line += "".join(f" {result.scores.get(name, '-')!s:>5}" for name in CATEGORIES)
        flags = misses(result)
        print(line + ("   <- " + "; ".join(flags) if flags else ""))
    heaviest = max(results, key=lambda r: r.transferred)
    print(
        f"\nheaviest page: {heaviest.path} {heaviest.transferred / 1024:.1f} KB "
        f"(target <= {MAX_PAGE_BYTES // 1024} KB)"
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0] if __doc__ else None)
    parser.add_argument("--house", default=os.environ.get("VH_HOUSE", "voorbeeldregio"))
    parser.add_argument("--no-lighthouse", action="store_true", help="page weight only")
    parser.add_argument("--timeout", type=float, default=90, help="seconds per Lighthouse run")
    parser.add_argument("--json", type=Path, help="also write the results to this file")
    args = parser.parse_args(argv)

    lighthouse = not args.no_lighthouse and LIGHTHOUSE.exists()
    if not args.no_lighthouse and not lighthouse:
        print(f"Lighthouse not found at {LIGHTHOUSE}: run `npm ci --prefix benchmarks/site`.")
    started = time.monotonic()
    with tempfile.TemporaryDirectory(prefix="vh-site-") as tmp:
        site = Path(tmp) / args.house
        build(args.house, site)
        server, origin = serve(site)
        try:
            results = [PageResult(path) for path in pages(site)]
            measure_weight(origin, results)
            if lighthouse:
                for result in results:
                    try:
                        result.scores = run_lighthouse(origin + result.path, args.timeout)
                    except (subprocess.SubprocessError, OSError, ValueError, KeyError) as exc:
                        result.problem = f"lighthouse failed: {type(exc).__name__}"
        finally:
            server.shutdown()
            server.server_close()
    print_table(args.house, results, lighthouse)
    print(f"({time.monotonic() - started:.0f} s)")
    if args.json:
        args.json.parent.mkdir(parents=True, exist_ok=True)
        payload = [result.__dict__ for result in results]
        args.json.write_text(json.dumps({"house": args.house, "pages": payload}, indent=2))
    return 1 if any(misses(result) for result in results) else 0


if __name__ == "__main__":
    sys.exit(main())
