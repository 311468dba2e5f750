"""One local origin for site and API, as CloudFront gives in AWS: ``/api/...`` becomes an
API Gateway HTTP API (payload 2.0) event for the real handler; everything else is a file of
the built site. In dev mode (``make dev`` and the tests) ``/dev/`` adds the local stack's own
pages: sent e-mails and the simulated clock (``devstack.devpages``), the hosted login's
stand-in (``devstack.loginpage``).

Routes with a JWT authorizer in the template get API Gateway's token checks first
(``devstack.authorizer.JwtAuthorizer``): 401 without a valid token, the claims in
``requestContext.authorizer.jwt`` otherwise. As the CloudFront function does in AWS, the
session cookie becomes the ``Authorization`` header for ``/api/admin/*``.

The limits come first, as in AWS (``devstack.limits``): the web ACL's rate rules per client
address (``infra/waf.yaml``) for every request, then the route's throttle from the template;
a refused request reaches no authorizer and no function. ``limits=False`` switches both off
(the test suite sends far more from one address than any client would)."""

from __future__ import annotations

import base64
import datetime as dt
import importlib
import json
import mimetypes
import re
import threading
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl, urlsplit

from devstack.authorizer import (
    FORBIDDEN,
    UNAUTHORIZED,
    InsufficientScope,
    JwtAuthorizer,
    Unauthorized,
    authorizers,
)
from devstack.devpages import DevTools
from devstack.devpages import handle as dev_page
from devstack.edge import edge_headers, security_headers, with_origin_headers
from devstack.iam import running_as
from devstack.limits import Limits, Refusal
from devstack.provision import Stack
from vhtools.template import ACCOUNT, REGION, Route, transformed

Handler = Callable[[dict[str, Any], Any], dict[str, Any]]
MAX_BODY = 10 * 1024 * 1024  # API Gateway's own payload limit


@dataclass
class LambdaContext:
    """The parts of the Lambda context object that handlers and Powertools read."""

    function_name: str
    aws_request_id: str
    memory_limit_in_mb: int = 512
    function_version: str = "$LATEST"
    log_group_name: str = "/aws/lambda/local"
    log_stream_name: str = "local"
    deadline: float = 0.0

    @property
    def invoked_function_arn(self) -> str:
        return f"arn:aws:lambda:{REGION}:{ACCOUNT}:function:{self.function_name}"

    def get_remaining_time_in_millis(self) -> int:
        return max(0, int((self.deadline - time.monotonic()) * 1000))


def _route_pattern(path: str) -> re.Pattern[str]:
    pattern = re.sub(r"\\\{(\w+)(?:\\\+)?\\\}", r"(?P<\1>[^/]+)", re.escape(path))
    return re.compile(f"^{pattern}$")


@dataclass
class ApiRouter:
    """Finds the route and the handler for a request, from the template's routes."""

    stack: Stack

    def __post_init__(self) -> None:
        self._routes = [(route, _route_pattern(route.path)) for route in self.stack.routes]
        self._handlers: dict[str, Handler] = {}
        self._overrides: dict[str, Handler] = {}
        self._lock = threading.Lock()
        # One request at a time per function, as in one Lambda execution environment: the
        # handlers keep per-request state in module globals (Powertools' resolver does).
        self.environments = {function: threading.Lock() for function in self.stack.functions}
        self.authorizers: dict[str, JwtAuthorizer] = authorizers(self.stack)
        # The web ACL's rate rules and the stage's throttles (devstack.limits).
        self.limits = Limits(self.stack.resolver.template)
        for route in self.stack.routes:
            if route.authorizer and route.authorizer not in self.authorizers:
                raise ValueError(f"{route.method} {route.path}: no authorizer {route.authorizer}")

    def match(self, method: str, path: str) -> tuple[Route, dict[str, str]] | None:
        for route, pattern in self._routes:
            found = pattern.match(path)
            if found and route.method in (method, "ANY"):
                return route, found.groupdict()
        return None

    @contextmanager
    def override(self, function: str, handler: Handler) -> Iterator[None]:
        """Tests only: ``handler`` answers for ``function``'s routes while the block runs
        (the authorizer still runs first)."""
        with self._lock:
            self._overrides[function] = handler
        try:
            yield
        finally:
            with self._lock:
                self._overrides.pop(function, None)

    def handler(self, route: Route) -> Handler:
        with self._lock:
            if route.function in self._overrides:
                return self._overrides[route.function]
            if route.function not in self._handlers:
                module_name, _, attribute = self.stack.handler(route.function).rpartition(".")
                module = importlib.import_module(module_name)
                self._handlers[route.function] = getattr(module, attribute)
            return self._handlers[route.function]


def _is_utf8(body: bytes) -> bool:
    try:
        body.decode("utf-8")
    except UnicodeDecodeError:
        return False
    return True


