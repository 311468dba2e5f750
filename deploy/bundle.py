"""`make build`: the house files as the Lambda reads them.

Each ``houses/*.yaml`` is validated and written as JSON into the functions' code
(``vhcore/houses``). A cold Lambda then reads its house with the ``json`` module it has
loaded anyway, instead of importing PyYAML first; a house that does not validate stops the
build instead of the first request.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from pathlib import Path

from vhcore.house import HouseConfigError, bundle_house
from vhtools.template import REPO

SOURCE = REPO / "houses"


def bundle(target: Path, source: Path = SOURCE) -> list[Path]:
    """Every house in ``source`` as JSON in ``target``; raises on the first invalid one."""
    target.mkdir(parents=True, exist_ok=True)
    return [bundle_house(path, target) for path in sorted(source.glob("*.yaml"))]


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("target", type=Path, help="the folder the Lambda code reads houses from")
    args = parser.parse_args(argv)
    try:
        written = bundle(args.target)
    except HouseConfigError as exc:
        sys.exit(f"house file not valid:\n{exc}")
    print(f"{len(written)} house file(s) bundled as JSON in {args.target}")


if __name__ == "__main__":
    main()
