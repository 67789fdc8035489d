"""A client's address kept only as an HMAC under a secret that rotates weekly.

The HMAC lets the throttle and the public counts tell one client from another without keeping
the address. Each report keeps its HMAC under this week's and last week's secret, so one
client on both sides of a rotation stays one client; once a secret is two weeks old it is
deleted and nothing made under it can be linked to an address again. The reports' HMACs are
blanked after 30 days (intake.KEEP_CLIENTS_S).
"""

import hashlib
import hmac
import ipaddress
import secrets

WEEK_S = 7 * 24 * 3600


def client_keys(store, address: str, now: float) -> tuple[str, str]:
    """This client's HMAC under this week's secret and under last week's ("" when there was
    none). Call inside store.writing(): the first call of a week makes its secret."""
    week = int(now // WEEK_S)
    current = store.reports.secret(week, secrets.token_bytes(32))
    previous = store.reports.previous_secret(week)
    network = client_network(address)
    return _hmac(current, network), _hmac(previous, network) if previous else ""


def client_network(address: str) -> str:
    """The unit one client is counted by: an IPv4 address, or an IPv6 address's /64 (a phone
    may take any address of its network's /64, so the address alone would not throttle it)."""
    try:
        parsed = ipaddress.ip_address(address)
    except ValueError:
        return address
    if parsed.version == 4:
        return str(parsed)
    if parsed.ipv4_mapped is not None:
        return str(parsed.ipv4_mapped)
    return str(ipaddress.ip_network(f"{parsed}/64", strict=False))


def _hmac(secret: bytes, network: str) -> str:
    """The hex HMAC-SHA256 of a client's network under `secret`."""
    return hmac.new(secret, network.encode(), hashlib.sha256).hexdigest()
