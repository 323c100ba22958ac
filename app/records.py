"""The record contract: what a submission, a review and an imported task look like, one
definition for the app, the server and task imports.

    SubmissionRecord.model_validate(record, context={"languages": ("urd_Arab",)})
    ReviewRecord.model_validate(record)
    row = TaskRow.model_validate(aya_row, context={"kind": None, "origin": None})
    row.task(project="aya-urd")                 # the task the store and the server keep

    except ValidationError as error:
        problem = first_problem(error)          # the one translator of pydantic's errors
        problem.field, problem.reason           # "kind", "kind: must be one of … (got 'poem')."

The vocabularies are :mod:`app.kinds`'; text is checked by :mod:`app.text`'s rules. Each
check raises :class:`RecordProblem`, a sentence with ``{placeholders}`` (marked with ``N_``
where the interface shows it), and :func:`first_problem` turns the first error pydantic
collected into a :class:`Problem`: the server answers a pushed item with its ``reason``
("field: problem", :mod:`sync.server.exchange.payloads`), a task file's error names the
file and line around it ("urd.jsonl, line 3, field 'kind': problem",
:class:`app.taskfile.TaskFileError`). Fields are checked in the order they are declared,
so the first problem is the one an earlier hand-written check found first.

Records pushed by devices may carry more fields (timestamps, warnings, local counters): they
are allowed, and the server keeps the record exactly as pushed. A task row may have any other
columns; only those below are read. Nothing here imports Qt, the network or a database.
"""

from __future__ import annotations

import json
import re
import uuid
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from functools import lru_cache, partial
from typing import Annotated, Any, Literal

from pydantic import (
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    ValidationError,
    ValidationInfo,
    field_validator,
    model_validator,
)

from app.errors import TextRejected
from app.kinds import ORIGINS, REVIEW_FLAGS, SUBMISSION_STATES, TASK_KINDS
from app.text import check_field, clean_field, require_visible
from i18n.translation import N_

__all__ = [
    "AYA_FIELDS",
    "MAX_COMMENT_CHARS",
    "MAX_ID",
    "TEXT_FIELDS",
    "CommentRecord",
    "Problem",
    "RecordProblem",
    "ReviewRecord",
    "SubmissionRecord",
    "TaskRow",
    "UiTranslationRecord",
    "UiVoteRecord",
    "aya_origin",
    "comment_body",
    "first_problem",
    "is_aya_row",
    "resolve_row_language",
]

MAX_ID = 64  # characters in an id column (sync.protocol.Id's length)
TEXT_FIELDS = ("instructions", "inputs", "targets", "source_text", "mt_text")
# Columns that mark a row of the Aya dataset or the Aya collection.
AYA_FIELDS = ("annotation_type", "dataset_name", "template_id", "task_type")
ONE_OF = N_("must be one of {choices} (got {value}).")
NOT_TEXT = N_("must be text (got {type}).")


# --- problems, and the one translator of validation errors ----------------------------------


class RecordProblem(ValueError):
    """What a check found wrong: ``template`` is a sentence, ``values`` fill its
    ``{placeholders}`` (a value may be a function of the UI locale, such as a language's
    name). ``field`` names the field when it is not the one being checked."""

    def __init__(self, template: str, *, field: str | None = None, **values):
        super().__init__(template)
        self.template, self.field, self.values = template, field, values


@dataclass(frozen=True)
class Problem:
    """The first thing wrong with a record: the field, and a sentence about it."""

    field: str | None
    template: str
    values: dict = field(default_factory=dict)

    @property
    def text(self) -> str:
        """The sentence in English, its values filled in."""
        if not self.values:
            return self.template
        return self.template.format(**{key: value("en") if callable(value) else value
                                        for key, value in self.values.items()})

    @property
    def reason(self) -> str:
        """``field: sentence``, as the server answers a pushed item."""
        return f"{self.field}: {self.text}" if self.field else self.text


def first_problem(error: ValidationError) -> Problem:
    """The first problem pydantic collected, as a sentence naming the field."""
    detail = error.errors(include_url=False)[0]
    location = str(detail["loc"][0]) if detail["loc"] else None
    cause = (detail.get("ctx") or {}).get("error")
    if isinstance(cause, RecordProblem):
        return Problem(cause.field or location, cause.template, dict(cause.values))
    if detail["type"] == "missing":
        return Problem(location, "is missing.")  # cannot happen with the models here
    return Problem(location, f"{detail['msg']}.")  # a check of pydantic's own: English


