"""Console Home (where sign-in lands), the Services menu, the IAM navigation as AWS has it
(Identity providers, Access reports; no simulator or Security credentials in the side
navigation), and the dashboard's refusal and Tools."""

from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from accounts.services import permissions as permission_services
from tests.conftest import USER_PASSWORD
from tests.web.test_mfa_signin import enrol
from tests.web.test_signin import signin_iam

AWS = "arn:aws:iam::aws:policy/"


def test_sign_in_lands_on_console_home_for_a_user_without_any_permission(root, user_factory):
    user_factory("kim")
    client = Client()
    client.get(reverse("signin"))
    response = signin_iam(client, root.account.account_id, "kim", USER_PASSWORD)
    assert response.status_code == 302 and response["Location"] == reverse("console_home")
    home = client.get(reverse("console_home"))
    assert home.status_code == 200
    body = home.content.decode()
    assert "Console Home" in body and root.account.account_id in body
    assert "not authorized" not in body  # Console Home decides nothing
    names = [s.name for _, services in home.context["categories"] for s in services]
    assert {"IAM", "EC2", "S3"} <= set(names)


def test_recently_visited_lists_the_services_most_recent_first(root_client):
    home = root_client.get(reverse("console_home"))
    assert home.context["recent_services"] == []
    assert "No recently visited services" in home.content.decode()
    root_client.get(reverse("iam:user_list"))
    assert [s.key for s in root_client.get(reverse("console_home")).context["recent_services"]] == ["iam"]
    assert root_client.get(reverse("ec2:dashboard")).status_code == 200
    assert [s.key for s in root_client.get(reverse("console_home")).context["recent_services"]] == [
        "ec2",
        "iam",
    ]
    root_client.get(reverse("iam:role_list"))
    assert [s.key for s in root_client.get(reverse("console_home")).context["recent_services"]] == [
        "iam",
        "ec2",
    ]


def test_a_forged_recent_cookie_names_only_real_services(root_client):
    root_client.cookies["console_recent"] = "nope.<script>.iam.iam"
    recent = root_client.get(reverse("console_home")).context["recent_services"]
    assert [s.key for s in recent] == ["iam"]


def test_root_without_mfa_is_urged_to_add_it(root, root_client):
    assert 'data-testid="root-mfa-nudge"' in root_client.get(reverse("console_home")).content.decode()
    enrol(root)
    assert 'data-testid="root-mfa-nudge"' not in root_client.get(reverse("console_home")).content.decode()


def test_every_console_page_has_the_services_menu_with_search(root_client):
    for name in ("console_home", "iam:user_list", "ec2:dashboard"):
        body = root_client.get(reverse(name)).content.decode()
        assert 'data-testid="services-menu"' in body and "data-services-search" in body
        assert 'href="/ec2/"' in body or reverse("ec2:dashboard") in body


def test_console_home_queries_do_not_depend_on_history(root_client):
    with CaptureQueriesContext(connection) as first:
        root_client.get(reverse("console_home"))
    for name in ("iam:user_list", "ec2:dashboard", "iam:role_list"):
        root_client.get(reverse(name))
    with CaptureQueriesContext(connection) as later:
        root_client.get(reverse("console_home"))
    assert len(later.captured_queries) <= len(first.captured_queries)


def test_iam_navigation_as_aws_has_it(root_client):
    body = root_client.get(reverse("iam:user_list")).content.decode()
    nav = body[body.index('id="cs-sidenav"') : body.index("</nav>", body.index('id="cs-sidenav"'))]
    assert "Identity providers" in nav and "Credential report" in nav and "Access reports" in nav
    assert "Policy simulator" not in nav and "Security credentials" not in nav
    menu = body[body.index('data-testid="account-menu"') :]
    assert reverse("iam:security_credentials") in menu


def test_identity_providers_page_allowed_and_refused(root, root_client, user_factory, client_for):
    page = root_client.get(reverse("iam:identity_providers"))
    assert page.status_code == 200 and "No resources to display" in page.content.decode()
    kim = user_factory("kim")
    refused = client_for(kim).get(reverse("iam:identity_providers"))
    assert refused.status_code == 403
    assert f"User: {kim.arn} is not authorized to perform: iam:ListSAMLProviders" in refused.content.decode()
    permission_services.attach_user_policy(root, user_name="kim", policy_arn=AWS + "IAMReadOnlyAccess")
    assert client_for(kim).get(reverse("iam:identity_providers")).status_code == 200


def test_dashboard_shows_the_summary_refusal_and_the_simulator_in_tools(
    root_client, user_factory, client_for
):
    kim = user_factory("kim")
    dashboard = client_for(kim).get(reverse("iam:dashboard"))
    assert dashboard.status_code == 200
    body = dashboard.content.decode()
    assert f"User: {kim.arn} is not authorized to perform: iam:GetAccountSummary" in body
    assert reverse("iam:policy_simulator") in body[body.index('id="tools"') :]
    policies = root_client.get(reverse("iam:policy_list")).content.decode()
    assert reverse("iam:policy_simulator") in policies
