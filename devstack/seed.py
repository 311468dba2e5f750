"""Fictional example registrations, sent through the real API when ``make dev`` starts."""

from __future__ import annotations

import json
import urllib.request
from typing import TYPE_CHECKING, Any

from vhcore.house import current_house

if TYPE_CHECKING:
    from devstack.stack import LocalSystem

EXAMPLE_DESCRIPTIONS = (
    "Fictief voorbeeld: schulden, dreigende huisuitzetting en overlast in de buurt.",
    "Fictief voorbeeld: verslaving, psychische klachten en aangiftes van bedreiging.",
    "Fictief voorbeeld: zorgen over de kinderen, huiselijk geweld en stagnerende hulp.",
)


def example_registration(index: int) -> dict[str, Any]:
    """A complete, valid registration with made-up people; valid for every house."""
    house = current_house()
    partner = house.partners[index % len(house.partners)]
    domain = partner.domains[0] if partner.domains else "example.org"
    return {
        "registrant": {
            "organisation": partner.id,
            "name": f"Voorbeeld Aanmelder {index + 1}",
            "role": "Wijkagent",
            "email": f"aanmelder{index + 1}@{domain}",
            "phone": "06 12345678",
        },
        "persons": [
            {
                "relation": "hoofdbetrokkene",
                "first_name": "Voorbeeld",
                "last_name": f"Persoon {index + 1}",
                "date_of_birth": f"19{80 + index}-0{index + 1}-15",
                "residence": "Voorbeeldstad",
            }
        ],
        "life_domains": ["financien-schulden", "huisvesting", "psychische-gezondheid"],
        "description": EXAMPLE_DESCRIPTIONS[index % len(EXAMPLE_DESCRIPTIONS)],
        "concerns": ["overlast"],
        "urgency": "spoed" if index == 1 else "normaal",
        **(
            {"urgency_reason": "Fictief voorbeeld: dreigende uitzetting volgende week."}
            if index == 1
            else {}
        ),
        "involved_organisations": [
            {"organisation": "Fictieve schuldhulpverlening", "role": "Schuldhulp"},
        ],
        "tried": "Fictief voorbeeld: huisbezoeken en een schuldhulptraject zijn vastgelopen.",
        "question": "Fictief voorbeeld: wie neemt de regie over de hulp?",
        # Every criterion of the house met: each question answered as it counts.
        "criteria": [q.id for q in house.criteria.questions if q.meets == "ja"],
        "informed": "ja",
        "declaration": True,
    }


def post_json(url: str, body: dict[str, Any]) -> tuple[int, dict[str, Any]]:
    request = urllib.request.Request(  # noqa: S310 - loopback URL of the local gateway
        url,
        data=json.dumps(body).encode(),
        headers={"Content-Type": "application/json"},
        method="POST",
    )
    try:
        with urllib.request.urlopen(request, timeout=30) as response:  # noqa: S310
            return response.status, json.loads(response.read() or b"{}")
    except urllib.error.HTTPError as error:
        return error.code, json.loads(error.read() or b"{}")


def seed_examples(system: LocalSystem, count: int = 3) -> list[str]:
    references = []
    for index in range(count):
        status, body = post_json(f"{system.url}/api/registrations", example_registration(index))
        if status != 202:
            raise RuntimeError(f"seeding example {index + 1} failed with status {status}")
        references.append(str(body["reference"]))
    return references
