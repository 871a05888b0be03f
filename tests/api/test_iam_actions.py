"""Every IAM action of the API's handler table, through boto3 against the live server: an
administrator's call (root's key, and a user with AdministratorAccess) succeeds with the right
response and stored state; the same call by a user with no policy is refused with AWS's
AccessDenied and writes nothing. The samples live in tests/api/samples.py: an action without
one fails here, so that no action goes untested. The tests share one account (``module_world``):
each makes its own objects under its own names."""

import pytest
from botocore.exceptions import ClientError

from accounts.api import iam
from tests.api.conftest import call, denied, error_of, state_digest
from tests.api.samples import SAMPLES, Ctx

ACTIONS = sorted(iam.HANDLERS)


@pytest.mark.parametrize("action", ACTIONS)
def test_action_allowed_for_administrators_refused_without_policy(module_world, action):
    world = module_world
    root = world.root.identity
    sample = SAMPLES.get(action)
    if sample is None:
        pytest.fail(f"iam:{action} is served but has no sample in tests/api/samples.py")

    tag = f"-{ACTIONS.index(action)}-"
    refused = Ctx(root, 0, caller="nobody", tag=tag)
    params = sample.params(refused)
    before = state_digest()
    with pytest.raises(ClientError) as caught:
        call(world.nobody.iam, action, params)
    error = error_of(caught)
    assert (error["Code"], error["Type"], error["HTTPStatusCode"]) == ("AccessDenied", "Sender", 403)
    assert error["Message"] == denied(world.nobody.arn, f"iam:{action}", sample.resource(refused, params))
    assert error["RequestId"]
    assert state_digest() == before

    for n, caller in ((1, world.root), (2, world.admin)):
        ctx = Ctx(root, n, caller="root" if n == 1 else "admin", tag=tag)
        params = sample.params(ctx)
        out = call(caller.iam, action, params)
        sample.check(ctx, out, params)


def test_every_sample_names_a_served_action():
    assert set(SAMPLES) - set(iam.HANDLERS) == set()
