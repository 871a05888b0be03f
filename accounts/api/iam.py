"""The IAM API: ``Action`` → the service function for that IAM action, AWS parameters in, AWS
response members out. Each entry is a thin translation; the services decide, validate, write
and audit. Documents of ``policyDocumentType`` are URL-encoded on the way out by the endpoint.
"""

import re

from ..services import (
    access_keys,
    account,
    credential_report,
    credentials,
    groups,
    instance_profiles,
    mfa,
    permissions,
    policies,
    roles,
    simulator,
    tags,
    users,
)
from .adapt import call, page, to_aws, wrap


def simple(fn, result=None, **options):
    """A handler that calls ``fn`` with the parameters and shapes its result with ``result``."""

    def handler(actor, params, info):
        found = call(fn, actor, params, **options)
        return result(found) if result else None

    handler.service_function = fn
    return handler


def _names(key: str):
    return page(key, convert=lambda name: name)


def _group_with_users(found) -> dict:
    group, members = found
    return {"Group": to_aws(group), **page("Users")(members)}


def _versions(found) -> dict:
    # ListPolicyVersions carries no documents (GetPolicyVersion does)
    return {
        "Versions": [
            {"VersionId": v.version_id, "IsDefaultVersion": v.is_default_version, "CreateDate": v.create_date}
            for v in found.items
        ],
        "IsTruncated": False,
    }


def _entities(found) -> dict:
    def items(kind, id_key, entities):
        return [{f"{kind}Name": e.name, id_key: e.id} for e in entities]

    return {
        "PolicyUsers": items("User", "UserId", found.users + found.boundary_users),
        "PolicyGroups": items("Group", "GroupId", found.groups),
        "PolicyRoles": items("Role", "RoleId", found.roles + found.boundary_roles),
        "IsTruncated": False,
    }


def _inline(owner_key: str):
    def result(found) -> dict:
        return {
            owner_key: found.owner_name,
            "PolicyName": found.policy_name,
            "PolicyDocument": found.policy_document,
        }

    return result


def _password_policy(rules) -> dict:
    policy = {
        "MinimumPasswordLength": rules.minimum_password_length,
        "RequireSymbols": rules.require_symbols,
        "RequireNumbers": rules.require_numbers,
        "RequireUppercaseCharacters": rules.require_uppercase_characters,
        "RequireLowercaseCharacters": rules.require_lowercase_characters,
        "AllowUsersToChangePassword": rules.allow_users_to_change_password,
        "ExpirePasswords": bool(rules.max_password_age),
        "HardExpiry": rules.hard_expiry,
    }
    if rules.max_password_age:
        policy["MaxPasswordAge"] = rules.max_password_age
    if rules.password_reuse_prevention:
        policy["PasswordReusePrevention"] = rules.password_reuse_prevention
    return {"PasswordPolicy": policy}


def _virtual_mfa_device(found) -> dict:
    return {
        "VirtualMFADevice": {
            "SerialNumber": found["serial_number"],
            "Base32StringSeed": found["base32_string_seed"],
            "QRCodePNG": found["qr_code_png"],
        }
    }


def _virtual_mfa_devices(found) -> dict:
    def item(entry):
        serial, enabled, user = entry
        out = {"SerialNumber": serial}
        if enabled is not None:
            out["EnableDate"] = enabled
        if user is not None:
            out["User"] = to_aws(user)
        return out

    return page("VirtualMFADevices", convert=item)(found)


def _last_used(found) -> dict:
    owner, last_used = found
    used = {"ServiceName": last_used.service_name, "Region": last_used.region}
    if last_used.last_used_date is not None:
        used["LastUsedDate"] = last_used.last_used_date
    return {"UserName": owner, "AccessKeyLastUsed": used}


def _statement(st, sources: dict) -> dict:
    policy_id, policy_type = sources.get(st.policy_id) or _source(st.policy_id, "")
    out = {"SourcePolicyId": policy_id, "SourcePolicyType": policy_type}
    if st.start is not None:
        out["StartPosition"] = {"Line": st.start.line, "Column": st.start.column}
    if st.end is not None:
        out["EndPosition"] = {"Line": st.end.line, "Column": st.end.column}
    return out


_CUSTOM_INPUT = re.compile(r"Policy (\d+)")
_OWNER_TYPES = {"User": "user", "Role": "role", "User group": "group"}


