"""The dashboard's static assets: its one stylesheet and the fonts it names.

    GET /dashboard/static/dashboard.css       (web/fonts.py's @font-face rules + static/)
    GET /dashboard/fonts/NotoSansThai-Regular.ttf      (any font in resources/fonts/)

Both are cached for a year: a page asks for the stylesheet with its hash as a query
(:func:`sync.server.web.site.stylesheet`), so a changed stylesheet is a new address.
"""

from __future__ import annotations

from starlette.responses import FileResponse, Response

import resources
from sync.protocol import ErrorCode
from sync.server.errors import ServerError
from sync.server.web.fonts import face_for_file
from sync.server.web.site import new_router, stylesheet

router = new_router()


@router.get("/static/dashboard.css")
def stylesheet_file() -> Response:
    return Response(stylesheet()[0], media_type="text/css",
                    headers={"Cache-Control": "public, max-age=31536000, immutable",
                             "X-Content-Type-Options": "nosniff"})


@router.get("/fonts/{name}")
def font(name: str) -> Response:
    """A bundled Noto font, for browsers without one for a script (the stylesheet names each
    with its Unicode range, so a browser fetches it only for a page that needs it)."""
    if face_for_file(name) is None:  # only names read from the folder: no path in a name
        raise ServerError(ErrorCode.not_found, f"No font {name!r}.")
    return FileResponse(resources.path("fonts", name), media_type="font/ttf",
                        headers={"Cache-Control": "public, max-age=31536000, immutable"})
