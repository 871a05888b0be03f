"""The Create user wizard: Specify user details → Set permissions → Review and create →
Retrieve password, with Back and Next keeping what was typed, and nothing written before
Create user (all or nothing)."""

import json

from django.urls import reverse

from accounts.models import AuditEvent, Identity
from accounts.services import permissions as permission_services
from accounts.services import policies as policy_services

AWS = "arn:aws:iam::aws:policy/"


def url():
    return reverse("iam:user_create")


def doc(action="s3:GetObject", effect="Allow"):
    return json.dumps(
        {"Version": "2012-10-17", "Statement": [{"Effect": effect, "Action": action, "Resource": "*"}]}
    )


def step(client, data, go, at):
    return client.post(url(), {**data, "step": str(at), "go": go})


def carried(response) -> dict:
    """The wizard's state as the next POST sends it: the hidden inputs plus the shown step's values."""
    out: dict = {}
    for name, value in response.context["hidden"]:
        out.setdefault(name, []).append(value)
    return out


def test_the_wizard_walks_four_steps_and_back_keeps_what_was_typed(root, root_client, group_factory):
    group_factory("Developers")
    permission_services.attach_group_policy(
        root, group_name="Developers", policy_arn=AWS + "AmazonEC2FullAccess"
    )
    first = root_client.get(url())
    assert first.status_code == 200 and first.context["step"] == 1
    assert "Specify user details" in first.content.decode() and "Retrieve password" in first.content.decode()
    details = {
        "user_name": "kim",
        "console_access": "on",
        "password_type": "custom",
        "custom_password": "Abcdefg1!x",
        "password_reset_required": "on",
    }
    second = step(root_client, details, "next", 1)
    assert second.status_code == 200 and second.context["step"] == 2
    assert second["Cache-Control"].startswith("no-store")
    body = second.content.decode()
    # each group is shown with its attached policies
    assert "Developers" in body and "AmazonEC2FullAccess" in body
    state = carried(second)
    assert state["user_name"] == ["kim"] and state["custom_password"] == ["Abcdefg1!x"]
    # Back from step 2 shows step 1 with what was typed
    back = step(
        root_client, {**details, "permissions_option": "add_to_group", "groups": ["Developers"]}, "back", 2
    )
    assert back.context["step"] == 1
    assert 'value="kim"' in back.content.decode()
    assert ("groups", "Developers") in back.context["hidden"]
    third = step(
        root_client, {**details, "permissions_option": "add_to_group", "groups": ["Developers"]}, "next", 2
    )
    assert third.context["step"] == 3
    assert third.context["summary"]["rows"] == [("Developers", "Group", "Permissions group")]
    assert not Identity.objects.filter(name="kim").exists()  # nothing written before Create user
    done = step(
        root_client,
        {**carried(third), "tags_key": ["team"], "tags_value": ["blue"]},
        "create",
        3,
    )
    assert done.status_code == 200
    assert done.templates[0].name == "iam/user_retrieve_password.html"
    assert done.context["password"] == "Abcdefg1!x"
    kim = Identity.objects.get(name="kim")
    assert list(kim.iam_groups.values_list("name", flat=True)) == ["Developers"]
    assert kim.tags == [{"Key": "team", "Value": "blue"}]
    assert kim.has_login_profile and kim.password_reset_required and kim.check_password("Abcdefg1!x")


def test_next_checks_only_the_step_shown(root_client):
    bad = step(root_client, {"user_name": "kim lee"}, "next", 1)
    assert bad.status_code == 400 and bad.context["step"] == 1
    assert "invalid characters" in bad.content.decode()
    no_password = step(
        root_client, {"user_name": "kim", "console_access": "on", "password_type": "custom"}, "next", 1
    )
    assert no_password.status_code == 400 and "Enter a custom password." in no_password.content.decode()
    copy_without_user = step(root_client, {"user_name": "kim", "permissions_option": "copy"}, "next", 2)
    assert copy_without_user.status_code == 400 and copy_without_user.context["step"] == 2
    assert "Choose a user to copy permissions from." in copy_without_user.content.decode()
    assert not Identity.objects.filter(name="kim").exists()


def test_copy_permissions_copies_groups_policies_inline_and_boundary(
    root, root_client, user_factory, group_factory
):
    group_factory("Developers")
    user_factory("lee", groups=("Developers",))
    permission_services.attach_user_policy(root, user_name="lee", policy_arn=AWS + "IAMReadOnlyAccess")
    permission_services.put_user_policy(root, user_name="lee", policy_name="Reads", policy_document=doc())
    permission_services.put_user_permissions_boundary(
        root, user_name="lee", permissions_boundary=AWS + "PowerUserAccess"
    )
    data = {"user_name": "kim", "permissions_option": "copy", "copy_from": "lee"}
    review = step(root_client, data, "next", 2)
    assert review.context["step"] == 3
    assert review.context["summary"]["rows"] == [
        ("Developers", "Group", "Permissions group"),
        ("IAMReadOnlyAccess", "AWS managed", "Permissions policy"),
        ("Reads", "Inline", "Permissions policy"),
        ("PowerUserAccess", "AWS managed", "Permissions boundary"),
    ]
    created = step(root_client, data, "create", 3)
    assert created.status_code == 302
    kim = Identity.objects.get(name="kim")
    assert list(kim.iam_groups.values_list("name", flat=True)) == ["Developers"]
    assert list(kim.attached_policies.values_list("arn", flat=True)) == [AWS + "IAMReadOnlyAccess"]
    assert [(p.name, json.loads(p.document)) for p in kim.inline_policies.all()] == [
        ("Reads", json.loads(doc()))
    ]
    assert kim.permissions_boundary.arn == AWS + "PowerUserAccess"


