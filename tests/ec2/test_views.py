"""The EC2 console through the Django test client: every page allowed and refused (AWS's
message inside the page), the Region selector, the Instances table's actions, Launch, Modify
IAM role, Manage tags, Connect, bad input, and query counts that do not grow with instances."""

import re

import pytest
from django.test.utils import CaptureQueriesContext

from ec2.models import IamInstanceProfileAssociation, Instance, InstanceTag

from .conftest import AL2023, current

pytestmark = pytest.mark.django_db


@pytest.fixture
def bob_client(policy_user, client_for):
    """bob as the demo has him: Developers (AmazonEC2FullAccess)."""
    from accounts.models import Identity

    principal = policy_user("bob", managed=("AmazonEC2FullAccess",))
    return client_for(Identity.objects.get(pk=principal.identity_id))


@pytest.fixture
def nobody_client(policy_user, client_for):
    from accounts.models import Identity

    principal = policy_user("nobody")
    return client_for(Identity.objects.get(pk=principal.identity_id))


def _text(response) -> str:
    return response.content.decode()


def _flash(response) -> list[str]:
    return [str(m) for m in response.context["messages"]] if response.context else []


def test_every_page_as_root(root_client, launch, ec2_role):
    ec2_role("AppRole")
    i = launch(name="web", profile="AppRole").instance_id
    pages = [
        "/ec2/",
        "/ec2/instances/",
        "/ec2/launch-instance/",
        f"/ec2/instances/{i}/",
        f"/ec2/instances/{i}/?tab=security",
        f"/ec2/instances/{i}/?tab=tags",
        f"/ec2/instances/{i}/modify-iam-role/",
        f"/ec2/instances/{i}/tags/",
        f"/ec2/instances/{i}/connect/",
    ]
    for page in pages:
        response = root_client.get(page)
        assert response.status_code == 200, page
        body = _text(response)
        assert 'aria-label="EC2 navigation"' in body, page  # EC2's own side navigation
        assert 'data-testid="region-menu"' in body and "Asia Pacific (Seoul)" in body, page
    listing = _text(root_client.get("/ec2/instances/"))
    assert i in listing and "web" in listing and ">AppRole</a>" in listing
    assert 'Instances <span class="cs-counter" data-testid="instance-counter">(1)</span>' in listing
    security = _text(root_client.get(f"/ec2/instances/{i}/?tab=security"))
    assert (
        "AWS_CONTAINER_CREDENTIALS_FULL_URI" in security
        and f"/ec2/instances/{i}/container-credentials" in security
    )
    # IAM's pages keep "Global"
    assert ">Global</span>" in _text(root_client.get("/iam/"))


def test_pages_refused_show_aws_message_inside_the_page(nobody_client, launch, root):
    i = launch().instance_id
    listing = nobody_client.get("/ec2/instances/")
    assert listing.status_code == 403
    body = _text(listing)
    assert 'data-testid="ec2-refusal"' in body
    assert (
        "is not authorized to perform: ec2:DescribeInstances because no identity-based policy allows" in body
    )
    assert "Encoded authorization failure message" in body
    assert 'aria-label="EC2 navigation"' in body  # still the EC2 console around it
    detail = nobody_client.get(f"/ec2/instances/{i}/")
    assert detail.status_code == 403 and "ec2:DescribeInstances" in _text(detail)
    dashboard = _text(nobody_client.get("/ec2/"))
    assert "You are not authorized to describe Running Instances" in dashboard
    for page in (
        f"/ec2/instances/{i}/modify-iam-role/",
        f"/ec2/instances/{i}/tags/",
        f"/ec2/instances/{i}/connect/",
    ):
        assert nobody_client.get(page).status_code == 403, page


def test_not_found_and_malformed_instance_pages(root_client, root_factory, client_for, launch):
    assert root_client.get("/ec2/instances/i-0123456789abcdef0/").status_code == 404
    response = root_client.get("/ec2/instances/not-an-id/")
    assert response.status_code == 404 and "Invalid id: &quot;not-an-id&quot;" in _text(response)
    i = launch().instance_id
    # another account's instance, or another region: not found
    assert client_for(root_factory()).get(f"/ec2/instances/{i}/").status_code == 404
    assert root_client.get(f"/ec2/instances/{i}/?region=us-east-1").status_code == 404


