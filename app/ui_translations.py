"""Translating Qalam's interface on the device: suggestions, verdicts on peers' suggestions,
and the catalogs the server compiled (issue 16). Each function is one store transaction.

    saved = suggest(store, language="hau_Latn", context=None, msgid="&File",
                    strings=["&Fayil"])                  # TranslationRefused before any write
    vote(store, peer_suggestion.id, "reject", reason="Wrong word for 'file'")
    suggestions(store, "hau_Latn")                       # mine and my peers', newest first
    catalog_payloads(store)                              # for i18n.community.register

A suggestion is a record like a submission: saved durably when the call returns, put in the
outbox in the same transaction, with its revisions kept (a revision per change of its text).
The author may change a suggestion nobody has decided yet; once the server accepted or
rejected it, a new text is a new suggestion. Nobody votes on their own suggestion; a
rejection needs a reason. The server keeps every suggestion and vote and says what became
of each (``status``, ``votes``: pulled, see :mod:`app.syncstate`).
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass

from app import clock
from app.errors import InvalidState, NotFound, QalamError
from app.ids import new_id
from app.store import Store
from app.text import clean_field
from i18n import checks, community, messages, plurals
from i18n.translation import N_, _

STATUSES = ("pending", "accepted", "rejected", "disputed", "superseded")
OPEN = ("pending", "disputed")  # the author may still change these


class TranslationRefused(QalamError):
    """A translation that fails the checks: nothing was saved. ``problems`` are
    :class:`i18n.checks.Found` (``.localized()`` for the person typing)."""

    def __init__(self, problems: Sequence[checks.Found]):
        self.problems = list(problems)
        super().__init__("; ".join(p.localized() for p in self.problems))


@dataclass(frozen=True)
class Suggestion:
    id: str
    language: str
    context: str | None
    msgid: str
    msgid_plural: str | None
    strings: tuple[str, ...]
    comment: str
    author: str
    author_name: str
    mine: bool
    status: str
    votes: tuple[dict, ...]
    revision: int
    base_revision: int | None
    text_revision: int | None
    created_at: str
    updated_at: str

    @property
    def key(self) -> tuple[str | None, str]:
        return self.context, self.msgid

    @property
    def rejections(self) -> list[dict]:
        return [v for v in self.votes if v.get("verdict") == "reject"]

    @property
    def disputed(self) -> bool:
        return self.status == "disputed" or (self.status in OPEN and bool(self.rejections))

    def payload(self) -> dict:
        """The record as sync sends it."""
        return {"id": self.id, "language": self.language, "context": self.context,
                "msgid": self.msgid, "msgid_plural": self.msgid_plural,
                "msgstr": list(self.strings), "comment": self.comment or None,
                "base_revision": self.base_revision, "created_at": self.created_at,
                "updated_at": self.updated_at}


@dataclass(frozen=True)
class Forms:
    """A language's plural forms: CLDR's categories, a count for each, gettext's header."""

    tag: str
    categories: tuple[str, ...]
    counts: tuple[int, ...]
    header: str

    @property
    def n(self) -> int:
        return len(self.categories)


def forms(language: str) -> Forms:
    """Plural forms of a registry language ("hau_Latn"); ValueError when CLDR lacks it."""
    tag = community.ui_tag(language)
    return Forms(tag, tuple(plurals.categories(tag)), tuple(plurals.example_counts(tag)),
                 plurals.header(tag))


def problems(language: str, context: str | None, msgid: str, msgid_plural: str | None,
             strings: Sequence[str], *, neighbours: Sequence[tuple[str, str]] = ()
             ) -> list[checks.Found]:
    """Everything that refuses ``strings``: :func:`i18n.checks.translation_problems`, and an
    accelerator already taken on the same screen (``neighbours``: source, translation)."""
    shape = forms(language)
    guideline = messages.parse_guideline_context(context) is not None
    found = checks.translation_problems(msgid, msgid_plural, list(strings), nplurals=shape.n,
                                        counts=shape.counts, limit_length=not guideline)
    if not found and strings:
        clash = checks.accelerator_clash(msgid, strings[0], neighbours)
        if clash is not None:
            found.append(checks.Found(
                N_("&{letter} is used on the same screen by {other}"),
                letter=checks.accelerator(strings[0]), other=clash))
    return found