def test_attach_policies_directly_with_a_boundary_and_only_the_chosen_option_counts(
    root, root_client, group_factory
):
    group_factory("Developers")
    custom = policy_services.create_policy(root, policy_name="Limit", policy_document=doc("s3:*"))
    data = {
        "user_name": "kim",
        "permissions_option": "attach",
        "groups": ["Developers"],  # typed under another option: not used
        "policy_arns": [AWS + "AmazonS3ReadOnlyAccess", AWS + "IAMReadOnlyAccess"],
        "use_boundary": "on",
        "boundary_arn": custom.arn,
    }
    assert step(root_client, data, "create", 3).status_code == 302
    kim = Identity.objects.get(name="kim")
    assert not kim.iam_groups.exists()
    assert sorted(kim.attached_policies.values_list("arn", flat=True)) == sorted(data["policy_arns"])
    assert kim.permissions_boundary.arn == custom.arn


def test_a_boundary_needs_a_policy(root_client):
    response = step(root_client, {"user_name": "kim", "use_boundary": "on"}, "next", 2)
    assert response.status_code == 400
    assert "Choose a policy to use as the permissions boundary." in response.content.decode()


def test_bad_tags_are_refused_on_the_review_step_with_aws_messages(root_client):
    reserved = step(
        root_client, {"user_name": "kim", "tags_key": ["aws:team"], "tags_value": ["x"]}, "create", 3
    )
    assert reserved.status_code == 400 and reserved.context["step"] == 3
    assert "User-defined tag keys can&#x27;t start with &#x27;aws:&#x27;" in reserved.content.decode()
    twice = step(
        root_client, {"user_name": "kim", "tags_key": ["a", "A"], "tags_value": ["1", "2"]}, "create", 3
    )
    assert twice.status_code == 400
    no_key = step(root_client, {"user_name": "kim", "tags_key": [""], "tags_value": ["orphan"]}, "create", 3)
    assert no_key.status_code == 400 and "Enter a key for every tag." in no_key.content.decode()
    blank_rows_ignored = step(
        root_client, {"user_name": "kim", "tags_key": [""], "tags_value": [""]}, "create", 3
    )
    assert blank_rows_ignored.status_code == 302
    assert Identity.objects.get(name="kim").tags in (None, [])


def test_a_name_taken_meanwhile_returns_to_step_one_with_aws_message(root_client, user_factory):
    user_factory("kim")
    response = step(root_client, {"user_name": "KIM"}, "create", 3)
    assert response.status_code == 409 and response.context["step"] == 1
    assert "User with name KIM already exists." in response.content.decode()


def test_the_wizard_opens_for_a_user_who_may_not_create_and_refuses_on_create(root, user_factory, client_for):
    kim = user_factory("kim")
    client = client_for(kim)
    assert client.get(url()).status_code == 200
    shown = step(client, {"user_name": "newbie"}, "next", 1)
    assert shown.status_code == 200 and shown.context["step"] == 2
    # the pickers it may not list show AWS's refusal inside the table
    assert f"User: {kim.arn} is not authorized to perform: iam:ListGroups" in shown.content.decode()
    refused = step(client, {"user_name": "newbie"}, "create", 3)
    assert refused.status_code == 403 and refused.context["step"] == 3
    assert (
        f"User: {kim.arn} is not authorized to perform: iam:CreateUser on resource: "
        f"arn:aws:iam::{root.account.account_id}:user/newbie because no identity-based policy allows"
    ) in refused.content.decode()
    assert not Identity.objects.filter(name="newbie").exists()


def test_all_or_nothing_when_a_later_step_is_refused(root, user_factory, client_for):
    user_factory("kim")
    permission_services.put_user_policy(
        root,
        user_name="kim",
        policy_name="CreateOnly",
        policy_document=doc(["iam:CreateUser", "iam:Get*", "iam:List*"]),
    )
    client = client_for(Identity.objects.get(name="kim"))
    data = {"user_name": "newbie", "permissions_option": "attach", "policy_arns": [AWS + "IAMReadOnlyAccess"]}
    refused = step(client, data, "create", 3)
    assert refused.status_code == 403
    assert "iam:AttachUserPolicy" in refused.content.decode()
    assert not Identity.objects.filter(name="newbie").exists()
    assert AuditEvent.objects.filter(action="iam:AttachUserPolicy", result="AccessDenied").exists()


def test_step_two_queries_stay_constant_in_the_number_of_groups(
    root, root_client, group_factory, django_assert_max_num_queries
):
    for i in range(3):
        group_factory(f"g{i}")
        permission_services.attach_group_policy(
            root, group_name=f"g{i}", policy_arn=AWS + "IAMReadOnlyAccess"
        )
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as few:
        step(root_client, {"user_name": "kim"}, "next", 1)
    for i in range(3, 12):
        group_factory(f"g{i}")
        permission_services.attach_group_policy(
            root, group_name=f"g{i}", policy_arn=AWS + "IAMReadOnlyAccess"
        )
    with django_assert_max_num_queries(len(few.captured_queries)):
        step(root_client, {"user_name": "kim"}, "next", 1)
