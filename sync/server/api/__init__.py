"""The server's HTTP face: the FastAPI app, every router, body limits and error bodies.

    app = create_app(engine)      # sync.server.api.factory; uvicorn.run(app), see sync.server.cli

One module per group of endpoints, each an ``APIRouter`` named ``router`` that calls the
capability it serves (:mod:`sync.server.exchange`, :mod:`sync.server.people`,
:mod:`sync.server.work`, :mod:`sync.server.quality`); :mod:`.factory` includes them, and the
dashboard (:mod:`sync.server.web`), by name. :mod:`.deps` holds what endpoints depend on (the
engine, the calling device), :mod:`.body` the body limits (ASGI middleware), :mod:`.errors`
how every failure becomes an :class:`~sync.protocol.ErrorBody`.

This package imports nothing when it is imported: the CLI reaches its capabilities without
loading FastAPI.
"""
