"""STS through the services: AssumeRole decided on the caller's policies and the role's trust
policy together (same account, cross-account, MFA, ExternalId, session policies, durations),
GetSessionToken, GetCallerIdentity, and the credentials turning back into principals."""

import json
from datetime import timedelta

import pytest
import time_machine
from django.utils import timezone

from accounts import authz, totp
from accounts.errors import AccessDenied, ExpiredToken, InvalidClientTokenId, ValidationError
from accounts.models import AuditEvent, Role, TemporaryCredential
from accounts.services import authentication, mfa, roles, sts
from accounts.services import permissions as permission_services
from tests.conftest import stored

AWS = "arn:aws:iam::aws:policy/"


def doc(*statements) -> str:
    return json.dumps({"Version": "2012-10-17", "Statement": list(statements)})


def allow(action="*", resource="*", **extra):
    return {"Effect": "Allow", "Action": action, "Resource": resource, **extra}


def trust(principal, **extra):
    return doc({"Effect": "Allow", "Principal": principal, "Action": "sts:AssumeRole", **extra})


def make_role(actor, name="Reader", trust_policy=None, policies=(AWS + "IAMReadOnlyAccess",), **kwargs):
    trust_policy = trust_policy or trust({"AWS": f"arn:aws:iam::{actor.account_id}:root"})
    role = roles.create_role(actor, role_name=name, assume_role_policy_document=trust_policy, **kwargs)
    for arn in policies:
        permission_services.attach_role_policy(actor, role_name=name, policy_arn=arn)
    return role


def may_assume(root, user_name, resource="*"):
    permission_services.put_user_policy(
        root,
        user_name=user_name,
        policy_name="Assume",
        policy_document=doc(allow("sts:AssumeRole", resource)),
    )


def caller_of(credentials, service="iam"):
    return authentication.caller_for_access_key(
        credentials.access_key_id, credentials.session_token, service=service
    ).principal


def test_assume_role_gives_a_session_that_acts_as_the_role(root, user_factory):
    kim = user_factory("kim")
    role = make_role(root)
    may_assume(root, "kim")
    assumed = sts.assume_role(kim, role_arn=role.arn, role_session_name="kim-session")
    assert assumed.arn == f"arn:aws:sts::{root.account_id}:assumed-role/Reader/kim-session"
    assert assumed.assumed_role_id == f"{role.role_id}:kim-session"
    creds = assumed.credentials
    assert creds.access_key_id.startswith("ASIA") and len(creds.access_key_id) == 20
    assert len(creds.secret_access_key) == 40 and len(creds.session_token) > 100
    assert timedelta(minutes=59) < creds.expiration - timezone.now() <= timedelta(hours=1)
    row = TemporaryCredential.objects.get(access_key_id=creds.access_key_id)
    assert creds.secret_access_key not in row.secret_encrypted and row.secret == creds.secret_access_key
    assert creds.session_token not in row.session_token_hash  # only its hash is kept
    session = caller_of(creds)
    assert session.arn == assumed.arn and session.source_arn == kim.arn and session.is_role_session
    # the session has the role's permissions, not kim's
    users_arn = f"arn:aws:iam::{root.account_id}:user/"
    assert authz.is_allowed(session, "iam:ListUsers", users_arn)
    assert not authz.is_allowed(session, "iam:CreateUser", users_arn + "x")
    assert not authz.is_allowed(kim, "iam:ListUsers", users_arn)
    event = AuditEvent.objects.get(action="sts:AssumeRole")
    assert (event.actor_arn, event.target, event.result) == (kim.arn, role.arn, "Success")
    assert stored(role).last_used_at is not None


def test_identity_policy_and_trust_policy_must_both_allow(root, user_factory):
    kim = user_factory("kim")
    role = make_role(root)  # trusts the account: the caller's own policies must allow it
    with pytest.raises(AccessDenied) as refused:
        sts.assume_role(kim, role_arn=role.arn, role_session_name="s1")
    assert refused.value.message == (
        f"User: {kim.arn} is not authorized to perform: sts:AssumeRole on resource: {role.arn} "
        "because no identity-based policy allows the sts:AssumeRole action"
    )
    may_assume(root, "kim", resource=role.arn)
    roles.update_assume_role_policy(
        root, role_name="Reader", policy_document=trust({"AWS": f"arn:aws:iam::{root.account_id}:user/lee"})
    )
    with pytest.raises(AccessDenied):
        sts.assume_role(kim, role_arn=role.arn, role_session_name="s2")  # the trust policy names lee only
    assert not TemporaryCredential.objects.exists()
    assert AuditEvent.objects.filter(action="sts:AssumeRole", result="AccessDenied").count() == 2


