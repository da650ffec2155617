"""The scorecard against WCAG 2.2 AA (Public Sector Bodies Accessibility Regulations 2018).

axe-core (bundled in the axe-playwright-python package, run offline) checks every rule of the
WCAG 2.0, 2.1 and 2.2 A and AA tags; the other tests check in Chromium what axe cannot: reflow at
320 CSS px (1.4.10), text spacing (1.4.12), keyboard access in a sensible order with a visible
focus (2.1.1, 2.4.3, 2.4.7) that the internal edition's banner never hides (2.4.11).
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import Browser, Page, sync_playwright

from tests.browser.chromium import CHROMIUM, CHROMIUM_FLAGS, needs_chromium

pytestmark = needs_chromium

WCAG_AA = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22a", "wcag22aa"]
DESKTOP, NARROW = 1280, 320  # 320 CSS px: a 1280 px window zoomed to 400% (WCAG 1.4.10)
# The spacing 1.4.12 says a reader may set without losing content.
TEXT_SPACING = (
    "* { line-height: 1.5 !important; letter-spacing: 0.12em !important;"
    " word-spacing: 0.16em !important; } p { margin-bottom: 2em !important; }"
)
FOCUSABLE = "a[href], [tabindex]:not([tabindex='-1'])"


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    """Headless system Chromium, offline."""
    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(
            executable_path=CHROMIUM, headless=True, args=CHROMIUM_FLAGS
        )
        yield launched
        launched.close()


@pytest.fixture(params=["public", "internal"])
def edition_page(request: pytest.FixtureRequest) -> Path:
    """The scorecard of each edition: the internal one has its protective marking banner."""
    return request.getfixturevalue(
        "scorecard_page" if request.param == "public" else "internal_scorecard_page"
    )


@contextmanager
def opened(browser: Browser, path: Path, width: int, spacing: bool = False) -> Iterator[Page]:
    """`path` open at a viewport `width` CSS px wide, with WCAG 1.4.12's text spacing if asked."""
    page = browser.new_page(viewport={"width": width, "height": 640})
    try:
        page.goto(path.as_uri(), wait_until="load")
        if spacing:
            page.add_style_tag(content=TEXT_SPACING)
        yield page
    finally:
        page.close()


def violations(page: Page, run_only: dict[str, object] | None = None) -> list[str]:
    """axe-core's violations on `page` of the WCAG 2.2 A and AA rules (or of `run_only`, in
    axe's runOnly form): rule id, impact and the elements."""
    chosen = run_only or {"type": "tag", "values": WCAG_AA}
    options = {"runOnly": chosen, "resultTypes": ["violations"]}
    found = Axe().run(page, options=options).response["violations"]
    return [
        f"{rule['id']} ({rule['impact']}): {', '.join(str(n['target']) for n in rule['nodes'])}"
        for rule in found
    ]


@pytest.mark.parametrize("width", [DESKTOP, NARROW])
def test_axe_finds_no_wcag_a_or_aa_violation(
    browser: Browser, edition_page: Path, width: int
) -> None:
    with opened(browser, edition_page, width) as page:
        found = violations(page)
    assert found == [], "\n".join(found)


def test_every_part_of_the_page_is_in_a_landmark(browser: Browser, edition_page: Path) -> None:
    # axe's best practice, not WCAG: a screen reader user moving by landmarks reaches everything,
    # the internal edition's protective marking too.
    with opened(browser, edition_page, DESKTOP) as page:
        found = violations(page, {"type": "rule", "values": ["region", "landmark-unique"]})
    assert found == [], "\n".join(found)


