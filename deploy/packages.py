"""`make build`: each function ships what its handler can import, nothing else.

``sam build`` installs the runtime requirements once and copies the same folder to every
function (83 MB unpacked, a 33 MB zip). Lambda downloads and unpacks a function's package on
every cold start, so after the build each function's folder is cut down to:

- the modules of ``functions/`` its handler can reach (every ``import`` in the code, also
  those inside functions, except ``if TYPE_CHECKING:`` blocks), and the data files of the
  packages it reaches (templates, the houses as JSON);
- the third-party distributions those modules import, found the same way through their code,
  plus what their metadata requires (``Requires-Dist``, evaluated for the runtime);
- of botocore's (and boto3's) service models only those of the services the function's role
  may call: the actions of its policies in ``infra/template.yaml`` name them.

Nothing here is a hand-kept list of packages: a new import in the code ships what it needs.
The two tables below name what code reading cannot see, and tests check both
(``tests/unit/test_function_packages.py``). docs/packaging.md explains the choices.
"""

from __future__ import annotations

import argparse
import ast
import os
import re
import shutil
import sys
import tomllib
import zipfile
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

from vhtools.template import REPO, TEMPLATE, resources, transformed

FUNCTIONS = REPO / "functions"
LOCK = REPO / "uv.lock"

# Imports that run only where a function never goes: they are not followed.
NOT_SHIPPED: Mapping[str, str] = {
    "yaml": "house files are bundled as JSON (deploy.bundle); PyYAML reads hand-written ones",
}

# Modules that import others without an import statement: the reader adds these.
IMPLICIT_IMPORTS: Mapping[str, tuple[str, ...]] = {
    # zoneinfo reads the IANA database from the tzdata package when the system has none
    # (Lambda's Amazon Linux 2023 image has none).
    "zoneinfo": ("tzdata",),
}

# Own modules whose functions call one AWS service only: in a function whose role may not
# call it they could never run, so the imports inside them are not followed (those that run
# when the module is imported still are). vhcore.dal.crypto encrypts with the house's KMS
# keys: its cryptography and AWS Encryption SDK ship only where the role may use a key.
SERVICE_MODULES: Mapping[str, str] = {
    "vhcore.dal.crypto": "kms",
}

# IAM action prefixes whose SDK service has another name. Every other prefix is the name of
# the SDK's service itself (dynamodb, kms, sqs); an unknown one stops the build.
IAM_TO_SDK: Mapping[str, tuple[str, ...]] = {
    "states": ("stepfunctions",),
    "ses": ("sesv2",),
}

# Service models live in one folder per service in these two packages.
MODEL_FOLDERS = ("botocore/data", "boto3/data")

# The runtime of infra/template.yaml, for the markers of Requires-Dist.
RUNTIME_MARKERS = {
    "python_version": "3.13",
    "python_full_version": "3.13.0",
    "implementation_name": "cpython",
    "platform_python_implementation": "CPython",
    "sys_platform": "linux",
    "platform_system": "Linux",
    "platform_machine": "aarch64",
    "os_name": "posix",
    "extra": "",
}


def normalize(name: str) -> str:
    """A distribution's name as PEP 503 compares them."""
    return re.sub(r"[-_.]+", "-", name).lower()


# --- The functions and what their roles may call -------------------------------------------


@dataclass(frozen=True)
class Function:
    name: str  # the logical id in the template, the folder sam build writes
    handler: str  # "module.attribute"
    iam_prefixes: frozenset[str]

    @property
    def module(self) -> str:
        return self.handler.rsplit(".", 1)[0]

    def services(self) -> frozenset[str]:
        """The SDK services whose models the function needs: those its role may call."""
        return frozenset(
            service for prefix in self.iam_prefixes for service in IAM_TO_SDK.get(prefix, (prefix,))
        )


def _actions(statement: Mapping[str, Any]) -> list[str]:
    action = statement.get("Action", [])
    return [action] if isinstance(action, str) else list(action)


