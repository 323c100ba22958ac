"""The frozen app from ``make dist``, run as an annotator would get it (``make test-dist``).

Tests marked ``dist`` start the *frozen* executable in ``dist/qalam`` under
``QT_QPA_PLATFORM=offscreen`` with a fresh data directory. They build nothing: without a
bundle they are skipped, except under ``make test-dist`` (``QALAM_REQUIRE_DIST=1``), where a
missing bundle fails. The unmarked tests here check the build scripts' own logic.
"""

import os
import re
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
BUNDLE = Path(os.environ.get("QALAM_DIST_BUNDLE", ROOT / "dist" / "qalam"))
sys.path.insert(0, str(ROOT / "build_scripts"))

import bundle_rules  # noqa: E402


def _executable() -> Path | None:
    for name in ("qalam", "qalam.exe"):
        if (BUNDLE / name).is_file():
            return BUNDLE / name
    return None


@pytest.fixture(scope="module")
def frozen() -> Path:
    exe = _executable()
    if exe is None:
        reason = f"no frozen bundle in {BUNDLE}: run `make dist` (make test-dist builds it)"
        if os.environ.get("QALAM_REQUIRE_DIST"):
            pytest.fail(reason)
        pytest.skip(reason)
    return exe


def run(exe: Path, *args: str, data_dir: Path, timeout: float = 180) -> subprocess.CompletedProcess:
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen", "QALAM_DATA_DIR": str(data_dir),
           "QALAM_SELF_TEST_TRACEBACK": "1"}
    env.pop("QALAM_UI_LANGUAGE", None)
    return subprocess.run([str(exe), *args], capture_output=True, text=True, env=env,
                          timeout=timeout, cwd=data_dir.parent)


def assert_clean(result: subprocess.CompletedProcess) -> None:
    assert result.returncode == 0, f"exit {result.returncode}\n{result.stdout}\n{result.stderr}"
    assert "Traceback" not in result.stderr, result.stderr


# --- the frozen app ----------------------------------------------------------------------------

@pytest.mark.dist
def test_version_prints_build_information(frozen, tmp_path):
    result = run(frozen, "--version", data_dir=tmp_path / "data")
    assert_clean(result)
    assert re.fullmatch(
        r"Qalam \d+\.\d+\.\d+\S* \(build (?:[0-9a-f]{7,}(?:\+dirty)?|unknown), "
        r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ, [\w-]+\)\n", result.stdout
    ), result.stdout


@pytest.mark.dist
def test_self_test_passes_and_writes_rtl_screenshots(frozen, tmp_path):
    shots = tmp_path / "shots"
    result = run(frozen, "--self-test", str(shots), data_dir=tmp_path / "data")
    assert_clean(result)
    for check in ("catalogs", "translation", "fonts", "icu", "database", "language-id",
                  "ter", "memory", "sync", "screenshot-ar", "screenshot-ur"):
        assert re.search(rf"^ok   {check}: ", result.stdout, re.M), result.stdout
    assert "self-test passed" in result.stdout
    for ui_language in ("ar", "ur"):
        png = shots / f"main-window-{ui_language}.png"
        assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
        assert png.stat().st_size > 20_000  # a window full of text, not a blank rectangle


@pytest.mark.dist
def test_main_window_in_english_and_arabic_writes_a_submission(frozen, tmp_path):
    from app import paths
    from app.store import Store

    result = run(frozen, "--smoke", str(tmp_path / "smoke"), data_dir=tmp_path / "unused")
    assert_clean(result)
    assert "ok   smoke-en: window en" in result.stdout, result.stdout
    assert "ok   smoke-ar: window ar, submission" in result.stdout, result.stdout
    with Store.open(paths.database_path(tmp_path / "smoke" / "data"), readonly=True) as store:
        [submission] = store.submissions(state="submitted")
    assert submission.language == "arb_Arab"
    assert "التمر" in submission.inputs


