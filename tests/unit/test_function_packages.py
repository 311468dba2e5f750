"""What each function ships (deploy/packages.py, run by `make build` after `sam build`).

Each function is staged here as `make build` cuts it down, from the repository's code and
this environment's packages (the runtime's distributions only), without sam; then a fresh
interpreter that sees nothing but that folder and the standard library imports the handler
and everything its code imports."""

from __future__ import annotations

import ast
import json
import os
import subprocess
import sys
import sysconfig
from pathlib import Path

import pytest

from deploy.bundle import bundle
from deploy.packages import (
    FUNCTIONS,
    IAM_TO_SDK,
    MODEL_FOLDERS,
    NOT_SHIPPED,
    Function,
    Package,
    Site,
    _imports_of,
    check_services,
    first_party,
    follows_calls,
    functions,
    prune,
    runtime_distributions,
    stage,
)

SITE_PACKAGES = Path(sysconfig.get_paths()["purelib"])
FUNCTION_LIST = functions()
NAMES = [function.name for function in FUNCTION_LIST]
# Never in any function: nothing uses the X-Ray SDK; houses are bundled as JSON.
FORBIDDEN = ("aws-xray-sdk", "pyyaml")


@pytest.fixture(scope="module")
def site() -> Site:
    return Site([FUNCTIONS], [SITE_PACKAGES], runtime_distributions())


@pytest.fixture(scope="module")
def packages(site: Site) -> dict[str, Package]:
    return {function.name: site.package(function) for function in FUNCTION_LIST}