def functions(template: Path = TEMPLATE) -> list[Function]:
    """Every Lambda function of the template, with its handler and the IAM prefixes of the
    actions its role's own policies allow (managed policies, for logs and traces, are the
    runtime's business, not the code's)."""
    document = transformed(template)
    roles = resources(document, "AWS::IAM::Role")
    found = []
    for logical_id, props in sorted(resources(document, "AWS::Lambda::Function").items()):
        role = props["Role"]["Fn::GetAtt"][0]
        prefixes = {
            action.split(":", 1)[0]
            for policy in roles[role].get("Policies", [])
            for statement in policy["PolicyDocument"]["Statement"]
            if statement.get("Effect") == "Allow"
            for action in _actions(statement)
        }
        found.append(Function(logical_id, props["Handler"], frozenset(prefixes)))
    return found


# --- Reading imports ------------------------------------------------------------------------


def _type_checking(test: ast.expr) -> bool:
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
        isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING"
    )


class _Imports(ast.NodeVisitor):
    """The module names one module's code imports (``from a import b``: a, and a.b in case b
    is a module); ``if TYPE_CHECKING:`` blocks are skipped, they never run. ``everywhere``:
    also the imports inside functions (otherwise only those that run when the module is
    imported). ``required``: the imports outside any ``if`` or ``try``, without which the
    module cannot be imported at all."""

    def __init__(self, package: str, *, everywhere: bool) -> None:
        self.package = package
        self.everywhere = everywhere
        self.names: set[str] = set()
        self.required: set[str] = set()
        self._guarded = 0

    def _guard(self, nodes: Iterable[ast.AST]) -> None:
        self._guarded += 1
        for node in nodes:
            self.visit(node)
        self._guarded -= 1

    def visit_If(self, node: ast.If) -> None:
        if not _type_checking(node.test):
            self._guard([node.test, *node.body])
        self._guard(node.orelse)

    def visit_Try(self, node: ast.Try) -> None:
        self._guard([*node.body, *node.handlers, *node.orelse, *node.finalbody])

    def _function(self, node: ast.FunctionDef | ast.AsyncFunctionDef) -> None:
        if self.everywhere:
            self._guard(node.body)

    def visit_FunctionDef(self, node: ast.FunctionDef) -> None:
        self._function(node)

    def visit_AsyncFunctionDef(self, node: ast.AsyncFunctionDef) -> None:
        self._function(node)

    def _add(self, names: Iterable[str], base: str | None = None) -> None:
        found = set(names)
        self.names.update(found)
        if not self._guarded:
            self.required.add(base) if base is not None else self.required.update(found)

    def visit_Import(self, node: ast.Import) -> None:
        self._add(alias.name for alias in node.names)

    def visit_ImportFrom(self, node: ast.ImportFrom) -> None:
        if node.level:
            parts = self.package.split(".")
            base_parts = parts[: len(parts) - node.level + 1]
            base = ".".join([*base_parts, node.module] if node.module else base_parts)
        else:
            base = node.module or ""
        names = [f"{base}.{alias.name}" for alias in node.names if alias.name != "*"]
        self._add([base, *names], base)


@dataclass(frozen=True)
class _Read:
    names: frozenset[str]
    required: frozenset[str]


def _imports_of(path: Path, package: str, everywhere: bool) -> _Read:
    return _imports_in(path.read_bytes(), package, everywhere)


@cache
def _imports_in(source: bytes, package: str, everywhere: bool) -> _Read:
    """Cached by content: the functions' folders after ``sam build`` are copies."""
    try:
        tree = ast.parse(source)
    except (SyntaxError, ValueError):
        return _Read(frozenset(), frozenset())  # not Python this interpreter reads
    reader = _Imports(package, everywhere=everywhere)
    reader.visit(tree)
    return _Read(frozenset(reader.names), frozenset(reader.required))