def build_event(
    *,
    method: str,
    raw_path: str,
    query: str,
    headers: dict[str, str],
    body: bytes,
    route: Route,
    path_parameters: dict[str, str],
    source_ip: str = "127.0.0.1",
) -> dict[str, Any]:
    """An API Gateway HTTP API payload 2.0 event, as AWS would send it."""
    now = dt.datetime.now(dt.UTC)
    lowered = {k.lower(): v for k, v in headers.items()}
    cookies = [c.strip() for c in lowered.pop("cookie", "").split(";") if c.strip()]
    text_like = re.match(
        r"^(application/(json|x-www-form-urlencoded)|text/)", lowered.get("content-type", "")
    )
    is_base64 = bool(body) and not (text_like and _is_utf8(body))
    event: dict[str, Any] = {
        "version": "2.0",
        "routeKey": f"{route.method} {route.path}",
        "rawPath": raw_path,
        "rawQueryString": query,
        "headers": lowered,
        "requestContext": {
            "accountId": ACCOUNT,
            "apiId": "local",
            "domainName": lowered.get("host", "127.0.0.1"),
            "domainPrefix": "local",
            "http": {
                "method": method,
                "path": raw_path,
                "protocol": "HTTP/1.1",
                "sourceIp": source_ip,
                "userAgent": lowered.get("user-agent", ""),
            },
            "requestId": str(uuid.uuid4()),
            "routeKey": f"{route.method} {route.path}",
            "stage": "$default",
            "time": now.strftime("%d/%b/%Y:%H:%M:%S +0000"),
            "timeEpoch": int(now.timestamp() * 1000),
        },
        "isBase64Encoded": is_base64,
    }
    if cookies:
        event["cookies"] = cookies
    if query:
        params: dict[str, str] = {}
        for key, value in parse_qsl(query, keep_blank_values=True):
            params[key] = f"{params[key]},{value}" if key in params else value
        event["queryStringParameters"] = params
    if path_parameters:
        event["pathParameters"] = path_parameters
    if body:
        event["body"] = base64.b64encode(body).decode() if is_base64 else body.decode("utf-8")
    return event


def invoke(router: ApiRouter, event: dict[str, Any], route: Route) -> dict[str, Any]:
    context = LambdaContext(
        function_name=router.stack.physical[route.function].ref,
        aws_request_id=event["requestContext"]["requestId"],
        deadline=time.monotonic() + 10,
    )
    with router.environments[route.function], running_as(route.function):
        return router.handler(route)(event, context)


