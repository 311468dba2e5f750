"""``make dev``: the whole system on this machine, on loopback only. Ctrl-C stops it."""

from __future__ import annotations

import argparse
import os
import signal
import threading

from devstack.outbox import print_to_console
from devstack.seed import seed_examples
from devstack.stack import LocalSystem, build_site
from vhtools.template import REPO

# The dev users' passwords: generated on the first run, then kept (git-ignored, mode 0600).
STAFF_PASSWORDS = REPO / ".cache" / "devstack" / "staff-passwords.json"


def staff_login_text(url: str, staff: dict[str, tuple[str, str]]) -> str:
    """The "Dev staff login" block of the start-up message."""
    width = max((len(username) for username, _ in staff.values()), default=0)
    lines = [
        "Dev staff login (local user pool only; the emulator asks no MFA code):",
        f"  sign in at         {url}/api/admin/auth/login  (or via {url}/beheer/)",
        *(
            f"  {group:<18} {username:<{width}}  {password}"
            for group, (username, password) in staff.items()
        ),
        f"  passwords kept in  {STAFF_PASSWORDS.relative_to(REPO)}",
    ]
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description="Run the Veiligheidshuis locally.")
    parser.add_argument("--house", default=os.environ.get("VH_HOUSE", "voorbeeldregio"))
    parser.add_argument("--port", type=int, default=int(os.environ.get("VH_PORT", "8000")))
    parser.add_argument("--moto-port", type=int, default=int(os.environ.get("VH_MOTO_PORT", "0")))
    args = parser.parse_args()

    os.environ["VH_HOUSE"] = args.house
    site_dir = REPO / "site" / "build" / args.house
    print(f"Building the site for house '{args.house}' ...")
    build_site(args.house, site_dir)
    system = LocalSystem(
        house=args.house,
        site_dir=site_dir,
        moto_port=args.moto_port,
        gateway_port=args.port,
        dev=True,
        staff_password_file=STAFF_PASSWORDS,
    ).start()
    system.mail.listeners.append(print_to_console)
    system.pump.start()
    references = seed_examples(system)

    stop = threading.Event()
    signal.signal(signal.SIGINT, lambda *_: stop.set())
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    print(
        "\nVeiligheidshuis runs locally (loopback only):\n"
        f"  site and form      {system.url}/\n"
        f"  register a case    {system.url}/casus-aanmelden/\n"
        f"  API                {system.url}/api/registrations (POST)\n"
        f"  AWS emulator       {system.endpoint} (moto; resources from infra/template.yaml)\n"
        f"  outbox and clock   {system.url}/dev/ (sent e-mails; move the clock forward)\n"
        f"  house              houses/{args.house}.yaml\n"
        f"  example cases      {', '.join(references)}\n"
        f"\n{staff_login_text(system.url, system.staff_users)}\n"
        "\nPress Ctrl-C to stop.\n",
        flush=True,
    )
    stop.wait()
    print("Stopping ...", flush=True)
    system.stop()
    print("Stopped.")


if __name__ == "__main__":
    main()
