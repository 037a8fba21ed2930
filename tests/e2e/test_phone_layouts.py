"""A street admin's pages on a 375 px phone: the page never scrolls sideways and inputs are finger-sized.

Wide tables scroll inside their own box (table-responsive), never the page. Each page is also
photographed at 375 and 1366 px into var/e2e-screenshots/layouts/ for a person to look at.
"""

import re

import pytest
from playwright.sync_api import expect

from tests.e2e.conftest import SCREENSHOTS, log_in

pytestmark = [pytest.mark.e2e, pytest.mark.slow]

PHONE, DESKTOP = 375, 1366
TOUCH = 44  # px: the smallest comfortable touch target (Apple HIG, WCAG 2.5.5)


def street_admin_pages(page) -> dict[str, str]:
    """The addresses a street admin works through, found by following the site's own links."""
    page.goto("/assessments/")
    period = page.locator("main a", has_text=re.compile(r"^第1季度$")).first.get_attribute("href")
    page.goto(f"{period}ratings/")
    entry_link = page.locator("main table a", has_text=re.compile(r"^(评定|查看)$")).first
    community = entry_link.get_attribute("href")
    return {
        "home": "/",
        "quarters": "/assessments/",
        "quarter": period,
        "ratings": f"{period}ratings/",
        "rating-entry": community,
        "grids": "/grids/list/",
        "staff": "/grids/staff/",
        "zero-complaint": f"{period}zero-complaint/",
    }


def test_street_admin_pages_fit_a_phone(page):
    log_in(page, "street")
    pages = street_admin_pages(page)
    folder = SCREENSHOTS / "layouts"
    folder.mkdir(parents=True, exist_ok=True)
    for width in (PHONE, DESKTOP):
        page.set_viewport_size({"width": width, "height": 900})
        for name, url in pages.items():
            page.goto(url)
            expect(page.locator("main")).to_be_visible()
            page.screenshot(path=str(folder / f"{name}-{width}.png"), full_page=True)
            scroll_width = page.evaluate("document.scrollingElement.scrollWidth")
            assert scroll_width <= width, f"{name} ({url}) is {scroll_width} px wide at {width} px"
            if width == PHONE:
                heights = page.evaluate(
                    """() => Array.from(document.querySelectorAll(
                        'main .form-control, main .form-select, main .rating-table .btn'))
                        .filter((el) => el.offsetParent !== null)
                        .map((el) => el.getBoundingClientRect().height)"""
                )
                lowest = min(heights, default=TOUCH)
                assert lowest >= TOUCH - 0.5, f"{name}: an input is {lowest} px high"
    # The rating page shows one grid per block on a phone: its four level buttons side by side.
    page.set_viewport_size({"width": PHONE, "height": 900})
    page.goto(pages["rating-entry"])
    buttons = page.locator("#rating-table tbody tr").first.locator(".btn-group .btn")
    expect(buttons).to_have_count(4)
    tops = {round(buttons.nth(i).bounding_box()["y"]) for i in range(4)}
    assert len(tops) == 1, "the level buttons wrap onto several lines"
