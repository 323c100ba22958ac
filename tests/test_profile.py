"""The annotator's optional profile: kept in the local store, sent once after each change (and
only marked sent when the server stored it), checked the same way on both ends."""

from typing import get_args

import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QAction
from PySide6.QtWidgets import QApplication, QLabel

from app import paths, profile
from app.profile import InvalidProfile, Profile
from app.store import Store
from sync import protocol
from sync.server.people import profiles as server_profiles
from tests.keys import type_text
from tests.sync.live import Device
from ui.dialogs.profile import ProfileDialog

GIVEN = Profile(age_range="25-34", gender="woman", country="PK",
                languages=("urd_Arab", "pnb_Arab"), dialects=("Lahori",))


def test_age_ranges_are_the_protocols():
    assert get_args(protocol.AgeRange) == profile.AGE_RANGES


def test_nothing_given_is_an_empty_profile_and_nothing_to_send(store):
    assert profile.load(store) == Profile() and profile.load(store).empty
    assert profile.pending(store) is None and not profile.exists(store)


def test_save_round_trips_normalized_and_survives_reopening(tmp_path):
    with Store.open(tmp_path / "qalam.db") as store:
        saved = profile.save(store, Profile(
            age_range="25-34", gender="  woman ", country="pk",
            languages=("urd_Arab", "urd_Arab", "pnb_Arab"), dialects=("Lahori", " ", "Lahori")))
    assert saved == GIVEN
    with Store.open(tmp_path / "qalam.db", readonly=True) as reader:
        assert profile.load(reader) == GIVEN


def test_a_change_is_pending_until_the_server_acknowledged_it(store):
    profile.save(store, GIVEN)
    version, sent = profile.pending(store)
    assert sent == GIVEN
    profile.mark_sent(store, version)
    assert profile.pending(store) is None
    profile.save(store, GIVEN)                       # the same again: nothing to send
    assert profile.pending(store) is None


def test_an_edit_made_while_a_send_was_in_flight_stays_pending(store):
    profile.save(store, GIVEN)
    in_flight, _ = profile.pending(store)
    profile.save(store, Profile(country="IN"))       # typed while the PUT was on the way
    profile.mark_sent(store, in_flight)
    version, waiting = profile.pending(store)
    assert version > in_flight and waiting == Profile(country="IN")


def test_clearing_every_field_is_a_change_to_send(store):
    profile.save(store, GIVEN)
    profile.mark_sent(store, profile.pending(store)[0])
    profile.save(store, Profile())
    assert profile.pending(store)[1] == Profile()


def test_the_server_copy_is_adopted_only_when_there_is_no_local_one(store):
    assert profile.adopt(store, GIVEN.as_payload())
    assert profile.load(store) == GIVEN and profile.pending(store) is None
    profile.save(store, Profile(country="NG"))
    assert not profile.adopt(store, GIVEN.as_payload())
    assert profile.load(store) == Profile(country="NG")


@pytest.mark.parametrize(("changes", "field"), [
    ({"age_range": "30-40"}, "age_range"),
    ({"country": "ZZ"}, "country"),
    ({"country": "Pakistan"}, "country"),
    ({"languages": ("urdu",)}, "languages"),
    ({"languages": ("urd_Arab",) * 21}, "languages"),
    ({"gender": "x" * 51}, "gender"),
    ({"dialects": ("a\x00b",)}, "dialects"),
    ({"dialects": ("x" * 101,)}, "dialects"),
])
def test_bad_values_name_the_field_and_keep_what_was_stored(store, changes, field):
    profile.save(store, GIVEN)
    with pytest.raises(InvalidProfile) as caught:
        profile.save(store, Profile(**{**GIVEN.__dict__, **changes}))
    assert caught.value.field == field and field.rstrip("s") in str(caught.value)
    assert profile.load(store) == GIVEN


def test_country_names_are_localized_and_complete():
    arabic = dict(profile.country_names("ar"))
    assert arabic["PK"] == "باكستان" and set(arabic) == profile.country_codes()
    assert "ZZ" not in arabic and "EU" not in arabic and len(arabic) > 240


