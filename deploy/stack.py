"""`make deploy`: ``sam deploy`` of one house's stack, with the parameters taken from the house.

Derived on every deploy (never typed by hand): ``HouseName``, ``Stage``, ``AgendaSchedule``
(the house's weekly cut-off, the same expression the local stack schedules), the CSP hashes
of the built site's inline scripts (``SiteScriptHashes``) and, without a custom domain, the
distribution's address (``SiteUrl``). Everything else (the e-mail addresses, the optional
custom domain) comes from the house's section in ``samconfig.toml``, written by
``sam deploy --guided`` on the first deploy.

The web ACL: a CLOUDFRONT web ACL can only be created in us-east-1, so it is a stack of its own
(``infra/waf.yaml``, stack ``vh-<house>[-<stage>]-waf`` in us-east-1), deployed first; its
``WebAclArn`` output becomes the house stack's parameter. ``--waf off`` (``make deploy
WAF=off``) deploys none and passes an empty ``WebAclArn``; a ``WebAclArn`` in the house's
section of samconfig.toml (an ACL of the operator's own) is used as it is, and no WAF stack is
deployed.

Without a custom domain the stack only learns its address when the distribution exists: the
first deploy of such a stack is followed by a second one that sets ``SiteUrl`` to it (the staff
sign-in's callback and the links in e-mails need it).
"""

from __future__ import annotations

import argparse
import json
import os
import shlex
import subprocess
import sys
import tomllib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from vhtools.csp import inline_script_hashes
from vhtools.schedule import weekly_cutoff
from vhtools.template import REPO

SAMCONFIG = REPO / "samconfig.toml"
DEFAULT_REGION = "eu-central-1"
WAF_TEMPLATE = REPO / "infra" / "waf.yaml"
WAF_REGION = "us-east-1"  # where CloudFront takes a web ACL from, whatever the stack's region
# A new stack needs these from samconfig.toml (or the guided prompts): the template's defaults
# are example.org addresses.
REQUIRED = ("SenderEmail", "StaffMailbox", "EscalationMailbox", "AlertEmail")


@dataclass(frozen=True)
class Target:
    """One house in one stage: its stack and its section in samconfig.toml."""

    house: str
    stage: str = "prod"

    @property
    def config_env(self) -> str:
        return self.house if self.stage == "prod" else f"{self.house}-{self.stage}"

    @property
    def stack_name(self) -> str:
        return f"vh-{self.config_env}"

    @property
    def waf_stack_name(self) -> str:
        return f"{self.stack_name}-waf"


def deploy_config(target: Target, samconfig: Path = SAMCONFIG) -> dict[str, Any] | None:
    """The ``[<env>.deploy.parameters]`` section of samconfig.toml, or None."""
    if not samconfig.exists():
        return None
    document = tomllib.loads(samconfig.read_text(encoding="utf-8"))
    section = document.get(target.config_env, {}).get("deploy", {}).get("parameters")
    return dict(section) if isinstance(section, dict) else None


def configured_overrides(config: Mapping[str, Any] | None) -> list[str]:
    """The section's ``parameter_overrides``, passed on to sam as they are written."""
    value = (config or {}).get("parameter_overrides", [])
    return [value] if isinstance(value, str) else [str(v) for v in value]


def configured_values(config: Mapping[str, Any] | None) -> dict[str, str]:
    """The ``Key="Value"`` overrides of the section (``file://`` references are not read)."""
    words = [word for item in configured_overrides(config) for word in shlex.split(item)]
    pairs = (word.partition("=") for word in words if "=" in word)
    return {key: value for key, _, value in pairs if not key.startswith("file:")}


def house_parameters(target: Target, site_dir: Path) -> dict[str, str]:
    """The parameters a house's stack always gets from the repository itself."""
    from vhcore.house import house_path, load_house_file

    house = load_house_file(house_path(target.house))
    hashes = inline_script_hashes(site_dir)
    if not hashes:
        raise SystemExit(f"{site_dir} has no inline scripts: is the site built for the house?")
    return {
        "HouseName": target.house,
        "Stage": target.stage,
        "AgendaSchedule": weekly_cutoff(house.triage),
        "SiteScriptHashes": " ".join(hashes),
    }


# What an unconfirmed value means for the operator, in the words of the warning.
UNCONFIRMED_EFFECT = {
    "response_term": "the response term (published as an aim, no date promised)",
    "outcomes": "the outcomes (published as examples)",
    "triage": "the triage rhythm",
    "criteria": "the criteria",
    "partners": "the partner list and its e-mail domains",
    "contact": "the contact details",
    "retention": "the retention periods",
    "privacy": "the privacy covenant and controller",
}


