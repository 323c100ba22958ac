"""The stylesheet declares every bundled font, each with the Unicode range read from its file,
and the server hands out exactly those files."""

from __future__ import annotations

import re

import pytest
from fontTools.ttLib import TTFont

from sync.server.web import fonts

BUNDLED = sorted(path.name for path in fonts.FONT_DIR.glob("*.ttf"))
FACE = re.compile(r'@font-face \{ font-family: "([^"]+)";[^}]*url\(\.\./fonts/([^)]+)\)'
                  r'[^}]*unicode-range: ([^;]+); \}')


def _points(unicode_range: str) -> set[int]:
    points = set()
    for part in unicode_range.split(","):
        first, _, last = part.strip().removeprefix("U+").partition("-")
        points.update(range(int(first, 16), int(last or first, 16) + 1))
    return points


@pytest.fixture(scope="module")
def css(engine_free_client) -> str:
    response = engine_free_client.get("/dashboard/static/dashboard.css")
    assert response.status_code == 200
    return response.text


@pytest.fixture(scope="module")
def engine_free_client(tmp_path_factory):
    from starlette.testclient import TestClient

    from sync.server import db
    from sync.server.api.factory import create_app

    engine = db.create_engine(f"sqlite:///{tmp_path_factory.mktemp('css') / 'server.db'}")
    db.migrate(engine)
    with TestClient(create_app(engine)) as client:
        yield client
    engine.dispose()


def test_every_bundled_font_is_declared_with_the_range_of_its_own_letters(css):
    declared = {file: (family, _points(ranges)) for family, file, ranges in FACE.findall(css)}
    assert sorted(declared) == BUNDLED and len(BUNDLED) == 24
    for file, (_family, points) in declared.items():
        cmap = set(TTFont(fonts.FONT_DIR / file, lazy=True).getBestCmap())
        assert points <= cmap, file          # never promises a letter the file lacks
        assert not any(p < 0x80 for p in points), file   # Latin stays with the computer's font
    assert 0x0E01 in declared["NotoSansThai-Regular.ttf"][1]          # ก
    assert 0x06C1 in declared["NotoNastaliqUrdu-Regular.ttf"][1]      # ہ
    assert 0x0964 in declared["NotoSansBengali-Regular.ttf"][1]       # the danda, shared
    assert 0x0E01 not in declared["NotoSansLao-Regular.ttf"][1]


def test_a_language_puts_its_own_font_first_where_scripts_share_letters(css):
    # The danda is in every Indic font's range: a Bengali page must not fetch Devanagari's.
    assert re.search(r':lang\(bn\)[^{]*\{ font-family: "Qalam Bengali", var\(--qalam-fonts\)', css)
    assert re.search(r'\.text:lang\(ur\)[^{]*\{ font-family: "Qalam Nastaliq Urdu"', css)
    stack = re.search(r"--qalam-fonts: ([^;]+);", css).group(1)
    assert stack.index('"Qalam Thai"') < stack.index("system-ui") < stack.index('"Qalam Latin"')
    assert '"Qalam Nastaliq Urdu"' not in stack  # Nastaliq is for Urdu content only


@pytest.mark.parametrize("name", BUNDLED)
def test_every_bundled_font_is_served(engine_free_client, name):
    response = engine_free_client.get(f"/dashboard/fonts/{name}")
    assert response.status_code == 200 and response.headers["content-type"] == "font/ttf"
    assert response.content == (fonts.FONT_DIR / name).read_bytes()


@pytest.mark.parametrize("name", ["OFL.txt", "SHA256SUMS", "..%2F..%2Fpyproject.toml",
                                  "NotoSansThai-Regular.TTF", "x.ttf"])
def test_nothing_else_is_served_from_the_fonts_folder(engine_free_client, name):
    assert engine_free_client.get(f"/dashboard/fonts/{name}").status_code == 404