# --- over a real server --------------------------------------------------------------------


def _user_id(device: Device) -> str:
    with device.store() as store:
        return store.user_id


def test_sync_sends_the_profile_once_and_keeps_edits_made_offline(tmp_path, live_server):
    amina = Device.enrolled(tmp_path / "amina", live_server)
    with Store.open(amina.db_path) as store:
        profile.save(store, GIVEN)                  # offline, before any sync
    report = amina.sync()
    assert report.complete and not report.warnings
    stored = server_profiles.get_profile(live_server.engine, _user_id(amina))
    assert stored == protocol.Profile.model_validate(GIVEN.as_payload())
    with amina.store() as store:
        assert profile.pending(store) is None
    with Store.open(amina.db_path) as store:
        profile.save(store, Profile(country="IN", languages=("hin_Deva",)))
    amina.sync()
    stored = server_profiles.get_profile(live_server.engine, _user_id(amina))
    assert stored.country == "IN" and stored.age_range is None


def test_a_second_laptop_adopts_the_profile_given_on_the_first(tmp_path, live_server):
    first = Device.enrolled(tmp_path / "first", live_server, name="bola")
    with Store.open(first.db_path) as store:
        profile.save(store, GIVEN)
    first.sync()
    second = Device.enrolled(tmp_path / "second", live_server, name="bola")
    second.sync()
    with second.store() as store:
        assert profile.load(store) == GIVEN and profile.pending(store) is None


def test_a_profile_the_server_refuses_stays_pending_and_the_sync_completes(tmp_path, live_server):
    amina = Device.enrolled(tmp_path / "amina", live_server)
    amina.write(2)
    with Store.open(amina.db_path) as store:
        profile.save(store, GIVEN)
        # As if an older Qalam had accepted a code this server's registry does not know.
        store.db.execute("UPDATE profile SET languages = '[\"xxx_Zzzz\"]'")
    report = amina.sync()
    assert report.complete and report.acknowledged == 2
    assert any("profile was not sent" in warning and "languages" in warning
               for warning in report.warnings)
    with amina.store() as store:
        assert profile.pending(store) is not None
    assert server_profiles.get_profile(live_server.engine, _user_id(amina)) is None


# --- the dialog -----------------------------------------------------------------------------


@pytest.fixture
def open_here(open_app, tmp_path):
    return lambda ui_language=None: open_app(tmp_path, ui_language=ui_language, active=True)


def open_dialog(qtbot, window) -> ProfileDialog:
    """File ▸ My profile…, as chosen from the menu."""
    window.profile_dialog = None
    window.findChild(QAction, "profileAction").trigger()
    qtbot.waitUntil(lambda: window.profile_dialog is not None
                    and window.profile_dialog.isVisible(), timeout=5000)
    dialog = window.profile_dialog
    dialog.activateWindow()
    qtbot.waitUntil(dialog.isActiveWindow)
    return dialog


def press(qtbot, key, modifier=Qt.NoModifier) -> None:
    qtbot.keyClick(QApplication.focusWidget(), key, modifier)


