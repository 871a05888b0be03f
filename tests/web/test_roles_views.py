"""Role pages: list, create (each kind of trusted entity), view (Permissions, Trust
relationships), edit, edit trust policy, delete; the role Permissions panel; who may do it."""

import json

import pytest
from django.urls import reverse

from accounts.identifiers import new_unique_id
from accounts.models import AuditEvent, InlinePolicy, ManagedPolicy, Role
from accounts.services import permissions as permission_services
from accounts.services import policies as policy_services
from accounts.services import roles as role_services
from tests.web.test_policy_views import AWS, allow, denied, doc, readonly
from tests.web.test_policy_views import url as policy_url

EC2 = "ec2.amazonaws.com"


def make_role(actor, name="AppRole", service=EC2, **kwargs):
    return role_services.create_role(
        actor,
        role_name=name,
        assume_role_policy_document=role_services.service_trust_policy(service),
        **kwargs,
    )


def role_url(name, role="AppRole", **params):
    url = reverse(f"iam:role_{name}", args=[role]) if role is not None else reverse(f"iam:role_{name}")
    return url + ("?" + "&".join(f"{k}={v}" for k, v in params.items()) if params else "")


def create_data(**overrides):
    data = {
        "trusted_entity_type": "aws_service",
        "service": EC2,
        "account": "this",
        "account_id": "",
        "policy_document": "",
        "role_name": "AppRole",
        "description": "",
        "session_duration": "3600",
        "custom_duration": "",
    }
    data.update(overrides)
    return {k: v for k, v in data.items() if v is not None}


def trust_doc(role):
    return json.loads(Role.objects.get(name=role).assume_role_policy_document)


# --- list -------------------------------------------------------------------------------------


def test_role_list_shows_trusted_entities(root, root_client):
    empty = root_client.get(reverse("iam:role_list"))
    assert empty.status_code == 200
    assert 'Roles <span class="cs-counter">(0)</span>' in empty.content.decode()
    make_role(root, "EC2Role")
    role_services.create_role(
        root,
        role_name="Auditor",
        assume_role_policy_document=role_services.account_trust_policy("123456789012"),
    )
    response = root_client.get(reverse("iam:role_list"))
    body = response.content.decode()
    assert response.status_code == 200
    assert [r.role_name for r, _ in response.context["rows"]] == ["Auditor", "EC2Role"]
    assert "AWS Service: ec2" in body and "Account: 123456789012" in body
    assert reverse("iam:role_detail", args=["EC2Role"]) in body
    assert 'name="names" value="Auditor"' in body and reverse("iam:role_delete_many") in body
    assert reverse("iam:role_create") in body


@pytest.mark.parametrize("n_roles", [5, 100])
def test_role_list_query_count_is_constant(root, root_client, django_assert_max_num_queries, n_roles):
    document = role_services.service_trust_policy(EC2)
    Role.objects.bulk_create(
        Role(
            account=root.account,
            name=f"r{i:03}",
            unique_id=new_unique_id("role"),
            assume_role_policy_document=document,
        )
        for i in range(n_roles)
    )
    with django_assert_max_num_queries(8):
        response = root_client.get(reverse("iam:role_list") + "?size=100")
    assert response.status_code == 200
    assert len(response.context["rows"]) == min(n_roles, 100) and response.context["page"].total == n_roles
    assert response.content.decode().count('data-testid="role-row"') == n_roles


def test_dashboard_counts_roles(root, root_client):
    make_role(root, "R1")
    make_role(root, "R2")
    response = root_client.get(reverse("iam:dashboard"))
    assert response.context["counts"]["roles"] == 2
    assert reverse("iam:role_list") in response.content.decode()


# --- create -----------------------------------------------------------------------------------