def make_handler(
    router: ApiRouter, site_dir: Path, dev: DevTools | None = None
) -> type[BaseHTTPRequestHandler]:
    edge: dict[str, str] = {}

    def response_policy() -> dict[str, str]:
        """CloudFront's response-headers policy, once the site is built (tests build it
        after the gateway starts)."""
        if not edge and (site_dir / "index.html").is_file():
            edge.update(security_headers(transformed(), router.stack.resolver, site_dir))
        return edge

    class Gateway(BaseHTTPRequestHandler):
        server_version = "vh-local"
        sys_version = ""

        def end_headers(self) -> None:
            # As the distribution does for site and API; the dev pages are local only.
            if not urlsplit(self.path).path.startswith("/dev/"):
                for name, value in response_policy().items():
                    self.send_header(name, value)
            super().end_headers()

        def log_message(self, format: str, *args: Any) -> None:
            # Paths only: query strings and bodies may hold personal data.
            print(
                f"  {self.command} {urlsplit(self.path).path} -> {args[1] if len(args) > 1 else ''}"
            )

        def _send(self, status: int, headers: dict[str, str], body: bytes) -> None:
            self.send_response(status)
            for name, value in headers.items():
                self.send_header(name, value)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            if self.command != "HEAD":
                self.wfile.write(body)

        def _refuse(self, refusal: Refusal) -> None:
            print(f"  {self.command} {urlsplit(self.path).path}: refused by the {refusal.reason}")
            self._send(refusal.status, {"Content-Type": refusal.content_type}, refusal.body)

        def _api(self) -> None:
            parts = urlsplit(self.path)
            found = router.match(self.command, parts.path)
            if found is None:
                body = json.dumps({"message": "Not Found"}).encode()
                self._send(404, {"Content-Type": "application/json"}, body)
                return
            route, params = found
            # API Gateway's throttle comes before the authorizer and the function.
            throttled = router.limits.throttle(f"{route.method} {route.path}")
            if throttled is not None:
                self._refuse(throttled)
                return
            length = int(self.headers.get("Content-Length") or 0)
            if length > MAX_BODY:
                self._send(413, {"Content-Type": "application/json"}, b'{"message":"Too large"}')
                return
            body = self.rfile.read(length) if length else b""
            headers = with_origin_headers(
                edge_headers(parts.path, dict(self.headers.items())),
                router.stack.api_origin_headers,
            )
            event = build_event(
                method=self.command,
                raw_path=parts.path,
                query=parts.query,
                headers=headers,
                body=body,
                route=route,
                path_parameters=params,
            )
            if route.authorizer:
                authorizer = router.authorizers[route.authorizer]
                try:
                    claims = authorizer.authorize(
                        event["headers"], event.get("queryStringParameters") or {}, route.scopes
                    )
                except Unauthorized as refused:
                    self._send(
                        401,
                        {"Content-Type": "application/json", "WWW-Authenticate": refused.challenge},
                        UNAUTHORIZED,
                    )
                    return
                except InsufficientScope as refused:
                    self._send(
                        403,
                        {"Content-Type": "application/json", "WWW-Authenticate": refused.challenge},
                        FORBIDDEN,
                    )
                    return
                event["requestContext"]["authorizer"] = {"jwt": claims}
            try:
                result = invoke(router, event, route)
            except Exception as exc:  # what API Gateway answers when a function fails
                print(f"  function {route.function} failed: {type(exc).__name__}")
                body = json.dumps({"message": "Internal Server Error"}).encode()
                self._send(500, {"Content-Type": "application/json"}, body)
                return
            payload = result.get("body") or ""
            data = (
                base64.b64decode(payload)
                if result.get("isBase64Encoded")
                else str(payload).encode("utf-8")
            )
            headers = {str(k): str(v) for k, v in (result.get("headers") or {}).items()}
            self.send_response(int(result.get("statusCode", 200)))
            for name, value in headers.items():
                self.send_header(name, value)
            for name, values in (result.get("multiValueHeaders") or {}).items():
                for value in values:
                    self.send_header(name, value)
            for cookie in result.get("cookies") or []:
                self.send_header("Set-Cookie", cookie)
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def _static(self) -> None:
            path = urlsplit(self.path).path
            target = (site_dir / path.lstrip("/")).resolve()
            if not target.is_relative_to(site_dir.resolve()):
                self._send(404, {"Content-Type": "text/plain"}, b"Not found")
                return
            if target.is_dir():
                if not path.endswith("/"):
                    self._send(301, {"Location": path + "/"}, b"")
                    return
                target = target / "index.html"
            status = 200
            if not target.is_file():
                status, target = 404, site_dir / "404.html"
                if not target.is_file():
                    self._send(404, {"Content-Type": "text/plain"}, b"Not found")
                    return
            content_type = mimetypes.guess_type(target.name)[0] or "application/octet-stream"
            if content_type.startswith("text/") or content_type.endswith("javascript"):
                content_type += "; charset=utf-8"
            self._send(status, {"Content-Type": content_type}, target.read_bytes())

        def _dev(self) -> bool:
            """Dev mode only: the outbox and clock pages (``devstack.devpages``)."""
            if dev is None:
                return False
            parts = urlsplit(self.path)
            length = int(self.headers.get("Content-Length") or 0)
            if length > MAX_BODY:
                self._send(413, {"Content-Type": "text/plain"}, b"Too large")
                return True
            body = self.rfile.read(length) if length > 0 else b""
            page = dev_page(dev, self.command, parts.path, parts.query, body)
            if page is None:
                return False
            self._send(page.status, page.headers, page.body)
            return True

        def _dispatch(self) -> None:
            path = urlsplit(self.path).path
            if path.startswith("/dev") and self._dev():
                return
            # The web ACL sits on the distribution: it sees every request, site and API.
            refused = router.limits.web_acl(self.client_address[0], self.command, path)
            if refused is not None:
                self._refuse(refused)
                return
            if urlsplit(self.path).path.startswith("/api/"):
                self._api()
            elif self.command in ("GET", "HEAD"):
                self._static()
            else:
                self._send(405, {"Allow": "GET, HEAD"}, b"")

        do_GET = do_HEAD = do_POST = do_PUT = do_PATCH = do_DELETE = _dispatch  # noqa: N815

        def __getattr__(self, name: str) -> Any:
            """Any other method (OPTIONS, TRACE, QUERY, ...) is dispatched too, as at the edge:
            API Gateway answers 404 for a method no route declares, never 501."""
            if name.startswith("do_"):
                return self._dispatch
            raise AttributeError(name)

    return Gateway


class _Server(ThreadingHTTPServer):
    # A burst of simultaneous requests (tests send 50 at once) waits in the listen queue
    # instead of being reset: socketserver's default queue holds 5.
    request_queue_size = 128


class LocalGateway:
    """The local origin, in a background thread; ``stop()`` shuts it down."""

    def __init__(
        self,
        stack: Stack,
        site_dir: Path,
        port: int = 0,
        dev: DevTools | None = None,
        *,
        limits: bool = True,
    ) -> None:
        self.router = ApiRouter(stack)
        self.router.limits.enforced = limits
        self.server = _Server(("127.0.0.1", port), make_handler(self.router, site_dir, dev))
        self.server.daemon_threads = True
        self._thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    @property
    def limits(self) -> Limits:
        """The web ACL's rate rules and the API's throttles this gateway enforces."""
        return self.router.limits

    @property
    def url(self) -> str:
        host, port = self.server.server_address[:2]
        return f"http://{host!s}:{port}"

    def start(self) -> LocalGateway:
        self._thread.start()
        return self

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()
