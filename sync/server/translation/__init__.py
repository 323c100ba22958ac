"""Translations of the interface by its users (issue 16).

* :mod:`.suggestions`  suggestions and votes pushed by devices, their status, a coordinator's
                       decision
* :mod:`.catalogs`     the catalog compiled per language from accepted suggestions, which
                       devices pull; progress per language
* :mod:`.po`           ``ui-translations import`` / ``export``: gettext ``.po`` files
"""
