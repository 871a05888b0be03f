"""Accessibility: axe-core (vendored, run in Chromium) finds no WCAG 2 A/AA violation on the
console's main pages: colour contrast of 4.5:1, names of form controls and groups, headings."""

import json
from pathlib import Path

import pytest
from playwright.sync_api import expect

from tests.e2e.test_mfa_flow import sign_in_root
from tests.e2e.test_narrow_screens import PAGES, world  # noqa: F401  (the fixture)

AXE = Path(__file__).parent / "vendor" / "axe-core" / "axe.min.js"
SIGNED_OUT = ["/signin/", "/signup/"]


def violations(page) -> list[dict]:
    page.add_script_tag(path=str(AXE))
    found = page.evaluate(
        """async () => {
            const r = await axe.run(document, {runOnly: {type: "tag", values: ["wcag2a", "wcag2aa"]}});
            return r.violations.map(v => ({id: v.id, nodes: v.nodes.slice(0, 3).map(n => n.target.join(" ") + " :: " + n.failureSummary.slice(0, 160))}));
        }"""
    )
    return found


@pytest.fixture
def axe_page(browser):
    context = browser.new_context(bypass_csp=True, viewport={"width": 1280, "height": 900})
    yield context.new_page()
    context.close()


def test_pages_have_no_wcag_aa_violations(live_server, axe_page, world):  # noqa: F811
    page = axe_page
    problems = {}
    for path in SIGNED_OUT:
        page.goto(live_server.url + path)
        if found := violations(page):
            problems[path] = found
    sign_in_root(page, live_server.url, world.email)
    expect(page.get_by_role("heading", name="Console Home")).to_be_visible()
    for path in PAGES:
        page.goto(live_server.url + path)
        if found := violations(page):
            problems[path] = found
    assert problems == {}, json.dumps(problems, indent=1)
