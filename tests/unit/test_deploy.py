"""`make deploy`: what it derives from the house and the repository, before AWS is called."""

from __future__ import annotations

import datetime as dt
import tomllib
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
import yaml

from deploy.stack import (
    REQUIRED,
    SAMCONFIG,
    WAF_TEMPLATE,
    Target,
    configured_values,
    deploy_config,
    house_parameters,
    main,
    sam_deploy_command,
    waf_deploy_command,
    waf_stack_wanted,
    web_acl_parameter,
    write_parameters_file,
)
from devstack.cron import ScheduleExpression
from vhcore.house import house_path, load_house_file, shipped_houses
from vhcore.logic.agenda import closing_triage
from vhtools.csp import inline_script_hashes
from vhtools.schedule import weekly_cutoff

AMS = ZoneInfo("Europe/Amsterdam")
REPO_ROOT = SAMCONFIG.parent
WEEKLY_HOUSES = [h for h in shipped_houses() if load_house_file(house_path(h)).triage.cutoff]


@pytest.mark.parametrize("name", WEEKLY_HOUSES)
def test_the_agenda_schedule_fires_exactly_at_the_houses_cutoff(name: str) -> None:
    # Given a house with a weekly triage and its schedule as `make deploy` passes it
    house = load_house_file(house_path(name))
    schedule = ScheduleExpression(weekly_cutoff(house.triage), "Europe/Amsterdam")
    # When it fires, through a winter and a summer week
    for start in (dt.datetime(2026, 1, 5, tzinfo=dt.UTC), dt.datetime(2026, 7, 6, tzinfo=dt.UTC)):
        moment = schedule.next_after(start)
        assert moment is not None
        # Then at that minute the coming triage's agenda closes, and a minute earlier it had not
        closing = closing_triage(moment.astimezone(AMS), house)
        before = closing_triage((moment - dt.timedelta(minutes=1)).astimezone(AMS), house)
        assert closing is not None and before is not None
        assert closing > before  # (a week later, or moved by a public holiday)
        assert closing > moment.astimezone(AMS).date()


def test_a_house_without_a_weekly_rhythm_gets_no_schedule() -> None:
    without = [h for h in shipped_houses() if h not in WEEKLY_HOUSES]
    assert without
    for name in without:
        assert weekly_cutoff(load_house_file(house_path(name)).triage) == ""


def test_every_shipped_house_deploys_to_its_own_stack_in_the_eu_with_a_confirmed_changeset() -> (
    None
):
    document = tomllib.loads(SAMCONFIG.read_text(encoding="utf-8"))
    houses = {env.split("-acc")[0] for env in document if isinstance(document[env], dict)}
    assert set(shipped_houses()) <= houses
    for env, section in document.items():
        if not isinstance(section, dict):
            continue
        settings = section["deploy"]["parameters"]
        house = env.removesuffix("-acc")
        target = Target(house, "acc" if env.endswith("-acc") else "prod")
        assert target.config_env == env
        assert settings["stack_name"] == target.stack_name
        assert settings["region"].startswith("eu-")
        assert settings["capabilities"] == "CAPABILITY_IAM"
        assert settings["confirm_changeset"] is True
        assert settings["resolve_s3"] is True
        assert not {"HouseName", "Stage", "SiteScriptHashes"} & set(configured_values(settings))


def _site(tmp_path: Path) -> Path:
    (tmp_path / "index.html").write_text(
        "<html><script>var a = 1;</script><script src='x.js'></script></html>", encoding="utf-8"
    )
    return tmp_path


def test_the_house_parameters_come_from_the_house_file_and_the_built_site(tmp_path: Path) -> None:
    site = _site(tmp_path)
    parameters = house_parameters(Target("noord-holland-noord", "acc"), site)
    house = load_house_file(house_path("noord-holland-noord"))
    assert parameters == {
        "HouseName": "noord-holland-noord",
        "Stage": "acc",
        "AgendaSchedule": weekly_cutoff(house.triage),
        "SiteScriptHashes": " ".join(inline_script_hashes(site)),
    }


def test_a_new_house_is_deployed_guided_and_the_derived_parameters_come_last(
    tmp_path: Path,
) -> None:
    target = Target("nieuwe-regio")
    command = sam_deploy_command("sam", target, None, tmp_path / "p.yaml", guided=True)
    assert command[:2] == ["sam", "deploy"]
    assert command[command.index("--stack-name") + 1] == "vh-nieuwe-regio"
    assert command[command.index("--config-env") + 1] == "nieuwe-regio"
    assert command[-1] == f"file://{(tmp_path / 'p.yaml').resolve()}"
    assert "--region" in command


def test_a_configured_house_keeps_its_own_settings_and_is_not_asked_again(tmp_path: Path) -> None:
    config = deploy_config(Target("voorbeeldregio", "acc"))
    assert config is not None
    assert set(REQUIRED) <= set(configured_values(config))
    command = sam_deploy_command(
        "sam", Target("voorbeeldregio", "acc"), config, tmp_path / "p.yaml", guided=False
    )
    assert "--guided" not in command
    overrides = command[command.index("--parameter-overrides") + 1 :]
    assert overrides == [config["parameter_overrides"], f"file://{(tmp_path / 'p.yaml').resolve()}"]


def test_the_parameters_file_keeps_quoted_hashes_intact_after_sam_strips_quotes(
    tmp_path: Path,
) -> None:
    # sam removes one pair of quotes wrapping a value (a file's values pass through twice)
    hashes = "'sha256-a=' 'sha256-b='"
    path = tmp_path / "p.yaml"
    write_parameters_file(path, {"SiteScriptHashes": hashes, "AgendaSchedule": ""})
    written = yaml.safe_load(path.read_text(encoding="utf-8"))
    value = written["SiteScriptHashes"]
    assert not (value[0] == value[-1] and value[0] in "'\"")
    assert value.split() == hashes.split()
    assert written["AgendaSchedule"] == ""


