"""A user of the ReadOnly group browses the users, then is refused a user creation with AWS's message."""

from playwright.sync_api import expect

from accounts.services import groups as group_services
from accounts.services import permissions as permission_services
from tests.conftest import USER_PASSWORD
from tests.e2e.test_first_user_flow import shot


def test_readonly_user_is_refused_create_user(live_server, page, root, user_factory):
    group_services.create_group(root, group_name="ReadOnly")
    for name in ("AmazonS3ReadOnlyAccess", "IAMReadOnlyAccess"):
        permission_services.attach_group_policy(
            root, group_name="ReadOnly", policy_arn=f"arn:aws:iam::aws:policy/{name}"
        )
    carol = user_factory("carol", groups=("ReadOnly",))
    user_factory("kim")
    account = root.account.account_id

    page.goto(f"{live_server.url}/signin/{account}/")
    page.locator("#id_user_name").fill("carol")
    page.locator("#id_password").fill(USER_PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("heading", name="Console Home")).to_be_visible()

    # Console Home → the Services menu, searched → IAM → Users
    page.get_by_test_id("services-menu").click()
    page.get_by_label("Search services").fill("iam")
    page.get_by_label("Search services").press("Enter")
    expect(page.get_by_role("heading", name="IAM Dashboard")).to_be_visible()
    page.get_by_role("link", name="Users", exact=True).click()
    expect(page.get_by_role("link", name="kim")).to_be_visible()
    page.get_by_role("link", name="Create user").first.click()
    # the wizard opens, as AWS's does; the refusal comes with Create user, on the page
    page.locator("#id_user_name").fill("newbie")
    page.get_by_test_id("wizard-next").click()
    page.get_by_test_id("wizard-next").click()
    page.get_by_test_id("wizard-create").click()
    expect(page.get_by_test_id("wizard-step-title")).to_have_text("Review and create")
    message = (
        f"User: {carol.arn} is not authorized to perform: iam:CreateUser on resource: "
        f"arn:aws:iam::{account}:user/newbie because no identity-based policy allows the iam:CreateUser action"
    )
    expect(page.get_by_test_id("form-error")).to_have_text(message)
    why = page.get_by_test_id("refusal-why")
    why.locator("summary").click()
    expect(why).to_contain_text("IAMReadOnlyAccess (group ReadOnly)")
    shot(page, "20-readonly-refused")
