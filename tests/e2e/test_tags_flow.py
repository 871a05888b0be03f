"""Root reads a policy's Permissions summary and JSON, then manages a user's tags in the browser:
Add new tag and Remove (the Create user wizard's rows and script), Save changes, and sees AWS's
message for a reserved key."""

import json

from playwright.sync_api import expect

from accounts.models import Identity
from accounts.services import tags as tag_services
from tests.e2e.test_first_user_flow import shot
from tests.e2e.test_mfa_flow import sign_in_root


def test_policy_summary_and_manage_tags(live_server, page, root, user_factory):
    base = live_server.url
    user_factory("kim")
    tag_services.tag_user(
        root, user_name="kim", tags=[{"Key": "team", "Value": "red"}, {"Key": "env", "Value": "dev"}]
    )
    sign_in_root(page, base, root.email)
    expect(page.get_by_role("heading", name="Console Home")).to_be_visible()

    # 1. IAMReadOnlyAccess: the summary first, the JSON (Version first) one click away.
    page.goto(base + "/iam/policies/detail/?arn=arn%3Aaws%3Aiam%3A%3Aaws%3Apolicy%2FIAMReadOnlyAccess")
    expect(
        page.get_by_text("Provides read only access to IAM via the AWS Management Console.")
    ).to_be_visible()
    summary = page.get_by_test_id("policy-summary")
    expect(summary.locator('tr[data-service="iam"]')).to_contain_text("Full: List")
    expect(summary.locator('tr[data-service="iam"]')).to_contain_text("Limited: Read")
    expect(page.get_by_test_id("policy-document")).to_be_hidden()
    shot(page, "60-policy-summary")
    page.get_by_test_id("view-json").click()
    document = page.get_by_test_id("policy-document")
    expect(document).to_be_visible()
    assert list(json.loads(document.inner_text())) == ["Version", "Statement"]
    shot(page, "61-policy-json")

    # 2. kim's Tags tab, then Manage tags: remove "team", add "cost", change "env".
    page.goto(base + "/iam/users/kim/")
    page.get_by_role("link", name="Tags", exact=True).click()
    expect(page.get_by_test_id("tag-row")).to_have_count(2)
    shot(page, "62-user-tags")
    page.get_by_test_id("manage-tags").click()
    rows = page.locator("[data-tag-row]")
    expect(rows).to_have_count(2)
    rows.nth(0).get_by_role("button", name="Remove").click()
    expect(rows).to_have_count(1)
    rows.nth(0).get_by_label("Value - optional").fill("prod")
    page.get_by_role("button", name="Add new tag").click()
    expect(rows).to_have_count(2)
    rows.nth(1).get_by_label("Key").fill("aws:cost")
    rows.nth(1).get_by_label("Value - optional").fill("42")
    page.get_by_role("button", name="Save changes").click()

    # 3. A reserved key: AWS's message in the form, nothing saved.
    expect(page.get_by_test_id("tags-error")).to_have_text(
        "User-defined tag keys can't start with 'aws:'. This prefix is reserved for AWS."
    )
    shot(page, "63-manage-tags-error")
    assert Identity.objects.get(name="kim").tags == [
        {"Key": "team", "Value": "red"},
        {"Key": "env", "Value": "dev"},
    ]

    # 4. Corrected, saved together.
    page.locator("[data-tag-row]").nth(1).get_by_label("Key").fill("cost")
    page.get_by_role("button", name="Save changes").click()
    expect(page.get_by_text("Tags saved for user kim.")).to_be_visible()
    expect(page.get_by_test_id("tag-row")).to_have_count(2)
    assert Identity.objects.get(name="kim").tags == [
        {"Key": "env", "Value": "prod"},
        {"Key": "cost", "Value": "42"},
    ]
    shot(page, "64-user-tags-saved")
