"""The SSRF guard: every private, local or disguised address is refused with BLOCKED."""

from __future__ import annotations

import ipaddress

import pytest

from bot.errors import PipelineError
from bot.messages import say
from bot.models import ErrorKind
from bot.network.guard import (
    AddressPolicy,
    SystemResolver,
    inet_aton,
    is_hostname,
    looks_numeric,
)
from tests.helpers.net import MapResolver

BLOCKED_ADDRESSES = [
    "127.0.0.1",
    "127.255.255.254",
    "10.0.0.1",
    "172.16.0.1",
    "172.31.255.255",
    "192.168.1.1",
    "169.254.169.254",  # cloud metadata
    "169.254.0.1",
    "100.64.0.1",  # CGNAT
    "100.127.255.254",
    "0.0.0.0",
    "0.1.2.3",
    "224.0.0.1",  # multicast
    "239.255.255.250",
    "240.0.0.1",  # reserved
    "255.255.255.255",  # broadcast
    "192.0.2.10",  # documentation
    "198.18.0.1",  # benchmarking
    "::",
    "::1",
    "fc00::1",  # unique local
    "fd12:3456::1",
    "fe80::1",  # link-local
    "fe80::1%eth0",
    "fec0::1",  # site-local
    "ff02::1",  # multicast
    "::ffff:127.0.0.1",  # IPv4-mapped
    "::ffff:10.0.0.1",
    "::ffff:8.8.8.8",  # mapped is refused whatever it maps
    "::127.0.0.1",  # IPv4-compatible
    "::10.0.0.1",
    "64:ff9b::7f00:1",  # NAT64 of 127.0.0.1
    "64:ff9b::a9fe:a9fe",  # NAT64 of 169.254.169.254
    "64:ff9b::a00:1",  # NAT64 of 10.0.0.1
    "64:ff9b:1::a00:1",  # local-use NAT64
    "2002:7f00:1::1",  # 6to4 of 127.0.0.1
    "2002:c0a8:101::1",  # 6to4 of 192.168.1.1
    "2002:a9fe:a9fe::1",  # 6to4 of 169.254.169.254
    "2001:0:4136:e378:8000:63bf:3fff:fdd2",  # Teredo
    "2001:db8::1",  # documentation
    "100::1",  # discard
]

PUBLIC_ADDRESSES = [
    "93.184.216.34",
    "8.8.8.8",
    "1.1.1.1",
    "151.101.1.67",
    "2606:4700:4700::1111",
    "2a00:1450:4001:82a::200e",
    "64:ff9b::808:808",  # NAT64 of a public address (DNS64 networks)
    "2002:808:808::1",  # 6to4 of a public address
]


@pytest.mark.parametrize("address", BLOCKED_ADDRESSES)
def test_check_ip_refuses(address: str) -> None:
    with pytest.raises(PipelineError) as caught:
        AddressPolicy().check_ip(address)
    assert caught.value.kind is ErrorKind.BLOCKED


@pytest.mark.parametrize("address", PUBLIC_ADDRESSES)
def test_check_ip_accepts_public(address: str) -> None:
    AddressPolicy().check_ip(address)


@pytest.mark.parametrize(
    "url",
    [
        "http://127.0.0.1/",
        "http://localhost.127.0.0.1/",  # not a literal, but ends in a number: an address
        "http://10.0.0.1/admin",
        "http://169.254.169.254/latest/meta-data/",
        "http://[::1]/",
        "http://[::ffff:127.0.0.1]/",
        "http://[::ffff:7f00:1]/",
        "http://[64:ff9b::7f00:1]/",
        "http://[2002:7f00:1::1]/",
        "http://[fe80::1%25eth0]/",
        "http://0.0.0.0/",
        "http://2130706433/",  # decimal integer
        "http://0x7f000001/",  # hex integer
        "http://0x7f.1/",  # hex, short form
        "http://0177.0.0.1/",  # octal
        "http://127.1/",  # short form
        "http://127.0.1/",
        "http://017700000001/",
        "http://0/",
        "http://3232235777/",  # 192.168.1.1
        "http://0xa9.0xfe.0xa9.0xfe/",  # 169.254.169.254
        "http://1572395042/",  # a public address as a number: refused too (our choice)
        "http://127.0.0.1.:80/",
        "http://good.example@127.0.0.1/",  # userinfo trick
        "http://127.0.0.1@good.example/",
        "http://user:pass@good.example/",
        "ftp://good.example/file",
        "file:///etc/passwd",
        "gopher://good.example/",
        "javascript:alert(1)",
        "http://good.example:22/",  # port not allowed
        "https://good.example:8443/",
        "http://good.example:0/",
    ],
)
def test_check_url_refuses(url: str) -> None:
    with pytest.raises(PipelineError) as caught:
        AddressPolicy().check_url(url)
    assert caught.value.kind is ErrorKind.BLOCKED


