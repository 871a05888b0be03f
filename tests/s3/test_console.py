"""The S3 console through the Django test client: every page, allowed (as root or alice) and
refused (as bob or carol) with AWS's message inside the page."""

import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from accounts.models import AuditEvent
from s3.models import Bucket, S3Object
from s3.services import policies, public_access
from s3.shapes import PublicAccessBlock
from tests.s3.conftest import read

BUCKET = "console-bucket"


@pytest.fixture
def bucket(root, make_bucket, put):
    make_bucket(root, BUCKET)
    put(root, BUCKET, "docs/readme.txt", b"read me", content_type="text/plain", metadata={"team": "blue"})
    put(root, BUCKET, "top.csv", b"a,b\n1,2\n")
    return BUCKET


def text(response) -> str:
    return response.content.decode()


def test_s3_is_in_the_services_menu(root_client):
    from accounts import consoles

    assert consoles.get("s3").url_name == "s3:bucket_list"
    page = root_client.get("/s3/", follow=True)
    assert page.redirect_chain[-1][0] == "/s3/buckets/"


def test_buckets_page_and_its_side_navigation(root_client, bucket):
    page = root_client.get("/s3/buckets/")
    assert page.status_code == 200
    body = text(page)
    assert "General purpose buckets" in body and 'data-testid="bucket-counter">(1)' in body
    assert f'href="/s3/buckets/{BUCKET}/"' in body and "ap-northeast-2" in body
    assert "Bucket and objects not public" in body
    assert (
        'aria-label="Amazon S3 navigation"' in body
        and "Block Public Access settings for this account" in body
    )


def test_bob_is_refused_the_bucket_list_inside_the_page(client_for, bob, bucket):
    page = client_for(bob).get("/s3/buckets/")
    assert page.status_code == 403
    assert (
        f"User: {bob.arn} is not authorized to perform: s3:ListAllMyBuckets because no identity-based policy "
        "allows the s3:ListAllMyBuckets action"
    ) in text(page)
    assert 'aria-label="Amazon S3 navigation"' in text(page)


def test_create_bucket(root, root_client, client_for, carol):
    page = root_client.get("/s3/bucket/create/")
    assert page.status_code == 200 and "Block all public access" in text(page)
    bad = root_client.post(
        "/s3/bucket/create/", {"bucket_name": "Bad_Name", "region": "eu-west-1", "block_all": "on"}
    )
    assert bad.status_code == 400
    assert (
        "Bucket name can consist only of lowercase letters, numbers, periods (.), and hyphens (-)."
        in text(bad)
    )
    made = root_client.post(
        "/s3/bucket/create/", {"bucket_name": "made-in-console", "region": "eu-west-1", "block_all": "on"}
    )
    assert made.status_code == 302
    created = Bucket.objects.get(name="made-in-console")
    assert (created.region, created.block_public_policy) == ("eu-west-1", True)
    again = root_client.post(
        "/s3/bucket/create/", {"bucket_name": "made-in-console", "region": "eu-west-1", "block_all": "on"}
    )
    assert again.status_code == 409 and "Bucket with the same name already exists" in text(again)
    # public access settings turned off need the acknowledgement
    open_form = {"bucket_name": "open-bucket", "region": "us-east-1", "block_public_acls": "on"}
    assert root_client.post("/s3/bucket/create/", open_form).status_code == 400
    assert root_client.post("/s3/bucket/create/", {**open_form, "acknowledge": "on"}).status_code == 302
    opened = Bucket.objects.get(name="open-bucket")
    assert (opened.block_public_acls, opened.block_public_policy, opened.region) == (True, False, "us-east-1")
    refused = client_for(carol).post(
        "/s3/bucket/create/", {"bucket_name": "carol-bucket", "region": "eu-west-1", "block_all": "on"}
    )
    assert refused.status_code == 403
    assert "is not authorized to perform: s3:CreateBucket" in text(refused)
    assert not Bucket.objects.filter(name="carol-bucket").exists()


def test_objects_tab_with_folders_and_breadcrumbs(root_client, bucket):
    page = root_client.get(f"/s3/buckets/{BUCKET}/")
    body = text(page)
    assert page.status_code == 200 and 'data-testid="object-counter">(2)' in body
    assert "?prefix=docs%2F" in body and ">docs/<" in body and "top.csv" in body
    inside = text(root_client.get(f"/s3/buckets/{BUCKET}/?prefix=docs/"))
    assert "readme.txt" in inside and "top.csv" not in inside
    assert f'<a href="/s3/buckets/{BUCKET}/">{BUCKET}</a>' in inside


