"""Webhook addresses: anything internal is refused unless allowed; public addresses pass."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from integrations.webhooks import addresses

INTERNAL = [
    "10.0.0.0/8",
    "172.16.0.0/12",
    "192.168.0.0/16",
    "127.0.0.0/8",
    "169.254.0.0/16",
    "100.64.0.0/10",
    "0.0.0.0/8",
    "224.0.0.0/4",
    "240.0.0.0/4",
    "fc00::/7",
    "fe80::/10",
    "::1/128",
    "ff00::/8",
]
PUBLIC = ["8.8.8.0/24", "1.1.1.0/24", "2606:4700::/32"]


def networks(cidrs):
    return st.one_of(
        *(st.ip_addresses(network=c) for c in cidrs),
    )


@settings(max_examples=80, deadline=None)
@given(ip=networks(INTERNAL))
def test_internal_addresses_are_refused(ip):
    with pytest.raises(addresses.RefusedAddress):
        addresses.resolve(str(ip), 443)


@settings(max_examples=40, deadline=None)
@given(ip=st.ip_addresses(network="127.0.0.0/8") | st.ip_addresses(network="10.0.0.0/8"))
def test_ipv4_mapped_ipv6_is_refused_too(ip):
    with pytest.raises(addresses.RefusedAddress):
        addresses.resolve(f"::ffff:{ip}", 443)


@settings(max_examples=40, deadline=None)
@given(ip=networks(PUBLIC))
def test_public_addresses_pass(ip):
    assert addresses.resolve(str(ip), 443) == str(ip)


def test_the_setting_allows_internal_addresses(settings):
    settings.HELPDESK = {**settings.HELPDESK, "WEBHOOKS_ALLOW_PRIVATE": True}
    assert addresses.resolve("127.0.0.1", 80) == "127.0.0.1"


@pytest.mark.parametrize(
    "url",
    [
        "ftp://example.com/x",
        "http:///nohost",
        "https://user:pw@example.com/",
        "https://example.com:99999/",
        "javascript:x",
    ],
)
def test_only_plain_http_urls(url):
    with pytest.raises(addresses.RefusedAddress):
        addresses.check_url(url)
