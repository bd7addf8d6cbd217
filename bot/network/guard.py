"""Which addresses the bot may connect to: the SSRF guard.

A link pasted in a chat is untrusted input: without this, anyone could make the bot fetch
`http://169.254.169.254/` (cloud credentials), a router's admin page or a service on the bot's
own machine. The rules:

* only http/https, only `allowed_ports` (default 80 and 443), no `user@host` in the URL;
* every address a name resolves to must be public: if **any** is not, the link is refused
  (picking only the good ones would let an attacker's DNS keep a private address in play);
* IP literals are checked the same way, including IPv6 forms that smuggle an IPv4 address
  (mapped, compatible, NAT64, 6to4) and Teredo;
* hosts written as numbers the way `inet_aton` reads them (`2130706433`, `0x7f.1`, `0177.0.0.1`,
  `127.1`) are refused outright, whatever address they denote: no news site is linked that way,
  and refusing avoids any disagreement between our parser and the one that would connect.
  (The system resolver would turn them into addresses that get checked anyway.)
* `allowed_networks` (setting `NEWSDESK_ALLOWED_NETWORKS`, empty by default) is the one way to
  let a private network through, e.g. the loopback article server in tests.

`resolve_checked` is what the connection layer calls right before connecting, so the address
that was checked is the address that is used (no second lookup for a DNS rebind to change).
"""

from __future__ import annotations

import asyncio
import ipaddress
import re
import socket
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Protocol
from urllib.parse import urlsplit

import idna

from bot.errors import PipelineError
from bot.messages import say
from bot.models import ErrorKind

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address
IPNetwork = ipaddress.IPv4Network | ipaddress.IPv6Network


_DEFAULT_PORTS = {"http": 80, "https": 443}
# A label inet_aton would read as a number: decimal, octal (leading 0) or hex (0x…).
_NUMERIC_LABEL = re.compile(r"^(0x[0-9a-f]*|[0-9]+)$", re.IGNORECASE)
# A DNS name label in ASCII (punycode for international names); `_` occurs in real hosts.
_NAME_LABEL = re.compile(r"^[a-z0-9_]([a-z0-9_-]{0,61}[a-z0-9_])?$")


def _nets(*cidrs: str) -> tuple[IPNetwork, ...]:
    return tuple(ipaddress.ip_network(c) for c in cidrs)


# Spelled out rather than left to `is_global`, whose lists change between Python releases.
_BLOCKED_V4 = _nets(
    "0.0.0.0/8",  # "this network", includes the unspecified 0.0.0.0
    "10.0.0.0/8",
    "100.64.0.0/10",  # carrier-grade NAT
    "127.0.0.0/8",
    "169.254.0.0/16",  # link-local, incl. the cloud metadata 169.254.169.254
    "172.16.0.0/12",
    "192.0.0.0/24",
    "192.0.2.0/24",
    "192.88.99.0/24",
    "192.168.0.0/16",
    "198.18.0.0/15",
    "198.51.100.0/24",
    "203.0.113.0/24",
    "224.0.0.0/4",  # multicast
    "240.0.0.0/4",  # reserved, incl. broadcast 255.255.255.255
)
_BLOCKED_V6 = _nets(
    "::/96",  # unspecified, loopback and IPv4-compatible addresses
    "::ffff:0:0/96",  # IPv4-mapped
    "::ffff:0:0:0/96",  # IPv4-translated
    "64:ff9b:1::/48",  # local-use NAT64: the embedded part is not ours to judge
    "100::/64",  # discard
    "2001::/23",  # IETF protocol assignments, incl. Teredo 2001::/32
    "2001:db8::/32",
    "3fff::/20",
    "5f00::/16",
    "fc00::/7",  # unique local
    "fe80::/10",  # link-local
    "fec0::/10",  # site-local (deprecated, still routable inside some networks)
    "ff00::/8",  # multicast
)
_NAT64 = ipaddress.ip_network("64:ff9b::/96")
_SIX_TO_FOUR = ipaddress.ip_network("2002::/16")


class Resolver(Protocol):
    """Turns a host name into addresses (or their text); injectable so tests need no DNS."""

    async def resolve(self, host: str, port: int) -> Sequence[IPAddress | str]: ...


