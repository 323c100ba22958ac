"""Server health: the database, its schema revision, the change sequence, counts, the version.

    GET /dashboard/health
"""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.engine import make_url
from sqlalchemy.exc import OperationalError
from starlette.responses import Response

from app import __version__
from sync import protocol
from sync.server import db, tables
from sync.server.web.site import Coordinator, new_router

router = new_router()
COUNTED = ("users", "devices", "projects", "tasks", "submissions", "reviews", "task_leases",
           "audit_items", "web_sessions", "jobs")


@router.get("/health")
def health(page: Coordinator) -> Response:
    engine = page.engine
    url = make_url(str(engine.url)).render_as_string(hide_password=True)
    try:
        with db.read_transaction(engine) as conn:
            seq = db.current_seq(conn)
            counts = {name: conn.execute(sa.select(sa.func.count())
                                         .select_from(tables.metadata.tables[name])).scalar()
                      for name in COUNTED}
            live_devices = conn.execute(sa.select(sa.func.count()).select_from(tables.devices)
                                        .where(tables.devices.c.revoked_at.is_(None))).scalar()
        problem = ""
    except OperationalError as exc:
        seq, counts, live_devices, problem = None, {}, None, str(exc.orig or exc)
    return page.render(
        "health.html", database=engine.dialect.name, database_url=url, problem=problem,
        revision=db.schema_revision(engine) if not problem else None, seq=seq,
        counts=counts, live_devices=live_devices, app_version=__version__,
        protocol=(protocol.MIN_PROTOCOL_VERSION, protocol.PROTOCOL_VERSION))
