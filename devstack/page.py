"""What the local stack's own pages answer with (``/dev/`` and the hosted login's stand-in):
a status, headers and a body, and the HTML helpers they share."""

from __future__ import annotations

import html
from dataclasses import dataclass
from typing import Protocol


@dataclass(frozen=True)
class Page:
    status: int
    headers: dict[str, str]
    body: bytes


class PageHandler(Protocol):
    """Answers the requests of its own paths; None for any other path."""

    def handle(self, method: str, path: str, query: str, body: bytes) -> Page | None: ...


def escape(value: object) -> str:
    """``value`` as HTML text or attribute value."""
    return html.escape(str(value), quote=True)


def html_page(status: int, text: str, headers: dict[str, str] | None = None) -> Page:
    """An HTML answer that no cache keeps, with any extra ``headers``."""
    return Page(
        status,
        {"Content-Type": "text/html; charset=utf-8", "Cache-Control": "no-store"} | (headers or {}),
        text.encode("utf-8"),
    )


def document(title: str, head: str, main: str, main_attributes: str = "") -> str:
    """A Dutch page that search engines skip: ``head`` after the title (styles), ``main`` in
    the ``<main>`` element, under a link back to the site."""
    return f"""<!doctype html>
<html lang="nl">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="robots" content="noindex">
<title>{escape(title)}</title>
{head}
</head>
<body>
<header><p><a href="/">Naar de site</a></p></header>
<main{main_attributes}>
{main}
</main>
</body>
</html>
"""
