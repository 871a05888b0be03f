"""Wildcard matching takes linear time and means what it meant before.

The engine used to translate every ``*`` into ``.*`` (``[^:]*`` in an ARN segment) and let
``re`` backtrack: a dozen stars against a few dozen characters took seconds. The compiled
matchers now find each piece between two stars at its leftmost place and never come back.

* Property tests: the new matchers agree with the old translation (kept below as the slow
  reference, run with ``re.fullmatch``) on ordinary, bounded patterns and inputs: actions,
  ARNs (segments, ``?``, the trailing-``*`` rule), StringLike, sets of patterns, and patterns
  with substituted policy variables (literal text), directly and through whole policies.
* Pathological patterns (a hundred stars, thousand-character ARNs) in every place a glob is
  matched: the tests assert the answer only, never a time. Were matching exponential again,
  these tests would not finish.
"""

import json
import re

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from accounts.policy import MalformedPolicyDocument, PolicySet, RequestContext, evaluate, parse_policy
from accounts.policy.patterns import (
    ActionPattern,
    ArnSet,
    GlobSet,
    arn_regex_parts,
    compile_arn,
    glob_regex_parts,
    glob_to_regex,
)
from accounts.policy.simulate import simulate_custom_policy
from accounts.policy.variables import parse_template
from tests.unit.policy.helpers import ACCOUNT, USER, condition_allows, decide, doc, policy, stmt

# --------------------------------------------------------- the old (backtracking) translation
# As the engine had it, except that a run of stars becomes one star (the same language: "**"
# is "*"), which keeps these slow references from exponential backtracking on small inputs.

STARS_RX = (".*", "[^:]*")


def _push(out: list[str], item: str) -> None:
    if item in STARS_RX:
        previous = next((x for x in reversed(out) if x), None)
        if previous in STARS_RX:
            if item == ".*":
                index = max(i for i, x in enumerate(out) if x)
                out[index] = ".*"
            return
    out.append(item)


def old_glob_parts(tokens: list[tuple[str, str]]) -> str:
    out: list[str] = []
    for kind, text in tokens:
        if kind != "glob":
            out.append(re.escape(text))
            continue
        for ch in text:
            _push(out, ".*" if ch == "*" else "." if ch == "?" else re.escape(ch))
    return "".join(out)


def old_glob(pattern: str) -> str:
    return old_glob_parts([("glob", pattern)])


def old_arn_parts(tokens: list[tuple[str, str]]) -> str:
    total_colons = sum(text.count(":") for kind, text in tokens if kind == "glob")
    short = total_colons < 5
    colons = 0
    out: list[str] = []
    last_glob_index = -1
    for i, (kind, text) in enumerate(tokens):
        if text:
            last_glob_index = i if kind == "glob" else -1
    for i, (kind, text) in enumerate(tokens):
        if kind == "lit":
            out.append(re.escape(text))
            continue
        n = len(text)
        for j, ch in enumerate(text):
            if ch == ":":
                colons += 1
                out.append(":")
            elif ch == "*":
                if colons >= 5 or short and i == last_glob_index and j == n - 1:
                    _push(out, ".*")
                else:
                    _push(out, "[^:]*")
            elif ch == "?":
                out.append("." if colons >= 5 else "[^:]")
            else:
                out.append(re.escape(ch))
    return "".join(out)


def old_match(source: str, value: str) -> bool:
    return re.fullmatch(source, value, re.DOTALL) is not None


def new_match(source: str, value: str) -> bool:
    return re.fullmatch(source, value, re.DOTALL) is not None


# ------------------------------------------------------------------------ property tests

MANY = settings(max_examples=1000, deadline=None)
SOME = settings(max_examples=400, deadline=None)

globs = st.text(alphabet="ab:*?/", max_size=14)
texts = st.text(alphabet="ab:/*?\n", max_size=14)
arn_globs = st.text(alphabet="ab:*?", max_size=16)
arn_texts = st.text(alphabet="ab:", max_size=16)
tokens = st.lists(
    st.tuples(st.sampled_from(["glob", "lit"]), st.text(alphabet="a:*?", max_size=6)), max_size=5
)


@MANY
@given(globs, texts)
def test_glob_agrees_with_the_backtracking_translation(pattern, value):
    expected = old_match(old_glob(pattern), value)
    assert new_match(glob_to_regex(pattern), value) is expected
    assert GlobSet([pattern]).matches(value) is expected


@MANY
@given(st.text(alphabet="aB:*?x", max_size=14), st.text(alphabet="Ab:X", max_size=14))
def test_actions_agree_with_the_backtracking_translation(pattern, action):
    expected = old_match(old_glob(pattern.lower()), action.lower())
    assert ActionPattern(pattern).matches(action.lower()) is expected