def test_region_selector_in_the_url_and_a_cookie(root_client, launch):
    i = launch().instance_id
    us = root_client.get("/ec2/instances/?region=us-east-1")
    assert us.status_code == 200 and i not in _text(us)
    assert us.cookies["ec2_region"].value == "us-east-1"
    assert "US East (N. Virginia)" in _text(root_client.get("/ec2/instances/"))  # remembered
    back = root_client.get("/ec2/instances/?region=ap-northeast-2")
    assert i in _text(back)
    # an unknown or opt-in region falls back to the remembered one
    assert "Asia Pacific (Seoul)" in _text(root_client.get("/ec2/instances/?region=af-south-1"))
    assert "Asia Pacific (Seoul)" in _text(root_client.get("/ec2/instances/?region=<script>"))


def test_launch_an_instance_from_the_console(root_client, root, ec2_role):
    ec2_role("AppRole")
    form = root_client.get("/ec2/launch-instance/")
    assert '<option value="AppRole">AppRole</option>' in _text(form)
    response = root_client.post(
        "/ec2/launch-instance/?region=ap-northeast-2",
        {
            "name": "my-web",
            "image_id": AL2023,
            "instance_type": "t3.micro",
            "iam_instance_profile": "AppRole",
            "http_tokens": "required",
            "count": "1",
            "tag_key_1": "Env",
            "tag_value_1": "dev",
        },
    )
    instance = Instance.objects.get()
    assert response.status_code == 302
    assert response["Location"] == f"/ec2/instances/{instance.instance_id}/?region=ap-northeast-2"
    shown = current(root, instance.instance_id)
    assert shown.name == "my-web" and {t.key: t.value for t in shown.tags}["Env"] == "dev"
    assert shown.iam_instance_profile.role_name == "AppRole"
    page = root_client.get(response["Location"])
    assert "Successfully initiated launch of instance" in _text(page)


def test_bob_launches_but_may_not_pass_a_role(bob_client, ec2_role):
    ec2_role("AppRole")
    form = _text(bob_client.get("/ec2/launch-instance/"))
    # bob may not list instance profiles: the console says why
    assert 'data-testid="profiles-denied"' in form and "iam:ListInstanceProfiles" in form
    ok = bob_client.post(
        "/ec2/launch-instance/",
        {"image_id": AL2023, "instance_type": "t3.micro", "http_tokens": "required", "count": "1"},
    )
    assert ok.status_code == 302 and Instance.objects.count() == 1


def test_a_refused_launch_shows_aws_message_and_writes_nothing(nobody_client):
    response = nobody_client.post(
        "/ec2/launch-instance/",
        {"image_id": AL2023, "instance_type": "t3.micro", "http_tokens": "required", "count": "1"},
    )
    assert response.status_code == 403
    body = _text(response)
    assert (
        "Instance launch failed" in body
        and "ec2:RunInstances on resource: arn:aws:ec2:ap-northeast-2:" in body
    )
    assert not Instance.objects.exists()


@pytest.mark.parametrize(
    "data",
    [
        {
            "image_id": "ami-0000000000000000f",
            "instance_type": "t3.micro",
            "http_tokens": "required",
            "count": "1",
        },
        {"image_id": AL2023, "instance_type": "x9.huge", "http_tokens": "required", "count": "1"},
        {
            "image_id": AL2023,
            "instance_type": "t3.micro",
            "http_tokens": "required",
            "count": "99999999999999",
        },
        {"image_id": AL2023, "instance_type": "t3.micro", "http_tokens": "required", "count": "0"},
        {"image_id": AL2023, "instance_type": "t3.micro", "http_tokens": "maybe", "count": "1"},
        {
            "image_id": AL2023,
            "instance_type": "t3.micro",
            "http_tokens": "required",
            "count": "1",
            "name": "n" * 300,
        },
        {
            "image_id": AL2023,
            "instance_type": "t3.micro",
            "http_tokens": "required",
            "count": "1",
            "tag_key_1": "aws:x",
        },
        {
            "image_id": AL2023,
            "instance_type": "t3.micro",
            "http_tokens": "required",
            "count": "1",
            "iam_instance_profile": "Nope",
        },
    ],
)
def test_launch_form_bad_input(root_client, data):
    response = root_client.post("/ec2/launch-instance/", data)
    assert response.status_code == 400
    assert not Instance.objects.exists()


