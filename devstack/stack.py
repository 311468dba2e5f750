"""Start the whole local system: emulator, resources from the template, site, gateway."""

from __future__ import annotations

import logging
import os
import socket
import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path
from types import TracebackType
from typing import Any

from moto.server import ThreadedMotoServer

from devstack.clock import SimClock
from devstack.cognito import patch_moto_tokens
from devstack.devpages import DevTools
from devstack.events import EventPump
from devstack.gateway import LocalGateway
from devstack.iam import FunctionSessions, LocalStackIdentity, enforce, workflow_key
from devstack.loginpage import DEV_AUTH_ROOT, DevLogin, oauth_clients
from devstack.outbox import Outbox, SentEmail
from devstack.provision import Stack, provision
from devstack.transactions import patch_moto_transactions
from devstack.users import seed_staff_users
from vhcore.house import house_path, load_house_file
from vhtools.schedule import weekly_cutoff
from vhtools.template import ACCOUNT, REGION, REPO, transformed

SITE_CONFIG = REPO / "site" / "mkdocs.yml"


def build_site(house: str, out_dir: Path) -> Path:
    """Build the public site for one house with ``mkdocs build --strict``."""
    env = os.environ | {"VH_HOUSE": house, "NO_MKDOCS_2_WARNING": "1"}
    subprocess.run(  # noqa: S603 - fixed arguments, our own interpreter
        [
            sys.executable,
            "-m",
            "mkdocs",
            "build",
            "--strict",
            "--quiet",
            "-f",
            str(SITE_CONFIG),
            "-d",
            str(out_dir),
        ],
        check=True,
        env=env,
        cwd=REPO,
    )
    return out_dir


