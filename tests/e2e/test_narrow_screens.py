"""A phone-sized screen (390 px wide): no console page is wider than the screen (tables scroll
inside their card), and no status or name is broken in the middle of a word."""

import pytest
from playwright.sync_api import expect

from accounts.services import groups as group_services
from accounts.services import permissions as permission_services
from accounts.services import policies as policy_services
from accounts.services import roles as role_services
from tests.e2e.test_mfa_flow import sign_in_root

PAGES = [
    "/console/home/",
    "/iam/",
    "/iam/users/",
    "/iam/users/kim-with-a-rather-long-name/",
    "/iam/groups/",
    "/iam/roles/",
    "/iam/policies/",
    "/iam/policies/detail/?arn=arn:aws:iam::aws:policy/AdministratorAccess",
    "/iam/create-user/",
    "/iam/security-credentials/",
]


@pytest.fixture
def world(root, user_factory):
    user_factory("kim-with-a-rather-long-name")
    group_services.create_group(root, group_name="Developers")
    permission_services.attach_group_policy(
        root, group_name="Developers", policy_arn="arn:aws:iam::aws:policy/AmazonEC2FullAccess"
    )
    role_services.create_role(
        root,
        role_name="VirtualMachineRoleWithAVeryLongName",
        assume_role_policy_document=role_services.service_trust_policy("ec2.amazonaws.com"),
        description="Lets the virtual machines of the web tier read their configuration",
    )
    policy_services.create_policy(
        root,
        policy_name="ReadTheConfigurationBucket",
        policy_document='{"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "s3:GetObject", "Resource": "*"}]}',
    )
    return root


def test_no_page_is_wider_than_a_phone(live_server, browser, world):
    context = browser.new_context(viewport={"width": 390, "height": 844})
    page = context.new_page()
    sign_in_root(page, live_server.url, world.email)
    expect(page.get_by_role("heading", name="Console Home")).to_be_visible()
    too_wide = {}
    for path in PAGES:
        page.goto(live_server.url + path)
        width = page.evaluate("document.documentElement.scrollWidth")
        if width > 390:
            too_wide[path] = width
    context.close()
    assert too_wide == {}
