"""Tags tabs and Manage tags of users, roles and customer managed policies: the rows shown,
one all-or-nothing save (Untag… and Tag… together), AWS's messages on bad input, refusals in
the tab and in the form, AWS managed policies, and constant query counts."""

import html
import json
from dataclasses import dataclass
from urllib.parse import urlencode

import pytest
from django.urls import reverse

from accounts.models import AuditEvent, Identity, ManagedPolicy, Role
from accounts.services import permissions as permission_services
from accounts.services import policies as policy_services
from accounts.services import roles as role_services
from accounts.services import tags as tag_services
from accounts.services import users as user_services
from accounts.services.tags import DUPLICATE_KEYS

AWS = "arn:aws:iam::aws:policy/"


def doc(*actions) -> str:
    return json.dumps(
        {
            "Version": "2012-10-17",
            "Statement": [{"Effect": "Allow", "Action": list(actions), "Resource": "*"}],
        }
    )


@dataclass
class Kind:
    """One kind of taggable resource and how its pages and services are named."""

    name: str  # user, role, policy
    label: str  # "user lee"
    arn: str
    tab_url: str
    edit_url: str
    list_action: str
    tag_action: str
    untag_action: str
    get_action: str

    def stored(self) -> list[dict]:
        if self.name == "user":
            return Identity.objects.get(name="lee").tags
        if self.name == "role":
            return Role.objects.get(name="AppRole").tags
        return ManagedPolicy.objects.get(arn=self.arn).tags

    def tag(self, root, tags) -> None:
        if self.name == "user":
            tag_services.tag_user(root, user_name="lee", tags=tags)
        elif self.name == "role":
            tag_services.tag_role(root, role_name="AppRole", tags=tags)
        else:
            tag_services.tag_policy(root, policy_arn=self.arn, tags=tags)


def policy_page(name, arn, **params):
    return reverse(f"iam:{name}") + "?" + urlencode({"arn": arn, **params})


@pytest.fixture(params=["user", "role", "policy"])
def kind(request, root, user_factory) -> Kind:
    account = root.account.account_id
    if request.param == "user":
        user_factory("lee")
        return Kind(
            "user",
            "user lee",
            f"arn:aws:iam::{account}:user/lee",
            reverse("iam:user_tags", args=["lee"]),
            reverse("iam:user_tags_edit", args=["lee"]),
            "iam:ListUserTags",
            "iam:TagUser",
            "iam:UntagUser",
            "iam:GetUser",
        )
    if request.param == "role":
        role_services.create_role(
            root,
            role_name="AppRole",
            assume_role_policy_document=role_services.service_trust_policy("ec2.amazonaws.com"),
        )
        return Kind(
            "role",
            "role AppRole",
            f"arn:aws:iam::{account}:role/AppRole",
            reverse("iam:role_tags", args=["AppRole"]),
            reverse("iam:role_tags_edit", args=["AppRole"]),
            "iam:ListRoleTags",
            "iam:TagRole",
            "iam:UntagRole",
            "iam:GetRole",
        )
    arn = policy_services.create_policy(root, policy_name="Lists", policy_document=doc("iam:ListUsers")).arn
    return Kind(
        "policy",
        "policy Lists",
        arn,
        policy_page("policy_detail", arn, tab="tags"),
        policy_page("policy_tags_edit", arn),
        "iam:ListPolicyTags",
        "iam:TagPolicy",
        "iam:UntagPolicy",
        "iam:GetPolicy",
    )


def signed_in_with(root, user_factory, client_for, *actions):
    """kim, allowed exactly ``actions`` (a customer managed policy attached directly)."""
    kim = user_factory("kim")
    policy = policy_services.create_policy(root, policy_name="KimAllowed", policy_document=doc(*actions))
    permission_services.attach_user_policy(root, user_name="kim", policy_arn=policy.arn)
    return kim, client_for(kim)


def refusal(actor, action, resource) -> str:
    return (
        f"User: {actor.arn} is not authorized to perform: {action} on resource: {resource} "
        f"because no identity-based policy allows the {action} action"
    )


def rows(*pairs) -> dict:
    return {"tags_key": [k for k, _ in pairs], "tags_value": [v for _, v in pairs]}


