"""The Permissions panels of users and groups: attach and detach managed policies, inline
policies, the permissions boundary, and who may do it."""

import pytest
from django.template.loader import render_to_string
from django.test import RequestFactory
from django.urls import reverse

from accounts.models import Group, Identity, InlinePolicy, ManagedPolicy
from accounts.principals import principal_for_identity
from accounts.services import groups as group_services
from accounts.services import permissions as permission_services
from accounts.services import policies as policy_services
from accounts.views.permissions import permissions_context
from tests.web.test_policy_views import AWS, SYNTAX_ERROR, allow, denied, doc, readonly


def page(name, owner, **params):
    query = "&".join(f"{k}={v}" for k, v in params.items())
    return reverse(f"iam:{name}", args=[owner]) + (f"?{query}" if query else "")


def customer_policies(root, count, prefix="p"):
    return [
        policy_services.create_policy(
            root, policy_name=f"{prefix}{i}", policy_document=doc(allow(f"s3:Get{i}"))
        ).arn
        for i in range(count)
    ]


def render_panel(actor, template, kind, entity):
    request = RequestFactory().get("/")
    request.user = actor
    request.principal = principal_for_identity(actor, fresh=True)
    context = permissions_context(request, kind, getattr(entity, "group_name", None) or entity.name)
    return context, render_to_string(template, context, request=request)


def row(r) -> dict:
    """A Permissions-tab row as the page words it: name, type and where it comes from."""
    source = {"direct": "Attached directly", "inline": "Inline"}.get(r.attached_via, f"Group {r.group_name}")
    return {"name": r.policy_name, "type": r.policy_type.label, "source": source}


# --- the Permissions tab ----------------------------------------------------------------------


def test_user_permissions_lists_every_source(root, user_factory, group_factory):
    group_factory("Devs")
    kim = user_factory("kim", groups=("Devs",))
    permission_services.attach_user_policy(root, user_name="kim", policy_arn=AWS + "IAMReadOnlyAccess")
    permission_services.attach_group_policy(
        root, group_name="Devs", policy_arn=AWS + "AmazonS3ReadOnlyAccess"
    )
    permission_services.attach_group_policy(root, group_name="Devs", policy_arn=AWS + "job-function/Billing")
    permission_services.put_user_policy(
        root, user_name="kim", policy_name="Mine", policy_document=doc(allow())
    )
    permission_services.put_group_policy(
        root, group_name="Devs", policy_name="Theirs", policy_document=doc(allow())
    )
    context, html = render_panel(root, "iam/_permissions_panel.html", "user", kim)
    rows = {(r["name"], r["type"], r["source"]) for r in map(row, context["permission_rows"])}
    assert rows == {
        ("IAMReadOnlyAccess", "AWS managed", "Attached directly"),
        ("Mine", "Customer inline", "Inline"),
        ("AmazonS3ReadOnlyAccess", "AWS managed", "Group Devs"),
        ("Billing", "AWS managed - job function", "Group Devs"),
        ("Theirs", "Customer inline", "Group Devs"),
    }
    assert 'Permissions policies <span class="cs-counter">(5)</span>' in html
    assert html.count('data-testid="permission-row"') == 5
    assert reverse("iam:user_detach_policy", args=["kim"]) in html
    assert html.count('aria-label="Remove ') == 2  # directly attached and inline; not the group's
    assert "Set permissions boundary" in html and "No permissions boundary is set" in html


def test_user_permissions_panel_with_a_boundary(root, user_factory):
    kim = user_factory("kim")
    permission_services.put_user_permissions_boundary(
        root, user_name="kim", permissions_boundary=AWS + "PowerUserAccess"
    )
    kim = Identity.objects.get(pk=kim.pk)
    context, html = render_panel(root, "iam/_permissions_panel.html", "user", kim)
    assert context["permissions_boundary"].policy_name == "PowerUserAccess"
    assert "Remove boundary" in html and "Change boundary" in html
    assert reverse("iam:user_permissions_boundary_delete", args=["kim"]) in html


