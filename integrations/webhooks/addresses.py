"""Where a webhook may be sent: never to a private, loopback, link-local or otherwise internal
address unless ``HELPDESK["WEBHOOKS_ALLOW_PRIVATE"]`` says so (a test, an intranet install).

The check runs when an endpoint is saved and again at every delivery, against the addresses the
name resolves to then; the connection is made to the address that was checked (no second DNS
lookup between the check and the connect, which is how DNS rebinding gets through).
"""

from __future__ import annotations

import ipaddress
import socket
from urllib.parse import urlsplit

from django.conf import settings


class RefusedAddress(Exception):
    pass


def _allowed(ip: ipaddress.IPv4Address | ipaddress.IPv6Address) -> bool:
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        ip = ip.ipv4_mapped
    return ip.is_global and not (ip.is_multicast or ip.is_reserved or ip.is_unspecified)


def allow_private() -> bool:
    return bool(settings.HELPDESK.get("WEBHOOKS_ALLOW_PRIVATE", False))


def check_url(url: str) -> tuple[str, str, int]:
    """``(scheme, host, port)`` of an http(s) URL; raises ``RefusedAddress`` otherwise."""
    parts = urlsplit(url)
    if parts.scheme not in {"http", "https"} or not parts.hostname:
        raise RefusedAddress("The URL must be http or https with a host name.")
    if parts.username or parts.password:
        raise RefusedAddress("The URL must not carry a user name or password.")
    try:
        port = parts.port or (443 if parts.scheme == "https" else 80)
    except ValueError as exc:
        raise RefusedAddress("The URL's port is not valid.") from exc
    return parts.scheme, parts.hostname, port


def resolve(host: str, port: int) -> str:
    """One address of ``host`` to connect to, after checking every address it resolves to."""
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (OSError, UnicodeError) as exc:
        raise RefusedAddress(f"The host name does not resolve: {exc}") from exc
    addresses = [info[4][0] for info in infos]
    if not addresses:
        raise RefusedAddress("The host name does not resolve.")
    if not allow_private():
        for address in addresses:
            if not _allowed(ipaddress.ip_address(address.split("%")[0])):
                raise RefusedAddress(f"{host} resolves to {address}, a private or internal address.")
    return addresses[0]


def check_endpoint_url(url: str) -> None:
    """The check made when an endpoint is saved (raises ``RefusedAddress``)."""
    _, host, port = check_url(url)
    resolve(host, port)
