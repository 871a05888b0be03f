"""The policy simulator: a user's or group's policies, or pasted documents, decided by the engine."""

import json

import pytest
from django.urls import reverse

from accounts.models import AuditEvent, Identity
from accounts.services import permissions as permission_services
from accounts.services import roles as role_services
from tests.web.test_policy_views import AWS, allow, denied, doc, readonly

URL = reverse("iam:policy_simulator")


def simulate(client, **data):
    data.setdefault("resources", "*")
    return client.post(URL, data)


def results(response):
    """{(action, resource): decision} of a simulation."""
    return {(r.action, r.resource): r.decision.decision for r in response.context["results"]}


@pytest.fixture
def reader(root, user_factory, group_factory):
    """kim, in the group Readers which has AmazonS3ReadOnlyAccess."""
    group_factory("Readers")
    permission_services.attach_group_policy(
        root, group_name="Readers", policy_arn=AWS + "AmazonS3ReadOnlyAccess"
    )
    return user_factory("kim", groups=("Readers",))


def test_simulator_page(root_client, reader):
    response = root_client.get(URL)
    assert response.status_code == 200
    body = response.content.decode()
    assert 'value="user:kim"' in body and 'value="group:Readers"' in body
    assert 'data-show-when="mode=custom"' in body and "data-code-editor" in body


def test_simulate_a_user_in_a_group(root_client, reader):
    response = simulate(
        root_client, mode="principal", principal="user:kim", actions="s3:GetObject\ns3:PutObject\n"
    )
    assert response.status_code == 200
    assert results(response) == {("s3:GetObject", "*"): "allowed", ("s3:PutObject", "*"): "implicitDeny"}
    allowed = response.context["results"][0]
    assert allowed.matched == [
        {
            "policy": "AmazonS3ReadOnlyAccess (group Readers)",
            "statement": "Statement 1",
            "effect": "Allow",
            "lines": allowed.matched[0]["lines"],
        }
    ]
    body = response.content.decode()
    assert 'data-decision="allowed"' in body and 'data-decision="implicitDeny"' in body
    assert "cs-status--success" in body and "cs-status--warning" in body
    assert "AmazonS3ReadOnlyAccess (group Readers)" in body


def test_simulate_a_group_and_several_resources(root, root_client, reader):
    permission_services.put_group_policy(
        root,
        group_name="Readers",
        policy_name="NoSecrets",
        policy_document=doc(
            {
                "Sid": "DenySecrets",
                "Effect": "Deny",
                "Action": "s3:GetObject",
                "Resource": "arn:aws:s3:::secrets/*",
            }
        ),
    )
    response = simulate(
        root_client,
        mode="principal",
        principal="group:Readers",
        actions="s3:GetObject",
        resources="arn:aws:s3:::photos/cat.jpg\narn:aws:s3:::secrets/key",
    )
    assert results(response) == {
        ("s3:GetObject", "arn:aws:s3:::photos/cat.jpg"): "allowed",
        ("s3:GetObject", "arn:aws:s3:::secrets/key"): "explicitDeny",
    }
    deny = response.context["results"][1]
    assert [(m["policy"], m["statement"]) for m in deny.matched] == [
        ("NoSecrets (inline)", "Sid DenySecrets")
    ]
    assert response.context["labels"] == ("AmazonS3ReadOnlyAccess", "NoSecrets (inline)")


