"""Fixtures of the API tests: real clients (boto3, the AWS CLI) against the live server, with
access keys taken as a user takes them — from the console's Security credentials page and its
one-time CSV download.

Every test that uses ``live_server`` runs on ``transactional_db`` (the server thread reads what
the test commits), so fixtures here build only what a test needs.
"""

from __future__ import annotations

import contextlib
import csv
import io
import re
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

import pytest

ADMIN_POLICY = "arn:aws:iam::aws:policy/AdministratorAccess"
DOWNLOAD = re.compile(r'action="(/iam/credentials/[^"/]+\.csv)"')


@dataclass(frozen=True)
class Keys:
    access_key_id: str
    secret_access_key: str
    session_token: str | None = None


def _join_request_threads(timeout: float = 10.0) -> None:
    """Wait for the test servers' request threads, which end once their client has gone (every
    client is closed after its test), so that their database connections are closed before the
    test database is dropped: PostgreSQL refuses to drop a database still in use."""
    deadline = time.monotonic() + timeout
    for thread in threading.enumerate():
        if thread is not threading.current_thread() and "process_request_thread" in thread.name:
            thread.join(max(0.0, deadline - time.monotonic()))


@pytest.fixture(scope="session", autouse=True)
def _request_threads_end_before_the_database(django_db_setup):
    yield
    _join_request_threads()


@pytest.fixture(scope="session")
def botocore_session():
    """One boto3 session for every client of the run (its model loader is the costly part);
    its clients ask for no credentials, configuration or retries of the machine's own."""
    import boto3
    import botocore.session

    core = botocore.session.Session()
    for name in ("config_file", "credentials_file"):
        core.set_config_variable(name, "/dev/null")
    core.register("before-send", _one_request_per_connection)
    return boto3.session.Session(botocore_session=core, region_name="us-east-1")


def _one_request_per_connection(request, **kwargs):
    """Every request asks the test server to close its connection after answering: its thread
    (and the thread's database connection) ends with the request, and no kept-alive connection
    waits on Nagle's algorithm (Django's test server writes a response in two sends)."""
    request.headers["Connection"] = "close"


@dataclass
class Caller:
    """An identity seen from outside: its ARN and keys, and boto3 clients signed with them."""

    arn: str
    keys: Keys
    endpoint: str
    session: object = field(repr=False)
    identity: object = field(default=None, repr=False)
    _clients: dict = field(default_factory=dict, repr=False)

    def client(self, service: str):
        if service not in self._clients:
            self._clients[service] = make_client(self.session, service, self.endpoint, self.keys)
        return self._clients[service]

    @property
    def iam(self):
        return self.client("iam")

    @property
    def sts(self):
        return self.client("sts")


_CLIENTS: list = []


@pytest.fixture(autouse=True)
def _close_clients():
    """Each test's clients close their kept-alive connections when it ends, so that the test
    server's threads (and their database connections) end too; a closed client reconnects."""
    yield
    while _CLIENTS:
        _CLIENTS.pop().close()


def make_client(session, service: str, endpoint: str, keys: Keys, region: str = "us-east-1", **config):
    """A boto3 client (of the run's one boto3 session) that never retries."""
    from botocore.config import Config

    client = session.client(
        service,
        region_name=region,
        endpoint_url=endpoint,
        aws_access_key_id=keys.access_key_id,
        aws_secret_access_key=keys.secret_access_key,
        aws_session_token=keys.session_token,
        config=Config(retries={"max_attempts": 1, "mode": "standard"}, **config),
    )
    _CLIENTS.append(client)
    return client


def keys_from_console(client, user_name: str | None = None) -> Keys:
    """Create an access key on a Security credentials page and read it from the downloaded CSV.

    ``client`` is a signed-in Django test client; ``user_name`` None creates the signed-in
    identity's own key (My security credentials), else the user's (its Security credentials tab)."""
    base = f"/iam/users/{user_name}/" if user_name else "/iam/security-credentials/"
    page = client.get(base + "access-keys/create/")
    assert page.status_code == 200, page.status_code
    retrieve = client.post(
        base + "access-keys/create/", {"use_case": "cli", "confirm": "on", "description": "api tests"}
    )
    assert retrieve.status_code == 200, retrieve.status_code
    link = DOWNLOAD.search(retrieve.content.decode())
    assert link is not None, "the Retrieve step offers no CSV download"
    download = client.post(link.group(1))
    assert download.status_code == 200
    assert download["Content-Disposition"].startswith("attachment;")
    rows = list(csv.reader(io.StringIO(download.content.decode("utf-8"))))
    assert rows[0] == ["Access key ID", "Secret access key"]
    (key_id, secret), *_ = rows[1:]
    assert key_id.startswith("AKIA") and len(secret) == 40
    return Keys(key_id, secret)


