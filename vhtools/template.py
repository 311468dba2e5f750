"""Read ``infra/template.yaml`` the way AWS does: SAM-transformed, intrinsics resolved.

Nothing here defines a resource. Tables, keys, queues, routes and environment variables are
taken from the transformed template, so the local stack and the tests cannot drift from it.
"""

from __future__ import annotations

import copy
import os
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parent.parent
TEMPLATE = REPO / "infra" / "template.yaml"
ACCOUNT = "123456789012"
REGION = "eu-central-1"


class _NoManagedPolicies:
    """The translator asks for AWS managed policy ARNs; the local stack needs none."""

    def load(self) -> dict[str, str]:
        return {}


def _local_code_uris(document: dict[str, Any]) -> None:
    """The translator only accepts S3 code locations; local paths are placeholders here."""
    function_globals = document.get("Globals", {}).get("Function", {})
    if isinstance(function_globals.get("CodeUri"), str):
        function_globals["CodeUri"] = "s3://local/" + function_globals["CodeUri"].strip("./")
    for resource in document.get("Resources", {}).values():
        props = resource.get("Properties") or {}
        if resource.get("Type") == "AWS::Serverless::Function" and isinstance(
            props.get("CodeUri"), str
        ):
            props["CodeUri"] = "s3://local/" + props["CodeUri"].strip("./")
        if resource.get("Type") == "AWS::Serverless::StateMachine" and isinstance(
            props.get("DefinitionUri"), str
        ):
            path = (TEMPLATE.parent / props.pop("DefinitionUri")).resolve()
            from samtranslator.yaml_helper import yaml_parse

            props["Definition"] = yaml_parse(path.read_text(encoding="utf-8"))


@cache
def transformed(
    template_path: Path = TEMPLATE, parameters: tuple[tuple[str, str], ...] = ()
) -> dict[str, Any]:
    """The template after the SAM transform (plain CloudFormation)."""
    os.environ.setdefault("AWS_DEFAULT_REGION", REGION)
    from samtranslator.translator.transform import transform
    from samtranslator.yaml_helper import yaml_parse

    document = yaml_parse(template_path.read_text(encoding="utf-8"))
    _local_code_uris(document)
    result: dict[str, Any] = transform(document, dict(parameters), _NoManagedPolicies())
    return result


@dataclass
class Physical:
    """What a created resource is called: its ``Ref`` value and its attributes."""

    ref: str
    attributes: dict[str, str] = field(default_factory=dict)


@dataclass
class Resolver:
    """Resolves the intrinsic functions the template uses, against local physical names."""

    template: Mapping[str, Any]
    parameters: dict[str, str]
    physical: dict[str, Physical] = field(default_factory=dict)
    stack_name: str = "vh-local"

    def pseudo(self) -> dict[str, str]:
        return {
            "AWS::Region": REGION,
            "AWS::AccountId": ACCOUNT,
            "AWS::Partition": "aws",
            "AWS::StackName": self.stack_name,
            "AWS::URLSuffix": "amazonaws.com",
        }

    def parameter_values(self) -> dict[str, str]:
        values = {
            name: str(spec.get("Default", ""))
            for name, spec in self.template.get("Parameters", {}).items()
        }
        values.update(self.parameters)
        return values

    def condition(self, name: str) -> bool:
        """A named condition of the template, evaluated with the parameter values."""
        return condition_value(self.template, self.parameter_values(), name)

    def ref(self, name: str) -> str:
        pseudo = self.pseudo()
        if name in pseudo:
            return pseudo[name]
        params = self.parameter_values()
        if name in params:
            return params[name]
        if name in self.physical:
            return self.physical[name].ref
        raise KeyError(f"Ref to {name}: not created locally (yet)")

    def get_att(self, name: str, attribute: str) -> str:
        if name not in self.physical:
            raise KeyError(f"GetAtt {name}.{attribute}: not created locally (yet)")
        attrs = self.physical[name].attributes
        if attribute not in attrs:
            raise KeyError(f"GetAtt {name}.{attribute}: attribute unknown locally")
        return attrs[attribute]

    def sub(self, text: str, extra: Mapping[str, Any] | None = None) -> str:
        def replace(match: re.Match[str]) -> str:
            token = match.group(1)
            if extra and token in extra:
                return str(self.resolve(extra[token]))
            if "." in token and not token.startswith("AWS::"):
                name, attribute = token.split(".", 1)
                return self.get_att(name, attribute)
            return self.ref(token)

        return re.sub(r"\$\{([^}!]+)\}", replace, text)

    def resolve(self, value: Any) -> Any:
        """Resolve intrinsics recursively; plain values pass through unchanged. ``Fn::If``
        picks its branch by the template's conditions; ``AWS::NoValue`` removes the key or
        list item it stands for."""
        value = without_no_value(choose_branches(self.template, self.parameter_values(), value))
        return self._resolve(value)

    def _resolve(self, value: Any) -> Any:
        if isinstance(value, list):
            return [self._resolve(v) for v in value]
        if not isinstance(value, dict):
            return value
        if len(value) == 1:
            (key, arg), *_ = value.items()
            if key == "Ref":
                return self.ref(arg)
            if key == "Fn::GetAtt":
                name, attribute = arg if isinstance(arg, list) else arg.split(".", 1)
                return self.get_att(name, attribute)
            if key == "Fn::Sub":
                if isinstance(arg, list):
                    return self.sub(arg[0], arg[1])
                return self.sub(arg)
            if key == "Fn::Join":
                return str(arg[0]).join(str(self._resolve(v)) for v in arg[1])
            if key == "Fn::Select":
                return self._resolve(arg[1])[int(arg[0])]
            if key == "Fn::ToJsonString":
                import json

                return json.dumps(self._resolve(arg))
        return {k: self._resolve(v) for k, v in value.items()}