def test_a_trust_policy_naming_the_user_needs_no_identity_policy(root, user_factory):
    kim = user_factory("kim")
    role = make_role(root, trust_policy=trust({"AWS": kim.arn}))
    assert sts.assume_role(kim, role_arn=role.arn, role_session_name="direct").arn.endswith("/Reader/direct")


def test_an_unknown_role_is_refused_like_a_forbidden_one(root, user_factory):
    kim = user_factory("kim")
    may_assume(root, "kim")
    arn = f"arn:aws:iam::{root.account_id}:role/Nope"
    with pytest.raises(AccessDenied, match=f"sts:AssumeRole on resource: {arn}"):
        sts.assume_role(kim, role_arn=arn, role_session_name="s")


def test_root_cannot_assume_roles(root):
    role = make_role(root)
    with pytest.raises(AccessDenied, match="^Roles may not be assumed by root accounts.$"):
        sts.assume_role(root, role_arn=role.arn, role_session_name="s")


def test_cross_account_needs_both_sides(root_factory):
    a, b = root_factory(), root_factory()
    from accounts.services import users

    users.create_user(a, user_name="kim")
    kim = stored(users.get_user(a, user_name="kim"))
    role = make_role(b, trust_policy=trust({"AWS": f"arn:aws:iam::{a.account_id}:root"}))
    with pytest.raises(AccessDenied):
        sts.assume_role(kim, role_arn=role.arn, role_session_name="x")  # A's side does not allow
    may_assume(a, "kim", resource=role.arn)
    assumed = sts.assume_role(kim, role_arn=role.arn, role_session_name="x")
    session = caller_of(assumed.credentials)
    assert session.account_id == b.account_id and session.source_arn == kim.arn
    assert authz.is_allowed(session, "iam:ListUsers", f"arn:aws:iam::{b.account_id}:user/")
    assert not authz.is_allowed(session, "iam:ListUsers", f"arn:aws:iam::{a.account_id}:user/")
    roles.update_assume_role_policy(
        b, role_name="Reader", policy_document=trust({"AWS": "arn:aws:iam::000000000001:root"})
    )
    with pytest.raises(AccessDenied):
        sts.assume_role(kim, role_arn=role.arn, role_session_name="y")  # B's side no longer trusts A


def test_mfa_condition_on_the_trust_policy(root, user_factory):
    kim = user_factory("kim")
    may_assume(root, "kim")
    role = make_role(
        root,
        trust_policy=trust(
            {"AWS": f"arn:aws:iam::{root.account_id}:root"},
            Condition={"Bool": {"aws:MultiFactorAuthPresent": "true"}},
        ),
    )
    with pytest.raises(AccessDenied):
        sts.assume_role(kim, role_arn=role.arn, role_session_name="s")
    secret = totp.new_secret()
    step = totp.time_step()
    with time_machine.travel(step * 30 + 1, tick=False):
        device = mfa.enable_virtual_mfa_device(
            root,
            user_name="kim",
            device_name="kim-phone",
            secret=secret,
            code1=totp.code_at_step(secret, step - 1),
            code2=totp.code_at_step(secret, step),
        )
    with time_machine.travel((step + 1) * 30 + 1, tick=False):
        code = totp.code_at_step(secret, step + 1)
        with pytest.raises(AccessDenied, match="MultiFactorAuthentication failed with invalid MFA"):
            sts.assume_role(
                kim,
                role_arn=role.arn,
                role_session_name="s",
                serial_number=device.serial_number,
                token_code="000000",
            )
        assumed = sts.assume_role(
            kim, role_arn=role.arn, role_session_name="s", serial_number=device.serial_number, token_code=code
        )
        row = TemporaryCredential.objects.get(access_key_id=assumed.credentials.access_key_id)
        assert row.mfa_authenticated_at is not None
        with pytest.raises(AccessDenied):  # the same code twice: a replay
            sts.assume_role(
                kim,
                role_arn=role.arn,
                role_session_name="t",
                serial_number=device.serial_number,
                token_code=code,
            )
        with pytest.raises(AccessDenied, match="must provide both MFA serial number and one time pass code"):
            sts.assume_role(kim, role_arn=role.arn, role_session_name="u", serial_number=device.serial_number)


