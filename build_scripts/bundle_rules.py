"""What goes into the frozen bundle: one list, read by qalam.spec and check_bundle.py.

The spec drops everything these rules do not allow; ``check_bundle.py`` fails a finished
bundle that still contains something they do not allow, so a new PyInstaller hook or a new
import that drags in a Qt module shows up as a failed build instead of 20 more megabytes.
Nothing here imports PyInstaller or Qt.
"""

from __future__ import annotations

import re

#: The PySide6 modules the app imports (grep ``from PySide6`` in ui/, i18n/). Adding a screen
#: that needs another one means adding it here.
QT_MODULES = ("QtCore", "QtGui", "QtWidgets")

#: Qt shared libraries allowed besides those of QT_MODULES (Linux/Windows/macOS names).
#: DBus carries the AT-SPI accessibility bridge (screen readers), IBus input methods and the
#: XDG portal on Linux; XcbQpa and WaylandClient are the platform plugins' own libraries.
QT_EXTRA_LIBS = ("DBus", "XcbQpa", "WaylandClient")

#: Qt plugins kept, as ``folder/basename-without-prefix-and-suffix`` (``libqxcb.so``,
#: ``qxcb.dll`` and ``libqxcb.dylib`` are all ``platforms/qxcb``). Everything else is dropped.
QT_PLUGINS = frozenset({
    # windowing: X11 and Wayland on Linux, Windows, macOS; offscreen for the smoke test
    "platforms/qxcb", "platforms/qwayland", "platforms/qwindows", "platforms/qcocoa",
    "platforms/qoffscreen",
    # Wayland needs a shell integration and draws its own window decorations; widgets paint
    # into shared-memory buffers, so no graphics integration (and no Qt OpenGL) is needed
    "wayland-shell-integration/xdg-shell", "wayland-decoration-client/bradient",
    # input methods: IBus (Indic, Amharic, Yoruba tone marks...) and compose keys on Linux
    "platforminputcontexts/ibusplatforminputcontextplugin",
    "platforminputcontexts/composeplatforminputcontextplugin",
    # native file dialogs through the XDG portal on Linux (the GTK theme plugin would drag
    # in 15 MB of GTK libraries that must match the system's own to work at all)
    "platformthemes/qxdgdesktopportal",
    # native look on Windows 10/11 and macOS
    "styles/qmodernwindowsstyle", "styles/qwindowsvistastyle", "styles/qmacstyle",
    # the .ico/.icns window icons
    "imageformats/qico", "imageformats/qicns",
})

#: UI languages with a catalog (i18n.catalogs.SHIPPED) plus English. Kept in step by
#: tests/test_dist.py::test_bundle_rules_match_shipped_locales.
SHIPPED_LANGUAGES = ("en", "ar", "ur", "fa", "he", "hi", "bn", "ta", "am", "sw", "yo", "fr",
                     "es", "id", "my")

#: Babel's CLDR files kept: root and each shipped language. Qalam asks Babel only for UI
#: locales, by their base language (i18n.formatting, ui.ui_locale; "ur-PK" is "ur"), so the
#: regional variants and the other 700 locales (≈ 30 MB) stay out; a UI language outside this
#: list is refused by ``--ui-language`` as unknown.
BABEL_KEEP = re.compile(r"^(root|{})\.dat$".format("|".join(SHIPPED_LANGUAGES)))

#: Python packages that are development tools and must never be frozen into the app.
DEV_TOOLS = (
    "pytest", "_pytest", "pytestqt", "pytest_timeout", "ruff", "pip", "setuptools",
    "pkg_resources", "hatchling", "schemathesis", "hypothesis", "PyInstaller",
    "_pyinstaller_hooks_contrib", "altgraph", "IPython", "mypy", "black", "pybabel",
    "langcodes", "language_data",
    # the server side: annotators' laptops never run it
    "fastapi", "uvicorn", "starlette", "sqlalchemy", "alembic", "psycopg",
)

