"""The client's address, as the sign-in throttle, the audit trail and policy conditions see it.

Behind a reverse proxy (the README's TLS proxy), ``REMOTE_ADDR`` is the proxy's address for
every client. ``settings.TRUSTED_PROXY_COUNT`` (environment ``IAMCONSOLE_TRUSTED_PROXY_COUNT``,
default 0) says how many proxies stand in front of the server, each appending the address it
received the request from to ``X-Forwarded-For``. The client is then the entry that many places
from the right, as Django REST framework reads it: entries further left were written by the
client itself and are not believed. With 0 the header is ignored (anyone can send it).
"""

import ipaddress

from django.conf import settings


def _address(text: str) -> str | None:
    """``text`` as an IP address (a port, as some proxies add, dropped), or None."""
    value = text.strip()
    if value.startswith("[") and "]" in value:  # [2001:db8::1]:443
        value = value[1 : value.index("]")]
    elif value.count(":") == 1:  # 203.0.113.7:443
        value = value.split(":", 1)[0]
    try:
        return str(ipaddress.ip_address(value))
    except ValueError:
        return None


def client_ip(request) -> str | None:
    """The address of the client that sent ``request``, or None when unknown."""
    remote = request.META.get("REMOTE_ADDR") or None
    proxies = settings.TRUSTED_PROXY_COUNT
    if proxies <= 0:
        return remote
    forwarded = [part for part in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",") if part.strip()]
    if not forwarded:
        return remote
    # Fewer entries than proxies: the outermost proxy's own view is the leftmost one.
    return _address(forwarded[-min(proxies, len(forwarded))]) or remote
