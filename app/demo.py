"""The demo workspace: a project with sample tasks in nine languages (resources/demo).

Seeding is idempotent: task ids are fixed, so running it again adds nothing. The demo
project's guidelines, in English and the interface languages, are also Qalam's general
guidelines (:func:`app.guidelines.general`).
"""

from __future__ import annotations

import json

import resources
from app.store import Store
from app.taskfile import read_task_file

DEMO_PROJECT = "demo"


def seed_demo(store: Store) -> int:
    """Load the demo project and its tasks into ``store``; return how many tasks were new."""
    folder = resources.path("demo")
    project = json.loads((folder / "project.json").read_text(encoding="utf-8"))
    store.upsert_project(
        id=project["id"], name=project["name"], description=project.get("description", ""),
        settings={"dialects": project.get("dialects", {})},
        guidelines=project.get("guidelines", {}),
    )
    tasks = []
    for task_file in sorted((folder / "tasks").glob("*.jsonl")):
        tasks += read_task_file(task_file, project=project["id"])
    return store.add_tasks(tasks)
