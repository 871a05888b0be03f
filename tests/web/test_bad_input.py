"""Bad input never crashes a console page and never half-writes.

Every console URL pattern, signed in as the root user of an account that holds one of
everything the URLs name (tests/web/urlwalk.py), gets hostile POST bodies (one payload per
kind of garbage, then a few hypothesis-fuzzed versions of the page's own form), garbage
query strings and garbage path arguments. Whatever comes back is below 500, and a 4xx
leaves every table but the audit trail exactly as it was. Each request runs in a savepoint
that is rolled back afterwards, so that every payload meets the same account.
"""

import copy
import hashlib
import re
import time
import traceback
from contextlib import contextmanager
from dataclasses import dataclass
from html.parser import HTMLParser
from urllib.parse import urlencode

import pytest
from django.apps import apps
from django.db import connection, transaction
from django.test import Client
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from accounts import authz, crypto, totp
from accounts.models import AuditEvent
from accounts.views.credentials import ENROLMENT_KEY
from accounts.views.session import AUTH_AT_KEY
from tests.conftest import ROOT_PASSWORD
from tests.web.urlwalk import AWS_READ_ONLY, CONSOLE_URLS, populate_account, url_for

LONG = "A" * 100_000
DEEP_ARRAY = "[" * 5000 + "]" * 5000
DEEP_OBJECT = '{"a":' * 5000 + "1" + "}" * 5000
DUPLICATE_KEYS = (
    '{"Version": "2012-10-17", "Version": "2008-10-17", "Statement": '
    '{"Effect": "Allow", "Effect": "Deny", "Action": "*", "Resource": "*"}}'
)
# Well-formed documents (an identity policy, a trust policy) with a NUL and a lone surrogate
# as JSON escapes: the text itself holds neither, what it means does.
ESCAPED_NUL_DOCUMENTS = [
    '{"Version": "2012-10-17", "Statement": [{"Effect": "Allow", '
    '"Action": "s3:Get\\u0000*", "Resource": "arn:aws:s3:::\\ud800"}]}',
    '{"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "sts:AssumeRole", '
    '"Principal": {"Service": "ec2.amazonaws.com\\u0000", "AWS": "\\ud800"}}]}',
]
# Hostile values by kind; a payload puts its kind in every field (several values of a kind
# take turns across the fields).
HOSTILE = {
    "long": [LONG],
    "nul": ["\x00", "kim\x00Admins"],
    "odd-unicode": ["ㅤ\u200f\u202eاسم🙂\ufeff\u0301"],
    "malformed-json": [
        '{"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": ',
        DUPLICATE_KEYS,
    ],
    "out-of-range-numbers": ["-1", "99999999999999999999"],
    "deep-json": [DEEP_ARRAY, DEEP_OBJECT],
    "non-object-json": ["[]", '"x"', "1e999", "null"],
    "escapes-in-a-policy": ESCAPED_NUL_DOCUMENTS[:1],
    "escapes-in-a-trust-policy": ESCAPED_NUL_DOCUMENTS[1:],
}
HOSTILE_VALUES = sorted({v for values in HOSTILE.values() for v in values})
# Fields some pages read without a form of their own (POST-only actions), and the documents.
COMMON_FIELDS = {
    "policy_arn",
    "policy_arns",
    "version_id",
    "users",
    "groups",
    "entities",
    "policy_name",
    "policy_document",
    "assume_role_policy_document",
    "confirmation",
}
EXTRA_FIELDS = {
    "id": "1",
    "account_id": "999999999999",
    "is_root": "on",
    "user_name": "root",
    "unexpected": LONG,
}
PAYLOADS = ["empty", "as-sent-plus-extra-fields", "repeated-keys", *HOSTILE]
# Garbage for the query string; the keys take turns with the values.
GARBAGE_QUERY = [
    "kim\x00Admins",
    LONG,
    'ㅤ\u200f\u202eاسم🙂"><b>../../../etc/passwd%',
    "99999999999999999999",
]
QUERY_KEYS = ("tab", "arn", "policy_name", "version_id", "next", "type")


