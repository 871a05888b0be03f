"""``parse_params`` answers invalid input as AWS does: the wording, code and status of its errors.

The facts (and the issues quoting AWS that they come from) are in ``accounts.api.protocol``'s
docstring; these tests pin them down.
"""

import concurrent.futures
import datetime as dt
import time

import pytest

from accounts.api import protocol


def op(service, name):
    return protocol.operation(service, name)


def error_of(service, name, params):
    with pytest.raises(protocol.ProtocolError) as info:
        protocol.parse_params(op(service, name), params)
    assert info.value.status == 400
    return info.value


# -- the happy path ------------------------------------------------------------------------------


def test_scalars_lists_and_structures_become_boto3_parameters():
    params = {
        "UserName": "alice",
        "Path": "/team/",
        "Tags.member.1.Key": "team",
        "Tags.member.1.Value": "blue",
        "Tags.member.2.Key": "cost center",
        "Tags.member.2.Value": "",
        "Bogus": "ignored",
        "Tags.member.1.Bogus": "ignored too",
    }
    assert protocol.parse_params(op("iam", "CreateUser"), params) == {
        "UserName": "alice",
        "Path": "/team/",
        "Tags": [{"Key": "team", "Value": "blue"}, {"Key": "cost center", "Value": ""}],
    }


def test_types():
    assert protocol.parse_params(op("iam", "ListUsers"), {"MaxItems": "100"}) == {"MaxItems": 100}
    assert (
        protocol.parse_params(
            op("sts", "AssumeRole"),
            {
                "RoleArn": "arn:aws:iam::123456789012:role/r",
                "RoleSessionName": "s1",
                "DurationSeconds": "+0900",
            },
        )["DurationSeconds"]
        == 900
    )
    assert protocol.parse_params(op("iam", "CreateAccessKey"), {}) == {}
    parsed = protocol.parse_params(
        op("iam", "UpdateAccountPasswordPolicy"),
        {
            "RequireSymbols": "TRUE",
            "RequireNumbers": "false",
        },
    )
    assert parsed == {"RequireSymbols": True, "RequireNumbers": False}
    # no IAM, STS or served EC2 input is a blob or a double: their scalar plans are exercised directly
    ctx = protocol._Ctx(ec2=False)
    blob = protocol._Scalar(protocol.service_model("ec2").shape_for("Blob"))
    assert blob.convert("aGk=", "Blob", ctx) == b"hi"
    double = protocol._Scalar(protocol.service_model("ec2").shape_for("Double"))
    assert double.convert("-1.5e3", "D", ctx) == -1500.0


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2026-12-01T02:50:12Z", dt.datetime(2026, 12, 1, 2, 50, 12, tzinfo=dt.UTC)),
        ("2026-12-01T02:50:12.359Z", dt.datetime(2026, 12, 1, 2, 50, 12, 359000, tzinfo=dt.UTC)),
        ("2026-12-01T02:50:12.123456789Z", dt.datetime(2026, 12, 1, 2, 50, 12, 123456, tzinfo=dt.UTC)),
        ("2026-12-01T03:50:12+01:00", dt.datetime(2026, 12, 1, 2, 50, 12, tzinfo=dt.UTC)),
        ("2026-12-01T02:50:12", dt.datetime(2026, 12, 1, 2, 50, 12, tzinfo=dt.UTC)),
        ("2026-12-01", dt.datetime(2026, 12, 1, tzinfo=dt.UTC)),
        ("1796093412", dt.datetime(2026, 12, 1, 2, 50, 12, tzinfo=dt.UTC)),
        ("1796093412.5", dt.datetime(2026, 12, 1, 2, 50, 12, 500000, tzinfo=dt.UTC)),
        ("Tue, 01 Dec 2026 02:50:12 GMT", dt.datetime(2026, 12, 1, 2, 50, 12, tzinfo=dt.UTC)),
    ],
)
def test_timestamps_iso8601_epoch_and_rfc822(text, expected):
    # EC2's DescribeInstances has no timestamp input; the scalar plan is exercised directly.
    value = protocol._parse_timestamp(text)
    assert value == expected
    assert value.tzinfo is not None


def test_ec2_lists_are_flattened_under_their_location_names():
    params = {
        "InstanceId.1": "i-1",
        "InstanceId.2": "i-2",
        "Filter.1.Name": "tag:Name",
        "Filter.1.Value.1": "web",
        "Filter.1.Value.2": "db",
        "MaxResults": "5",
        "DryRun": "false",
    }
    assert protocol.parse_params(op("ec2", "DescribeInstances"), params) == {
        "InstanceIds": ["i-1", "i-2"],
        "Filters": [{"Name": "tag:Name", "Values": ["web", "db"]}],
        "MaxResults": 5,
        "DryRun": False,
    }


def test_ec2_query_name_wins_over_location_name():
    parsed = protocol.parse_params(
        op("ec2", "RunInstances"),
        {
            "MinCount": "1",
            "MaxCount": "1",
            "NetworkInterface.1.PrivateIpAddresses.1.PrivateIpAddress": "10.0.0.5",
            "IamInstanceProfile.Name": "web",
            "TagSpecification.1.ResourceType": "instance",
            "TagSpecification.1.Tag.1.Key": "Name",
            "TagSpecification.1.Tag.1.Value": "web",
        },
    )
    assert parsed["NetworkInterfaces"] == [{"PrivateIpAddresses": [{"PrivateIpAddress": "10.0.0.5"}]}]
    assert parsed["IamInstanceProfile"] == {"Name": "web"}
    assert parsed["TagSpecifications"] == [
        {"ResourceType": "instance", "Tags": [{"Key": "Name", "Value": "web"}]}
    ]


def test_indices_are_sparse_and_ordered_and_the_empty_list_is_kept():
    parsed = protocol.parse_params(
        op("iam", "CreateUser"),
        {
            "UserName": "a",
            "Tags.member.7.Key": "seven",
            "Tags.member.7.Value": "7",
            "Tags.member.2.Key": "two",
            "Tags.member.2.Value": "2",
        },
    )
    assert [tag["Key"] for tag in parsed["Tags"]] == ["two", "seven"]
    assert protocol.parse_params(op("iam", "CreateUser"), {"UserName": "a", "Tags": ""}) == {
        "UserName": "a",
        "Tags": [],
    }


def test_a_repeated_parameter_keeps_its_first_value():
    assert protocol.parse_params(op("iam", "GetUser"), {"UserName": ["first", "second"]}) == {
        "UserName": "first"
    }


# -- validation messages (query protocol) --------------------------------------------------------


def test_pattern():
    error = error_of("iam", "CreateUser", {"UserName": "x y"})
    assert error.code == "ValidationError"
    assert error.message == (
        "1 validation error detected: Value 'x y' at 'userName' failed to satisfy constraint: "
        "Member must satisfy regular expression pattern: [\\w+=,.@-]+"
    )


def test_java_w_is_ascii():
    error = error_of("iam", "CreateUser", {"UserName": "zoë"})
    assert "Member must satisfy regular expression pattern" in error.message


def test_unicode_property_classes():
    params = {"UserName": "a", "Tags.member.1.Key": "Équipe 日本 ٣", "Tags.member.1.Value": "ok"}
    assert protocol.parse_params(op("iam", "CreateUser"), params)["Tags"][0]["Key"] == "Équipe 日本 ٣"
    error = error_of(
        "iam", "CreateUser", {"UserName": "a", "Tags.member.1.Key": "a!", "Tags.member.1.Value": "b"}
    )
    assert error.message == (
        "1 validation error detected: Value 'a!' at 'tags.1.member.key' failed to satisfy constraint: "
        "Member must satisfy regular expression pattern: [\\p{L}\\p{Z}\\p{N}_.:/=+\\-@]+"
    )


def test_length():
    error = error_of("iam", "CreateUser", {"UserName": "u" * 65})
    assert error.message == (
        f"1 validation error detected: Value '{'u' * 65}' at 'userName' failed to satisfy constraint: "
        "Member must have length less than or equal to 64"
    )
    error = error_of("iam", "GetUser", {"UserName": ""})
    assert error.message.endswith(
        "Value '' at 'userName' failed to satisfy constraint: Member must have length greater than or equal to 1"
    )


def test_pattern_then_length_for_one_value_as_sts_reports_it():
    error = error_of("sts", "AssumeRole", {"RoleArn": "", "RoleSessionName": "s1"})
    assert error.message == (
        "2 validation errors detected: Value '' at 'roleArn' failed to satisfy constraint: Member must satisfy "
        "regular expression pattern: [\\u0009\\u000A\\u000D\\u0020-\\u007E\\u0085\\u00A0-\\uD7FF\\uE000-\\uFFFD"
        "\\u10000-\\u10FFFF]+; Value '' at 'roleArn' failed to satisfy constraint: Member must have length "
        "greater than or equal to 20"
    )


def test_enum():
    error = error_of("iam", "UpdateAccessKey", {"AccessKeyId": "AKIAIOSFODNN7EXAMPLE", "Status": "On"})
    assert error.message == (
        "1 validation error detected: Value 'On' at 'status' failed to satisfy constraint: "
        "Member must satisfy enum value set: [Active, Inactive, Expired]"
    )


def test_range():
    error = error_of("iam", "ListUsers", {"MaxItems": "1001"})
    assert error.message == (
        "1 validation error detected: Value '1001' at 'maxItems' failed to satisfy constraint: "
        "Member must have value less than or equal to 1000"
    )
    error = error_of(
        "sts", "AssumeRole", {"RoleArn": "a" * 20, "RoleSessionName": "s1", "DurationSeconds": "60"}
    )
    assert error.message == (
        "1 validation error detected: Value '60' at 'durationSeconds' failed to satisfy constraint: "
        "Member must have value greater than or equal to 900"
    )


def test_missing_required_member_is_a_validation_error_in_iam_and_sts():
    error = error_of("iam", "GetUserPolicy", {"UserName": "a"})
    assert error.code == "ValidationError"
    assert error.message == (
        "1 validation error detected: Value null at 'policyName' failed to satisfy constraint: "
        "Member must not be null"
    )
    error = error_of("sts", "AssumeRole", {"RoleArn": "arn:aws:iam::123456789012:role/r"})
    assert error.message == (
        "1 validation error detected: Value null at 'roleSessionName' failed to satisfy constraint: "
        "Member must not be null"
    )


def test_missing_member_of_a_list_element():
    error = error_of("iam", "TagUser", {"UserName": "a", "Tags.member.1.Key": "k"})
    assert error.message == (
        "1 validation error detected: Value null at 'tags.1.member.value' failed to satisfy constraint: "
        "Member must not be null"
    )


def test_several_errors_are_counted_and_joined_in_member_order():
    error = error_of(
        "iam",
        "CreateUser",
        {
            "Path": "nope",
            "Tags.member.1.Key": "",
            "Tags.member.1.Value": "v",
        },
    )
    assert error.message == (
        "4 validation errors detected: "
        "Value 'nope' at 'path' failed to satisfy constraint: Member must satisfy regular expression pattern: "
        "(\\u002F)|(\\u002F[\\u0021-\\u007E]+\\u002F); "
        "Value null at 'userName' failed to satisfy constraint: Member must not be null; "
        "Value '' at 'tags.1.member.key' failed to satisfy constraint: Member must satisfy regular expression "
        "pattern: [\\p{L}\\p{Z}\\p{N}_.:/=+\\-@]+; "
        "Value '' at 'tags.1.member.key' failed to satisfy constraint: Member must have length greater than or "
        "equal to 1"
    )


def test_list_length():
    params = {"UserName": "a"}
    for i in range(1, 52):
        params[f"Tags.member.{i}.Key"] = f"k{i}"
        params[f"Tags.member.{i}.Value"] = "v"
    error = error_of("iam", "CreateUser", params)
    assert error.message.startswith(
        "1 validation error detected: Value '[{Key=k1, Value=v}, {Key=k2, Value=v}"
    )
    assert error.message.endswith(
        "' at 'tags' failed to satisfy constraint: Member must have length less than or equal to 50"
    )


def test_list_of_scalars_reports_the_member_constraints_at_the_list():
    error = error_of(
        "iam",
        "CreateOpenIDConnectProvider",
        {
            "Url": "https://example.com",
            "ThumbprintList.member.1": "a" * 40,
            "ThumbprintList.member.2": "short",
        },
    )
    assert error.message == (
        f"1 validation error detected: Value '[{'a' * 40}, short]' at 'thumbprintList' failed to satisfy "
        "constraint: Member must satisfy constraint: [Member must have length less than or equal to 40, "
        "Member must have length greater than or equal to 40, Member must satisfy regular expression pattern: "
        "[\\u0009\\u000A\\u000D\\u0020-\\uD7FF\\uE000-\\uFFFD\\u10000-\\u10FFFF]*]"
    )


