"""A field server announced on the local network is heard by the app (loopback only)."""

from sync import discovery


def test_an_announced_server_is_found_with_its_short_code():
    handle = discovery.advertise(port=8443, server_id="srv-hall", tls=True,
                                 short_code="ABCDE-FGHIJ", name="Village hall",
                                 addresses=["127.0.0.1"])
    try:
        found = discovery.browse(2.0, interfaces=["127.0.0.1"])
    finally:
        handle.close()
    assert discovery.FoundServer("Village hall", "https://127.0.0.1:8443", "srv-hall",
                                 "ABCDE-FGHIJ") in found
