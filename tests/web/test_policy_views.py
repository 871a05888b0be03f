"""Managed policy pages: list, create, view, edit (versions), delete, entities; read-only and
cross-account refusals."""

import json
import re
from urllib.parse import urlencode

import pytest
from django.urls import reverse

from accounts.forms.policies import POLICY_SKELETON
from accounts.identifiers import new_unique_id
from accounts.models import AuditEvent, Identity, ManagedPolicy, PolicyVersion
from accounts.services import groups as group_services
from accounts.services import permissions as permission_services
from accounts.services import policies as policy_services
from tests.conftest import stored

AWS = "arn:aws:iam::aws:policy/"


def doc(*statements, version="2012-10-17"):
    return json.dumps({"Version": version, "Statement": list(statements)}, indent=2)


def allow(action="s3:GetObject", resource="*", **extra):
    return {"Effect": "Allow", "Action": action, "Resource": resource, **extra}


def url(name, policy=None, **params):
    """The URL of a policy page; ``policy`` is a ManagedPolicy or an ARN."""
    if policy is not None:
        params = {"arn": getattr(policy, "arn", policy), **params}
    return reverse(f"iam:{name}") + ("?" + urlencode(params) if params else "")


def readonly(root, user):
    """Give ``user`` IAMReadOnlyAccess (attached directly by root); returns the fresh identity."""
    permission_services.attach_user_policy(root, user_name=user.name, policy_arn=AWS + "IAMReadOnlyAccess")
    return Identity.objects.get(pk=user.pk)


def denied(response, actor, action):
    body = response.content.decode()
    return response.status_code == 403 and f"User: {actor.arn} is not authorized to perform: {action}" in body


@pytest.fixture
def make_policy(root):
    def make(name="S3Reader", document=None, *, actor=None, description=""):
        return stored(
            policy_services.create_policy(
                actor or root,
                policy_name=name,
                policy_document=document or doc(allow()),
                description=description,
            )
        )

    return make


# --- list -----------------------------------------------------------------------------------


def test_policy_list_shows_types_and_use(root, root_client, make_policy, user_factory, group_factory):
    make_policy("S3Reader", description="Read objects")
    make_policy("Unused")
    user_factory("kim")
    group_factory("Devs")
    permission_services.attach_user_policy(root, user_name="kim", policy_arn=AWS + "AdministratorAccess")
    permission_services.attach_group_policy(root, group_name="Devs", policy_arn=AWS + "AdministratorAccess")
    permission_services.put_user_permissions_boundary(
        root, user_name="kim", permissions_boundary=AWS + "PowerUserAccess"
    )
    response = root_client.get(url("policy_list", size=100))
    assert response.status_code == 200
    body = response.content.decode()
    total = ManagedPolicy.objects.filter(account__isnull=True).count() + 2
    assert f'Policies <span class="cs-counter">({total})</span>' in body
    rows = {p.policy_name: (p, used) for p, used in response.context["rows"]}
    assert rows["S3Reader"][0].policy_type.label == "Customer managed"
    assert rows["AdministratorAccess"][0].policy_type.label == "AWS managed"
    assert rows["Billing"][0].policy_type.label == "AWS managed - job function"
    assert rows["AdministratorAccess"][1] == ["Permissions policy (2)"]
    assert rows["PowerUserAccess"][1] == ["Permissions boundary (1)"]
    assert rows["Unused"][1] == ["None"]
    assert "Read objects" in body and 'id="policies-table-q"' in body
    assert url("policy_detail", rows["S3Reader"][0]).replace("&", "&amp;") in body


@pytest.mark.parametrize(
    "type_filter,present,absent",
    [
        ("customer", {"S3Reader"}, {"AdministratorAccess", "Billing"}),
        ("aws", {"AdministratorAccess"}, {"S3Reader", "Billing"}),
        ("job_function", {"Billing", "DataScientist"}, {"AdministratorAccess", "S3Reader"}),
        ("", {"S3Reader", "AdministratorAccess", "Billing"}, set()),
    ],
)
def test_policy_list_type_filter(root_client, make_policy, type_filter, present, absent):
    make_policy("S3Reader")
    response = root_client.get(url("policy_list", size=100, type=type_filter))
    names = {p.policy_name for p, _ in response.context["rows"]}
    assert present <= names and not (absent & names)


