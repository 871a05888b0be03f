"""Every console page, in English and in Korean, on the demo world (``manage.py seed_demo``):
each answers without a server error, and in Korean no text of the page is left in English but
what stays English in AWS's Korean console too: names, ARNs, JSON and code, AWS's own messages
and the AWS managed policies' descriptions (marked ``lang="en"`` or ``translate="no"`` in the
templates). With IAMCONSOLE_SCREENSHOTS=/some/dir each page is kept as a PNG (``ko-users.png``)
to look at."""

import io
import os
import re
from urllib.parse import quote

import pytest
from django.core.management import call_command
from playwright.sync_api import expect

from accounts.models import Account

ROOT_EMAIL, ROOT_PASSWORD = "root@demo.iamconsole.test", "Demo-Root-2026!"
AWS = "arn:aws:iam::aws:policy/"

# Two English words in a row (the second in lower case) in a text without Korean: a sentence
# or a label left English (a Korean sentence may name "AWS Tools for PowerShell").
ENGLISH = re.compile(r"\b[A-Za-z][a-z]+ [a-z]{2,}\b")
HANGUL = re.compile(r"[\uac00-\ud7a3]")
# The text nodes of the page outside what stays English (see the module's docstring).
TEXTS = """() => {
  const skip = "script, style, code, pre, textarea, [lang=en], [translate=no], .visually-hidden-focusable";
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  const found = [];
  for (let node = walker.nextNode(); node; node = walker.nextNode()) {
    const text = node.textContent.trim();
    const parent = node.parentElement;
    if (!text || !parent || parent.closest(skip)) continue;
    if (parent.closest("[hidden]") || parent.closest(".d-none")) continue;
    found.push(text);
  }
  for (const el of document.querySelectorAll("[aria-label], [placeholder], [title]")) {
    if (el.closest("[lang=en], [translate=no]")) continue;
    for (const name of ["aria-label", "placeholder", "title"]) {
      const value = el.getAttribute(name);
      if (value) found.push(value);
    }
  }
  return found;
}"""


# the root user may not switch roles (as in AWS); the last two do not exist
STATUS = {"/switchrole": 403, "/iam/users/nobody-by-that-name/": 404, "/no-such-page/": 404}


def shot(page, name):
    folder = os.environ.get("IAMCONSOLE_SCREENSHOTS")
    if folder:
        os.makedirs(folder, exist_ok=True)
        page.screenshot(path=f"{folder}/{name}.png", full_page=True)


def slug(path: str) -> str:
    """A file name for the page that is the same on every run (no account or instance ID)."""
    path = re.sub(r"i-[0-9a-f]{17}", "instance", re.sub(r"\d{12}", "account", path))
    return re.sub(r"[^a-z0-9]+", "-", path.lower()).strip("-")[:90] or "home"


