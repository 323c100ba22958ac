"""The dialogs the main window opens (each module loads when its dialog is first needed).

    first_run.py   the interface language, on first start
    settings.py    interface language and digits
    profile.py     the annotator's optional profile
    sync_panel.py  enroll, sync, conflicts, refused items, bundles (and the status button)
    shortcuts.py   the keyboard shortcuts sheet
    about.py       version, data folder, licences
"""