class SystemResolver:
    """The operating system's resolver, via the event loop's `getaddrinfo`."""

    async def resolve(self, host: str, port: int) -> list[IPAddress]:
        loop = asyncio.get_running_loop()
        infos = await loop.getaddrinfo(
            host, port, type=socket.SOCK_STREAM, proto=socket.IPPROTO_TCP
        )
        addresses: list[IPAddress] = []
        for _family, _type, _proto, _name, sockaddr in infos:
            ip = ipaddress.ip_address(str(sockaddr[0]).split("%", 1)[0])
            if ip not in addresses:
                addresses.append(ip)
        return addresses


@dataclass(frozen=True, slots=True)
class Target:
    """Where a URL says to connect, after the URL-level checks."""

    scheme: str
    host: str  # lower case, no brackets, no trailing dot
    port: int
    ip: IPAddress | None  # set when the host is an IP literal


class AddressPolicy:
    """Decides whether a URL, a port or an address may be contacted; raises BLOCKED if not."""

    def __init__(
        self,
        allowed_networks: Iterable[IPNetwork | str] = (),
        allowed_ports: Iterable[int] = (80, 443),
    ) -> None:
        self.allowed_networks = tuple(
            ipaddress.ip_network(n, strict=False) if isinstance(n, str) else n
            for n in allowed_networks
        )
        self.allowed_ports = frozenset(int(p) for p in allowed_ports)

    @classmethod
    def from_settings(cls, settings: object) -> AddressPolicy:
        return cls(
            getattr(settings, "allowed_networks", ()), getattr(settings, "allowed_ports", (80, 443))
        )

    # --- addresses -------------------------------------------------------------------------

    def is_allowed_ip(self, ip: IPAddress) -> bool:
        if any(ip in net for net in self.allowed_networks):
            return True
        return not _is_forbidden(ip)

    def check_ip(self, ip: IPAddress | str) -> None:
        address = ipaddress.ip_address(ip) if isinstance(ip, str) else ip
        if not self.is_allowed_ip(address):
            raise PipelineError(ErrorKind.BLOCKED, say("link.private_address"))

    def check_port(self, port: int) -> None:
        if port not in self.allowed_ports:
            raise PipelineError(ErrorKind.BLOCKED, say("link.port", port=port))

    # --- URLs ------------------------------------------------------------------------------

    def check_url(self, url: str) -> Target:
        """URL-level checks (no DNS): scheme, user info, port, host spelling, IP literal."""
        try:
            parts = urlsplit(url.strip())
            port = parts.port
        except ValueError:
            raise PipelineError(ErrorKind.FETCH, say("link.invalid")) from None
        userinfo = "@" in parts.netloc
        return self.check_target(parts.scheme, parts.hostname or "", port, userinfo=userinfo)

    def check_target(
        self, scheme: str, host: str, port: int | None, *, userinfo: bool = False
    ) -> Target:
        """The same checks on already-parsed parts (the HTTP client's own parse of the URL)."""
        scheme = scheme.lower()
        if scheme not in _DEFAULT_PORTS:
            raise PipelineError(ErrorKind.BLOCKED, say("link.not_web"))
        if userinfo:
            raise PipelineError(ErrorKind.BLOCKED, say("link.userinfo"))
        host = normalize_host(host)
        if not host:
            raise PipelineError(ErrorKind.FETCH, say("link.invalid"))
        port = _DEFAULT_PORTS[scheme] if port is None else port
        self.check_port(port)
        ip = literal_ip(host)
        if ip is not None:
            self.check_ip(ip)
        elif looks_numeric(host):
            raise PipelineError(ErrorKind.BLOCKED, say("link.numeric_host"))
        elif not is_hostname(host):
            raise PipelineError(ErrorKind.FETCH, say("link.invalid"))
        return Target(scheme, host, port, ip)

    # --- resolution ------------------------------------------------------------------------

    async def resolve_checked(self, host: str, port: int, resolver: Resolver) -> list[IPAddress]:
        """Addresses to connect to for `host`; every one was checked (any bad one refuses all)."""
        self.check_port(port)
        host = normalize_host(host)
        ip = literal_ip(host)
        if ip is not None:
            self.check_ip(ip)
            return [ip]
        if not host:
            raise PipelineError(ErrorKind.FETCH, say("link.invalid"))
        if looks_numeric(host):
            raise PipelineError(ErrorKind.BLOCKED, say("link.numeric_host"))
        if not is_hostname(host):
            raise PipelineError(ErrorKind.FETCH, say("link.invalid"))
        try:
            found = await resolver.resolve(host, port)
        except (OSError, UnicodeError, ValueError):
            found = []
        addresses = [ipaddress.ip_address(a) if isinstance(a, str) else a for a in found]
        if not addresses:
            raise PipelineError(ErrorKind.FETCH, say("fetch.unknown_host", host=host))
        for address in addresses:
            self.check_ip(address)
        return addresses


