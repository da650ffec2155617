"""The scorecard in headless Chromium: it renders offline, with no failed request and no error.

Playwright drives the system Chromium (/usr/bin/chromium, Debian's `chromium` package); it never
downloads a browser. The test is skipped only where that binary is missing.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import pytest
from playwright.sync_api import ConsoleMessage, Request, sync_playwright

from tests.browser.chromium import CHROMIUM, CHROMIUM_FLAGS, needs_chromium

CP_PLAN_RATE = "Children on a child protection plan per 10,000 children aged 0-17"

pytestmark = needs_chromium


@dataclass
class BrowserVisit:
    """What happened while Chromium opened a page, and where its screenshot is."""

    screenshot: Path
    requests: list[str] = field(default_factory=list)
    failed_requests: list[str] = field(default_factory=list)
    console_errors: list[str] = field(default_factory=list)
    cp_plan_row: str = ""


def visit_scorecard(page_path: Path, profile: Path, screenshot: Path) -> BrowserVisit:
    """Open `page_path` in headless Chromium with a fresh profile, record every request, failure
    and console error, read the CP plan rate row and save a full-page screenshot."""
    visit = BrowserVisit(screenshot)

    def on_console(message: ConsoleMessage) -> None:
        if message.type == "error":
            visit.console_errors.append(message.text)

    def on_failed(request: Request) -> None:
        visit.failed_requests.append(f"{request.url}: {request.failure}")

    with sync_playwright() as playwright:
        context = playwright.chromium.launch_persistent_context(
            profile, executable_path=CHROMIUM, headless=True, args=CHROMIUM_FLAGS
        )
        try:
            page = context.new_page()
            page.on("request", lambda request: visit.requests.append(request.url))
            page.on("requestfailed", on_failed)
            page.on("console", on_console)
            page.on("pageerror", lambda error: visit.console_errors.append(str(error)))
            page.set_viewport_size({"width": 1280, "height": 900})
            page.goto(page_path.as_uri(), wait_until="load")
            row = page.locator("tr").filter(has=page.get_by_role("rowheader", name=CP_PLAN_RATE))
            row.wait_for(state="visible")
            visit.cp_plan_row = row.inner_text()
            page.screenshot(path=screenshot, full_page=True)
        finally:
            context.close()
    return visit


def test_scorecard_renders_offline_without_errors(
    scorecard_page: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    visit = visit_scorecard(scorecard_page, tmp_path / "profile", tmp_path / "scorecard.png")
    with capsys.disabled():
        print(f"\nscorecard screenshot: {visit.screenshot}")
    assert visit.requests == [scorecard_page.as_uri()]
    assert visit.failed_requests == []
    assert visit.console_errors == []
    assert "42.8" in visit.cp_plan_row and "42.1" in visit.cp_plan_row
    assert visit.screenshot.read_bytes().startswith(b"\x89PNG")