def test_group_permissions_panel(root, group_factory):
    group = group_factory("Devs")
    permission_services.attach_group_policy(
        root, group_name="Devs", policy_arn=AWS + "AmazonS3ReadOnlyAccess"
    )
    permission_services.put_group_policy(
        root, group_name="Devs", policy_name="Inline1", policy_document=doc(allow())
    )
    context, html = render_panel(root, "iam/_permissions_panel.html", "group", group)
    assert [(r["name"], r["source"]) for r in map(row, context["permission_rows"])] == [
        ("AmazonS3ReadOnlyAccess", "Attached directly"),
        ("Inline1", "Inline"),
    ]
    assert 'Permissions policies <span class="cs-counter">(2)</span>' in html
    assert reverse("iam:group_attach_policies", args=["Devs"]) in html
    assert reverse("iam:group_detach_policy", args=["Devs"]) in html
    assert "Every user in the group gets these permissions." in html
    assert "Permissions boundary" not in html  # groups have none


def test_permissions_panel_shows_the_denial_to_a_user_without_permission(root, user_factory):
    kim = user_factory("kim")
    context, html = render_panel(kim, "iam/_permissions_panel.html", "user", kim)
    assert "permission_rows" not in context
    assert f"User: {kim.arn} is not authorized to perform: iam:ListAttachedUserPolicies" in html


def test_user_page_opens_on_the_permissions_tab(root, root_client, user_factory, group_factory):
    group_factory("Devs")
    user_factory("kim", groups=("Devs",))
    permission_services.attach_group_policy(
        root, group_name="Devs", policy_arn=AWS + "AmazonS3ReadOnlyAccess"
    )
    permission_services.put_user_policy(
        root, user_name="kim", policy_name="Mine", policy_document=doc(allow())
    )
    for url in (page("user_detail", "kim"), page("user_detail", "kim", tab="nonsense")):
        response = root_client.get(url)
        html = response.content.decode()
        assert response.status_code == 200
        assert 'Permissions policies <span class="cs-counter">(2)</span>' in html
        assert (
            "AmazonS3ReadOnlyAccess" in html
            and f'Group <a href="{page("group_detail", "Devs")}">Devs</a>' in html
            and "Mine" in html
        )
    other_tab = root_client.get(page("user_detail", "kim", tab="groups")).content.decode()
    assert "AmazonS3ReadOnlyAccess" not in other_tab


def test_group_page_has_a_permissions_tab(root, root_client, group_factory):
    group_factory("Devs")
    permission_services.attach_group_policy(
        root, group_name="Devs", policy_arn=AWS + "AmazonS3ReadOnlyAccess"
    )
    html = root_client.get(page("group_detail", "Devs", tab="permissions")).content.decode()
    assert 'Permissions policies <span class="cs-counter">(1)</span>' in html
    assert "AmazonS3ReadOnlyAccess" in html
    users_tab = root_client.get(page("group_detail", "Devs")).content.decode()
    assert "Users in this group" in users_tab and "AmazonS3ReadOnlyAccess" not in users_tab


def test_user_permissions_tab_queries_do_not_grow(
    root, root_client, user_factory, group_factory, django_assert_max_num_queries
):
    def grow(prefix, count):
        for i in range(count):
            group_factory(f"{prefix}{i}")
            group_services.add_user_to_group(root, group_name=f"{prefix}{i}", user_name="kim")
            permission_services.attach_group_policy(
                root, group_name=f"{prefix}{i}", policy_arn=AWS + "IAMReadOnlyAccess"
            )
            permission_services.put_group_policy(
                root, group_name=f"{prefix}{i}", policy_name="In", policy_document=doc(allow())
            )

    user_factory("kim")
    grow("a", 1)
    with django_assert_max_num_queries(40) as few:
        assert root_client.get(page("user_detail", "kim")).status_code == 200
    grow("b", 8)
    with django_assert_max_num_queries(len(few.captured_queries)):
        html = root_client.get(page("user_detail", "kim")).content.decode()
    assert 'Permissions policies <span class="cs-counter">(18)</span>' in html


