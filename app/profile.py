"""The annotator's optional profile: what they chose to tell, kept on the device until sent.

    profile = load(store)                                  # Profile() when nothing was given
    save(store, Profile(age_range="25-34", country="PK", languages=("urd_Arab",)))
    pending(store)           # (version, Profile) until the server has it, then None
    mark_sent(store, version)                              # after the server said yes

Every field is optional; an empty field is simply not given. The profile feeds only the
exported dataset's demographics table, keyed by the same salted hash of the user id as the
data (never the raw id or the name).

:func:`check` is the one validation both ends use (the server imports it): languages must be
registry codes (:mod:`i18n.languages`), the country an ISO 3166-1 alpha-2 code that CLDR
(Babel) names, and free text goes through :mod:`app.text` (NFC, no NULs). Errors are
:class:`InvalidProfile`, naming the field.

A save bumps ``version``; :func:`mark_sent` records the version the server acknowledged, so an
edit made while a send was in flight is still pending afterwards (nothing is lost offline).
"""

from __future__ import annotations

import functools
import json
from dataclasses import dataclass, field

from app import clock
from app.errors import QalamError, TextRejected
from app.text import clean_field

# The same ranges as sync.protocol.AgeRange (tests/test_profile.py keeps them equal).
AGE_RANGES = ("18-24", "25-34", "35-44", "45-54", "55-64", "65+")
MAX_GENDER_CHARS = 50
MAX_DIALECT_CHARS = 100
MAX_ITEMS = 20
# CLDR names these two-letter regions but they are not countries: macro-regions, pseudo-locale
# regions and "Unknown Region".
NOT_COUNTRIES = frozenset({"EU", "EZ", "UN", "QO", "XA", "XB", "ZZ"})
FIELDS = ("age_range", "gender", "country", "languages", "dialects")


class InvalidProfile(QalamError):
    """A profile field that cannot be stored; ``field`` names it."""

    def __init__(self, field: str, message: str):
        self.field = field
        super().__init__(message)


@dataclass(frozen=True)
class Profile:
    """Every field optional: None or empty means "not given"."""

    age_range: str | None = None
    gender: str | None = None
    country: str | None = None
    languages: tuple[str, ...] = field(default_factory=tuple)
    dialects: tuple[str, ...] = field(default_factory=tuple)

    @property
    def empty(self) -> bool:
        return not (self.age_range or self.gender or self.country or self.languages
                    or self.dialects)

    def as_payload(self) -> dict:
        """The wire shape (``sync.protocol.Profile``): lists, nulls for what is not given."""
        return {"age_range": self.age_range, "gender": self.gender, "country": self.country,
                "languages": list(self.languages), "dialects": list(self.dialects)}

    @classmethod
    def from_payload(cls, payload: dict) -> Profile:
        unknown = sorted(set(payload) - set(FIELDS))
        if unknown:
            raise InvalidProfile(unknown[0], f"A profile has no field {unknown[0]!r}.")
        return cls(age_range=payload.get("age_range"), gender=payload.get("gender"),
                   country=payload.get("country"),
                   languages=tuple(payload.get("languages") or ()),
                   dialects=tuple(payload.get("dialects") or ()))


# --- validation --------------------------------------------------------------------------


@functools.cache
def country_codes() -> frozenset[str]:
    """ISO 3166-1 alpha-2 codes of every country or territory CLDR names."""
    from babel import Locale

    return frozenset(code for code in Locale("en").territories
                     if len(code) == 2 and code.isalpha() and code not in NOT_COUNTRIES)


def country_names(locale: str) -> list[tuple[str, str]]:
    """``(code, name in locale)`` for every country, sorted by name (for pickers)."""
    from babel import Locale, UnknownLocaleError

    try:
        names = Locale.parse(locale.replace("-", "_")).territories
    except (UnknownLocaleError, ValueError):
        names = Locale("en").territories
    english = Locale("en").territories
    pairs = [(code, names.get(code) or english[code]) for code in country_codes()]
    return sorted(pairs, key=lambda pair: (pair[1].casefold(), pair[0]))


def _text(field_name: str, value, limit: int, label: str) -> str | None:
    if value is None:
        return None
    if not isinstance(value, str):
        raise InvalidProfile(field_name, f"The {label} must be text.")
    try:
        text = clean_field(field_name, value).text.strip()
    except TextRejected as exc:
        raise InvalidProfile(field_name, str(exc)) from exc
    if len(text) > limit:
        raise InvalidProfile(field_name, f"The {label} is too long: {len(text)} characters; "
                                         f"the limit is {limit}.")
    return text or None


