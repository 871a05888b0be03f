"""Switch role in the browser: kim follows the role page's link, switches to the role (display
name and colour in the top bar), may then do what the role may, and switches back."""

import json
import re

from playwright.sync_api import expect

from accounts.services import permissions as permission_services
from accounts.services import roles
from tests.conftest import USER_PASSWORD
from tests.e2e.test_first_user_flow import shot

AWS = "arn:aws:iam::aws:policy/"


def test_switch_role_and_back(live_server, page, root, user_factory):
    account = root.account.account_id
    trust = {
        "Version": "2012-10-17",
        "Statement": [
            {
                "Effect": "Allow",
                "Principal": {"AWS": f"arn:aws:iam::{account}:root"},
                "Action": "sts:AssumeRole",
            }
        ],
    }
    roles.create_role(root, role_name="Auditor", assume_role_policy_document=json.dumps(trust))
    permission_services.attach_role_policy(root, role_name="Auditor", policy_arn=AWS + "IAMReadOnlyAccess")
    user_factory("kim")
    permission_services.put_user_policy(
        root,
        user_name="kim",
        policy_name="MayAssume",
        policy_document=json.dumps(
            {
                "Version": "2012-10-17",
                "Statement": [{"Effect": "Allow", "Action": "sts:AssumeRole", "Resource": "*"}],
            }
        ),
    )

    page.goto(f"{live_server.url}/signin/{account}/")
    page.locator("#id_user_name").fill("kim")
    page.locator("#id_password").fill(USER_PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("heading", name="Console Home")).to_be_visible()

    # kim alone may not list users
    page.goto(f"{live_server.url}/iam/users/")
    expect(page.get_by_test_id("table-denied")).to_contain_text("is not authorized to perform: iam:ListUsers")

    # the account menu's Switch role, filled in as the role page's link fills it
    page.get_by_test_id("account-menu").click()
    page.get_by_role("link", name="Switch role").click()
    expect(page.get_by_role("heading", name="Switch role").first).to_be_visible()
    page.locator("#id_account").fill(account)
    page.locator("#id_role_name").fill("Auditor")
    page.locator("#id_display_name").fill("Audit")
    page.locator("#id_color").select_option("blue")
    shot(page, "30-switch-role-form")
    page.get_by_role("button", name="Switch role").click()

    menu = page.get_by_test_id("account-menu")
    expect(menu).to_have_text("Audit")
    expect(menu).to_have_class(re.compile("cs-role-badge--blue"))
    page.goto(f"{live_server.url}/iam/users/")
    expect(page.get_by_role("link", name="kim")).to_be_visible()  # the role may
    shot(page, "31-acting-as-role")

    menu.click()
    expect(page.get_by_test_id("active-role")).to_have_text("Auditor")
    page.get_by_test_id("switch-back").click()
    expect(page.get_by_test_id("account-menu")).to_contain_text("kim @")
    page.goto(f"{live_server.url}/iam/users/")
    expect(page.get_by_test_id("table-denied")).to_contain_text("is not authorized to perform: iam:ListUsers")

    # the role history offers it again
    page.get_by_test_id("account-menu").click()
    page.get_by_role("button", name="Audit").click()
    expect(page.get_by_test_id("account-menu")).to_have_text("Audit")
    shot(page, "32-role-history")
