"""The Create user wizard searches only the picker on show: choosing another option (or the
permissions boundary) fetches that picker's rows then, and its choices reach the new user."""

from playwright.sync_api import expect

from accounts.models import Identity
from tests.e2e.test_mfa_flow import sign_in_root

AWS = "arn:aws:iam::aws:policy/"


def test_attach_policies_directly_with_a_boundary(live_server, page, root):
    base = live_server.url
    sign_in_root(page, base, root.email)
    page.goto(base + "/iam/create-user/")
    page.locator("#id_user_name").fill("lee")
    page.get_by_test_id("wizard-next").click()
    policies = page.locator("#picker-policy_arns-policies")
    expect(policies).to_have_attribute("data-picker-lazy", "")  # hidden: not searched yet
    expect(policies).to_contain_text("Loading resources")
    page.locator("input[name=permissions_option][value=attach]").check()
    expect(policies).to_contain_text("AdministratorAccess")  # fetched once shown
    expect(policies).not_to_have_attribute("data-picker-lazy", "")
    policies.get_by_label("Search permissions policies").fill("AmazonS3Read")
    policies.get_by_label("Select AmazonS3ReadOnlyAccess").check()
    page.get_by_label("Use a permissions boundary to control the maximum user permissions").check()
    boundary = page.locator("#picker-boundary_arn-policies")
    expect(boundary).to_contain_text("AdministratorAccess")
    boundary.get_by_label("Search permissions boundary policy").fill("PowerUser")
    boundary.get_by_label("Select PowerUserAccess").check()
    page.get_by_test_id("wizard-next").click()
    expect(page.get_by_test_id("permissions-summary")).to_contain_text("AmazonS3ReadOnlyAccess")
    page.get_by_test_id("wizard-create").click()
    expect(page.get_by_role("heading", name="lee", level=1)).to_be_visible()
    lee = Identity.objects.get(name="lee")
    assert list(lee.attached_policies.values_list("arn", flat=True)) == [AWS + "AmazonS3ReadOnlyAccess"]
    assert lee.permissions_boundary.arn == AWS + "PowerUserAccess"