@pytest.mark.parametrize(
    "url",
    [
        "http://news.example/story",
        "https://news.example/story",
        "HTTPS://News.Example:443/story",
        "http://93.184.216.34/story",
        "http://[2606:4700:4700::1111]/",
        "https://2024.example/results",  # digits in a label are fine; the last label is a name
        "https://example.com./fqdn",
    ],
)
def test_check_url_accepts(url: str) -> None:
    target = AddressPolicy().check_url(url)
    assert target.scheme in ("http", "https")
    assert target.port in (80, 443)


def test_check_url_reports_target() -> None:
    target = AddressPolicy().check_url("https://News.Example./a")
    assert (target.scheme, target.host, target.port, target.ip) == (
        "https",
        "news.example",
        443,
        None,
    )
    literal = AddressPolicy().check_url("http://[2606:4700:4700::1111]:80/")
    assert literal.ip == ipaddress.ip_address("2606:4700:4700::1111")


@pytest.mark.parametrize(
    "host", ["news.example", "café.example", "xn--caf-dma.example", "a_b.example", "localhost"]
)
def test_valid_hostnames(host: str) -> None:
    assert is_hostname(host)


@pytest.mark.parametrize(
    "host",
    [
        "exa mple.com",
        "exa%20mple.com",
        "bad!.example",
        "-lead.example",
        "a..b",
        "",
        "x" * 64,
        "xn--zz",
        "xn--zz.example",
    ],
)
def test_invalid_hostnames(host: str) -> None:
    assert not is_hostname(host)


def test_invalid_url_is_a_fetch_error_not_a_crash() -> None:
    with pytest.raises(PipelineError) as caught:
        AddressPolicy().check_url("http://example.com:99999/")
    assert caught.value.kind is ErrorKind.FETCH
    with pytest.raises(PipelineError):
        AddressPolicy().check_url("http:///nohost")


def test_messages_are_plain_words() -> None:
    with pytest.raises(PipelineError) as caught:
        AddressPolicy().check_url("http://169.254.169.254/")
    assert "private" in caught.value.message
    assert "169.254" not in caught.value.message  # nothing an attacker can probe with


def test_allowed_networks_let_loopback_through() -> None:
    policy = AddressPolicy(allowed_networks=["127.0.0.0/8"])
    policy.check_ip("127.0.0.1")
    policy.check_ip("127.0.0.2")
    policy.check_url("http://127.0.0.1/")
    with pytest.raises(PipelineError):
        policy.check_ip("10.0.0.1")  # only what is listed
    with pytest.raises(PipelineError):
        policy.check_ip("::1")  # IPv6 loopback is a different network
    with pytest.raises(PipelineError):
        policy.check_url("http://127.1/")  # numeric forms are refused even when allowed


def test_allowed_networks_from_settings_type() -> None:
    policy = AddressPolicy(allowed_networks=[ipaddress.ip_network("127.0.0.1/32")])
    policy.check_ip("127.0.0.1")
    with pytest.raises(PipelineError):
        policy.check_ip("127.0.0.2")


def test_loopback_never_allowed_by_default() -> None:
    assert not AddressPolicy().is_allowed_ip(ipaddress.ip_address("127.0.0.1"))


def test_port_rules() -> None:
    policy = AddressPolicy(allowed_ports=[80, 443, 8080])
    policy.check_url("http://news.example:8080/")
    policy.check_port(443)
    with pytest.raises(PipelineError) as caught:
        policy.check_url("http://news.example:8081/")
    assert caught.value.kind is ErrorKind.BLOCKED
    assert "8081" in caught.value.message
    with pytest.raises(PipelineError):
        AddressPolicy(allowed_ports=[443]).check_url("http://news.example/")  # implicit 80


