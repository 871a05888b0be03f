"""Policy details: the document as stored (the author's text and key order; AWS managed
policies in AWS's order), the AWS managed descriptions, the Permissions summary beside the
JSON, and the query counts of the pages."""

import html
import json
from urllib.parse import quote, unquote

import pytest
from django.core.management.sql import emit_post_migrate_signal

from accounts.models import ManagedPolicy, PolicyVersion
from accounts.policy import summary as engine_summary
from accounts.services import permissions as permission_services
from accounts.services import policies as policy_services
from accounts.services import tags as tag_services
from tests.web.test_policy_views import AWS, denied, url

# A document typed with an unusual key order (Statement before Version, Resource first),
# spacing of its own and a trailing newline: AWS keeps it as the author sent it.
UNUSUAL = """{"Statement": [ {"Resource": "*",  "Action": ["s3:GetObject", "s3:ListBucket"], "Effect": "Allow",
   "Sid": "Read"} ],
 "Version": "2012-10-17"}
"""


def create(actor, name, document):
    return ManagedPolicy.objects.get(
        arn=policy_services.create_policy(actor, policy_name=name, policy_document=document).arn
    )


def allow_doc(*statements):
    return json.dumps({"Version": "2012-10-17", "Statement": list(statements)}, indent=4)


def summary_of(response):
    return response.context["summary"]


# --- the document as stored ---------------------------------------------------------------------


def test_aws_managed_policy_shows_version_first_and_awss_statement_order(root_client):
    arn = AWS + "IAMReadOnlyAccess"
    stored = PolicyVersion.objects.get(policy__arn=arn, is_default=True).document
    assert stored.startswith(
        '{\n    "Version": "2012-10-17",\n    "Statement": [\n        {\n            "Effect"'
    )
    assert stored.index('"Effect"') < stored.index('"Action"') < stored.index('"Resource"')
    page = root_client.get(url("policy_detail", arn, view="json"))
    assert page.status_code == 200
    body = page.content.decode()
    shown = html.unescape(body.split('data-testid="policy-document">', 1)[1].split("</pre>", 1)[0])
    assert shown == stored


def test_aws_managed_policy_shows_its_description(root_client):
    page = root_client.get(url("policy_detail", AWS + "AmazonS3ReadOnlyAccess"))
    assert page.context["policy"].description == (
        "Provides read only access to all buckets via the AWS Management Console."
    )
    assert "Provides read only access to all buckets via the AWS Management Console." in page.content.decode()


def test_the_sync_after_migrate_brings_descriptions_and_order_to_an_existing_database(db):
    """A database loaded before this change holds sorted keys and no description: the next
    migrate's post_migrate sync rewrites them."""
    arn = AWS + "AdministratorAccess"
    old = json.dumps(
        {"Statement": [{"Action": "*", "Effect": "Allow", "Resource": "*"}], "Version": "2012-10-17"}
    )
    ManagedPolicy.objects.filter(arn=arn).update(description="")
    PolicyVersion.objects.filter(policy__arn=arn).update(document=old)
    emit_post_migrate_signal(verbosity=0, interactive=False, db="default")
    policy = ManagedPolicy.objects.get(arn=arn)
    assert policy.description == "Provides full access to AWS services and resources."
    assert policy.versions.get().document == (
        '{\n    "Version": "2012-10-17",\n    "Statement": [\n        {\n            "Effect": "Allow",\n'
        '            "Action": "*",\n            "Resource": "*"\n        }\n    ]\n}'
    )


def test_customer_policy_keeps_the_authors_text_and_key_order(root, root_client):
    response = root_client.post(
        url("policy_create"), {"policy_name": "Unusual", "policy_document": UNUSUAL.replace("\n", "\r\n")}
    )
    assert response.status_code == 302
    policy = ManagedPolicy.objects.get(account=root.account, name="Unusual")
    assert policy.versions.get().document == UNUSUAL  # the browser's CRLF made LF, nothing else
    assert (
        policy_services.get_policy_version(root, policy_arn=policy.arn, version_id="v1").document == UNUSUAL
    )
    for page in (
        root_client.get(url("policy_detail", policy)),
        root_client.get(url("policy_version_detail", policy, version_id="v1")),
    ):
        assert page.status_code == 200
        assert f'data-testid="policy-document">{html.escape(UNUSUAL)}</pre>' in page.content.decode()
    # and the summary reads it all the same
    row = summary_of(root_client.get(url("policy_detail", policy))).row("Allow", "s3")
    assert row.access_level == ("Limited: List, Read",)