#: Modules the spec excludes outright (besides DEV_TOOLS). numpy stays: the post-edit
#: screen's translation memory index (app/tm.py) is built with it; tkinter/unittest: nothing
#: imports them at run time; the CJK codecs: Qalam reads and writes UTF-8 only; rapidfuzz's AVX2
#: builds (5 MB): rapidfuzz falls back to its baseline build when they are missing, which
#: is what every laptop without AVX2 runs anyway.
EXCLUDES = (*DEV_TOOLS, "tkinter", "_tkinter", "unittest", "pydoc_data",
            "sync.server", "test", "lib2to3", "xmlrpc",
            # httpx's command-line client (httpx imports it in a try) and what only it
            # needs: 2.6 MB of frozen code; portalocker's optional Redis lock
            "httpx._main", "rich", "pygments", "markdown_it", "mdurl", "redis",
            # zstandard's cffi backend (1 MB): its C extension backend is always there
            "zstandard.backend_cffi", "zstandard._cffi",
            # only process pools and sacrebleu's significance tests use it, and PyInstaller's
            # runtime hook for it costs every start ~13 ms
            "multiprocessing",
            "_codecs_jp", "_codecs_kr", "_codecs_cn", "_codecs_tw", "_codecs_hk",
            "_codecs_iso2022", "rapidfuzz.fuzz_cpp_avx2", "rapidfuzz.distance.metrics_cpp_avx2")


#: Shared libraries left to the system, as the PySide6 wheel itself expects them (and as the
#: AppImage exclude list does): every desktop has them, and they must match the running
#: system - fontconfig/FreeType read the system's font configuration, libX11 and libdbus
#: talk to the system's servers, and a bundled GLib next to the system's GIO modules
#: breaks them. The libraries only these needed (libsystemd, libgcrypt, libpcre2...) go
#: with them. (PyInstaller already leaves out glibc, libxcb and libGL.)
SYSTEM_LIBS = frozenset({
    "libfontconfig.so.1", "libfreetype.so.6", "libX11.so.6", "libX11-xcb.so.1",
    "libglib-2.0.so.0", "libgthread-2.0.so.0", "libdbus-1.so.3",
    # libxcb's own dependencies (libxcb.so.1 is always the system's)
    "libXau.so.6", "libXdmcp.so.6", "libbsd.so.0", "libmd.so.0",
})


def plugin_key(relpath: str) -> str | None:
    """``PySide6/Qt/plugins/platforms/libqxcb.so`` -> ``"platforms/qxcb"``; None when the
    path is not a Qt plugin."""
    parts = relpath.replace("\\", "/").split("/")
    if "plugins" not in parts:
        return None
    index = len(parts) - 1 - parts[::-1].index("plugins")
    if index + 2 != len(parts) - 1:
        return None
    folder, name = parts[index + 1], parts[index + 2]
    if not re.search(r"\.(so|dll|dylib)$", name):
        return None
    stem = re.sub(r"\.(so|dll|dylib)$", "", name)
    if stem.startswith("lib") and not name.endswith(".dll"):
        stem = stem[3:]
    return f"{folder}/{stem}"


def qt_library(relpath: str) -> str | None:
    """``.../libQt6Widgets.so.6`` / ``Qt6Widgets.dll`` / ``QtWidgets.framework/...`` ->
    ``"Widgets"``; None when the file is not a Qt library."""
    name = relpath.replace("\\", "/").rsplit("/", 1)[-1]
    match = re.match(r"^(?:lib)?Qt6(\w+?)(?:\.so(?:\.[\d.]+)?|\.dll|\.dylib)$", name)
    if match:
        return match.group(1)
    match = re.search(r"/Qt(\w+)\.framework/", relpath.replace("\\", "/"))
    return match.group(1) if match else None


def qt_library_allowed(module: str) -> bool:
    return module in {m.removeprefix("Qt") for m in QT_MODULES} or module in QT_EXTRA_LIBS


def pyside_module(relpath: str) -> str | None:
    """``PySide6/QtWidgets.abi3.so`` / ``PySide6/QtWidgets.pyd`` -> ``"QtWidgets"``."""
    match = re.match(r"^PySide6/(Qt\w+)\.(?:abi3\.so|pyd|so|cpython-[\w-]+\.so)$",
                     relpath.replace("\\", "/"))
    return match.group(1) if match else None


def qt_translation_allowed(name: str) -> bool:
    """``qtbase_ar.qm``: only Qt's base strings, only in a shipped language."""
    match = re.match(r"^qtbase_([a-z]{2,3})(?:_[A-Z]{2})?\.qm$", name)
    return bool(match) and match.group(1) in SHIPPED_LANGUAGES and match.group(1) != "en"
