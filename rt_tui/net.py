"""Whether a host names this machine: one answer for endpoint URLs, the emulator's --host and `rt-tui serve`.

Standard library only: the emulator imports it, and the emulator shares nothing else with the app
(it must not import rt_tui.config).
"""

from __future__ import annotations

import ipaddress


def is_loopback(host: str | None) -> bool:
    """True for `localhost` and loopback addresses, as written in a URL or a --host flag.

    Accepts any case and a trailing dot (`LOCALHOST.`), brackets (`[::1]`), an IPv6 zone (`::1%lo`) and
    IPv4-mapped IPv6 (`::ffff:127.0.0.1`). Anything else, including "" (which binds every interface),
    other names that may resolve to loopback and shortened forms such as `127.1`, is not: callers use the
    answer to decide what is safe, so an unsure answer is False.
    """
    name = (host or "").strip().lower()
    if name.startswith("[") and name.endswith("]"):
        name = name[1:-1]
    if name.rstrip(".") == "localhost":
        return True
    try:
        address = ipaddress.ip_address(name)
    except ValueError:
        return False
    mapped = getattr(address, "ipv4_mapped", None)
    return address.is_loopback or bool(mapped and mapped.is_loopback)