# --- attach policies directly -------------------------------------------------------------------


def test_attach_and_detach_user_policies(root, root_client, user_factory):
    user_factory("kim")
    arns = [AWS + "IAMReadOnlyAccess", AWS + "AmazonS3ReadOnlyAccess"]
    form = root_client.get(page("user_attach_policies", "kim"))
    assert form.status_code == 200
    assert f'data-picker="{reverse("iam:picker", args=["policies"])}"' in form.content.decode()
    found = root_client.get(
        reverse("iam:picker", args=["policies"]), {"q": "IAMReadOnly", "field": "policy_arns"}
    )
    assert found.status_code == 200
    assert f'name="policy_arns" value="{arns[0]}"' in found.content.decode()
    response = root_client.post(page("user_attach_policies", "kim"), {"policy_arns": arns})
    assert response.status_code == 302
    assert response["Location"] == reverse("iam:user_detail", args=["kim"]) + "?tab=permissions"
    kim = Identity.objects.get(name="kim")
    assert sorted(kim.attached_policies.values_list("arn", flat=True)) == sorted(arns)
    again = root_client.get(page("user_attach_policies", "kim"))
    assert again.context["policies_picker"].attached == set(arns)
    # attached ones are shown, not offered, on every page of the picker
    shown = root_client.get(
        reverse("iam:picker", args=["policies"]),
        {"q": "IAMReadOnly", "field": "policy_arns", "attached": arns},
    ).content.decode()
    assert "IAMReadOnlyAccess" in shown and f'value="{arns[0]}"' not in shown and "(attached)" in shown
    assert root_client.get(page("user_detach_policy", "kim")).status_code == 405
    detach = root_client.post(page("user_detach_policy", "kim"), {"policy_arn": arns[0]})
    assert detach.status_code == 302
    assert list(kim.attached_policies.values_list("arn", flat=True)) == [arns[1]]
    assert root_client.post(page("user_detach_policy", "kim"), {"policy_arn": arns[0]}).status_code == 404


def test_attach_nothing_or_an_unknown_policy_is_refused(root, root_factory, root_client, user_factory):
    user_factory("kim")
    theirs = policy_services.create_policy(root_factory(), policy_name="Theirs", policy_document=doc(allow()))
    assert root_client.post(page("user_attach_policies", "kim"), {}).status_code == 400
    response = root_client.post(page("user_attach_policies", "kim"), {"policy_arns": [theirs.arn]})
    assert response.status_code == 404
    assert f"Policy {theirs.arn} does not exist or is not attachable." in response.content.decode()
    assert not Identity.objects.get(name="kim").attached_policies.exists()


def test_eleventh_user_policy_is_refused(root, root_client, user_factory):
    user_factory("kim")
    for arn in customer_policies(root, 9):
        permission_services.attach_user_policy(root, user_name="kim", policy_arn=arn)
    two = [AWS + "IAMReadOnlyAccess", AWS + "AmazonS3ReadOnlyAccess"]
    response = root_client.post(page("user_attach_policies", "kim"), {"policy_arns": two})
    assert response.status_code == 409
    assert "Cannot exceed quota for PoliciesPerUser: 10" in response.content.decode()
    assert Identity.objects.get(name="kim").attached_policies.count() == 9  # all or nothing
    assert root_client.post(page("user_attach_policies", "kim"), {"policy_arns": two[:1]}).status_code == 302
    assert Identity.objects.get(name="kim").attached_policies.count() == 10


