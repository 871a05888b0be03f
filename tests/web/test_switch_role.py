"""Switch role in the console: the console acts as a session of the role (every page decided as
the role) until the user switches back or the session ends; refusals keep the user where it
was; recent roles come back in the account menu; the audit trail names the session and the
user behind it."""

import json
from datetime import timedelta

import time_machine
from django.urls import reverse
from django.utils import timezone

from accounts.models import AuditEvent, Identity, TemporaryCredential
from accounts.services import permissions as permission_services
from accounts.services import roles
from accounts.views.session import MFA_AT_KEY

AWS = "arn:aws:iam::aws:policy/"


def trust(principal, **extra) -> str:
    statement = {"Effect": "Allow", "Principal": principal, "Action": "sts:AssumeRole", **extra}
    return json.dumps({"Version": "2012-10-17", "Statement": [statement]})


def setup(root, user_factory, *, role="Reader", trust_policy=None, max_session_duration=3600):
    kim = user_factory("kim")
    roles.create_role(
        root,
        role_name=role,
        assume_role_policy_document=trust_policy or trust({"AWS": f"arn:aws:iam::{root.account_id}:root"}),
        max_session_duration=max_session_duration,
    )
    permission_services.attach_role_policy(root, role_name=role, policy_arn=AWS + "IAMReadOnlyAccess")
    permission_services.put_user_policy(
        root,
        user_name="kim",
        policy_name="MayAssume",
        policy_document=json.dumps(
            {
                "Version": "2012-10-17",
                "Statement": [{"Effect": "Allow", "Action": "sts:AssumeRole", "Resource": "*"}],
            }
        ),
    )
    return kim


def switch(client, account, role="Reader", **extra):
    return client.post(reverse("switch_role"), {"account": account, "role_name": role, **extra})


def test_switch_role_acts_as_the_role_until_switch_back(root, user_factory, client_for):
    kim = setup(root, user_factory)
    client = client_for(kim)
    assert client.get(reverse("iam:user_list")).status_code == 403  # kim alone may not list users
    page = client.get(reverse("switch_role") + f"?account={root.account_id}&roleName=Reader&displayName=Ops")
    assert page.status_code == 200
    assert page.context["form"].initial == {
        "account": root.account_id,
        "role_name": "Reader",
        "display_name": "Ops",
        "color": "",
    }
    response = switch(client, root.account_id, display_name="Ops", color="green")
    assert response.status_code == 302 and response["Location"] == reverse("console_home")
    session_arn = f"arn:aws:sts::{root.account_id}:assumed-role/Reader/kim"
    users = client.get(reverse("iam:user_list"))
    assert users.status_code == 200  # the role may
    body = users.content.decode()
    assert (
        "cs-role-badge--green" in body
        and ">Ops</span>" in body
        and 'data-testid="active-role">Reader<' in body
    )
    refused = client.post(reverse("iam:user_create"), {"user_name": "lee", "console_access": ""})
    assert refused.status_code == 403
    assert f"User: {session_arn} is not authorized to perform: iam:CreateUser" in refused.content.decode()
    assert not Identity.objects.filter(name="lee").exists()
    event = AuditEvent.objects.get(action="iam:CreateUser", result="AccessDenied")
    assert (event.actor_arn, event.source_arn, event.result) == (session_arn, kim.arn, "AccessDenied")
    switched = AuditEvent.objects.get(action="signin:SwitchRole")
    assert (switched.actor_arn, switched.source_arn) == (session_arn, kim.arn)
    assert AuditEvent.objects.get(action="sts:AssumeRole").actor_arn == kim.arn
    key = TemporaryCredential.objects.get().access_key_id
    back = client.post(reverse("switch_back"))
    assert back.status_code == 302
    assert not TemporaryCredential.objects.filter(access_key_id=key).exists()  # the session ended
    assert client.get(reverse("iam:user_list")).status_code == 403  # kim's own permissions again
    menu = client.get(reverse("iam:dashboard")).content.decode()
    assert "Role history" in menu and "Ops" in menu  # the recent role is offered again


def test_a_refused_switch_keeps_the_user_and_explains(root, user_factory, client_for):
    setup(root, user_factory, trust_policy=trust({"AWS": f"arn:aws:iam::{root.account_id}:user/lee"}))
    client = client_for(Identity.objects.get(name="kim"))
    response = switch(client, root.account_id)
    assert response.status_code == 403
    body = response.content.decode()
    assert "Invalid information in one or more fields." in body
    assert "is not authorized to perform: sts:AssumeRole on resource: arn:aws:iam::" in body
    assert not TemporaryCredential.objects.exists()
    assert client.get(reverse("iam:user_list")).status_code == 403
    assert switch(client, root.account_id, role="NoSuchRole").status_code == 403
    assert (
        client.post(reverse("switch_role"), {"account": "not an account!", "role_name": "Reader"}).status_code
        == 400
    )


