"""HTML answers for the plain form (no JavaScript), rendered with auto-escaping."""

from __future__ import annotations

from functools import cache
from pathlib import Path
from typing import Any

import jinja2

from vhcore.house import current_house

TEMPLATES = Path(__file__).resolve().parent / "templates"


@cache
def environment() -> jinja2.Environment:
    return jinja2.Environment(
        loader=jinja2.FileSystemLoader(TEMPLATES),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
    )


def render(template: str, **context: Any) -> str:
    return environment().get_template(template).render(house=current_house(), **context)