START = [{"Key": "env", "Value": "dev"}, {"Key": "team", "Value": "red"}, {"Key": "Owner", "Value": "kim"}]


# --- the tab --------------------------------------------------------------------------------------


def test_tags_tab_lists_the_tags(kind, root, root_client):
    kind.tag(root, START)
    page = root_client.get(kind.tab_url)
    assert page.status_code == 200 and page.context["tab"] == "tags"
    assert [(t.key, t.value) for t in page.context["tags"]] == [
        ("env", "dev"),
        ("team", "red"),
        ("Owner", "kim"),
    ]
    body = page.content.decode()
    assert body.count('data-testid="tag-row"') == 3
    assert "<td>team</td><td>red</td>" in body
    assert 'Tags <span class="cs-counter">(3)</span>' in body
    assert f'href="{html.escape(kind.edit_url)}" data-testid="manage-tags"' in body


def test_tags_tab_without_tags(kind, root_client):
    page = root_client.get(kind.tab_url)
    assert page.status_code == 200 and list(page.context["tags"]) == []
    assert "No tags associated with the resource." in page.content.decode()


def test_detail_pages_link_their_tags_tab(root, root_client, user_factory):
    user_factory("lee")
    role_services.create_role(
        root,
        role_name="AppRole",
        assume_role_policy_document=role_services.service_trust_policy("ec2.amazonaws.com"),
    )
    user_page = root_client.get(reverse("iam:user_detail", args=["lee"])).content.decode()
    assert f'href="{reverse("iam:user_tags", args=["lee"])}">Tags</a>' in user_page
    role_page = root_client.get(reverse("iam:role_detail", args=["AppRole"])).content.decode()
    assert f'href="{reverse("iam:role_tags", args=["AppRole"])}">Tags</a>' in role_page
    # from the Tags tab, the other tabs lead back to the detail page
    tags_page = root_client.get(reverse("iam:user_tags", args=["lee"])).content.decode()
    assert f'href="{reverse("iam:user_detail", args=["lee"])}?tab=groups"' in tags_page


def test_a_caller_who_may_not_list_tags_sees_the_refusal_in_the_tab(kind, root, user_factory, client_for):
    kind.tag(root, START)
    kim, client = signed_in_with(
        root, user_factory, client_for, kind.get_action, "iam:GetPolicyVersion", "iam:ListGroupsForUser"
    )
    page = client.get(kind.tab_url)
    assert page.status_code == 403
    body = page.content.decode()
    assert 'data-testid="table-denied"' in body
    assert refusal(kim, kind.list_action, kind.arn) in body
    assert 'data-testid="tag-row"' not in body and "team" not in body
    assert AuditEvent.objects.filter(action=kind.list_action, result="AccessDenied").exists()


def test_a_caller_who_may_not_read_the_resource_is_refused_the_page(kind, root, user_factory, client_for):
    kim, client = signed_in_with(root, user_factory, client_for, "iam:ListUsers")
    for page in (kind.tab_url, kind.edit_url):
        response = client.get(page)
        assert response.status_code == 403
        assert refusal(kim, kind.get_action, kind.arn) in response.content.decode()


# --- Manage tags ------------------------------------------------------------------------------------


def test_manage_tags_page_starts_from_the_tags(kind, root, root_client):
    kind.tag(root, START)
    page = root_client.get(kind.edit_url)
    assert page.status_code == 200
    body = page.content.decode()
    assert "data-tag-rows" in body and "data-tag-add" in body and "<template data-tag-template>" in body
    for i, tag in enumerate(START, 1):
        assert f'id="tag-key-{i}" name="tags_key" value="{tag["Key"]}"' in body
        assert f'id="tag-value-{i}" name="tags_value" value="{tag["Value"]}"' in body


