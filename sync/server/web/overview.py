"""The overview: progress per language and kind, with a chart of accepted work per language.

    GET /dashboard/overview?project=aya-urd

Counts come from :func:`sync.server.quality.measures.language_progress` (drafts, hand-ins,
reviews, contributors), :func:`sync.server.work.acceptance.counted_acceptance` (what the
project's acceptance rules accept: the same the export applies; both kept as the data
arrives, see :mod:`sync.server.quality.tallies`) and the tasks table (work loaded per
language and kind); agreement and contributor concentration per language from
:mod:`sync.server.quality.measures` (tallied too); how far each language's translation of
the interface has come from :func:`sync.server.translation.catalogs.progress`.
"""

from __future__ import annotations

import sqlalchemy as sa
from starlette.responses import Response

from sync.server import tables
from sync.server.db import read_transaction
from sync.server.quality.measures import agreement, concentration, language_progress
from sync.server.translation.catalogs import progress as translation_progress
from sync.server.web.charts import Bar, bar_chart
from sync.server.web.site import Coordinator, language_cell, new_router
from sync.server.work.acceptance import counted_acceptance, language_gates
from sync.server.work.projects import list_projects

router = new_router()
TASKS = tables.tasks


@router.get("/overview")
def overview(page: Coordinator, project: str = "") -> Response:
    projects = list_projects(page.engine)
    project_id = project if any(p["id"] == project for p in projects) else None
    with read_transaction(page.engine) as conn:
        # Kept as the data arrives (sync.server.quality.tallies): nothing is recounted here.
        counts = counted_acceptance(conn, project_id=project_id)
        query = (sa.select(TASKS.c.language, TASKS.c.kind, sa.func.count().label("n"))
                 .where(TASKS.c.deleted == sa.false()).group_by(TASKS.c.language, TASKS.c.kind))
        if project_id is not None:
            query = query.where(TASKS.c.project_id == project_id)
        loaded = {(r.language, r.kind): r.n for r in conn.execute(query)}
        progress = {(p.language, p.kind): p for p in language_progress(conn,
                                                                       project_id=project_id)}
        agreements = agreement(conn, project_id=project_id)
        concentrations = concentration(conn, project_id=project_id)
        translated = translation_progress(conn)
    languages = sorted(set(counts.languages) | {lang for lang, _ in [*loaded, *progress]},
                       key=lambda code: language_cell(code, page.ui.tag).name.casefold())
    with read_transaction(page.engine) as conn:  # a language with tasks and no work yet too
        gates = language_gates(conn, counts, languages, project_id=project_id)
    rows, bars = [], []
    for code in languages:
        kinds = counts.languages.get(code, {})
        kind_names = sorted(set(kinds) | {k for (lang, k) in [*loaded, *progress]
                                          if lang == code})
        for kind in kind_names:
            entry = kinds.get(kind, {"submitted": 0, "accepted": 0, "held": 0})
            seen = progress.get((code, kind))
            rows.append({"language": code, "kind": kind, "tasks": loaded.get((code, kind), 0),
                         "drafts": seen.drafts if seen else 0,
                         "reviewed": seen.reviewed if seen else 0,
                         "contributors": seen.contributors if seen else 0, **entry})
        accepted = counts.accepted(code)
        submitted = sum(k["submitted"] for k in kinds.values())
        held = sum(k["held"] for k in kinds.values())
        cell = language_cell(code, page.ui.tag)
        bars.append(Bar(code, cell.name, [("accepted", accepted), ("held", held),
                                          ("submitted", submitted - accepted - held)],
                        marker=gates.get(code),
                        label_lang=""))
    totals = {
        "tasks": sum(loaded.values()),
        "submitted": sum(r["submitted"] for r in rows),
        "accepted": counts.total_accepted,
        "exported": counts.total_exported,
        "passing": len(counts.passing),
        "languages": len(languages),
    }
    quality = [{"language": code, "agreement": agreements.get(code),
                "concentration": concentrations.get(code)} for code in languages
               if code in agreements or code in concentrations]
    return page.render("overview.html", projects=projects, project=project_id or "",
                       rows=rows, totals=totals, quality=quality, passing=counts.passing,
                       gates=gates, translated=translated,
                       chart=bar_chart(bars, direction=page.ui.dir))