def test_attach_and_detach_group_policies(root, root_client, group_factory):
    group_factory("Devs")
    arn = AWS + "AmazonS3ReadOnlyAccess"
    assert root_client.get(page("group_attach_policies", "Devs")).status_code == 200
    response = root_client.post(page("group_attach_policies", "Devs"), {"policy_arns": [arn]})
    assert response.status_code == 302
    assert response["Location"] == reverse("iam:group_detail", args=["Devs"]) + "?tab=permissions"
    group = Group.objects.get(name="Devs")
    assert list(group.attached_policies.values_list("arn", flat=True)) == [arn]
    assert root_client.post(page("group_detach_policy", "Devs"), {"policy_arn": arn}).status_code == 302
    assert not group.attached_policies.exists()


def test_eleventh_group_policy_is_refused(root, root_client, group_factory):
    group_factory("Devs")
    for arn in customer_policies(root, 10):
        permission_services.attach_group_policy(root, group_name="Devs", policy_arn=arn)
    response = root_client.post(
        page("group_attach_policies", "Devs"), {"policy_arns": [AWS + "IAMReadOnlyAccess"]}
    )
    assert response.status_code == 409
    assert "Cannot exceed quota for PoliciesPerGroup: 10" in response.content.decode()
    assert Group.objects.get(name="Devs").attached_policies.count() == 10


# --- inline policies ----------------------------------------------------------------------------


def test_user_inline_policy_create_view_edit_delete(root, root_client, user_factory):
    user_factory("kim")
    create = page("user_inline_policy_create", "kim")
    assert root_client.get(create).status_code == 200
    response = root_client.post(create, {"policy_name": "ReadPhotos", "policy_document": doc(allow())})
    assert response.status_code == 302
    assert response["Location"] == reverse("iam:user_detail", args=["kim"]) + "?tab=permissions"
    inline = InlinePolicy.objects.get(user__name="kim", name="ReadPhotos")
    assert "s3:GetObject" in inline.document
    detail = root_client.get(page("user_inline_policy_detail", "kim", policy_name="ReadPhotos"))
    assert detail.status_code == 200 and "s3:GetObject" in detail.content.decode()
    duplicate = root_client.post(create, {"policy_name": "readphotos", "policy_document": doc(allow())})
    assert duplicate.status_code == 400
    assert (
        "A policy called readphotos already exists. Duplicate names are not allowed."
        in duplicate.content.decode()
    )
    edit = page("user_inline_policy_edit", "kim", policy_name="ReadPhotos")
    assert "s3:GetObject" in root_client.get(edit).content.decode()
    assert root_client.post(edit, {"policy_document": doc(allow("s3:PutObject"))}).status_code == 302
    inline.refresh_from_db()
    assert "s3:PutObject" in inline.document
    delete = page("user_inline_policy_delete", "kim", policy_name="ReadPhotos")
    assert root_client.post(delete, {"confirmation": "wrong"}).status_code == 400
    assert InlinePolicy.objects.filter(pk=inline.pk).exists()
    assert root_client.post(delete, {"confirmation": "ReadPhotos"}).status_code == 302
    assert not InlinePolicy.objects.filter(pk=inline.pk).exists()
    assert root_client.get(detail.request["PATH_INFO"] + "?policy_name=ReadPhotos").status_code == 404


def test_inline_policy_refuses_a_malformed_document(root_client, user_factory):
    user_factory("kim")
    response = root_client.post(
        page("user_inline_policy_create", "kim"), {"policy_name": "Bad", "policy_document": SYNTAX_ERROR}
    )
    assert response.status_code == 400
    body = response.content.decode()
    assert "Syntax errors in policy." in body and 'data-error-line="7"' in body
    assert not InlinePolicy.objects.exists()