def test_create_service_role_with_policies(root, root_client):
    page = root_client.get(reverse("iam:role_create"))
    assert page.status_code == 200
    assert "AmazonEC2ReadOnlyAccess" in page.content.decode()
    response = root_client.post(
        reverse("iam:role_create"),
        create_data(
            role_name="EC2ReadOnly",
            description="Instances read EC2",
            policy_arns=[AWS + "AmazonEC2ReadOnlyAccess", AWS + "AmazonS3ReadOnlyAccess"],
        ),
    )
    assert response.status_code == 302
    assert response["Location"] == reverse("iam:role_detail", args=["EC2ReadOnly"])
    role = Role.objects.get(name="EC2ReadOnly")
    assert role.description == "Instances read EC2" and role.max_session_duration == 3600
    assert trust_doc("EC2ReadOnly")["Statement"] == [
        {"Effect": "Allow", "Principal": {"Service": EC2}, "Action": "sts:AssumeRole"}
    ]
    assert sorted(role.attached_policies.values_list("name", flat=True)) == [
        "AmazonEC2ReadOnlyAccess",
        "AmazonS3ReadOnlyAccess",
    ]


def test_create_role_for_this_account(root, root_client):
    response = root_client.post(
        reverse("iam:role_create"), create_data(trusted_entity_type="aws_account", account="this")
    )
    assert response.status_code == 302
    statement = trust_doc("AppRole")["Statement"][0]
    assert statement["Principal"] == {"AWS": f"arn:aws:iam::{root.account.account_id}:root"}
    assert "Condition" not in statement


def test_create_role_for_another_account_with_mfa(root, root_client):
    response = root_client.post(
        reverse("iam:role_create"),
        create_data(
            trusted_entity_type="aws_account",
            account="other",
            account_id="210987654321",
            require_mfa="on",
            session_duration="custom",
            custom_duration="5400",
        ),
    )
    assert response.status_code == 302
    statement = trust_doc("AppRole")["Statement"][0]
    assert statement["Principal"] == {"AWS": "arn:aws:iam::210987654321:root"}
    assert statement["Condition"] == {"Bool": {"aws:MultiFactorAuthPresent": "true"}}
    assert Role.objects.get().max_session_duration == 5400


def test_create_role_with_custom_trust_policy(root, root_client):
    document = doc(
        {"Effect": "Allow", "Principal": {"Service": "lambda.amazonaws.com"}, "Action": "sts:AssumeRole"}
    )
    response = root_client.post(
        reverse("iam:role_create"),
        create_data(trusted_entity_type="custom", policy_document=document, session_duration="43200"),
    )
    assert response.status_code == 302
    role = Role.objects.get()
    assert role.assume_role_policy_document == document
    assert role.max_session_duration == 43200


@pytest.mark.parametrize(
    "data,field,message",
    [
        (
            create_data(
                trusted_entity_type="custom",
                policy_document=doc(
                    {
                        "Effect": "Allow",
                        "Principal": {"AWS": "*"},
                        "Action": "sts:AssumeRole",
                        "Resource": "*",
                    }
                ),
            ),
            "policy_document",
            "Has prohibited field Resource.",
        ),
        (
            create_data(
                trusted_entity_type="custom",
                policy_document=doc({"Effect": "Allow", "Action": "sts:AssumeRole"}),
            ),
            "policy_document",
            "Missing required field Principal",
        ),
        (
            create_data(
                trusted_entity_type="custom",
                policy_document=doc(
                    {"Effect": "Allow", "Principal": {"Service": EC2}, "Action": "iam:CreateUser"}
                ),
            ),
            "policy_document",
            "AssumeRole policy may only specify STS AssumeRole actions.",
        ),
        (
            create_data(trusted_entity_type="custom", policy_document="{"),
            "policy_document",
            "Syntax errors in policy.",
        ),
        (
            create_data(trusted_entity_type="aws_account", account="other", account_id="12345"),
            "account_id",
            "Enter a 12-digit AWS account ID.",
        ),
        (create_data(service=""), "service", "Choose the service that will use this role."),
        (create_data(role_name="bad name"), "role_name", "The role name contains invalid characters."),
        (
            create_data(role_name="r" * 65),
            "role_name",
            "The role name must be 64 characters or fewer (it has 65).",
        ),
        (
            create_data(session_duration="custom", custom_duration="100"),
            "custom_duration",
            "1 validation error detected: Value '100' at 'maxSessionDuration' failed to satisfy constraint: "
            "Member must have value greater than or equal to 3600",
        ),
        (
            create_data(session_duration="custom", custom_duration="43201"),
            "custom_duration",
            "Member must have value less than or equal to 43200",
        ),
        (
            create_data(description="x" * 1001),
            "description",
            "Member must have length less than or equal to 1000",
        ),
    ],
)
def test_create_role_bad_input_is_400_and_writes_nothing(root, root_client, data, field, message):
    response = root_client.post(reverse("iam:role_create"), data)
    assert response.status_code == 400
    errors = " ".join(response.context["form"].errors.get(field, []))
    assert message in errors
    assert message.split(":")[0] in response.content.decode()
    assert not Role.objects.exists()