def test_policy_list_sorts_by_name_ignoring_case(root_client, make_policy):
    for name in ("zeta", "Alpha", "beta", "AmazonS3ReadOnlyAccess"):
        make_policy(name)
    response = root_client.get(url("policy_list", size=100, type="customer"))
    assert [p.policy_name for p, _ in response.context["rows"]] == [
        "Alpha",
        "AmazonS3ReadOnlyAccess",
        "beta",
        "zeta",
    ]
    names = [p.policy_name for p, _ in root_client.get(url("policy_list", size=100)).context["rows"]]
    assert names == sorted(names, key=str.lower)
    assert names.count("AmazonS3ReadOnlyAccess") == 2


def test_policy_list_does_not_count_other_accounts(root, root_factory, root_client, make_policy):
    other = root_factory()
    make_policy("Theirs", actor=other)
    group_services.create_group(other, group_name="G")
    permission_services.attach_group_policy(other, group_name="G", policy_arn=AWS + "AdministratorAccess")
    rows = {p.policy_name: used for p, used in root_client.get(url("policy_list", size=100)).context["rows"]}
    assert "Theirs" not in rows and rows["AdministratorAccess"] == ["None"]


@pytest.mark.parametrize("n_policies", [1, 50])
def test_policy_list_query_count_is_constant(root, root_client, django_assert_max_num_queries, n_policies):
    for i in range(n_policies):
        policy = ManagedPolicy.objects.create(
            account=root.account,
            name=f"p{i:03}",
            arn=f"arn:aws:iam::{root.account.account_id}:policy/p{i:03}",
            unique_id=new_unique_id("policy"),
        )
        PolicyVersion.objects.create(policy=policy, version_id="v1", document=doc(allow()), is_default=True)
    with django_assert_max_num_queries(10):
        response = root_client.get(url("policy_list", size=100))
    assert response.status_code == 200
    assert sum(1 for p, _ in response.context["rows"] if not p.is_aws_managed) == n_policies


# --- create ---------------------------------------------------------------------------------


def test_create_policy_page_starts_from_a_valid_skeleton(root_client):
    response = root_client.get(url("policy_create"))
    assert response.status_code == 200
    assert policy_services.validate_document(POLICY_SKELETON) == POLICY_SKELETON
    assert "data-code-editor" in response.content.decode()
    assert response.context["form"]["policy_document"].value() == POLICY_SKELETON


def test_create_policy(root, root_client):
    document = doc(allow("s3:GetObject", "arn:aws:s3:::photos/*", Sid="ReadPhotos"))
    response = root_client.post(
        url("policy_create"),
        {
            "policy_name": "PhotoReader",
            "description": "Read the photos",
            "policy_document": document.replace("\n", "\r\n"),
        },
    )
    policy = ManagedPolicy.objects.get(account=root.account, name="PhotoReader")
    assert response.status_code == 302 and response["Location"] == url("policy_detail", policy)
    assert policy.arn == f"arn:aws:iam::{root.account.account_id}:policy/PhotoReader"
    assert policy.description == "Read the photos" and policy.default_version_id == "v1"
    version = policy.versions.get()
    assert version.is_default and version.document == document  # CRLF from the browser made LF
    page = root_client.get(response["Location"])
    assert page.status_code == 200
    body = page.content.decode()
    assert "Customer managed" in body and policy.arn in body and "ReadPhotos" in body
    assert '<pre class="cs-code" data-testid="policy-document">' in body
    assert AuditEvent.objects.filter(action="iam:CreatePolicy", result="Success").exists()


SYNTAX_ERROR = """{
  "Version": "2012-10-17",
  "Statement": [
    {
      "Effect": "Allow",
      "Action": "s3:GetObject"
      "Resource": "*"
    }
  ]
}"""


