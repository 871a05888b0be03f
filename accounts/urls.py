from django.urls import path

from .policy_urls import urlpatterns as policy_urlpatterns
from .views import console, credentials, groups, pickers, reports, roles, tags, users

app_name = "iam"


def credential_routes(prefix, name_suffix):
    """The MFA and access-key actions, for oneself (``security-credentials/``) or a user (``users/<name>/``)."""
    return [
        path(f"{prefix}mfa/assign/", credentials.mfa_assign, name=f"mfa_assign{name_suffix}"),
        path(f"{prefix}mfa/setup/", credentials.mfa_setup, name=f"mfa_setup{name_suffix}"),
        path(
            f"{prefix}mfa/<str:device_name>/remove/", credentials.mfa_remove, name=f"mfa_remove{name_suffix}"
        ),
        path(
            f"{prefix}mfa/<str:device_name>/resync/", credentials.mfa_resync, name=f"mfa_resync{name_suffix}"
        ),
        path(
            f"{prefix}access-keys/create/",
            credentials.access_key_create,
            name=f"access_key_create{name_suffix}",
        ),
        path(
            f"{prefix}access-keys/<str:access_key_id>/activate/",
            credentials.access_key_status,
            {"status": "Active"},
            name=f"access_key_activate{name_suffix}",
        ),
        path(
            f"{prefix}access-keys/<str:access_key_id>/deactivate/",
            credentials.access_key_status,
            {"status": "Inactive"},
            name=f"access_key_deactivate{name_suffix}",
        ),
        path(
            f"{prefix}access-keys/<str:access_key_id>/delete/",
            credentials.access_key_delete,
            name=f"access_key_delete{name_suffix}",
        ),
    ]


urlpatterns = [
    path("", console.dashboard, name="dashboard"),
    path("identity-providers/", console.identity_providers, name="identity_providers"),
    path("pickers/<str:kind>/", pickers.picker_rows, name="picker"),
    path("users/", users.user_list, name="user_list"),
    path("delete-users/", users.user_delete_many, name="user_delete_many"),
    # The create pages stand outside users/, groups/ and roles/: "create" is a valid IAM name.
    path("create-user/", users.user_create, name="user_create"),
    path("users/<str:user_name>/", users.user_detail, name="user_detail"),
    path("users/<str:user_name>/delete/", users.user_delete, name="user_delete"),
    path("users/<str:user_name>/console-access/", users.user_console_access, name="user_console_access"),
    path("users/<str:user_name>/add-to-groups/", users.user_add_to_groups, name="user_add_to_groups"),
    path("users/<str:user_name>/tags/", tags.user_tags, name="user_tags"),
    path("users/<str:user_name>/tags/edit/", tags.user_tags_edit, name="user_tags_edit"),
    path(
        "users/<str:user_name>/groups/<str:group_name>/remove/",
        users.user_remove_from_group,
        name="user_remove_from_group",
    ),
    path("credentials/<str:token>.csv", users.credentials_download, name="credentials_download"),
    path("groups/", groups.group_list, name="group_list"),
    path("delete-groups/", groups.group_delete_many, name="group_delete_many"),
    path("create-group/", groups.group_create, name="group_create"),
    path("groups/<str:group_name>/", groups.group_detail, name="group_detail"),
    path("groups/<str:group_name>/add-users/", groups.group_add_users, name="group_add_users"),
    path("groups/<str:group_name>/remove-users/", groups.group_remove_users, name="group_remove_users"),
    path("groups/<str:group_name>/delete/", groups.group_delete, name="group_delete"),
    path("account-settings/", console.account_settings, name="account_settings"),
    path("account-settings/password-policy/", console.password_policy_edit, name="password_policy_edit"),
    path("account-settings/reset/", console.account_reset, name="account_reset"),
    path("account-alias/", console.account_alias_edit, name="account_alias_edit"),
    path("account-alias/delete/", console.account_alias_delete, name="account_alias_delete"),
    path("security-credentials/", console.security_credentials, name="security_credentials"),
    path("credential-report/", reports.credential_report, name="credential_report"),
    path(
        "security-credentials/password/",
        console.security_credentials_password,
        name="security_credentials_password",
    ),
    *credential_routes("security-credentials/", "_self"),
    *credential_routes("users/<str:user_name>/", ""),
    *policy_urlpatterns,
    path("roles/", roles.role_list, name="role_list"),
    path("delete-roles/", roles.role_delete_many, name="role_delete_many"),
    path("create-role/", roles.role_create, name="role_create"),
    path("roles/<str:role_name>/", roles.role_detail, name="role_detail"),
    path("roles/<str:role_name>/edit/", roles.role_edit, name="role_edit"),
    path("roles/<str:role_name>/trust-policy/", roles.role_trust_edit, name="role_trust_edit"),
    path("roles/<str:role_name>/delete/", roles.role_delete, name="role_delete"),
    path("roles/<str:role_name>/tags/", tags.role_tags, name="role_tags"),
    path("roles/<str:role_name>/tags/edit/", tags.role_tags_edit, name="role_tags_edit"),
]
