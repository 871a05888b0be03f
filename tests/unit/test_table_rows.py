"""The tables' rows written in Python escape every value (as the templates did)."""

from datetime import UTC, datetime
from types import SimpleNamespace

from django.utils import translation

from accounts.templatetags.table_rows import groups_rows, users_rows

EVIL = '<b>"x"&\'</b>'
ESCAPED = "&lt;b&gt;&quot;x&quot;&amp;&#x27;&lt;/b&gt;"


def test_users_rows_escape_every_value():
    key = SimpleNamespace(access_key_id=EVIL, status=EVIL)
    user = SimpleNamespace(
        user_name=EVIL,
        path=EVIL,
        group_count=EVIL,
        mfa_devices=(),
        has_console_password=True,
        password_last_changed=None,
        login_profile=SimpleNamespace(password_reset_required=True),
        password_last_used=None,
        access_keys=(key,),
        create_date=datetime(2026, 1, 1, tzinfo=UTC),
    )
    with translation.override("en"):  # the words checked below are English
        html = users_rows([user])
    assert (
        "<b>" not in html and html.count(ESCAPED) == 7
    )  # value, label, link, path, groups, key ID and status
    assert "(reset required)" in html and "Never" in html


def test_groups_rows_escape_every_value():
    group = SimpleNamespace(
        group_name=EVIL, member_count=EVIL, path=EVIL, create_date=datetime(2026, 1, 1, tzinfo=UTC)
    )
    html = groups_rows([group])
    assert "<b>" not in html and ESCAPED in html