def test_user_inline_policies_total_size_limit(root, root_client, user_factory):
    user_factory("kim")
    permission_services.put_user_policy(
        root,
        user_name="kim",
        policy_name="First",
        policy_document=doc(allow([f"s3:Get{i:03}" for i in range(100)])),
    )
    big = doc(allow([f"s3:Put{i:03}" for i in range(100)]))
    response = root_client.post(
        page("user_inline_policy_create", "kim"), {"policy_name": "Second", "policy_document": big}
    )
    assert response.status_code == 409
    assert "Maximum policy size of 2048 bytes exceeded for user kim" in response.content.decode()
    assert list(InlinePolicy.objects.values_list("name", flat=True)) == ["First"]
    edit = root_client.post(
        page("user_inline_policy_edit", "kim", policy_name="First"), {"policy_document": big}
    )
    assert edit.status_code == 302  # replacing First with the same size fits


def test_group_inline_policy_create_edit_delete(root, root_client, group_factory):
    group_factory("Devs")
    create = page("group_inline_policy_create", "Devs")
    assert root_client.post(create, {"policy_name": "G1", "policy_document": doc(allow())}).status_code == 302
    inline = InlinePolicy.objects.get(group__name="Devs", name="G1")
    edit = page("group_inline_policy_edit", "Devs", policy_name="G1")
    assert root_client.post(edit, {"policy_document": doc(allow("s3:*"))}).status_code == 302
    inline.refresh_from_db()
    assert "s3:*" in inline.document
    assert root_client.get(page("group_inline_policy_detail", "Devs", policy_name="G1")).status_code == 200
    delete = page("group_inline_policy_delete", "Devs", policy_name="G1")
    assert root_client.post(delete, {"confirmation": "G1"}).status_code == 302
    assert not InlinePolicy.objects.exists()


def test_unknown_inline_policy_is_404(root_client, user_factory, group_factory):
    user_factory("kim")
    group_factory("Devs")
    for name, owner in (("user_inline_policy_edit", "kim"), ("group_inline_policy_delete", "Devs")):
        assert root_client.get(page(name, owner, policy_name="Ghost")).status_code == 404
        assert root_client.get(page(name, owner)).status_code == 404


@pytest.mark.parametrize("bad", ["Inline\x00", "A" * 100_000], ids=["nul", "long"])
def test_an_inline_policy_name_or_arn_that_names_nothing_is_404(root, root_client, user_factory, bad):
    """NUL bytes in ``?policy_name=`` or a detached ARN reached PostgreSQL (500); now no query."""
    user_factory("kim")
    permission_services.put_user_policy(
        root, user_name="kim", policy_name="Inline", policy_document=doc(allow())
    )
    permission_services.attach_user_policy(root, user_name="kim", policy_arn=AWS + "IAMReadOnlyAccess")
    for name in ("user_inline_policy_detail", "user_inline_policy_edit", "user_inline_policy_delete"):
        assert root_client.get(page(name, "kim", policy_name=bad)).status_code == 404
    detach = root_client.post(page("user_detach_policy", "kim"), {"policy_arn": AWS + bad})
    assert detach.status_code == 404 and "was not found." in detach.content.decode()
    kim = Identity.objects.get(name="kim")
    assert kim.inline_policies.count() == 1 and kim.attached_policies.count() == 1


# --- permissions boundary -----------------------------------------------------------------------


def test_set_change_and_remove_the_permissions_boundary(root, root_client, user_factory):
    user_factory("kim")
    custom = policy_services.create_policy(root, policy_name="Boundary", policy_document=doc(allow("s3:*")))
    url = page("user_permissions_boundary", "kim")
    form = root_client.get(url)
    assert form.status_code == 200 and form.context["policies_picker"].multiple is False
    found = root_client.get(
        reverse("iam:picker", args=["policies"]), {"q": "Bound", "field": "policy_arn", "multiple": "0"}
    ).content.decode()
    assert f'type="radio" name="policy_arn" value="{custom.arn}"' in found
    assert root_client.post(url, {}).status_code == 400
    response = root_client.post(url, {"policy_arn": AWS + "PowerUserAccess"})
    assert response.status_code == 302
    assert Identity.objects.get(name="kim").permissions_boundary.arn == AWS + "PowerUserAccess"
    assert root_client.post(url, {"policy_arn": custom.arn}).status_code == 302
    assert Identity.objects.get(name="kim").permissions_boundary.arn == custom.arn
    remove = page("user_permissions_boundary_delete", "kim")
    assert root_client.get(remove).status_code == 405
    assert root_client.post(remove).status_code == 302
    assert Identity.objects.get(name="kim").permissions_boundary is None
    assert root_client.post(remove).status_code == 404  # nothing to remove


