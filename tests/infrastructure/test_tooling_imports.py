"""The tooling's import rules hold: ``deploy`` and ``vhtools`` never import the local stack,
and ``devstack``'s modules import each other without a cycle (tooling.importlinter)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

CONTRACTS = Path(__file__).with_name("tooling.importlinter")


def test_the_tooling_keeps_its_import_contracts() -> None:
    lint_imports = Path(sys.executable).with_name("lint-imports")
    result = subprocess.run(
        [str(lint_imports), "--no-cache", "--no-logo", str(CONTRACTS)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr
