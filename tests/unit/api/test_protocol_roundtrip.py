"""Round trips of ``accounts.api.protocol`` against botocore itself, for every IAM and STS operation
and the EC2 operations the console serves.

* Requests: inputs are generated from each operation's input shape (honouring required members,
  min/max, enums and patterns), serialized by botocore's own client serializer, url-encoded and
  decoded with ``parse_qsl``; ``parse_params`` must give back the very same dict.
* Responses: outputs are generated from the output shape, written by ``serialize_result`` and read
  by botocore's response parser; botocore must get back the very same dict (and the request id).
* Errors: ``serialize_error`` read by botocore's parser gives the code, the message and the id.
"""

import datetime as dt
import functools
import re
import urllib.parse

import botocore.parsers
import botocore.serialize
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from accounts.api import protocol

EC2_OPERATIONS = [
    "RunInstances",
    "DescribeInstances",
    "StartInstances",
    "StopInstances",
    "TerminateInstances",
    "CreateTags",
    "DeleteTags",
    "AssociateIamInstanceProfile",
    "DescribeIamInstanceProfileAssociations",
    "DisassociateIamInstanceProfile",
    "ReplaceIamInstanceProfileAssociation",
    "DescribeRegions",
]

OPERATIONS = (
    [("iam", name) for name in protocol.service_model("iam").operation_names]
    + [("sts", name) for name in protocol.service_model("sts").operation_names]
    + [("ec2", name) for name in EC2_OPERATIONS]
)
IDS = [f"{service}:{name}" for service, name in OPERATIONS]

SETTINGS = settings(
    max_examples=12,
    deadline=None,
    database=None,
    suppress_health_check=[
        HealthCheck.too_slow,
        HealthCheck.data_too_large,
        HealthCheck.filter_too_much,
        HealthCheck.large_base_example,
    ],
)

# Text that XML 1.0 can carry (what a response or a stored value may hold), markup characters included.
XML_TEXT_CHARS = st.characters(
    blacklist_categories=("Cs",),
    blacklist_characters=[chr(c) for c in range(32) if chr(c) not in "\t\n\r"] + ["\ufffe", "\uffff"],
)
SPICY = st.sampled_from(["&", "<", ">", "\r", "\r\n", "]]>", '"', "'", " ", "\t", "é", "日本", "\U0001f600"])
XML_TEXT = st.lists(st.one_of(XML_TEXT_CHARS, SPICY), max_size=8).map("".join)

MAX_LIST = 2
MAX_DEPTH = 7
UTC = dt.UTC


def _bounded(lo, hi, cap):
    lo = lo or 0
    hi = cap if hi is None else min(hi, lo + cap)
    return lo, hi


_SINGLE_CLASS = re.compile(r"\^?(\[(?:\\.|[^\]\\])+\])([+*])\$?")


def _long_text(chars, lo, hi):
    """Text of ``lo``..``hi`` characters drawn from ``chars``; a long minimum is met by repeating one."""
    if lo <= 8:
        return st.text(alphabet=chars, min_size=lo, max_size=hi)
    return st.tuples(chars, st.text(alphabet=chars, max_size=min(8, hi - lo))).map(
        lambda drawn: drawn[0] * (lo - len(drawn[1])) + drawn[1] if len(drawn[1]) <= lo else drawn[1][:hi]
    )


@functools.cache
def _pattern_strategy(pattern: str, lo: int, hi: int):
    """Strings of ``lo``..``hi`` characters that match the model's (Java) ``pattern``."""
    compiled = protocol._compiled_pattern(pattern)
    assert compiled is not None, pattern
    single = _SINGLE_CLASS.fullmatch(pattern)
    if single is not None:
        char_class = re.compile(protocol._java_to_python_regex(single.group(1)), re.ASCII)
        if single.group(2) == "+":
            lo = max(lo, 1)
        chars = st.from_regex(char_class, fullmatch=True).filter(
            lambda c: protocol._XML_BAD_CHAR.search(c) is None
        )
        return _long_text(chars, lo, max(lo, hi))
    return st.from_regex(compiled, fullmatch=True).filter(
        lambda s: lo <= len(s) <= max(lo, hi) and protocol._XML_BAD_CHAR.search(s) is None
    )