@pytest.fixture
def console(live_server, client_for):
    """``console(identity)``: a Django test client signed in as ``identity`` (the live server's database)."""
    return client_for


@pytest.fixture
def caller_for(live_server, client_for, botocore_session, root):
    """``caller_for(identity)``: a Caller with a fresh access key, made on the console by the
    identity itself (root) or by root on the user's Security credentials tab (an IAM user)."""
    signed_in = {}

    def make(identity) -> Caller:
        if "root" not in signed_in:
            signed_in["root"] = client_for(root)
        if identity.is_root:
            browser = signed_in["root"] if identity.pk == root.pk else client_for(identity)
            keys = keys_from_console(browser)
        else:
            owner = root if identity.account_id == root.account_id else None
            browser = signed_in["root"] if owner else client_for(_root_of(identity))
            keys = keys_from_console(browser, identity.name)
        return Caller(identity.arn, keys, live_server.url, botocore_session, identity)

    return make


def _root_of(identity):
    from accounts.models import Identity

    return Identity.objects.select_related("account").get(account_id=identity.account_id, kind=Identity.ROOT)


@pytest.fixture
def root_caller(root, caller_for) -> Caller:
    """The account's root seen from outside, alone (for tests that need no other identity)."""
    return caller_for(root)


@dataclass
class World:
    """An account seen through the API: root, an administrator and a user with no policy."""

    account_id: str
    root: Caller
    admin: Caller
    nobody: Caller
    endpoint: str
    session: object = field(repr=False)

    def caller(self, keys: Keys, arn: str = "") -> Caller:
        return Caller(arn, keys, self.endpoint, self.session)


@pytest.fixture
def world(root, user_factory, caller_for, live_server, botocore_session) -> World:
    from accounts.services import permissions

    admin = user_factory("admin")
    permissions.attach_user_policy(root, user_name="admin", policy_arn=ADMIN_POLICY)
    nobody = user_factory("nobody")
    return World(
        account_id=root.account.account_id,
        root=caller_for(root),
        admin=caller_for(admin),
        nobody=caller_for(nobody),
        endpoint=live_server.url,
        session=botocore_session,
    )


@pytest.fixture(scope="module")
def module_world(django_db_setup, django_db_blocker, botocore_session):
    """One World for all the tests of a module, on a live server of its own.

    For a module whose tests each make their own objects under their own names (the action
    table): the database is neither rolled back nor flushed between its tests — a live-server
    test's flush, and the AWS managed policies loaded again after it, cost more than the test —
    but flushed once when the module ends. Tests using it must not rely on account-wide
    settings they did not set themselves."""
    from django.core.management import call_command
    from django.test import Client
    from pytest_django.live_server_helper import LiveServer

    from accounts.models import Identity
    from accounts.services import account as account_services
    from accounts.services import permissions, users
    from tests.conftest import ROOT_PASSWORD, USER_PASSWORD

    with django_db_blocker.unblock(), _test_database():
        server = LiveServer("localhost")
        try:
            root = account_services.create_account(
                email="module-world@example.com", password=ROOT_PASSWORD, account_name="API tests"
            )
            browser = Client()
            browser.force_login(root, backend="accounts.backends.IAMUserBackend")
            callers = {
                "root": Caller(root.arn, keys_from_console(browser), server.url, botocore_session, root)
            }
            for name in ("admin", "nobody"):
                users.console_create_user(
                    root,
                    user_name=name,
                    console_access=True,
                    custom_password=USER_PASSWORD,
                    password_reset_required=False,
                )
                identity = Identity.objects.select_related("account").get(
                    account_id=root.account_id, name=name
                )
                if name == "admin":
                    permissions.attach_user_policy(root, user_name=name, policy_arn=ADMIN_POLICY)
                keys = keys_from_console(browser, name)
                callers[name] = Caller(identity.arn, keys, server.url, botocore_session, identity)
            yield World(
                account_id=root.account.account_id, endpoint=server.url, session=botocore_session, **callers
            )
        finally:
            for client in _CLIENTS:  # this module's last test's, if it failed before closing them
                client.close()
            server.stop()
            _join_request_threads()
            call_command("flush", interactive=False, verbosity=0)