@MANY
@given(arn_globs, arn_texts)
def test_arns_agree_with_the_backtracking_translation(pattern, value):
    expected = old_match(old_arn_parts([("glob", pattern)]), value)
    assert compile_arn(pattern)(value) is expected
    assert ArnSet([pattern]).matches(value) is expected


@MANY
@given(
    st.lists(st.sampled_from(["arn", "aws", "s3", "", "*", "?", "a*", "*a", "a?b", "**", "*:*"]), max_size=8),
    st.lists(st.sampled_from(["arn", "aws", "s3", "", "a", "ab", "aab", "b:a"]), max_size=8),
)
def test_arns_made_of_segments_agree(pattern_segments, value_segments):
    pattern, value = ":".join(pattern_segments), ":".join(value_segments)
    assert compile_arn(pattern)(value) is old_match(old_arn_parts([("glob", pattern)]), value)


@MANY
@given(tokens, st.text(alphabet="a:*?", max_size=14))
def test_patterns_with_literal_parts_agree(parts, value):
    assert new_match(glob_regex_parts(parts), value) is old_match(old_glob_parts(parts), value)
    assert new_match(arn_regex_parts(parts), value) is old_match(old_arn_parts(parts), value)


@SOME
@given(st.lists(arn_globs, min_size=1, max_size=4), arn_texts)
def test_arn_sets_agree(patterns, value):
    expected = any(old_match(old_arn_parts([("glob", p)]), value) for p in patterns)
    assert ArnSet(patterns).matches(value) is expected
    assert ArnSet(patterns).matcher()(value) is expected


@SOME
@given(st.lists(globs, min_size=1, max_size=4), texts)
def test_glob_sets_agree(patterns, value):
    assert GlobSet(patterns).matches(value) is any(old_match(old_glob(p), value) for p in patterns)


names = st.text(alphabet="ab:*?", max_size=5)
free_globs = st.text(alphabet="ab:*?/", max_size=6)


@SOME
@given(free_globs, names, free_globs, st.text(alphabet="ab:*?/", max_size=14))
def test_resource_with_a_variable_agrees(before, name, after, tail):
    pattern = f"arn:aws:s3:::{before}${{aws:username}}{after}"
    resource = f"arn:aws:s3:::{tail}"
    parts = [("glob", f"arn:aws:s3:::{before}"), ("lit", name), ("glob", after)]
    expected = old_match(old_arn_parts(parts), resource)
    p = policy(stmt(action="s3:GetObject", resource=pattern))
    assert decide(p, "s3:GetObject", resource, {"aws:username": name}).allowed is expected


@SOME
@given(
    st.sampled_from(["StringLike", "ArnLike"]),
    free_globs,
    names,
    free_globs,
    st.text(alphabet="ab:*?/", max_size=14),
)
def test_condition_with_a_variable_agrees(operator, before, name, after, value):
    parts = [("glob", before), ("lit", name), ("glob", after)]
    old = old_arn_parts(parts) if operator == "ArnLike" else old_glob_parts(parts)
    expected = old_match(old, value)
    context = {"aws:username": name, "custom:value": value}
    assert (
        condition_allows(operator, "custom:value", f"{before}${{aws:username}}{after}", context) is expected
    )


# ------------------------------------------------------------------- pathological patterns

STARS = 100
ARN = "arn:aws:s3:::" + "a" * (1000 - len("arn:aws:s3:::"))  # 1,000 characters
HUNDRED = "*a" * (STARS - 1) + "*c"  # 100 stars; needs 99 a's, then a c at the end


def test_the_reported_patterns():
    sixteen = "arn:aws:s3:::" + "*a" * 16 + "*c"
    assert not compile_arn(sixteen)("arn:aws:s3:::" + "a" * 60)
    assert compile_arn(sixteen)("arn:aws:s3:::" + "a" * 60 + "c")
    twelve = "arn:aws:s3:::" + "*a" * 11 + "*c"
    assert not compile_arn(twelve)("arn:aws:s3:::" + "a" * 30)
    p = policy(stmt(action="s3:GetObject", resource=sixteen))
    assert not decide(p, "s3:GetObject", "arn:aws:s3:::" + "a" * 60).allowed


