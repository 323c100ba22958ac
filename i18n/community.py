"""Interface catalogs made by Qalam's own users: accepted translations a server compiled and a
device pulled (issue 16). They make any CLDR language a UI language, shipped or not.

    catalog = from_payload(pulled_json)        # language, size: checked (it came from outside)
    register(catalog)                          # offered in the pickers, used by install()
    translation.install(catalog.tag)           # this catalog, then the shipped one, then English

Start-up reads every pulled catalog but uses one: a catalog's messages are checked
(:func:`i18n.checks.translation_problems`) when it is first used, and one that fails is not
used at all (the shipped catalog and English stand in). It is built into a gettext object in
memory, without Babel or a ``.mo`` file.

A catalog's UI tag comes from its registry language (:func:`ui_tag`: ``hau_Latn`` -> "ha",
``pnb_Arab`` -> "pa-Arab", ``pbt_Arab`` -> "ps"), its direction from the language's script
(:func:`i18n.languages.script_direction`: Pashto, Sindhi, Uyghur right to left) and its plural
forms from CLDR (:func:`i18n.plurals.header`). Nothing here is persisted: the app keeps
catalogs in its store and registers them at start and after a sync.
"""

from __future__ import annotations

import gettext
import json
import threading
from collections.abc import Mapping
from dataclasses import dataclass

from i18n import checks

#: Bounds on a pulled catalog (everything from outside is checked before use).
MAX_MESSAGES = 20_000
MAX_CHARS = 4_000_000


class InvalidCatalog(ValueError):
    """A catalog payload that cannot be used; the message names the field."""


@dataclass(frozen=True)
class Message:
    context: str | None
    msgid: str
    msgid_plural: str | None
    msgstr: tuple[str, ...]


@dataclass(frozen=True, eq=False)
class CommunityCatalog:
    language: str               # registry code, "hau_Latn"
    tag: str                    # UI locale tag, "ha"
    direction: str              # "ltr" | "rtl", from the script
    plural_forms: str           # gettext header, from CLDR
    raw: tuple                  # the pulled messages, checked when first used (messages)
    completeness: float         # translated share of the template when compiled
    translators: tuple[str, ...] = ()
    revision: int = 0

    @property
    def babel(self) -> str:
        return self.tag.replace("-", "_")

    @property
    def messages(self) -> tuple[Message, ...]:
        """The messages, each checked (:class:`InvalidCatalog` for the first bad one);
        checked once, and only for the catalog in use (start-up reads every pulled one)."""
        found = _checked.get(id(self))
        if found is None or found[0] is not self:
            from i18n import plurals

            counts = plurals.example_counts(self.tag)
            found = (self, tuple(_message(item, index, len(counts), counts)
                                 for index, item in enumerate(self.raw)))
            _checked[id(self)] = found
        return found[1]

    def same(self, other: CommunityCatalog | None) -> bool:
        return other is not None and (other.language, other.revision, other.raw) == (
            self.language, self.revision, self.raw)


_checked: dict[int, tuple] = {}


def ui_tag(code: str) -> str:
    """The UI locale tag of a registry language ("hau_Latn" -> "ha"); ValueError when CLDR has
    no locale for it (its plural rule and names are needed)."""
    from i18n import languages

    lang = languages.get(code)
    if not lang.cldr_locale:
        raise ValueError(f"{code}: CLDR has no locale for {lang.english_name}, so Qalam's "
                         "interface cannot be translated into it yet")
    return lang.cldr_locale.replace("_", "-")


def language_of(tag: str) -> str:
    """The registry code of a UI locale tag ("ha" -> "hau_Latn"); ValueError when none."""
    from i18n import languages

    try:
        return languages.resolve(tag).code
    except languages.UnknownLanguage as error:
        raise ValueError(str(error)) from None


def direction(code: str) -> str:
    from i18n import languages

    return languages.script_direction(languages.get(code).script)


