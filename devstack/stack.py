"""Start the whole local system: emulator, resources from the template, site, gateway."""

from __future__ import annotations

import logging
import os
import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path
from types import TracebackType

from moto.server import ThreadedMotoServer

from devstack.gateway import LocalGateway
from devstack.provision import Stack, provision
from devstack.template import REGION, REPO, transformed

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


@dataclass
class LocalSystem:
    """moto server + provisioned stack + handlers' environment + local gateway."""

    house: str = "voorbeeldregio"
    site_dir: Path | None = None
    moto_port: int = 0
    gateway_port: int = 0
    quiet: bool = True
    environment: dict[str, str] = field(default_factory=dict)

    def start(self) -> LocalSystem:
        if self.quiet:
            logging.getLogger("werkzeug").setLevel(logging.ERROR)
        self.moto = ThreadedMotoServer(ip_address="127.0.0.1", port=self.moto_port, verbose=False)
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
        parameters = {"HouseName": self.house, "Stage": "dev"}
        self.stack: Stack = provision(transformed(), self.endpoint, parameters)
        function_env = self.stack.environment()
        os.environ.update(function_env)
        self.environment.update(function_env)
        self._clear_caches()
        site = self.site_dir or REPO / "site" / "build" / self.house
        self.gateway = LocalGateway(self.stack, site, self.gateway_port).start()
        return self

    @staticmethod
    def _clear_caches() -> None:
        """Clients and the house are cached per process; a new stack needs fresh ones."""
        from vhcore.dal import crypto, registrations
        from vhcore.house import current_house

        registrations._client.cache_clear()
        crypto._masker.cache_clear()
        current_house.cache_clear()

    @property
    def url(self) -> str:
        return self.gateway.url

    def stop(self) -> None:
        self.gateway.stop()
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
