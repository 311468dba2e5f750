"""``/dev/``: the local stack's own pages (dev mode only, never deployed): the outbox of sent
e-mails, the simulated time and buttons to move it forward, the dev staff users, and under
``/dev/oauth2/`` and ``/dev/logout`` the stand-in for Cognito's hosted login (a
``PageHandler``: ``devstack.loginpage.DevLogin`` in the local stack)."""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass, field
from urllib.parse import parse_qs

from devstack.clock import SimClock
from devstack.outbox import Outbox, SentEmail
from devstack.page import Page, PageHandler, document, escape, html_page
from vhcore import calendar

MAX_DAYS = 400


@dataclass
class DevTools:
    clock: SimClock
    outbox: Outbox
    # The hosted login's stand-in, and group -> (username, password) of the dev users.
    login: PageHandler | None = None
    staff: dict[str, tuple[str, str]] = field(default_factory=dict)


def _offset_text(offset: dt.timedelta) -> str:
    if offset <= dt.timedelta(0):
        return "gelijk aan de echte tijd"
    days, seconds = offset.days, offset.seconds
    hours = seconds // 3600
    parts = []
    if days:
        parts.append(f"{days} {'dag' if days == 1 else 'dagen'}")
    if hours:
        parts.append(f"{hours} uur")
    if not parts:
        parts.append("minder dan een uur")
    return " en ".join(parts) + " vooruit op de echte tijd"


def _mail(message: SentEmail, index: int) -> str:
    subject = message.subject or "(geen onderwerp)"
    if message.is_html:
        body = (
            f'<iframe class="body" sandbox srcdoc="{escape(message.body)}" '
            f'title="Inhoud van e-mail {index}: {escape(subject)}"></iframe>'
        )
    else:
        body = f'<pre class="body">{escape(message.body)}</pre>'
    cc = f"<dt>Cc</dt><dd>{escape(', '.join(message.cc))}</dd>" if message.cc else ""
    return (
        f'<article aria-labelledby="mail-{index}">'
        f'<h3 id="mail-{index}">{escape(subject)}</h3>'
        "<dl>"
        f"<dt>Aan</dt><dd>{escape(', '.join(message.to) or '(niemand)')}</dd>{cc}"
        f"<dt>Van</dt><dd>{escape(message.source)}</dd>"
        f"<dt>Verzonden</dt><dd>{escape(calendar.dutch_datetime(message.sent_at))}</dd>"
        f"<dt>Opmaak</dt><dd>{'HTML' if message.is_html else 'platte tekst'}</dd>"
        f"</dl>{body}</article>"
    )


_STYLE = """
body{font-family:system-ui,sans-serif;max-width:60rem;margin:0 auto;padding:1rem;
color:#1a1a1a;background:#fff;line-height:1.5}
a{color:#00527a}
.note{background:#fff4ce;border-left:4px solid #8a6d00;padding:.5rem 1rem}
form{display:inline-block;margin:0 .5rem .5rem 0}
button{font:inherit;padding:.5rem 1rem;border:2px solid #00527a;background:#00527a;color:#fff;
border-radius:4px;cursor:pointer}
button:focus-visible,a:focus-visible{outline:3px solid #b35900;outline-offset:2px}
article{border:1px solid #6b6b6b;border-radius:4px;padding:0 1rem 1rem;margin:1rem 0}
dl{display:grid;grid-template-columns:max-content 1fr;gap:.25rem 1rem}
dt{font-weight:bold}dd{margin:0}
table{border-collapse:collapse}caption{text-align:left;font-weight:bold}
th,td{border:1px solid #6b6b6b;padding:.25rem .5rem;text-align:left}
.body{width:100%;min-height:24rem;border:1px solid #6b6b6b;white-space:pre-wrap;
background:#fafafa;padding:.5rem;box-sizing:border-box}
"""


def _staff(tools: DevTools) -> str:
    if not tools.staff:
        return ""
    rows = "".join(
        f"<tr><td>{escape(group)}</td><td><code>{escape(username)}</code></td>"
        f"<td><code>{escape(password)}</code></td></tr>"
        for group, (username, password) in tools.staff.items()
    )
    return f"""<section aria-labelledby="medewerkers">
<h2 id="medewerkers">Medewerkers (dev-gebruikers)</h2>
<p>Eén gebruiker per groep, alleen in de lokale gebruikerspool. Een code uit een
authenticator-app wordt lokaal niet gevraagd.</p>
<p><a href="/beheer/">Inloggen als medewerker</a></p>
<table>
<caption>Dev-gebruikers per groep</caption>
<thead><tr><th scope="col">Groep</th><th scope="col">E-mailadres</th>
<th scope="col">Wachtwoord</th></tr></thead>
<tbody>{rows}</tbody>
</table>
</section>
"""


