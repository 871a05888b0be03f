"""EC2 instance services: RunInstances, DescribeInstances (filters, paging), the state machine
through Start/Stop/Terminate, tenancy, quotas and EC2's error codes."""

from datetime import UTC, datetime, timedelta

import pytest

from ec2 import states
from ec2.errors import (
    IncorrectInstanceState,
    InstanceLimitExceeded,
    InvalidAMIIDMalformed,
    InvalidAMIIDNotFound,
    InvalidInstanceIDMalformed,
    InvalidInstanceIDNotFound,
    InvalidPaginationToken,
    InvalidParameterCombination,
    InvalidParameterValue,
    MissingParameter,
    OptInRequired,
)
from ec2.models import Instance
from ec2.services import instances

from .conftest import AL2023, REGION, UBUNTU, age, audit_rows, current

pytestmark = pytest.mark.django_db


# --- the state machine (pure) ------------------------------------------------------------------


def test_transitional_states_settle_after_their_delay():
    t0 = datetime(2026, 1, 1, tzinfo=UTC)
    delays = {"pending": 5, "stopping": 5, "shutting-down": 5}
    assert states.current("pending", t0, t0 + timedelta(seconds=4.9), delays) == "pending"
    assert states.current("pending", t0, t0 + timedelta(seconds=5), delays) == "running"
    assert states.current("stopping", t0, t0 + timedelta(seconds=6), delays) == "stopped"
    assert states.current("shutting-down", t0, t0 + timedelta(seconds=6), delays) == "terminated"
    assert states.current("stopped", t0, t0 + timedelta(days=9), delays) == "stopped"
    assert states.settled_at("pending", t0, delays) == t0 + timedelta(seconds=5)
    assert [states.CODES[s] for s in states.NAMES] == [0, 16, 32, 48, 64, 80]


# --- RunInstances ------------------------------------------------------------------------------


def test_run_instances_launches_tagged_instances_under_one_reservation(root, launch):
    from ec2.services import instances as svc

    reservation = svc.run_instances(
        root,
        region=REGION,
        image_id=UBUNTU,
        min_count=2,
        max_count=3,
        instance_type="t3.small",
        tag_specifications=[{"ResourceType": "instance", "Tags": [{"Key": "Name", "Value": "web"}]}],
    )
    assert len(reservation.instances) == 3
    assert reservation.reservation_id.startswith("r-") and len(reservation.reservation_id) == 19
    first = reservation.instances[0]
    assert first.instance_id.startswith("i-") and len(first.instance_id) == 19
    assert first.state.name == "pending" and first.state.code == 0
    assert first.name == "web" and first.instance_type == "t3.small" and first.image_id == UBUNTU
    assert first.availability_zone.startswith(REGION)
    assert first.metadata_options.http_tokens == "optional"  # Ubuntu's AMI does not require IMDSv2
    assert {i.ami_launch_index for i in reservation.instances} == {0, 1, 2}
    assert first.launched_by == root.arn
    # transitions settle at once in these tests
    assert current(root, first.instance_id).state.name == "running"
    event = audit_rows("ec2:RunInstances")[-1]
    assert event.result == "Success" and len(event.detail["instance_ids"]) == 3


def test_run_instances_defaults_and_imdsv2_from_the_image(root, launch):
    instance = launch(instance_type=None)
    assert instance.instance_type == "m1.small"  # EC2's default
    assert instance.metadata_options.http_tokens == "required"  # AL2023 requires IMDSv2


@pytest.mark.parametrize(
    ("kwargs", "error", "message"),
    [
        ({"image_id": None}, MissingParameter, "The request must contain the parameter ImageId"),
        ({"image_id": "ami-12"}, InvalidAMIIDMalformed, 'Invalid id: "ami-12" (expecting "ami-...")'),
        (
            {"image_id": "ami-0123456789abcdef0"},
            InvalidAMIIDNotFound,
            "The image id '[ami-0123456789abcdef0]' does not exist",
        ),
        ({"min_count": 0}, InvalidParameterValue, "minCount"),
        ({"min_count": 3, "max_count": 2}, InvalidParameterValue, "less than or equal to maxCount"),
        (
            {"placement": {"AvailabilityZone": "us-east-1a"}},
            InvalidParameterValue,
            "Invalid availability zone: [us-east-1a]",
        ),
        (
            {"metadata_options": {"HttpPutResponseHopLimit": 65}},
            InvalidParameterValue,
            "HttpPutResponseHopLimit",
        ),
        (
            {"tag_specifications": [{"ResourceType": "vpc", "Tags": []}]},
            InvalidParameterValue,
            "'vpc' is not a valid taggable resource type",
        ),
        (
            {"tag_specifications": [{"ResourceType": "instance", "Tags": [{"Key": "aws:x", "Value": ""}]}]},
            InvalidParameterValue,
            "reserved for internal use",
        ),
        (
            {"iam_instance_profile": {"Name": "Nope"}},
            InvalidParameterValue,
            "Invalid IAM Instance Profile name",
        ),
    ],
)
def test_run_instances_refuses_bad_input_and_writes_nothing(root, kwargs, error, message):
    params = {"region": REGION, "image_id": AL2023, "min_count": 1, "max_count": 1, **kwargs}
    with pytest.raises(error) as excinfo:
        instances.run_instances(root, **params)
    assert message in excinfo.value.message
    assert not Instance.objects.exists()
    assert audit_rows("ec2:RunInstances")[-1].result == error.code