# --- shared field types ----------------------------------------------------------------------


def _one_of(choices: tuple[str, ...], value, *, optional: bool = False):
    if (value is None and optional) or value in choices:
        return value
    raise RecordProblem(ONE_OF, choices=", ".join(choices), value=repr(value))


def _choice(choices: tuple[str, ...], *, optional: bool = False):
    """One of ``choices`` (or None, when ``optional``), else "must be one of …"."""
    kind = Literal[choices] | None if optional else Literal[choices]
    return Annotated[kind, BeforeValidator(partial(_one_of, choices, optional=optional))]


def _optional_text(value):
    if value is not None and not isinstance(value, str):
        raise RecordProblem("must be text or null (got {type}).", type=type(value).__name__)
    return value


def _optional_id(value):
    if _optional_text(value) is not None and len(value) > MAX_ID:
        raise RecordProblem("an id has at most {limit} characters (got {length}).",
                            limit=MAX_ID, length=len(value))
    return value


def _required_id(what: str, value):
    if not isinstance(value, str) or not value:
        raise RecordProblem("required, {what}.", what=what)
    return _optional_id(value)


OptionalText = Annotated[str | None, BeforeValidator(_optional_text)]
OptionalId = Annotated[str | None, BeforeValidator(_optional_id)]
RecordId = Annotated[str, BeforeValidator(partial(_required_id, "the record's id"))]
Kind = _choice(TASK_KINDS)
Origin = _choice(ORIGINS)
State = _choice(SUBMISSION_STATES)
Flag = _choice(REVIEW_FLAGS, optional=True)


# --- what devices push -----------------------------------------------------------------------


class PushedRecord(BaseModel):
    # A missing field is checked as None, so "required" reads the same as a wrong type.
    model_config = ConfigDict(extra="allow", frozen=True, validate_default=True)

    id: RecordId = None  # the server first checks it is the pushed item's


def _pushed_text(field_name: str, value):
    if not isinstance(value, str):
        raise RecordProblem("required text (got {type}).", type=type(value).__name__)
    try:
        check_field(field_name, value)
    except TextRejected as exc:
        raise RecordProblem(str(exc)) from None
    return value


class SubmissionRecord(PushedRecord):
    """A submission as a device pushes it. ``context={"languages": (...)}`` limits the
    language to the author's (None: any language, for coordinators and blocked users)."""

    kind: Kind = None
    language: str = None
    inputs: Annotated[str, BeforeValidator(partial(_pushed_text, "inputs"))] = None
    targets: Annotated[str, BeforeValidator(partial(_pushed_text, "targets"))] = None
    state: State = None
    task_id: OptionalId = None
    project_id: OptionalId = None
    dialect: OptionalText = None

    @field_validator("language", mode="before")
    @classmethod
    def _registry_code(cls, value, info: ValidationInfo):
        from i18n.languages import UnknownLanguage, get

        try:
            get(value)
        except UnknownLanguage:
            raise RecordProblem("{language} is not a registry code such as 'urd_Arab'.",
                                language=repr(value)) from None
        allowed = (info.context or {}).get("languages")
        if allowed is not None and value not in allowed:
            raise RecordProblem("{language} is not one of your languages ({languages}); "
                                "ask your coordinator.", language=value,
                                languages=", ".join(allowed) or "none")
        return value

    @field_validator("state")
    @classmethod
    def _visible_unless_draft(cls, state, info: ValidationInfo):
        if state != "draft":  # a draft may hold anything while its author types
            for name in ("inputs", "targets"):
                if name not in info.data:
                    continue  # wrong already: that is the first problem
                try:
                    require_visible(name, info.data[name])
                except TextRejected as exc:
                    raise RecordProblem(str(exc), field=name) from None
        return state


def _rating(value):
    if value is not None and (isinstance(value, bool) or not isinstance(value, int)
                              or not 1 <= value <= 5):
        raise RecordProblem("must be a whole number from 1 to 5 (got {value}).",
                            value=repr(value))
    return value


Rating = Annotated[int | None, BeforeValidator(_rating)]


