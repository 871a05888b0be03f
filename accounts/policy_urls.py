"""URL patterns of the policy pages and the policy simulator (included in the ``iam`` namespace).

Managed policies are addressed by ARN in the query string (``?arn=…``), inline policies by
``?policy_name=…``: AWS and customer managed policies can share a name, and the URL walk of
the tests knows only user, group and role names as path arguments.
"""

from django.urls import path

from .views import policies, simulator


def owner_routes(kind: str) -> list:
    """The Permissions tab's actions for ``users/<user_name>/…``, ``groups/<group_name>/…`` or
    ``roles/<role_name>/…``."""
    prefix = f"{kind}s/<str:{kind}_name>/"
    view = lambda name: getattr(policies, f"{kind}_{name}")  # noqa: E731 - a local shorthand
    return [
        path(f"{prefix}attach-policies/", view("attach_policies"), name=f"{kind}_attach_policies"),
        path(f"{prefix}detach-policy/", view("detach_policy"), name=f"{kind}_detach_policy"),
        path(f"{prefix}inline-policies/", view("inline_policy_detail"), name=f"{kind}_inline_policy_detail"),
        path(
            f"{prefix}inline-policies/create/",
            view("inline_policy_create"),
            name=f"{kind}_inline_policy_create",
        ),
        path(f"{prefix}inline-policies/edit/", view("inline_policy_edit"), name=f"{kind}_inline_policy_edit"),
        path(
            f"{prefix}inline-policies/delete/",
            view("inline_policy_delete"),
            name=f"{kind}_inline_policy_delete",
        ),
    ]


urlpatterns = [
    path("policies/", policies.policy_list, name="policy_list"),
    path("policies/create/", policies.policy_create, name="policy_create"),
    path("policies/detail/", policies.policy_detail, name="policy_detail"),
    path("policies/edit/", policies.policy_edit, name="policy_edit"),
    path("policies/delete/", policies.policy_delete, name="policy_delete"),
    path("policies/versions/", policies.policy_version_detail, name="policy_version_detail"),
    path(
        "policies/versions/set-default/",
        policies.policy_version_set_default,
        name="policy_version_set_default",
    ),
    path("policies/versions/delete/", policies.policy_version_delete, name="policy_version_delete"),
    path("policies/attach/", policies.policy_attach_entities, name="policy_attach_entities"),
    path("policies/detach/", policies.policy_detach_entities, name="policy_detach_entities"),
    path("policy-simulator/", simulator.policy_simulator, name="policy_simulator"),
    *owner_routes("user"),
    *owner_routes("group"),
    *owner_routes("role"),
    path(
        "users/<str:user_name>/permissions-boundary/",
        policies.user_permissions_boundary,
        name="user_permissions_boundary",
    ),
    path(
        "users/<str:user_name>/permissions-boundary/delete/",
        policies.user_permissions_boundary_delete,
        name="user_permissions_boundary_delete",
    ),
    path(
        "roles/<str:role_name>/permissions-boundary/",
        policies.role_permissions_boundary,
        name="role_permissions_boundary",
    ),
    path(
        "roles/<str:role_name>/permissions-boundary/delete/",
        policies.role_permissions_boundary_delete,
        name="role_permissions_boundary_delete",
    ),
]