def unconfirmed_warning(house_name: str) -> str | None:
    """A warning naming the values of the house file the house has not confirmed, or None."""
    from vhcore.house import house_path, load_house_file

    house = load_house_file(house_path(house_name))
    if not house.unconfirmed:
        return None
    lines = [f"WARNING: houses/{house.id}.yaml has values the house has not confirmed:"]
    lines += [
        f"  - {value.value}: {UNCONFIRMED_EFFECT[value.value]}" for value in house.unconfirmed
    ]
    lines.append("Confirm them with the house, then remove them from `unconfirmed:`.")
    return "\n".join(lines)


def write_parameters_file(path: Path, parameters: Mapping[str, str]) -> None:
    """The derived parameters as a YAML file for ``--parameter-overrides file://...`` (sam
    reads no JSON there). sam strips a pair of quotes around a value (once or twice, depending
    on how it was given), which would turn ``'sha256-a' 'sha256-b'`` into ``sha256-a' 'sha256-b``:
    such a value gets a trailing space, which a CSP ignores."""
    safe = {
        key: value + " " if value[:1] in "'\"" and value[-1:] in "'\"" and value else value
        for key, value in parameters.items()
    }
    path.write_text(yaml.safe_dump(safe, sort_keys=False, width=4096), encoding="utf-8")


def sam_deploy_command(
    sam: str,
    target: Target,
    config: Mapping[str, Any] | None,
    parameters_file: Path,
    *,
    guided: bool,
    samconfig: Path = SAMCONFIG,
) -> list[str]:
    """``sam deploy`` for the target: the section's settings, its parameter overrides, then
    the derived ones from ``parameters_file`` (later values win)."""
    command = [sam, "deploy", "--config-file", str(samconfig), "--config-env", target.config_env]
    if guided:
        command += ["--guided", "--stack-name", target.stack_name]
        if not (config or {}).get("region"):
            command += ["--region", DEFAULT_REGION]
    overrides = [*configured_overrides(config), f"file://{parameters_file.resolve()}"]
    return [*command, "--parameter-overrides", *overrides]


def own_web_acl(config: Mapping[str, Any] | None) -> str:
    """The ``WebAclArn`` the house's section sets itself ('' when it sets none)."""
    return configured_values(config).get("WebAclArn", "")


def waf_stack_wanted(config: Mapping[str, Any] | None, *, waf: bool) -> bool:
    """Whether this deploy deploys the house's WAF stack: on by default, not when switched
    off, and not when the house brings a web ACL of its own."""
    return waf and not own_web_acl(config)


def web_acl_parameter(
    config: Mapping[str, Any] | None, *, waf: bool, deployed_arn: str = ""
) -> dict[str, str]:
    """What the derived parameters say about ``WebAclArn``: nothing when the house's section
    names its own ACL (its override stands), '' when switched off (a web ACL deployed before
    is detached), the WAF stack's ARN otherwise."""
    if own_web_acl(config):
        return {}
    if not waf:
        return {"WebAclArn": ""}
    if not deployed_arn:
        raise ValueError("the WAF stack gave no WebAclArn")
    return {"WebAclArn": deployed_arn}


def waf_deploy_command(sam: str, target: Target, config: Mapping[str, Any] | None) -> list[str]:
    """``sam deploy`` of the house's web ACL (``infra/waf.yaml``) to us-east-1; a change set
    is confirmed when the house's own deploys are."""
    command = [
        sam,
        "deploy",
        "--template-file",
        str(WAF_TEMPLATE),
        "--stack-name",
        target.waf_stack_name,
        "--region",
        WAF_REGION,
        "--no-fail-on-empty-changeset",
        "--parameter-overrides",
        f"HouseName={target.house}",
        f"Stage={target.stage}",
    ]
    if config is None or config.get("confirm_changeset", True):
        command.append("--confirm-changeset")
    return command


def _region(config: Mapping[str, Any] | None) -> str:
    return str(
        (config or {}).get("region")
        or os.environ.get("AWS_REGION")
        or os.environ.get("AWS_DEFAULT_REGION")
        or DEFAULT_REGION
    )


def _run(command: Sequence[str]) -> None:
    print("+", shlex.join(command), flush=True)
    subprocess.run(command, check=True, cwd=REPO)  # noqa: S603 - our own sam, no shell