@dataclass
class Tree:
    """Where modules are found: the function's code and the installed packages (one folder
    after ``sam build``; the repository's functions/ and a site-packages in tests)."""

    roots: Sequence[Path]
    _found: dict[str, Path | None] = field(default_factory=dict)

    def locate(self, name: str) -> Path | None:
        """The file of module ``name`` (a package's ``__init__.py``, an extension module), a
        namespace package's folder, or None when no root has it (the standard library)."""
        if name not in self._found:
            self._found[name] = self._locate(name)
        return self._found[name]

    def _locate(self, name: str) -> Path | None:
        if not name or not all(part.isidentifier() for part in name.split(".")):
            return None
        *package, last = name.split(".")
        for root in self.roots:
            folder = root.joinpath(*package)
            if not folder.is_dir():
                continue
            if (folder / last / "__init__.py").is_file():
                return folder / last / "__init__.py"
            if (folder / f"{last}.py").is_file():
                return folder / f"{last}.py"
            extensions = sorted(folder.glob(f"{last}.*so"))
            if extensions:
                return extensions[0]
            if package and (folder / last).is_dir():
                return folder / last  # a namespace package's part (or a data folder)
        return None

    def exists(self, name: str) -> bool:
        """Whether importing ``name`` can find it (here or in the standard library)."""
        top = name.partition(".")[0]
        return top in sys.stdlib_module_names or self.locate(name) is not None


def follows_calls(module: str, own: frozenset[str], allowed: frozenset[str] | None) -> bool:
    """Whether the imports inside ``module``'s functions count: in the own code, unless it is
    a ``SERVICE_MODULES`` module for a service the role (``allowed``: its IAM prefixes) may
    not call."""
    if module.partition(".")[0] not in own:
        return False
    service = SERVICE_MODULES.get(module)
    return allowed is None or service is None or service in allowed


def reachable(
    tree: Tree,
    start: str,
    own: frozenset[str],
    allowed: frozenset[str] | None = None,
    skip: Iterable[str] = NOT_SHIPPED,
) -> dict[str, Path]:
    """Module name -> file, for every module that importing ``start`` can import. In the
    function's own code (top-level packages ``own``) every import counts, also those inside
    functions: they run on a request. In third-party code only the imports that run when a
    module is imported count (a library's import inside a function belongs to a feature the
    code may not use: Powertools' X-Ray tracing); a module that cannot be imported (its
    unguarded import is missing: urllib3's pyopenssl) adds nothing. What a library needs
    beyond that, its metadata says (``Requires-Dist``, added per distribution). ``allowed``:
    the IAM prefixes the function's role may call (``SERVICE_MODULES``)."""
    skipped = set(skip)
    found: dict[str, Path] = {}
    todo = [start]
    while todo:
        name = todo.pop()
        if name in found or name.split(".")[0] in skipped:
            continue
        path = tree.locate(name)
        if path is None:
            continue
        parts = name.split(".")
        read = _Read(frozenset(), frozenset())
        if path.suffix == ".py":
            package = name if path.name == "__init__.py" else ".".join(parts[:-1])
            read = _imports_of(path, package, follows_calls(name, own, allowed))
            if not all(tree.exists(required) for required in read.required):
                continue
        found[name] = path
        todo.extend(".".join(parts[:i]) for i in range(1, len(parts)))  # parents run first
        for imported in (name, *read.names):
            todo.extend(IMPLICIT_IMPORTS.get(imported, ()))
        todo.extend(read.names)
    return found


# --- Distributions --------------------------------------------------------------------------


@dataclass(frozen=True)
class Distribution:
    name: str  # normalized
    root: Path
    files: tuple[str, ...]  # paths relative to root, from RECORD (no scripts outside it)
    requires: tuple[str, ...]  # normalized names, markers evaluated for the runtime


def _requires(metadata: str) -> tuple[str, ...]:
    from packaging.requirements import Requirement

    names = []
    for line in metadata.splitlines():
        if not line.startswith("Requires-Dist:"):
            continue
        requirement = Requirement(line.split(":", 1)[1].strip())
        if requirement.marker is None or requirement.marker.evaluate(RUNTIME_MARKERS):
            names.append(normalize(requirement.name))
    return tuple(names)