def test_maps():
    operation = op("iam", "PutAccountProperties")
    params = {
        "Properties.entry.1.key": "color",
        "Properties.entry.1.value": "blue",
        "Properties.entry.2.key": "size",
        "Properties.entry.2.value": "xl",
    }
    assert protocol.parse_params(operation, params) == {"Properties": {"color": "blue", "size": "xl"}}


def test_map_keys_and_values_are_reported_at_the_map():
    params = {"Properties.entry.1.key": "9lives", "Properties.entry.1.value": ""}
    error = error_of("iam", "PutAccountProperties", params)
    assert error.message == (
        "2 validation errors detected: "
        "Value '{9lives=}' at 'properties' failed to satisfy constraint: Map keys must satisfy constraint: "
        "[Member must have length less than or equal to 50, Member must have length greater than or equal to 1, "
        "Member must satisfy regular expression pattern: ^[A-Za-z][A-Za-z0-9/_-]*$]; "
        "Value '{9lives=}' at 'properties' failed to satisfy constraint: Map value must satisfy constraint: "
        "[Member must have length less than or equal to 1024, Member must have length greater than or equal to 1, "
        "Member must satisfy regular expression pattern: "
        "[\\u0009\\u000A\\u000D\\u0020-\\uD7FF\\uE000-\\uFFFD\\u10000-\\u10FFFF]*]"
    )


def test_map_length():
    params = {"TemplateArn": "a" * 20}
    for i in range(1, 32):
        params[f"ReplacementValues.entry.{i}.key"] = f"k{i}"
        params[f"ReplacementValues.entry.{i}.value.Values.member.1"] = "v"
    error = error_of("iam", "AcquireRole", params)
    assert error.message.startswith("1 validation error detected: Value '{k1={Values=[v]}, k2=")
    assert error.message.endswith(
        "' at 'replacementValues' failed to satisfy constraint: Member must have length less than or equal to 30"
    )


def test_wrong_type_is_malformed_input():
    error = error_of("iam", "ListUsers", {"MaxItems": "abc"})
    assert (error.code, error.status) == ("MalformedInput", 400)
    assert error.message == "Invalid value 'abc' for parameter MaxItems: expected an integer"
    for bad in ("1.5", "1e3", " 5", "5 ", "0x10", "١٢", "1_000", "99999999999", ""):
        assert error_of("iam", "ListUsers", {"MaxItems": bad}).code == "MalformedInput"
    error = error_of(
        "sts", "AssumeRole", {"RoleArn": "a" * 20, "RoleSessionName": "s1", "DurationSeconds": "NaN"}
    )
    assert error.code == "MalformedInput"
    error = error_of("iam", "UpdateAccountPasswordPolicy", {"RequireSymbols": "yes"})
    assert (
        error.message
        == "Invalid value 'yes' for parameter RequireSymbols: expected a boolean (true or false)"
    )


def test_wrong_type_stops_before_validation():
    error = error_of("iam", "ListUsers", {"MaxItems": "abc", "PathPrefix": "nope"})
    assert error.code == "MalformedInput"


def test_unknown_parameters_are_ignored_by_iam_and_sts():
    assert protocol.parse_params(op("sts", "GetCallerIdentity"), {"Foo": "1", "X-Amz-Date": "x"}) == {}


def test_invalid_action():
    with pytest.raises(protocol.ProtocolError) as info:
        protocol.operation("iam", "ListUser")
    assert (info.value.code, info.value.status) == ("InvalidAction", 400)
    assert info.value.message == "Could not find operation ListUser for version 2010-05-08"
    with pytest.raises(protocol.ProtocolError) as info:
        protocol.operation("sts", "assumeRole")
    assert info.value.message == "Could not find operation assumeRole for version 2011-06-15"
    with pytest.raises(protocol.ProtocolError) as info:
        protocol.operation("ec2", "RunInstance")
    assert info.value.message == "The action RunInstance is not valid for this web service."


def test_models_are_cached():
    assert protocol.service_model("iam") is protocol.service_model("iam")
    assert protocol.operation("iam", "ListUsers") is protocol.operation("iam", "ListUsers")
    with pytest.raises(ValueError):
        protocol.service_model("no-such-service")