def from_payload(payload: Mapping) -> CommunityCatalog:
    """A pulled catalog, checked: the language is the registry's, the tag and direction are
    recomputed here (never taken from the payload), every translation passes
    :func:`i18n.checks.translation_problems`, and the sizes are bounded."""
    from i18n import plurals

    if not isinstance(payload, Mapping):
        raise InvalidCatalog("catalog: not an object")
    language = payload.get("language")
    try:
        tag = ui_tag(language)
    except (ValueError, TypeError) as error:
        raise InvalidCatalog(f"language: {error}") from None
    forms = plurals.header(tag)
    raw = payload.get("messages")
    if not isinstance(raw, list) or len(raw) > MAX_MESSAGES:
        raise InvalidCatalog(f"messages: a list of at most {MAX_MESSAGES} entries")
    size = len(json.dumps(raw, ensure_ascii=False))
    if size > MAX_CHARS:
        raise InvalidCatalog(f"messages: more than {MAX_CHARS:,} characters in all")
    completeness = payload.get("completeness", 0.0)
    if not isinstance(completeness, int | float) or not 0 <= completeness <= 1:
        completeness = 0.0
    translators = payload.get("translators") or []
    if not isinstance(translators, list):
        translators = []
    revision = payload.get("revision", 0)
    return CommunityCatalog(language, tag, direction(language), forms, tuple(raw),
                            float(completeness),
                            tuple(str(t)[:200] for t in translators[:1000]),
                            revision if isinstance(revision, int) else 0)


def _message(item, index: int, nplurals: int, counts) -> Message:
    where = f"messages[{index}]"
    if not isinstance(item, Mapping):
        raise InvalidCatalog(f"{where}: not an object")
    context, msgid, plural = item.get("context"), item.get("msgid"), item.get("msgid_plural")
    strings = item.get("msgstr")
    if not isinstance(msgid, str) or not msgid or not (context is None
                                                       or isinstance(context, str)):
        raise InvalidCatalog(f"{where}: msgid and context must be text")
    if plural is not None and not isinstance(plural, str):
        raise InvalidCatalog(f"{where}: msgid_plural must be text")
    if not isinstance(strings, list) or not all(isinstance(s, str) for s in strings):
        raise InvalidCatalog(f"{where}: msgstr must be a list of text")
    found = checks.translation_problems(msgid, plural, strings, nplurals=nplurals,
                                        counts=counts, limit_length=False)
    if found:
        raise InvalidCatalog(f"{where} ({msgid[:60]!r}): {found[0]}")
    return Message(context, msgid, plural, tuple(strings))


def translations(catalog: CommunityCatalog) -> gettext.GNUTranslations:
    """The catalog as a gettext translations object (built in memory, as ``GNUTranslations``
    reads a ``.mo``: the same keys, the same plural function). Raises
    :class:`InvalidCatalog` when a message fails its checks."""
    from i18n import plurals

    table: dict = {}
    for message in catalog.messages:
        key = message.msgid if not message.context else f"{message.context}\x04{message.msgid}"
        if message.msgid_plural:
            for index, text in enumerate(message.msgstr):
                table[(key, index)] = text
        else:
            table[key] = message.msgstr[0]
    made = _Built.__new__(_Built)
    gettext.NullTranslations.__init__(made)
    made._catalog = table
    made.plural = plurals.expression(catalog.plural_forms)
    made._charset = "utf-8"
    return made


class _Built(gettext.GNUTranslations):
    """A GNUTranslations filled from a pulled catalog instead of a ``.mo`` file."""


# --------------------------------------------------------------------------- registry

_lock = threading.Lock()
_registered: dict[str, CommunityCatalog] = {}


def register(catalog: CommunityCatalog) -> bool:
    """Offer ``catalog`` as a UI language (replacing an older one of the same tag); returns
    whether anything changed."""
    with _lock:
        old = _registered.get(catalog.tag.lower())
        if catalog.same(old):
            return False
        _registered[catalog.tag.lower()] = catalog
    return True


def forget_all() -> None:
    with _lock:
        _registered.clear()


def get(tag: str) -> CommunityCatalog | None:
    with _lock:
        return _registered.get(tag.replace("_", "-").lower())


def registered() -> list[CommunityCatalog]:
    with _lock:
        return sorted(_registered.values(), key=lambda c: c.tag)
