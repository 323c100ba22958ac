"""Suggested translations and the verdicts on them, as devices push them; what each became.

    writes = Writes(conn, device, seqs)        # inside a push's transaction
    result = writes.apply(item, record, now)   # an ItemResult for each ui_* item
    writes.finish(now)                         # catalogs of the languages that moved
    decide(engine, translation_id, "accepted", by="Noor")   # a coordinator, outright

Who may do what (DESIGN.md invariant 6): anyone enrolled for a language (a coordinator: any)
suggests translations into it; the author alone changes a suggestion's text, and only while
it is undecided (each change is a new revision; the votes given on earlier revisions stay
kept but no longer count). Other speakers of the language vote (a rejection needs a reason);
nobody votes on their own suggestion; a blocked user's votes are refused and their
suggestions held (kept, never shown to others nor compiled).

Status, from the votes on the current revision: a coordinator's verdict decides outright;
otherwise ``accepted`` when accepts outnumber rejects by :data:`ACCEPTS_NEEDED`,
``rejected`` when it has rejects and no accepts, ``disputed`` when the speakers disagree, else
``pending``. An accepted suggestion supersedes the one accepted before it for that message.
Every status change is a change of the suggestion's record (:func:`..exchange.changes.
change_record`), so the author's devices pull it, and the language's catalog is compiled
again (:mod:`.catalogs`).
"""

from __future__ import annotations

import json
from dataclasses import dataclass

import sqlalchemy as sa
from sqlalchemy.engine import Connection, Engine

from app import clock
from i18n import messages
from sync.protocol import ErrorCode, ItemResult, ItemStatus, PushItem, freeze
from sync.server import tables
from sync.server.db import Sequence, run_write
from sync.server.errors import ServerError
from sync.server.exchange.changes import change_record
from sync.server.exchange.payloads import content
from sync.server.people.users import Device

SUGGESTIONS = tables.ui_translations
VOTES = tables.ui_votes
USERS = tables.users
ACCEPTS_NEEDED = 1
DECIDED = ("accepted", "rejected", "superseded")
#: Fields the server adds to a pushed suggestion; never compared as the author's content.
SERVER_FIELDS = ("user_id", "author_name", "status", "votes", "text_revision")


def status_of(votes: list[dict], coordinators: set[str]) -> tuple[str, str | None]:
    """(status, deciding coordinator) from the votes on the current revision."""
    for vote in votes:
        if vote["author_id"] in coordinators:
            return ("accepted" if vote["verdict"] == "accept" else "rejected"), vote["author_id"]
    accepts = sum(1 for v in votes if v["verdict"] == "accept")
    rejects = sum(1 for v in votes if v["verdict"] == "reject")
    if accepts - rejects >= ACCEPTS_NEEDED:
        return "accepted", None
    if rejects and not accepts:
        return "rejected", None
    if accepts or rejects:
        return "disputed", None
    return "pending", None


