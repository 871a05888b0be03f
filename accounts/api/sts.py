"""The STS API: GetCallerIdentity, GetSessionToken and AssumeRole, over ``services.sts``."""

from ..services import sts
from .adapt import call, to_aws


def get_caller_identity(actor, params, info) -> dict:
    return to_aws(call(sts.get_caller_identity, actor, params))


def get_session_token(actor, params, info) -> dict:
    return {"Credentials": to_aws(call(sts.get_session_token, actor, params))}


def assume_role(actor, params, info) -> dict:
    # Not yet: session tags, transitive tag keys, source identity and provided contexts.
    found = call(
        sts.assume_role,
        actor,
        params,
        rename={"PolicyArns": "policy_arns"},
        source_region=info.region,
    )
    out = {
        "Credentials": to_aws(found.credentials),
        "AssumedRoleUser": {"AssumedRoleId": found.assumed_role_id, "Arn": found.arn},
    }
    if found.packed_policy_size is not None:
        out["PackedPolicySize"] = found.packed_policy_size
    return out


HANDLERS = {
    "GetCallerIdentity": get_caller_identity,
    "GetSessionToken": get_session_token,
    "AssumeRole": assume_role,
}