class ReviewRecord(PushedRecord):
    """A review as a device pushes it: at least one rating or a flag."""

    submission_id: Annotated[str, BeforeValidator(
        partial(_required_id, "the id of the reviewed submission"))] = None
    rating_inputs: Rating = None
    rating_targets: Rating = None
    flag: Flag = None  # a reviewer may flag an item without scoring it
    reason: OptionalText = None
    task_id: OptionalText = None

    @field_validator("flag")
    @classmethod
    def _rated_or_flagged(cls, flag, info: ValidationInfo):
        if flag is None and info.data.get("rating_inputs") is None \
                and info.data.get("rating_targets") is None:
            raise RecordProblem("a review needs at least one rating (1–5) or a flag.",
                                field="rating_inputs, rating_targets")
        return flag


#: A comment on an item (a coordinator's, a reviewer's reason, the author's reply): long
#: enough for a paragraph of advice, short enough that a thread fits a pull page.
MAX_COMMENT_CHARS = 4000


def comment_body(value) -> str:
    """A comment's text, checked as every stored text is (:mod:`app.text`), NFC-normalized,
    at most :data:`MAX_COMMENT_CHARS` characters and with something visible in it. Raises
    :class:`RecordProblem` naming the field ``body``."""
    if not isinstance(value, str):
        raise RecordProblem(NOT_TEXT, field="body", type=type(value).__name__)
    if len(value) > MAX_COMMENT_CHARS:
        raise RecordProblem(N_("The comment is too long: {length} characters; a comment has "
                               "at most {limit}."), field="body", length=len(value),
                            limit=MAX_COMMENT_CHARS)
    try:
        text = clean_field("body", value).text
        require_visible("body", text)
    except TextRejected as exc:
        raise RecordProblem(str(exc), field="body") from None
    return text


class CommentRecord(PushedRecord):
    """A comment as a device pushes it: only the item's author's reply to a thread (the
    server checks who may write it)."""

    submission_id: Annotated[str, BeforeValidator(
        partial(_required_id, "the id of the item the comment is about"))] = None
    reply_to: Annotated[str, BeforeValidator(
        partial(_required_id, "the id of the comment this replies to"))] = None
    body: Annotated[str, BeforeValidator(comment_body)] = None


# --- translations of the interface (issue 16) -----------------------------------------------


def _translation_language(value, info: ValidationInfo):
    """A registry code with a CLDR locale, and one of the author's languages (when limited)."""
    from i18n.community import ui_tag
    from i18n.languages import UnknownLanguage

    try:
        ui_tag(value)
    except (UnknownLanguage, ValueError, TypeError) as error:
        raise RecordProblem("{language} cannot be a language of the interface: {why}",
                            language=repr(value), why=str(error)) from None
    allowed = (info.context or {}).get("languages")
    if allowed is not None and value not in allowed:
        raise RecordProblem("{language} is not one of your languages ({languages}); "
                            "ask your coordinator.", language=value,
                            languages=", ".join(allowed) or "none")
    return value


def _source_text(value):
    if not isinstance(value, str) or not value.strip():
        raise RecordProblem("required text (got {type}).", type=type(value).__name__)
    if len(value) > MAX_SOURCE_CHARS:
        raise RecordProblem("at most {limit} characters (got {length}).",
                            limit=MAX_SOURCE_CHARS, length=len(value))
    return value


MAX_SOURCE_CHARS = 60_000  # a guideline's English text (app.guidelines: 50,000) and room


class UiTranslationRecord(PushedRecord):
    """A suggested translation of one interface message (or guideline text) into one
    language, as a device pushes it. ``msgstr`` has one string per plural form of the
    language (CLDR), and passes :func:`i18n.checks.translation_problems`."""

    language: str = None
    context: Annotated[str | None, BeforeValidator(_optional_text)] = None
    msgid: Annotated[str, BeforeValidator(_source_text)] = None
    msgid_plural: Annotated[str | None, BeforeValidator(_optional_text)] = None
    msgstr: list = None
    comment: Annotated[str | None, BeforeValidator(_optional_text)] = None

    _language = field_validator("language", mode="before")(_translation_language)

    @field_validator("msgstr", mode="before")
    @classmethod
    def _checked(cls, strings, info: ValidationInfo):
        from i18n import checks, plurals
        from i18n.community import ui_tag

        if not isinstance(strings, list) or not all(isinstance(s, str) for s in strings):
            raise RecordProblem("must be a list of text, one per plural form.")
        if "language" not in info.data or "msgid" not in info.data:
            return strings  # wrong already: that is the first problem
        tag = ui_tag(info.data["language"])
        found = checks.translation_problems(
            info.data["msgid"], info.data.get("msgid_plural"), strings,
            nplurals=plurals.nplurals(tag), counts=plurals.example_counts(tag),
            limit_length=not (info.data.get("context") or "").startswith("guideline:"))
        if found:
            raise RecordProblem("{problem}", problem=found[0])
        return strings


