"""Permissions are real: every console view asks the engine, and the engine decides as AWS does."""

import json

import pytest
from django.test import Client
from django.urls import resolve, reverse

from accounts import authz
from accounts.models import AccessKey, Identity
from accounts.services import groups as group_services
from accounts.services import permissions as permission_services
from accounts.services import policies as policy_services
from accounts.views.pending import pending_feature
from tests.web.urlwalk import CONSOLE_URLS, url_for

AWS = "arn:aws:iam::aws:policy/"
# Open to every signed-in IAM user: the dashboard and its own security credentials, and the
# CSV download (bound to the session that made it). Pages that only say a feature is not
# there yet decide nothing either (none at the moment).
OPEN_TO_EVERYONE = {"iam:dashboard", "iam:security_credentials", "iam:credentials_download"} | {
    name for name, args in CONSOLE_URLS if resolve(url_for(name, args)).func is pending_feature
}


def doc(*statements):
    return json.dumps({"Version": "2012-10-17", "Statement": list(statements)})


@pytest.fixture
def people(root, user_factory, group_factory):
    """kim has no policy; lee, the group Admins and the role AppRole exist for kim to try things on."""
    from accounts.services import roles as role_services

    group_factory("Admins")
    role_services.create_role(
        root,
        role_name="AppRole",
        assume_role_policy_document=role_services.service_trust_policy("ec2.amazonaws.com"),
    )
    lee = user_factory("lee")
    kim = user_factory("kim")
    return kim, lee


# The Create wizards open for everyone, as AWS's do (the console cannot know the name yet):
# the refusal comes when the caller submits, with the resource the action would create.
CREATE_WIZARDS = {
    "iam:user_create": ({"user_name": "Ops"}, "iam:CreateUser", "user/Ops"),
    "iam:group_create": ({"group_name": "Ops"}, "iam:CreateGroup", "group/Ops"),
    "iam:role_create": (
        {
            "trusted_entity_type": "aws_service",
            "service": "ec2.amazonaws.com",
            "role_name": "Ops",
            "session_duration": "3600",
        },
        "iam:CreateRole",
        "role/Ops",
    ),
    "iam:policy_create": (
        {
            "policy_name": "Ops",
            "policy_document": doc({"Effect": "Allow", "Action": "s3:*", "Resource": "*"}),
        },
        "iam:CreatePolicy",
        "policy/Ops",
    ),
}

# Pages that open for everyone and refuse their button inside the page, as AWS's do.
REFUSED_ON_SUBMIT = {"iam:credential_report": "iam:GenerateCredentialReport"}


@pytest.mark.parametrize("name,args", [(n, a) for n, a in CONSOLE_URLS if n not in OPEN_TO_EVERYONE])
def test_every_console_view_refuses_a_user_without_permission(people, client_for, name, args):
    kim, lee = people
    client = client_for(kim)
    kwargs = {
        "user_name": "lee",
        "group_name": "Admins",
        "role_name": "AppRole",
        "device_name": "phone",
        "access_key_id": "AKIAX",
        "token": "t",
        "kind": "users",
    }
    url = url_for(name, args, kwargs)
    if name in CREATE_WIZARDS:
        data, action, resource = CREATE_WIZARDS[name]
        assert client.get(url).status_code == 200
        response = client.post(url, data)
        assert response.status_code == 403, response.content.decode()[:2000]
        account = kim.account.account_id
        assert (
            f"User: {kim.arn} is not authorized to perform: {action} on resource: "
            f"arn:aws:iam::{account}:{resource} because no identity-based policy allows"
        ) in response.content.decode()
        return
    if name in REFUSED_ON_SUBMIT:
        assert client.get(url).status_code == 200
        response = client.post(url)
        assert response.status_code == 403, response.content.decode()[:2000]
        action = REFUSED_ON_SUBMIT[name]
        assert (
            f"User: {kim.arn} is not authorized to perform: {action} on resource: * because"
        ) in response.content.decode()
        return
    for method in (client.get, client.post):
        response = method(url)
        assert response.status_code in (403, 405), (name, method.__name__, response.status_code)
        if response.status_code == 403:
            # the console's own root-only action is not an IAM action: it says so in its name
            service = "iamconsole" if name == "iam:account_reset" else "iam"
            assert f"User: {kim.arn} is not authorized to perform: {service}:" in response.content.decode()