@contextlib.contextmanager
def _test_database():
    """The test database, set up here when pytest-django has not (it sets up the databases the
    selected tests ask for by marker or fixture, and module_world's tests ask for none)."""
    from django.db import connection
    from django.db.backends.base.creation import TEST_DATABASE_PREFIX
    from django.test.utils import setup_databases, teardown_databases

    name = str(connection.settings_dict["NAME"])
    if name == connection.settings_dict["TEST"].get("NAME") or Path(name).name.startswith(
        TEST_DATABASE_PREFIX
    ):
        yield  # already the test database
        return
    old = setup_databases(verbosity=0, interactive=False, aliases={"default"})
    try:
        yield
    finally:
        teardown_databases(old, verbosity=0)


def error_of(excinfo) -> dict:
    """The AWS error of a botocore ClientError: Code, Message, Type, and the RequestId."""
    response = excinfo.value.response
    return {
        **response["Error"],
        "RequestId": response["ResponseMetadata"].get("RequestId"),
        "HTTPStatusCode": response["ResponseMetadata"]["HTTPStatusCode"],
    }


def denied(principal_arn: str, action: str, resource: str) -> str:
    """AWS's AccessDenied message for an implicit deny by identity-based policies."""
    return (
        f"User: {principal_arn} is not authorized to perform: {action} on resource: {resource} "
        f"because no identity-based policy allows the {action} action"
    )


def state_digest() -> dict:
    """Every row of the IAM tables but the audit trail's: equal before and after means nothing
    was written (created, changed or deleted)."""
    from django.apps import apps

    from accounts.models import AuditEvent

    return {
        model.__name__: list(model.objects.order_by("pk").values_list())
        for model in apps.get_app_config("accounts").get_models()
        if model is not AuditEvent
    }


def call(client, action: str, params: dict) -> dict:
    """Call ``action`` (AWS's name) with boto3's parameters; the response without its metadata."""
    from botocore import xform_name

    out = getattr(client, xform_name(action))(**params)
    out.pop("ResponseMetadata", None)
    return out


@dataclass
class RawResponse:
    status: int
    headers: dict
    body: bytes

    def error(self) -> dict:
        """Code, Type, Message and RequestId of AWS's error XML (namespace aside)."""
        from xml.etree import ElementTree

        root = ElementTree.fromstring(self.body)  # noqa: S314 - our own server's answer
        local = {el.tag.rsplit("}", 1)[-1]: (el.text or "") for el in root.iter()}
        assert root.tag.rsplit("}", 1)[-1] == "ErrorResponse", self.body[:200]
        return {key: local.get(key) for key in ("Type", "Code", "Message", "RequestId")}


def http(method: str, url: str, body: bytes | None = None, headers: dict | None = None) -> RawResponse:
    """One HTTP request on a connection of its own, closed afterwards."""
    import urllib3

    pool = urllib3.PoolManager(retries=False)
    try:
        headers = {**(headers or {}), "Connection": "close"}
        response = pool.request(method, url, body=body, headers=headers, redirect=False, timeout=30)
        return RawResponse(response.status, dict(response.headers), response.data)
    finally:
        pool.clear()


def send(
    endpoint: str,
    body: bytes | str = b"",
    *,
    keys: Keys | None = None,
    service: str = "iam",
    region: str = "us-east-1",
    method: str = "POST",
    path: str = "/",
    query: str = "",
    headers: dict | None = None,
    tamper=None,
) -> RawResponse:
    """Send one request as given (signed with SigV4 when ``keys`` are given, by botocore's own
    signer); ``tamper(headers)`` may change the signed headers before sending."""
    from botocore.auth import SigV4Auth
    from botocore.awsrequest import AWSRequest
    from botocore.credentials import Credentials

    data = body.encode("utf-8", "surrogatepass") if isinstance(body, str) else body
    url = endpoint + path + (f"?{query}" if query else "")
    all_headers = {"Content-Type": "application/x-www-form-urlencoded; charset=utf-8", **(headers or {})}
    request = AWSRequest(method=method, url=url, data=data, headers=all_headers)
    if keys is not None:
        credentials = Credentials(keys.access_key_id, keys.secret_access_key, keys.session_token)
        SigV4Auth(credentials, service, region).add_auth(request)
    prepared = request.prepare()
    sent = dict(prepared.headers.items())
    if tamper is not None:
        tamper(sent)
    return http(method, prepared.url, data or None, sent)


def table_counts() -> dict:
    """Rows per table of the accounts app, but the audit trail's (which may grow)."""
    from django.apps import apps

    from accounts.models import AuditEvent

    return {
        model.__name__: model.objects.count()
        for model in apps.get_app_config("accounts").get_models()
        if model is not AuditEvent
    }
