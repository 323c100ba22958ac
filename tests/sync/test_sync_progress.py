"""What `qalam sync` shows while it runs (issue 11): bytes counted as they cross the wire,
progress that moves while they do, and lines a person can read."""

import io

from sync.cli import ProgressPrinter
from sync.client import SyncClient, SyncProgress, SyncReport
from sync.progress import format_size, progress_text, retry_text, sync_summary
from tests.sync.live import Device
from tests.sync.proxy import Fault, FaultProxy


def test_bytes_counted_are_those_on_the_wire_lost_replies_included(tmp_path, live_server):
    """"KB up" showed 1,360 KB for 2.4 MB on the wire: a try whose reply was lost counted
    nothing, and heads were guessed. Through the proxy, both counts match its own, exactly."""
    pushes = {"n": 0}

    def plan(_n, _method, path):
        if path.startswith("/v1/push"):
            pushes["n"] += 1
            if pushes["n"] == 1:
                return Fault.LOSE_REPLY
        return Fault.PASS

    amina = Device.enrolled(tmp_path / "amina", live_server)
    amina.write(80)
    with FaultProxy(live_server.port, plan) as proxy:
        report = amina.sync(proxy.url)
    assert report.complete and report.retries >= 1 and proxy.faults_applied
    assert report.bytes_sent == proxy.bytes_up
    assert report.bytes_received == proxy.bytes_down


def test_progress_moves_while_an_answer_arrives_on_a_slow_link(store):
    """One line stood still for two minutes while items went through: now the byte counts
    move within a single answer, as its bytes arrive (here: a pull page in four parts, a
    quarter of a second apart)."""
    import time

    import httpx

    from tests.sync.test_client_policy import FakeServer

    page = (b'{"items": [], "next_cursor": 0, "more": false, "server_id": "srv"'
            + b" " * 40_000 + b"}")

    def slowly():
        for start in range(0, len(page), 10_001):
            time.sleep(0.25)
            yield page[start:start + 10_001]

    healthy = FakeServer()

    def handler(request):
        if request.url.path == "/v1/pull":
            return httpx.Response(200, content=slowly())
        return healthy(request)

    seen = []
    client = SyncClient("http://qalam.test", token="t", progress=seen.append,
                        http=httpx.Client(transport=httpx.MockTransport(handler)))
    assert client.sync(lambda fn: fn(store)).complete
    pulling = [p.bytes_received for p in seen if p.stage == "pulling"]
    assert len(set(pulling)) >= 4, pulling  # the page's parts, as they came


# --- the lines -------------------------------------------------------------------------------


def test_a_retry_line_says_what_happened_and_when_the_next_try_is():
    waiting = SyncProgress("waiting", retry_in=11.2, message="The connection broke.")
    assert retry_text(waiting) == "The connection broke. Trying again in 12 seconds."
    assert retry_text(SyncProgress("waiting", retry_in=0.4, message="The connection broke.")) \
        == "The connection broke. Trying again in 1 second."
    assert retry_text(SyncProgress("waiting", retry_in=0, message="The server is busy.")) \
        == "The server is busy. Trying again now."
    assert retry_text(SyncProgress("waiting", retry_in=300, message="The server is busy.")) \
        == "The server is busy. Trying again in 5 minutes."
    enrolling = SyncProgress("waiting", retry_in=4, message="The server cannot be reached.",
                             attempt=2, attempts=6)
    assert retry_text(enrolling) == ("The server cannot be reached. Trying again in 4 seconds. "
                                     "That will be try 3 of 6.")


def test_progress_lines_name_the_stage_for_a_person_with_right_plurals():
    pushing = SyncProgress("pushing", items_sent=1, pending=0, bytes_sent=2_400_000,
                           bytes_received=1_360)
    assert progress_text(pushing) == \
        "Sending your work… 1 of 1 item sent · 2.4 MB sent, 1.4 kB received"
    assert "verifying" not in progress_text(SyncProgress("verifying"))
    assert progress_text(SyncProgress("verifying")) == "Checking that both sides agree…"
    pulling = SyncProgress("pulling", items_received=1_981)
    assert progress_text(pulling) == "Receiving tasks and decisions… 1,981 updates received"
    assert format_size(830) == "0.8 kB" and format_size(46_300) == "46 kB"


def test_a_sync_that_leaves_a_conflict_says_where_to_resolve_it():
    one = SyncReport(acknowledged=1, pulled=1, open_conflicts=1, bytes_sent=5_000,
                     bytes_received=12_000, complete=True)
    lines = sync_summary(one)
    assert lines[0] == "Sync finished: 1 item sent, 1 update received (5.0 kB sent, 12 kB " \
                       "received)."
    assert "conflicts" not in lines[0]
    assert lines[1].startswith("1 item was changed both here and elsewhere")
    assert "File › Sync and connection…" in lines[1]
    two = sync_summary(SyncReport(acknowledged=2, open_conflicts=2, rejected=3, pending=4))
    assert two[0].startswith("Sync finished: 2 items sent, 0 updates received")
    assert two[1].startswith("2 items were changed")
    assert two[2].startswith("3 items were refused by the server")
    assert two[3] == "4 items are still waiting to be sent; run qalam sync again."


class _Clock:
    def __init__(self):
        self.now = 0.0

    def __call__(self):
        return self.now


def test_on_a_terminal_one_line_is_rewritten_at_most_every_second():
    out, clock = io.StringIO(), _Clock()
    show = ProgressPrinter(out, interactive=True, clock=clock)
    for sent in range(10):  # ten reports within half a second
        clock.now = sent * 0.05
        show(SyncProgress("pushing", items_sent=sent, pending=10 - sent))
    assert out.getvalue().count("\r") == 1
    clock.now = 1.2
    show(SyncProgress("pushing", items_sent=10, pending=0))
    assert out.getvalue().count("\r") == 2 and "\n" not in out.getvalue()
    show(SyncProgress("pulling", items_sent=10, items_received=3))
    show.close()
    lines = out.getvalue().split("\n")
    assert lines[0].rsplit("\r", 1)[-1].startswith("Sending your work… 10 of 10 items sent")
    assert lines[1].rsplit("\r", 1)[-1].startswith("Receiving tasks and decisions… 3 updates")


def test_in_a_log_a_line_comes_at_each_stage_and_every_few_seconds():
    out, clock = io.StringIO(), _Clock()
    show = ProgressPrinter(out, interactive=False, clock=clock)
    for second in range(13):  # a long push
        clock.now = float(second)
        show(SyncProgress("pushing", items_sent=second, pending=20 - second))
    clock.now = 13.0
    show(SyncProgress("waiting", items_sent=13, pending=7, retry_in=12,
                      message="The connection broke."))
    show.close()
    lines = out.getvalue().splitlines()
    assert "\r" not in out.getvalue()
    assert [line.split(" · ")[0] for line in lines] == [
        "Sending your work… 0 of 20 items sent",
        "Sending your work… 5 of 20 items sent",
        "Sending your work… 10 of 20 items sent",
        "The connection broke. Trying again in 12 seconds. 13 of 20 items sent"]