# --- what a page's forms hold -----------------------------------------------------------------


class FormFields(HTMLParser):
    """The fields of a page's forms, with the values a browser would send unchanged."""

    def __init__(self):
        super().__init__()
        self.values: dict[str, list[str]] = {}
        self._textarea = None
        self._select = None

    def _add(self, name, value=None):
        values = self.values.setdefault(name, [])
        if value is not None:
            values.append(value)

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        name = a.get("name")
        if tag == "input" and name:
            kind = a.get("type", "text")
            if kind in ("radio", "checkbox"):
                self._add(name, a.get("value", "on") if "checked" in a else None)
                if kind == "radio" and not self.values[name]:
                    self.values[name].append(a.get("value", "on"))
            elif kind not in ("submit", "button"):
                self._add(name, a.get("value", ""))
        elif tag == "textarea" and name:
            self._textarea = name
            self._add(name, "")
        elif tag == "select" and name:
            self._select = name
            self._add(name)
        elif tag == "option" and self._select:
            options = self.values[self._select]
            if "selected" in a or not options:
                options[:] = [a.get("value", "")]

    def handle_endtag(self, tag):
        if tag == "textarea":
            self._textarea = None
        elif tag == "select":
            self._select = None

    def handle_data(self, data):
        if self._textarea:
            self.values[self._textarea][-1] += data


# --- the signed-in console and its checks ------------------------------------------------------


WRITE = re.compile(r'^\s*(?:INSERT\s+INTO|UPDATE|DELETE\s+FROM|REPLACE\s+INTO)\s+"?(\w+)"?', re.IGNORECASE)
# The audit trail, the sessions and the sign-in throttle's counters (a wrong current password
# counts even when the page answers 400) are written by refusals too.
FREE_TO_WRITE = {AuditEvent._meta.db_table, "django_session", "iam_signin_throttle"}


def fingerprint() -> dict[str, str]:
    """A digest of every row of every table of the accounts app but the audit trail."""
    digests = {}
    for model in apps.get_app_config("accounts").get_models(include_auto_created=True):
        if model._meta.db_table in FREE_TO_WRITE:
            continue
        rows = list(model._base_manager.order_by("pk").values_list())
        digests[model._meta.db_table] = hashlib.sha256(repr(rows).encode()).hexdigest()
    return digests


@contextmanager
def writes_watched():
    """Collect the tables that SQL writes to (but the audit trail and sessions) while inside."""
    tables: set[str] = set()

    def watch(execute, sql, params, many, context):
        match = WRITE.match(sql)
        if match and match.group(1) not in FREE_TO_WRITE:
            tables.add(match.group(1))
        return execute(sql, params, many, context)

    with connection.execute_wrapper(watch):
        yield tables


def describe(response) -> str:
    if getattr(response, "exc_info", None):
        return "".join(traceback.format_exception(*response.exc_info))
    return response.content.decode(errors="replace")[:2000]


FORM_FIELDS: dict[str, tuple] = {}


