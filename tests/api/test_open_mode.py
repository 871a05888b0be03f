"""The opt-in open mode for local test harnesses: with ``API_OPEN_ACCOUNT`` set, a request signed
with a key the server does not know is served, unverified, as the root of that account (made
on first use). Off by default. Known keys are still verified."""

import pytest

from accounts.models import Account, Identity
from tests.api.conftest import Keys, error_of, make_client

OPEN = "123456789012"
UNKNOWN = Keys("AKIAUNKNOWNUNKNOWN00", "not-the-secret-of-anything-at-all-000000")


def _refused(call) -> dict:
    from botocore.exceptions import ClientError

    with pytest.raises(ClientError) as caught:
        call()
    return error_of(caught)


def test_off_by_default_an_unknown_key_is_refused(world):
    client = make_client(world.session, "sts", world.endpoint, UNKNOWN)
    error = _refused(client.get_caller_identity)
    assert (error["Code"], error["HTTPStatusCode"]) == ("InvalidClientTokenId", 403)
    assert error["Message"] == "The security token included in the request is invalid."
    iam = make_client(world.session, "iam", world.endpoint, UNKNOWN)
    assert _refused(iam.list_users)["Message"] == "The security token included in the request is invalid"
    assert not Account.objects.filter(account_id=OPEN).exists()


def test_open_mode_serves_unknown_keys_as_the_open_accounts_root(world, settings):
    settings.API_OPEN_ACCOUNT = OPEN
    assert not Account.objects.filter(account_id=OPEN).exists()
    sts = make_client(world.session, "sts", world.endpoint, UNKNOWN)
    identity = sts.get_caller_identity()
    assert (identity["Account"], identity["Arn"]) == (OPEN, f"arn:aws:iam::{OPEN}:root")
    assert Identity.objects.filter(account_id=OPEN, kind=Identity.ROOT).count() == 1

    # any other unknown key, whatever its secret or session token: the same root, the same account
    other = Keys("AKIAANOTHERUNKNOWN00", "x" * 40)
    iam = make_client(world.session, "iam", world.endpoint, other)
    iam.create_user(UserName="harness")
    temporary = Keys("ASIAUNKNOWNUNKNOWN00", "y" * 40, "some-token")
    listed = make_client(world.session, "iam", world.endpoint, temporary).list_users()["Users"]
    assert [(u["UserName"], u["Arn"]) for u in listed] == [("harness", f"arn:aws:iam::{OPEN}:user/harness")]
    assert Account.objects.filter(account_id=OPEN).count() == 1

    # known keys are still verified: a wrong secret is refused, the right one acts as its user
    wrong = Keys(world.nobody.keys.access_key_id, "z" * 40)
    error = _refused(make_client(world.session, "sts", world.endpoint, wrong).get_caller_identity)
    assert error["Code"] == "SignatureDoesNotMatch"
    assert world.nobody.sts.get_caller_identity()["Arn"] == world.nobody.arn
    # and the open account's root is a root: it cannot assume roles, like any root
    assert (
        _refused(lambda: sts.assume_role(RoleArn=f"arn:aws:iam::{OPEN}:role/x", RoleSessionName="xx"))["Code"]
        == "AccessDenied"
    )