def _source(label: str, subject: str) -> tuple[str, str]:
    """AWS's SourcePolicyId and SourcePolicyType of a policy the simulator considered, from the
    gate's label (``Name``, ``Name (group G)``, ``Name (inline)``, ``Name (inline, group G)``,
    ``Name (permissions boundary)``, the console's ``Policy 1`` for pasted documents) and the
    simulation's subject (``User kim``): the policy's own name, and user/group/role for inline
    policies, aws-managed/user-managed for managed ones, ``IAM Policy`` for input documents."""
    if label == "ResourcePolicy":
        return label, "resource"
    pasted = _CUSTOM_INPUT.fullmatch(label)
    if pasted:
        return f"PolicyInputList.{pasted.group(1)}", "IAM Policy"
    if label == "Permissions boundary":
        return "PermissionsBoundaryPolicyInputList.1", "IAM Policy"
    if label.startswith(("PolicyInputList.", "PermissionsBoundaryPolicyInputList.")):
        return label, "IAM Policy"
    # IAM names hold no spaces: what follows the first one is how the policy applies
    name, _, how = label.partition(" (")
    if how == "inline)":
        return name, _OWNER_TYPES.get(subject.rpartition(" ")[0], "user")
    if how.startswith("inline, group "):
        return name, "group"
    return name, "aws-managed" if name in policies.aws_managed_catalogue() else "user-managed"


def _simulation(found) -> dict:
    sources = {label: _source(label, found.subject) for label in found.considered}
    results = []
    for r in found.results:
        decision = r.decision
        item = {
            "EvalActionName": r.eval_action_name,
            "EvalResourceName": r.eval_resource_name,
            "EvalDecision": r.eval_decision,
            "MatchedStatements": [_statement(st, sources) for st in decision.matched_statements],
            "MissingContextValues": list(decision.missing_context_values),
        }
        if decision.allowed_by_boundary is not None:
            item["PermissionsBoundaryDecisionDetail"] = {
                "AllowedByPermissionsBoundary": decision.allowed_by_boundary
            }
        results.append(item)
    return {"EvaluationResults": results, "IsTruncated": False}