class Writes:
    """The ui_translation and ui_vote items of one push, applied in its transaction."""

    def __init__(self, conn: Connection, device: Device, seqs: Sequence):
        self.conn, self.device, self.seqs = conn, device, seqs
        self.languages: set[str] = set()  # whose catalog must be compiled again

    def apply(self, item: PushItem, record: dict, now: str) -> ItemResult:
        if item.op == "delete":
            return _rejected(item, "op: a translation or a vote is never deleted; suggest "
                                   "another one instead.")
        if item.entity == "ui_translation":
            return self._suggestion(item, record, now)
        return self._vote(item, record, now)

    # --- suggestions -----------------------------------------------------------------------

    def _suggestion(self, item: PushItem, record: dict, now: str) -> ItemResult:
        problem = _unknown_message(self.conn, record)
        if problem:
            return _rejected(item, problem)
        row = self.conn.execute(sa.select(SUGGESTIONS).where(SUGGESTIONS.c.id == item.id)).first()
        if row is None:
            stored = self._compose(record, self.device.user_id, "pending", [], 1)
            self.conn.execute(SUGGESTIONS.insert().values(
                id=item.id, author_id=self.device.user_id, device_id=self.device.id,
                language=record["language"], context=record.get("context"),
                msgid=record["msgid"], status="pending", changed_by=self.device.id,
                payload=stored, revision=1, server_seq=self.seqs.next(), deleted=False,
                created_at=now, updated_at=now))
            return _created(item, 1)
        if row.author_id != self.device.user_id:
            return _rejected(item, "id: this translation belongs to another user.")
        if (record["language"], record.get("context"), record["msgid"]) != (
                row.language, row.context, row.msgid):
            return _rejected(item, "msgid: a suggestion keeps its language and message; "
                                   "suggest a new one for another.")
        if _content(json.loads(row.payload)) == _content(record):
            return _created(item, row.revision)
        if row.status in DECIDED:
            return _rejected(item, f"msgstr: this translation was {row.status} already; "
                                   "suggest a new one.")
        revision = row.revision + 1
        text_revision = row.text_revision + 1
        self.conn.execute(SUGGESTIONS.update().where(SUGGESTIONS.c.id == item.id).values(
            payload=self._compose(record, row.author_id, "pending", [], text_revision),
            status="pending", revision=revision, text_revision=text_revision,
            server_seq=self.seqs.next(), changed_by=self.device.id, updated_at=now,
            decided_by=None, decided_at=None))
        if row.status == "accepted":
            self.languages.add(row.language)
        return _created(item, revision)

    def _compose(self, record: dict, author_id: str, status: str, votes: list[dict],
                 text_revision: int) -> str:
        return compose(self.conn, record, author_id, status, votes, text_revision)

    # --- votes -----------------------------------------------------------------------------

    def _vote(self, item: PushItem, record: dict, now: str) -> ItemResult:
        device = self.device
        if device.blocked:
            return _rejected(item, "verdict: your account is blocked, so the server takes no "
                                   "verdicts from you until a coordinator lifts the block.")
        target = self.conn.execute(sa.select(SUGGESTIONS).where(
            SUGGESTIONS.c.id == record["translation_id"])).first()
        if target is None or target.deleted:
            return _rejected(item, f"translation_id: the server has no suggested translation "
                                   f"{record['translation_id']!r}.")
        if target.author_id == device.user_id:
            return _rejected(item, "translation_id: nobody reviews their own translation.")
        if device.role != "coordinator" and target.language not in device.languages:
            return _rejected(item, f"translation_id: {target.language} is not one of your "
                                   "languages; only its speakers review its translations.")
        earlier = self.conn.execute(sa.select(VOTES).where(
            VOTES.c.translation_id == target.id, VOTES.c.author_id == device.user_id)).first()
        if earlier is not None and earlier.id != item.id:
            self.conn.execute(VOTES.delete().where(VOTES.c.id == earlier.id))
        elif earlier is None and self.conn.execute(
                sa.select(VOTES.c.id).where(VOTES.c.id == item.id)).first() is not None:
            return _rejected(item, "id: this vote belongs to another user.")
        values = {"translation_id": target.id, "author_id": device.user_id,
                  "device_id": device.id,
                  "revision": min(int(record.get("revision") or target.text_revision),
                                  target.text_revision),
                  "verdict": record["verdict"], "reason": (record.get("reason") or "").strip(),
                  "payload": freeze({**record, "user_id": device.user_id}), "updated_at": now}
        if earlier is not None and earlier.id == item.id:
            self.conn.execute(VOTES.update().where(VOTES.c.id == item.id).values(**values))
        else:
            self.conn.execute(VOTES.insert().values(id=item.id, created_at=now, **values))
        if target.status in DECIDED and device.role != "coordinator":
            return _created(item, 1)  # kept; a late verdict no longer moves a decision
        self.languages |= settle(self.conn, self.seqs, target.id, now)
        return _created(item, 1)

    def finish(self, now: str) -> None:
        """Compile again the catalogs of the languages whose accepted set moved."""
        from sync.server.translation import catalogs

        for language in sorted(self.languages):
            catalogs.compile_language(self.conn, self.seqs, language, now)
        self.languages.clear()


