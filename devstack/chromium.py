"""The system Chromium and the flags it needs on these machines (see docs/tooling.md): used by the
browser tests and the site benchmark. Playwright never downloads a browser."""

from __future__ import annotations

import os
from pathlib import Path

CHROMIUM = Path(os.environ.get("VH_CHROMIUM", "/usr/bin/chromium"))
CHROMIUM_FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