def test_regions_opt_in_and_unknown(root):
    with pytest.raises(OptInRequired):
        instances.run_instances(root, region="af-south-1", image_id=AL2023, min_count=1, max_count=1)
    with pytest.raises(InvalidParameterValue, match="Invalid region"):
        instances.describe_instances(root, region="xx-nowhere-1")


def test_quota_launches_what_fits_and_refuses_more_than_min_count(root, monkeypatch):
    monkeypatch.setattr(instances, "INSTANCE_LIMIT", 3)
    reservation = instances.run_instances(
        root, region=REGION, image_id=AL2023, min_count=1, max_count=2**31 - 1
    )
    assert len(reservation.instances) == 3
    with pytest.raises(
        InstanceLimitExceeded, match=r"more instances \(1\) than your current instance limit of 3"
    ):
        instances.run_instances(root, region=REGION, image_id=AL2023, min_count=1, max_count=1)
    assert Instance.objects.count() == 3


def test_client_token_makes_run_instances_idempotent(root):
    params = {"region": REGION, "image_id": AL2023, "min_count": 1, "max_count": 1, "client_token": "tok-1"}
    first = instances.run_instances(root, **params)
    again = instances.run_instances(root, **params)
    assert again.reservation_id == first.reservation_id
    assert Instance.objects.count() == 1


def test_dry_run_answers_whether_it_would_succeed(root):
    from ec2.errors import DryRunOperation

    with pytest.raises(DryRunOperation, match="Request would have succeeded, but DryRun flag is set."):
        instances.run_instances(root, region=REGION, image_id=AL2023, min_count=1, max_count=1, dry_run=True)
    assert not Instance.objects.exists()


# --- the state machine through the actions --------------------------------------------------------


def test_lifecycle_pending_running_stopping_stopped_pending_shutting_down_terminated(
    root, launch, slow_transitions
):
    i = launch().instance_id
    assert current(root, i).state.name == "pending"
    with pytest.raises(
        IncorrectInstanceState, match="cannot be stopped as it has never reached the 'running' state"
    ):
        instances.stop_instances(root, region=REGION, instance_ids=[i])
    age(i, 31)
    assert current(root, i).state.name == "running"
    assert current(root, i).public_ip_address.startswith("203.0.113.")
    [change] = instances.stop_instances(root, region=REGION, instance_ids=[i])
    assert (change.previous_state.name, change.current_state.name) == ("running", "stopping")
    assert (change.previous_state.code, change.current_state.code) == (16, 64)
    with pytest.raises(IncorrectInstanceState, match="is not in a state from which it can be started"):
        instances.start_instances(root, region=REGION, instance_ids=[i])
    age(i, 31)
    stopped = current(root, i)
    assert stopped.state.name == "stopped" and stopped.public_ip_address is None
    assert stopped.state_reason.code == "Client.UserInitiatedShutdown"
    assert stopped.state_transition_reason.startswith("User initiated (")
    # stopping a stopped instance changes nothing
    [same] = instances.stop_instances(root, region=REGION, instance_ids=[i])
    assert same.previous_state.name == same.current_state.name == "stopped"
    before = Instance.objects.get(instance_id=i).launch_time
    [started] = instances.start_instances(root, region=REGION, instance_ids=[i])
    assert (started.previous_state.name, started.current_state.name) == ("stopped", "pending")
    assert Instance.objects.get(instance_id=i).launch_time > before
    [ended] = instances.terminate_instances(root, region=REGION, instance_ids=[i])
    assert ended.current_state.name == "shutting-down"
    age(i, 31)
    assert current(root, i).state.name == "terminated"
    with pytest.raises(IncorrectInstanceState, match="from which it can be started"):
        instances.start_instances(root, region=REGION, instance_ids=[i])
    with pytest.raises(IncorrectInstanceState, match="from which it can be stopped"):
        instances.stop_instances(root, region=REGION, instance_ids=[i])
    [again] = instances.terminate_instances(root, region=REGION, instance_ids=[i])
    assert again.previous_state.name == again.current_state.name == "terminated"
    # a terminated instance stays visible for about an hour
    age(i, 3600)
    with pytest.raises(InvalidInstanceIDNotFound):
        current(root, i)