@pytest.mark.parametrize(
    ("pattern_tail", "on_a", "on_c"),
    [
        (HUNDRED, False, True),
        ("*a" * STARS, True, False),
        ("*a" * STARS + "*", True, True),
        ("?*" * STARS, True, True),
        ("*?" * STARS + "c", False, True),
        ("*b" * STARS, False, False),
        ("*" * STARS + "a" * 500 + "*", True, True),
        ("*" + "a" * 500 + "b*", False, False),  # one long piece: the worst case is n × m
    ],
)
def test_resource_segment(pattern_tail, on_a, on_c):
    pattern = "arn:aws:s3:::" + pattern_tail
    ending_in_c = ARN[:-1] + "c"
    assert compile_arn(pattern)(ARN) is on_a
    assert compile_arn(pattern)(ending_in_c) is on_c
    assert ArnSet([pattern, "arn:aws:s3:::x*y*z"]).matches(ARN) is on_a
    p = policy(stmt(action="s3:GetObject", resource=pattern))
    assert decide(p, "s3:GetObject", ARN).allowed is on_a
    assert decide(p, "s3:GetObject", ending_in_c).allowed is on_c


def test_wildcards_inside_the_first_five_segments():
    pattern = f"arn:aws:ec2:{HUNDRED}:{ACCOUNT}:instance/*"
    region = "a" * (1000 - len(f"arn:aws:ec2::{ACCOUNT}:instance/i-1"))
    resource = f"arn:aws:ec2:{region}:{ACCOUNT}:instance/i-1"
    assert len(resource) == 1000
    p = policy(stmt(action="ec2:StartInstances", resource=pattern))
    assert not decide(p, "ec2:StartInstances", resource).allowed
    assert decide(p, "ec2:StartInstances", resource.replace("a:", "c:", 1)).allowed
    # every segment full of stars, an ARN full of colons
    colons = "arn:" + ":".join(["*a" * 20 + "*"] * 5) + ":*"
    assert not compile_arn(colons)("arn:" + ":".join(["a" * 19] * 5) + ":" + "a:" * 400)
    assert compile_arn(colons)("arn:" + ":".join(["a" * 20] * 5) + ":" + "a:" * 400)
    # a short pattern whose final * expands past the colons
    assert compile_arn("arn:aws:" + "*a" * STARS + "*")("arn:aws:" + "a" * 100 + ":b" * 400)
    assert not compile_arn("arn:aws:" + "*a" * STARS + "*")("arn:aws:" + "a" * 99 + ":a" * 400)


def test_actions_and_not_actions():
    action = "s3:" + "a" * 997
    pattern = "s3:" + HUNDRED
    assert not ActionPattern(pattern).matches(action)
    assert ActionPattern(pattern).matches(action[:-1] + "c")
    p = policy(stmt(action=pattern))
    assert not decide(p, action).allowed
    assert decide(p, action[:-1] + "C").allowed  # actions are case-insensitive
    guard = policy(stmt(), {"Effect": "Deny", "NotAction": pattern, "Resource": "*"})
    assert decide(guard, action).decision == "explicitDeny"
    assert decide(guard, action[:-1] + "c").allowed


def test_not_resource():
    p = policy(stmt(), {"Effect": "Deny", "Action": "s3:*", "NotResource": "arn:aws:s3:::" + HUNDRED})
    assert decide(p, "s3:GetObject", ARN).decision == "explicitDeny"
    assert decide(p, "s3:GetObject", ARN[:-1] + "c").allowed


@pytest.mark.parametrize(
    ("operator", "value", "expected"),
    [
        ("StringLike", "a" * 1000, False),
        ("StringLike", "a" * 999 + "c", True),
        ("StringNotLike", "a" * 1000, True),
        ("StringLikeIfExists", "a" * 1000, False),
        ("ForAnyValue:StringLike", ["b", "a" * 1000], False),
        ("ForAnyValue:StringLike", ["b", "a" * 999 + "c"], True),
        ("ForAllValues:StringLike", ["a" * 999 + "c", "a" * 1000], False),
        ("ForAllValues:StringNotLike", ["a" * 1000, "b" * 1000], True),
        ("ForAnyValue:StringNotLike", ["a" * 999 + "c"], False),
    ],
)
def test_string_like_operators(operator, value, expected):
    assert condition_allows(operator, "custom:value", HUNDRED, {"custom:value": value}) is expected
    with_variable = "${aws:username}" + HUNDRED
    context = {"custom:value": value, "aws:username": ""}
    assert condition_allows(operator, "custom:value", with_variable, context) is expected