def distributions(roots: Iterable[Path]) -> dict[str, Distribution]:
    """The installed distributions in ``roots``, by normalized name."""
    found: dict[str, Distribution] = {}
    for root in roots:
        for info in sorted(root.glob("*.dist-info")):
            record = info / "RECORD"
            metadata = info / "METADATA"
            if not record.is_file() or not metadata.is_file():
                continue
            text = metadata.read_text(encoding="utf-8", errors="replace")
            name_line = next(line for line in text.splitlines() if line.lower().startswith("name:"))
            files = tuple(
                path
                for line in record.read_text(encoding="utf-8").splitlines()
                if (path := line.rsplit(",", 2)[0].strip('"'))
                and not path.startswith("..")
                and "__pycache__" not in path
            )
            name = normalize(name_line.split(":", 1)[1].strip())
            found[name] = Distribution(name, root, files, _requires(text))
    return found


def runtime_distributions(lock: Path = LOCK) -> frozenset[str]:
    """The distributions ``make build`` installs: the project's dependencies in uv.lock (with
    their extras), without the development group."""
    packages = {
        normalize(package["name"]): package
        for package in tomllib.loads(lock.read_text(encoding="utf-8"))["package"]
    }
    names: set[str] = set()
    todo: list[dict[str, Any]] = list(packages["veiligheidshuis"]["dependencies"])
    while todo:
        dependency = todo.pop()
        name = normalize(dependency["name"])
        package = packages[name]
        if name not in names:
            names.add(name)
            todo.extend(package.get("dependencies", []))
        for extra in dependency.get("extra", []):
            todo.extend(package.get("optional-dependencies", {}).get(extra, []))
    return frozenset(names)


# --- What a function ships ------------------------------------------------------------------


def first_party(functions_dir: Path = FUNCTIONS) -> frozenset[str]:
    """The top-level packages of the repository's functions/ folder."""
    return frozenset(p.parent.name for p in functions_dir.glob("*/__init__.py"))


def _data_files(package_dir: Path) -> Iterator[Path]:
    """A package's files that are not code, with its folders that are no package."""
    for path in package_dir.iterdir():
        if path.is_file() and path.suffix not in {".py", ".pyc"}:
            yield path
        elif path.is_dir() and path.name != "__pycache__" and not (path / "__init__.py").exists():
            yield from (p for p in path.rglob("*") if p.is_file() and "__pycache__" not in p.parts)


@dataclass(frozen=True)
class Package:
    """What one function ships: files by their path in the package, and where each is now."""

    function: Function
    files: dict[str, Path]
    distributions: frozenset[str]
    modules: frozenset[str]  # the first-party modules

    def size(self) -> int:
        return sum(path.stat().st_size for path in self.files.values())


def _model_kept(relative: str, services: frozenset[str]) -> bool:
    for folder in MODEL_FOLDERS:
        if relative.startswith(folder + "/"):
            rest = relative[len(folder) + 1 :]
            return "/" not in rest or rest.split("/", 1)[0] in services
    return True


class Site:
    """The function code and installed distributions packages are made from; read once."""

    def __init__(
        self,
        code_roots: Sequence[Path],
        site_roots: Sequence[Path],
        universe: frozenset[str] | None = None,
        own: frozenset[str] | None = None,
    ) -> None:
        """``universe``, when given, limits the distributions to those (the runtime's): a
        development package next to them is never taken for one."""
        self.code_roots = list(code_roots)
        self.own = own if own is not None else first_party()
        self.tree = Tree([*code_roots, *site_roots])
        self.dists = {
            name: dist
            for name, dist in distributions(site_roots).items()
            if universe is None or name in universe
        }
        self.owner = {
            dist.root / relative: dist.name
            for dist in self.dists.values()
            for relative in dist.files
        }

    def package(self, function: Function) -> Package:
        """The files ``function`` ships: its reachable code and its distributions."""
        modules = reachable(self.tree, function.module, self.own, function.iam_prefixes)
        files: dict[str, Path] = {}
        needed: set[str] = set()
        mine: set[str] = set()
        for name, path in modules.items():
            if name.split(".")[0] in self.own:
                mine.add(name)
                root = next(r for r in self.code_roots if path.is_relative_to(r))
                files[str(path.relative_to(root))] = path
                if path.name == "__init__.py":
                    for data in _data_files(path.parent):
                        files[str(data.relative_to(root))] = data
            elif (dist_name := self.owner.get(path)) is not None:
                needed.add(dist_name)
        todo = list(needed)
        while todo:
            for required in self.dists[todo.pop()].requires:
                if required in self.dists and required not in needed:
                    needed.add(required)
                    todo.append(required)
        services = function.services()
        for name in needed:
            dist = self.dists[name]
            for relative in dist.files:
                if _model_kept(relative, services):
                    files[relative] = dist.root / relative
        return Package(function, files, frozenset(needed), frozenset(mine))


