"""A dashboard with work in it, on real uvicorn, for checks in a real browser:

    with Scene(folder) as scene:                   # a SQLite file in folder, seeded
        cookie = scene.cookie("ur")                # Farida's session, UI in Urdu
        page.goto(scene.url("/dashboard/overview"))

Urdu work from two annotators (a flag, a review, an audit sample), and a Thai project: tasks,
a Thai annotator with a Thai name, her submissions, her enrollment code, guidelines in Thai.
"""

from __future__ import annotations

import warnings
from pathlib import Path

from sync.server import db
from sync.server.api.factory import create_app
from sync.server.people import server_identity, users
from sync.server.web import sessions
from sync.server.work import imports, projects
from tests.server.helpers import LiveServer, Server
from tests.web.helpers import PASSWORD

PAGES = ["/dashboard/overview", "/dashboard/backlog", "/dashboard/flagged",
         "/dashboard/people", "/dashboard/import", "/dashboard/export",
         "/dashboard/enrollment", "/dashboard/audits", "/dashboard/health",
         "/dashboard/projects", "/dashboard/log", "/dashboard/items"]
THAI_TASKS = [
    {"inputs": "เมืองหลวงของประเทศไทยคืออะไร", "targets": "กรุงเทพมหานคร",
     "language_code": "tha", "script": "Thai"},
    {"inputs": "เขียนกลอนสั้น ๆ เกี่ยวกับฝน", "targets": "ฝนตกพรำ ๆ ชุ่มฉ่ำใจ",
     "language_code": "tha", "script": "Thai"},
]
THAI_NAME = "สมศรี ใจดี"


def seed(engine, folder: Path) -> dict:
    """Returns the ids of an Urdu and a Thai submission."""
    from tests.web.test_dashboard import seed as seed_urdu

    urdu = seed_urdu(engine)["items"][2]["id"]
    projects.create_project(engine, "aya-tha", name="ชุดข้อมูลภาษาไทย")
    task_file = folder / "tha.jsonl"
    import json

    task_file.write_text("".join(json.dumps(t, ensure_ascii=False) + "\n" for t in THAI_TASKS),
                         encoding="utf-8")
    imports.import_file(engine, task_file, project_id="aya-tha", kind="original")
    projects.set_guideline(engine, "aya-tha", kind="original", language="tha_Thai",
                           text="เขียนคำถามและคำตอบเป็นภาษาไทยที่เป็นธรรมชาติ")
    with Server(engine) as harness:
        somsri = harness.member("annotator", languages=["tha_Thai"], name=THAI_NAME)
        thai = [somsri.submission(language="tha_Thai", inputs=t["inputs"],
                                  targets=t["targets"]) for t in THAI_TASKS]
        somsri.push(thai)
    users.invite(engine, name="Farida", role="coordinator")
    sessions.set_password(engine, "Farida", PASSWORD)
    return {"urdu": urdu, "thai": thai[0]["id"]}


class Scene:
    def __init__(self, folder: Path):
        self.folder = folder
        path = folder / "server.db"
        self.engine = db.create_engine(f"sqlite:///{path}")
        db.migrate(self.engine)
        server_identity.ensure_server_identity(self.engine)
        self.items = seed(self.engine, folder)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            self.live = LiveServer(create_app(self.engine))

    def __enter__(self) -> Scene:
        return self

    def __exit__(self, *exc) -> None:
        self.live.__exit__(*exc)
        self.engine.dispose()

    def url(self, path: str) -> str:
        return f"{self.live.url}{path}"

    def cookie(self, ui: str = "en") -> dict:
        """A session cookie for Farida, a coordinator, with the UI in ``ui``."""
        _session, value = sessions.sign_in(self.engine, name="Farida", password=PASSWORD,
                                           client="127.0.0.1", language=ui)
        return {"name": "qalam_session", "value": value, "url": self.live.url}

    def item_pages(self) -> list[str]:
        """A Thai item's page of feedback and its item page, a comment in its thread, and an
        Urdu item's page of feedback."""
        import sqlalchemy as sa

        from sync.server import tables
        from sync.server.people.auditlog import Actor
        from sync.server.work import feedback

        with self.engine.connect() as conn:
            item_id = conn.execute(sa.select(tables.submissions.c.id).where(
                tables.submissions.c.language == "tha_Thai").limit(1)).scalar_one()
        if not feedback.thread(self.engine, item_id):
            farida = users.get_user(self.engine, "Farida")
            feedback.comment(self.engine, item_id, "ช่วยเพิ่มรายละเอียดอีกหน่อย",
                             by=Actor("Farida", address="127.0.0.1", user_id=farida.id))
        # and an Urdu item, its text in Nastaliq
        return [f"/dashboard/items/{item_id}/feedback", f"/dashboard/items/{item_id}",
                f"/dashboard/items/{self.items['urdu']}/feedback",
                f"/dashboard/items/{self.items['urdu']}",
                "/dashboard/items?q=%E0%B8%81%E0%B8%A3%E0%B8%B8%E0%B8%87%E0%B9%80%E0%B8%97%E0%B8%9E"
                "%E0%B8%A1%E0%B8%AB%E0%B8%B2%E0%B8%99%E0%B8%84%E0%B8%A3",   # กรุงเทพมหานคร
                "/dashboard/items?q=%D8%AC%D9%88%D8%A7%D8%A8"]               # جواب

    def thai_pages(self) -> list[str]:
        return ["/dashboard/overview?project=aya-tha", "/dashboard/projects/aya-tha"]
