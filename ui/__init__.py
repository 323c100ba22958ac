"""PySide6: windows, widgets, Qt models over app/."""

from ui.refcounts import pin_singletons

pin_singletons()  # before any Qt call: see ui/refcounts.py
