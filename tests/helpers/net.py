"""What the fetch and address-guard tests share: loopback settings and a table resolver."""

from __future__ import annotations

import ipaddress

from bot.network.guard import IPAddress
from config import Settings


def make_settings(port: int, **overrides: object) -> Settings:
    """Settings that let the loopback test server through on `port`, with short timeouts."""
    values: dict[str, object] = {
        "allowed_networks": ["127.0.0.0/8"],
        "allowed_ports": [80, 443, port],
        "fetch_deadline": 5.0,
        "connect_timeout": 2.0,
        "read_timeout": 2.0,
    }
    values.update(overrides)
    return Settings(_env_file=None, **values)  # type: ignore[arg-type]


class MapResolver:
    """Answers from a table and counts calls: tests map names to any address without DNS."""

    def __init__(self, table: dict[str, list[str]]) -> None:
        self.table = table
        self.calls: list[str] = []

    async def resolve(self, host: str, port: int) -> list[IPAddress]:
        self.calls.append(host)
        if host not in self.table:
            raise OSError("name not known")
        return [ipaddress.ip_address(a) for a in self.table[host]]