def normalize_host(host: str) -> str:
    """Lower case, without IPv6 brackets or the trailing dot of a fully qualified name."""
    host = host.strip().lower()
    if host.startswith("[") and host.endswith("]"):
        host = host[1:-1]
    return host.rstrip(".") if ":" not in host else host


def literal_ip(host: str) -> IPAddress | None:
    """The address if `host` is a canonical IP literal (dotted quad or IPv6), else None."""
    try:
        return ipaddress.ip_address(host)
    except ValueError:
        return None


def is_hostname(host: str) -> bool:
    """True for a syntactically valid DNS name (international names are checked as punycode)."""
    try:
        ascii_host = host if host.isascii() else host.encode("idna").decode("ascii")
    except UnicodeError:
        return False
    labels = ascii_host.split(".")
    if len(ascii_host) > 253 or not all(_NAME_LABEL.match(label) for label in labels):
        return False
    return all(_valid_a_label(label) for label in labels if label.startswith("xn--"))


def _valid_a_label(label: str) -> bool:
    """ "xn--zz" looks like punycode but decodes to nothing: the HTTP client would raise on it."""
    try:
        idna.decode(label)  # httpx's own IDNA library: the label is judged exactly as it will be
    except UnicodeError:  # idna.IDNAError is one
        return False
    return True


def looks_numeric(host: str) -> bool:
    """True for hosts a resolver would read as an IPv4 number (`127.1`, `0x7f.1`, `2130706433`).

    Like the WHATWG URL parser, a host whose last label is a number is an address, never a name.
    """
    labels = host.split(".")
    return bool(_NUMERIC_LABEL.match(labels[-1]))


def inet_aton(host: str) -> ipaddress.IPv4Address | None:
    """The IPv4 address libc's `inet_aton` reads from `host` (1 to 4 parts, dec/oct/hex), or None.

    Used to explain and test the numeric forms; the policy refuses them regardless.
    """
    labels = host.split(".")
    if not 1 <= len(labels) <= 4:
        return None
    values = []
    for label in labels:
        if not _NUMERIC_LABEL.match(label):
            return None
        if label[:2].lower() == "0x":
            values.append(int(label[2:] or "0", 16))
        elif len(label) > 1 and label.startswith("0"):
            if any(c in "89" for c in label):
                return None
            values.append(int(label, 8))
        else:
            values.append(int(label))
    *head, last = values
    if any(v > 255 for v in head) or last >= 256 ** (4 - len(head)):
        return None
    number = last
    for index, value in enumerate(head):
        number += value << (8 * (3 - index))
    return ipaddress.IPv4Address(number)


def _is_forbidden(ip: IPAddress) -> bool:
    if isinstance(ip, ipaddress.IPv4Address):
        return any(ip in net for net in _BLOCKED_V4) or not ip.is_global
    if ip in _NAT64:  # a NAT64 gateway would forward to the embedded IPv4 address
        return _is_forbidden(ipaddress.IPv4Address(int(ip) & 0xFFFFFFFF))
    if ip in _SIX_TO_FOUR:
        embedded = ip.sixtofour
        return embedded is None or _is_forbidden(embedded)
    if ip.ipv4_mapped is not None or ip.teredo is not None:
        return True
    return any(ip in net for net in _BLOCKED_V6) or ip.is_multicast or not ip.is_global