VERDICTS = ("accept", "reject")


class UiVoteRecord(PushedRecord):
    """A reviewer's verdict on a suggested translation: accept, or reject with a reason."""

    translation_id: Annotated[str, BeforeValidator(
        partial(_required_id, "the id of the suggested translation"))] = None
    verdict: _choice(VERDICTS) = None
    reason: Annotated[str | None, BeforeValidator(_optional_text)] = None
    revision: int | None = None  # the suggestion's revision the reviewer saw

    @field_validator("reason")
    @classmethod
    def _reason_for_reject(cls, reason, info: ValidationInfo):
        if info.data.get("verdict") == "reject" and not (reason or "").strip():
            raise RecordProblem("a rejection needs a reason.")
        if reason is not None and len(reason) > 2000:
            raise RecordProblem("at most 2000 characters.")
        return reason


# --- what task files hold --------------------------------------------------------------------


_ID_NAMESPACE = uuid.UUID("5b0e3c9e-4a53-4c1e-9d1e-6a8f2f0c7a11")


def _text(value, field: str | None = None):
    """Text or None; anything else "must be text"."""
    if value is not None and not isinstance(value, str):
        raise RecordProblem(NOT_TEXT, field=field, type=type(value).__name__)
    return value


def _task_text(name: str, empty: str | None, value):
    """A text field of a task: ``empty`` when not given; cleaned, and with a visible
    character when not empty (empty is allowed where the kind allows it)."""
    if value is None:
        return empty
    return _clean(name, value) if _text(value) else value


def _task_text_type(name: str, *, optional: bool = False):
    empty = None if optional else ""
    return Annotated[str | None if optional else str,
                     BeforeValidator(partial(_task_text, name, empty))]


_REVIEW_TEXTS = ("inputs", "targets", "original_inputs", "original_targets")


class TaskRow(BaseModel):
    """One record of a task file, in Qalam's task format or the Aya dataset's schema
    (:mod:`app.taskfile`), checked. ``context={"kind": …, "origin": …}`` gives what rows
    that do not say theirs are.

    Read from the row as a whole, first: ``language`` (the registry code, from
    ``language_code``, ``language`` — a code or, in Aya rows, a name — and ``script``),
    ``kind`` and ``origin`` (Aya rows are re-annotation tasks, their origin read from
    ``annotation_type`` and ``dataset_name``), and ``id`` (never an Aya row's: it numbers rows
    within one source dataset, not tasks across projects).
    """

    model_config = ConfigDict(extra="ignore")

    language: str
    kind: Kind
    origin: Origin
    dialect: Annotated[str | None, BeforeValidator(_text)] = None
    project_id: Any = Field(None, alias="project")  # as given: the importer's project wins
    instructions: _task_text_type("instructions") = ""
    inputs: _task_text_type("inputs") = ""
    targets: _task_text_type("targets") = ""
    source_text: _task_text_type("source_text", optional=True) = None
    mt_text: _task_text_type("mt_text", optional=True) = None
    # Checked with the kind (below): a review item's peer original, the peer, their item.
    original_inputs: Any = None
    original_targets: Any = None
    author: Any = None
    review_of: Any = None
    id: Any = None

    @model_validator(mode="before")
    @classmethod
    def _read_row(cls, row, info: ValidationInfo):
        if not isinstance(row, Mapping):
            return row
        context = info.context or {}
        read = dict(row)
        read["language"] = resolve_row_language(row)
        if not context.get("allow_mismatch"):
            check_row_language(row, read["language"])
        aya = is_aya_row(row)
        read["kind"] = row.get("kind") or context.get("kind") or ("reannotation" if aya else None)
        if read["kind"] is None:
            raise RecordProblem(N_("is missing; it must be one of {kinds} (or choose the kind "
                                   "of the whole file when importing it)."), field="kind",
                                kinds=", ".join(TASK_KINDS))
        read["origin"] = row.get("origin") or context.get("origin") or (
            aya_origin(row) if aya else "human")
        read["dialect"] = row.get("dialect") or None
        read["id"] = None if _aya_marked(row) else row.get("id")
        return read

    @model_validator(mode="after")
    def _what_the_kind_needs(self) -> TaskRow:
        if self.kind == "reannotation":
            _need_both(self, ("inputs", "targets"), N_(
                "is empty; a re-annotation task needs an existing prompt and completion."))
        if self.kind == "review":
            for name in _REVIEW_TEXTS:
                setattr(self, name, _review_text(name, getattr(self, name)))
        if self.names_people:
            for name in ("author", "review_of"):
                _text(getattr(self, name), field=name)
        if self.kind == "postedit":
            _need_both(self, ("source_text", "mt_text"), N_(
                "is empty; a post-editing task needs the source and the machine translation."))
        _task_id(self.id)
        return self

    @property
    def names_people(self) -> bool:
        """Whether the task says whose work it is about (review items always do)."""
        return self.kind == "review" or self.author is not None or bool(self.review_of)

    def task(self, project: str | None = None) -> dict:
        """The task as the store and the server keep it; without an ``id`` in the row, one
        derived from its content, so importing a file twice adds nothing."""
        task = {"project_id": project or self.project_id, "kind": self.kind,
                "language": self.language, "dialect": self.dialect, "origin": self.origin,
                **{name: getattr(self, name) for name in TEXT_FIELDS}}
        if self.kind == "review":
            task.update(original_inputs=self.original_inputs,
                        original_targets=self.original_targets)
        if self.names_people:
            task.update(author=self.author or None, review_of=self.review_of or None)
        # Only these fields, in this order, make the derived id: it must stay the same across
        # versions, or importing a file again would duplicate its tasks.
        identity = {k: task[k] for k in ("project_id", "kind", "language", "dialect", "origin",
                                         *TEXT_FIELDS)}
        if self.kind == "review":
            identity.update((k, task[k]) for k in ("original_inputs", "original_targets",
                                                   "author", "review_of"))
        task["id"] = _task_id(self.id) or str(
            uuid.uuid5(_ID_NAMESPACE, json.dumps(identity, sort_keys=True, ensure_ascii=False)))
        return task