def settle(conn: Connection, seqs: Sequence, translation_id: str, now: str) -> set[str]:
    """Work out a suggestion's status from its votes and write it (a change of the record,
    pulled by its author and the speakers) when it or the tally moved. Returns the languages
    whose catalog must be compiled again."""
    row = conn.execute(sa.select(SUGGESTIONS).where(SUGGESTIONS.c.id == translation_id)).first()
    votes = current_votes(conn, row)
    coordinators = {v["author_id"] for v in votes if v["role"] == "coordinator"}
    status, decider = status_of(votes, coordinators)
    if row.status == "superseded" and status == "accepted":
        status = "superseded"
    payload = json.loads(row.payload)
    record = {k: v for k, v in payload.items() if k not in SERVER_FIELDS}
    composed = compose(conn, record, row.author_id, status, votes, row.text_revision)
    if composed == row.payload and status == row.status:
        return set()
    decided_at = row.decided_at if status == row.status else (
        now if status in ("accepted", "rejected") else None)
    change_record(conn, seqs, SUGGESTIONS, translation_id, now=now, payload=composed,
                  status=status, decided_by=decider, decided_at=decided_at)
    moved = set()
    if status == "accepted" or row.status == "accepted":
        moved.add(row.language)
    if status == "accepted" and row.status != "accepted":
        _supersede(conn, seqs, row, now)
    return moved


def _supersede(conn: Connection, seqs: Sequence, accepted, now: str) -> None:
    """The suggestion accepted before this one for the same message is superseded."""
    older = conn.execute(sa.select(SUGGESTIONS).where(
        SUGGESTIONS.c.language == accepted.language, SUGGESTIONS.c.msgid == accepted.msgid,
        _same_context(accepted.context), SUGGESTIONS.c.status == "accepted",
        SUGGESTIONS.c.id != accepted.id)).all()
    for row in older:
        payload = {**json.loads(row.payload), "status": "superseded"}
        change_record(conn, seqs, SUGGESTIONS, row.id, now=now, payload=freeze(payload),
                      status="superseded")


def _same_context(context):
    return SUGGESTIONS.c.context.is_(None) if context is None \
        else SUGGESTIONS.c.context == context


def current_votes(conn: Connection, row) -> list[dict]:
    """The votes that count: those given on the suggestion's current revision, by people
    not blocked, oldest first."""
    found = conn.execute(
        sa.select(VOTES.c.author_id, VOTES.c.verdict, VOTES.c.reason, VOTES.c.revision,
                  USERS.c.name, USERS.c.role)
        .join(USERS, USERS.c.id == VOTES.c.author_id)
        .where(VOTES.c.translation_id == row.id, VOTES.c.revision == row.text_revision,
               USERS.c.blocked_at.is_(None))
        .order_by(VOTES.c.updated_at, VOTES.c.id)).all()
    return [{"author_id": v.author_id, "verdict": v.verdict, "reason": v.reason,
             "revision": v.revision, "by": v.name, "role": v.role} for v in found]


def compose(conn: Connection, record: dict, author_id: str, status: str,
            votes: list[dict], text_revision: int) -> str:
    """The suggestion as devices pull it: the author's record, who wrote it, its status and
    the tally (names of the speakers who voted, their verdicts and reasons)."""
    name = conn.execute(sa.select(USERS.c.name).where(USERS.c.id == author_id)).scalar() or ""
    shown = [{"verdict": v["verdict"], "reason": v["reason"], "by": v["by"],
              "revision": v["revision"]} for v in votes]
    return freeze({**{k: v for k, v in record.items() if k not in SERVER_FIELDS},
                   "user_id": author_id, "author_name": name, "status": status,
                   "votes": shown, "text_revision": text_revision})


def _content(record: dict) -> dict:
    return {k: v for k, v in content(record).items()
            if k not in SERVER_FIELDS and k != "comment"} | {"comment": record.get("comment")}


def _unknown_message(conn: Connection, record: dict) -> str | None:
    """Why the record translates no message Qalam has (None when it does): an interface
    message of the template, or a guideline text of a project, with the same plural."""
    guideline = messages.parse_guideline_context(record.get("context"))
    if guideline is None:
        entry = messages.template_index().get((record.get("context"), record["msgid"]))
        if entry is None:
            return "msgid: not a message of Qalam's interface (this server's version)."
        if entry.msgid_plural != record.get("msgid_plural"):
            return "msgid_plural: does not match the message's plural."
        return None
    project_id, kind = guideline
    payload = conn.execute(sa.select(tables.projects.c.payload).where(
        tables.projects.c.id == project_id)).scalar()
    from app.guidelines import DEFAULT_LANGUAGE, parse

    texts = parse(json.loads(payload).get("guidelines")).get(kind, {}) if payload else {}
    english = texts.get(DEFAULT_LANGUAGE)
    if english is None or english.text != record["msgid"]:
        return (f"msgid: not the English guidelines of {kind!r} in project {project_id!r} "
                "(they may have changed; sync again).")
    return None