def test_carol_sees_objects_but_bob_is_refused_inside_the_page(client_for, carol, bob, bucket):
    assert "readme.txt" in text(client_for(carol).get(f"/s3/buckets/{BUCKET}/?prefix=docs/"))
    page = client_for(bob).get(f"/s3/buckets/{BUCKET}/")
    assert page.status_code == 200  # the page, with the refusal where the objects would be
    assert "Insufficient permissions to list objects" in text(page)
    assert f"not authorized to perform: s3:ListBucket on resource: &quot;arn:aws:s3:::{BUCKET}&quot;" in text(
        page
    )


def test_upload_create_folder_and_delete(root, root_client, bucket, django_capture_on_commit_callbacks):
    upload = root_client.post(
        f"/s3/buckets/{BUCKET}/upload/",
        {
            "prefix": "docs/",
            "files": [
                SimpleUploadedFile("notes.md", b"# notes", "text/markdown"),
                SimpleUploadedFile("empty.bin", b""),
            ],
        },
    )
    assert upload.status_code == 302 and upload["Location"].endswith("?prefix=docs%2F")
    assert read(root, BUCKET, "docs/notes.md") == b"# notes"
    assert read(root, BUCKET, "docs/empty.bin") == b""
    folder = root_client.post(
        f"/s3/buckets/{BUCKET}/create-folder/", {"prefix": "docs/", "folder_name": "drafts"}
    )
    assert folder.status_code == 302 and S3Object.objects.filter(key=b"docs/drafts/").exists()
    bad = root_client.post(f"/s3/buckets/{BUCKET}/create-folder/", {"folder_name": "a/b"})
    assert bad.status_code == 400 and "Folder names can&#x27;t contain &quot;/&quot;." in text(bad)
    confirm = root_client.post(
        f"/s3/buckets/{BUCKET}/delete-objects/", {"prefix": "", "keys": ["docs/", "top.csv"]}
    )
    assert confirm.status_code == 200 and "permanently delete" in text(confirm)
    wrong = root_client.post(
        f"/s3/buckets/{BUCKET}/delete-objects/", {"keys": ["docs/", "top.csv"], "confirmation": "delete"}
    )
    assert wrong.status_code == 400 and S3Object.objects.count() == 5
    with django_capture_on_commit_callbacks(execute=True):
        done = root_client.post(
            f"/s3/buckets/{BUCKET}/delete-objects/",
            {"keys": ["docs/", "top.csv"], "confirmation": "permanently delete"},
        )
    assert done.status_code == 302 and S3Object.objects.count() == 0


def test_carol_is_refused_uploads_with_aws_message(client_for, carol, bucket):
    page = client_for(carol).post(
        f"/s3/buckets/{BUCKET}/upload/", {"files": [SimpleUploadedFile("carol.txt", b"nope")]}
    )
    assert page.status_code == 403
    assert (
        f"User: {carol.arn} is not authorized to perform: s3:PutObject on resource: "
        f"&quot;arn:aws:s3:::{BUCKET}/carol.txt&quot; because no identity-based policy allows the s3:PutObject action"
    ) in text(page)
    assert not S3Object.objects.filter(key=b"carol.txt").exists()
    assert AuditEvent.objects.filter(action="s3:PutObject", result="AccessDenied").exists()
    delete = client_for(carol).post(
        f"/s3/buckets/{BUCKET}/delete-objects/", {"keys": ["top.csv"], "confirmation": "permanently delete"}
    )
    assert delete.status_code == 403 and "s3:DeleteObject" in text(delete)
    folder = client_for(carol).post(f"/s3/buckets/{BUCKET}/create-folder/", {"folder_name": "x"})
    assert folder.status_code == 403 and "s3:PutObject" in text(folder)


def test_object_overview_and_download(root_client, client_for, carol, bob, bucket):
    page = root_client.get(f"/s3/object/{BUCKET}/?prefix=docs/readme.txt")
    body = text(page)
    assert page.status_code == 200
    assert (
        "s3://console-bucket/docs/readme.txt" in body and "x-amz-meta-team" in body and "text/plain" in body
    )
    for client in (root_client, client_for(carol)):
        download = client.get(f"/s3/object/{BUCKET}/download/?prefix=docs/readme.txt")
        assert download.status_code == 200
        assert download["Content-Disposition"] == 'attachment; filename="readme.txt"'
        assert b"".join(download.streaming_content) == b"read me"
    refused = client_for(bob).get(f"/s3/object/{BUCKET}/download/?prefix=docs/readme.txt")
    assert refused.status_code == 403 and "s3:GetObject" in text(refused)
    missing = root_client.get(f"/s3/object/{BUCKET}/?prefix=nope.txt")
    assert missing.status_code == 404 and "The specified key does not exist." in text(missing)
    assert root_client.get("/s3/buckets/no-such-bucket-here/").status_code == 404