# -- EC2 -----------------------------------------------------------------------------------------


def test_ec2_missing_parameter():
    error = error_of("ec2", "StartInstances", {})
    assert (error.code, error.message) == (
        "MissingParameter",
        "The request must contain the parameter InstanceId",
    )
    error = error_of("ec2", "CreateTags", {"ResourceId.1": "i-1"})
    assert error.message == "The request must contain the parameter Tag"
    error = error_of("ec2", "AssociateIamInstanceProfile", {"InstanceId": "i-1"})
    assert error.message == "The request must contain the parameter IamInstanceProfile"


def test_ec2_invalid_value():
    error = error_of("ec2", "RunInstances", {"MinCount": "1", "MaxCount": "1", "InstanceType": "t3.nanoo"})
    assert (error.code, error.message) == (
        "InvalidParameterValue",
        "Invalid value 't3.nanoo' for InstanceType.",
    )
    error = error_of("ec2", "DescribeInstances", {"MaxResults": "many"})
    assert (error.code, error.message) == ("InvalidParameterValue", "Invalid value 'many' for MaxResults.")


def test_ec2_unknown_parameter():
    error = error_of("ec2", "StopInstances", {"InstanceId.1": "i-1", "Description": "x"})
    assert (error.code, error.message) == ("UnknownParameter", "The parameter Description is not recognized")
    # authentication parameters are not the operation's but are not unknown either
    params = {"InstanceId.1": "i-1", "X-Amz-Signature": "s", "AWSAccessKeyId": "AKIA", "Timestamp": "t"}
    assert protocol.parse_params(op("ec2", "StopInstances"), params) == {"InstanceIds": ["i-1"]}


def test_ec2_reports_the_first_error_only():
    error = error_of("ec2", "RunInstances", {"InstanceType": "bad"})
    assert error.code == "InvalidParameterValue"


# -- plans are compiled once ---------------------------------------------------------------------


def _list_users_result(count):
    created = dt.datetime(2026, 12, 1, 2, 50, 12, tzinfo=dt.UTC)
    users = [
        {
            "Path": "/",
            "UserName": f"user{i}",
            "UserId": f"AIDA{i:017d}",
            "Arn": f"arn:aws:iam::123456789012:user/user{i}",
            "CreateDate": created,
        }
        for i in range(count)
    ]
    return {"Users": users, "IsTruncated": False}


def test_plans_are_cached_per_operation():
    operation = op("iam", "ListUsers")
    protocol.parse_params(operation, {})
    protocol.serialize_result(operation, {}, request_id="r")
    assert protocol._input_plan(operation) is protocol._input_plan(op("iam", "ListUsers"))
    assert protocol._output_plan(operation) is protocol._output_plan(operation)


def test_list_users_of_100_is_cheap():
    """The server's budget: parse + serialize of ListUsers with 100 users well under a millisecond.

    Asserted loosely (shared CI machines are noisy): a plan rebuilt per call would cost far more.
    """
    operation = op("iam", "ListUsers")
    result = _list_users_result(100)
    best = float("inf")
    for _ in range(20):
        start = time.perf_counter()
        for _ in range(10):
            protocol.parse_params(operation, {"MaxItems": "100"})
            protocol.serialize_result(operation, result, request_id="r")
        best = min(best, (time.perf_counter() - start) / 10)
    assert best < 0.005


def test_plans_built_concurrently_are_whole():
    # A fresh service planner per thread race: every thread must see complete plans.
    protocol._INPUT_PLANS.clear()
    protocol._OUTPUT_PLANS.clear()
    protocol._planner.cache_clear()
    protocol._output_planner.cache_clear()
    names = ["CreateUser", "TagUser", "ListUsers", "GetAccountAuthorizationDetails", "CreateRole"]
    params = {"UserName": "a", "Tags.member.1.Key": "k", "Tags.member.1.Value": "v"}
    expected = {"UserName": "a", "Tags": [{"Key": "k", "Value": "v"}]}

    def work(_):
        for name in names:
            protocol.serialize_result(op("iam", name), {}, request_id="r")
        return protocol.parse_params(op("iam", "CreateUser"), params)

    with concurrent.futures.ThreadPoolExecutor(8) as pool:
        assert all(result == expected for result in pool.map(work, range(32)))