def test_create_role_duplicate_name_is_409(root, root_client):
    make_role(root, "AppRole")
    response = root_client.post(reverse("iam:role_create"), create_data(role_name="APPROLE"))
    assert response.status_code == 409
    assert "Role with name APPROLE already exists." in response.content.decode()
    assert Role.objects.count() == 1


def test_create_role_with_eleven_policies_writes_nothing(root, root_client):
    arns = list(ManagedPolicy.objects.filter(account__isnull=True).values_list("arn", flat=True)[:11])
    assert len(arns) == 11
    response = root_client.post(reverse("iam:role_create"), create_data(policy_arns=arns))
    assert response.status_code == 409
    assert "Cannot exceed quota for PoliciesPerRole: 10" in response.content.decode()
    assert not Role.objects.exists()
    assert AuditEvent.objects.filter(action="iam:AttachRolePolicy", result="LimitExceeded").exists()


# --- detail, tabs -----------------------------------------------------------------------------


def test_role_detail_summary_and_tabs(root, root_client):
    role = make_role(root, description="For instances", max_session_duration=7200)
    permission_services.attach_role_policy(
        root, role_name="AppRole", policy_arn=AWS + "AmazonEC2ReadOnlyAccess"
    )
    permission_services.put_role_policy(
        root, role_name="AppRole", policy_name="Extra", policy_document=doc(allow())
    )
    response = root_client.get(role_url("detail"))
    body = response.content.decode()
    assert response.status_code == 200
    account = root.account.account_id
    assert f"arn:aws:iam::{account}:role/AppRole" in body
    assert role.role_id in body and role.role_id.startswith("AROA")
    assert "2 hours" in body and "For instances" in body
    assert f"/switchrole?account={account}&amp;roleName=AppRole" in body
    assert {r.policy_name for r in response.context["permission_rows"]} == {
        "AmazonEC2ReadOnlyAccess",
        "Extra",
    }
    assert reverse("iam:role_detach_policy", args=["AppRole"]) in body
    assert reverse("iam:role_inline_policy_create", args=["AppRole"]) in body
    trust = root_client.get(role_url("detail", tab="trust_relationships"))
    assert trust.status_code == 200
    assert "sts:AssumeRole" in trust.content.decode() and EC2 in trust.content.decode()
    assert reverse("iam:role_trust_edit", args=["AppRole"]) in trust.content.decode()


def test_unknown_and_other_accounts_roles_are_404(root_factory, client_for):
    owner, intruder = root_factory(), root_factory()
    make_role(owner, "Secret")
    client = client_for(intruder)
    for url in (role_url("detail", "Secret"), role_url("detail", "Nope"), role_url("delete", "Secret")):
        response = client.get(url)
        assert response.status_code == 404
    assert (
        "The role with name Secret cannot be found."
        in client.get(role_url("detail", "Secret")).content.decode()
    )
    assert client.post(role_url("delete", "Secret"), {"confirmation": "Secret"}).status_code == 404
    assert Role.objects.filter(name="Secret").exists()


# --- trust policy, edit, delete ---------------------------------------------------------------