@pytest.mark.parametrize(
    "document,message,line",
    [
        (SYNTAX_ERROR, "Syntax errors in policy.", 7),
        (doc({"Effect": "Allow", "Resource": "*"}), "Policy statement must contain actions.", 4),
        (doc(allow(resource="bucket")), "Resource bucket must be in ARN format or &quot;*&quot;.", None),
        (doc(allow(Principal="*")), "Policy document should not specify a principal.", None),
        (doc(allow(), version="2008-10-17"), "Policy document must be version 2012-10-17 or greater.", None),
        ("   ", "Syntax errors in policy.", None),
    ],
)
def test_create_policy_refuses_a_malformed_document(root_client, document, message, line):
    response = root_client.post(url("policy_create"), {"policy_name": "Bad", "policy_document": document})
    assert response.status_code == 400
    body = response.content.decode()
    assert message in body
    if line is not None:
        assert f'data-error-line="{line}"' in body and f"Ln {line}, Col" in body
    assert not ManagedPolicy.objects.filter(name="Bad").exists()


def test_create_policy_too_large(root_client):
    actions = [f"s3:GetObject{i:04}" for i in range(400)]
    response = root_client.post(
        url("policy_create"), {"policy_name": "Huge", "policy_document": doc(allow(actions))}
    )
    assert 400 <= response.status_code < 500
    assert "Cannot exceed quota for PolicySize: 6144" in response.content.decode()
    assert not ManagedPolicy.objects.filter(name="Huge").exists()


def test_create_policy_duplicate_name(root_client, make_policy):
    make_policy("S3Reader")
    response = root_client.post(
        url("policy_create"), {"policy_name": "s3reader", "policy_document": doc(allow())}
    )
    assert response.status_code == 409
    assert (
        "A policy called s3reader already exists. Duplicate names are not allowed."
        in response.content.decode()
    )
    assert ManagedPolicy.objects.filter(name__iexact="s3reader").count() == 1


@pytest.mark.parametrize(
    "name,message",
    [("bad name", "invalid characters"), ("p" * 129, "128 characters or fewer"), ("", "required")],
)
def test_create_policy_bad_name(root_client, name, message):
    response = root_client.post(url("policy_create"), {"policy_name": name, "policy_document": doc(allow())})
    assert response.status_code == 400 and message in response.content.decode()
    assert not ManagedPolicy.objects.filter(account__isnull=False).exists()


def test_an_aws_managed_name_can_be_reused_by_a_customer_policy(root, root_client):
    response = root_client.post(
        url("policy_create"), {"policy_name": "AdministratorAccess", "policy_document": doc(allow())}
    )
    assert response.status_code == 302
    mine = ManagedPolicy.objects.get(account=root.account, name="AdministratorAccess")
    aws = ManagedPolicy.objects.get(arn=AWS + "AdministratorAccess")
    assert "s3:GetObject" in root_client.get(url("policy_detail", mine)).content.decode()
    aws_page = root_client.get(url("policy_detail", aws))
    assert (
        aws_page.context["policy"].arn == aws.arn
        and "&quot;Action&quot;: &quot;*&quot;" in aws_page.content.decode()
    )


# --- view -----------------------------------------------------------------------------------


def test_policy_detail_tabs(root, root_client, make_policy, user_factory, group_factory):
    policy = make_policy("S3Reader", description="Reads")
    user_factory("kim")
    group_factory("Devs")
    permission_services.attach_user_policy(root, user_name="kim", policy_arn=policy.arn)
    permission_services.attach_group_policy(root, group_name="Devs", policy_arn=policy.arn)
    permissions = root_client.get(url("policy_detail", policy))
    body = permissions.content.decode()
    assert permissions.status_code == 200 and "s3:GetObject" in body and "Reads" in body
    assert url("policy_edit", policy).replace("&", "&amp;") in body
    entities = root_client.get(url("policy_detail", policy, tab="entities"))
    body = entities.content.decode()
    assert 'value="user:kim"' in body and 'value="group:Devs"' in body
    assert 'Entities attached <span class="cs-counter">(2)</span>' in body
    versions = root_client.get(url("policy_detail", policy, tab="versions"))
    assert [v.version_id for v in versions.context["versions"]] == ["v1"]
    assert 'data-testid="default-version"' in versions.content.decode()