def check_services(function: Function, site_roots: Sequence[Path]) -> None:
    """Every service the function's role names has a model folder in botocore."""
    for root in site_roots:
        data = root / "botocore" / "data"
        if data.is_dir():
            missing = sorted(s for s in function.services() if not (data / s).is_dir())
            if missing:
                raise SystemExit(
                    f"{function.name}: no SDK model for {', '.join(missing)} (an IAM prefix "
                    "whose service has another name? add it to IAM_TO_SDK in deploy/packages.py)"
                )


def stage(pkg: Package, target: Path, *, link: bool = False) -> None:
    """Copy a package's files into ``target`` (tests: a function's folder without sam).
    ``link``: hard links where the file system allows them (never symbolic ones: the code
    finds its data beside its own files), and each code folder's ``__pycache__`` a link to
    its source's, so the staged copies share the bytecode an import of the original compiles
    (still valid: a hard link keeps the source's time and size)."""
    for relative, source in pkg.files.items():
        destination = target / relative
        destination.parent.mkdir(parents=True, exist_ok=True)
        if not link:
            shutil.copyfile(source, destination)
            continue
        try:
            os.link(source, destination)
        except OSError:
            shutil.copyfile(source, destination)
            continue
        cache = destination.parent / "__pycache__"
        if source.suffix == ".py" and not cache.is_symlink():
            original = source.parent / "__pycache__"
            original.mkdir(exist_ok=True)
            cache.symlink_to(original, target_is_directory=True)


def prune(folder: Path, keep: Iterable[str]) -> None:
    """Remove every file in ``folder`` that is not in ``keep``, then the empty folders."""
    kept = {folder / relative for relative in keep}
    for path in sorted(folder.rglob("*"), reverse=True):
        if path.is_symlink() or path.is_file():
            if path not in kept:
                path.unlink()
        elif path.is_dir() and not any(path.iterdir()):
            path.rmdir()


def zip_size(folder: Path) -> int:
    """The size of the folder as a deflated zip, as ``sam deploy`` uploads it."""
    import tempfile

    with tempfile.TemporaryFile() as handle:
        with zipfile.ZipFile(handle, "w", compression=zipfile.ZIP_DEFLATED) as archive:
            for path in sorted(folder.rglob("*")):
                if path.is_file():
                    archive.write(path, path.relative_to(folder))
        return handle.tell()


def _megabytes(size: int) -> str:
    return f"{size / 1_000_000:.1f} MB"


def prune_build(build_dir: Path, template: Path = TEMPLATE) -> None:
    """After ``sam build``: cut each function's folder down to what it ships."""
    for function in functions(template):
        folder = build_dir / function.name
        if not folder.is_dir():
            raise SystemExit(f"{folder}: not built (run sam build first)")
        check_services(function, [folder])
        before = sum(p.stat().st_size for p in folder.rglob("*") if p.is_file())
        pkg = Site([folder], [folder]).package(function)
        prune(folder, pkg.files)
        print(
            f"{function.name}: {_megabytes(before)} -> {_megabytes(pkg.size())} "
            f"({len(pkg.modules)} own modules; {', '.join(sorted(pkg.distributions))}; "
            f"models: {', '.join(sorted(function.services())) or 'none'})"
        )


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("build_dir", type=Path, help="sam build's output (.aws-sam/build)")
    args = parser.parse_args(argv)
    prune_build(args.build_dir)


if __name__ == "__main__":
    main()
