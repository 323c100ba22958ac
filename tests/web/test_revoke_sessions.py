"""Revoking a device ends the dashboard sessions opened with its token (they lived 12 hours)."""

from sync.server.people import users
from tests.server.helpers import Server


def test_revoking_a_device_ends_the_dashboard_sessions_its_token_opened(dashboard):
    with Server(dashboard.engine) as harness:
        coordinator = harness.member("coordinator", languages=[])
        other_device = harness.member("coordinator", languages=[])
    by_token = dashboard.browser()
    assert by_token.sign_in(token=coordinator.token).status_code == 303
    by_other_token = dashboard.browser()
    assert by_other_token.sign_in(token=other_device.token).status_code == 303
    assert by_token.get("/dashboard/overview").status_code == 200

    users.revoke(dashboard.engine, coordinator.device_id)

    assert by_token.get("/dashboard/overview").status_code == 303   # back to sign-in
    assert by_other_token.get("/dashboard/overview").status_code == 200  # not this device's
