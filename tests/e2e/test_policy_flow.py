"""Root writes a customer managed policy in the JSON editor (a malformed one first), attaches it
to kim from kim's Permissions tab, creates an EC2 role; kim then signs in and may list users
but is refused the user groups with AWS's message."""

import json
import re

from playwright.sync_api import expect

from accounts.models import ManagedPolicy, Role
from tests.conftest import USER_PASSWORD
from tests.e2e.test_first_user_flow import shot
from tests.e2e.test_mfa_flow import sign_in_root

LIST_USERS_ONLY = json.dumps(
    {
        "Version": "2012-10-17",
        "Statement": [
            {"Sid": "ListUsersOnly", "Effect": "Allow", "Action": "iam:ListUsers", "Resource": "*"}
        ],
    },
    indent=2,
)


def test_customer_policy_attach_and_enforce(live_server, page, root, user_factory):
    base = live_server.url
    kim = user_factory("kim")
    account = root.account.account_id
    sign_in_root(page, base, root.email)
    expect(page.get_by_role("heading", name="Console Home")).to_be_visible()

    # 1. A malformed document is refused on the editor with AWS's message; nothing is created.
    page.goto(base + "/iam/policies/")
    page.get_by_role("link", name="Create policy").first.click()
    editor = page.locator("#id_policy_document")
    editor.fill('{"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Resource": "*"}]}')
    page.locator("#id_policy_name").fill("ListUsersOnly")
    page.get_by_role("button", name="Create policy").click()
    expect(page.get_by_test_id("policy-error")).to_contain_text("Policy statement must contain actions.")
    assert not ManagedPolicy.objects.filter(name="ListUsersOnly").exists()

    # 2. The corrected document creates v1.
    page.locator("#id_policy_document").fill(LIST_USERS_ONLY)
    page.get_by_role("button", name="Create policy").click()
    expect(page.get_by_text("ListUsersOnly").first).to_be_visible()
    policy = ManagedPolicy.objects.get(name="ListUsersOnly", account_id=account)
    assert policy.default_version_id == "v1"
    shot(page, "30-policy-created")

    # 3. Attach it from kim's Permissions tab.
    page.goto(base + "/iam/users/kim/")
    page.get_by_role("link", name="Add permissions").click()
    page.get_by_label("Search permissions policies").fill("ListUsers")
    page.get_by_label("Select ListUsersOnly").check()
    page.get_by_role("button", name="Add permissions").click()
    expect(page.get_by_test_id("permission-row")).to_contain_text("ListUsersOnly")
    assert list(kim.attached_policies.values_list("name", flat=True)) == ["ListUsersOnly"]
    shot(page, "31-user-permissions")

    # 4. A role trusted by EC2.
    page.goto(base + "/iam/roles/")
    page.get_by_role("link", name="Create role").first.click()
    page.get_by_role("radio", name=re.compile("AWS service")).check()
    page.get_by_label("Service or use case").select_option(label="EC2")
    page.locator("#id_role_name").fill("WebServerRole")
    page.get_by_role("button", name="Create role").click()
    expect(page.get_by_role("heading", name="WebServerRole")).to_be_visible()
    role = Role.objects.get(name="WebServerRole")
    trust = json.loads(role.assume_role_policy_document)
    assert trust["Statement"][0]["Principal"] == {"Service": "ec2.amazonaws.com"}

    # 5. kim may list users, and nothing else.
    page.get_by_role("button", name=re.compile(r" @ ")).click()
    page.get_by_role("button", name="Sign out").click()
    page.goto(f"{base}/signin/{account}/")
    page.locator("#id_user_name").fill("kim")
    page.locator("#id_password").fill(USER_PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.goto(base + "/iam/users/")
    expect(page.get_by_role("link", name="kim", exact=True)).to_be_visible()
    page.get_by_role("link", name="User groups").click()
    message = (
        f"User: {kim.arn} is not authorized to perform: iam:ListGroups on resource: "
        f"arn:aws:iam::{account}:group/ because no identity-based policy allows the iam:ListGroups action"
    )
    expect(page.get_by_text(message)).to_be_visible()
    shot(page, "32-list-groups-refused")