def test_external_id_condition(root, user_factory):
    kim = user_factory("kim")
    may_assume(root, "kim")
    role = make_role(
        root,
        trust_policy=trust(
            {"AWS": f"arn:aws:iam::{root.account_id}:root"},
            Condition={"StringEquals": {"sts:ExternalId": "class-2026"}},
        ),
    )
    with pytest.raises(AccessDenied):
        sts.assume_role(kim, role_arn=role.arn, role_session_name="s", external_id="wrong")
    assert sts.assume_role(kim, role_arn=role.arn, role_session_name="s", external_id="class-2026")


def test_durations(root, user_factory):
    kim = user_factory("kim")
    may_assume(root, "kim")
    role = make_role(root, max_session_duration=7200)
    with pytest.raises(
        ValidationError, match="^The requested DurationSeconds exceeds the MaxSessionDuration"
    ):
        sts.assume_role(kim, role_arn=role.arn, role_session_name="s", duration_seconds=7201)
    assumed = sts.assume_role(kim, role_arn=role.arn, role_session_name="s", duration_seconds=7200)
    session = caller_of(assumed.credentials)
    # role chaining: the role session (allowed sts:AssumeRole by the role) may ask for 1 hour at most
    permission_services.put_role_policy(
        root, role_name="Reader", policy_name="Chain", policy_document=doc(allow("sts:AssumeRole"))
    )
    session = caller_of(assumed.credentials)
    with pytest.raises(ValidationError, match="1 hour session limit for roles assumed by role chaining"):
        sts.assume_role(session, role_arn=role.arn, role_session_name="c", duration_seconds=3601)
    chained = sts.assume_role(session, role_arn=role.arn, role_session_name="c")
    assert caller_of(chained.credentials).source_arn == kim.arn  # the original user stays on record


def test_session_policies_narrow_the_session(root, user_factory):
    kim = user_factory("kim")
    may_assume(root, "kim")
    role = make_role(root)
    assumed = sts.assume_role(
        kim,
        role_arn=role.arn,
        role_session_name="narrow",
        policy=doc(allow("iam:ListGroups")),
    )
    assert assumed.packed_policy_size is not None and 0 < assumed.packed_policy_size < 100
    session = caller_of(assumed.credentials)
    account = root.account_id
    assert authz.is_allowed(session, "iam:ListGroups", f"arn:aws:iam::{account}:group/")
    assert not authz.is_allowed(
        session, "iam:ListUsers", f"arn:aws:iam::{account}:user/"
    )  # the role allows it


def test_expired_and_wrong_tokens_are_refused(root, user_factory):
    kim = user_factory("kim")
    may_assume(root, "kim")
    creds = sts.assume_role(kim, role_arn=make_role(root).arn, role_session_name="s").credentials
    with pytest.raises(InvalidClientTokenId, match="^The security token included in the request is invalid$"):
        authentication.caller_for_access_key(creds.access_key_id, "not-the-token", service="iam")
    with pytest.raises(InvalidClientTokenId, match=r"is invalid\.$"):
        authentication.caller_for_access_key(creds.access_key_id, None, service="sts")
    later = timezone.now() + timedelta(hours=1, seconds=1)
    expired = "^The security token included in the request is expired$"
    with time_machine.travel(later), pytest.raises(ExpiredToken, match=expired):
        caller_of(creds)


def test_deleting_the_role_ends_its_sessions(root, user_factory):
    kim = user_factory("kim")
    may_assume(root, "kim")
    creds = sts.assume_role(kim, role_arn=make_role(root).arn, role_session_name="s").credentials
    roles.console_delete_role(root, role_name="Reader")
    with pytest.raises(InvalidClientTokenId):
        caller_of(creds)


def test_get_session_token_and_its_limits(root, user_factory):
    kim = user_factory("kim")
    creds = sts.get_session_token(kim, duration_seconds=900)  # needs no policy
    row = TemporaryCredential.objects.get(access_key_id=creds.access_key_id)
    assert row.kind == "session-token" and row.mfa_authenticated_at is None
    caller = authentication.caller_for_access_key(creds.access_key_id, creds.session_token, service="iam")
    assert caller.principal.arn == kim.arn and caller.session_token_without_mfa
    with pytest.raises(AccessDenied, match="^Cannot call GetSessionToken with session credentials$"):
        sts.get_session_token(caller.principal)
    root_creds = sts.get_session_token(root, duration_seconds=7200)
    assert root_creds.expiration - timezone.now() <= timedelta(hours=1)  # root: at most one hour


