"""The form's limits, read from the API's models: one source for both (docs/form.md).

``field_limits()`` maps each field path (list items as ``*``, e.g. ``persons.*.first_name``)
to its JSON-schema limits, which the site's form template writes into HTML attributes.
"""

from __future__ import annotations

from functools import cache
from typing import Any

from pydantic import BaseModel

from vhcore.registration import RegistrationRequest

_KEYS = ("maxLength", "minLength", "maxItems", "minItems")


def resolve(schema: dict[str, Any], defs: dict[str, Any]) -> dict[str, Any]:
    """A JSON-schema node with ``$ref`` followed and an optional (``X | None``) unwrapped."""
    if "$ref" in schema:
        return resolve(defs[schema["$ref"].rsplit("/", 1)[1]], defs)
    options = [s for s in schema.get("anyOf", []) if s.get("type") != "null"]
    if len(options) == 1:
        return resolve(options[0], defs) | {k: v for k, v in schema.items() if k != "anyOf"}
    return schema


def _walk(
    schema: dict[str, Any], defs: dict[str, Any], path: str, out: dict[str, dict[str, Any]]
) -> None:
    schema = resolve(schema, defs)
    limits = {key: schema[key] for key in _KEYS if key in schema}
    if "format" in schema:
        limits["format"] = schema["format"]
    if path:
        out[path] = limits
    for name, child in schema.get("properties", {}).items():
        _walk(child, defs, f"{path}.{name}" if path else name, out)
    if schema.get("type") == "array" and "items" in schema:
        _walk(schema["items"], defs, f"{path}.*", out)


@cache
def field_limits(model: type[BaseModel] = RegistrationRequest) -> dict[str, dict[str, Any]]:
    schema = model.model_json_schema()
    out: dict[str, dict[str, Any]] = {}
    _walk(schema, schema.get("$defs", {}), "", out)
    return out


def html_attributes(
    path: str, model: type[BaseModel] = RegistrationRequest, *, counted: bool = False
) -> str:
    """` maxlength="100" minlength="20"` for a text field (empty when it has no limits).

    A ``counted`` field (a long text, shown with a counter) gets ``data-maxlength`` instead of
    ``maxlength``: the browser would cut a longer paste off without a word; the counter says
    how many characters are left or too many, and the API refuses a text that is too long."""
    limits = field_limits(model)[path]
    if limits.get("format") in {"date", "date-time"}:
        return ""  # the browser's date input has its own format; min/max are set by hand
    attributes = []
    if "maxLength" in limits:
        name = "data-maxlength" if counted else "maxlength"
        attributes.append(f'{name}="{int(limits["maxLength"])}"')
    if limits.get("minLength", 0) > 1:
        attributes.append(f'minlength="{int(limits["minLength"])}"')
    return (" " + " ".join(attributes)) if attributes else ""