def test_the_account_alias_works_and_the_session_follows_the_role_account(
    root_factory, user_factory, client_for
):
    a, b = root_factory(), root_factory()
    from accounts.services import account

    account.create_account_alias(b, account_alias="partner-b")
    roles.create_role(
        b,
        role_name="Partner",
        assume_role_policy_document=trust({"AWS": f"arn:aws:iam::{a.account_id}:root"}),
    )
    permission_services.attach_role_policy(b, role_name="Partner", policy_arn=AWS + "IAMReadOnlyAccess")
    from accounts.services import users

    users.console_create_user(
        a, user_name="kim", console_access=True, custom_password="Abcdefg1!x", password_reset_required=False
    )
    permission_services.put_user_policy(
        a,
        user_name="kim",
        policy_name="MayAssume",
        policy_document=json.dumps(
            {
                "Version": "2012-10-17",
                "Statement": [
                    {
                        "Effect": "Allow",
                        "Action": "sts:AssumeRole",
                        "Resource": f"arn:aws:iam::{b.account_id}:role/Partner",
                    }
                ],
            }
        ),
    )
    client = client_for(Identity.objects.get(account_id=a.account_id, name="kim"))
    assert switch(client, "partner-b", role="Partner").status_code == 302
    dashboard = client.get(reverse("iam:dashboard"))
    assert dashboard.context["account"]["account_id"] == b.account_id  # acting in account B
    assert "Partner @ partner-b" in dashboard.content.decode()


def test_root_cannot_switch_roles(root, root_client):
    response = root_client.get(reverse("switch_role"))
    assert (
        response.status_code == 403
        and "Roles may not be assumed by root accounts." in response.content.decode()
    )


def test_mfa_protected_role_needs_an_mfa_sign_in(root, user_factory, client_for):
    kim = setup(
        root,
        user_factory,
        trust_policy=trust(
            {"AWS": f"arn:aws:iam::{root.account_id}:root"},
            Condition={"Bool": {"aws:MultiFactorAuthPresent": "true"}},
        ),
    )
    client = client_for(kim)
    assert switch(client, root.account_id).status_code == 403
    session = client.session
    session[MFA_AT_KEY] = timezone.now().timestamp()  # signed in with MFA
    session.save()
    assert switch(client, root.account_id).status_code == 302
    assert client.get(reverse("iam:user_list")).status_code == 200


def test_the_session_ends_with_its_duration_and_with_the_role(root, user_factory, client_for):
    kim = setup(root, user_factory)
    client = client_for(kim)
    assert switch(client, root.account_id).status_code == 302
    assert client.get(reverse("iam:user_list")).status_code == 200
    with time_machine.travel(timezone.now() + timedelta(hours=1, minutes=1)):
        response = client.get(reverse("iam:user_list"))
        assert response.status_code == 403  # back to kim
        assert "Your role session ended. You are back to your own permissions." in [
            str(m) for m in response.context["messages"]
        ]
    assert switch(client, root.account_id).status_code == 302
    roles.console_delete_role(root, role_name="Reader")
    assert client.get(reverse("iam:user_list")).status_code == 403


def test_recent_roles_switch_again(root, user_factory, client_for):
    kim = setup(root, user_factory)
    client = client_for(kim)
    switch(client, root.account_id, display_name="First", color="red")
    client.post(reverse("switch_back"))
    assert client.post(reverse("switch_recent"), {"index": "0"}).status_code == 302
    assert "First" in client.get(reverse("iam:dashboard")).content.decode()
    assert client.post(reverse("switch_recent"), {"index": "9"}).status_code == 302  # none: to the page


def test_security_credentials_of_a_role_session_and_sign_out_ends_it(root, user_factory, client_for):
    kim = setup(root, user_factory)
    client = client_for(kim)
    switch(client, root.account_id)
    page = client.get(reverse("iam:security_credentials"))
    assert page.status_code == 200 and 'data-testid="role-session-credentials"' in page.content.decode()
    client.post(reverse("signout"))
    assert not TemporaryCredential.objects.exists()


def test_role_page_link_opens_switch_role(root, root_client):
    roles.create_role(
        root,
        role_name="Reader",
        assume_role_policy_document=trust({"AWS": f"arn:aws:iam::{root.account_id}:root"}),
    )
    body = root_client.get(reverse("iam:role_detail", args=["Reader"])).content.decode()
    assert f'href="http://testserver/switchrole?account={root.account_id}&amp;roleName=Reader"' in body
