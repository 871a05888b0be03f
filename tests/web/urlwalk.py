"""The URL walk the web tests share: every named URL pattern with its path arguments, and an
account populated with the objects those arguments (and the policy pages' query strings) name.
"""

import json

from django.urls import URLPattern, URLResolver, get_resolver, reverse

SAMPLE_KWARGS = {
    "user_name": "kim",
    "group_name": "Admins",
    "role_name": "AppRole",
    "token": "tok",
    "account": "123456789012",
    "device_name": "phone",
    "access_key_id": "AKIAAAAAAAAAAAAAAAAA",
    "kind": "users",
}


def all_url_names():
    def walk(patterns, prefix=""):
        for p in patterns:
            if isinstance(p, URLResolver):
                ns = f"{p.namespace}:" if p.namespace else ""
                yield from walk(p.url_patterns, prefix + ns)
            elif isinstance(p, URLPattern) and p.name:
                yield prefix + p.name, list(p.pattern.converters)

    return sorted({(name, tuple(args)) for name, args in walk(get_resolver().url_patterns)})


def url_for(name, args, values=None):
    """The URL of pattern ``name`` with its ``args`` taken from ``values`` (default SAMPLE_KWARGS)."""
    values = SAMPLE_KWARGS if values is None else values
    return reverse(name, kwargs={a: values[a] for a in args})


CONSOLE_URLS = [(n, a) for n, a in all_url_names() if n.startswith("iam:")]


def _doc(*statements) -> str:
    return json.dumps({"Version": "2012-10-17", "Statement": list(statements)})


ALLOW_LIST_USERS = _doc({"Effect": "Allow", "Action": "iam:ListUsers", "Resource": "*"})
ALLOW_LIST_GROUPS = _doc({"Effect": "Allow", "Action": "iam:ListGroups", "Resource": "*"})
AWS_READ_ONLY = "arn:aws:iam::aws:policy/IAMReadOnlyAccess"


def populate_account(root) -> dict:
    """Give ``root``'s account one of everything a console URL can name.

    kim (console password, in Admins, MFA device ``phone``, an access key, inline policy
    ``Inline``, the customer policy ``Lists`` attached and as boundary); lee (no group); the
    group Admins and the role AppRole (each with ``Inline`` and ``Lists`` attached, the role with a
    boundary); ``Lists`` with versions v1 and v2; the root's own MFA device ``rootphone`` and
    access key; an account alias and a custom password policy.

    Returns the values to build URLs with: ``values(name)`` gives the path arguments of
    pattern ``name`` (a ``*_self`` pattern names the root's own device and key), ``query``
    the policy pages' query string values (``arn``, ``policy_name``, ``version_id``).
    """
    from accounts import crypto, totp
    from accounts.models import Identity, MFADevice
    from accounts.services import access_keys as key_services
    from accounts.services import account as account_services
    from accounts.services import groups as group_services
    from accounts.services import permissions as permission_services
    from accounts.services import policies as policy_services
    from accounts.services import roles as role_services
    from accounts.services import users as user_services
    from accounts.services.mfa import mfa_serial_number

    user_services.console_create_user(root, user_name="kim", console_access=True, custom_password="Abcdefg1!")
    user_services.console_create_user(root, user_name="lee", console_access=False)
    group_services.create_group(root, group_name="Admins")
    group_services.add_user_to_group(root, group_name="Admins", user_name="kim")
    role_services.create_role(
        root,
        role_name="AppRole",
        assume_role_policy_document=role_services.service_trust_policy("ec2.amazonaws.com"),
    )
    policy = policy_services.create_policy(root, policy_name="Lists", policy_document=ALLOW_LIST_USERS)
    policy_services.create_policy_version(
        root, policy_arn=policy.arn, policy_document=ALLOW_LIST_GROUPS, set_as_default=True
    )
    for kind, owner in (("user", "kim"), ("group", "Admins"), ("role", "AppRole")):
        actions = permission_services.OWNER_ACTIONS[kind]
        actions.attach(root, policy_arn=policy.arn, **{f"{kind}_name": owner})
        actions.put_inline(
            root, policy_name="Inline", policy_document=ALLOW_LIST_USERS, **{f"{kind}_name": owner}
        )
    permission_services.attach_user_policy(root, user_name="kim", policy_arn=AWS_READ_ONLY)
    permission_services.put_user_permissions_boundary(root, user_name="kim", permissions_boundary=policy.arn)
    permission_services.put_role_permissions_boundary(
        root, role_name="AppRole", permissions_boundary=AWS_READ_ONLY
    )
    kim_key = key_services.create_access_key(root, user_name="kim")
    root_key = key_services.create_access_key(root)
    kim = Identity.objects.get(account_id=root.account_id, name="kim")
    for identity, device in ((kim, "phone"), (root, "rootphone")):
        MFADevice.objects.create(
            identity=identity,
            account_id=root.account_id,
            name=device,
            serial_number=mfa_serial_number(root, device),
            secret_encrypted=crypto.encrypt(totp.new_secret()),
            last_used_step=0,
        )
    account_services.create_account_alias(root, account_alias=f"alias-{root.account.account_id}")
    account_services.update_account_password_policy(root, minimum_password_length=9)

    other = {**SAMPLE_KWARGS, "access_key_id": kim_key.access_key_id}
    own = {**other, "device_name": "rootphone", "access_key_id": root_key.access_key_id}
    return {
        "values": lambda name: own if name.endswith("_self") else other,
        "query": {"arn": policy.arn, "policy_name": "Inline", "version_id": "v1"},
        "policy_arn": policy.arn,
    }