def _rejected(item: PushItem, reason: str) -> ItemResult:
    return ItemResult(seq=item.seq, id=item.id, status=ItemStatus.rejected, reason=reason)


def _created(item: PushItem, revision: int) -> ItemResult:
    return ItemResult(seq=item.seq, id=item.id, status=ItemStatus.created, revision=revision)


# --- a coordinator's decision ----------------------------------------------------------------


def decide(target: Engine | Connection, translation_id: str, decision: str, *, by: str,
           reason: str = "") -> str:
    """A coordinator accepts or rejects a suggestion outright (the CLI and the dashboard);
    returns its new status. Kept as the coordinator's vote, like any other."""
    if decision not in ("accepted", "rejected"):
        raise ServerError(ErrorCode.invalid_request,
                          f"decision: 'accepted' or 'rejected', not {decision!r}.")
    if decision == "rejected" and not reason.strip():
        raise ServerError(ErrorCode.invalid_request, "A rejection needs a reason (--reason).")

    def work(conn: Connection) -> str:
        from app.ids import new_id
        from sync.server.people.users import get_user
        from sync.server.translation import catalogs

        seqs = Sequence(conn)
        coordinator = get_user(conn, by)
        if coordinator.role != "coordinator":
            raise ServerError(ErrorCode.forbidden, f"{coordinator.name} is not a coordinator.")
        row = conn.execute(sa.select(SUGGESTIONS).where(
            SUGGESTIONS.c.id == translation_id)).first()
        if row is None:
            raise ServerError(ErrorCode.not_found, f"No suggested translation {translation_id!r}.")
        now = clock.utc_now()
        verdict = "accept" if decision == "accepted" else "reject"
        conn.execute(VOTES.delete().where(VOTES.c.translation_id == row.id,
                                          VOTES.c.author_id == coordinator.id))
        record = {"id": new_id(), "translation_id": row.id, "verdict": verdict,
                  "reason": reason.strip() or None, "revision": row.text_revision}
        conn.execute(VOTES.insert().values(
            id=record["id"], translation_id=row.id, author_id=coordinator.id, device_id="server",
            revision=row.text_revision, verdict=verdict, reason=reason.strip(),
            payload=freeze({**record, "user_id": coordinator.id}), created_at=now,
            updated_at=now))
        if row.status == "superseded":
            conn.execute(SUGGESTIONS.update().where(SUGGESTIONS.c.id == row.id)
                         .values(status="pending"))
        for language in settle(conn, seqs, row.id, now):
            catalogs.compile_language(conn, seqs, language, now)
        from sync.server.people import auditlog

        auditlog.record(conn, "decide", auditlog.Actor.command_line(user_id=coordinator.id),
                        subject=row.id, detail={"ui_translation": decision,
                                                "language": row.language, "by": coordinator.name,
                                                "reason": reason.strip()})
        seqs.save()
        return conn.execute(sa.select(SUGGESTIONS.c.status)
                            .where(SUGGESTIONS.c.id == row.id)).scalar()

    return run_write(target, work)


# --- what a coordinator lists ----------------------------------------------------------------


@dataclass(frozen=True)
class Listed:
    id: str
    language: str
    status: str
    author: str
    msgid: str
    msgstr: list[str]
    accepts: int
    rejects: int
    updated_at: str


def listing(target: Engine | Connection, language: str, *, status: str | None = None,
            limit: int = 200) -> list[Listed]:
    """A language's suggestions, newest first, with the tally of their current votes."""
    from sync.server.db import read

    def work(conn: Connection) -> list[Listed]:
        query = (sa.select(SUGGESTIONS, USERS.c.name.label("author_name"))
                 .join(USERS, USERS.c.id == SUGGESTIONS.c.author_id)
                 .where(SUGGESTIONS.c.language == language)
                 .order_by(SUGGESTIONS.c.updated_at.desc(), SUGGESTIONS.c.id).limit(limit))
        if status is not None:
            query = query.where(SUGGESTIONS.c.status == status)
        found = []
        for row in conn.execute(query).all():
            votes = current_votes(conn, row)
            payload = json.loads(row.payload)
            found.append(Listed(row.id, row.language, row.status, row.author_name, row.msgid,
                                list(payload.get("msgstr") or []),
                                sum(v["verdict"] == "accept" for v in votes),
                                sum(v["verdict"] == "reject" for v in votes), row.updated_at))
        return found

    return read(target, work)
