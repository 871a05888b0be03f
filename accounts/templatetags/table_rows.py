"""The rows of the console's big tables (Users, User groups, Policies) written in Python.

A table shows up to 100 rows, and Django's template engine spends about half a millisecond on
each of these rows (a ``{% url %}``, a ``{% blocktranslate %}``, filters, a dozen lookups):
more than the page's whole budget (issue 10: 50 ms at 100 rows). Here a row is one
``format_html`` call, with the labels translated and the detail URL reversed once per table.
The markup is the one the templates had; every value is escaped by ``format_html``.
"""

import html
from urllib.parse import quote

from django import template
from django.urls import reverse
from django.utils.html import format_html, format_html_join
from django.utils.http import RFC3986_SUBDELIMS
from django.utils.safestring import mark_safe
from django.utils.translation import gettext

from .console_format import age, ago

register = template.Library()


def _e(value) -> str:
    """``value`` escaped for HTML text and attributes, as Django's ``escape`` writes it."""
    return html.escape(str(value))


def _url_prefix(name: str) -> str:
    """The URL of the view ``name`` for an entity, minus the entity's name and the final slash
    (reversed once per table with a placeholder name)."""
    url = reverse(name, args=["NAME"])
    assert url.endswith("/NAME/"), url
    return url[: -len("NAME/")]


def _name_url(prefix: str, name: str) -> str:
    return prefix + quote(name, safe=RFC3986_SUBDELIMS + "/~:@") + "/"  # as reverse() quotes


@register.simple_tag
def users_rows(page):
    """The Users table's rows (the console's users table columns). The hottest of the tables:
    every value goes through ``_e`` (``html.escape``, as Django's ``escape`` does) into one
    f-string per row."""
    prefix = _url_prefix("iam:user_detail")
    select = gettext("Select %(name)s")
    virtual, disabled, never = _e(gettext("Virtual")), _e(gettext("Disabled")), _e(gettext("Never"))
    reset_required = gettext("(reset required)")  # (xgettext finds no call inside an f-string)
    reset = f' <span class="text-secondary">{_e(reset_required)}</span>'
    statuses = {"Active": gettext("Active"), "Inactive": gettext("Inactive")}
    rows = []
    for user in page:
        devices = user.mfa_devices or ()
        mfa = "-" if not devices else virtual + (f" ({len(devices)})" if len(devices) > 1 else "")
        if user.has_console_password:
            password = _e(age(user.password_last_changed)) if user.password_last_changed else "-"
            if user.login_profile and user.login_profile.password_reset_required:
                password += reset
        else:
            password = f'<span class="text-secondary">{disabled}</span>'
        if user.password_last_used:
            last = _e(ago(user.password_last_used))
        else:
            last = never if user.has_console_password else "-"
        keys = "".join(
            f"<div>{_e(k.access_key_id)} ({_e(statuses.get(k.status, k.status))})</div>"
            for k in user.access_keys or ()
        )
        name = _e(user.user_name)
        rows.append(
            "<tr>"
            '<td class="cs-table__select"><input class="form-check-input" type="checkbox" name="names"'
            f' value="{name}" form="users-selection" aria-label="{_e(select % {"name": user.user_name})}"></td>'
            f'<td data-column="user_name"><a href="{_e(_name_url(prefix, user.user_name))}">{name}</a></td>'
            f'<td data-column="path">{_e(user.path)}</td>'
            f'<td data-column="groups">{_e(user.group_count)}</td>'
            f'<td data-column="mfa">{mfa}</td>'
            f'<td data-column="password_age">{password}</td>'
            f'<td data-column="last_activity">{last}</td>'
            f'<td data-column="access_keys" class="cs-mono">{keys or "-"}</td>'
            f'<td data-column="created">{_e(ago(user.create_date))}</td>'
            "</tr>"
        )
    return mark_safe("\n".join(rows))  # noqa: S308 - every value escaped by _e


@register.simple_tag
def groups_rows(page):
    """The User groups table's rows."""
    prefix = _url_prefix("iam:group_detail")
    select = gettext("Select %(name)s")
    return format_html_join(
        "\n",
        "<tr>"
        '<td class="cs-table__select"><input class="form-check-input" type="checkbox" name="names"'
        ' value="{}" form="groups-selection" aria-label="{}"></td>'
        '<td data-column="group_name"><a href="{}">{}</a></td>'
        '<td data-column="users">{}</td>'
        '<td data-column="path">{}</td>'
        '<td data-column="created">{}</td>'
        "</tr>",
        (
            (
                group.group_name,
                select % {"name": group.group_name},
                _name_url(prefix, group.group_name),
                group.group_name,
                group.member_count,
                group.path,
                ago(group.create_date),
            )
            for group in page
        ),
    )


@register.simple_tag
def policies_rows(rows):
    """The Policies table's rows: ``rows`` holds (policy, the "Used as" lines) pairs; an AWS
    managed policy has no selection box (it can't be deleted)."""
    detail = reverse("iam:policy_detail") + "?arn="
    select = gettext("Select %(name)s")
    out = []
    for policy, used_as in rows:
        box = (
            ""
            if policy.is_aws_managed
            else format_html(
                '<input class="form-check-input" type="checkbox" name="arns" value="{}"'
                ' form="policies-selection" aria-label="{}">',
                policy.arn,
                select % {"name": policy.policy_name},
            )
        )
        description = policy.description or "-"
        if len(description) > 160:  # as |truncatechars:160
            description = description[:159] + "…"
        out.append(
            format_html(
                '<tr><td class="cs-table__select">{}</td>'
                '<td data-column="policy_name"><a href="{}">{}</a></td>'
                '<td data-column="type">{}</td>'
                '<td data-column="used_as">{}</td>'
                '<td data-column="description" translate="no">{}</td></tr>',
                box,
                detail + quote(policy.arn, safe=""),
                policy.policy_name,
                policy.policy_type.label,
                format_html_join(mark_safe("<br>"), "{}", ((used,) for used in used_as)),
                description,
            )
        )
    return mark_safe("\n".join(out))  # noqa: S308 - each row built by format_html