def test_boundary_from_another_account_is_refused(root, root_factory, root_client, user_factory):
    user_factory("kim")
    theirs = policy_services.create_policy(root_factory(), policy_name="Theirs", policy_document=doc(allow()))
    response = root_client.post(page("user_permissions_boundary", "kim"), {"policy_arn": theirs.arn})
    assert response.status_code == 404
    assert f"Policy {theirs.arn} does not exist or is not attachable." in response.content.decode()
    assert Identity.objects.get(name="kim").permissions_boundary is None


# --- who may do what ------------------------------------------------------------------------------


def test_readonly_user_sees_permissions_but_cannot_change_them(root, user_factory, group_factory, client_for):
    group_factory("Devs")
    lee = user_factory("lee")
    permission_services.put_user_policy(
        root, user_name="lee", policy_name="LeeInline", policy_document=doc(allow())
    )
    kim = readonly(root, user_factory("kim"))
    client = client_for(kim)
    context, _ = render_panel(kim, "iam/_permissions_panel.html", "user", lee)
    assert [r["name"] for r in map(row, context["permission_rows"])] == ["LeeInline"]
    assert client.get(page("user_inline_policy_detail", "lee", policy_name="LeeInline")).status_code == 200
    arn = AWS + "AdministratorAccess"
    attach = client.post(page("user_attach_policies", "lee"), {"policy_arns": [arn]})
    assert denied(attach, kim, "iam:AttachUserPolicy")
    assert (
        f"User: {kim.arn} is not authorized to perform: iam:AttachUserPolicy on resource: {lee.arn} "
        "because no identity-based policy allows the iam:AttachUserPolicy action"
    ) in attach.content.decode()
    # ... not even to itself (no escalation), nor to a group
    assert denied(
        client.post(page("user_attach_policies", "kim"), {"policy_arns": [arn]}), kim, "iam:AttachUserPolicy"
    )
    assert denied(
        client.post(page("group_attach_policies", "Devs"), {"policy_arns": [arn]}),
        kim,
        "iam:AttachGroupPolicy",
    )
    detach = client.post(page("user_detach_policy", "kim"), {"policy_arn": AWS + "IAMReadOnlyAccess"})
    assert denied(detach, kim, "iam:DetachUserPolicy")
    create = client.post(
        page("user_inline_policy_create", "lee"), {"policy_name": "X", "policy_document": doc(allow())}
    )
    assert denied(create, kim, "iam:PutUserPolicy")
    edit = client.post(
        page("user_inline_policy_edit", "lee", policy_name="LeeInline"),
        {"policy_document": doc(allow("s3:*"))},
    )
    assert denied(edit, kim, "iam:PutUserPolicy")
    delete = client.post(
        page("user_inline_policy_delete", "lee", policy_name="LeeInline"), {"confirmation": "LeeInline"}
    )
    assert denied(delete, kim, "iam:DeleteUserPolicy")
    boundary = client.post(page("user_permissions_boundary", "lee"), {"policy_arn": arn})
    assert denied(boundary, kim, "iam:PutUserPermissionsBoundary")
    assert denied(
        client.post(
            page("group_inline_policy_create", "Devs"), {"policy_name": "X", "policy_document": doc(allow())}
        ),
        kim,
        "iam:PutGroupPolicy",
    )
    assert not Identity.objects.get(name="lee").attached_policies.exists()
    assert list(Identity.objects.get(name="kim").attached_policies.values_list("name", flat=True)) == [
        "IAMReadOnlyAccess"
    ]
    assert Identity.objects.get(name="lee").permissions_boundary is None
    assert list(InlinePolicy.objects.values_list("name", "document")) == [("LeeInline", doc(allow()))]