@pytest.mark.parametrize(
    "resolved",
    [
        ["10.0.0.1"],
        ["169.254.169.254"],
        ["::ffff:127.0.0.1"],
        ["64:ff9b::7f00:1"],
        ["127.0.0.1"],
        ["::1"],
        ["fd00::1"],
        ["93.184.216.34", "10.0.0.1"],  # one bad address refuses the lot
        ["2606:4700:4700::1111", "fe80::1"],
    ],
)
async def test_resolved_private_addresses_are_refused(resolved: list[str]) -> None:
    resolver = MapResolver({"evil.test": resolved})
    with pytest.raises(PipelineError) as caught:
        await AddressPolicy().resolve_checked("evil.test", 80, resolver)
    assert caught.value.kind is ErrorKind.BLOCKED


async def test_resolved_public_addresses_pass_in_order() -> None:
    resolver = MapResolver({"news.test": ["93.184.216.34", "2606:4700:4700::1111"]})
    found = await AddressPolicy().resolve_checked("news.test", 443, resolver)
    assert [str(a) for a in found] == ["93.184.216.34", "2606:4700:4700::1111"]
    assert resolver.calls == ["news.test"]


async def test_literals_and_numeric_hosts_never_reach_the_resolver() -> None:
    resolver = MapResolver({})
    policy = AddressPolicy()
    assert await policy.resolve_checked("[2606:4700:4700::1111]", 80, resolver) == [
        ipaddress.ip_address("2606:4700:4700::1111")
    ]
    for host in ("127.0.0.1", "0x7f.1", "2130706433", "127.1"):
        with pytest.raises(PipelineError) as caught:
            await policy.resolve_checked(host, 80, resolver)
        assert caught.value.kind is ErrorKind.BLOCKED
    assert resolver.calls == []


async def test_resolution_checks_the_port() -> None:
    resolver = MapResolver({"news.test": ["93.184.216.34"]})
    with pytest.raises(PipelineError) as caught:
        await AddressPolicy().resolve_checked("news.test", 6379, resolver)
    assert caught.value.kind is ErrorKind.BLOCKED
    assert resolver.calls == []


async def test_unknown_host_is_a_fetch_error() -> None:
    with pytest.raises(PipelineError) as caught:
        await AddressPolicy().resolve_checked("nowhere.test", 80, MapResolver({}))
    assert caught.value.kind is ErrorKind.FETCH
    assert caught.value.message == say("fetch.unknown_host", host="nowhere.test")
    with pytest.raises(PipelineError):
        await AddressPolicy().resolve_checked("empty.test", 80, MapResolver({"empty.test": []}))


async def test_allowed_networks_apply_to_resolved_addresses() -> None:
    policy = AddressPolicy(allowed_networks=["127.0.0.0/8"])
    resolver = MapResolver({"local.test": ["127.0.0.1"], "mixed.test": ["127.0.0.1", "10.0.0.1"]})
    assert [str(a) for a in await policy.resolve_checked("local.test", 80, resolver)] == [
        "127.0.0.1"
    ]
    with pytest.raises(PipelineError):
        await policy.resolve_checked("mixed.test", 80, resolver)


async def test_system_resolver_reads_literals_without_dns() -> None:
    # getaddrinfo answers numeric hosts itself; no query leaves the machine.
    assert await SystemResolver().resolve("127.0.0.1", 80) == [ipaddress.ip_address("127.0.0.1")]


@pytest.mark.parametrize(
    ("host", "expected"),
    [
        ("2130706433", "127.0.0.1"),
        ("0x7f000001", "127.0.0.1"),
        ("0x7f.1", "127.0.0.1"),
        ("0177.0.0.1", "127.0.0.1"),
        ("127.1", "127.0.0.1"),
        ("127.0.1", "127.0.0.1"),
        ("10.1", "10.0.0.1"),
        ("0xa9.0xfe.0xa9.0xfe", "169.254.169.254"),
        ("0", "0.0.0.0"),
        ("192.168.257", "192.168.1.1"),
        ("1.2.3.4", "1.2.3.4"),
    ],
)
def test_inet_aton_reads_numeric_forms_like_libc(host: str, expected: str) -> None:
    assert str(inet_aton(host)) == expected
    assert looks_numeric(host)


@pytest.mark.parametrize("host", ["1.2.3.4.5", "256.1.1.1", "08.1.1.1", "news.example", "1.2.3.x"])
def test_inet_aton_rejects_what_libc_rejects(host: str) -> None:
    assert inet_aton(host) is None


@pytest.mark.parametrize(
    "host", ["news.example", "2024.example", "a1.b2.example", "xn--caf-dma.example"]
)
def test_names_are_not_numeric(host: str) -> None:
    assert not looks_numeric(host)