def test_policy_version_detail(root_client, make_policy, root):
    policy = make_policy()
    policy_services.create_policy_version(
        root, policy_arn=policy.arn, policy_document=doc(allow("s3:PutObject")), set_as_default=True
    )
    v1 = root_client.get(url("policy_version_detail", policy, version_id="v1"))
    assert v1.status_code == 200 and "s3:GetObject" in v1.content.decode()
    assert root_client.get(url("policy_version_detail", policy, version_id="v9")).status_code == 404


def test_unknown_or_missing_arn(root, root_client):
    missing = f"arn:aws:iam::{root.account.account_id}:policy/Ghost"
    for name in ("policy_detail", "policy_edit", "policy_delete", "policy_attach_entities"):
        assert root_client.get(url(name, missing)).status_code == 404
        response = root_client.get(url(name))
        assert response.status_code == 302 and response["Location"] == url("policy_list")


@pytest.mark.parametrize(
    "bad", ["arn:aws:iam::aws:policy/\x00", "arn:" + "A" * 100_000, "-1"], ids=["nul", "long", "short"]
)
def test_a_policy_arn_or_version_id_that_names_nothing_is_404(root, root_client, make_policy, bad):
    """No query for an ARN or version ID of impossible shape: PostgreSQL gave a 500 for a NUL."""
    policy = make_policy()
    assert root_client.get(url("policy_detail", bad)).status_code == 404
    assert root_client.get(url("policy_version_detail", policy, version_id=bad + "\x00")).status_code == 404
    response = root_client.post(url("policy_version_set_default", policy), {"version_id": bad + "\x00"})
    assert response.status_code == 404 and "does not exist or is not attachable." in response.content.decode()
    assert PolicyVersion.objects.get(policy=policy).is_default
    assert AuditEvent.objects.filter(action="iam:SetDefaultPolicyVersion", result="NoSuchEntity").exists()


# --- edit and versions ------------------------------------------------------------------------


def test_edit_makes_v2_the_default(root, root_client, make_policy):
    policy = make_policy()
    page = root_client.get(url("policy_edit", policy))
    assert page.status_code == 200 and "s3:GetObject" in page.content.decode()
    assert "delete-version-choice" not in page.content.decode()
    new = doc(allow("s3:PutObject"))
    response = root_client.post(url("policy_edit", policy), {"policy_document": new})
    assert response.status_code == 302 and response["Location"] == url("policy_detail", policy)
    policy.refresh_from_db()
    assert policy.default_version_id == "v2"
    assert {(v.version_id, v.is_default) for v in policy.versions.all()} == {("v1", False), ("v2", True)}
    assert policy.versions.get(version_id="v2").document == new


def test_edit_refuses_a_malformed_document(root_client, make_policy):
    policy = make_policy()
    response = root_client.post(url("policy_edit", policy), {"policy_document": SYNTAX_ERROR})
    assert response.status_code == 400
    assert 'data-error-line="7"' in response.content.decode()
    assert policy.versions.count() == 1


def test_sixth_version_asks_which_version_to_delete(root, root_client, make_policy):
    policy = make_policy()
    for i in range(4):
        policy_services.create_policy_version(
            root, policy_arn=policy.arn, policy_document=doc(allow(f"s3:Get{i}")), set_as_default=True
        )
    page = root_client.get(url("policy_edit", policy))
    body = page.content.decode()
    assert "Policy version limit reached" in body
    choices = [value for value, _ in page.context["form"].fields["delete_version_id"].choices]
    assert choices == ["v4", "v3", "v2", "v1"]  # newest first; never the default v5
    new = doc(allow("s3:PutObject"))
    refused = root_client.post(url("policy_edit", policy), {"policy_document": new})
    assert refused.status_code == 400
    assert "Choose a version to delete before you save changes." in refused.content.decode()
    assert policy.versions.count() == 5
    default = root_client.post(
        url("policy_edit", policy), {"policy_document": new, "delete_version_id": "v5"}
    )
    assert default.status_code == 400 and policy.versions.count() == 5
    response = root_client.post(
        url("policy_edit", policy), {"policy_document": new, "delete_version_id": "v2"}
    )
    assert response.status_code == 302
    policy.refresh_from_db()
    assert sorted(policy.versions.values_list("version_id", flat=True)) == ["v1", "v3", "v4", "v5", "v6"]
    assert policy.default_version_id == "v6" and policy.versions.get(is_default=True).version_id == "v6"