class _Payload:
    def __init__(self, body: bytes) -> None:
        self.body = body

    def read(self) -> bytes:
        return self.body


class _Lambda:
    def __init__(self, body: bytes, error: str | None = None) -> None:
        self.answer: dict[str, Any] = {"Payload": _Payload(body)}
        if error:
            self.answer["FunctionError"] = error
        self.invoked: list[str] = []

    def invoke(self, FunctionName: str) -> dict[str, Any]:  # noqa: N803 - boto3's name
        self.invoked.append(FunctionName)
        return self.answer


def test_deploy_runs_the_upkeep_that_seals_old_clear_text() -> None:
    from deploy.stack import seal_legacy_text

    fake = _Lambda(b'{"sealed": 3}')
    assert seal_legacy_text(fake, {"SealLegacyTextFunctionName": "vh-upkeep"}) == 3
    assert fake.invoked == ["vh-upkeep"]
    failing = _Lambda(b'{"errorMessage": "x"}', error="Unhandled")
    with pytest.raises(SystemExit, match="make deploy again"):
        seal_legacy_text(failing, {"SealLegacyTextFunctionName": "vh-upkeep"})


# --- The web ACL (infra/waf.yaml, its own stack in us-east-1) ------------------------------

OWN_ACL = "arn:aws:wafv2:us-east-1:111122223333:global/webacl/eigen/abc"


def test_the_waf_stack_goes_to_us_east_1_under_the_houses_name() -> None:
    config = deploy_config(Target("voorbeeldregio", "acc"))
    command = waf_deploy_command("sam", Target("voorbeeldregio", "acc"), config)
    assert command[:2] == ["sam", "deploy"]
    assert command[command.index("--template-file") + 1] == str(WAF_TEMPLATE)
    assert command[command.index("--stack-name") + 1] == "vh-voorbeeldregio-acc-waf"
    assert command[command.index("--region") + 1] == "us-east-1"
    overrides = command[command.index("--parameter-overrides") + 1 :]
    assert "HouseName=voorbeeldregio" in overrides and "Stage=acc" in overrides
    assert "--confirm-changeset" in command  # as the house's own deploys are confirmed
    assert "--config-env" not in command  # the house's section is for its own region


def test_the_web_acl_is_on_by_default_and_its_arn_passed_to_the_house_stack() -> None:
    config = deploy_config(Target("voorbeeldregio", "acc"))
    assert waf_stack_wanted(config, waf=True)
    arn = "arn:aws:wafv2:us-east-1:123456789012:global/webacl/vh-voorbeeldregio-acc/x"
    assert web_acl_parameter(config, waf=True, deployed_arn=arn) == {"WebAclArn": arn}
    with pytest.raises(ValueError, match="no WebAclArn"):
        web_acl_parameter(config, waf=True, deployed_arn="")


def test_switched_off_no_waf_stack_and_an_earlier_web_acl_is_detached() -> None:
    config = deploy_config(Target("voorbeeldregio", "acc"))
    assert not waf_stack_wanted(config, waf=False)
    assert web_acl_parameter(config, waf=False) == {"WebAclArn": ""}


def test_a_web_acl_of_the_operators_own_is_kept_and_no_waf_stack_deployed() -> None:
    config = {"parameter_overrides": f'SenderEmail="a@b.nl" WebAclArn="{OWN_ACL}"'}
    for waf in (True, False):
        assert not waf_stack_wanted(config, waf=waf)
        assert web_acl_parameter(config, waf=waf) == {}  # its own override stands


@pytest.mark.parametrize(("switch", "waf_deployed"), [("on", True), ("off", False)])
def test_the_dry_run_prints_the_waf_deploy_first_and_the_parameter(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], switch: str, waf_deployed: bool
) -> None:
    site = _site(tmp_path)
    arguments = ["--house", "voorbeeldregio", "--stage", "acc", "--site-dir", str(site)]
    main([*arguments, "--sam", "sam", "--waf", switch, "--dry-run"])
    lines = capsys.readouterr().out.splitlines()
    waf_lines = [line for line in lines if "vh-voorbeeldregio-acc-waf" in line and "deploy" in line]
    assert bool(waf_lines) is waf_deployed
    house_deploy = next(i for i, line in enumerate(lines) if "--config-env" in line)
    if waf_deployed:
        assert lines.index(waf_lines[0]) < house_deploy
    written = yaml.safe_load(
        (REPO_ROOT / ".aws-sam" / "deploy" / "voorbeeldregio-acc.yaml").read_text(encoding="utf-8")
    )
    if waf_deployed:
        assert "vh-voorbeeldregio-acc-waf" in written["WebAclArn"]
    else:
        assert written["WebAclArn"] == ""


def test_deploying_a_house_with_unconfirmed_values_warns_and_names_them(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    site = _site(tmp_path)
    # Given Hollands Midden, whose public page gives no response term and no outcomes
    main(["--house", "hollands-midden", "--site-dir", str(site), "--sam", "sam", "--dry-run"])
    # Then the deploy warns, naming each value the house has not confirmed
    warning = capsys.readouterr().err
    assert warning.startswith("WARNING: houses/hollands-midden.yaml has values the house has not")
    assert "  - response_term: the response term (published as an aim, no date promised)" in warning
    assert "  - outcomes: the outcomes (published as examples)" in warning
    # And a house with nothing unconfirmed deploys without one
    main(["--house", "voorbeeldregio", "--site-dir", str(site), "--sam", "sam", "--dry-run"])
    assert "WARNING" not in capsys.readouterr().err