@pytest.fixture(scope="module")
def staged(packages: dict[str, Package], tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("functions")
    for name, pkg in packages.items():
        stage(pkg, root / name, link=True)
        bundle(root / name / "vhcore" / "houses")
    return root


# In the fresh interpreter: sys.argv[1] is the folder, [2] a JSON object of what to do.
CHILD = """
import importlib, json, os, sys, sysconfig
folder, todo = sys.argv[1], json.loads(sys.argv[2])
sys.path.insert(0, folder)
handler_module, attribute = todo["handler"].rsplit(".", 1)
assert callable(getattr(importlib.import_module(handler_module), attribute))
missing = []
for name in todo["imports"]:
    try:
        importlib.import_module(name)
    except ModuleNotFoundError as exc:
        parent, _, last = name.rpartition(".")
        if exc.name != name or not parent or not hasattr(sys.modules.get(parent), last):
            missing.append(f"{name}: {exc}")
if todo["house"]:
    from vhcore.house import current_house
    current_house()
if todo["services"]:
    import botocore.session
    session = botocore.session.get_session()
    for service in todo["services"]:
        session.create_client(service, region_name="eu-central-1",
                              aws_access_key_id="x", aws_secret_access_key="x")
stdlib = sysconfig.get_paths()["stdlib"]
elsewhere = sorted(
    name for name, module in list(sys.modules.items())
    if (file := getattr(module, "__file__", None))
    and not file.startswith((folder, stdlib, sysconfig.get_paths()["platstdlib"]))
)
print(json.dumps({"missing": missing, "elsewhere": elsewhere}))
"""


def own_imports(pkg: Package) -> list[str]:
    """Every module name the function's own shipped code imports, anywhere in it (in a
    module of a service the role may not call, only at its top), except NOT_SHIPPED."""
    own = first_party()
    names: set[str] = set()
    for module in pkg.modules:
        path = (
            pkg.files.get(module.replace(".", "/") + ".py")
            or pkg.files[module.replace(".", "/") + "/__init__.py"]
        )
        is_package = path.name == "__init__.py"
        package = module if is_package else module.rpartition(".")[0]
        everywhere = follows_calls(module, own, pkg.function.iam_prefixes)
        names.update(_imports_of(path, package, everywhere=everywhere).names)
    return sorted(name for name in names if name and name.split(".")[0] not in NOT_SHIPPED)


@pytest.mark.parametrize("name", NAMES)
def test_each_function_imports_its_handler_and_all_its_code_imports_from_its_folder_alone(
    name: str, packages: dict[str, Package], staged: Path
) -> None:
    """No site-packages (-S), no system time zones (tzdata must ship where times are
    computed), no PyYAML: the handler, every import of the shipped code (also those inside
    functions, which run on a request), the house (bundled JSON) and a client of each
    service the function's role may call all load from the function's folder."""
    pkg = packages[name]
    todo = {
        "handler": pkg.function.handler,
        "imports": own_imports(pkg),
        "house": "vhcore.house" in pkg.modules,
        "services": sorted(pkg.function.services()),
    }
    env = {"PATH": os.environ.get("PATH", ""), "PYTHONTZPATH": "", "VH_HOUSE": "voorbeeldregio"}
    done = subprocess.run(
        [sys.executable, "-I", "-S", "-c", CHILD, str(staged / name), json.dumps(todo)],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    result = json.loads(done.stdout.strip().splitlines()[-1])
    assert result == {"missing": [], "elsewhere": []}


@pytest.mark.parametrize("name", NAMES)
def test_no_function_ships_what_nothing_in_it_uses(name: str, packages: dict[str, Package]) -> None:
    pkg = packages[name]
    assert not set(FORBIDDEN) & pkg.distributions
    renders = bool({"vhcore.emails", "vhcore.pages"} & pkg.modules)
    assert ("jinja2" in pkg.distributions) == renders
    # The KMS envelope encryption's libraries only where the role may use the house's keys
    # (cryptography also where other code of the function uses it: the sign-in's cookie).
    uses_keys = "kms" in pkg.function.iam_prefixes
    assert ("aws-encryption-sdk" in pkg.distributions) == uses_keys
    assert uses_keys <= ("cryptography" in pkg.distributions)
    assert not any(path.endswith((".pyc", "requirements.txt")) for path in pkg.files)


@pytest.mark.parametrize("name", NAMES)
def test_each_function_ships_the_models_of_the_services_its_role_may_call_and_no_others(
    name: str, packages: dict[str, Package]
) -> None:
    pkg = packages[name]
    for folder in MODEL_FOLDERS:
        shipped = {
            path[len(folder) + 1 :].split("/", 1)[0]
            for path in pkg.files
            if path.startswith(folder + "/") and path.count("/") > folder.count("/") + 1
        }
        assert shipped <= pkg.function.services()
        if folder == "botocore/data" and "botocore" in pkg.distributions:
            assert shipped == pkg.function.services()
            assert f"{folder}/endpoints.json" in pkg.files


def test_the_functions_differ_where_their_code_does(packages: dict[str, Package]) -> None:
    """The sign-in function reaches no data: neither the data layer nor boto3 ships."""
    for name in ("TriageFunction", "WorkflowStartFunction", "AgendaFunction"):
        assert "vhcore.dal.crypto" in packages[name].modules  # the ports are built alike
        assert "cryptography" not in packages[name].distributions  # but nothing encrypts
    signin = packages["SignInFunction"]
    assert not any(m.startswith("vhcore.dal") for m in signin.modules)
    assert "boto3" not in signin.distributions
    assert not signin.function.services()
    intake = packages["IntakeFunction"]
    assert "intake.intake_handler" in intake.modules
    assert not any(m.startswith(("admin", "triage", "notify", "signin")) for m in intake.modules)
    assert {"vhcore/templates/page.html", "vhcore/__init__.py"} <= set(intake.files)


def test_every_service_the_code_names_is_one_a_role_may_call_and_has_a_model() -> None:
    """Each ``client("...")`` in the code names a service that some function's role may call
    (so its model ships there), and every IAM prefix of the roles names an SDK service."""
    named: set[str] = set()
    for path in FUNCTIONS.rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if (
                isinstance(node, ast.Call)
                and isinstance(node.func, ast.Name | ast.Attribute)
                and (node.func.id if isinstance(node.func, ast.Name) else node.func.attr)
                == "client"
                and node.args
                and isinstance(node.args[0], ast.Constant)
            ):
                named.add(str(node.args[0].value))
    assert named, "the data layer's clients were not found"
    allowed = set().union(*(function.services() for function in FUNCTION_LIST))
    assert named <= allowed
    for function in FUNCTION_LIST:
        check_services(function, [SITE_PACKAGES])
    assert set(IAM_TO_SDK) <= set().union(*(f.iam_prefixes for f in FUNCTION_LIST))


def test_an_iam_prefix_without_an_sdk_service_stops_the_build() -> None:
    odd = Function("OddFunction", "intake.intake_handler.handler", frozenset({"execute-api"}))
    with pytest.raises(SystemExit, match="IAM_TO_SDK"):
        check_services(odd, [SITE_PACKAGES])


def test_prune_keeps_only_what_is_shipped(tmp_path: Path) -> None:
    for relative in ("a/b.py", "a/c.py", "d/e.txt", "requirements.txt", "__pycache__/x.pyc"):
        (tmp_path / relative).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / relative).write_text("x", encoding="utf-8")
    prune(tmp_path, ["a/b.py", "d/e.txt"])
    left = sorted(str(p.relative_to(tmp_path)) for p in tmp_path.rglob("*"))
    assert left == ["a", "a/b.py", "d", "d/e.txt"]