def neighbour_pairs(store: Store, language: str, context: str | None,
                    msgid: str) -> list[tuple[str, str]]:
    """(source, translation) of the messages on the same screen as this one, as this device
    knows them translated: my open suggestion, else the accepted one."""
    entry = messages.template_index().get((context, msgid))
    if entry is None:
        return []
    near = {other.key: other.msgid for other in messages.neighbours(entry)}
    if not near:
        return []
    chosen: dict[tuple, str] = {}
    for suggestion in suggestions(store, language):
        if suggestion.key not in near or not suggestion.strings:
            continue
        if suggestion.mine and suggestion.status in OPEN:
            chosen[suggestion.key] = suggestion.strings[0]
        elif suggestion.status == "accepted":
            chosen.setdefault(suggestion.key, suggestion.strings[0])
    return [(near[key], text) for key, text in chosen.items()]


def suggest(store: Store, *, language: str, context: str | None, msgid: str,
            strings: Sequence[str], msgid_plural: str | None = None, comment: str = "",
            ) -> Suggestion:
    """Save my translation of one message (durable when it returns, and queued for sync).

    Changes my open suggestion for that message when there is one, else starts a new one.
    Raises :class:`TranslationRefused` (nothing written) when the checks refuse it.
    """
    strings = [clean_field("msgstr", text).text for text in strings]
    found = problems(language, context, msgid, msgid_plural, strings,
                     neighbours=neighbour_pairs(store, language, context, msgid))
    if found:
        raise TranslationRefused(found)
    now = clock.utc_now()
    text = json.dumps(strings, ensure_ascii=False)
    with store.db.atomic():
        current = _open_of_mine(store, language, context, msgid)
        if current is not None:
            if list(current.strings) == strings and current.comment == comment:
                return current
            store.db.execute(
                "UPDATE ui_translations SET msgstr = ?, comment = ?, revision = revision + 1, "
                "updated_at = ? WHERE id = ?", [text, comment, now, current.id])
            record_id = current.id
        else:
            record_id = new_id()
            store.db.execute(
                """INSERT INTO ui_translations (id, language, context, msgid, msgid_plural,
                       msgstr, comment, author, mine, created_at, updated_at)
                   VALUES (?, ?, ?, ?, ?, ?, ?, ?, 1, ?, ?)""",
                [record_id, language, context, msgid, msgid_plural, text, comment,
                 store.user_id, now, now])
        store.db.execute(
            """INSERT INTO ui_translation_revisions (id, translation_id, number, msgstr,
                   created_at)
               VALUES (?, ?, (SELECT coalesce(max(number), 0) + 1 FROM ui_translation_revisions
                              WHERE translation_id = ?), ?, ?)""",
            [new_id(), record_id, record_id, text, now])
        saved = suggestion(store, record_id)
        store._enqueue("ui_translation", record_id, saved.payload())
    return saved


def _open_of_mine(store: Store, language: str, context: str | None,
                  msgid: str) -> Suggestion | None:
    row = store.db.execute(
        "SELECT * FROM ui_translations WHERE language = ? AND msgid = ? AND context IS ? "
        "AND mine = 1 AND status IN ('pending', 'disputed') ORDER BY created_at DESC LIMIT 1",
        [language, msgid, context]).fetchone()
    return _suggestion(row) if row else None


def vote(store: Store, translation_id: str, verdict: str, *, reason: str = "") -> str:
    """Accept or reject (with a reason) a peer's suggestion; returns the vote's id. Voting
    again on the same suggestion replaces my earlier verdict."""
    if verdict not in ("accept", "reject"):
        raise ValueError(f"verdict must be 'accept' or 'reject', not {verdict!r}")
    reason = clean_field("reason", reason).text.strip()
    if verdict == "reject" and not reason:
        raise InvalidState(_("Say why you reject this translation."))
    now = clock.utc_now()
    with store.db.atomic():
        target = suggestion(store, translation_id)
        if target.mine or (store.user_id and target.author == store.user_id):
            raise InvalidState(_("Nobody reviews their own translation."))
        if target.status not in OPEN:
            raise InvalidState(_("This translation was decided already."))
        row = store.db.execute("SELECT id FROM ui_votes WHERE translation_id = ?",
                               [translation_id]).fetchone()
        vote_id = row[0] if row else new_id()
        store.db.execute(
            """INSERT INTO ui_votes (id, translation_id, revision, verdict, reason, created_at,
                   updated_at) VALUES (?, ?, ?, ?, ?, ?, ?)
               ON CONFLICT (id) DO UPDATE SET revision = excluded.revision,
                   verdict = excluded.verdict, reason = excluded.reason,
                   updated_at = excluded.updated_at""",
            [vote_id, translation_id, target.text_revision, verdict, reason, now, now])
        store._enqueue("ui_vote", vote_id, {
            "id": vote_id, "translation_id": translation_id, "revision": target.text_revision,
            "verdict": verdict, "reason": reason or None, "updated_at": now})
    return vote_id