@pytest.mark.parametrize(
    ("operator", "expected"),
    [("ArnLike", False), ("ArnEquals", False), ("ArnNotLike", True), ("ArnNotEquals", True)],
)
def test_arn_operators(operator, expected):
    pattern = "arn:aws:s3:::" + HUNDRED
    assert condition_allows(operator, "aws:SourceArn", pattern, {"aws:SourceArn": ARN}) is expected
    assert (
        condition_allows(operator, "aws:SourceArn", pattern, {"aws:SourceArn": ARN[:-1] + "c"})
        is not expected
    )
    segments = f"arn:aws:s3:{HUNDRED}::*"
    assert condition_allows(operator, "aws:SourceArn", segments, {"aws:SourceArn": ARN}) is expected
    with_variable = "arn:aws:s3:::${aws:username}" + HUNDRED
    context = {"aws:SourceArn": ARN, "aws:username": "a"}
    assert condition_allows(operator, "aws:SourceArn", with_variable, context) is expected


def test_variables_in_resources():
    p = policy(stmt(action="s3:GetObject", resource="arn:aws:s3:::${aws:username}/" + HUNDRED))
    resource = "arn:aws:s3:::kim/" + "a" * 983
    assert len(resource) == 1000
    assert not decide(p, "s3:GetObject", resource, {"aws:username": "kim"}).allowed
    assert decide(p, "s3:GetObject", resource[:-1] + "c", {"aws:username": "kim"}).allowed
    assert not decide(p, "s3:GetObject", resource[:-1] + "c", {"aws:username": "lee"}).allowed
    # a hundred variables, each with stars around it, and a value full of stars (literal)
    many = "arn:aws:s3:::" + "*${aws:username}" * STARS + "*"
    p = policy(stmt(action="s3:GetObject", resource=many))
    assert decide(p, "s3:GetObject", "arn:aws:s3:::" + "x*" * 150, {"aws:username": "*"}).allowed
    assert not decide(p, "s3:GetObject", "arn:aws:s3:::" + "x*" * 99, {"aws:username": "*"}).allowed


def test_trust_policy_actions():
    def trust(action):
        return doc({"Effect": "Allow", "Principal": {"Service": "ec2.amazonaws.com"}, "Action": action})

    with pytest.raises(MalformedPolicyDocument):
        parse_policy(trust("sts:" + HUNDRED), kind="trust")
    assert parse_policy(trust("sts:" + "*" * STARS + "?" * 10), kind="trust")


def test_principals_match_exactly():
    everyone_like = {"Service": "*a" * STARS}
    p = parse_policy(
        doc({"Effect": "Allow", "Principal": everyone_like, "Action": "s3:GetObject", "Resource": "*"}),
        kind="resource",
    )
    d = evaluate(
        RequestContext("s3:GetObject", ARN, "a" * 1000, principal_type="Service"), PolicySet(resource=p)
    )
    assert not d.allowed
    d = evaluate(
        RequestContext("s3:GetObject", ARN, "*a" * STARS, principal_type="Service"), PolicySet(resource=p)
    )
    assert d.allowed


def test_simulator():
    request = {
        "PolicyInputList": [doc(stmt(action="s3:" + HUNDRED, resource="arn:aws:s3:::" + HUNDRED))],
        "ActionNames": ["s3:" + "a" * 997, "s3:" + "a" * 996 + "c"],
        "ResourceArns": [ARN, ARN[:-1] + "c"],
    }
    results = simulate_custom_policy(json.loads(json.dumps(request)))["EvaluationResults"]
    assert [r["EvalDecision"] for r in results] == ["implicitDeny"] * 3 + ["allowed"]


def test_long_variable_openings():
    """Unclosed "${" cost a scan to the end of the text each: quadratic."""
    assert parse_template("${" * 50000) is None
    assert parse_template("}" + "${" * 50000) is None
    tokens = parse_template("${aws:username}" + "${" * 50000)
    assert [kind for kind, _payload in tokens] == ["var", "glob"]
    assert not decide(stmt(resource="arn:aws:s3:::" + "${" * 5000), "s3:GetObject", "arn:aws:s3:::x").allowed


def test_user_name_with_wildcards_is_literal():
    """A substituted value never acts as a wildcard, however many stars it holds."""
    p = policy(stmt(action="iam:*", resource=f"arn:aws:iam::{ACCOUNT}:user/${{aws:username}}"))
    starry = "*a" * STARS
    assert decide(p, "iam:GetUser", f"arn:aws:iam::{ACCOUNT}:user/{starry}", {"aws:username": starry}).allowed
    assert not decide(
        p, "iam:GetUser", f"arn:aws:iam::{ACCOUNT}:user/" + "a" * 900, {"aws:username": starry}
    ).allowed
    assert decide(p, "iam:GetUser", USER, {"aws:username": "kim"}).allowed