@pytest.mark.parametrize("spacing", [False, True])
def test_at_320_px_the_page_never_scrolls_sideways(
    browser: Browser, edition_page: Path, spacing: bool
) -> None:
    with opened(browser, edition_page, NARROW, spacing) as page:
        widths = page.evaluate(
            "[document.documentElement.scrollWidth, document.documentElement.clientWidth]"
        )
        # What may not fit: a table, in its own scrolling region; and a chart's words, drawn in
        # its picture (role="img") and read from its title and description.
        sticking_out = page.evaluate(
            """() => [...document.body.querySelectorAll('*')]
                .filter(e => !e.closest('.table-scroll') && !e.closest('svg *'))
                .filter(e => e.getBoundingClientRect().right > document.documentElement.clientWidth)
                .map(e => e.outerHTML.slice(0, 80))"""
        )
    assert widths[0] <= widths[1] and sticking_out == []


def test_a_wide_table_scrolls_in_its_own_named_region_by_keyboard(
    browser: Browser, scorecard_page: Path
) -> None:
    with opened(browser, scorecard_page, NARROW) as page:
        tables = page.locator("table")
        assert tables.count() > 1
        for index in range(tables.count()):
            table = tables.nth(index)
            caption = table.locator("caption").inner_text()
            region = page.get_by_role("region", name=caption, exact=True)
            assert region.locator("table").count() == 1, caption
            assert region.evaluate("r => r.scrollWidth > r.clientWidth"), caption
            region.focus()
            page.keyboard.press("ArrowRight")
            page.wait_for_function("r => r.scrollLeft > 0", arg=region.element_handle())
            # The caption stays in view as the table scrolls under it.
            box, shown = table.locator("caption span").bounding_box(), region.bounding_box()
            assert box is not None and shown is not None
            assert shown["x"] <= box["x"] and box["x"] + box["width"] <= shown["x"] + shown["width"]


def focus_walk(page: Page, key: str) -> list[dict[str, object]]:
    """Press `key` (Tab or Shift+Tab) from the top of the page until focus has been round every
    element once: for each, its place in the document and whether its focus is visible and
    clear of the protective marking banner."""
    count = page.locator(FOCUSABLE).count()
    steps = []
    for _ in range(count):
        page.keyboard.press(key)
        steps.append(
            page.evaluate(
                """selector => {
                const element = document.activeElement;
                const style = getComputedStyle(element);
                const box = element.getBoundingClientRect();
                const banner = document.querySelector('.marking');
                const below = banner ? banner.getBoundingClientRect().bottom : 0;
                return {
                    place: [...document.querySelectorAll(selector)].indexOf(element),
                    outline: style.outlineStyle !== 'none' && parseFloat(style.outlineWidth) >= 2,
                    clear: box.bottom > below && box.top < window.innerHeight,
                };
            }""",
                FOCUSABLE,
            )
        )
    return steps


@pytest.mark.parametrize("key", ["Tab", "Shift+Tab"])
def test_the_keyboard_reaches_everything_in_order_with_its_focus_visible(
    browser: Browser, internal_scorecard_page: Path, key: str
) -> None:
    with opened(browser, internal_scorecard_page, NARROW, spacing=True) as page:
        steps = focus_walk(page, key)
    places = [step["place"] for step in steps]
    forwards = list(range(len(steps)))
    assert places == (forwards if key == "Tab" else forwards[::-1])
    assert [step for step in steps if not (step["outline"] and step["clear"])] == []


def test_the_marking_banner_covers_neither_the_title_nor_a_section_jumped_to(
    browser: Browser, internal_scorecard_page: Path
) -> None:
    with opened(browser, internal_scorecard_page, NARROW, spacing=True) as page:
        banner = page.locator(".marking").first
        title = page.locator("h1")
        assert (
            banner.bounding_box()["y"] + banner.bounding_box()["height"]
            <= (title.bounding_box()["y"])
        )
        page.get_by_role("navigation").get_by_role("link", name="Notes").press("Enter")
        page.wait_for_function("location.hash === '#notes'")
        heading = page.locator("#notes").bounding_box()
        bottom = banner.bounding_box()
        assert heading is not None and bottom is not None
        assert bottom["y"] + bottom["height"] <= heading["y"]