def test_save_removes_changes_and_adds_in_one_action(kind, root, root_client):
    kind.tag(root, START)
    response = root_client.post(
        kind.edit_url, rows(("env", "prod"), ("Owner", "kim"), ("cost", "42"), ("", ""))
    )
    assert response.status_code == 302 and response["Location"] == kind.tab_url
    assert kind.stored() == [
        {"Key": "Owner", "Value": "kim"},
        {"Key": "env", "Value": "prod"},
        {"Key": "cost", "Value": "42"},
    ]
    untag = AuditEvent.objects.get(action=kind.untag_action, result="Success")
    tag = AuditEvent.objects.filter(action=kind.tag_action, result="Success").latest("id")
    assert untag.detail["tag_keys"] == ["team"] and tag.detail["tag_keys"] == ["env", "cost"]
    assert untag.target == tag.target == kind.arn
    assert f"Tags saved for {kind.label}." in root_client.get(response["Location"]).content.decode()


def test_save_of_unchanged_tags_calls_nothing(kind, root, root_client):
    kind.tag(root, START)
    before = AuditEvent.objects.count()
    response = root_client.post(kind.edit_url, rows(*[(t["Key"], t["Value"]) for t in START]))
    assert response.status_code == 302 and kind.stored() == START
    assert AuditEvent.objects.count() == before


def test_removing_every_row_removes_every_tag(kind, root, root_client):
    kind.tag(root, START)
    assert root_client.post(kind.edit_url, {}).status_code == 302
    assert kind.stored() == []


def test_a_key_in_another_case_replaces_the_tag(kind, root, root_client):
    kind.tag(root, [{"Key": "env", "Value": "dev"}])
    assert root_client.post(kind.edit_url, rows(("Env", "dev"))).status_code == 302
    assert kind.stored() == [{"Key": "Env", "Value": "dev"}]


PATTERN = "[\\p{L}\\p{Z}\\p{N}_.:/=+\\-@]"
BAD_INPUT = [
    (
        rows(("bad key!", "x")),
        f"1 validation error detected: Value 'bad key!' at 'tags.1.member.key' failed to satisfy constraint: "
        f"Member must satisfy regular expression pattern: {PATTERN}+",
    ),
    (
        rows(("ok", "v"), ("k", "bad value!")),
        f"1 validation error detected: Value 'bad value!' at 'tags.2.member.value' failed to satisfy constraint: "
        f"Member must satisfy regular expression pattern: {PATTERN}*",
    ),
    (
        rows(("k" * 129, "")),
        f"1 validation error detected: Value '{'k' * 129}' at 'tags.1.member.key' failed to satisfy constraint: "
        f"Member must satisfy regular expression pattern: {PATTERN}+",
    ),
    (
        rows(("aws:owner", "kim")),
        "User-defined tag keys can't start with 'aws:'. This prefix is reserved for AWS.",
    ),
    (rows(("env", "a"), ("ENV", "b")), DUPLICATE_KEYS),
    (rows(("", "orphan")), "Enter a key for every tag."),
    (rows(*[(f"k{i}", "v") for i in range(51)]), "You can add up to 50 tags."),
]


@pytest.mark.parametrize("data,message", BAD_INPUT)
def test_bad_input_is_awss_message_in_the_form_and_writes_nothing(kind, root, root_client, data, message):
    kind.tag(root, START)
    calls = AuditEvent.objects.filter(action__in=[kind.tag_action, kind.untag_action]).count()
    response = root_client.post(kind.edit_url, data)
    assert response.status_code == 400
    body = response.content.decode()
    assert (
        f'<div class="invalid-feedback d-block" data-testid="tags-error">{html.escape(message)}</div>' in body
    )
    assert kind.stored() == START
    assert AuditEvent.objects.filter(action__in=[kind.tag_action, kind.untag_action]).count() == calls


def test_fifty_tags_are_allowed(kind, root, root_client):
    assert root_client.post(kind.edit_url, rows(*[(f"k{i}", "v") for i in range(50)])).status_code == 302
    assert len(kind.stored()) == 50