def test_user_without_policies_is_refused(root, user_factory, group_factory, client_for):
    group_factory("Devs")
    kim = user_factory("kim")
    client = client_for(kim)
    for url in (
        page("user_attach_policies", "kim"),
        page("user_inline_policy_create", "kim"),
        page("user_permissions_boundary", "kim"),
        page("group_attach_policies", "Devs"),
    ):
        response = client.get(url)
        assert (
            response.status_code == 403 and "is not authorized to perform: iam:" in response.content.decode()
        ), url
    assert not Identity.objects.get(pk=kim.pk).attached_policies.exists()


def test_a_user_allowed_to_manage_only_its_own_inline_policies(root, user_factory, client_for):
    kim = user_factory("kim")
    user_factory("lee")
    permission_services.put_user_policy(
        root,
        user_name="kim",
        policy_name="SelfInline",
        policy_document=doc(
            allow(
                ["iam:PutUserPolicy", "iam:GetUserPolicy", "iam:ListAttachedUserPolicies"],
                "arn:aws:iam::*:user/${aws:username}",
            )
        ),
    )
    client = client_for(Identity.objects.get(pk=kim.pk))
    own = client.post(
        page("user_inline_policy_create", "kim"), {"policy_name": "Extra", "policy_document": doc(allow())}
    )
    assert own.status_code == 302
    other = client.post(
        page("user_inline_policy_create", "lee"), {"policy_name": "Extra", "policy_document": doc(allow())}
    )
    assert denied(other, kim, "iam:GetUser")
    assert sorted(InlinePolicy.objects.values_list("user__name", "name")) == [
        ("kim", "Extra"),
        ("kim", "SelfInline"),
    ]


def test_other_accounts_users_and_groups_are_404(root_factory, client_for):
    owner, intruder = root_factory(), root_factory()
    from accounts.services import users as user_services

    user_services.console_create_user(owner, user_name="kim", console_access=False)
    group_services.create_group(owner, group_name="Devs")
    client = client_for(intruder)
    arn = AWS + "AdministratorAccess"
    assert client.post(page("user_attach_policies", "kim"), {"policy_arns": [arn]}).status_code == 404
    assert client.post(page("group_attach_policies", "Devs"), {"policy_arns": [arn]}).status_code == 404
    assert client.post(page("user_permissions_boundary", "kim"), {"policy_arn": arn}).status_code == 404
    assert (
        client.post(
            page("user_inline_policy_create", "kim"), {"policy_name": "X", "policy_document": doc(allow())}
        ).status_code
        == 404
    )
    assert not ManagedPolicy.objects.get(arn=arn).attached_users.exists()
    assert not InlinePolicy.objects.exists()


@pytest.mark.parametrize("n_policies", [1, 30])
def test_attach_page_query_count_is_constant(
    root, root_client, user_factory, django_assert_max_num_queries, n_policies
):
    user_factory("kim")
    customer_policies(root, n_policies)
    with django_assert_max_num_queries(16):
        response = root_client.get(page("user_attach_policies", "kim"))
    assert response.status_code == 200


def test_refused_attach_in_a_batch_is_audited(root, root_client, user_factory):
    from accounts.models import AuditEvent

    user_factory("kim")
    for arn in customer_policies(root, 10):
        permission_services.attach_user_policy(root, user_name="kim", policy_arn=arn)
    response = root_client.post(
        page("user_attach_policies", "kim"), {"policy_arns": [AWS + "IAMReadOnlyAccess"]}
    )
    assert response.status_code == 409
    assert AuditEvent.objects.filter(action="iam:AttachUserPolicy", result="LimitExceeded").exists()