def test_permissions_tab_and_bucket_policy_editor(root, root_client, client_for, carol, bucket):
    tab = text(root_client.get(f"/s3/buckets/{BUCKET}/?tab=permissions"))
    assert "No policy to display." in tab and "Block public access (bucket settings)" in tab
    editor = root_client.get(f"/s3/buckets/{BUCKET}/policy/edit/")
    assert editor.status_code == 200 and f"arn:aws:s3:::{BUCKET}" in text(editor)
    malformed = '{\n  "Version": "2012-10-17",\n  "Statement": [\n    {"Effect": "Allow", "Principal": "*", "Action": "s3:GetObject", "Resource": "arn:aws:s3:::other/*"}\n  ]\n}'
    refused = root_client.post(f"/s3/buckets/{BUCKET}/policy/edit/", {"policy_document": malformed})
    assert refused.status_code == 400
    assert "Policy has invalid resource" in text(refused) and 'data-error-line="4"' in text(refused)
    first_byte = root_client.post(f"/s3/buckets/{BUCKET}/policy/edit/", {"policy_document": "Statement"})
    assert "Policies must be valid JSON and the first byte must be &#x27;{&#x27;" in text(first_byte)
    public = malformed.replace("arn:aws:s3:::other/*", f"arn:aws:s3:::{BUCKET}/*")
    blocked = root_client.post(f"/s3/buckets/{BUCKET}/policy/edit/", {"policy_document": public})
    assert blocked.status_code == 403
    assert (
        "because public policies are blocked by the BlockPublicPolicy block public access setting."
        in text(blocked)
    )
    carol_only = public.replace('"Principal": "*"', f'"Principal": {{"AWS": "{carol.arn}"}}')
    saved = root_client.post(f"/s3/buckets/{BUCKET}/policy/edit/", {"policy_document": carol_only})
    assert saved.status_code == 302
    assert carol.arn in policies.get_bucket_policy(root, bucket=BUCKET)
    assert carol.arn in text(root_client.get(f"/s3/buckets/{BUCKET}/?tab=permissions"))
    # carol may read but not edit or see the policy
    carol_tab = text(client_for(carol).get(f"/s3/buckets/{BUCKET}/?tab=permissions"))
    assert "Insufficient permissions to view the bucket policy" not in carol_tab  # S3ReadOnly has s3:Get*
    carol_edit = client_for(carol).post(f"/s3/buckets/{BUCKET}/policy/edit/", {"policy_document": carol_only})
    assert carol_edit.status_code == 403 and "s3:PutBucketPolicy" in text(carol_edit)
    assert (
        client_for(carol).post(f"/s3/buckets/{BUCKET}/policy/delete/", {"confirmation": "delete"}).status_code
        == 403
    )
    deleted = root_client.post(f"/s3/buckets/{BUCKET}/policy/delete/", {"confirmation": "delete"})
    assert deleted.status_code == 302 and not Bucket.objects.get(name=BUCKET).policy


def test_block_public_access_pages(root, root_client, client_for, carol, bucket):
    edit = root_client.get(f"/s3/buckets/{BUCKET}/public-access/edit/")
    assert edit.status_code == 200 and re.search(r'name="block_all"[^>]*checked', text(edit))
    saved = root_client.post(
        f"/s3/buckets/{BUCKET}/public-access/edit/", {"block_public_acls": "on", "ignore_public_acls": "on"}
    )
    assert saved.status_code == 302
    assert public_access.get_public_access_block(root, bucket=BUCKET) == PublicAccessBlock(
        True, True, False, False
    )
    refused = client_for(carol).post(f"/s3/buckets/{BUCKET}/public-access/edit/", {"block_all": "on"})
    assert refused.status_code == 403 and "s3:PutBucketPublicAccessBlock" in text(refused)
    account = root_client.get("/s3/settings/public-access/")
    assert account.status_code == 200 and "Off" in text(account)
    assert root_client.post("/s3/settings/public-access/edit/", {"block_all": "on"}).status_code == 302
    assert public_access.get_account_public_access_block(root).all_on
    assert client_for(carol).get("/s3/settings/public-access/").status_code == 200  # s3:Get* allows it
    assert client_for(carol).post("/s3/settings/public-access/edit/", {"block_all": "on"}).status_code == 403


def test_delete_bucket_page(root_client, client_for, carol, bucket, make_bucket, root):
    full = root_client.post(f"/s3/buckets/{BUCKET}/delete/", {"confirmation": BUCKET})
    assert full.status_code == 409 and "This bucket is not empty." in text(full)
    make_bucket(root, "empty-bucket")
    assert root_client.post("/s3/buckets/empty-bucket/delete/", {"confirmation": "wrong"}).status_code == 400
    refused = client_for(carol).post("/s3/buckets/empty-bucket/delete/", {"confirmation": "empty-bucket"})
    assert refused.status_code == 403 and "s3:DeleteBucket" in text(refused)
    done = root_client.post("/s3/buckets/empty-bucket/delete/", {"confirmation": "empty-bucket"})
    assert done.status_code == 302 and not Bucket.objects.filter(name="empty-bucket").exists()