@pytest.mark.parametrize("name", sorted(OPEN_TO_EVERYONE - {"iam:credentials_download"}))
def test_self_service_pages_stay_open(people, client_for, name):
    kim, _ = people
    assert client_for(kim).get(reverse(name)).status_code == 200


def test_readonly_user_sees_but_cannot_change(root, people, client_for, group_factory):
    kim, lee = people
    group_factory("ReadOnly")
    permission_services.attach_group_policy(root, group_name="ReadOnly", policy_arn=AWS + "IAMReadOnlyAccess")
    group_services.add_user_to_group(root, group_name="ReadOnly", user_name="kim")
    client = client_for(Identity.objects.get(pk=kim.pk))
    assert client.get(reverse("iam:user_list")).status_code == 200
    assert client.get(reverse("iam:user_detail", args=["lee"])).status_code == 200
    assert client.get(reverse("iam:group_list")).status_code == 200
    refused = client.post(reverse("iam:user_create"), {"user_name": "newbie"})
    assert refused.status_code == 403
    account = root.account.account_id
    assert (
        f"User: {kim.arn} is not authorized to perform: iam:CreateUser on resource: "
        f"arn:aws:iam::{account}:user/newbie because no identity-based policy allows the iam:CreateUser action"
    ) in refused.content.decode()
    assert "IAMReadOnlyAccess (group ReadOnly)" in refused.content.decode()
    assert not Identity.objects.filter(name="newbie").exists()


def test_explicit_deny_beats_allow(root, people, client_for):
    kim, _ = people
    permission_services.attach_user_policy(root, user_name="kim", policy_arn=AWS + "AdministratorAccess")
    permission_services.put_user_policy(
        root,
        user_name="kim",
        policy_name="NoNewUsers",
        policy_document=doc(
            {"Sid": "DenyCreateUser", "Effect": "Deny", "Action": "iam:CreateUser", "Resource": "*"}
        ),
    )
    kim = Identity.objects.get(pk=kim.pk)
    client = client_for(kim)
    assert (
        client.post(reverse("iam:group_create"), {"group_name": "Ops"}).status_code == 302
    )  # AdministratorAccess
    response = client.post(reverse("iam:user_create"), {"user_name": "newbie"})
    assert response.status_code == 403
    body = response.content.decode()
    assert "with an explicit deny in an identity-based policy" in body
    assert "DenyCreateUser" in body


def test_permissions_boundary_limits_an_administrator(root, people, client_for):
    kim, _ = people
    permission_services.attach_user_policy(root, user_name="kim", policy_arn=AWS + "AdministratorAccess")
    permission_services.put_user_permissions_boundary(
        root, user_name="kim", permissions_boundary=AWS + "IAMReadOnlyAccess"
    )
    client = client_for(Identity.objects.get(pk=kim.pk))
    assert client.get(reverse("iam:user_list")).status_code == 200
    response = client.post(reverse("iam:group_create"), {"group_name": "X"})
    assert response.status_code == 403
    assert "because no permissions boundary allows the iam:CreateGroup action" in response.content.decode()


