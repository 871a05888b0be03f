"""``/`` serves two callers: the IAM/STS API (answered before the console's middleware: no
session cookie, no language, never cached) and a browser (the console's sign-in)."""

from botocore.auth import SigV4Auth
from botocore.awsrequest import AWSRequest
from botocore.credentials import Credentials
from django.test import Client

from accounts.models import AuditEvent
from accounts.services import access_keys


def signed_post(client, key, body: str, **extra):
    request = AWSRequest(
        method="POST",
        url="http://testserver/",
        data=body,
        headers={"Content-Type": "application/x-www-form-urlencoded; charset=utf-8"},
    )
    SigV4Auth(Credentials(key.access_key_id, key.secret_access_key), "iam", "us-east-1").add_auth(request)
    headers = {k: v for k, v in request.headers.items() if k.lower() != "content-type"}
    headers["Host"] = "testserver"  # signed by botocore from the URL
    return client.post(
        "/",
        data=body,
        content_type="application/x-www-form-urlencoded; charset=utf-8",
        headers=headers,
        **extra,
    )


def test_an_api_call_gets_xml_and_no_session_or_language(root):
    key = access_keys.create_access_key(root)
    client = Client(HTTP_ACCEPT_LANGUAGE="ko")
    response = signed_post(
        client, key, "Action=CreateUser&UserName=kim&Version=2010-05-08", REMOTE_ADDR="198.51.100.7"
    )
    assert response.status_code == 200, response.content
    assert response["Content-Type"] == "text/xml"
    assert b"<UserName>kim</UserName>" in response.content
    assert "no-store" in response["Cache-Control"]
    assert "Content-Language" not in response and not response.cookies
    event = AuditEvent.objects.filter(action="iam:CreateUser").latest("pk")
    assert event.source_ip == "198.51.100.7"


def test_a_browser_opening_the_root_url_goes_to_sign_in(db):
    response = Client().get("/")
    assert response.status_code == 302 and response["Location"] == "/signin/"
