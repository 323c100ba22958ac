"""The dashboard's static assets: its one stylesheet and the fonts it names.

    GET /dashboard/static/dashboard.css                   (web/static/dashboard.css)
    GET /dashboard/fonts/NotoNaskhArabic-Regular.ttf      (and the other WEB_FONTS)

Both are cached for a year: a page asks for the stylesheet with its hash as a query
(:data:`sync.server.web.site.STYLESHEET_VERSION`), so a changed stylesheet is a new address.
"""

from __future__ import annotations

from starlette.responses import FileResponse, Response

import resources
from sync.protocol import ErrorCode
from sync.server.errors import ServerError
from sync.server.web.site import STYLESHEET, new_router

router = new_router()
# The fonts dashboard.css declares (@font-face with unicode-range): scripts of the UI
# languages that a coordinator's computer may have no font for.
WEB_FONTS = ("NotoNaskhArabic-Regular.ttf", "NotoSansHebrew-Regular.ttf",
             "NotoSansDevanagari-Regular.ttf", "NotoSansBengali-Regular.ttf",
             "NotoSansTamil-Regular.ttf", "NotoSansEthiopic-Regular.ttf")


@router.get("/static/dashboard.css")
def stylesheet() -> Response:
    return Response(STYLESHEET, media_type="text/css",
                    headers={"Cache-Control": "public, max-age=31536000, immutable",
                             "X-Content-Type-Options": "nosniff"})


@router.get("/fonts/{name}")
def font(name: str) -> Response:
    """A bundled Noto font, for browsers without one for a script (the stylesheet names each
    with its Unicode range, so a browser fetches it only for a page that needs it)."""
    if name not in WEB_FONTS:
        raise ServerError(ErrorCode.not_found, f"No font {name!r}.")
    return FileResponse(resources.path("fonts", name), media_type="font/ttf",
                        headers={"Cache-Control": "public, max-age=31536000, immutable"})