def _list(field_name: str, values, label: str) -> list:
    if isinstance(values, str) or not isinstance(values, list | tuple):
        raise InvalidProfile(field_name, f"The {label} must be a list.")
    if len(values) > MAX_ITEMS:
        raise InvalidProfile(field_name, f"Give at most {MAX_ITEMS} {label}; "
                                         f"there are {len(values)}.")
    return list(values)


def check(profile: Profile) -> Profile:
    """The profile normalized (NFC, trimmed, duplicates and empty entries dropped), or
    :class:`InvalidProfile` naming the first field that is wrong."""
    from i18n.languages import UnknownLanguage, get

    age = profile.age_range or None
    if age is not None and age not in AGE_RANGES:
        raise InvalidProfile("age_range", f"age_range {age!r} is not one of "
                                          f"{', '.join(AGE_RANGES)}.")
    gender = _text("gender", profile.gender, MAX_GENDER_CHARS, "gender")
    country = profile.country or None
    if country is not None:
        if not isinstance(country, str) or country.upper() not in country_codes():
            raise InvalidProfile("country", f"country {country!r} is not an ISO 3166-1 "
                                            "two-letter country code (such as PK, NG or IN).")
        country = country.upper()
    languages = []
    for code in _list("languages", profile.languages, "languages"):
        if not isinstance(code, str) or not code.strip():
            continue
        try:
            languages.append(get(code.strip()).code)
        except UnknownLanguage:
            raise InvalidProfile(
                "languages", f"languages: {code!r} is not a language code Qalam knows; use "
                "registry codes such as urd_Arab or hin_Deva.") from None
    dialects = []
    for value in _list("dialects", profile.dialects, "dialects"):
        text = _text("dialects", value, MAX_DIALECT_CHARS, "dialect")
        if text:
            dialects.append(text)
    return Profile(age_range=age, gender=gender, country=country,
                   languages=tuple(dict.fromkeys(languages)),
                   dialects=tuple(dict.fromkeys(dialects)))


# --- the local copy ------------------------------------------------------------------------


def _row(store):
    return store.db.execute("SELECT * FROM profile WHERE id = 1").fetchone()


def _from_row(row) -> Profile:
    return Profile(age_range=row["age_range"], gender=row["gender"], country=row["country"],
                   languages=tuple(json.loads(row["languages"])),
                   dialects=tuple(json.loads(row["dialects"])))


def load(store) -> Profile:
    """The profile kept on this device (an empty one when nothing was ever given)."""
    row = _row(store)
    return _from_row(row) if row is not None else Profile()


def exists(store) -> bool:
    """True once a profile was saved here or adopted from the server."""
    return _row(store) is not None


def save(store, profile: Profile) -> Profile:
    """Check and keep ``profile``; it stays pending until :func:`mark_sent`. Durable when
    this returns. Saving what is already stored changes nothing (and sends nothing)."""
    profile = check(profile)
    with store.db.atomic():
        row = _row(store)
        if row is not None and _from_row(row) == profile:
            return profile
        values = [profile.age_range, profile.gender, profile.country,
                  json.dumps(list(profile.languages), ensure_ascii=False),
                  json.dumps(list(profile.dialects), ensure_ascii=False), clock.utc_now()]
        store.db.execute(
            "INSERT INTO profile (id, age_range, gender, country, languages, dialects, "
            "updated_at, version) VALUES (1, ?, ?, ?, ?, ?, ?, 1) "
            "ON CONFLICT (id) DO UPDATE SET age_range = excluded.age_range, "
            "gender = excluded.gender, country = excluded.country, "
            "languages = excluded.languages, dialects = excluded.dialects, "
            "updated_at = excluded.updated_at, version = profile.version + 1",
            values,
        )
    return profile


def pending(store) -> tuple[int, Profile] | None:
    """``(version, profile)`` when a change has not reached the server yet, else None."""
    row = _row(store)
    if row is None or row["version"] <= row["sent_version"]:
        return None
    return row["version"], _from_row(row)


def mark_sent(store, version: int) -> None:
    """The server acknowledged ``version``; a later edit stays pending."""
    with store.db.atomic():
        store.db.execute(
            "UPDATE profile SET sent_version = MAX(sent_version, ?) WHERE id = 1", [version])


def adopt(store, payload: dict) -> bool:
    """Keep the server's copy (given on another laptop) when this device has none of its own.
    Returns True if it was stored; a local profile, sent or not, always wins."""
    profile = check(Profile.from_payload(payload))
    with store.db.atomic():
        if _row(store) is not None:
            return False
        save(store, profile)
        store.db.execute("UPDATE profile SET sent_version = version WHERE id = 1")
    return True