def test_edit_trust_policy(root, root_client):
    make_role(root)
    page = root_client.get(role_url("trust_edit"))
    assert page.status_code == 200 and "ec2.amazonaws.com" in page.content.decode()
    new = doc(
        {
            "Effect": "Allow",
            "Principal": {"AWS": "arn:aws:iam::123456789012:root"},
            "Action": "sts:AssumeRole",
        }
    )
    response = root_client.post(role_url("trust_edit"), {"policy_document": new})
    assert response.status_code == 302
    assert response["Location"] == role_url("detail", tab="trust_relationships")
    assert Role.objects.get().assume_role_policy_document == new
    bad = doc({"Effect": "Allow", "Principal": {"AWS": "*"}, "Action": "s3:GetObject"})
    refused = root_client.post(role_url("trust_edit"), {"policy_document": bad})
    assert refused.status_code == 400
    assert "AssumeRole policy may only specify STS AssumeRole actions." in refused.content.decode()
    assert Role.objects.get().assume_role_policy_document == new


@pytest.mark.parametrize("principal", [{"AWS": "\ud800"}, {"Service": "ec2\ud800.amazonaws.com"}])
def test_trust_policy_with_a_lone_surrogate_escape_is_a_syntax_error(root, root_client, principal):
    """The escape decoded to no character: AWS's message echoing it gave a 500, and a service
    principal holding it was saved, after which the roles list failed on every visit."""
    make_role(root)
    before = Role.objects.get().assume_role_policy_document
    bad = doc({"Effect": "Allow", "Principal": principal, "Action": "sts:AssumeRole"})
    assert "\\ud800" in bad  # json.dumps escaped it: what a browser would send
    response = root_client.post(role_url("trust_edit"), {"policy_document": bad})
    assert response.status_code == 400
    assert "Syntax errors in policy." in response.content.decode()
    assert Role.objects.get().assume_role_policy_document == before
    created = root_client.post(
        role_url("create", None),
        create_data(trusted_entity_type="custom", policy_document=bad, role_name="R2"),
    )
    assert created.status_code == 400 and not Role.objects.filter(name="R2").exists()
    assert root_client.get(role_url("list", None)).status_code == 200


def test_trust_policy_too_large(root, root_client):
    make_role(root)
    statements = [
        {"Sid": f"S{i}", "Effect": "Allow", "Principal": {"AWS": f"{i:012d}"}, "Action": "sts:AssumeRole"}
        for i in range(40)
    ]
    response = root_client.post(role_url("trust_edit"), {"policy_document": doc(*statements)})
    assert response.status_code == 400
    assert "Cannot exceed quota for ACLSizePerRole: 2048" in response.content.decode()
    assert "sts:AssumeRole" in Role.objects.get().assume_role_policy_document
    assert len(Role.objects.get().assume_role_policy_document) < 2048


def test_edit_role(root, root_client):
    make_role(root)
    page = root_client.get(role_url("edit"))
    assert page.status_code == 200
    response = root_client.post(role_url("edit"), {"description": "Updated", "session_duration": "28800"})
    assert response.status_code == 302
    role = Role.objects.get()
    assert (role.description, role.max_session_duration) == ("Updated", 28800)
    custom = root_client.post(
        role_url("edit"), {"description": "Again", "session_duration": "custom", "custom_duration": "9000"}
    )
    assert custom.status_code == 302 and Role.objects.get().max_session_duration == 9000
    assert root_client.get(role_url("edit")).context["form"].initial["session_duration"] == "custom"
    refused = root_client.post(
        role_url("edit"), {"description": "No", "session_duration": "custom", "custom_duration": "50000"}
    )
    assert refused.status_code == 400
    assert "Member must have value less than or equal to 43200" in refused.content.decode()
    assert Role.objects.get().description == "Again"