@pytest.mark.dist
def test_plain_start_opens_the_demo_workspace(frozen, tmp_path):
    """The ordinary entry point (ui.cli.main), not the self-test's: it starts, migrates and
    seeds the database, and is still running a few seconds later."""
    data = tmp_path / "data"
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen"}
    process = subprocess.Popen([str(frozen), "--data-dir", str(data), "--demo",
                                "--ui-language", "ar"], env=env, stdout=subprocess.PIPE,
                               stderr=subprocess.PIPE, text=True)
    try:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline and not (data / "qalam.db").exists():
            assert process.poll() is None, process.communicate()
            time.sleep(0.2)
        time.sleep(2)
        assert process.poll() is None, process.communicate()
    finally:
        process.terminate()
        _out, err = process.communicate(timeout=30)
    assert "Traceback" not in err, err
    from app.store import Store

    with Store.open(data / "qalam.db", readonly=True) as store:
        assert store.count_tasks(language="arb_Arab") > 0


@pytest.mark.dist
def test_portable_marker_keeps_data_beside_the_frozen_app(frozen, tmp_path):
    stick = tmp_path / "stick" / "qalam"
    shutil.copytree(BUNDLE, stick, symlinks=True)
    (stick / "portable.txt").write_text("")
    env = {k: v for k, v in os.environ.items() if k != "QALAM_DATA_DIR"}
    env["QT_QPA_PLATFORM"] = "offscreen"
    process = subprocess.Popen([str(stick / frozen.name), "--ui-language", "en"], env=env,
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    try:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline and not (stick / "data" / "qalam.db").exists():
            assert process.poll() is None, process.communicate()
            time.sleep(0.2)
        assert (stick / "data" / "qalam.db").exists()
    finally:
        process.kill()
        process.communicate(timeout=30)


@pytest.mark.dist
def test_provisioning_copied_as_provision_says_sets_up_the_portable_app(frozen, tmp_path,
                                                                       capsys):
    """``qalam-server provision``'s printed instruction, followed literally on a USB stick
    holding the frozen app in portable mode: the first start imports the tasks and knows the
    server and its certificate, so enrolling asks only for the code."""
    import json

    from app import syncstate
    from app.errors import StoreError
    from app.store import Store
    from tests.test_provisioning import follow_printed_instruction, provision

    tasks = tmp_path / "urd.jsonl"
    tasks.write_text(json.dumps({"id": "stick-urd-1", "kind": "original",
                                 "language_code": "urd_Arab",
                                 "instructions": "بارش کے بارے میں ایک سوال لکھیں۔"},
                                ensure_ascii=False) + "\n", encoding="utf-8")
    printed = provision(capsys, tmp_path, out=tmp_path / "prov", tasks_file=tasks)
    stick = tmp_path / "stick" / "qalam"
    shutil.copytree(BUNDLE, stick, symlinks=True)
    (stick / "portable.txt").write_text("")
    follow_printed_instruction(printed, stick)
    env = {k: v for k, v in os.environ.items() if k != "QALAM_DATA_DIR"}
    env["QT_QPA_PLATFORM"] = "offscreen"
    process = subprocess.Popen([str(stick / frozen.name), "--ui-language", "en"], env=env,
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)

    def provisioned():
        try:
            with Store.open(stick / "data" / "qalam.db", readonly=True) as store:
                return (store.count_tasks(language="urd_Arab"),
                        syncstate.get_meta(store, "provisioned_server_url", ""),
                        syncstate.get_meta(store, "provisioned_fingerprint", ""))
        except StoreError:  # not created or migrated yet
            return None

    try:
        deadline = time.monotonic() + 60
        found = None
        while time.monotonic() < deadline and not (found and found[0]):
            assert process.poll() is None, process.communicate()
            time.sleep(0.5)
            found = provisioned()
    finally:
        process.kill()
        _out, err = process.communicate(timeout=30)
    assert "provisioning file not used" not in err, err
    count, server_url, fingerprint = found
    assert count == 1                                       # the tasks came with it
    assert server_url == "https://192.168.1.20:8443"        # the address is known...
    assert len(fingerprint.split(":")) == 32                # ...and its certificate pinned


@pytest.mark.dist
def test_bundle_passes_check_bundle(frozen):
    result = subprocess.run([sys.executable, str(ROOT / "build_scripts" / "check_bundle.py"),
                             str(BUNDLE)], capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "Qt modules:   QtCore QtGui QtWidgets\n" in result.stdout


# --- the build scripts' logic (no bundle needed) ------------------------------------------------

def test_bundle_rules_match_shipped_locales():
    from i18n import catalogs

    assert set(bundle_rules.SHIPPED_LANGUAGES) == {"en", *(loc.tag for loc in catalogs.SHIPPED)}


def test_bundle_rules_name_qt_files_on_every_platform():
    assert bundle_rules.plugin_key("PySide6/Qt/plugins/platforms/libqxcb.so") == "platforms/qxcb"
    assert bundle_rules.plugin_key("PySide6\\plugins\\platforms\\qwindows.dll") == \
        "platforms/qwindows"
    assert bundle_rules.plugin_key("PySide6/Qt/lib/libQt6Core.so.6") is None
    assert bundle_rules.qt_library("PySide6/Qt/lib/libQt6Network.so.6") == "Network"
    assert bundle_rules.qt_library("PySide6/Qt6Widgets.dll") == "Widgets"
    assert bundle_rules.pyside_module("PySide6/QtNetwork.abi3.so") == "QtNetwork"
    assert not bundle_rules.qt_library_allowed("Network")
    assert bundle_rules.qt_translation_allowed("qtbase_ar.qm")
    assert not bundle_rules.qt_translation_allowed("qtbase_de.qm")
    assert not bundle_rules.qt_translation_allowed("qtmultimedia_ar.qm")
    assert bundle_rules.BABEL_KEEP.match("ur.dat") and not bundle_rules.BABEL_KEEP.match("de.dat")


def test_icu_filter_keeps_what_qt_core_uses():
    import icu_data

    kept = [i for i in ("coll/ucadata.icu", "coll/ar.res", "coll/root.res", "zoneinfo64.res",
                        "cnvalias.icu", "ur.res", "pool.res", "zone/ur.res", "likelySubtags.res")
            if icu_data.keep(i)]
    assert len(kept) == 9
    dropped = [i for i in ("coll/de.res", "coll/de_.res", "lang/ar.res", "brkitr/thaidict.dict",
                           "ibm-943_P15A-2003.cnv", "de.res", "unames.icu", "zone/de.res")
               if not icu_data.keep(i)]
    assert len(dropped) == 8


def test_build_information_is_filled_in_from_a_copy():
    from app import buildinfo

    assert buildinfo.describe().endswith("(development build)")
    namespace: dict = {}
    exec(compile(buildinfo.render(version="1.2.3", revision="abc1234", platform="linux-x86_64",
                                  build_date="2026-11-26T07:00:00Z"), "buildinfo", "exec"),
         namespace)
    assert namespace["describe"]() == \
        "Qalam 1.2.3 (build abc1234, 2026-11-26T07:00:00Z, linux-x86_64)"
    assert namespace["is_release_build"]()


def test_icu_package_round_trip_keeps_items_sorted_and_aligned():
    import struct

    import icu_data

    info = struct.pack("<HHBBBB4s4s4s", 20, 0, 0, 0, 2, 0, b"CmnD", b"\1\0\0\0", b"\3\0\0\0")
    header = struct.pack("<H2s", 32, b"\xda\x27") + info
    header += b"\0" * (32 - len(header))
    package = icu_data.write_package(header, "icudt73l", [("zone/ur.res", b"Z" * 5),
                                                          ("coll/ar.res", b"C" * 20)])
    read_header, items = icu_data.read_package(package)
    assert read_header == header
    assert [name for name, _ in items] == ["coll/ar.res", "zone/ur.res"]
    assert items[0][1].startswith(b"C" * 20) and items[1][1] == b"Z" * 5
    assert package.index(b"C" * 20) % 16 == 0 and package.index(b"Z" * 5) % 16 == 0


# --- the self-test itself, unfrozen (so a change to the main window shows up in `make test`) --

@pytest.fixture
def english_afterwards(qapp):
    yield
    from ui import ui_locale

    ui_locale.apply("en")


def test_self_test_and_smoke_pass_in_a_source_checkout(english_afterwards, tmp_path, capsys):
    from ui import self_test

    assert self_test.run_self_test(tmp_path / "shots") == 0, capsys.readouterr().out
    assert (tmp_path / "shots" / "main-window-ur.png").stat().st_size > 20_000
    assert self_test.run_smoke(tmp_path / "smoke") == 0, capsys.readouterr().out