def _clean(name: str, value: str) -> str:
    """Text as the store keeps it (app.text), with a visible character."""
    try:
        value = clean_field(name, value).text
        require_visible(name, value)
    except TextRejected as exc:
        raise RecordProblem(str(exc), field=name) from None
    return value


def _need_both(row: TaskRow, names: tuple[str, str], problem: str) -> None:
    for name in names:
        if not getattr(row, name):
            raise RecordProblem(problem, field=name)


def _review_text(name: str, value) -> str:
    if not isinstance(value, str) or not value.strip():
        raise RecordProblem(N_("is missing; a review item needs the peer's original and their "
                               "edit (original_inputs, original_targets, inputs, targets)."),
                            field=name)
    return _clean(name, value)


def _task_id(value) -> str | None:
    if value is None or isinstance(value, str):
        return value
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise RecordProblem(N_("must be text or a number (got {type})."), field="id",
                            type=type(value).__name__)
    return str(value)


def is_aya_row(row: Mapping) -> bool:
    """A row in the Aya dataset's (or collection's) schema rather than Qalam's own."""
    return _aya_marked(row) or ("kind" not in row and "targets" in row)


def _aya_marked(row: Mapping) -> bool:
    return any(name in row for name in AYA_FIELDS)


def aya_origin(row: Mapping) -> str:
    """Where an Aya row's text came from: the Aya dataset is written by people; the
    collection's rows are templated, or machine-translated (``translated-…`` datasets)."""
    if row.get("annotation_type"):
        return "human"
    if "translat" in str(row.get("dataset_name") or "").lower():
        return "translated"
    return "templated"


# --- a task row's language -------------------------------------------------------------------


_SCRIPT = re.compile(r"[A-Za-z]{4}")


def resolve_row_language(row: Mapping) -> str:
    """The registry code (``urd_Arab``) a row's ``language_code``, ``language`` and
    ``script`` name. Raises :class:`RecordProblem` naming the field when they name none, or
    more than one.
    """
    values = {}
    for name in ("language_code", "language", "script"):
        values[name] = (_text(row.get(name), field=name) or "").strip()
    code, name, script = values["language_code"], values["language"], values["script"]
    if not code and not name:
        raise RecordProblem(N_("is missing; give a language code such as 'urd_Arab' or "
                               "'urd'."), field="language_code")
    if script and not _SCRIPT.fullmatch(script):
        raise RecordProblem(N_("{script} is not an ISO 15924 script code such as 'Arab' or "
                               "'Latn'."), field="script", script=repr(script))
    return _language(code, name, script.title())