def test_delete_role_asks_for_the_name_and_removes_policies(root, root_client):
    make_role(root)
    permission_services.attach_role_policy(
        root, role_name="AppRole", policy_arn=AWS + "AmazonEC2ReadOnlyAccess"
    )
    permission_services.put_role_policy(
        root, role_name="AppRole", policy_name="Extra", policy_document=doc(allow())
    )
    assert root_client.get(role_url("delete")).status_code == 200
    wrong = root_client.post(role_url("delete"), {"confirmation": "approle"})
    assert wrong.status_code == 400 and "Enter AppRole to confirm." in wrong.content.decode()
    assert Role.objects.exists()
    response = root_client.post(role_url("delete"), {"confirmation": "AppRole"})
    assert response.status_code == 302 and response["Location"] == reverse("iam:role_list")
    assert not Role.objects.exists() and not InlinePolicy.objects.exists()


# --- the Permissions panel --------------------------------------------------------------------


def test_role_permissions_panel_actions(root, root_client):
    make_role(root)
    attach = root_client.post(
        role_url("attach_policies"),
        {"policy_arns": [AWS + "AmazonS3ReadOnlyAccess", AWS + "IAMReadOnlyAccess"]},
    )
    assert attach.status_code == 302 and attach["Location"] == role_url("detail", tab="permissions")
    role = Role.objects.get()
    assert role.attached_policies.count() == 2
    detach = root_client.post(role_url("detach_policy"), {"policy_arn": AWS + "IAMReadOnlyAccess"})
    assert detach.status_code == 302
    assert list(role.attached_policies.values_list("name", flat=True)) == ["AmazonS3ReadOnlyAccess"]

    create = root_client.post(
        role_url("inline_policy_create"),
        {"policy_name": "Logs", "policy_document": doc(allow("logs:PutLogEvents"))},
    )
    assert create.status_code == 302
    assert InlinePolicy.objects.get(role=role).name == "Logs"
    page = root_client.get(role_url("inline_policy_create"))
    assert "10,240 characters" in page.content.decode()
    detail = root_client.get(role_url("inline_policy_detail", policy_name="Logs"))
    assert detail.status_code == 200 and "logs:PutLogEvents" in detail.content.decode()
    edit = root_client.post(
        role_url("inline_policy_edit", policy_name="Logs"),
        {"policy_document": doc(allow("logs:CreateLogGroup"))},
    )
    assert edit.status_code == 302 and "logs:CreateLogGroup" in InlinePolicy.objects.get().document
    bad = root_client.post(
        role_url("inline_policy_edit", policy_name="Logs"),
        {"policy_document": doc({"Effect": "Allow", "Action": "s3:GetObject"})},
    )
    assert bad.status_code == 400 and "Policy statement must contain resources." in bad.content.decode()
    delete = root_client.post(role_url("inline_policy_delete", policy_name="Logs"), {"confirmation": "Logs"})
    assert delete.status_code == 302 and not InlinePolicy.objects.exists()

    boundary = root_client.post(role_url("permissions_boundary"), {"policy_arn": AWS + "IAMReadOnlyAccess"})
    assert boundary.status_code == 302
    assert Role.objects.get().permissions_boundary.name == "IAMReadOnlyAccess"
    panel = root_client.get(role_url("detail")).content.decode()
    assert 'data-testid="permissions-boundary"' in panel and "IAMReadOnlyAccess" in panel
    removed = root_client.post(role_url("permissions_boundary_delete"))
    assert removed.status_code == 302 and Role.objects.get().permissions_boundary is None
    actions = set(AuditEvent.objects.filter(result="Success").values_list("action", flat=True))
    assert {
        "iam:AttachRolePolicy",
        "iam:DetachRolePolicy",
        "iam:PutRolePolicy",
        "iam:DeleteRolePolicy",
        "iam:PutRolePermissionsBoundary",
        "iam:DeleteRolePermissionsBoundary",
    } <= actions


