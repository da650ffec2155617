"""The browser the browser tests drive: Debian's system Chromium, headless and offline.

Playwright never downloads a browser here; a test module marked `needs_chromium` is skipped only
where /usr/bin/chromium is missing.
"""

from __future__ import annotations

from pathlib import Path

import pytest

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
needs_chromium = pytest.mark.skipif(
    not CHROMIUM.is_file(), reason="needs /usr/bin/chromium (apt-get install chromium)"
)