def test_simulate_a_role_with_its_policies_and_boundary(root, root_client):
    role_services.create_role(
        root,
        role_name="WebServer",
        assume_role_policy_document=role_services.service_trust_policy("ec2.amazonaws.com"),
    )
    permission_services.attach_role_policy(
        root, role_name="WebServer", policy_arn=AWS + "AmazonS3ReadOnlyAccess"
    )
    permission_services.put_role_policy(
        root, role_name="WebServer", policy_name="Logs", policy_document=doc(allow("logs:*"))
    )
    page = root_client.get(URL).content.decode()
    assert 'value="role:WebServer"' in page
    actions = "s3:GetObject\nlogs:PutLogEvents\niam:CreateUser"
    response = simulate(root_client, mode="principal", principal="role:WebServer", actions=actions)
    assert results(response) == {
        ("s3:GetObject", "*"): "allowed",
        ("logs:PutLogEvents", "*"): "allowed",
        ("iam:CreateUser", "*"): "implicitDeny",
    }
    assert response.context["subject"] == "Role WebServer"
    assert response.context["labels"] == ("AmazonS3ReadOnlyAccess", "Logs (inline)")

    permission_services.put_role_permissions_boundary(
        root, role_name="WebServer", permissions_boundary=AWS + "AmazonS3ReadOnlyAccess"
    )
    response = simulate(root_client, mode="principal", principal="role:WebServer", actions=actions)
    assert results(response)[("logs:PutLogEvents", "*")] == "implicitDeny"
    assert results(response)[("s3:GetObject", "*")] == "allowed"
    assert response.context["labels"][-1] == "AmazonS3ReadOnlyAccess (permissions boundary)"


def test_simulate_another_accounts_role_is_not_found(root, root_factory, root_client):
    other = root_factory()
    role_services.create_role(
        other,
        role_name="Theirs",
        assume_role_policy_document=role_services.service_trust_policy("ec2.amazonaws.com"),
    )
    response = simulate(root_client, mode="principal", principal="role:Theirs", actions="s3:GetObject")
    assert response.status_code in (400, 404)
    assert "results" not in (response.context or {})


def test_simulate_a_user_within_its_permissions_boundary(root, root_client, user_factory):
    user_factory("kim")
    permission_services.attach_user_policy(root, user_name="kim", policy_arn=AWS + "AdministratorAccess")
    permission_services.put_user_permissions_boundary(
        root, user_name="kim", permissions_boundary=AWS + "AmazonS3ReadOnlyAccess"
    )
    response = simulate(
        root_client, mode="principal", principal="user:kim", actions="s3:GetObject\niam:CreateUser"
    )
    assert results(response) == {("s3:GetObject", "*"): "allowed", ("iam:CreateUser", "*"): "implicitDeny"}
    assert "no permissions boundary allows it" in response.content.decode()


def test_simulate_pasted_policies_with_an_explicit_deny(root_client):
    documents = (
        doc(allow("s3:*"))
        + "\n---\n"
        + doc({"Sid": "NoDelete", "Effect": "Deny", "Action": "s3:DeleteObject", "Resource": "*"})
    )
    response = simulate(
        root_client, mode="custom", policy_documents=documents, actions="s3:GetObject\ns3:DeleteObject"
    )
    assert response.status_code == 200
    assert results(response) == {("s3:GetObject", "*"): "allowed", ("s3:DeleteObject", "*"): "explicitDeny"}
    deny = response.context["results"][1]
    assert [(m["policy"], m["statement"], m["effect"]) for m in deny.matched] == [
        ("Policy 2", "Sid NoDelete", "Deny")
    ]
    # the statement's place in the editor, after the first policy and the separator
    first = doc(allow("s3:*")).count("\n") + 1
    assert deny.matched[0]["lines"] == f"lines {first + 1 + 3}–{first + 1 + 9}"
    body = response.content.decode()
    assert "cs-status--error" in body and "Sid NoDelete" in body
    assert "explicit deny (identity-based policy)" in body


def test_simulate_pasted_policy_with_a_boundary(root_client):
    response = simulate(
        root_client,
        mode="custom",
        policy_documents=doc(allow("*")),
        boundary_document=doc(allow("s3:Get*")),
        actions="s3:GetObject\niam:DeleteUser",
    )
    assert results(response) == {("s3:GetObject", "*"): "allowed", ("iam:DeleteUser", "*"): "implicitDeny"}
    assert response.context["labels"] == ("Policy 1", "Permissions boundary")


