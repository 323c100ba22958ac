"""A project's guidelines: one Markdown text per kind of work and per language.

    chosen = choose(project.guidelines, "original", content="urd_Arab", ui="hin_Deva")
    chosen.text, chosen.language, chosen.wanted, chosen.draft   # what to show, and why

The shape, in the project's record on the server and on every device (JSON)::

    {"original": {"eng_Latn": "# Writing …", "urd_Arab": "# لکھنا …",
                  "hin_Deva": {"text": "# लिखना …", "draft": true}},
     "review":   {…}}

Languages are registry codes (``urd_Arab``). A text is a Markdown string, or an object whose
``draft: true`` marks a machine draft that a native speaker has not reviewed yet (the app
says so above it). The older shape, kind -> Markdown, reads as English (``eng_Latn``) for
every language: :func:`normalize` turns it into the new one.

:func:`choose` picks the content language's text, else the interface language's, else
English, else any, and says which it picked. :func:`general` are Qalam's own guidelines (the
demo project's, ``resources/demo/project.json``), shown for a kind of work a project has
written none for.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from functools import lru_cache

#: The language of the old shape's texts, and the fallback after the interface language.
DEFAULT_LANGUAGE = "eng_Latn"
#: A guideline text longer than this is refused (the whole project travels as one record).
MAX_GUIDELINE_CHARS = 50_000


@dataclass(frozen=True)
class Guideline:
    text: str
    draft: bool = False


@dataclass(frozen=True)
class Choice:
    """The guideline to show: its ``language``, and the language that was ``wanted`` first
    (the content language, else the interface language). ``general`` marks Qalam's own
    guidelines standing in for a project that has none for this kind of work."""

    text: str
    language: str
    wanted: str | None
    draft: bool = False
    general: bool = False

    @property
    def is_fallback(self) -> bool:
        return self.wanted is not None and self.language != self.wanted


def parse(raw: str | Mapping | None) -> dict[str, dict[str, Guideline]]:
    """Read guidelines in either shape; anything malformed is left out, never raised
    (they come from a server or an old database: a bad entry must not stop the app)."""
    if isinstance(raw, str):
        try:
            raw = json.loads(raw or "{}")
        except json.JSONDecodeError:
            return {}
    if not isinstance(raw, Mapping):
        return {}
    parsed: dict[str, dict[str, Guideline]] = {}
    for kind, texts in raw.items():
        if not isinstance(kind, str):
            continue
        if isinstance(texts, str):  # the old shape: one text, in English
            texts = {DEFAULT_LANGUAGE: texts}
        if not isinstance(texts, Mapping):
            continue
        by_language = {}
        for language, value in texts.items():
            guideline = _guideline(value)
            if isinstance(language, str) and guideline is not None:
                by_language[language] = guideline
        if by_language:
            parsed[kind] = by_language
    return parsed


def _guideline(value) -> Guideline | None:
    if isinstance(value, str):
        return Guideline(value) if value.strip() else None
    if isinstance(value, Mapping) and isinstance(value.get("text"), str) \
            and value["text"].strip():
        return Guideline(value["text"], draft=value.get("draft") is True)
    return None


def dump(guidelines: Mapping[str, Mapping[str, Guideline]]) -> dict:
    """The JSON shape of parsed guidelines (a plain string unless it is a draft)."""
    return {kind: {language: {"text": g.text, "draft": True} if g.draft else g.text
                   for language, g in sorted(texts.items())}
            for kind, texts in sorted(guidelines.items())}


def normalize(raw: str | Mapping | None) -> dict:
    """Guidelines of either shape, in the current one: ``{"original": "…"}`` becomes
    ``{"original": {"eng_Latn": "…"}}``."""
    return dump(parse(raw))


def choose(raw: str | Mapping | None, kind: str, *, content: str | None,
           ui: str | None) -> Choice | None:
    """The text to show for ``kind``: in the content language, else the interface language,
    else English, else the first language there is; None when the kind has none."""
    texts = parse(raw).get(kind)
    if not texts:
        return None
    wanted = content or ui
    for language in (content, ui, DEFAULT_LANGUAGE, *sorted(texts)):
        if language in texts:
            guideline = texts[language]
            return Choice(guideline.text, language, wanted, draft=guideline.draft)
    return None  # unreachable: texts is not empty


def choose_with_general(raw: str | Mapping | None, kind: str, *, content: str | None,
                        ui: str | None) -> Choice | None:
    """Like :func:`choose`, and Qalam's general guidelines when the project has none."""
    chosen = choose(raw, kind, content=content, ui=ui)
    if chosen is not None:
        return chosen
    chosen = choose(general(), kind, content=content, ui=ui)
    if chosen is None:
        return None
    return Choice(chosen.text, chosen.language, chosen.wanted, chosen.draft, general=True)


def with_text(raw: str | Mapping | None, kind: str, language: str, text: str | None, *,
              draft: bool = False) -> dict:
    """The guidelines with ``kind``'s text in ``language`` set (``text=None``: removed)."""
    guidelines = parse(raw)
    texts = guidelines.setdefault(kind, {})
    if text is None:
        texts.pop(language, None)
    else:
        texts[language] = Guideline(text, draft=draft)
    if not texts:
        del guidelines[kind]
    return dump(guidelines)


@lru_cache(maxsize=1)
def general() -> dict:
    """Qalam's own guidelines for every kind of work: the demo project's."""
    import resources

    path = resources.path("demo", "project.json")
    try:
        project = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return normalize(project.get("guidelines"))