def test_a_refused_tag_rolls_back_the_untag(kind, root, user_factory, client_for):
    """All or nothing: kim may untag but not tag; the untag of ``team`` ran, the tag of
    ``cost`` was refused, and ``team`` is still there."""
    kind.tag(root, START)
    kim, client = signed_in_with(
        root,
        user_factory,
        client_for,
        kind.get_action,
        kind.list_action,
        kind.untag_action,
        "iam:ListGroupsForUser",
    )
    response = client.post(kind.edit_url, rows(("env", "dev"), ("Owner", "kim"), ("cost", "42")))
    assert response.status_code == 403
    body = response.content.decode()
    assert refusal(kim, kind.tag_action, kind.arn) in body
    assert 'data-testid="refusal-why"' in body
    assert 'value="cost"' in body  # what was typed is kept
    assert kind.stored() == START
    assert AuditEvent.objects.filter(action=kind.tag_action, result="AccessDenied").exists()
    assert not AuditEvent.objects.filter(action=kind.untag_action, result="Success").exists()


def test_a_refused_untag_writes_nothing(kind, root, user_factory, client_for):
    kind.tag(root, START)
    kim, client = signed_in_with(
        root, user_factory, client_for, kind.get_action, kind.list_action, kind.tag_action
    )
    response = client.post(kind.edit_url, rows(("env", "prod")))
    assert response.status_code == 403
    assert refusal(kim, kind.untag_action, kind.arn) in response.content.decode()
    assert kind.stored() == START


def test_read_only_user_opens_manage_tags_and_is_refused_on_save(kind, root, user_factory, client_for):
    kind.tag(root, START)
    permission_services.attach_user_policy(
        root, user_name=user_factory("kim").name, policy_arn=AWS + "IAMReadOnlyAccess"
    )
    kim = Identity.objects.get(name="kim")
    client = client_for(kim)
    assert client.get(kind.tab_url).status_code == 200
    assert client.get(kind.edit_url).status_code == 200
    response = client.post(kind.edit_url, rows(*[(t["Key"], t["Value"]) for t in START], ("cost", "42")))
    assert response.status_code == 403
    assert refusal(kim, kind.tag_action, kind.arn) in response.content.decode()
    assert kind.stored() == START


# --- AWS managed policies, unknown names ---------------------------------------------------------


def test_aws_managed_policies_cannot_be_tagged(root, root_client):
    arn = AWS + "AdministratorAccess"
    page = root_client.get(policy_page("policy_tags_edit", arn))
    assert page.status_code == 400
    assert (
        "AdministratorAccess is an AWS managed policy. Only AWS can change or delete it"
        in page.content.decode()
    )
    # a Save still goes to TagPolicy, which the gate refuses on a resource AWS owns
    response = root_client.post(policy_page("policy_tags_edit", arn), rows(("env", "dev")))
    assert response.status_code == 403
    assert (
        f"Cannot perform iam:TagPolicy on {arn}: this resource is owned by AWS and only AWS can change it."
    ) in response.content.decode()
    assert ManagedPolicy.objects.get(arn=arn).tags == []
    assert AuditEvent.objects.filter(action="iam:TagPolicy", result="AccessDenied").exists()


def test_unknown_and_other_accounts_resources_are_404(root_factory, client_for, user_factory):
    other = root_factory()
    user_services.console_create_user(other, user_name="theirs", console_access=False)
    me = root_factory()
    client = client_for(me)
    for url in (
        reverse("iam:user_tags", args=["ghost"]),
        reverse("iam:user_tags_edit", args=["ghost"]),
        reverse("iam:user_tags", args=["theirs"]),
        reverse("iam:role_tags", args=["ghost"]),
        reverse("iam:role_tags_edit", args=["ghost"]),
        policy_page("policy_tags_edit", f"arn:aws:iam::{me.account.account_id}:policy/ghost"),
    ):
        assert client.get(url).status_code == 404, url
        assert client.post(url, rows(("env", "dev"))).status_code == 404, url


# --- query counts -----------------------------------------------------------------------------------


@pytest.mark.parametrize("n_tags", [0, 50])
def test_tags_pages_query_counts_are_constant(kind, root, root_client, django_assert_max_num_queries, n_tags):
    if n_tags:
        kind.tag(root, [{"Key": f"k{i}", "Value": "v"} for i in range(n_tags)])
    for page in (kind.tab_url, kind.edit_url):
        with django_assert_max_num_queries(12):
            response = root_client.get(page)
        assert response.status_code == 200
    assert len(root_client.get(kind.tab_url).context["tags"]) == n_tags