def test_get_policy_version_returns_the_authors_text_url_encoded(root):
    """The API's GetPolicyVersion: the Document member is the text the author sent, URL-encoded
    (RFC 3986), as IAM returns it; decoded, it is the text byte for byte."""
    from accounts.api import iam as iam_api
    from accounts.api import protocol
    from accounts.api.adapt import encode_policy_documents

    policy = create(root, "Unusual", UNUSUAL)
    result = iam_api.HANDLERS["GetPolicyVersion"](root, {"PolicyArn": policy.arn, "VersionId": "v1"}, None)
    encode_policy_documents(result, protocol.operation("iam", "GetPolicyVersion").output_shape)
    document = result["PolicyVersion"]["Document"]
    assert document == quote(UNUSUAL, safe="-_.!~*'()")
    assert unquote(document) == UNUSUAL and document.startswith("%7B%22Statement%22")


def test_inline_policy_keeps_the_authors_text(root, user_factory):
    user_factory("kim")
    permission_services.put_user_policy(root, user_name="kim", policy_name="Mine", policy_document=UNUSUAL)
    assert (
        permission_services.get_user_policy(root, user_name="kim", policy_name="Mine").policy_document
        == UNUSUAL
    )


# --- the Permissions summary ---------------------------------------------------------------------


def test_summary_is_the_default_view_and_json_is_one_click_away(root, root_client):
    policy = create(root, "Reader", allow_doc({"Effect": "Allow", "Action": "s3:GetObject", "Resource": "*"}))
    page = root_client.get(url("policy_detail", policy))
    body = page.content.decode()
    assert page.context["view"] == "summary"
    assert '<div data-policy-view="summary">' in body and '<div data-policy-view="json" hidden>' in body
    assert 'data-testid="policy-summary"' in body
    json_page = root_client.get(url("policy_detail", policy, view="json"))
    body = json_page.content.decode()
    assert '<div data-policy-view="summary" hidden>' in body and '<div data-policy-view="json">' in body
    assert html.escape(url("policy_detail", policy, view="summary")) in body


def test_summary_of_administrator_access(root_client):
    page = root_client.get(url("policy_detail", AWS + "AdministratorAccess"))
    result = summary_of(page)
    count = len(engine_summary.catalogue().services)
    assert len(result.allow) == result.service_count == count
    assert {row.access_level_text for row in result.allow} == {"Full access"}
    body = page.content.decode()
    assert f"Allow ({count} of {count} services)" in body
    assert body.count("<div>Full access</div>") == count
    iam = result.row("Allow", "iam")
    assert (iam.service, iam.resource, iam.condition) == ("IAM", "All resources", "None")


def test_summary_of_iam_read_only_access(root_client):
    page = root_client.get(url("policy_detail", AWS + "IAMReadOnlyAccess"))
    result = summary_of(page)
    assert [(r.service, r.access_level) for r in result.allow] == [("IAM", ("Full: List", "Limited: Read"))]
    body = page.content.decode()
    assert '<tr data-service="iam">' in body
    assert "<div>Full: List</div><div>Limited: Read</div>" in body


def test_summary_of_amazon_s3_read_only_access(root_client):
    page = root_client.get(url("policy_detail", AWS + "AmazonS3ReadOnlyAccess"))
    rows = {r.prefix: r.access_level for r in summary_of(page).allow}
    assert rows == {"s3": ("Full: List, Read",), "s3-object-lambda": ("Limited: List, Read",)}
    assert "<div>Full: List, Read</div>" in page.content.decode()


def test_summary_of_a_deny_policy(root, root_client):
    policy = create(
        root,
        "NoDeletes",
        allow_doc(
            {"Effect": "Allow", "Action": "s3:*", "Resource": "*"},
            {
                "Effect": "Deny",
                "Action": ["s3:DeleteBucket", "s3:DeleteObject"],
                "Resource": "arn:aws:s3:::photos/*",
                "Condition": {"Bool": {"aws:MultiFactorAuthPresent": "false"}},
            },
        ),
    )
    page = root_client.get(url("policy_detail", policy))
    result = summary_of(page)
    deny = result.row("Deny", "s3")
    assert (deny.access_level, deny.resource, deny.condition) == (
        ("Limited: Write",),
        "arn:aws:s3:::photos/*",
        "aws:MultiFactorAuthPresent | Bool | false",
    )
    assert result.row("Allow", "s3").access_level == ("Full access",)
    body = page.content.decode()
    assert 'data-testid="policy-summary-explicit-deny"' in body
    assert body.index("Explicit deny (1 of") < body.index("Allow (1 of")


def test_summary_of_unknown_actions_and_services(root, root_client):
    policy = create(
        root,
        "Typos",
        allow_doc(
            {"Effect": "Allow", "Action": ["iam:CreateUsr", "iam:GetUser", "s3x:GetObject"], "Resource": "*"}
        ),
    )
    page = root_client.get(url("policy_detail", policy))
    result = summary_of(page)
    assert result.row("Allow", "iam").unrecognized_actions == ("iam:CreateUsr",)
    assert [u.prefix for u in result.unrecognized] == ["s3x"]
    body = page.content.decode()
    assert 'data-testid="policy-summary-warning"' in body
    assert "Unrecognized actions: iam:CreateUsr" in body
    assert "Uncategorized services (1)" in body and "Allow: s3x:GetObject" in body