def test_the_dialog_by_keyboard_saves_and_shows_the_values_again(qtbot, open_here, tmp_path):
    window = open_here()
    dialog = open_dialog(qtbot, window)
    assert "optional" in dialog.findChild(QLabel, "profileIntro").text()
    assert "demographics" in dialog.findChild(QLabel, "profileUse").text()
    assert dialog.age.hasFocus()
    press(qtbot, Qt.Key_Down)                       # Not given -> 18–24
    press(qtbot, Qt.Key_Down)                       # -> 25–34
    press(qtbot, Qt.Key_Tab)
    assert dialog.gender.lineEdit().hasFocus()
    type_text(QApplication.focusWidget(), "Woman")
    press(qtbot, Qt.Key_Tab)
    assert dialog.country.lineEdit().hasFocus()
    type_text(QApplication.focusWidget(), "Pakistan")
    press(qtbot, Qt.Key_Tab)
    assert dialog.language_picker.lineEdit().hasFocus()
    type_text(QApplication.focusWidget(), "Urdu")
    qtbot.keyClick(dialog.language_picker.lineEdit(), Qt.Key_Return)  # adds; does not save
    assert dialog.isVisible()
    type_text(dialog.language_picker.lineEdit(), "Hindi")
    qtbot.keyClick(dialog.language_picker.lineEdit(), Qt.Key_Return)
    codes = [dialog.language_list.item(r).data(Qt.UserRole)
             for r in range(dialog.language_list.count())]
    assert codes == ["urd_Arab", "hin_Deva"]
    dialog.dialects.setFocus()
    type_text(dialog.dialects, "Lahori\nDehlavi")
    press(qtbot, Qt.Key_Tab)                        # Tab leaves the dialects box...
    assert dialog.save_button.hasFocus()            # ...for Save
    press(qtbot, Qt.Key_Space)
    qtbot.waitUntil(lambda: not dialog.isVisible(), timeout=5000)
    expected = Profile(age_range="25-34", gender="Woman", country="PK",
                       languages=("urd_Arab", "hin_Deva"), dialects=("Lahori", "Dehlavi"))
    with Store.open(paths.database_path(tmp_path), readonly=True) as store:
        assert profile.load(store) == expected
        assert profile.pending(store)[1] == expected      # sent at the next sync
    assert "next sync" in window.statusBar().currentMessage()

    again = open_dialog(qtbot, window)
    assert again.age.currentData() == "25-34" and again.gender.currentText() == "Woman"
    assert again.country.currentData() == "PK" and again.country.currentText() == "Pakistan"
    assert again.profile() == expected


def test_removing_a_language_and_clearing_fields_is_saved(qtbot, open_here, tmp_path):
    with Store.open(paths.database_path(tmp_path)) as store:
        profile.save(store, GIVEN)
    window = open_here()
    dialog = open_dialog(qtbot, window)
    dialog.language_list.setFocus()
    dialog.language_list.setCurrentRow(0)
    qtbot.keyClick(dialog.language_list, Qt.Key_Delete)
    dialog.country.lineEdit().selectAll()
    qtbot.keyClick(dialog.country.lineEdit(), Qt.Key_Backspace)
    qtbot.mouseClick(dialog.save_button, Qt.LeftButton)
    qtbot.waitUntil(lambda: not dialog.isVisible(), timeout=5000)
    with Store.open(paths.database_path(tmp_path), readonly=True) as store:
        assert profile.load(store) == Profile(age_range="25-34", gender="woman",
                                              languages=("pnb_Arab",), dialects=("Lahori",))


def test_a_country_not_in_the_list_is_explained_and_nothing_saved(qtbot, open_here, tmp_path):
    window = open_here()
    dialog = open_dialog(qtbot, window)
    dialog.country.setFocus()
    type_text(dialog.country.lineEdit(), "Atlantis")
    qtbot.mouseClick(dialog.save_button, Qt.LeftButton)
    assert dialog.isVisible() and dialog.error.isVisible()
    assert "country" in dialog.error.text().lower()
    with Store.open(paths.database_path(tmp_path), readonly=True) as store:
        assert not profile.exists(store)


def test_the_dialog_is_mirrored_in_a_right_to_left_ui(qtbot, open_here, tmp_path):
    window = open_here("ur")
    dialog = open_dialog(qtbot, window)
    assert dialog.layoutDirection() == Qt.RightToLeft
    form = dialog.age.parentWidget().layout().itemAt(2).layout()   # the QFormLayout
    label = form.labelForField(dialog.age)
    # The label stands to the right of its field, as Urdu reads.
    assert label.mapTo(dialog, label.rect().center()).x() > \
        dialog.age.mapTo(dialog, dialog.age.rect().center()).x()
    path = tmp_path / "profile-ur.png"
    assert dialog.grab().save(str(path))
    assert path.stat().st_size > 5000