@dataclass
class Console:
    client: Client
    walk: dict

    def url(self, name, args, *, arn=None, **query) -> str:
        values = {**self.walk["query"], **({"arn": arn} if arn else {}), **query}
        return url_for(name, args, self.walk["values"](name)) + "?" + urlencode(values, doseq=True)

    def prepare(self, name) -> None:
        """A recent sign-in (MFA pages ask for one) and, for the QR code step, a device to enrol."""
        session = self.client.session
        session[AUTH_AT_KEY] = time.time()
        if name.startswith("iam:mfa_setup"):
            session[ENROLMENT_KEY] = {
                "subject": "" if name.endswith("_self") else "kim",
                "name": "tablet",
                "secret": crypto.encrypt(totp.new_secret()),
            }
        session.save()

    def form_fields(self, url) -> tuple[dict[str, list[str]], set[str]]:
        """The fields to fill, with the values the page would send: the page's own (from its
        HTML and its form class; returned as a set too) and those POST-only actions read.
        Every test meets the same account, so a page is read once."""
        if url not in FORM_FIELDS:
            FORM_FIELDS[url] = self._read_form_fields(url)
        return FORM_FIELDS[url]

    def _read_form_fields(self, url):
        response = self.client.get(url)
        parser = FormFields()
        parser.feed(response.content.decode(errors="replace"))
        fields = {n: v for n, v in parser.values.items() if n != "csrfmiddlewaretoken"}
        form = response.context.get("form") if response.context else None
        for name in getattr(form, "fields", {}):
            fields.setdefault(name, [])
        own = set(fields) or set(COMMON_FIELDS)  # a POST-only action has no page to read
        for name in COMMON_FIELDS:
            fields.setdefault(name, [])
        return fields, own

    def leaves_no_trace(self, method, url, data=None):
        """Send one request in a savepoint: below 500, and a 4xx changes no row but audit
        events; then roll the savepoint back, so that the next request meets the same account."""
        cookies = copy.deepcopy(self.client.cookies)
        shown = f"{method.upper()} {url[:200]}"
        after = None
        try:
            with transaction.atomic(), writes_watched() as written:
                send = self.client.post if method == "post" else self.client.get
                response = send(url, data or {})
                assert response.status_code < 500, f"{shown}: {describe(response)}"
                # A write may have been undone by the page's own rollback: compare the rows.
                if 400 <= response.status_code < 500 and written:
                    after = fingerprint()
                transaction.set_rollback(True)
        finally:
            self.client.cookies = cookies
            authz.clear_caches()
        if after is not None:
            before = fingerprint()  # rolled back: the rows as they were before the request
            changed = sorted(table for table, digest in after.items() if before[table] != digest)
            assert not changed, f"{shown} answered {response.status_code} but changed {changed}"
        return response


@pytest.fixture(scope="module")
def populated(django_db_setup, django_db_blocker):
    """One populated account for the whole module (each test and request roll back to it)."""
    from accounts.services import account as account_services

    with django_db_blocker.unblock(), transaction.atomic():
        root = account_services.create_account(
            email="bad-input@example.com", password=ROOT_PASSWORD, account_name="Bad input"
        )
        walk = populate_account(root)
        yield root, walk
        transaction.set_rollback(True)


@pytest.fixture
def console(db, populated):
    root, walk = populated
    client = Client(raise_request_exception=False)
    client.force_login(root, backend="accounts.backends.RootUserBackend")
    return Console(client, walk)


def payload(kind: str, fields: dict[str, list[str]], own=()) -> dict:
    """The body of payload ``kind`` for a page with ``fields`` (``own``: the page's own)."""
    if kind == "empty":
        return {}
    if kind == "as-sent-plus-extra-fields":
        return {**{name: values for name, values in fields.items() if values}, **EXTRA_FIELDS}
    if kind == "repeated-keys":
        return {name: [*values, "a", "b", "\x00"][-3:] for name, values in fields.items()}
    values = HOSTILE[kind]
    body = {name: values[i % len(values)] for i, name in enumerate(sorted(fields))}
    if kind == "long":  # the page's own fields only: all of them long would pass the upload limit
        body.update(dict.fromkeys(COMMON_FIELDS - set(own), "A" * 300))
    return body


def rotated(keys, values, shift: int) -> dict:
    """``keys`` with ``values`` dealt out from ``shift`` on: over len(values) shifts every key
    meets every value."""
    return {key: values[(shift + i) % len(values)] for i, key in enumerate(keys)}


# The managed policy pages, which find their policy by ``?arn=``.
BY_ARN = {n for n, _ in CONSOLE_URLS if n.startswith("iam:policy_")} - {
    "iam:policy_list",
    "iam:policy_create",
    "iam:policy_simulator",
}


