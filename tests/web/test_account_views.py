from django.urls import reverse

from accounts.models import Account, PasswordPolicy


def test_dashboard_shows_account_id_alias_and_signin_url(root, root_client):
    page = root_client.get(reverse("iam:dashboard"))
    body = page.content.decode()
    assert page.status_code == 200
    assert root.account.account_id in body
    assert f"http://testserver/signin/{root.account.account_id}/" in body
    root_client.post(reverse("iam:account_alias_edit"), {"alias": "acme"})
    body = root_client.get(reverse("iam:dashboard")).content.decode()
    assert "http://testserver/signin/acme/" in body and "@ acme" in body


def test_alias_create_change_delete(root, root_client):
    assert root_client.post(reverse("iam:account_alias_edit"), {"alias": "acme"}).status_code == 302
    assert root_client.post(reverse("iam:account_alias_edit"), {"alias": "acme-two"}).status_code == 302
    assert Account.objects.get(pk=root.account_id).alias == "acme-two"
    assert root_client.get(reverse("iam:account_alias_delete")).status_code == 200
    assert root_client.post(reverse("iam:account_alias_delete")).status_code == 302
    assert Account.objects.get(pk=root.account_id).alias is None


def test_alias_bad_input_and_taken(root_factory, client_for):
    a, b = root_factory(), root_factory()
    client_for(a).post(reverse("iam:account_alias_edit"), {"alias": "taken"})
    client = client_for(b)
    for alias, status, message in [
        ("taken", 409, "The account alias taken already exists."),
        ("Bad_Alias", 400, "lowercase letters"),
        ("12345", 400, "digits only"),
        ("ab", 400, "between 3 and 63"),
    ]:
        response = client.post(reverse("iam:account_alias_edit"), {"alias": alias})
        assert response.status_code == status, alias
        assert message in response.content.decode(), alias
    assert Account.objects.get(pk=b.account_id).alias is None


def test_password_policy_page_shows_iam_default_then_custom(root_client):
    page = root_client.get(reverse("iam:account_settings"))
    assert "default password policy" in page.content.decode()
    response = root_client.post(
        reverse("iam:password_policy_edit"),
        {
            "mode": "custom",
            "minimum_password_length": "12",
            "require_symbols": "on",
            "expire_passwords": "on",
            "max_password_age": "90",
            "allow_users_to_change_password": "on",
            "prevent_reuse": "on",
            "password_reuse_prevention": "5",
        },
    )
    assert response.status_code == 302
    policy = PasswordPolicy.objects.get()
    assert (policy.minimum_password_length, policy.max_password_age, policy.password_reuse_prevention) == (
        12,
        90,
        5,
    )
    assert policy.require_symbols and policy.allow_users_to_change_password and not policy.hard_expiry
    body = root_client.get(reverse("iam:account_settings")).content.decode()
    assert "Password minimum length: 12 characters" in body and "Password expires in 90 day(s)" in body
    assert (
        root_client.post(
            reverse("iam:password_policy_edit"), {"mode": "default", "minimum_password_length": "8"}
        ).status_code
        == 302
    )
    assert not PasswordPolicy.objects.exists()


def test_password_policy_ranges_in_the_form(root_client):
    for data in [
        {"mode": "custom", "minimum_password_length": "5"},
        {"mode": "custom", "minimum_password_length": "129"},
        {
            "mode": "custom",
            "minimum_password_length": "8",
            "expire_passwords": "on",
            "max_password_age": "1096",
        },
        {
            "mode": "custom",
            "minimum_password_length": "8",
            "prevent_reuse": "on",
            "password_reuse_prevention": "25",
        },
        {"mode": "custom", "minimum_password_length": "8", "expire_passwords": "on"},
    ]:
        response = root_client.post(reverse("iam:password_policy_edit"), data)
        assert response.status_code == 400, data
    assert not PasswordPolicy.objects.exists()


def test_root_changes_own_password(root, root_client):
    from tests.conftest import ROOT_PASSWORD

    response = root_client.post(
        reverse("iam:security_credentials_password"),
        {
            "old_password": ROOT_PASSWORD,
            "new_password": "Another-Root1",
            "new_password_confirm": "Another-Root1",
        },
    )
    assert response.status_code == 302
    root.refresh_from_db()
    assert root.check_password("Another-Root1")