def deploy_web_acl(
    sam: str, target: Target, config: Mapping[str, Any] | None, *, waf: bool, dry_run: bool
) -> dict[str, str]:
    """Deploy the house's WAF stack when wanted (a dry run prints the command), and give the
    ``WebAclArn`` parameter the house's stack gets."""
    if not waf_stack_wanted(config, waf=waf):
        return web_acl_parameter(config, waf=waf)
    command = waf_deploy_command(sam, target, config)
    if dry_run:
        print(shlex.join(command))
        return web_acl_parameter(
            config, waf=waf, deployed_arn=f"<output WebAclArn of {target.waf_stack_name}>"
        )
    from deploy.aws import client, stack_state

    _run(command)
    state = stack_state(client("cloudformation", WAF_REGION), target.waf_stack_name)
    deployed_arn = state.outputs.get("WebAclArn", "") if state else ""
    return web_acl_parameter(config, waf=waf, deployed_arn=deployed_arn)


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--house", required=True)
    parser.add_argument("--stage", default="prod")
    parser.add_argument("--site-dir", type=Path, required=True)
    parser.add_argument("--sam", default=str(REPO / ".tools" / "bin" / "sam"))
    parser.add_argument("--guided", action="store_true", help="ask for every setting again")
    parser.add_argument(
        "--waf",
        choices=("on", "off"),
        default="on",
        help="deploy the house's web ACL (infra/waf.yaml, us-east-1) first; off: none",
    )
    parser.add_argument(
        "--dry-run", action="store_true", help="print the parameters and command, call nothing"
    )
    args = parser.parse_args(argv)
    target = Target(args.house, args.stage)
    warning = unconfirmed_warning(args.house)
    if warning:
        print(warning, file=sys.stderr, flush=True)
    config = deploy_config(target)
    parameters = house_parameters(target, args.site_dir)
    parameters_file = REPO / ".aws-sam" / "deploy" / f"{target.config_env}.yaml"
    parameters_file.parent.mkdir(parents=True, exist_ok=True)

    def write_parameters() -> None:
        write_parameters_file(parameters_file, parameters)

    waf = args.waf == "on"
    if args.dry_run:
        parameters |= deploy_web_acl(args.sam, target, config, waf=waf, dry_run=True)
        write_parameters()
        print(json.dumps(parameters, indent=2))
        guided = args.guided or config is None
        command = sam_deploy_command(args.sam, target, config, parameters_file, guided=guided)
        print(shlex.join(command))
        return

    from deploy.aws import client, stack_state

    parameters |= deploy_web_acl(args.sam, target, config, waf=waf, dry_run=False)
    cloudformation = client("cloudformation", _region(config))
    state = stack_state(cloudformation, target.stack_name)
    if state is not None and not state.has_custom_domain():
        parameters["SiteUrl"] = state.outputs["DistributionUrl"]
    missing = [p for p in REQUIRED if p not in configured_values(config)]
    guided = args.guided or config is None or (state is None and bool(missing))
    if guided and config is not None and missing:
        print(f"samconfig.toml [{target.config_env}] has no {', '.join(missing)}: asking.")
    write_parameters()
    _run(sam_deploy_command(args.sam, target, config, parameters_file, guided=guided))

    state = stack_state(cloudformation, target.stack_name)
    if state is None:
        return
    address = state.outputs["DistributionUrl"]
    if not state.has_custom_domain() and state.parameters.get("SiteUrl") != address:
        print(f"The site's address is {address}: deploying once more so that staff sign-in and")
        print("the links in e-mails use it.", flush=True)
        parameters["SiteUrl"] = address
        write_parameters()
        config = deploy_config(target)  # the guided run has written the section
        _run(sam_deploy_command(args.sam, target, config, parameters_file, guided=False))
    seal_legacy_text(client("lambda", _region(config)), state.outputs)


def seal_legacy_text(lambda_client: Any, outputs: Mapping[str, str]) -> int:
    """Run the stack's upkeep function: it seals what an earlier version stored in clear
    (it may encrypt with the data key; the operator's credentials may not). Safe to repeat."""
    response = lambda_client.invoke(FunctionName=outputs["SealLegacyTextFunctionName"])
    result = json.loads(response["Payload"].read() or b"{}")
    if response.get("FunctionError"):
        raise SystemExit(f"Sealing old staff text failed: {result}. Run make deploy again.")
    sealed = int(result.get("sealed", 0))
    print(f"Staff text stored in clear by an earlier version: {sealed} item(s) sealed.")
    return sealed


if __name__ == "__main__":
    main(sys.argv[1:])