def test_simulate_with_context_keys(root_client):
    mfa_only = doc(allow("iam:ListUsers", Condition={"Bool": {"aws:MultiFactorAuthPresent": "true"}}))
    from_office = doc(allow("s3:GetObject", Condition={"IpAddress": {"aws:SourceIp": "203.0.113.0/24"}}))
    documents = mfa_only + "\n---\n" + from_office
    bare = simulate(
        root_client, mode="custom", policy_documents=documents, actions="iam:ListUsers\ns3:GetObject"
    )
    assert set(results(bare).values()) == {"implicitDeny"}
    missing = {key for r in bare.context["results"] for key in r.decision.missing_context_values}
    assert {k.lower() for k in missing} == {"aws:multifactorauthpresent", "aws:sourceip"}
    with_context = simulate(
        root_client,
        mode="custom",
        policy_documents=documents,
        actions="iam:ListUsers\ns3:GetObject",
        context="aws:MultiFactorAuthPresent=true\naws:SourceIp=203.0.113.5",
    )
    assert set(results(with_context).values()) == {"allowed"}
    elsewhere = simulate(
        root_client,
        mode="custom",
        policy_documents=from_office,
        actions="s3:GetObject",
        context="aws:SourceIp=198.51.100.7",
    )
    assert results(elsewhere) == {("s3:GetObject", "*"): "implicitDeny"}


def test_pasted_policy_without_caller_misses_the_username_variable(root_client):
    own = doc(allow("iam:GetUser", "arn:aws:iam::*:user/${aws:username}"))
    response = simulate(
        root_client,
        mode="custom",
        policy_documents=own,
        actions="iam:GetUser",
        resources="arn:aws:iam::123456789012:user/kim",
    )
    assert results(response) == {("iam:GetUser", "arn:aws:iam::123456789012:user/kim"): "implicitDeny"}
    assert "aws:username" in response.context["results"][0].decision.missing_context_values


@pytest.mark.parametrize(
    "data,message",
    [
        (
            {"mode": "custom", "policy_documents": "", "actions": "s3:GetObject"},
            "Paste at least one policy document.",
        ),
        (
            {"mode": "custom", "policy_documents": doc(allow()), "actions": "GetObject"},
            "Line 1: enter an action as service:ActionName",
        ),
        ({"mode": "custom", "policy_documents": doc(allow()), "actions": ""}, "Enter at least one action."),
        (
            {
                "mode": "custom",
                "policy_documents": doc(allow()),
                "actions": "s3:GetObject",
                "resources": "bucket",
            },
            "Line 1: resource bucket must be in ARN format",
        ),
        (
            {
                "mode": "custom",
                "policy_documents": doc(allow()),
                "actions": "s3:GetObject",
                "context": "novalue",
            },
            "Line 1: enter a context entry as key=value",
        ),
        (
            {"mode": "principal", "principal": "", "actions": "s3:GetObject"},
            "Choose a user, user group or role.",
        ),
        (
            {"mode": "principal", "principal": "user:ghost", "actions": "s3:GetObject"},
            "Select a valid choice.",
        ),
        (
            {"mode": "custom", "policy_documents": doc(allow(Principal="*")), "actions": "s3:GetObject"},
            "Policy 1: Policy document should not specify a principal.",
        ),
    ],
)
def test_simulator_refuses_bad_input(root_client, reader, data, message):
    response = simulate(root_client, **data)
    assert response.status_code == 400
    assert message in response.content.decode()
    assert "results" not in response.context


def test_syntax_error_in_the_second_pasted_policy_marks_its_line(root_client):
    second = '{\n  "Version": "2012-10-17",\n  "Statement": [\n    {"Effect": "Allow" "Action": "s3:*", "Resource": "*"}\n  ]\n}'
    documents = doc(allow()) + "\n---\n" + second
    first_lines = doc(allow()).count("\n") + 1
    response = simulate(root_client, mode="custom", policy_documents=documents, actions="s3:GetObject")
    assert response.status_code == 400
    body = response.content.decode()
    line = first_lines + 1 + 4  # the separator line, then line 4 of the second document
    assert "Policy 2: Syntax errors in policy." in body
    assert f'data-error-line="{line}"' in body