def test_version_page_has_the_summary_and_the_json(root, root_client):
    policy = create(root, "Versions", allow_doc({"Effect": "Allow", "Action": "iam:List*", "Resource": "*"}))
    policy_services.create_policy_version(
        root,
        policy_arn=policy.arn,
        policy_document=allow_doc({"Effect": "Allow", "Action": "iam:*", "Resource": "*"}),
    )
    v1 = root_client.get(url("policy_version_detail", policy, version_id="v1"))
    v2 = root_client.get(url("policy_version_detail", policy, version_id="v2", view="json"))
    assert v1.status_code == v2.status_code == 200
    assert summary_of(v1).row("Allow", "iam").access_level == ("Full: List",)
    assert summary_of(v2).row("Allow", "iam").access_level == ("Full access",)
    assert v2.context["view"] == "json" and '<div data-policy-view="json">' in v2.content.decode()


def test_summary_needs_what_the_document_needs(root, user_factory, client_for):
    """The summary is the document read another way: who may not read the document (GetPolicy
    and GetPolicyVersion) sees AWS's refusal, who may sees both."""
    lee = user_factory("lee")
    kim = user_factory("kim")
    mine = create(root, "Mine", allow_doc({"Effect": "Allow", "Action": "s3:GetObject", "Resource": "*"}))
    reader = create(
        root,
        "Reader",
        allow_doc({"Effect": "Allow", "Action": ["iam:GetPolicy", "iam:GetPolicyVersion"], "Resource": "*"}),
    )
    only_get = create(
        root, "OnlyGet", allow_doc({"Effect": "Allow", "Action": "iam:GetPolicy", "Resource": "*"})
    )
    permission_services.attach_user_policy(root, user_name="kim", policy_arn=reader.arn)
    permission_services.attach_user_policy(root, user_name="lee", policy_arn=only_get.arn)
    allowed = client_for(kim).get(url("policy_detail", mine))
    assert allowed.status_code == 200 and summary_of(allowed).row("Allow", "s3") is not None
    refused = client_for(lee).get(url("policy_detail", mine))
    assert denied(refused, lee, "iam:GetPolicyVersion")
    assert "policy-summary" not in refused.content.decode()
    assert denied(
        client_for(lee).get(url("policy_version_detail", mine, version_id="v1")), lee, "iam:GetPolicyVersion"
    )


# --- tags tab of a policy ------------------------------------------------------------------------


def test_aws_managed_policies_have_no_tags_tab(root_client):
    arn = AWS + "AdministratorAccess"
    page = root_client.get(url("policy_detail", arn, tab="tags"))
    assert page.status_code == 200 and page.context["tab"] == "permissions"
    body = page.content.decode()
    tabs = body[body.index('class="cs-tabs') : body.index("</nav>", body.index('class="cs-tabs'))]
    assert "tab=tags" not in tabs and ">Tags<" not in tabs


def test_customer_policy_has_a_tags_tab(root, root_client):
    policy = create(root, "Tagged", allow_doc({"Effect": "Allow", "Action": "s3:GetObject", "Resource": "*"}))
    assert (
        html.escape(url("policy_detail", policy, tab="tags"))
        in root_client.get(url("policy_detail", policy)).content.decode()
    )


# --- query counts ----------------------------------------------------------------------------------


@pytest.mark.parametrize("n_tags", [0, 50])
def test_policy_detail_query_counts_are_constant(root, root_client, django_assert_max_num_queries, n_tags):
    policy = create(root, "Counted", allow_doc({"Effect": "Allow", "Action": "s3:*", "Resource": "*"}))
    if n_tags:
        tag_services.tag_policy(
            root, policy_arn=policy.arn, tags=[{"Key": f"k{i}", "Value": "v"} for i in range(n_tags)]
        )
    pages = [
        (url("policy_detail", policy), 200),
        (url("policy_detail", policy, view="json"), 200),
        (url("policy_detail", policy, tab="tags"), 200),
        (url("policy_version_detail", policy, version_id="v1"), 200),
        (url("policy_detail", AWS + "AdministratorAccess"), 200),
        (url("policy_detail", AWS + "ReadOnlyAccess"), 200),
    ]
    # the session, the caller, GetPolicy (the row and its five usage counts), then the tab's read
    for page, status in pages:
        with django_assert_max_num_queries(10):
            response = root_client.get(page)
        assert response.status_code == status, page
    assert len(root_client.get(url("policy_detail", policy, tab="tags")).context["tags"]) == n_tags