def value_strategy(shape, *, ec2: bool, for_input: bool, depth: int = 0):
    """Values for ``shape`` as boto3 takes (input) or returns (output) them."""
    kind = shape.type_name
    meta = shape.metadata
    if kind == "structure":
        return _structure_strategy(shape, ec2=ec2, for_input=for_input, depth=depth)
    if kind == "list":
        lo, hi = _bounded(
            meta.get("min") if for_input else None, meta.get("max") if for_input else None, MAX_LIST
        )
        if ec2 and for_input:
            lo = max(lo, 1)  # the EC2 serializer writes nothing for an empty list
        if depth >= MAX_DEPTH:
            hi = lo
        member = value_strategy(shape.member, ec2=ec2, for_input=for_input, depth=depth + 1)
        return st.lists(member, min_size=lo, max_size=max(lo, hi))
    if kind == "map":
        lo, hi = _bounded(
            meta.get("min") if for_input else None, meta.get("max") if for_input else None, MAX_LIST
        )
        if for_input:
            lo = max(lo, 1)  # botocore's serializers write nothing for an empty map
        if depth >= MAX_DEPTH:
            hi = lo
        return st.dictionaries(
            value_strategy(shape.key, ec2=ec2, for_input=for_input, depth=depth + 1),
            value_strategy(shape.value, ec2=ec2, for_input=for_input, depth=depth + 1),
            min_size=lo,
            max_size=max(lo, hi),
        )
    if kind == "string":
        if not for_input:
            return XML_TEXT
        enum = meta.get("enum")
        if enum:
            return st.sampled_from(list(enum))
        lo, hi = _bounded(meta.get("min"), meta.get("max"), 12)
        if meta.get("pattern"):
            return _pattern_strategy(meta["pattern"], lo, hi)
        return _long_text(XML_TEXT_CHARS, lo, hi) | st.lists(SPICY, max_size=3).map("".join).filter(
            lambda s: lo <= len(s) <= hi
        )
    if kind in ("integer", "long"):
        bits = 63 if kind == "long" else 31
        lo, hi = -(2**bits), 2**bits - 1
        if for_input:
            lo = meta.get("min", lo)
            hi = meta.get("max", hi)
        return st.integers(min_value=lo, max_value=hi)
    if kind == "boolean":
        return st.booleans()
    if kind in ("float", "double"):
        if for_input and ("min" in meta or "max" in meta):
            return st.floats(min_value=meta.get("min"), max_value=meta.get("max"), allow_nan=False)
        return st.floats(allow_nan=False, width=32 if kind == "float" else 64)
    if kind == "timestamp":
        moments = st.datetimes(
            min_value=dt.datetime(1970, 1, 1), max_value=dt.datetime(2200, 12, 31), timezones=st.just(UTC)
        )
        if not for_input:  # responses carry milliseconds, as AWS writes them
            moments = moments.map(lambda d: d.replace(microsecond=d.microsecond // 1000 * 1000))
        return moments
    if kind == "blob":
        lo, hi = _bounded(meta.get("min") if for_input else None, meta.get("max") if for_input else None, 16)
        return st.binary(min_size=lo, max_size=hi)
    raise AssertionError(f"unhandled shape type {kind}")


def _structure_strategy(shape, *, ec2, for_input, depth):
    members = {
        name: member for name, member in shape.members.items() if not member.serialization.get("location")
    }
    if not members:
        return st.just({})

    def member_strategy(name):
        return value_strategy(members[name], ec2=ec2, for_input=for_input, depth=depth + 1)

    if shape.is_tagged_union:
        return st.sampled_from(sorted(members)).flatmap(
            lambda name: st.fixed_dictionaries({name: member_strategy(name)})
        )
    required = [name for name in shape.required_members if name in members] if for_input else []
    optional = [name for name in members if name not in required]
    if depth >= MAX_DEPTH:
        optional = [name for name in optional if members[name].type_name not in ("structure", "list", "map")]
    # A structure with no member set is not serialized at all: keep at least one.
    least = 0 if required or not for_input or not optional else 1

    def build(chosen):
        names = required + [name for name in optional if name in chosen]
        return st.fixed_dictionaries({name: member_strategy(name) for name in names})

    if not optional:
        return build(())
    return st.lists(
        st.sampled_from(optional), unique=True, min_size=least, max_size=min(len(optional), 6)
    ).flatmap(build)


@functools.cache
def _input_strategy(service, name):
    op = protocol.operation(service, name)
    if op.input_shape is None:
        return st.just({})
    return value_strategy(op.input_shape, ec2=service == "ec2", for_input=True)


@functools.cache
def _output_strategy(service, name):
    op = protocol.operation(service, name)
    if op.output_shape is None:
        return st.just(None)
    return value_strategy(op.output_shape, ec2=service == "ec2", for_input=False)


def _wire_params(service, op, params):
    """What botocore's client sends, decoded as the server decodes a form body."""
    protocol_name = protocol.service_model(service).protocol
    request = botocore.serialize.create_serializer(protocol_name).serialize_to_request(params, op)
    body = urllib.parse.urlencode(request["body"])
    decoded = dict(urllib.parse.parse_qsl(body, keep_blank_values=True))
    assert decoded.pop("Action") == op.name
    assert decoded.pop("Version") == op.service_model.api_version
    return decoded


def _botocore_parse(service, op, body, status=200):
    protocol_name = protocol.service_model(service).protocol
    parser = botocore.parsers.create_parser(protocol_name)
    shape = op.output_shape if status == 200 else None
    return parser.parse({"body": body, "headers": {}, "status_code": status}, shape)


@pytest.mark.parametrize(("service", "name"), OPERATIONS, ids=IDS)
@SETTINGS
@given(data=st.data())
def test_parse_params_reads_what_botocore_sends(service, name, data):
    op = protocol.operation(service, name)
    params = data.draw(_input_strategy(service, name), label="params")
    wire = _wire_params(service, op, params)
    assert protocol.parse_params(op, wire) == params


@pytest.mark.parametrize(("service", "name"), OPERATIONS, ids=IDS)
@SETTINGS
@given(data=st.data())
def test_botocore_reads_what_serialize_result_writes(service, name, data):
    op = protocol.operation(service, name)
    result = data.draw(_output_strategy(service, name), label="result")
    request_id = data.draw(st.uuids().map(str), label="request_id")
    body = protocol.serialize_result(op, result, request_id=request_id)
    parsed = _botocore_parse(service, op, body)
    assert parsed.pop("ResponseMetadata")["RequestId"] == request_id
    assert parsed == (result or {})


@pytest.mark.parametrize("service", ["iam", "sts", "ec2"])
@SETTINGS
@given(code=st.from_regex(r"[A-Za-z][A-Za-z.]{0,30}", fullmatch=True), message=XML_TEXT, sender=st.booleans())
def test_botocore_reads_serialize_error(service, code, message, sender):
    body = protocol.serialize_error(service, code, message, request_id="req-1", sender=sender)
    parsed = _botocore_parse(service, None, body, status=400)
    assert parsed["Error"]["Code"] == code
    assert (parsed["Error"]["Message"] or "") == message  # botocore reads <Message></Message> as None
    assert parsed["ResponseMetadata"]["RequestId"] == "req-1"
    if service != "ec2":
        assert parsed["Error"]["Type"] == ("Sender" if sender else "Receiver")


def test_every_iam_and_sts_operation_is_covered():
    names = {name for service, name in OPERATIONS if service == "iam"}
    assert names == set(protocol.service_model("iam").operation_names)
    assert len(names) > 150
    assert {name for service, name in OPERATIONS if service == "sts"} == set(
        protocol.service_model("sts").operation_names
    )


def test_query_response_layout():
    op = protocol.operation("iam", "GetUser")
    created = dt.datetime(2026, 12, 1, 2, 50, 12, tzinfo=UTC)
    body = protocol.serialize_result(
        op,
        {
            "User": {"UserName": "a&b", "CreateDate": created, "Tags": [{"Key": "k", "Value": "v"}]},
            "Bogus": 1,
        },
        request_id="rid",
    ).decode()
    assert body == (
        '<GetUserResponse xmlns="https://iam.amazonaws.com/doc/2010-05-08/"><GetUserResult><User>'
        "<UserName>a&amp;b</UserName><CreateDate>2026-12-01T02:50:12Z</CreateDate>"
        "<Tags><member><Key>k</Key><Value>v</Value></member></Tags></User></GetUserResult>"
        "<ResponseMetadata><RequestId>rid</RequestId></ResponseMetadata></GetUserResponse>"
    )


def test_query_response_without_output_has_no_result_element():
    body = protocol.serialize_result(protocol.operation("iam", "DeleteUser"), None, request_id="r").decode()
    assert body == (
        '<DeleteUserResponse xmlns="https://iam.amazonaws.com/doc/2010-05-08/">'
        "<ResponseMetadata><RequestId>r</RequestId></ResponseMetadata></DeleteUserResponse>"
    )


def test_sts_namespace_and_booleans():
    body = protocol.serialize_result(
        protocol.operation("iam", "ListUsers"), {"Users": [], "IsTruncated": False}, request_id="r"
    ).decode()
    assert "<Users></Users><IsTruncated>false</IsTruncated>" in body
    body = protocol.serialize_result(
        protocol.operation("sts", "GetCallerIdentity"), {"Account": "123456789012"}, request_id="r"
    ).decode()
    assert body.startswith('<GetCallerIdentityResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/">')


def test_ec2_response_layout():
    op = protocol.operation("ec2", "DescribeInstances")
    launched = dt.datetime(2026, 12, 1, 2, 50, 12, tzinfo=UTC)
    result = {
        "Reservations": [
            {
                "ReservationId": "r-1",
                "Instances": [
                    {"InstanceId": "i-1", "LaunchTime": launched, "State": {"Code": 16, "Name": "running"}}
                ],
            }
        ]
    }
    body = protocol.serialize_result(op, result, request_id="rid").decode()
    assert body == (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        '<DescribeInstancesResponse xmlns="http://ec2.amazonaws.com/doc/2016-11-15/"><requestId>rid</requestId>'
        "<reservationSet><item><reservationId>r-1</reservationId><instancesSet><item>"
        "<instanceId>i-1</instanceId><instanceState><code>16</code><name>running</name></instanceState>"
        "<launchTime>2026-12-01T02:50:12.000Z</launchTime></item></instancesSet>"
        "</item></reservationSet></DescribeInstancesResponse>"
    )


def test_ec2_response_without_output_returns_true():
    op = protocol.operation("ec2", "CreateTags")
    body = protocol.serialize_result(op, None, request_id="rid").decode()
    assert body.endswith("<requestId>rid</requestId><return>true</return></CreateTagsResponse>")
    parsed = _botocore_parse("ec2", op, body.encode())
    assert parsed.pop("ResponseMetadata")["RequestId"] == "rid"
    assert parsed == {}


def test_error_layouts():
    assert protocol.serialize_error(
        "iam", "NoSuchEntity", "The user with name x cannot be found.", request_id="r"
    ) == (
        b'<ErrorResponse xmlns="https://iam.amazonaws.com/doc/2010-05-08/"><Error><Type>Sender</Type>'
        b"<Code>NoSuchEntity</Code><Message>The user with name x cannot be found.</Message></Error>"
        b"<RequestId>r</RequestId></ErrorResponse>"
    )
    assert protocol.serialize_error("ec2", "InvalidInstanceID.NotFound", "x", request_id="r") == (
        b'<?xml version="1.0" encoding="UTF-8"?>\n<Response><Errors><Error><Code>InvalidInstanceID.NotFound</Code>'
        b"<Message>x</Message></Error></Errors><RequestID>r</RequestID></Response>"
    )
    body = protocol.serialize_error("iam", "ServiceFailure", "boom", request_id="r", sender=False)
    assert b"<Type>Receiver</Type>" in body


def test_timestamps_as_aws_writes_them():
    op = protocol.operation("sts", "GetSessionToken")
    moments = {
        dt.datetime(2026, 12, 1, 2, 50, 12, tzinfo=UTC): "2026-12-01T02:50:12Z",
        dt.datetime(2026, 12, 1, 2, 50, 12, 359000, tzinfo=UTC): "2026-12-01T02:50:12.359Z",
        dt.datetime(
            2026, 12, 1, 3, 50, 12, tzinfo=dt.timezone(dt.timedelta(hours=1))
        ): "2026-12-01T02:50:12Z",
        dt.datetime(2026, 12, 1, 2, 50, 12): "2026-12-01T02:50:12Z",  # naive: UTC
    }
    for moment, text in moments.items():
        credentials = {
            "AccessKeyId": "ASIA",
            "SecretAccessKey": "s",
            "SessionToken": "t",
            "Expiration": moment,
        }
        body = protocol.serialize_result(op, {"Credentials": credentials}, request_id="r").decode()
        assert f"<Expiration>{text}</Expiration>" in body


def test_characters_xml_cannot_carry_are_replaced_in_responses():
    op = protocol.operation("iam", "GetUser")
    body = protocol.serialize_result(op, {"User": {"UserName": "a\x00b\udcffc\r\nd"}}, request_id="r")
    parsed = _botocore_parse("iam", op, body)
    assert parsed["User"]["UserName"] == "a\ufffdb\ufffdc\r\nd"
