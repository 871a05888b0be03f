"""URL patterns of the policy pages, the Permissions panels and the policy simulator (included
in the ``iam`` namespace).

Managed policies are addressed by ARN in the query string (``?arn=…``), inline policies by
``?policy_name=…``: AWS and customer managed policies can share a name, and the URL walk of
the tests knows only user, group and role names as path arguments.
"""

import functools

from django.urls import path

from .views import permissions, policies, simulator, tags


def for_kind(view, kind: str):
    """``view(request, kind, name)`` as the view of ``<kind>s/<str:<kind>_name>/…``."""

    @functools.wraps(view)
    def owner_view(request, **kwargs):
        return view(request, kind, kwargs[f"{kind}_name"])

    return owner_view


def owner_routes(kind: str) -> list:
    """The Permissions tab's actions for ``users/<user_name>/…``, ``groups/<group_name>/…`` or
    ``roles/<role_name>/…``."""
    prefix = f"{kind}s/<str:{kind}_name>/"
    routes = [
        ("attach-policies/", permissions.attach_policies, "attach_policies"),
        ("detach-policy/", permissions.detach_policy, "detach_policy"),
        ("inline-policies/", permissions.inline_policy_detail, "inline_policy_detail"),
        ("inline-policies/create/", permissions.inline_policy_create, "inline_policy_create"),
        ("inline-policies/edit/", permissions.inline_policy_edit, "inline_policy_edit"),
        ("inline-policies/delete/", permissions.inline_policy_delete, "inline_policy_delete"),
    ]
    if kind != "group":
        routes += [
            ("permissions-boundary/", permissions.permissions_boundary, "permissions_boundary"),
            (
                "permissions-boundary/delete/",
                permissions.permissions_boundary_delete,
                "permissions_boundary_delete",
            ),
        ]
    return [path(prefix + route, for_kind(view, kind), name=f"{kind}_{name}") for route, view, name in routes]


urlpatterns = [
    path("policies/", policies.policy_list, name="policy_list"),
    path("delete-policies/", policies.policy_delete_many, name="policy_delete_many"),
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
    path("policies/tags/", tags.policy_tags_edit, name="policy_tags_edit"),
    path("policy-simulator/", simulator.policy_simulator, name="policy_simulator"),
    *owner_routes("user"),
    *owner_routes("group"),
    *owner_routes("role"),
]