def test_policy_pages_show_and_manage_roles(root, root_client):
    policy = policy_services.create_policy(root, policy_name="Mine", policy_document=doc(allow()))
    make_role(root, "R1")
    make_role(root, "R2")
    attach = root_client.post(policy_url("policy_attach_entities", policy), {"entities": ["role:R1"]})
    assert attach.status_code == 302
    permission_services.put_role_permissions_boundary(root, role_name="R2", permissions_boundary=policy.arn)
    entities = root_client.get(policy_url("policy_detail", policy, tab="entities"))
    body = entities.content.decode()
    assert entities.context["entity_count"] == 2
    assert reverse("iam:role_detail", args=["R1"]) in body and reverse("iam:role_detail", args=["R2"]) in body
    listing = root_client.get(reverse("iam:policy_list") + "?type=customer")
    used = next(used for p, used in listing.context["rows"] if p.policy_name == "Mine")
    assert used == ["Permissions policy (1)", "Permissions boundary (1)"]
    detach = root_client.post(policy_url("policy_detach_entities", policy), {"entities": ["role:R1"]})
    assert detach.status_code == 302
    assert not Role.objects.get(name="R1").attached_policies.exists()
    deleted = root_client.post(policy_url("policy_delete", policy), {"confirmation": "Mine"})
    assert deleted.status_code == 302
    assert not ManagedPolicy.objects.filter(name="Mine").exists()
    assert Role.objects.get(name="R2").permissions_boundary is None


# --- who may do it ------------------------------------------------------------------------------


def test_user_without_policies_is_refused_everything(root, user_factory, client_for):
    kim = user_factory("kim")
    make_role(root)
    client = client_for(kim)
    account = root.account.account_id
    listing = client.get(reverse("iam:role_list"))
    assert denied(listing, kim, "iam:ListRoles")
    assert f"on resource: arn:aws:iam::{account}:role/ because" in listing.content.decode()
    assert denied(client.get(role_url("detail")), kim, "iam:GetRole")
    refused = client.post(reverse("iam:role_create"), create_data(role_name="Mine"))
    assert denied(refused, kim, "iam:CreateRole")
    assert denied(client.post(role_url("delete"), {"confirmation": "AppRole"}), kim, "iam:GetRole")
    assert list(Role.objects.values_list("name", flat=True)) == ["AppRole"]


def test_readonly_user_can_view_but_not_change(root, user_factory, client_for):
    kim = readonly(root, user_factory("kim"))
    make_role(root)
    permission_services.attach_role_policy(
        root, role_name="AppRole", policy_arn=AWS + "AmazonS3ReadOnlyAccess"
    )
    client = client_for(kim)
    assert client.get(reverse("iam:role_list")).status_code == 200
    detail = client.get(role_url("detail"))
    assert detail.status_code == 200
    assert [r.policy_name for r in detail.context["permission_rows"]] == ["AmazonS3ReadOnlyAccess"]
    assert client.get(role_url("detail", tab="trust_relationships")).status_code == 200
    account = root.account.account_id
    # the wizard opens, as AWS's does; the refusal comes when the role would be created
    assert client.get(reverse("iam:role_create")).status_code == 200
    create = client.post(reverse("iam:role_create"), create_data(role_name="Mine"))
    assert denied(create, kim, "iam:CreateRole")
    assert (
        f"iam:CreateRole on resource: arn:aws:iam::{account}:role/Mine because no identity-based policy "
        "allows the iam:CreateRole action"
    ) in create.content.decode()
    assert denied(
        client.post(role_url("edit"), {"description": "x", "session_duration": "3600"}), kim, "iam:UpdateRole"
    )
    assert denied(
        client.post(role_url("trust_edit"), {"policy_document": role_services.service_trust_policy(EC2)}),
        kim,
        "iam:UpdateAssumeRolePolicy",
    )
    assert denied(client.post(role_url("delete"), {"confirmation": "AppRole"}), kim, "iam:DeleteRole")
    assert denied(
        client.post(role_url("detach_policy"), {"policy_arn": AWS + "AmazonS3ReadOnlyAccess"}),
        kim,
        "iam:DetachRolePolicy",
    )
    assert list(Role.objects.values_list("name", "description")) == [("AppRole", "")]
    assert Role.objects.get().attached_policies.count() == 1