def pages(account_id: str) -> list[str]:
    reports = f"iamconsole-demo-reports-{account_id}"
    web = _instance_id("demo-web")
    iam = [
        "/console/home/",
        "/iam/",
        "/iam/users/",
        "/iam/create-user/",
        "/iam/users/carol/",
        "/iam/users/carol/?tab=groups",
        "/iam/users/carol/?tab=tags",
        "/iam/users/carol/?tab=security_credentials",
        "/iam/users/carol/add-to-groups/",
        "/iam/users/carol/attach-policies/",
        "/iam/users/carol/console-access/",
        "/iam/users/carol/tags/edit/",
        "/iam/users/carol/permissions-boundary/",
        "/iam/users/carol/inline-policies/create/",
        "/iam/users/carol/mfa/assign/",
        "/iam/users/carol/access-keys/create/",
        "/iam/users/carol/delete/",
        "/iam/groups/",
        "/iam/create-group/",
        "/iam/groups/Developers/",
        "/iam/groups/Developers/?tab=permissions",
        "/iam/groups/Developers/add-users/",
        "/iam/groups/Developers/attach-policies/",
        "/iam/groups/Developers/delete/",
        "/iam/roles/",
        "/iam/create-role/",
        "/iam/roles/EC2ReadOnlyRole/",
        "/iam/roles/EC2ReadOnlyRole/?tab=trust_relationships",
        "/iam/roles/EC2ReadOnlyRole/?tab=tags",
        "/iam/roles/EC2ReadOnlyRole/edit/",
        "/iam/roles/EC2ReadOnlyRole/trust-policy/",
        "/iam/roles/EC2ReadOnlyRole/delete/",
        "/iam/policies/",
        "/iam/policies/create/",
        "/iam/policies/detail/?arn=" + quote(AWS + "AmazonEC2FullAccess"),
        "/iam/policies/detail/?tab=entities&arn=" + quote(AWS + "AmazonEC2FullAccess"),
        "/iam/policies/detail/?tab=versions&arn=" + quote(AWS + "AmazonEC2FullAccess"),
        "/iam/policies/attach/?arn=" + quote(AWS + "AmazonEC2FullAccess"),
        "/iam/policy-simulator/",
        "/iam/identity-providers/",
        "/iam/account-settings/",
        "/iam/account-settings/password-policy/",
        "/iam/account-settings/reset/",
        "/iam/account-alias/",
        "/iam/credential-report/",
        "/iam/security-credentials/",
        "/iam/security-credentials/mfa/assign/",
        "/iam/security-credentials/access-keys/create/",
        "/switchrole",
    ]
    ec2 = [
        "/ec2/",
        "/ec2/instances/",
        "/ec2/launch-instance/",
        f"/ec2/instances/{web}/",
        f"/ec2/instances/{web}/?tab=security",
        f"/ec2/instances/{web}/modify-iam-role/",
        f"/ec2/instances/{web}/tags/",
        f"/ec2/instances/{web}/connect/",
    ]
    s3 = [
        "/s3/buckets/",
        "/s3/bucket/create/",
        f"/s3/buckets/{reports}/",
        f"/s3/buckets/{reports}/?prefix=reports/2025/",
        f"/s3/buckets/{reports}/?tab=properties",
        f"/s3/buckets/{reports}/?tab=permissions",
        f"/s3/buckets/{reports}/upload/",
        f"/s3/buckets/{reports}/create-folder/",
        f"/s3/buckets/{reports}/policy/edit/",
        f"/s3/buckets/{reports}/public-access/edit/",
        f"/s3/buckets/{reports}/delete/",
        f"/s3/object/{reports}/?prefix=README.txt",
        "/s3/settings/public-access/",
        "/s3/settings/public-access/edit/",
    ]
    missing = ["/iam/users/nobody-by-that-name/", "/no-such-page/"]
    return iam + ec2 + s3 + missing


def _instance_id(name: str) -> str:
    from ec2.models import Instance

    return Instance.objects.get(tags__key="Name", tags__value=name).instance_id


@pytest.fixture
def demo(live_server):
    call_command("seed_demo", base_url=live_server.url, stdout=io.StringIO())
    return Account.objects.get(alias="iamconsole-demo")


def leftovers(page) -> list[str]:
    return sorted({t for t in page.evaluate(TEXTS) if ENGLISH.search(t) and not HANGUL.search(t)})


@pytest.mark.parametrize("language", ["en", "ko"])
def test_every_page_answers_and_speaks_the_language(live_server, browser, demo, language):
    context = browser.new_context(viewport={"width": 1400, "height": 900}, locale="en-US")
    context.add_cookies([{"name": "iamconsole_language", "value": language, "url": live_server.url}])
    page = context.new_page()
    base = live_server.url
    english = {}
    for path in ["/signin/", "/signup/", "/signin/iamconsole-demo/"]:
        page.goto(base + path)
        shot(page, f"{language}-signed-out-{slug(path)}")
        if language != "en" and (found := leftovers(page)):
            english[path] = found
    page.goto(base + "/signin/")
    page.locator("input[name=user_type][value=root]").check()
    page.locator("#id_root_email").fill(ROOT_EMAIL)
    page.locator("form button[type=submit]").first.click()
    page.locator("#id_password").fill(ROOT_PASSWORD)
    shot(page, f"{language}-signed-out-root-password")
    page.locator("form button[type=submit]").first.click()
    expect(page.locator("html")).to_have_attribute("lang", language)
    expect(page.get_by_test_id("account-id")).to_be_visible()
    failures = {}
    for path in pages(demo.account_id):
        answer = page.goto(base + path)
        expected = STATUS.get(path, 200)
        if answer.status != expected:
            failures[path] = answer.status
        shot(page, f"{language}-{slug(path)}")
        if language != "en" and (found := leftovers(page)):
            english[path] = found
    context.close()
    assert failures == {}
    assert english == {}, "\n".join(f"{path}: {texts}" for path, texts in english.items())