def test_get_caller_identity_is_never_denied(root, user_factory):
    kim = user_factory("kim")
    permission_services.put_user_policy(
        root,
        user_name="kim",
        policy_name="DenyAll",
        policy_document=doc({"Effect": "Deny", "Action": "*", "Resource": "*"}),
    )
    me = sts.get_caller_identity(kim)
    assert (me.user_id, me.account, me.arn) == (kim.unique_id, root.account_id, kim.arn)
    assert sts.get_caller_identity(root).arn == f"arn:aws:iam::{root.account_id}:root"


def test_inactive_and_deleted_keys_are_refused(root, user_factory):
    from accounts.services import access_keys

    user_factory("kim")
    key = access_keys.create_access_key(root, user_name="kim")
    assert (
        authentication.caller_for_access_key(key.access_key_id, None, service="iam").secret
        == key.secret_access_key
    )
    access_keys.update_access_key(root, user_name="kim", access_key_id=key.access_key_id, status="Inactive")
    with pytest.raises(InvalidClientTokenId):
        authentication.caller_for_access_key(key.access_key_id, None, service="iam")
    access_keys.delete_access_key(root, user_name="kim", access_key_id=key.access_key_id)
    with pytest.raises(InvalidClientTokenId):
        authentication.caller_for_access_key(key.access_key_id, None, service="iam")


def test_open_mode_serves_unknown_keys_as_the_open_accounts_root(db, settings):
    with pytest.raises(InvalidClientTokenId):
        authentication.caller_for_access_key("AKIAUNKNOWNUNKNOWN00", None, service="iam")
    settings.API_OPEN_ACCOUNT = "123456789012"
    caller = authentication.caller_for_access_key("AKIAUNKNOWNUNKNOWN00", None, service="iam")
    assert caller.secret is None and caller.principal.arn == "arn:aws:iam::123456789012:root"
    again = authentication.caller_for_access_key("ASIAUNKNOWNUNKNOWN00", "token", service="sts")
    assert again.principal.account_id == "123456789012"
    assert Role.objects.count() == 0  # an empty account, created once


def test_reset_account_keeps_only_the_account_and_its_root(root, user_factory, group_factory):
    from accounts.models import AccessKey, Group, Identity, InstanceProfile, ManagedPolicy, MFADevice
    from accounts.services import access_keys, account, instance_profiles, policies

    user_factory("kim", groups=[group_factory("Devs").name])
    may_assume(root, "kim")
    make_role(root)
    policies.create_policy(root, policy_name="Mine", policy_document=doc(allow()))
    instance_profiles.create_instance_profile(root, instance_profile_name="Profile")
    access_keys.create_access_key(root)
    access_keys.create_access_key(root, user_name="kim")
    account.create_account_alias(root, account_alias=f"class-{root.account_id}")
    account.update_account_password_policy(root, minimum_password_length=12)
    sts.assume_role(
        stored_user(root, "kim"),
        role_arn=f"arn:aws:iam::{root.account_id}:role/Reader",
        role_session_name="s",
    )
    with pytest.raises(AccessDenied):
        account.reset_account(stored_user(root, "kim"))
    counts = account.reset_account(root)
    assert counts["users"] == 1 and counts["roles"] == 1 and counts["groups"] == 1 and counts["alias"] == 1
    assert Identity.objects.filter(account_id=root.account_id).count() == 1  # the root user
    for model in (Group, Role, InstanceProfile, TemporaryCredential, MFADevice):
        assert not model.objects.filter(account_id=root.account_id).exists(), model
    assert not ManagedPolicy.objects.filter(account_id=root.account_id).exists()
    assert not AccessKey.objects.filter(identity__account_id=root.account_id).exists()
    assert ManagedPolicy.objects.filter(account__isnull=True).exists()  # AWS's stay
    root.refresh_from_db()
    assert root.account.alias is None and root.check_password("Root-Passw0rd!")
    assert AuditEvent.objects.get(action="iamconsole:ResetAccount", result="Success").detail["users"] == 1


def stored_user(root, name):
    from accounts.models import Identity

    return Identity.objects.select_related("account").get(account_id=root.account_id, name=name)