def test_a_user_allowed_only_its_own_keys_cannot_create_others(root, people, client_for):
    kim, lee = people
    permission_services.put_user_policy(
        root,
        user_name="kim",
        policy_name="OwnKeys",
        policy_document=doc(
            {
                "Effect": "Allow",
                "Action": ["iam:CreateAccessKey", "iam:GetUser", "iam:ListAccessKeys"],
                "Resource": "arn:aws:iam::*:user/${aws:username}",
            }
        ),
    )
    client = client_for(Identity.objects.get(pk=kim.pk))
    own = client.post(reverse("iam:access_key_create_self"), {"use_case": "cli", "confirm": "on"})
    assert own.status_code == 200
    other = client.post(reverse("iam:access_key_create", args=["lee"]), {"use_case": "cli", "confirm": "on"})
    assert other.status_code == 403
    assert list(AccessKey.objects.values_list("identity__name", flat=True)) == ["kim"]
    # ... nor attach a policy to itself.
    escalate = client.post(reverse("iam:user_add_to_groups", args=["kim"]), {"groups": ["Admins"]})
    assert escalate.status_code == 403


def test_mfa_condition_is_read_from_the_session(root, people):
    """Allow IAM reads only with MFA: a password-only session is refused, an MFA session allowed."""
    import time

    from accounts import context

    kim, _ = people
    permission_services.put_user_policy(
        root,
        user_name="kim",
        policy_name="MFAOnly",
        policy_document=doc(
            {
                "Effect": "Allow",
                "Action": "iam:List*",
                "Resource": "*",
                "Condition": {"Bool": {"aws:MultiFactorAuthPresent": "true"}},
            }
        ),
    )
    kim = Identity.objects.get(pk=kim.pk)
    arn = f"arn:aws:iam::{root.account.account_id}:user/"
    assert not authz.is_allowed(kim, "iam:ListUsers", arn)
    token = context.activate(context.CallContext(mfa_authenticated_at=time.time() - 60))
    try:
        assert authz.is_allowed(kim, "iam:ListUsers", arn)
    finally:
        context.deactivate(token)


def test_cache_follows_attachments_and_membership(root, people):
    kim, _ = people
    arn = f"arn:aws:iam::{root.account.account_id}:user/"
    assert not authz.is_allowed(kim, "iam:ListUsers", arn)
    permission_services.attach_user_policy(root, user_name="kim", policy_arn=AWS + "IAMReadOnlyAccess")
    kim = Identity.objects.get(pk=kim.pk)
    assert authz.is_allowed(kim, "iam:ListUsers", arn)
    permission_services.detach_user_policy(root, user_name="kim", policy_arn=AWS + "IAMReadOnlyAccess")
    kim = Identity.objects.get(pk=kim.pk)
    assert not authz.is_allowed(kim, "iam:ListUsers", arn)
    permission_services.attach_group_policy(root, group_name="Admins", policy_arn=AWS + "AdministratorAccess")
    group_services.add_user_to_group(root, group_name="Admins", user_name="kim")
    kim = Identity.objects.get(pk=kim.pk)
    assert authz.is_allowed(kim, "iam:CreateUser", arn + "x")
    group_services.remove_user_from_group(root, group_name="Admins", user_name="kim")
    kim = Identity.objects.get(pk=kim.pk)
    assert not authz.is_allowed(kim, "iam:CreateUser", arn + "x")


def test_customer_policy_new_default_version_takes_effect(root, people):
    kim, _ = people
    policy = policy_services.create_policy(
        root,
        policy_name="Lists",
        policy_document=doc({"Effect": "Allow", "Action": "iam:ListUsers", "Resource": "*"}),
    )
    permission_services.attach_user_policy(root, user_name="kim", policy_arn=policy.arn)
    arn = f"arn:aws:iam::{root.account.account_id}:user/"
    kim = Identity.objects.get(pk=kim.pk)
    assert authz.is_allowed(kim, "iam:ListUsers", arn)
    policy_services.create_policy_version(
        root,
        policy_arn=policy.arn,
        policy_document=doc({"Effect": "Allow", "Action": "iam:ListGroups", "Resource": "*"}),
        set_as_default=True,
    )
    kim = Identity.objects.get(pk=kim.pk)
    assert not authz.is_allowed(kim, "iam:ListUsers", arn)