def test_instance_state_actions_from_the_table(root_client, launch, root):
    i = launch().instance_id
    # Stop asks for confirmation first
    confirm = root_client.post(
        "/ec2/instance-state/stop/?region=ap-northeast-2", {"instance_ids": [i], "next": "/ec2/instances/"}
    )
    assert confirm.status_code == 200 and "Stop instance?" in _text(confirm)
    assert current(root, i).state.name == "running"
    done = root_client.post(
        "/ec2/instance-state/stop/?region=ap-northeast-2",
        {"instance_ids": [i], "confirm": "on", "next": "/ec2/instances/"},
        follow=True,
    )
    assert f"Successfully stopped {i}" in _flash(done)
    assert current(root, i).state.name == "stopped"
    started = root_client.post("/ec2/instance-state/start/", {"instance_ids": [i]}, follow=True)
    assert f"Successfully started {i}" in _flash(started)
    terminate = root_client.post("/ec2/instance-state/terminate/", {"instance_ids": [i]})
    assert "Terminate (delete) instance?" in _text(terminate)
    root_client.post("/ec2/instance-state/terminate/", {"instance_ids": [i], "confirm": "on"})
    assert current(root, i).state.name == "terminated"
    # an offsite "next" is not followed
    away = root_client.post(
        "/ec2/instance-state/start/", {"instance_ids": [i], "next": "https://evil.example/"}
    )
    assert away["Location"].startswith("/ec2/instances/")


def test_instance_state_refused_and_bad_input(nobody_client, root_client, launch, root):
    i = launch().instance_id
    refused = nobody_client.post(
        "/ec2/instance-state/stop/", {"instance_ids": [i], "confirm": "on"}, follow=True
    )
    [message] = _flash(refused)
    assert message.startswith(
        f"Failed to stop the instance {i}. You are not authorized to perform this operation."
    )
    assert "ec2:StopInstances on resource" in message and "Encoded" not in message
    assert current(root, i).state.name == "running"
    bad = root_client.post(
        "/ec2/instance-state/stop/", {"instance_ids": ["i-nope"], "confirm": "on"}, follow=True
    )
    assert any('Invalid id: "i-nope"' in m for m in _flash(bad))
    none = root_client.post("/ec2/instance-state/stop/", {}, follow=True)
    assert "Select at least one instance." in _flash(none)
    unknown = root_client.post("/ec2/instance-state/reboot-everything/", {"instance_ids": [i]})
    assert unknown.status_code == 404
    assert root_client.get("/ec2/instance-state/stop/").status_code == 302


def test_actions_menu_opens_the_selected_instances_pages(root_client, launch):
    i = launch().instance_id
    response = root_client.post(
        "/ec2/instance-actions/?region=ap-northeast-2", {"instance_ids": [i], "to": "modify-iam-role"}
    )
    assert response["Location"] == f"/ec2/instances/{i}/modify-iam-role/?region=ap-northeast-2"
    two = root_client.post("/ec2/instance-actions/", {"instance_ids": [i, i + "x"], "to": "tags"})
    assert two["Location"].startswith("/ec2/instances/")
    unknown = root_client.post("/ec2/instance-actions/", {"instance_ids": [i], "to": "delete-account"})
    assert unknown["Location"].startswith("/ec2/instances/")


def test_modify_iam_role(root_client, bob_client, launch, ec2_role, root):
    ec2_role("AppRole")
    i = launch().instance_id
    page = root_client.post(f"/ec2/instances/{i}/modify-iam-role/", {"iam_instance_profile": "AppRole"})
    assert page["Location"] == f"/ec2/instances/{i}/?region=ap-northeast-2&tab=security"
    assert current(root, i).iam_instance_profile.role_name == "AppRole"
    # bob (AmazonEC2FullAccess) may take the role away but not give one
    refused = bob_client.post(f"/ec2/instances/{i}/modify-iam-role/", {"iam_instance_profile": ""})
    assert refused.status_code == 302 and current(root, i).iam_instance_profile is None
    form = bob_client.get(f"/ec2/instances/{i}/modify-iam-role/")
    assert "iam:ListInstanceProfiles" in _text(form)
    bad = bob_client.post(f"/ec2/instances/{i}/modify-iam-role/", {"iam_instance_profile": "AppRole"})
    assert bad.status_code == 400  # not one of the choices bob may see
    assert not IamInstanceProfileAssociation.objects.exists()


