"""Finding field servers on the local network (mDNS / DNS-SD, via python-zeroconf).

A coordinator's ``qalam-server serve`` announces ``_qalam._tcp.local.`` with its server id and
its certificate's short code; the app lists what it hears. Hearing a server is not trusting
it: the annotator still compares the short code (or the provisioning file carries the
fingerprint) before anything is sent — see sync/tls.py.
"""

from __future__ import annotations

import socket
import time
from dataclasses import dataclass

SERVICE_TYPE = "_qalam._tcp.local."


@dataclass(frozen=True)
class FoundServer:
    name: str
    url: str
    server_id: str
    short_code: str      # certificate short code, "" for plain HTTP


def advertise(*, port: int, server_id: str, tls: bool, short_code: str = "",
              name: str | None = None, addresses: list[str] | None = None):
    """Announce a server; returns a handle with ``close()``."""
    from zeroconf import ServiceInfo, Zeroconf

    host = socket.gethostname()
    name = name or f"Qalam on {host}"
    info = ServiceInfo(
        SERVICE_TYPE,
        f"{name}.{SERVICE_TYPE}",
        port=port,
        properties={"id": server_id, "tls": "1" if tls else "0", "code": short_code},
        parsed_addresses=addresses or [_local_address()],
        server=f"{host}.local.",
    )
    zeroconf = Zeroconf(interfaces=addresses) if addresses else Zeroconf()
    zeroconf.register_service(info)

    class Handle:
        def close(self) -> None:
            zeroconf.unregister_service(info)
            zeroconf.close()

    return Handle()


def browse(seconds: float = 3.0, *, interfaces: list[str] | None = None) -> list[FoundServer]:
    """Listen for ``seconds`` and return the servers heard, by name."""
    from zeroconf import ServiceBrowser, ServiceListener, Zeroconf

    zeroconf = Zeroconf(interfaces=interfaces) if interfaces else Zeroconf()
    found: dict[str, FoundServer] = {}

    class Listener(ServiceListener):
        def add_service(self, zc, type_, name):
            info = zc.get_service_info(type_, name, timeout=1500)
            if info is None or not info.parsed_addresses():
                return
            props = {k.decode(): (v or b"").decode() for k, v in info.properties.items()}
            scheme = "https" if props.get("tls") == "1" else "http"
            url = f"{scheme}://{info.parsed_addresses()[0]}:{info.port}"
            found[name] = FoundServer(name.removesuffix("." + SERVICE_TYPE), url,
                                      props.get("id", ""), props.get("code", ""))

        update_service = add_service

        def remove_service(self, zc, type_, name):
            found.pop(name, None)

    browser = ServiceBrowser(zeroconf, SERVICE_TYPE, Listener())
    try:
        time.sleep(seconds)
    finally:
        browser.cancel()
        zeroconf.close()
    return sorted(found.values(), key=lambda server: server.name)


def _local_address() -> str:
    """The first non-loopback IPv4 address of this machine (ifaddr, zeroconf's own helper)."""
    import ifaddr

    for adapter in ifaddr.get_adapters():
        for ip in adapter.ips:
            if ip.is_IPv4 and not str(ip.ip).startswith("127."):
                return str(ip.ip)
    return "127.0.0.1"
