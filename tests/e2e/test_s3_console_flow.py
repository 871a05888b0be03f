"""The S3 console in a browser: alice creates a bucket, uploads a file, downloads it, then
edits the bucket policy — a malformed document first (S3's message, the faulty line marked),
then a valid one."""

import re

from playwright.sync_api import expect

from accounts.services import groups as group_services
from accounts.services import permissions as permission_services
from s3.models import Bucket
from tests.conftest import USER_PASSWORD
from tests.e2e.test_first_user_flow import shot

BUCKET = "alice-e2e-bucket"


def test_create_upload_download_and_edit_the_bucket_policy(
    live_server, page, root, user_factory, tmp_path, settings
):
    settings.STORAGES = {
        **settings.STORAGES,
        "s3objects": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": str(tmp_path / "s3" / "objects")},
        },
    }
    group_services.create_group(root, group_name="Admins")
    permission_services.attach_group_policy(
        root, group_name="Admins", policy_arn="arn:aws:iam::aws:policy/AdministratorAccess"
    )
    user_factory("alice", groups=("Admins",))
    base = live_server.url
    page.goto(f"{base}/signin/{root.account.account_id}/")
    page.locator("#id_user_name").fill("alice")
    page.locator("#id_password").fill(USER_PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("button", name=re.compile(r"^alice @"))).to_be_visible()  # signed in

    # Create a bucket
    page.goto(f"{base}/s3/buckets/")
    expect(page.get_by_role("heading", name="General purpose buckets")).to_be_visible()
    page.get_by_role("link", name="Create bucket").first.click()
    page.locator("#id_bucket_name").fill("AliceBucket")
    page.get_by_role("button", name="Create bucket").click()
    expect(page.get_by_text("Bucket name must not contain uppercase characters.")).to_be_visible()
    page.locator("#id_bucket_name").fill(BUCKET)
    page.locator("#id_region").select_option("eu-west-1")
    shot(page, "s3-01-create-bucket")
    page.get_by_role("button", name="Create bucket").click()
    expect(page.get_by_text(f'Successfully created bucket "{BUCKET}"')).to_be_visible()
    assert Bucket.objects.get(name=BUCKET).region == "eu-west-1"

    # Upload a file
    page.get_by_role("link", name=BUCKET, exact=True).click()
    page.get_by_role("link", name="Upload").first.click()
    upload = tmp_path / "hello.txt"
    upload.write_text("Hello from the browser\n")
    page.locator("input[type=file]").set_input_files(str(upload))
    page.get_by_role("button", name="Upload").click()
    expect(page.get_by_text("Upload succeeded: 1 file(s)")).to_be_visible()
    expect(page.get_by_role("link", name="hello.txt")).to_be_visible()
    shot(page, "s3-02-objects")

    # Download it
    page.get_by_role("link", name="hello.txt").click()
    expect(page.get_by_test_id("object-key")).to_have_text("hello.txt")
    with page.expect_download() as download_info:
        page.get_by_test_id("download").click()
    download = download_info.value
    assert download.suggested_filename == "hello.txt"
    with open(download.path(), encoding="utf-8") as f:
        assert f.read() == "Hello from the browser\n"

    # Edit the bucket policy: a malformed document first
    page.goto(f"{base}/s3/buckets/{BUCKET}/?tab=permissions")
    expect(page.get_by_test_id("bucket-policy")).to_have_text("No policy to display.")
    page.get_by_role("link", name="Edit").last.click()
    expect(page.get_by_role("heading", name="Edit bucket policy")).to_be_visible()
    editor = page.locator("#id_policy_document")
    malformed = (
        '{\n  "Version": "2012-10-17",\n  "Statement": [\n    {\n'
        f'      "Effect": "Alow",\n      "Principal": {{"AWS": "arn:aws:iam::{root.account.account_id}:root"}},\n'
        f'      "Action": "s3:GetObject",\n      "Resource": "arn:aws:s3:::{BUCKET}/*"\n    }}\n  ]\n}}'
    )
    editor.fill(malformed)
    page.get_by_role("button", name="Save changes").click()
    expect(page.get_by_test_id("policy-error")).to_contain_text("Ln 5")
    expect(page.get_by_test_id("policy-error")).to_contain_text("Invalid effect: Alow")
    expect(page.locator("#id_policy_document")).to_have_attribute("data-error-line", "5")
    shot(page, "s3-03-policy-error")
    page.locator("#id_policy_document").fill(malformed.replace('"Alow"', '"Allow"'))
    page.get_by_role("button", name="Save changes").click()
    expect(page.get_by_text("Successfully edited bucket policy.")).to_be_visible()
    expect(page.get_by_test_id("bucket-policy")).to_contain_text('"Effect": "Allow"')
    assert '"Allow"' in Bucket.objects.get(name=BUCKET).policy
    shot(page, "s3-04-policy-saved")