#: The fields whose text must be in the row's language (a post-edit's source is not).
_LANGUAGE_TEXTS = ("inputs", "targets", "mt_text", "original_inputs", "original_targets")


def check_row_language(row: Mapping, code: str) -> None:
    """Refuse a row whose ``language`` name names another language than its
    ``language_code`` (urd with "Hindi"), or whose text is mostly in another script than its
    language is written in (Devanagari labelled urd). Raises :class:`RecordProblem` naming the
    field; an import's ``allow_mismatch`` skips this check."""
    from i18n.languages import get

    found = get(code)
    name = row.get("language")
    if row.get("language_code") and isinstance(name, str) and name.strip():
        other = _by_name(name.strip())
        if other is not None and other.iso639_3 != found.iso639_3 \
                and not _words(name) & _words(found.english_name):
            raise RecordProblem(N_("{name} is another language than language_code {code} "
                                   "({language}); correct the row, or import with "
                                   "--allow-mismatch if it is right."), field="language",
                                name=repr(name.strip()), code=repr(row["language_code"]),
                                language=_named([found]))
    for field_name in _LANGUAGE_TEXTS:
        text = row.get(field_name)
        if not isinstance(text, str):
            continue
        from app.quality import script_mismatch

        mismatch = script_mismatch(text, code)
        if mismatch is not None:
            script, count, total = mismatch
            raise RecordProblem(N_("is mostly in {script} ({count} of {total} letters), but "
                                   "{language} is written in {expected}; correct the row, or "
                                   "import with --allow-mismatch if it is right."),
                                field=field_name, count=count, total=total,
                                script=_script(script), expected=_script(found.script),
                                language=_named([found]))


def _script(code: str) -> Callable[[str], str]:
    from i18n.languages import script_name

    code = {"Hans": "Hani", "Hant": "Hani"}.get(code, code)
    return lambda locale: script_name(code, locale)


@lru_cache(maxsize=4096)
def _language(code: str, name: str, script: str) -> str:
    from i18n.languages import UnknownLanguage, all_languages, resolve

    where = "language_code" if code else "language"
    tag = code or name
    sharing = [lang for lang in all_languages() if lang.aya_code == tag.casefold()]
    if len(sharing) > 1:
        # One Aya code for several languages ('kur': Central Kurdish and Kurmanji; 'zho'):
        # the script or the language's name must say which.
        chosen = [lang for lang in sharing if script and lang.script == script] or \
            [lang for lang in sharing if code and name and _same_name(name, lang.english_name)]
        if len(chosen) != 1:
            raise RecordProblem(N_("{tag} is ambiguous: it may be {options}; use one of those "
                                   "codes or add a script column."), field=where,
                                tag=repr(tag), options=_named(sharing))
        return chosen[0].code
    try:
        found = resolve(tag)
    except UnknownLanguage:
        found = None if code else _by_name(name)
        if found is None and code:
            raise RecordProblem(N_("{tag} is not a language code Qalam knows."), field=where,
                                tag=repr(tag)) from None
        if found is None:
            raise RecordProblem(N_("{tag} is not a language Qalam knows by that name; add a "
                                   "language_code ('urd' or 'urd_Arab')."), field=where,
                                tag=repr(tag)) from None
    if script and found.script != script:
        base = found.bcp47.split("-")[0]
        try:
            found = resolve(f"{base}-{script}")
        except UnknownLanguage:
            raise RecordProblem(N_("Qalam knows no {language} written in {script} ({tag})."),
                                field="script", language=_named([found]), script=script,
                                tag=repr(tag)) from None
    return found.code


def _named(entries) -> Callable[[str], str]:
    """Registry entries as "Urdu (urd_Arab), …", named in the UI locale it is given (CLDR)."""
    from i18n.languages import language_name

    codes = [lang.code for lang in entries]
    if len(codes) == 1:
        return lambda locale: language_name(codes[0], locale)
    return lambda locale: ", ".join(f"{language_name(code, locale)} ({code})" for code in codes)


def _words(text: str) -> frozenset[str]:
    return frozenset(re.findall(r"\w+", text.casefold()))


def _same_name(a: str, b: str) -> bool:
    return _words(a) == _words(b)


def _by_name(name: str):
    from i18n.languages import all_languages

    matches = [lang for lang in all_languages() if _same_name(name, lang.english_name)
               or name == lang.native_name]
    return matches[0] if len(matches) == 1 else None