def test_simulation_changes_nothing(root, root_client, reader):
    before = (
        AuditEvent.objects.count(),
        root.account.__class__.objects.get(pk=root.account_id).authz_generation,
    )
    simulate(root_client, mode="principal", principal="user:kim", actions="iam:CreateUser")
    after = (
        AuditEvent.objects.count(),
        root.account.__class__.objects.get(pk=root.account_id).authz_generation,
    )
    assert before == after


# --- who may simulate -----------------------------------------------------------------------------


def test_readonly_user_may_simulate(root, reader, user_factory, client_for):
    lee = readonly(root, user_factory("lee"))
    client = client_for(lee)
    assert client.get(URL).status_code == 200
    response = simulate(client, mode="principal", principal="user:kim", actions="s3:GetObject")
    assert results(response) == {("s3:GetObject", "*"): "allowed"}
    custom = simulate(client, mode="custom", policy_documents=doc(allow()), actions="s3:GetObject")
    assert results(custom) == {("s3:GetObject", "*"): "allowed"}


def test_user_without_policies_is_refused(reader, client_for):
    kim = Identity.objects.get(pk=reader.pk)
    client = client_for(kim)
    assert denied(client.get(URL), kim, "iam:SimulateCustomPolicy")
    assert denied(
        simulate(client, mode="custom", policy_documents=doc(allow()), actions="s3:GetObject"),
        kim,
        "iam:SimulateCustomPolicy",
    )


def test_simulating_a_principal_needs_simulate_principal_policy_on_it(root, reader, user_factory, client_for):
    lee = user_factory("lee")
    permission_services.put_user_policy(
        root,
        user_name="lee",
        policy_name="ListOnly",
        policy_document=doc(
            allow(["iam:ListUsers", "iam:ListGroups"]),
            {
                "Effect": "Allow",
                "Action": "iam:SimulatePrincipalPolicy",
                "Resource": f"arn:aws:iam::{root.account.account_id}:group/*",
            },
        ),
    )
    lee = Identity.objects.get(pk=lee.pk)
    client = client_for(lee)
    assert client.get(URL).status_code == 200
    group = simulate(client, mode="principal", principal="group:Readers", actions="s3:GetObject")
    assert results(group) == {("s3:GetObject", "*"): "allowed"}
    user = simulate(client, mode="principal", principal="user:kim", actions="s3:GetObject")
    assert denied(user, lee, "iam:SimulatePrincipalPolicy")
    assert f"on resource: {reader.arn}" in user.content.decode()
    custom = simulate(client, mode="custom", policy_documents=doc(allow()), actions="s3:GetObject")
    assert denied(custom, lee, "iam:SimulateCustomPolicy")


def test_a_user_allowed_only_custom_simulation_sees_no_principals(root, user_factory, client_for):
    lee = user_factory("lee")
    permission_services.put_user_policy(
        root, user_name="lee", policy_name="Custom", policy_document=doc(allow("iam:SimulateCustomPolicy"))
    )
    client = client_for(Identity.objects.get(pk=lee.pk))
    page = client.get(URL)
    assert page.status_code == 200 and 'value="user:lee"' not in page.content.decode()
    custom = simulate(client, mode="custom", policy_documents=doc(allow()), actions="s3:GetObject")
    assert results(custom) == {("s3:GetObject", "*"): "allowed"}


def test_other_accounts_principals_cannot_be_simulated(root_factory, client_for, reader):
    intruder = root_factory()
    client = client_for(intruder)
    assert 'value="user:kim"' not in client.get(URL).content.decode()
    response = simulate(client, mode="principal", principal="user:kim", actions="s3:GetObject")
    assert response.status_code == 400 and "results" not in response.context


def test_results_are_json_safe_strings(root_client, reader):
    response = simulate(root_client, mode="principal", principal="user:kim", actions="s3:GetObject")
    result = response.context["results"][0]
    assert json.dumps(
        {"action": result.action, "decision": result.decision.decision, "matched": result.matched}
    )