def test_set_default_version(root, root_client, make_policy):
    policy = make_policy()
    policy_services.create_policy_version(
        root, policy_arn=policy.arn, policy_document=doc(allow("s3:PutObject")), set_as_default=True
    )
    set_default = url("policy_version_set_default", policy)
    assert root_client.get(set_default).status_code == 405
    response = root_client.post(set_default, {"version_id": "v1"})
    assert response.status_code == 302 and response["Location"] == url(
        "policy_detail", policy, tab="versions"
    )
    policy.refresh_from_db()
    assert policy.default_version_id == "v1" and policy.versions.get(is_default=True).version_id == "v1"
    assert root_client.post(set_default, {"version_id": "v7"}).status_code == 404


def test_delete_version(root, root_client, make_policy):
    policy = make_policy()
    policy_services.create_policy_version(
        root, policy_arn=policy.arn, policy_document=doc(allow("s3:PutObject")), set_as_default=True
    )
    confirm = root_client.get(url("policy_version_delete", policy, version_id="v1"))
    assert confirm.status_code == 200 and "Delete policy version?" in confirm.content.decode()
    response = root_client.post(url("policy_version_delete", policy, version_id="v1"))
    assert response.status_code == 302
    assert list(policy.versions.values_list("version_id", flat=True)) == ["v2"]


def test_delete_default_version_is_refused(root_client, make_policy):
    policy = make_policy()
    response = root_client.post(url("policy_version_delete", policy, version_id="v1"))
    assert response.status_code == 409
    assert "Cannot delete the default version of a policy." in response.content.decode()
    assert policy.versions.count() == 1


# --- delete ---------------------------------------------------------------------------------


def test_delete_policy_attached_to_entities(root, root_client, make_policy, user_factory, group_factory):
    policy = make_policy()
    policy_services.create_policy_version(
        root, policy_arn=policy.arn, policy_document=doc(allow("s3:PutObject")), set_as_default=True
    )
    user_factory("kim")
    user_factory("lee")
    group_factory("Devs")
    permission_services.attach_user_policy(root, user_name="kim", policy_arn=policy.arn)
    permission_services.attach_group_policy(root, group_name="Devs", policy_arn=policy.arn)
    permission_services.put_user_permissions_boundary(root, user_name="lee", permissions_boundary=policy.arn)
    page = root_client.get(url("policy_delete", policy))
    assert page.status_code == 200 and 'data-confirm-text="S3Reader"' in page.content.decode()
    wrong = root_client.post(url("policy_delete", policy), {"confirmation": "s3reader"})
    assert wrong.status_code == 400 and ManagedPolicy.objects.filter(pk=policy.pk).exists()
    response = root_client.post(url("policy_delete", policy), {"confirmation": "S3Reader"})
    assert response.status_code == 302 and response["Location"] == url("policy_list")
    assert not ManagedPolicy.objects.filter(pk=policy.pk).exists()
    assert not PolicyVersion.objects.filter(policy_id=policy.pk).exists()
    kim, lee = Identity.objects.get(name="kim"), Identity.objects.get(name="lee")
    assert not kim.attached_policies.exists() and lee.permissions_boundary_id is None


# --- AWS managed policies are read-only -------------------------------------------------------


