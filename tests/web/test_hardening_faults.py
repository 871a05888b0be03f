"""Faults: a database that cannot be reached answers 503 ("The service is restarting, try
again"), not 500; the production connection settings (CONN_MAX_AGE, health checks)."""

import json
import os
import subprocess
import sys

import psycopg
import pytest
from django.db import OperationalError, close_old_connections, connection, connections
from django.test import Client
from django.urls import reverse

from accounts import faults
from accounts.models import AuditEvent


def _wrapped(cause: Exception) -> OperationalError:
    """What Django raises for a driver error: its own class, the driver's as the cause."""
    try:
        raise cause
    except Exception as exc:
        try:
            raise OperationalError(str(exc)) from exc
        except OperationalError as django_error:
            return django_error


def _failing_dashboard(monkeypatch, exc):
    from accounts.views import console

    def broken(*args, **kwargs):
        raise exc

    monkeypatch.setattr(console, "security_recommendations", broken)


@pytest.mark.parametrize(
    "exc",
    [
        _wrapped(psycopg.OperationalError("connection failed: connection refused")),
        _wrapped(psycopg.errors.AdminShutdown("terminating connection due to administrator command")),
        _wrapped(psycopg.errors.CannotConnectNow("the database system is starting up")),
        _wrapped(psycopg.errors.TooManyConnections("sorry, too many clients already")),
        OperationalError("database is locked"),
    ],
    ids=["refused", "admin-shutdown", "starting-up", "too-many-clients", "sqlite-locked"],
)
def test_a_database_that_cannot_be_reached_answers_503(root_client, monkeypatch, exc):
    _failing_dashboard(monkeypatch, exc)
    client = Client(raise_request_exception=False)
    client.cookies = root_client.cookies
    response = client.get(reverse("iam:dashboard"))
    assert response.status_code == 503
    assert "The service is restarting, try again" in response.content.decode()
    assert response["Retry-After"] == str(faults.RETRY_AFTER_SECONDS)
    assert "no-cache" in response["Cache-Control"]
    assert response["Content-Security-Policy"]


def test_a_query_error_is_still_a_500(root_client, monkeypatch):
    _failing_dashboard(monkeypatch, _wrapped(psycopg.errors.QueryCanceled("canceling statement")))
    client = Client(raise_request_exception=False)
    client.cookies = root_client.cookies
    assert client.get(reverse("iam:dashboard")).status_code == 500


@pytest.mark.skipif("connection.vendor != 'postgresql'", reason="a PostgreSQL server restart")
@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("health_checks", [False, True])
def test_a_connection_a_restart_broke(root, health_checks):
    """The server ended this process's connection (as a restart does). Without health checks the
    next request fails on it: 503. With them (the production setting) it is replaced: 200."""
    client = Client(raise_request_exception=False)
    client.force_login(root, backend="accounts.backends.RootUserBackend")
    assert client.get(reverse("iam:dashboard")).status_code == 200
    connection.ensure_connection()
    connection.health_check_enabled = health_checks
    pid = connection.connection.info.backend_pid
    other = connections.create_connection("default")
    try:
        with other.cursor() as cursor:
            cursor.execute("SELECT pg_terminate_backend(%s)", [pid])
    finally:
        other.close()
    close_old_connections()  # what a server does as a request starts (the test client does not)
    response = client.get(reverse("iam:dashboard"))
    assert response.status_code == (200 if health_checks else 503)
    connection.close()


def test_the_503_page_needs_no_database():
    """Rendered while the database is gone: without the db fixture, any query would raise."""
    response = faults.unavailable_response()
    assert response.status_code == 503 and b"The service is restarting, try again" in response.content


def test_a_500_stays_a_500_when_its_audit_row_cannot_be_written(root_client, monkeypatch):
    """The database is what failed: the audit row cannot be written, and that must not turn
    the answer into something else."""
    _failing_dashboard(monkeypatch, RuntimeError("a bug"))
    monkeypatch.setattr(faults, "record_event", lambda **kw: (_ for _ in ()).throw(OperationalError("gone")))
    client = Client(raise_request_exception=False)
    client.cookies = root_client.cookies
    assert client.get(reverse("iam:dashboard")).status_code == 500
    assert not AuditEvent.objects.filter(result="ServiceFailure").exists()


# --- production connection settings -------------------------------------------------------------


def _run_settings(argv: list[str], **env) -> subprocess.CompletedProcess:
    """Import settings.py in a fresh interpreter as ``manage.py <argv>`` with only ``env``; it
    prints DATABASES["default"]'s connection keys."""
    from django.conf import settings

    script = (
        "import json, sys; sys.argv = json.loads(sys.argv[1]); "
        "from iamconsole import settings; "
        "d = settings.DATABASES['default']; "
        "print(json.dumps({k: d.get(k) for k in ('ENGINE', 'CONN_MAX_AGE', 'CONN_HEALTH_CHECKS')}))"
    )
    environment = {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "IAMCONSOLE_VAR_DIR": str(settings.VAR_DIR),
        "SECRET_KEY": "x" * 60,
        **env,
    }
    return subprocess.run(
        [sys.executable, "-c", script, json.dumps(argv)],
        capture_output=True,
        text=True,
        env=environment,
        cwd=settings.BASE_DIR,
    )


def _settings_for(argv: list[str], **env) -> dict:
    result = _run_settings(argv, **env)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


POSTGRES = "postgres://iam:iam@127.0.0.1:5432/iamconsole"


def test_production_postgres_keeps_connections_a_minute_with_health_checks():
    found = _settings_for(["gunicorn"], DATABASE_URL=POSTGRES)
    assert found["CONN_MAX_AGE"] == 60 and found["CONN_HEALTH_CHECKS"] is True


def test_runserver_opens_a_connection_per_request():
    """runserver starts a thread per request: persistent connections piled up to 'too many
    clients'."""
    found = _settings_for(["manage.py", "runserver"], DATABASE_URL=POSTGRES)
    assert found["CONN_MAX_AGE"] == 0


def test_conn_max_age_comes_from_the_environment():
    assert (
        _settings_for(["gunicorn"], DATABASE_URL=POSTGRES, IAMCONSOLE_CONN_MAX_AGE="300")["CONN_MAX_AGE"]
        == 300
    )
    bad = _run_settings(["gunicorn"], DATABASE_URL=POSTGRES, IAMCONSOLE_CONN_MAX_AGE="a minute")
    assert bad.returncode != 0 and "IAMCONSOLE_CONN_MAX_AGE must be a whole number" in bad.stderr


def test_sqlite_keeps_connections_as_postgres_does():
    """A connection per request cost SQLite its functions and pragmas each time, and a
    checkpoint (an fsync) at the close of the last connection after any write."""
    found = _settings_for(["gunicorn"])
    assert found["ENGINE"] == "django.db.backends.sqlite3" and found["CONN_MAX_AGE"] == 60
    assert _settings_for(["manage.py", "runserver"])["CONN_MAX_AGE"] == 0
    assert _settings_for(["gunicorn"], IAMCONSOLE_CONN_MAX_AGE="0")["CONN_MAX_AGE"] == 0