def free_port() -> int:
    """A free loopback port (the emulator's port must be known before it starts)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@dataclass
class LocalSystem:
    """moto server + provisioned stack + handlers' environment + local gateway, plus the
    event pump (queues, streams, schedules, TTL), the simulated clock and the outbox.

    ``dev`` adds the ``/dev/`` pages to the gateway (``make dev`` and the tests), with the
    stand-in for Cognito's hosted login at ``/dev/oauth2/...`` and ``/dev/logout`` (the sign-in
    function's ``STAFF_AUTH_URL`` is ``{gateway}/dev``, the local user pool domain).

    The template's ``SiteUrl`` parameter is the gateway's own address (its port is chosen
    before provisioning), so the staff client's callback and sign-out URLs and the links in
    e-mails lead to this local origin.

    ``staff_users``: group -> (username, password) of the dev user seeded per group;
    ``staff_password_file`` keeps their passwords across runs (``make dev``), without it they
    are new each run (tests).

    ``limits``: the gateway enforces the web ACL's rate rules and the API's throttles (the
    tests switch them off, and on where they test them: ``gateway.limits.enforcing()``)."""

    house: str = "voorbeeldregio"
    site_dir: Path | None = None
    moto_port: int = 0
    gateway_port: int = 0
    quiet: bool = True
    dev: bool = False
    staff_password_file: Path | None = None
    # The web ACL's rate rules and the API's throttles (devstack.limits); on for `make dev`.
    limits: bool = True
    environment: dict[str, str] = field(default_factory=dict)
    staff_users: dict[str, tuple[str, str]] = field(default_factory=dict)

    def start(self) -> LocalSystem:
        if self.quiet:
            logging.getLogger("werkzeug").setLevel(logging.ERROR)
            # moto's interpreter logs every Choice on a missing path (IsPresent) as an error
            # and every woken Wait as a warning; executions' histories keep what matters.
            logging.getLogger("moto.stepfunctions").setLevel(logging.CRITICAL)
        port = self.moto_port or free_port()
        # moto's Step Functions service integrations call the emulator at MOTO_PORT.
        os.environ["MOTO_PORT"] = str(port)
        # Transactions that cost one item each, not a copy of the table (devstack.transactions).
        patch_moto_transactions()
        # Tokens live as the template's client says, on the simulated clock (devstack.cognito).
        patch_moto_tokens()
        self.moto = ThreadedMotoServer(ip_address="127.0.0.1", port=port, verbose=False)
        self.moto.start()
        host, port = self.moto.get_host_and_port()
        self.endpoint = f"http://{host}:{port}"
        # Handlers run in this process; point every AWS client at the emulator.
        self.environment = {
            "AWS_ENDPOINT_URL": self.endpoint,
            "AWS_DEFAULT_REGION": REGION,
            "AWS_REGION": REGION,
            "AWS_ACCESS_KEY_ID": "local",
            "AWS_SECRET_ACCESS_KEY": "local",
            "MOTO_PORT": str(port),
            "POWERTOOLS_TRACE_DISABLED": "true",
            "POWERTOOLS_METRICS_DISABLED": "true",
            "POWERTOOLS_DEV": "false",
        }
        os.environ.update(self.environment)
        gateway_port = self.gateway_port or free_port()
        site_url = f"http://127.0.0.1:{gateway_port}"
        # The parameters `make deploy` passes for this house (deploy.stack), locally.
        parameters = {
            "HouseName": self.house,
            "Stage": "dev",
            "SiteUrl": site_url,
            "KeyAdministratorArn": f"arn:aws:iam::{ACCOUNT}:role/vh-key-administrator",
            "AgendaSchedule": weekly_cutoff(load_house_file(house_path(self.house)).triage),
        }
        self.stack: Stack = provision(transformed(), self.endpoint, parameters)
        function_env = self.stack.environment()
        if self.dev and "STAFF_AUTH_URL" in function_env:
            # The user pool domain's root, locally: the hosted login's stand-in on this origin
            # (the function appends /oauth2/authorize, /oauth2/token and /logout).
            function_env["STAFF_AUTH_URL"] = f"{site_url}{DEV_AUTH_ROOT}"
        os.environ.update(function_env)
        self.environment.update(function_env)
        template = transformed()
        self._own_identity(template)
        self.clock = SimClock()
        self.mail = Outbox()
        self.pump = EventPump(self.stack, template, clock=self.clock)
        self.pump.after_invoke.append(self.mail.collect)
        self.clock.next_due = self.pump.next_due
        self.clock.fire_due = self.pump.fire_due
        self.clock.settle = self.pump.settle
        self.clock.after_move.append(self.pump.sweep_ttl)
        self.clock.after_reset.append(self.pump.reschedule)
        self.staff_users = seed_staff_users(self.stack, self.house, self.staff_password_file)
        site = self.site_dir or REPO / "site" / "build" / self.house
        tools = None
        if self.dev:
            login = DevLogin(self.endpoint, oauth_clients(self.stack, site_url))
            tools = DevTools(self.clock, self.mail, login=login, staff=self.staff_users)
        self.gateway = LocalGateway(
            self.stack, site, gateway_port, dev=tools, limits=self.limits
        ).start()
        if self.gateway.url != site_url:
            raise RuntimeError(f"the gateway listens on {self.gateway.url}, not {site_url}")
        enforce(True)
        return self

    def _own_identity(self, template: dict[str, Any]) -> None:
        """IAM as in AWS (``devstack.iam``): each function calls with its own role's
        credentials; the stack itself (its clients are made from here on) and tests call with
        its administrator's. Enforced once provisioning and seeding are done (``start``)."""
        from vhcore.dal import aws

        self.identity = LocalStackIdentity.create(self.endpoint)
        workflow_key(template, self.stack)
        credentials = self.identity.use()
        os.environ.update(credentials)
        self.environment.update(credentials)
        aws.set_session_source(FunctionSessions(self.stack, self.identity))
        self._clear_caches()

    def outbox(self) -> list[SentEmail]:
        """Every e-mail sent so far, newest first."""
        return self.mail.messages()

    @staticmethod
    def _clear_caches() -> None:
        """Clients and the house are cached per process; a new stack needs fresh ones."""
        from vhcore.dal import reset_clients

        reset_clients()

    @property
    def url(self) -> str:
        return self.gateway.url

    def stop(self) -> None:
        from vhcore.dal import aws

        self.pump.stop()
        self.gateway.stop()
        enforce(False)
        aws.set_session_source(None)
        self.moto.stop()

    def __enter__(self) -> LocalSystem:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()