def test_aws_managed_policy_is_read_only(root_client):
    arn = AWS + "AdministratorAccess"
    policy = ManagedPolicy.objects.get(arn=arn)
    detail = root_client.get(url("policy_detail", arn)).content.decode()
    assert "AWS managed" in detail and url("policy_edit", arn).replace("&", "&amp;") not in detail
    assert url("policy_delete", arn).replace("&", "&amp;") not in detail
    versions = root_client.get(url("policy_detail", arn, tab="versions")).content.decode()
    assert "Set as default" not in versions
    assert root_client.get(url("policy_edit", arn)).status_code == 400
    edit = root_client.post(url("policy_edit", arn), {"policy_document": doc(allow())})
    assert edit.status_code == 400
    assert "is an AWS managed policy; only AWS can change it." in edit.content.decode()
    assert root_client.get(url("policy_delete", arn)).status_code == 400
    delete = root_client.post(url("policy_delete", arn), {"confirmation": "AdministratorAccess"})
    assert delete.status_code == 400 and ManagedPolicy.objects.filter(arn=arn).exists()
    set_default = root_client.post(url("policy_version_set_default", arn), {"version_id": "v1"})
    assert set_default.status_code == 400
    version_delete = root_client.post(url("policy_version_delete", arn, version_id="v1"))
    assert version_delete.status_code == 400
    assert list(policy.versions.values_list("version_id", flat=True)) == ["v1"]
    refusals = AuditEvent.objects.filter(result="InvalidInput").values_list("action", flat=True)
    assert sorted(refusals) == [
        "iam:CreatePolicyVersion",
        "iam:DeletePolicy",
        "iam:DeletePolicyVersion",
        "iam:SetDefaultPolicyVersion",
    ]


# --- entities attached ----------------------------------------------------------------------


def test_attach_and_detach_entities_from_the_policy_page(
    root, root_client, make_policy, user_factory, group_factory
):
    policy = make_policy()
    user_factory("kim")
    group_factory("Devs")
    page = root_client.get(url("policy_attach_entities", policy))
    assert page.status_code == 200 and 'value="user:kim"' in page.content.decode()
    assert root_client.post(url("policy_attach_entities", policy), {}).status_code == 400
    response = root_client.post(
        url("policy_attach_entities", policy), {"entities": ["user:kim", "group:Devs"]}
    )
    assert response.status_code == 302
    assert list(policy.attached_users.values_list("name", flat=True)) == ["kim"]
    assert list(policy.attached_groups.values_list("name", flat=True)) == ["Devs"]
    refused = root_client.post(url("policy_detach_entities", policy), {})
    assert refused.status_code == 400 and policy.attached_users.exists()
    detach = root_client.post(url("policy_detach_entities", policy), {"entities": ["user:kim", "group:Devs"]})
    assert detach.status_code == 302
    assert not policy.attached_users.exists() and not policy.attached_groups.exists()


def test_attach_entities_respects_the_quota_all_or_nothing(
    root, root_client, make_policy, user_factory, group_factory
):
    user_factory("kim")
    user_factory("lee")
    for i in range(10):
        permission_services.attach_user_policy(root, user_name="kim", policy_arn=make_policy(f"p{i}").arn)
    policy = make_policy("Eleventh")
    response = root_client.post(url("policy_attach_entities", policy), {"entities": ["user:lee", "user:kim"]})
    assert response.status_code == 409
    assert "Cannot exceed quota for PoliciesPerUser: 10" in response.content.decode()
    assert not policy.attached_users.exists()


# --- who may do what ----------------------------------------------------------------------------