def test_modify_iam_role_refused_by_pass_role(policy_user, client_for, launch, ec2_role, root):
    from accounts.models import Identity

    from .conftest import allow

    ec2_role("AppRole")
    lister = policy_user("lister", allow("ec2:*"), allow("iam:ListInstanceProfiles"))
    client = client_for(Identity.objects.get(pk=lister.identity_id))
    i = launch().instance_id
    refused = client.post(f"/ec2/instances/{i}/modify-iam-role/", {"iam_instance_profile": "AppRole"})
    assert refused.status_code == 403
    assert "is not authorized to perform: iam:PassRole on resource" in _text(refused)
    assert not IamInstanceProfileAssociation.objects.exists()


def test_manage_tags(root_client, launch, root):
    i = launch(name="web", tags={"Old": "1"}).instance_id
    form = _text(root_client.get(f"/ec2/instances/{i}/tags/"))
    assert 'value="Old"' in form
    rows = {
        "key_0": "Name",
        "value_0": "web-2",
        "key_1": "",
        "value_1": "",
        "key_2": "Team",
        "value_2": "blue",
    }
    response = root_client.post(f"/ec2/instances/{i}/tags/", rows)
    assert response.status_code == 302
    assert {t.key: t.value for t in current(root, i).tags} == {"Name": "web-2", "Team": "blue"}
    bad = root_client.post(f"/ec2/instances/{i}/tags/", {"key_0": "aws:cost", "value_0": "x"})
    assert bad.status_code == 400 and "reserved for internal use" in _text(bad)
    huge = root_client.post(f"/ec2/instances/{i}/tags/", {"key_0": "k" * 10_000, "value_0": "x"})
    assert huge.status_code == 400
    assert InstanceTag.objects.count() == 2


def test_connect_shows_the_role_credentials_inside_the_instance(
    root_client, bob_client, launch, ec2_role, root
):
    ec2_role("AppRole")
    i = launch(profile="AppRole").instance_id
    page = root_client.post(f"/ec2/instances/{i}/connect/")
    assert page.status_code == 200 and "no-store" in page["Cache-Control"]
    body = _text(page)
    assert "latest/meta-data/iam/security-credentials/AppRole" in body
    assert re.search(r"&quot;AccessKeyId&quot; : &quot;ASIA[A-Z0-9]{16}&quot;", body)
    assert "AWS_CONTAINER_AUTHORIZATION_TOKEN=" in body
    refused = bob_client.post(f"/ec2/instances/{i}/connect/")
    assert refused.status_code == 403
    assert "is not authorized to perform: ec2-instance-connect:SendSSHPublicKey on resource" in _text(refused)
    assert "AWS_CONTAINER_AUTHORIZATION_TOKEN=" not in _text(refused)


def test_page_queries_do_not_grow_with_instances(root_client, launch, ec2_role, root):
    ec2_role("AppRole")
    launch(name="a", profile="AppRole", tags={"Env": "dev"})
    from django.db import connection

    def count(page):
        with CaptureQueriesContext(connection) as captured:
            assert root_client.get(page).status_code == 200
        return len(captured)

    count("/ec2/instances/")  # warm the per-process caches (policies, content types)
    few = count("/ec2/instances/"), count("/ec2/")
    for n in range(8):
        launch(name=f"n{n}", profile="AppRole" if n % 2 else None, tags={"Env": "dev", "Team": str(n)})
    many = count("/ec2/instances/"), count("/ec2/")
    assert many == few


def test_list_page_query_budget(root_client, launch, ec2_role, django_assert_max_num_queries):
    ec2_role("AppRole")
    for n in range(10):
        launch(name=f"n{n}", profile="AppRole")
    with django_assert_max_num_queries(12):
        assert root_client.get("/ec2/instances/").status_code == 200


def test_console_pages_need_a_sign_in_but_the_metadata_service_does_not(client, launch):
    i = launch().instance_id
    for page in ("/ec2/", "/ec2/instances/", f"/ec2/instances/{i}/", f"/ec2/instances/{i}/connect/"):
        response = client.get(page)
        assert response.status_code == 302 and response["Location"].startswith("/signin/"), page
    assert client.get(f"/ec2/instances/{i}/latest/meta-data/").status_code == 401  # no token: not inside
    assert client.head(f"/ec2/instances/{i}/latest/meta-data/").status_code == 401
    assert client.put(f"/ec2/instances/{i}/latest/api/token").status_code == 401