def test_engine_failure_denies_without_side_effects(root, people, client_for, monkeypatch):
    kim, _ = people
    permission_services.attach_user_policy(root, user_name="kim", policy_arn=AWS + "AdministratorAccess")

    def broken(*args, **kwargs):
        raise RuntimeError("engine fault")

    monkeypatch.setattr(authz.engine, "evaluate", broken)
    response = client_for(Identity.objects.get(pk=kim.pk)).post(
        reverse("iam:group_create"), {"group_name": "X"}
    )
    assert response.status_code == 403
    from accounts.models import Group

    assert not Group.objects.filter(name="X").exists()


def test_other_accounts_are_never_allowed_even_for_admins(root_factory, user_factory):
    other = root_factory()
    from accounts.services import users as user_services

    admin, _ = user_services.console_create_user(other, user_name="admin", console_access=False)
    permission_services.attach_user_policy(other, user_name="admin", policy_arn=AWS + "AdministratorAccess")
    admin = Identity.objects.get(unique_id=admin.user_id)
    assert not authz.is_allowed(admin, "iam:CreateUser", "arn:aws:iam::999999999999:user/x")
    assert authz.is_allowed(admin, "iam:CreateUser", f"arn:aws:iam::{other.account.account_id}:user/x")


@pytest.mark.parametrize("n_users", [5, 200])
def test_readonly_user_list_query_count_is_constant(
    root, people, client_for, django_assert_max_num_queries, n_users
):
    from tests.web.test_query_counts import populate

    kim, _ = people
    permission_services.attach_user_policy(root, user_name="kim", policy_arn=AWS + "IAMReadOnlyAccess")
    populate(root, n_users)
    client = client_for(Identity.objects.get(pk=kim.pk))
    with django_assert_max_num_queries(14):
        assert client.get(reverse("iam:user_list")).status_code == 200


def test_simulated_decisions_match_aws_examples(root, people):
    """A user in a group with AmazonS3ReadOnlyAccess: reads allowed, writes implicitly denied."""
    kim, _ = people
    permission_services.attach_group_policy(
        root, group_name="Admins", policy_arn=AWS + "AmazonS3ReadOnlyAccess"
    )
    group_services.add_user_to_group(root, group_name="Admins", user_name="kim")
    kim = Identity.objects.get(pk=kim.pk)
    assert authz.decide(kim, "s3:GetObject", "arn:aws:s3:::bucket/key").allowed
    verdict = authz.decide(kim, "s3:PutObject", "arn:aws:s3:::bucket/key")
    assert not verdict.allowed and verdict.decision.decision == "implicitDeny"
    assert verdict.considered == ("AmazonS3ReadOnlyAccess (group Admins)",)


def test_root_is_allowed_everything_in_its_account(root):
    assert authz.is_allowed(root, "iam:DeleteUser", f"arn:aws:iam::{root.account.account_id}:user/x")
    assert authz.is_allowed(root, "ec2:RunInstances", "*")
    assert not authz.is_allowed(root, "iam:DeleteUser", "arn:aws:iam::000000000001:user/x")


def test_nothing_written_when_denied_midway(root, people, client_for):
    """Allowed CreateUser but not AddUserToGroup: the user is not left half-created."""
    kim, _ = people
    permission_services.put_user_policy(
        root,
        user_name="kim",
        policy_name="CreateOnly",
        policy_document=doc(
            {"Effect": "Allow", "Action": ["iam:CreateUser", "iam:ListGroups"], "Resource": "*"}
        ),
    )
    client = client_for(Identity.objects.get(pk=kim.pk))
    response = client.post(reverse("iam:user_create"), {"user_name": "newbie", "groups": ["Admins"]})
    assert response.status_code == 403
    assert not Identity.objects.filter(name="newbie").exists()


def test_signed_in_user_without_policies_can_still_sign_in(root, people):
    from tests.conftest import USER_PASSWORD
    from tests.web.test_signin import signin_iam

    client = Client()
    assert signin_iam(client, root.account.account_id, "kim", USER_PASSWORD).status_code == 302
    assert client.get(reverse("iam:security_credentials")).status_code == 200