def my_votes(store: Store) -> dict[str, str]:
    """translation id -> my verdict."""
    return {row[0]: row[1] for row in store.db.execute(
        "SELECT translation_id, verdict FROM ui_votes")}


def my_translation_work(store: Store) -> tuple[int, int]:
    """(my suggestions the server accepted, verdicts I gave): what
    :func:`app.rules.translation_points` scores, as the server's leaderboards do (a
    suggestion later superseded by a better one was accepted all the same)."""
    accepted = store.db.execute(
        "SELECT count(*) FROM ui_translations WHERE mine = 1 "
        "AND status IN ('accepted', 'superseded')").fetchone()[0]
    verdicts = store.db.execute("SELECT count(*) FROM ui_votes").fetchone()[0]
    return accepted, verdicts


def suggestion(store: Store, translation_id: str) -> Suggestion:
    row = store.db.execute("SELECT * FROM ui_translations WHERE id = ?",
                           [translation_id]).fetchone()
    if row is None:
        raise NotFound(f"No translation with id {translation_id!r}.")
    return _suggestion(row)


def suggestions(store: Store, language: str) -> list[Suggestion]:
    """Every suggestion this device holds for ``language``, newest first."""
    return [_suggestion(row) for row in store.db.execute(
        "SELECT * FROM ui_translations WHERE language = ? ORDER BY created_at DESC, id DESC",
        [language])]


def revisions(store: Store, translation_id: str) -> list[tuple[int, list[str], str]]:
    """(number, strings, when) of each revision of a suggestion, oldest first."""
    return [(row[0], json.loads(row[1]), row[2]) for row in store.db.execute(
        "SELECT number, msgstr, created_at FROM ui_translation_revisions "
        "WHERE translation_id = ? ORDER BY number", [translation_id])]


def translation_languages(store: Store) -> list[str]:
    """Languages this device has suggestions or a catalog for."""
    return [row[0] for row in store.db.execute(
        "SELECT language FROM ui_translations UNION SELECT language FROM ui_catalogs "
        "ORDER BY 1")]


def catalog_payloads(store: Store) -> list[dict]:
    """The catalogs pulled from the server, as their payloads (with their revision)."""
    found = []
    for payload, revision in store.db.execute("SELECT payload, revision FROM ui_catalogs"):
        try:
            found.append({**json.loads(payload), "revision": revision})
        except ValueError:
            continue
    return found


def register_catalogs(store: Store) -> list[str]:
    """Offer every pulled catalog as a UI language (:mod:`i18n.community`); returns the UI
    tags whose catalog is new or changed. A catalog that fails its checks is left out (and
    logged): it came from outside."""
    import logging

    changed = []
    for payload in catalog_payloads(store):
        try:
            catalog = community.from_payload(payload)
        except community.InvalidCatalog as error:
            logging.getLogger(__name__).warning("interface catalog not used: %s", error)
            continue
        if community.register(catalog):
            changed.append(catalog.tag)
    return changed


def _suggestion(row) -> Suggestion:
    strings = json.loads(row["msgstr"])
    votes = json.loads(row["votes"] or "[]")
    return Suggestion(row["id"], row["language"], row["context"], row["msgid"],
                      row["msgid_plural"], tuple(strings), row["comment"] or "", row["author"],
                      row["author_name"], bool(row["mine"]), row["status"],
                      tuple(v for v in votes if isinstance(v, dict)), row["revision"],
                      row["base_revision"], row["text_revision"], row["created_at"],
                      row["updated_at"])