def test_readonly_user_sees_policies_but_cannot_change_them(
    root, root_client, make_policy, user_factory, client_for
):
    policy = make_policy()
    kim = readonly(root, user_factory("kim"))
    client = client_for(kim)
    assert client.get(url("policy_list")).status_code == 200
    for tab in ("permissions", "entities", "versions"):
        assert client.get(url("policy_detail", policy, tab=tab)).status_code == 200
    assert client.get(url("policy_version_detail", policy, version_id="v1")).status_code == 200
    account = root.account.account_id
    create = client.post(url("policy_create"), {"policy_name": "Mine", "policy_document": doc(allow())})
    assert denied(create, kim, "iam:CreatePolicy")
    assert (
        f"is not authorized to perform: iam:CreatePolicy on resource: arn:aws:iam::{account}:policy/Mine "
        "because no identity-based policy allows the iam:CreatePolicy action"
    ) in create.content.decode()
    assert denied(
        client.post(url("policy_edit", policy), {"policy_document": doc(allow("s3:*"))}),
        kim,
        "iam:CreatePolicyVersion",
    )
    assert denied(
        client.post(url("policy_delete", policy), {"confirmation": "S3Reader"}), kim, "iam:DeletePolicy"
    )
    assert denied(
        client.post(url("policy_version_set_default", policy), {"version_id": "v1"}),
        kim,
        "iam:SetDefaultPolicyVersion",
    )
    assert denied(
        client.post(url("policy_attach_entities", policy), {"entities": ["user:kim"]}),
        kim,
        "iam:AttachUserPolicy",
    )
    assert not ManagedPolicy.objects.filter(name="Mine").exists()
    assert policy.versions.count() == 1 and ManagedPolicy.objects.filter(pk=policy.pk).exists()
    assert not policy.attached_users.exists()


def test_user_without_policies_is_refused_every_policy_page(root, make_policy, user_factory, client_for):
    policy = make_policy()
    kim = user_factory("kim")
    client = client_for(kim)
    assert denied(client.get(url("policy_list")), kim, "iam:ListPolicies")
    assert denied(client.get(url("policy_detail", policy)), kim, "iam:GetPolicy")
    assert client.get(url("policy_create")).status_code == 200  # the editor opens, as AWS's does
    created = client.post(url("policy_create"), {"policy_name": "Mine", "policy_document": doc(allow())})
    assert denied(created, kim, "iam:CreatePolicy")
    assert not ManagedPolicy.objects.filter(name="Mine").exists()
    assert denied(client.get(url("policy_detail", AWS + "AdministratorAccess")), kim, "iam:GetPolicy")
    assert denied(client.post(url("policy_version_delete", policy, version_id="v1")), kim, "iam:GetPolicy")


def test_user_allowed_to_read_one_policy_only(root, make_policy, user_factory, client_for):
    mine, other = make_policy("Mine"), make_policy("Other")
    kim = user_factory("kim")
    permission_services.put_user_policy(
        root,
        user_name="kim",
        policy_name="ReadMine",
        policy_document=doc(allow(["iam:GetPolicy", "iam:GetPolicyVersion"], mine.arn)),
    )
    client = client_for(Identity.objects.get(pk=kim.pk))
    assert client.get(url("policy_detail", mine)).status_code == 200
    assert denied(client.get(url("policy_detail", other)), kim, "iam:GetPolicy")
    assert denied(client.get(url("policy_detail", mine, tab="versions")), kim, "iam:ListPolicyVersions")


def test_other_accounts_policies_are_404(root, root_factory, root_client, make_policy):
    other = root_factory()
    theirs = make_policy("Theirs", actor=other)
    for name in (
        "policy_detail",
        "policy_edit",
        "policy_delete",
        "policy_attach_entities",
        "policy_version_delete",
    ):
        assert root_client.get(url(name, theirs, version_id="v1")).status_code == 404, name
    assert root_client.post(url("policy_delete", theirs), {"confirmation": "Theirs"}).status_code == 404
    assert (
        root_client.post(url("policy_edit", theirs), {"policy_document": doc(allow("s3:*"))}).status_code
        == 404
    )
    assert (
        root_client.post(url("policy_version_set_default", theirs), {"version_id": "v1"}).status_code == 404
    )
    assert ManagedPolicy.objects.filter(pk=theirs.pk).exists() and theirs.versions.count() == 1
    names = {p.policy_name for p, _ in root_client.get(url("policy_list", size=100)).context["rows"]}
    assert "Theirs" not in names


def test_flash_and_audit_after_edit(root, root_client, make_policy):
    policy = make_policy()
    response = root_client.post(
        url("policy_edit", policy), {"policy_document": doc(allow("s3:*"))}, follow=True
    )
    assert re.search(r"Policy S3Reader updated\. Version v2 is the default\.", response.content.decode())
    assert AuditEvent.objects.filter(action="iam:CreatePolicyVersion", result="Success").count() == 1
