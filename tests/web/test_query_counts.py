"""List pages cost the same number of queries for 5 rows and for 200."""

import pytest
from django.urls import reverse

from accounts.identifiers import new_unique_id
from accounts.models import Group, GroupMembership, Identity


def populate(root, n_users, n_groups=3):
    groups = [
        Group.objects.create(account=root.account, name=f"g{i}", unique_id=new_unique_id("group"))
        for i in range(n_groups)
    ]
    users = Identity.objects.bulk_create(
        Identity(
            account=root.account,
            kind=Identity.USER,
            name=f"u{i:03}",
            unique_id=new_unique_id("user"),
            password="!",
        )
        for i in range(n_users)
    )
    GroupMembership.objects.bulk_create(
        GroupMembership(group=groups[i % n_groups], user=u) for i, u in enumerate(users)
    )


@pytest.mark.parametrize("n_users", [5, 200])
def test_users_list_query_count_is_constant(root, root_client, django_assert_max_num_queries, n_users):
    populate(root, n_users)
    with django_assert_max_num_queries(8):
        response = root_client.get(reverse("iam:user_list") + "?size=100")
    assert response.status_code == 200
    page = response.context["page"]
    assert page.total == n_users and len(page) == min(n_users, 100)


@pytest.mark.parametrize("n_users", [5, 200])
def test_groups_list_query_count_is_constant(root, root_client, django_assert_max_num_queries, n_users):
    populate(root, n_users, n_groups=n_users // 5)
    with django_assert_max_num_queries(8):
        response = root_client.get(reverse("iam:group_list") + "?size=100")
    assert response.status_code == 200
    assert sum(g.member_count for g in response.context["page"]) == n_users


@pytest.mark.parametrize("n_users", [5, 200])
def test_group_detail_query_count_is_constant(root, root_client, django_assert_max_num_queries, n_users):
    populate(root, n_users, n_groups=1)
    with django_assert_max_num_queries(10):
        response = root_client.get(reverse("iam:group_detail", args=["g0"]))
    assert len(response.context["members"]) == n_users