_NO_VALUE = {"Ref": "AWS::NoValue"}


def condition_value(template: Mapping[str, Any], parameters: Mapping[str, str], name: str) -> bool:
    """Evaluate one of the template's ``Conditions`` (Fn::Equals/Not/And/Or, Condition) with
    the given parameter values (missing ones take their defaults)."""
    values = {
        key: str(spec.get("Default", "")) for key, spec in template.get("Parameters", {}).items()
    }
    values.update(parameters)

    def operand(value: Any) -> str:
        if isinstance(value, dict) and set(value) == {"Ref"}:
            return values[value["Ref"]]
        if isinstance(value, dict | list):
            raise ValueError(f"condition operand not supported locally: {value!r}")
        return str(value)

    def evaluate(expression: Any) -> bool:
        (key, arg), *_ = expression.items()
        if key == "Fn::Equals":
            return operand(arg[0]) == operand(arg[1])
        if key == "Fn::Not":
            return not evaluate(arg[0])
        if key == "Fn::And":
            return all(evaluate(a) for a in arg)
        if key == "Fn::Or":
            return any(evaluate(a) for a in arg)
        if key == "Condition":
            return evaluate(template["Conditions"][arg])
        raise ValueError(f"condition function not supported locally: {key}")

    return evaluate(template["Conditions"][name])


def choose_branches(template: Mapping[str, Any], parameters: Mapping[str, str], value: Any) -> Any:
    """``value`` with every ``Fn::If`` replaced by the branch its condition picks; other
    intrinsics stay as they are."""
    if isinstance(value, list):
        return [choose_branches(template, parameters, v) for v in value]
    if not isinstance(value, dict):
        return value
    if set(value) == {"Fn::If"}:
        name, when_true, when_false = value["Fn::If"]
        chosen = when_true if condition_value(template, parameters, name) else when_false
        return choose_branches(template, parameters, chosen)
    return {k: choose_branches(template, parameters, v) for k, v in value.items()}


def without_no_value(value: Any) -> Any:
    """Drop every key and list item whose value is ``Ref: AWS::NoValue``."""
    if isinstance(value, list):
        return [without_no_value(v) for v in value if v != _NO_VALUE]
    if isinstance(value, dict):
        return {k: without_no_value(v) for k, v in value.items() if v != _NO_VALUE}
    return value


def resources(template: Mapping[str, Any], type_name: str) -> dict[str, dict[str, Any]]:
    """Logical id -> a deep copy of the properties, for every resource of one type."""
    return {
        logical_id: copy.deepcopy(resource.get("Properties", {}))
        for logical_id, resource in template["Resources"].items()
        if resource["Type"] == type_name
    }


@dataclass(frozen=True)
class Route:
    method: str
    path: str
    function: str
    authorizer: str | None
    # The route's AuthorizationScopes (a JWT authorizer then wants one of them in "scope").
    scopes: tuple[str, ...] = ()


# What SAM writes for a route whose event says `Authorizer: NONE` under a DefaultAuthorizer.
NO_AUTHORIZER = "NONE"


def http_routes(template: Mapping[str, Any]) -> list[Route]:
    """Every HTTP API route with the function behind it, from the transformed OpenAPI body."""
    routes: list[Route] = []
    for props in resources(template, "AWS::ApiGatewayV2::Api").values():
        for path, methods in props.get("Body", {}).get("paths", {}).items():
            for method, operation in methods.items():
                uri = operation["x-amazon-apigateway-integration"]["uri"]
                text = uri["Fn::Sub"] if isinstance(uri, dict) else uri
                found = re.search(r"\$\{(\w+)\.Arn\}", text)
                if not found:
                    raise ValueError(f"{method.upper()} {path}: integration is not a function")
                security = operation.get("security") or []
                authorizer = next(iter(security[0]), None) if security else None
                scopes = tuple(security[0][authorizer]) if authorizer else ()
                if authorizer == NO_AUTHORIZER:
                    authorizer = None
                routes.append(Route(method.upper(), path, found.group(1), authorizer, scopes))
    return routes


def http_authorizers(template: Mapping[str, Any]) -> dict[str, dict[str, Any]]:
    """Authorizer name -> its ``x-amazon-apigateway-authorizer`` (intrinsics unresolved), from
    the transformed OpenAPI body's security schemes."""
    found: dict[str, dict[str, Any]] = {}
    for props in resources(template, "AWS::ApiGatewayV2::Api").values():
        schemes = props.get("Body", {}).get("components", {}).get("securitySchemes", {})
        for name, scheme in schemes.items():
            if "x-amazon-apigateway-authorizer" in scheme:
                found[name] = scheme["x-amazon-apigateway-authorizer"]
    return found


def main() -> None:
    """`python -m vhtools.template`: the transformed template as JSON (for checkov)."""
    import json
    import sys

    json.dump(transformed(), sys.stdout, indent=1)
    sys.stdout.write("\n")


if __name__ == "__main__":
    main()
