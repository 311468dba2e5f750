"""What each function ships: its zip and unpacked size after ``make build``, with the target.

Lambda downloads and unpacks a function's package on every cold start, and nearly every
request of a house is a cold start. ``make build`` cuts each function's folder down to what
its handler imports (``deploy/packages.py``); this reads ``.aws-sam/build`` as it is and
zips each function's folder the way ``sam deploy`` does (deflate), without uploading
anything. Without a build it says so and measures nothing.

Usage (PYTHONPATH=functions:., as ``make bench`` sets it):
  .venv/bin/python benchmarks/packages/bench_packages.py [--build-dir .aws-sam/build]
Target: every function's zip at most 16 MB, half of the 33 MB that every function shipped
when they all got the same folder. Exit status 1 when a built function misses it.
"""

from __future__ import annotations

import argparse
import sys
from collections import Counter
from pathlib import Path

from deploy.packages import functions, zip_size
from vhtools.template import REPO

TARGET_ZIP_MB = 16.0
BEFORE_ZIP_MB = 33.0  # each function, when all shipped the same folder (issue #18)
MB = 1_000_000


def largest_parts(folder: Path, top: int = 3) -> str:
    """The top-level folders (packages) that weigh most, unpacked, with their size."""
    sizes: Counter[str] = Counter()
    for path in folder.rglob("*"):
        if path.is_file():
            sizes[path.relative_to(folder).parts[0]] += path.stat().st_size
    return ", ".join(f"{name} {size / MB:.1f}" for name, size in sizes.most_common(top))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--build-dir", type=Path, default=REPO / ".aws-sam" / "build")
    args = parser.parse_args()
    build: Path = args.build_dir
    print("\nWhat each function ships (zip as sam deploy uploads it; MB = 10^6 bytes)")
    names = [function.name for function in functions()]
    if not all((build / name).is_dir() for name in names):
        print(f"No build in {build}: run `make build` first; no sizes measured.")
        return 0
    print(f"build: {build} (made {_made(build)})")
    print(f"target: zip <= {TARGET_ZIP_MB:.0f} MB per function (all shipped {BEFORE_ZIP_MB:.0f})")
    print()
    print("| function | zip MB | unpacked MB | target | largest parts, unpacked MB |")
    print("|---|---:|---:|---|---|")
    missed = []
    total = 0
    for name in names:
        folder = build / name
        zipped = zip_size(folder) / MB
        total += round(zipped * MB)
        unpacked = sum(p.stat().st_size for p in folder.rglob("*") if p.is_file()) / MB
        met = zipped <= TARGET_ZIP_MB
        if not met:
            missed.append(name)
        print(
            f"| {name} | {zipped:.1f} | {unpacked:.1f} | {'met' if met else 'MISSED'} "
            f"| {largest_parts(folder)} |"
        )
    print(f"\nall functions together: {total / MB:.1f} MB zipped ({len(names)} functions)")
    print("target met for every function" if not missed else f"target missed: {missed}")
    return 1 if missed else 0


def _made(build: Path) -> str:
    import datetime as dt

    stamp = (build / "template.yaml").stat().st_mtime
    return dt.datetime.fromtimestamp(stamp, tz=dt.UTC).strftime("%Y-%m-%d %H:%M UTC")


if __name__ == "__main__":
    sys.exit(main())
