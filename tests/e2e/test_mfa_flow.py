"""Root enrols a virtual MFA device (codes computed with pyotp, as an app would), signs out,
and signs in again with password and MFA code."""

import re

from playwright.sync_api import expect

from accounts.models import MFADevice
from tests.conftest import ROOT_PASSWORD
from tests.e2e.test_first_user_flow import shot
from tests.mfa_helpers import code, consecutive


def sign_in_root(page, base, email):
    page.goto(base + "/signin/")
    page.get_by_text("Root user", exact=False).first.click()
    page.locator("#id_root_email").fill(email)
    page.get_by_role("button", name="Next").click()
    page.locator("#id_password").fill(ROOT_PASSWORD)
    page.get_by_role("button", name="Sign in").click()


def test_enrol_mfa_and_sign_in_with_it(live_server, page, root):
    base = live_server.url
    sign_in_root(page, base, root.email)
    expect(page.get_by_text("Add MFA for root user")).to_be_visible()
    page.goto(base + "/iam/security-credentials/")
    page.get_by_role("link", name="Assign MFA device").click()
    page.locator("#id_device_name").fill("root-phone")
    page.get_by_role("button", name="Next").click()
    expect(page.get_by_test_id("mfa-qr").locator("svg")).to_be_visible()
    page.get_by_role("button", name="Show secret key").click()
    secret = page.get_by_test_id("mfa-secret").inner_text().strip()
    assert re.fullmatch(r"[A-Z2-7]{32}", secret)
    c1, c2 = consecutive(secret)
    page.locator("#id_code1").fill(c1)
    page.locator("#id_code2").fill(c2)
    shot(page, "10-mfa-setup")
    page.get_by_role("button", name="Add MFA").click()
    expect(page.get_by_test_id("mfa-serial")).to_have_text(
        f"arn:aws:iam::{root.account.account_id}:mfa/root-phone"
    )
    assert MFADevice.objects.get().identity_id == root.pk

    page.goto(base + "/iam/")
    expect(page.get_by_text("Root user has MFA")).to_be_visible()
    page.get_by_role("button", name=re.compile(r" @ ")).click()
    page.get_by_role("button", name="Sign out").click()

    sign_in_root(page, base, root.email)
    expect(page.get_by_role("heading", name="Multi-factor authentication")).to_be_visible()
    page.goto(base + "/iam/")  # a password-only session reaches nothing else
    expect(page.get_by_role("heading", name="Multi-factor authentication")).to_be_visible()
    page.locator("#id_code").fill("000000")
    page.get_by_role("button", name="Submit").click()
    expect(page.get_by_text("Your authentication information is incorrect")).to_be_visible()
    # The enrolment used the current step; the app's next code is within the ±1 window.
    page.locator("#id_code").fill(code(secret, 1))
    shot(page, "11-mfa-signin")
    page.get_by_role("button", name="Submit").click()
    expect(page.get_by_role("heading", name="Console Home")).to_be_visible()
