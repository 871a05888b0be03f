"""IAM roles: trust policies, name rules, session duration, policies, deletion, tenancy, audit."""

import json

import pytest

from accounts.errors import (
    AccessDenied,
    DeleteConflict,
    EntityAlreadyExists,
    LimitExceeded,
    MalformedPolicyDocument,
    NoSuchEntity,
    ValidationError,
)
from accounts.models import AuditEvent, InlinePolicy, ManagedPolicy, Role
from accounts.services import permissions as permission_services
from accounts.services import policies as policy_services
from accounts.services import roles as role_services
from accounts.shapes import AttachedVia, PolicyType
from tests.conftest import stored

AWS = "arn:aws:iam::aws:policy/"
EC2_TRUST = role_services.service_trust_policy("ec2.amazonaws.com")


def trust(*statements):
    return json.dumps({"Version": "2012-10-17", "Statement": list(statements)})


def allow(action="s3:GetObject", resource="*"):
    return json.dumps(
        {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": action, "Resource": resource}]}
    )


def make_role(actor, name="AppRole", document=EC2_TRUST, **kwargs):
    return role_services.create_role(actor, role_name=name, assume_role_policy_document=document, **kwargs)


# --- create with each kind of trusted entity -------------------------------------------------


def test_create_service_role(root):
    role = make_role(root, "EC2Role")
    account = root.account.account_id
    assert role.role_id.startswith("AROA") and len(role.role_id) == 21
    assert role.arn == f"arn:aws:iam::{account}:role/EC2Role"
    assert role.max_session_duration == 3600
    stored = Role.objects.get(unique_id=role.role_id)
    assert json.loads(stored.assume_role_policy_document)["Statement"][0]["Principal"] == {
        "Service": "ec2.amazonaws.com"
    }
    assert role_services.trusted_entities(stored.assume_role_policy_document) == ["AWS Service: ec2"]


def test_create_account_role_with_mfa(root):
    document = role_services.account_trust_policy("123456789012", require_mfa=True)
    role = make_role(root, "CrossAccount", document, description="Auditors", max_session_duration=7200)
    statement = json.loads(Role.objects.get(unique_id=role.role_id).assume_role_policy_document)["Statement"][
        0
    ]
    assert statement["Principal"] == {"AWS": "arn:aws:iam::123456789012:root"}
    assert statement["Action"] == "sts:AssumeRole"
    assert statement["Condition"] == {"Bool": {"aws:MultiFactorAuthPresent": "true"}}
    assert (role.description, role.max_session_duration) == ("Auditors", 7200)
    assert role_services.trusted_entities(role.assume_role_policy_document) == ["Account: 123456789012"]


def test_create_role_with_custom_trust_policy(root):
    document = trust(
        {
            "Effect": "Allow",
            "Principal": {
                "Federated": "arn:aws:iam::123456789012:oidc-provider/token.actions.githubusercontent.com"
            },
            "Action": "sts:AssumeRoleWithWebIdentity",
        },
        {"Effect": "Allow", "Principal": {"Service": ["lambda.amazonaws.com"]}, "Action": "sts:AssumeRole"},
    )
    role = make_role(root, "Custom", document)
    assert role_services.trusted_entities(role.assume_role_policy_document) == [
        "Identity Provider: token.actions.githubusercontent.com",
        "AWS Service: lambda",
    ]


def test_trust_policy_without_version_is_accepted_as_legacy(root):
    document = json.dumps(
        {"Statement": [{"Effect": "Allow", "Principal": {"AWS": "111122223333"}, "Action": "sts:AssumeRole"}]}
    )
    assert make_role(root, "Legacy", document).role_name == "Legacy"


# --- names ---------------------------------------------------------------------------------


def test_role_names_unique_case_insensitive(root):
    make_role(root, "AppRole")
    with pytest.raises(EntityAlreadyExists, match="^Role with name APPROLE already exists.$"):
        make_role(root, "APPROLE")
    assert Role.objects.count() == 1


@pytest.mark.parametrize(
    "name,message",
    [
        ("", "The role name must not be empty."),
        ("r" * 65, "The role name must be 64 characters or fewer (it has 65)."),
        ("bad name", "The role name contains invalid characters."),
        ("bad/name", "The role name contains invalid characters."),
    ],
)
def test_role_name_rules(root, name, message):
    with pytest.raises(ValidationError) as excinfo:
        make_role(root, name)
    assert excinfo.value.message.startswith(message)
    assert not Role.objects.exists()


def test_role_name_of_64_characters_with_all_allowed_symbols(root):
    name = ("a+=,.@_-" * 8)[:64]
    assert make_role(root, name).role_name == name


# --- malformed trust policies: AWS's messages ---------------------------------------------


@pytest.mark.parametrize(
    "document,message",
    [
        (
            trust(
                {
                    "Effect": "Allow",
                    "Principal": {"Service": "ec2.amazonaws.com"},
                    "Action": "sts:AssumeRole",
                    "Resource": "*",
                }
            ),
            "Has prohibited field Resource.",
        ),
        (trust({"Effect": "Allow", "Action": "sts:AssumeRole"}), "Missing required field Principal"),
        (
            trust(
                {"Effect": "Allow", "Principal": {"Service": "ec2.amazonaws.com"}, "Action": "s3:GetObject"}
            ),
            "AssumeRole policy may only specify STS AssumeRole actions.",
        ),
        ('{"Version": "2012-10-17", "Statement": [', "Syntax errors in policy."),
        ("", "Syntax errors in policy."),
        (
            trust({"Effect": "Allow", "Principal": {"AWS": "not-an-account"}, "Action": "sts:AssumeRole"}),
            'Invalid principal in policy: "AWS":"not-an-account"',
        ),
    ],
)
def test_malformed_trust_policies(root, document, message):
    with pytest.raises(MalformedPolicyDocument) as excinfo:
        make_role(root, "Bad", document)
    assert excinfo.value.message == message
    assert not Role.objects.exists()
    event = AuditEvent.objects.get(action="iam:CreateRole")
    assert (event.result, event.error_message) == ("MalformedPolicyDocument", message)


def test_trust_policy_size_quota_ignores_white_space(root):
    def with_sids(n):
        return trust(
            *[
                {
                    "Sid": f"S{i}",
                    "Effect": "Allow",
                    "Principal": {"AWS": f"arn:aws:iam::{i:012d}:root"},
                    "Action": "sts:AssumeRole",
                }
                for i in range(n)
            ]
        )

    n = 1
    while len(with_sids(n + 1).replace(" ", "")) <= 2048:
        n += 1
    fits = json.dumps(json.loads(with_sids(n)), indent=8)  # lots of white space, still fits
    assert len(fits) > 2048
    make_role(root, "Fits", fits)
    with pytest.raises(LimitExceeded, match="^Cannot exceed quota for ACLSizePerRole: 2048$"):
        make_role(root, "TooBig", with_sids(n + 1))
    assert list(Role.objects.values_list("name", flat=True)) == ["Fits"]


# --- session duration and description -------------------------------------------------------


@pytest.mark.parametrize(
    "value,message",
    [
        (3599, "Member must have value greater than or equal to 3600"),
        (43201, "Member must have value less than or equal to 43200"),
        (0, "Member must have value greater than or equal to 3600"),
    ],
)
def test_max_session_duration_range(root, value, message):
    with pytest.raises(ValidationError) as excinfo:
        make_role(root, max_session_duration=value)
    assert excinfo.value.message == (
        f"1 validation error detected: Value '{value}' at 'maxSessionDuration' failed to satisfy "
        f"constraint: {message}"
    )
    make_role(root, "Bounds")
    with pytest.raises(ValidationError, match=message):
        role_services.update_role(root, role_name="Bounds", max_session_duration=value)
    assert Role.objects.get(name="Bounds").max_session_duration == 3600


def test_update_role(root):
    make_role(root)
    role_services.update_role(
        root, role_name="approle", description="For the app", max_session_duration=43200
    )
    role = Role.objects.get()
    assert (role.description, role.max_session_duration) == ("For the app", 43200)
    role_services.update_role(root, role_name="AppRole", description="")
    assert Role.objects.get().description == ""
    assert Role.objects.get().max_session_duration == 43200
    with pytest.raises(ValidationError, match="Member must have length less than or equal to 1000"):
        role_services.update_role(root, role_name="AppRole", description="x" * 1001)


def test_update_assume_role_policy(root):
    make_role(root)
    new = role_services.account_trust_policy(root.account.account_id)
    role_services.update_assume_role_policy(root, role_name="AppRole", policy_document=new)
    assert Role.objects.get().assume_role_policy_document == new
    with pytest.raises(MalformedPolicyDocument, match="Has prohibited field Resource."):
        role_services.update_assume_role_policy(
            root,
            role_name="AppRole",
            policy_document=trust(
                {"Effect": "Allow", "Principal": {"AWS": "*"}, "Action": "sts:AssumeRole", "Resource": "*"}
            ),
        )
    assert Role.objects.get().assume_role_policy_document == new


def test_roles_per_account_quota(root, monkeypatch):
    monkeypatch.setattr(role_services, "ROLES_PER_ACCOUNT", 2)
    make_role(root, "R1")
    make_role(root, "R2")
    with pytest.raises(LimitExceeded, match="^Cannot exceed quota for RolesPerAccount: 2$"):
        make_role(root, "R3")
    assert Role.objects.count() == 2


# --- policies, deletion -----------------------------------------------------------------------


def test_delete_role_conflicts_then_console_delete(root):
    make_role(root)
    permission_services.attach_role_policy(
        root, role_name="AppRole", policy_arn=AWS + "AmazonS3ReadOnlyAccess"
    )
    permission_services.put_role_policy(
        root, role_name="AppRole", policy_name="Inline", policy_document=allow()
    )
    with pytest.raises(DeleteConflict, match="^Cannot delete entity, must detach all policies first.$"):
        role_services.delete_role(root, role_name="AppRole")
    permission_services.detach_role_policy(
        root, role_name="AppRole", policy_arn=AWS + "AmazonS3ReadOnlyAccess"
    )
    with pytest.raises(DeleteConflict, match="^Cannot delete entity, must delete policies first.$"):
        role_services.delete_role(root, role_name="AppRole")
    permission_services.attach_role_policy(
        root, role_name="AppRole", policy_arn=AWS + "AmazonS3ReadOnlyAccess"
    )
    role_services.console_delete_role(root, role_name="AppRole")
    assert not Role.objects.exists()
    assert not InlinePolicy.objects.exists()
    assert ManagedPolicy.objects.get(name="AmazonS3ReadOnlyAccess").attached_roles.count() == 0
    actions = set(AuditEvent.objects.filter(result="Success").values_list("action", flat=True))
    assert {"iam:DetachRolePolicy", "iam:DeleteRolePolicy", "iam:DeleteRole"} <= actions
    with pytest.raises(NoSuchEntity, match="^The role with name AppRole cannot be found.$"):
        role_services.get_role(root, role_name="AppRole")


def test_delete_role_with_a_permissions_boundary(root):
    make_role(root)
    permission_services.put_role_permissions_boundary(
        root, role_name="AppRole", permissions_boundary=AWS + "IAMReadOnlyAccess"
    )
    assert Role.objects.get().permissions_boundary.name == "IAMReadOnlyAccess"
    role_services.console_delete_role(root, role_name="AppRole")
    assert not Role.objects.exists()


def test_ten_managed_policies_per_role(root):
    make_role(root)
    arns = [
        policy_services.create_policy(root, policy_name=f"p{i}", policy_document=allow(f"s3:Get{i}")).arn
        for i in range(11)
    ]
    for arn in arns[:10]:
        permission_services.attach_role_policy(root, role_name="AppRole", policy_arn=arn)
    permission_services.attach_role_policy(root, role_name="AppRole", policy_arn=arns[0])  # already: no-op
    with pytest.raises(LimitExceeded, match="^Cannot exceed quota for PoliciesPerRole: 10$"):
        permission_services.attach_role_policy(root, role_name="AppRole", policy_arn=arns[10])
    assert Role.objects.get().attached_policies.count() == 10


def test_inline_policies_total_10240(root):
    make_role(root)

    def sized(n):
        """An identity policy of exactly ``n`` characters without white space."""
        base = allow("s3:GetObject", "arn:aws:s3:::")
        pad = n - len(base.replace(" ", ""))
        return allow("s3:GetObject", "arn:aws:s3:::" + "b" * pad)

    permission_services.put_role_policy(
        root, role_name="AppRole", policy_name="A", policy_document=sized(6000)
    )
    permission_services.put_role_policy(
        root, role_name="AppRole", policy_name="B", policy_document=sized(4240)
    )
    with pytest.raises(LimitExceeded, match="^Maximum policy size of 10240 bytes exceeded for role AppRole$"):
        permission_services.put_role_policy(
            root, role_name="AppRole", policy_name="C", policy_document=sized(100)
        )
    # replacing B by one of the same size is fine: the total counts B once
    permission_services.put_role_policy(
        root, role_name="AppRole", policy_name="B", policy_document=sized(4240)
    )
    assert sorted(InlinePolicy.objects.filter(role__name="AppRole").values_list("name", flat=True)) == [
        "A",
        "B",
    ]
    assert permission_services.get_role_policy(
        root, role_name="AppRole", policy_name="A"
    ).policy_document == sized(6000)
    with pytest.raises(NoSuchEntity, match="^The role policy with name Z cannot be found.$"):
        permission_services.get_role_policy(root, role_name="AppRole", policy_name="Z")
    with pytest.raises(NoSuchEntity, match="^The role policy with name Z cannot be found.$"):
        permission_services.delete_role_policy(root, role_name="AppRole", policy_name="Z")


def test_role_permissions_rows(root):
    make_role(root)
    permission_services.attach_role_policy(
        root, role_name="AppRole", policy_arn=AWS + "AmazonEC2ReadOnlyAccess"
    )
    permission_services.put_role_policy(
        root, role_name="AppRole", policy_name="Mine", policy_document=allow()
    )
    rows = {
        (r.policy_name, r.policy_type, r.attached_via)
        for r in permission_services.list_role_permissions(root, role_name="AppRole").rows
    }
    assert rows == {
        ("AmazonEC2ReadOnlyAccess", PolicyType.AWS_MANAGED, AttachedVia.DIRECT),
        ("Mine", PolicyType.CUSTOMER_INLINE, AttachedVia.INLINE),
    }


def test_permissions_boundary_put_and_delete(root):
    make_role(root)
    with pytest.raises(NoSuchEntity, match="does not have a permissions boundary"):
        permission_services.delete_role_permissions_boundary(root, role_name="AppRole")
    permission_services.put_role_permissions_boundary(
        root, role_name="AppRole", permissions_boundary=AWS + "IAMReadOnlyAccess"
    )
    permission_services.delete_role_permissions_boundary(root, role_name="AppRole")
    assert Role.objects.get().permissions_boundary is None


def test_console_delete_policy_detaches_roles_and_boundaries(root):
    policy = policy_services.create_policy(root, policy_name="Mine", policy_document=allow())
    make_role(root, "R1")
    make_role(root, "R2")
    permission_services.attach_role_policy(root, role_name="R1", policy_arn=policy.arn)
    permission_services.put_role_permissions_boundary(root, role_name="R2", permissions_boundary=policy.arn)
    with pytest.raises(DeleteConflict):
        policy_services.delete_policy(root, policy_arn=policy.arn)
    (counted,) = policy_services.list_policies(root, scope="Local").items
    assert (counted.attachment_count, counted.permissions_boundary_usage_count) == (1, 1)
    entities = policy_services.list_entities_for_policy(root, policy_arn=policy.arn)
    listed = (entities.roles, entities.boundary_roles, entities.users)
    assert [[e.name for e in x] for x in listed] == [["R1"], ["R2"], []]
    policy_services.console_delete_policy(root, policy_arn=policy.arn)
    assert not ManagedPolicy.objects.filter(name="Mine").exists()
    assert Role.objects.get(name="R2").permissions_boundary is None
    assert Role.objects.count() == 2


def test_bumps_the_authz_generation(root):
    before = root.account.authz_generation
    make_role(root)
    permission_services.attach_role_policy(root, role_name="AppRole", policy_arn=AWS + "IAMReadOnlyAccess")
    root.account.refresh_from_db()
    assert root.account.authz_generation > before


# --- tenancy, permissions, audit --------------------------------------------------------------


def test_other_accounts_roles_are_no_such_entity(root_factory):
    a, b = root_factory(), root_factory()
    make_role(b, "Hidden")
    for call in (
        lambda: role_services.get_role(a, role_name="Hidden"),
        lambda: role_services.delete_role(a, role_name="Hidden"),
        lambda: role_services.update_role(a, role_name="Hidden", description="x"),
        lambda: permission_services.attach_role_policy(
            a, role_name="Hidden", policy_arn=AWS + "IAMReadOnlyAccess"
        ),
        lambda: permission_services.put_role_policy(
            a, role_name="Hidden", policy_name="X", policy_document=allow()
        ),
    ):
        with pytest.raises(NoSuchEntity, match="^The role with name Hidden cannot be found.$"):
            call()
    assert list(role_services.list_roles(a)) == []
    assert Role.objects.get().attached_policies.count() == 0
    # the same name is free in another account
    assert make_role(a, "Hidden").arn.split(":")[4] == a.account_id


def test_user_without_policies_is_refused(root, user_factory):
    kim = user_factory("kim")
    with pytest.raises(AccessDenied) as excinfo:
        make_role(kim, "Mine")
    account = root.account.account_id
    assert excinfo.value.message == (
        f"User: {kim.arn} is not authorized to perform: iam:CreateRole on resource: "
        f"arn:aws:iam::{account}:role/Mine because no identity-based policy allows the iam:CreateRole action"
    )
    with pytest.raises(AccessDenied, match="iam:ListRoles on resource: arn:aws:iam::\\d{12}:role/ "):
        role_services.list_roles(kim)
    assert not Role.objects.exists()


def test_audit_events_success_and_failure(root):
    make_role(root)
    with pytest.raises(EntityAlreadyExists):
        make_role(root)
    events = list(AuditEvent.objects.filter(action="iam:CreateRole").order_by("id"))
    arn = f"arn:aws:iam::{root.account.account_id}:role/AppRole"
    assert [(e.result, e.target, e.actor_arn) for e in events] == [
        ("Success", arn, root.arn),
        ("EntityAlreadyExists", arn, root.arn),
    ]
    assert events[1].error_message == "Role with name AppRole already exists."


def test_console_create_role_is_all_or_nothing(root):
    with pytest.raises(NoSuchEntity):
        role_services.console_create_role(
            root,
            role_name="Half",
            assume_role_policy_document=EC2_TRUST,
            policy_arns=[AWS + "AmazonEC2ReadOnlyAccess", AWS + "NoSuchPolicy"],
        )
    assert not Role.objects.exists()
    # the refused attachment is still on record after the rollback
    assert AuditEvent.objects.filter(action="iam:AttachRolePolicy", result="NoSuchEntity").exists()
    role = role_services.console_create_role(
        root,
        role_name="Whole",
        assume_role_policy_document=EC2_TRUST,
        policy_arns=[AWS + "AmazonEC2ReadOnlyAccess"],
    )
    assert [p.name for p in stored(role).attached_policies.all()] == ["AmazonEC2ReadOnlyAccess"]


def test_seed_demo_creates_the_demo_role_once(db):
    import io

    from django.core.management import call_command

    for _ in range(2):
        out = io.StringIO()
        call_command("seed_demo", stdout=out)
    assert (
        "Role:        EC2ReadOnlyRole (trusted by ec2.amazonaws.com; AmazonEC2ReadOnlyAccess)"
        in out.getvalue()
    )
    role = Role.objects.get()
    assert role.name == "EC2ReadOnlyRole"
    assert role_services.trusted_entities(role.assume_role_policy_document) == ["AWS Service: ec2"]
    assert [p.name for p in role.attached_policies.all()] == ["AmazonEC2ReadOnlyAccess"]