HANDLERS = {
    # users and login profiles
    "CreateUser": simple(users.create_user, wrap("User")),
    "GetUser": simple(users.get_user, wrap("User")),
    "ListUsers": simple(users.list_users, page("Users")),
    "UpdateUser": simple(users.update_user),
    "DeleteUser": simple(users.delete_user),
    "CreateLoginProfile": simple(
        users.create_login_profile, wrap("LoginProfile"), caller_default="user_name"
    ),
    "GetLoginProfile": simple(users.get_login_profile, wrap("LoginProfile")),
    "UpdateLoginProfile": simple(users.update_login_profile),
    "DeleteLoginProfile": simple(users.delete_login_profile, caller_default="user_name"),
    "ChangePassword": simple(credentials.change_password),
    "ListGroupsForUser": simple(users.list_groups_for_user, page("Groups")),
    # groups
    "CreateGroup": simple(groups.create_group, wrap("Group")),
    "GetGroup": simple(groups.get_group, _group_with_users),
    "ListGroups": simple(groups.list_groups, page("Groups")),
    "UpdateGroup": simple(groups.update_group),
    "DeleteGroup": simple(groups.delete_group),
    "AddUserToGroup": simple(groups.add_user_to_group),
    "RemoveUserFromGroup": simple(groups.remove_user_from_group),
    # access keys
    "CreateAccessKey": simple(access_keys.create_access_key, wrap("AccessKey")),
    "ListAccessKeys": simple(access_keys.list_access_keys, page("AccessKeyMetadata")),
    "UpdateAccessKey": simple(access_keys.update_access_key),
    "DeleteAccessKey": simple(access_keys.delete_access_key),
    "GetAccessKeyLastUsed": simple(access_keys.get_access_key_last_used, _last_used),
    # MFA
    "CreateVirtualMFADevice": simple(mfa.create_virtual_mfa_device, _virtual_mfa_device),
    "EnableMFADevice": simple(mfa.enable_mfa_device),
    "DeactivateMFADevice": simple(mfa.deactivate_mfa_device),
    "DeleteVirtualMFADevice": simple(mfa.delete_virtual_mfa_device),
    "ResyncMFADevice": simple(mfa.resync_mfa_device),
    "ListMFADevices": simple(mfa.list_mfa_devices, page("MFADevices")),
    "ListVirtualMFADevices": simple(mfa.list_virtual_mfa_devices, _virtual_mfa_devices),
    # the account
    "GetAccountPasswordPolicy": simple(account.get_account_password_policy, _password_policy),
    "UpdateAccountPasswordPolicy": simple(account.update_account_password_policy),
    "DeleteAccountPasswordPolicy": simple(account.delete_account_password_policy),
    "CreateAccountAlias": simple(account.create_account_alias),
    "DeleteAccountAlias": simple(account.delete_account_alias),
    "ListAccountAliases": simple(account.list_account_aliases, _names("AccountAliases")),
    "GetAccountSummary": simple(account.get_account_summary, lambda s: {"SummaryMap": s.summary_map}),
    "GenerateCredentialReport": simple(credential_report.generate_credential_report, to_aws),
    "GetCredentialReport": simple(credential_report.get_credential_report, to_aws),
    # managed policies and versions
    "CreatePolicy": simple(policies.create_policy, wrap("Policy")),
    "GetPolicy": simple(policies.get_policy, wrap("Policy")),
    "ListPolicies": simple(policies.list_policies, page("Policies")),
    "DeletePolicy": simple(policies.delete_policy),
    "CreatePolicyVersion": simple(policies.create_policy_version, wrap("PolicyVersion")),
    "GetPolicyVersion": simple(policies.get_policy_version, wrap("PolicyVersion")),
    "ListPolicyVersions": simple(policies.list_policy_versions, _versions),
    "DeletePolicyVersion": simple(policies.delete_policy_version),
    "SetDefaultPolicyVersion": simple(policies.set_default_policy_version),
    "ListEntitiesForPolicy": simple(policies.list_entities_for_policy, _entities),
    # attachments, inline policies, boundaries
    "AttachUserPolicy": simple(permissions.attach_user_policy),
    "DetachUserPolicy": simple(permissions.detach_user_policy),
    "ListAttachedUserPolicies": simple(permissions.list_attached_user_policies, page("AttachedPolicies")),
    "AttachGroupPolicy": simple(permissions.attach_group_policy),
    "DetachGroupPolicy": simple(permissions.detach_group_policy),
    "ListAttachedGroupPolicies": simple(permissions.list_attached_group_policies, page("AttachedPolicies")),
    "AttachRolePolicy": simple(permissions.attach_role_policy),
    "DetachRolePolicy": simple(permissions.detach_role_policy),
    "ListAttachedRolePolicies": simple(permissions.list_attached_role_policies, page("AttachedPolicies")),
    "PutUserPolicy": simple(permissions.put_user_policy),
    "GetUserPolicy": simple(permissions.get_user_policy, _inline("UserName")),
    "DeleteUserPolicy": simple(permissions.delete_user_policy),
    "ListUserPolicies": simple(permissions.list_user_policies, _names("PolicyNames")),
    "PutGroupPolicy": simple(permissions.put_group_policy),
    "GetGroupPolicy": simple(permissions.get_group_policy, _inline("GroupName")),
    "DeleteGroupPolicy": simple(permissions.delete_group_policy),
    "ListGroupPolicies": simple(permissions.list_group_policies, _names("PolicyNames")),
    "PutRolePolicy": simple(permissions.put_role_policy),
    "GetRolePolicy": simple(permissions.get_role_policy, _inline("RoleName")),
    "DeleteRolePolicy": simple(permissions.delete_role_policy),
    "ListRolePolicies": simple(permissions.list_role_policies, _names("PolicyNames")),
    "PutUserPermissionsBoundary": simple(permissions.put_user_permissions_boundary),
    "DeleteUserPermissionsBoundary": simple(permissions.delete_user_permissions_boundary),
    "PutRolePermissionsBoundary": simple(permissions.put_role_permissions_boundary),
    "DeleteRolePermissionsBoundary": simple(permissions.delete_role_permissions_boundary),
    # roles
    "CreateRole": simple(roles.create_role, wrap("Role")),
    "GetRole": simple(roles.get_role, wrap("Role")),
    "ListRoles": simple(roles.list_roles, page("Roles")),
    "UpdateRole": simple(roles.update_role),
    "UpdateRoleDescription": simple(roles.update_role_description, wrap("Role")),
    "UpdateAssumeRolePolicy": simple(roles.update_assume_role_policy),
    "DeleteRole": simple(roles.delete_role),
    # instance profiles
    "CreateInstanceProfile": simple(instance_profiles.create_instance_profile, wrap("InstanceProfile")),
    "GetInstanceProfile": simple(instance_profiles.get_instance_profile, wrap("InstanceProfile")),
    "ListInstanceProfiles": simple(instance_profiles.list_instance_profiles, page("InstanceProfiles")),
    "ListInstanceProfilesForRole": simple(
        instance_profiles.list_instance_profiles_for_role, page("InstanceProfiles")
    ),
    "AddRoleToInstanceProfile": simple(instance_profiles.add_role_to_instance_profile),
    "RemoveRoleFromInstanceProfile": simple(instance_profiles.remove_role_from_instance_profile),
    "DeleteInstanceProfile": simple(instance_profiles.delete_instance_profile),
    # tags
    "TagUser": simple(tags.tag_user),
    "UntagUser": simple(tags.untag_user),
    "ListUserTags": simple(tags.list_user_tags, page("Tags")),
    "TagRole": simple(tags.tag_role),
    "UntagRole": simple(tags.untag_role),
    "ListRoleTags": simple(tags.list_role_tags, page("Tags")),
    "TagPolicy": simple(tags.tag_policy),
    "UntagPolicy": simple(tags.untag_policy),
    "ListPolicyTags": simple(tags.list_policy_tags, page("Tags")),
    "TagInstanceProfile": simple(tags.tag_instance_profile),
    "UntagInstanceProfile": simple(tags.untag_instance_profile),
    "ListInstanceProfileTags": simple(tags.list_instance_profile_tags, page("Tags")),
    # the policy simulator
    "SimulatePrincipalPolicy": simple(simulator.simulate_principal_policy, _simulation),
    "SimulateCustomPolicy": simple(simulator.simulate_custom_policy, _simulation),
}
