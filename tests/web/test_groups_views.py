import pytest
from django.urls import reverse

from accounts.models import Group, GroupMembership


def test_group_list_and_create_with_users(root_client, user_factory):
    user_factory("kim")
    user_factory("lee")
    response = root_client.post(
        reverse("iam:group_create"), {"group_name": "Developers", "users": ["kim", "lee"]}
    )
    assert response.status_code == 302
    assert response["Location"] == reverse("iam:group_detail", args=["Developers"])
    group = Group.objects.get(name="Developers")
    assert sorted(u.name for u in group.members.all()) == ["kim", "lee"]
    page = root_client.get(reverse("iam:group_list"))
    assert page.status_code == 200 and "Developers" in page.content.decode()
    detail = root_client.get(reverse("iam:group_detail", args=["Developers"]))
    assert group.arn in detail.content.decode() and ">kim<" in detail.content.decode()


@pytest.mark.parametrize(
    "name,status,message",
    [
        ("bad name", 400, "invalid characters"),
        ("g" * 129, 400, "128 characters or fewer"),
        ("", 400, "required"),
    ],
)
def test_create_group_bad_input(root_client, name, status, message):
    response = root_client.post(reverse("iam:group_create"), {"group_name": name})
    assert response.status_code == status and message in response.content.decode()
    assert not Group.objects.exists()


def test_create_duplicate_group(root_client, group_factory):
    group_factory("Admins")
    response = root_client.post(reverse("iam:group_create"), {"group_name": "admins"})
    assert response.status_code == 409
    assert "Group with name admins already exists." in response.content.decode()


def test_add_and_remove_users(root_client, user_factory, group_factory):
    group_factory("Admins")
    user_factory("kim")
    user_factory("lee")
    url = reverse("iam:group_add_users", args=["Admins"])
    assert root_client.get(url).status_code == 200
    assert root_client.post(url, {"users": ["kim", "lee"]}).status_code == 302
    assert GroupMembership.objects.count() == 2
    remove = reverse("iam:group_remove_users", args=["Admins"])
    assert root_client.get(remove).status_code == 405
    assert root_client.post(remove, {"users": ["kim"]}).status_code == 302
    assert [m.user.name for m in GroupMembership.objects.all()] == ["lee"]


def test_group_create_with_a_full_user_writes_nothing(root_client, user_factory, group_factory):
    names = [group_factory(f"g{i}").name for i in range(10)]
    user_factory("kim", groups=names)
    response = root_client.post(reverse("iam:group_create"), {"group_name": "eleventh", "users": ["kim"]})
    assert response.status_code == 409
    assert "Cannot exceed quota for GroupsPerUser: 10" in response.content.decode()
    assert not Group.objects.filter(name="eleventh").exists()


def test_delete_group_with_members(root_client, user_factory, group_factory):
    group_factory("Admins")
    user_factory("kim", groups=("Admins",))
    url = reverse("iam:group_delete", args=["Admins"])
    assert root_client.post(url, {"confirmation": "wrong"}).status_code == 400
    assert root_client.post(url, {"confirmation": "Admins"}).status_code == 302
    assert not Group.objects.exists() and not GroupMembership.objects.exists()


def test_unknown_group_is_404(root_client):
    assert root_client.get(reverse("iam:group_detail", args=["ghost"])).status_code == 404


@pytest.mark.parametrize("bad_name", ["A" * 100_000, "kim\x00", "ghost"])
def test_remove_users_with_a_name_that_names_nobody_removes_nothing(
    root_client, user_factory, group_factory, bad_name
):
    """A 100,000-character name once broke SQLite's LIKE (500); a NUL byte breaks PostgreSQL."""
    group_factory("Admins")
    user_factory("kim", groups=("Admins",))
    url = reverse("iam:group_remove_users", args=["Admins"])
    response = root_client.post(url, {"users": ["kim", bad_name]})
    assert response.status_code == 404
    assert "cannot be found." in response.content.decode()
    assert [m.user.name for m in GroupMembership.objects.all()] == ["kim"]