def render_page(tools: DevTools, notice: str = "") -> str:
    now = tools.clock.now()
    messages = tools.outbox.messages()
    mails = "".join(_mail(m, len(messages) - i) for i, m in enumerate(messages))
    notice_html = f'<p class="note" role="status">{escape(notice)}</p>' if notice else ""
    main = f"""<h1>Ontwikkelomgeving</h1>
<p class="note">Alleen lokaal: deze pagina bestaat niet in de echte omgeving.
E-mails worden hier getoond en niet echt verstuurd.</p>
{notice_html}
{_staff(tools)}
<section aria-labelledby="klok">
<h2 id="klok">Gesimuleerde tijd</h2>
<p>Het is nu <strong><time datetime="{escape(now.astimezone(dt.UTC).isoformat())}">{
        escape(calendar.dutch_datetime(now))
    }</time></strong> ({escape(_offset_text(tools.clock.offset()))}).</p>
<p>Vooruitzetten laat termijnen verlopen: wachtende stappen gaan verder, geplande taken
(zoals het vaststellen van de triage-agenda) lopen op hun moment en verlopen gegevens worden
verwijderd.</p>
<form method="post" action="/dev/clock?workdays=1">
<button type="submit">Klok 1 werkdag vooruit</button></form>
<form method="post" action="/dev/clock?days=7">
<button type="submit">Klok 1 week vooruit</button></form>
</section>
<section aria-labelledby="uitbak">
<h2 id="uitbak">Verzonden e-mails ({len(messages)})</h2>
<p>Nieuwste eerst. <a href="/dev/">Vernieuwen</a> ·
<a href="/dev/outbox.json">als JSON</a></p>
{mails or "<p>Nog geen e-mails verzonden.</p>"}
</section>"""
    return document(
        "Ontwikkelomgeving: klok en verzonden e-mails", f"<style>{_STYLE}</style>", main
    )


def advance_by(clock: SimClock, *, days: int = 0, workdays: int = 0) -> dt.datetime:
    """Move the clock ``days`` calendar days, or to the same wall time ``workdays`` Dutch
    working days later."""
    if workdays:
        local = calendar.to_local(clock.now())
        day = calendar.add_working_days(local.date(), workdays)
        target = dt.datetime.combine(day, local.time().replace(fold=0), local.tzinfo)
        return clock.advance(target.astimezone(dt.UTC) - clock.now())
    return clock.advance(days=days)


def handle(tools: DevTools, method: str, path: str, query: str, body: bytes = b"") -> Page | None:
    """The answer for a ``/dev/`` request, or None when the path is not a dev page."""
    if tools.login is not None and (path.startswith("/dev/oauth2/") or path == "/dev/logout"):
        return tools.login.handle(method, path, query, body)
    if path in ("/dev", "/dev/") and method in ("GET", "HEAD"):
        return html_page(200, render_page(tools))
    if path == "/dev/outbox.json" and method in ("GET", "HEAD"):
        answer = {
            "now": tools.clock.now().astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
            "messages": [m.as_json() for m in tools.outbox.messages()],
        }
        return Page(
            200,
            {"Content-Type": "application/json", "Cache-Control": "no-store"},
            json.dumps(answer, ensure_ascii=False).encode("utf-8"),
        )
    if path == "/dev/clock":
        if method != "POST":
            return Page(405, {"Allow": "POST"}, b"")
        params = parse_qs(query)
        try:
            days = int(params.get("days", ["0"])[0])
            workdays = int(params.get("workdays", ["0"])[0])
        except ValueError:
            return html_page(400, "<!doctype html><title>Fout</title><p>Geef een heel getal.</p>")
        if not (0 <= days <= MAX_DAYS and 0 <= workdays <= MAX_DAYS) or not (days or workdays):
            return html_page(400, "<!doctype html><title>Fout</title><p>Ongeldig aantal dagen.</p>")
        advance_by(tools.clock, days=days, workdays=workdays)
        return Page(303, {"Location": "/dev/", "Cache-Control": "no-store"}, b"")
    return None