def test_a_batch_changes_all_or_nothing(root, launch):
    a = launch().instance_id
    b = launch().instance_id
    instances.terminate_instances(root, region=REGION, instance_ids=[b])
    with pytest.raises(IncorrectInstanceState):
        instances.start_instances(root, region=REGION, instance_ids=[a, b])  # b cannot start
    instances.stop_instances(root, region=REGION, instance_ids=[a])
    with pytest.raises(IncorrectInstanceState):
        instances.start_instances(root, region=REGION, instance_ids=[a, b])
    assert current(root, a).state.name == "stopped"  # a was not started either


def test_ids_are_checked_and_scoped_to_account_and_region(root, root_factory, launch):
    i = launch().instance_id
    with pytest.raises(InvalidInstanceIDMalformed, match='Invalid id: "i-xyz"'):
        instances.stop_instances(root, region=REGION, instance_ids=["i-xyz"])
    with pytest.raises(InvalidInstanceIDNotFound, match=f"The instance ID '{i}' does not exist"):
        instances.stop_instances(root, region="us-east-1", instance_ids=[i])
    other = root_factory()
    with pytest.raises(InvalidInstanceIDNotFound):
        instances.stop_instances(other, region=REGION, instance_ids=[i])
    with pytest.raises(
        InvalidInstanceIDNotFound,
        match="The instance IDs 'i-00000000000000000, i-00000000000000001' do not exist",
    ):
        instances.describe_instances(
            root, region=REGION, instance_ids=[i, "i-00000000000000000", "i-00000000000000001"]
        )
    assert instances.describe_instances(other, region=REGION).items == []
    with pytest.raises(MissingParameter):
        instances.start_instances(root, region=REGION, instance_ids=[])


# --- DescribeInstances: filters and paging --------------------------------------------------------


def test_describe_filters(root, launch):
    web = launch(name="web-1", tags={"Env": "prod"}, instance_type="t3.small").instance_id
    web2 = launch(name="web-2", tags={"Env": "dev"}).instance_id
    db = launch(name="db", image_id=UBUNTU).instance_id
    instances.stop_instances(root, region=REGION, instance_ids=[db])

    def ids(*filters):
        found = instances.describe_instances(root, region=REGION, filters=list(filters))
        return [i.instance_id for i in found]

    assert ids({"Name": "tag:Name", "Values": ["web-*"]}) == [web, web2]
    assert ids({"Name": "tag:Name", "Values": ["web-?"]}, {"Name": "tag:Env", "Values": ["dev"]}) == [web2]
    assert ids({"Name": "tag-key", "Values": ["Env"]}) == [web, web2]
    assert ids({"Name": "tag-value", "Values": ["prod", "db"]}) == [web, db]
    assert ids({"Name": "instance-state-name", "Values": ["stopped"]}) == [db]
    assert ids({"Name": "instance-state-code", "Values": ["16"]}) == [web, web2]
    assert ids({"Name": "instance-type", "Values": ["t3.small"]}) == [web]
    assert ids({"Name": "instance-id", "Values": [db]}) == [db]
    assert ids({"Name": "image-id", "Values": [UBUNTU]}) == [db]
    assert ids({"Name": "tag:name", "Values": ["web-1"]}) == []  # keys are case-sensitive
    with pytest.raises(InvalidParameterValue, match="The filter 'color' is invalid"):
        ids({"Name": "color", "Values": ["red"]})


def test_glob_matching_is_linear():
    import time

    from ec2.services.filters import glob_match

    assert glob_match("a*b?d", "axxbcd") and not glob_match("a*b?d", "axxbd")
    started = time.perf_counter()
    assert not glob_match("*a" * 200 + "b", "a" * 1000)
    assert time.perf_counter() - started < 1


def test_describe_pages_with_max_results_and_next_token(root, launch):
    launched = [launch(name=f"n{n}").instance_id for n in range(7)]
    page1 = instances.describe_instances(root, region=REGION, max_results=5)
    assert [i.instance_id for i in page1] == launched[:5] and page1.next_token
    page2 = instances.describe_instances(root, region=REGION, max_results=5, next_token=page1.next_token)
    assert [i.instance_id for i in page2] == launched[5:] and page2.next_token is None
    with pytest.raises(InvalidParameterValue, match=r"Value \( 4 \) for parameter maxResults is invalid"):
        instances.describe_instances(root, region=REGION, max_results=4)
    with pytest.raises(
        InvalidParameterCombination, match="instancesSet cannot be used with the parameter maxResults"
    ):
        instances.describe_instances(root, region=REGION, max_results=5, instance_ids=launched[:1])
    with pytest.raises(InvalidPaginationToken):
        instances.describe_instances(root, region=REGION, max_results=5, next_token="forged")
