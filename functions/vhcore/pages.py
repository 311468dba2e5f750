"""HTML answers for the plain form (no JavaScript), rendered with auto-escaping."""

from __future__ import annotations

from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

from vhcore.house import current_house

if TYPE_CHECKING:
    import jinja2

TEMPLATES = Path(__file__).resolve().parent / "templates"


@cache
def environment() -> jinja2.Environment:
    # Imported on first use: only the plain form's problem pages need it, so a JSON request
    # (the form's script) never pays for Jinja2.
    import jinja2

    return jinja2.Environment(
        loader=jinja2.FileSystemLoader(TEMPLATES),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
    )


def render(template: str, **context: Any) -> str:
    return environment().get_template(template).render(house=current_house(), **context)