def url_variants():
    """Every console URL; the managed policy pages once with a customer policy, once with an
    AWS managed one (read-only: other code paths)."""
    for name, args in CONSOLE_URLS:
        yield pytest.param(name, args, None, id=name.removeprefix("iam:"))
        if name in BY_ARN:
            yield pytest.param(name, args, AWS_READ_ONLY, id=name.removeprefix("iam:") + "[aws-managed]")


URLS = list(url_variants())
PAGES = [pytest.param(n, a, id=n.removeprefix("iam:")) for n, a in CONSOLE_URLS]


# --- the tests -------------------------------------------------------------------------------


@pytest.mark.parametrize("name,args,arn", URLS)
def test_hostile_posts_never_crash_nor_half_write(console, name, args, arn):
    console.prepare(name)
    url = console.url(name, args, arn=arn)
    fields, own = console.form_fields(url)
    for kind in PAYLOADS:
        console.leaves_no_trace("post", url, payload(kind, fields, own))


@pytest.mark.parametrize("name,args", PAGES)
def test_fuzzed_forms_never_crash_nor_half_write(console, name, args):
    """The page's own form with some fields swapped for hostile or random values (hypothesis)."""
    console.prepare(name)
    url = console.url(name, args)
    fields, _ = console.form_fields(url)
    names = sorted(fields)
    hostile = st.sampled_from(HOSTILE_VALUES)
    text = st.text(st.characters(exclude_categories=("Cs",)), max_size=30)

    def value(values):
        return st.one_of(
            st.just(values),
            hostile,
            text,
            st.lists(hostile | text, min_size=2, max_size=3),
        )

    @settings(
        max_examples=3,
        derandomize=True,
        deadline=None,
        database=None,
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
    )
    @given(st.fixed_dictionaries({n: value(fields[n]) for n in names}))
    def post(body):
        console.leaves_no_trace("post", url, body)

    post()


@pytest.mark.parametrize("name,args", PAGES)
def test_garbage_query_strings_never_crash(console, name, args):
    console.prepare(name)
    for shift in range(len(GARBAGE_QUERY)):
        console.leaves_no_trace("get", console.url(name, args, **rotated(QUERY_KEYS, GARBAGE_QUERY, shift)))
        if name in BY_ARN:
            # the policy found, garbage elsewhere: the page gets past its lookup
            but_arn = rotated([k for k in QUERY_KEYS if k != "arn"], GARBAGE_QUERY, shift)
            console.leaves_no_trace("get", console.url(name, args, **but_arn))
    repeated = console.url(name, args, tab=["users", "\x00"], version_id=["v1", "v2"])
    console.leaves_no_trace("get", repeated)


GARBAGE_PATH = ["kim\x00", "ㅤ\u200f🙂" + LONG]


@pytest.mark.parametrize("name,args", [p for p in PAGES if p.values[1]])
def test_garbage_path_arguments_never_crash(console, name, args):
    """The names in the path (user, group, role, device, access key) are input too."""
    console.prepare(name)
    for garbage in GARBAGE_PATH:
        url = url_for(name, args, dict.fromkeys(args, garbage))
        console.leaves_no_trace("get", url)
        console.leaves_no_trace("post", url, {"confirmation": garbage})


def test_the_check_catches_a_half_write(console, monkeypatch):
    """The harness itself: a page that writes a row and then answers 400 fails the check."""
    from accounts.errors import ValidationError
    from accounts.models import Group
    from accounts.services import groups as group_services

    def half_written(actor, *, group_name, user_names=(), policy_arns=()):
        Group.objects.create(account_id=actor.account_id, name="Half", unique_id="AGPAHALFWRITTEN00000")
        raise ValidationError("refused after a write")

    monkeypatch.setattr(group_services, "console_create_group", half_written)
    with pytest.raises(AssertionError, match=r"answered 400 but changed \['iam_group'\]"):
        console.leaves_no_trace("post", console.url("iam:group_create", ()), {"group_name": "Half"})
