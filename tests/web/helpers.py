"""The dashboard under test and the people signing in to it, so tests read as usage:

    farida = dashboard.coordinator()              # made, given a password, signed in
    page = farida.get("/dashboard/people")
    farida.post("/dashboard/people/block", {"user": "u1", "reason": "spam"})   # CSRF added
"""

from __future__ import annotations

import itertools
import re
import warnings

with warnings.catch_warnings():  # Starlette suggests httpx2; httpx is what the project uses
    warnings.simplefilter("ignore")
    from starlette.testclient import TestClient

from sync.server.api.factory import create_app
from sync.server.people import users
from sync.server.web import sessions

PASSWORD = "a long enough password"
_names = itertools.count(1)
_CSRF = re.compile(r'name="csrf" value="([^"]+)"')


class Dashboard:
    def __init__(self, engine):
        self.engine = engine
        self.app = create_app(engine)

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        return None

    def client(self) -> TestClient:
        return TestClient(self.app, raise_server_exceptions=True, follow_redirects=False,
                          base_url="http://testserver")

    def person(self, role: str, *, name: str | None = None, languages=("urd_Arab",),
               password: str | None = PASSWORD) -> users.User:
        name = name or f"{role}-{next(_names)}"
        user, _code, _ = users.invite(self.engine, name=name, role=role,
                                      languages=list(languages))
        if password and role in sessions.DASHBOARD_ROLES:
            sessions.set_password(self.engine, name, password)
        return user

    def browser(self) -> Browser:
        return Browser(self.client())

    def coordinator(self, **kwargs) -> Browser:
        user = self.person("coordinator", **kwargs)
        browser = self.browser()
        browser.sign_in(user.name, PASSWORD)
        browser.user = user
        return browser

    def auditor(self, **kwargs) -> Browser:
        user = self.person("auditor", **kwargs)
        browser = self.browser()
        browser.sign_in(user.name, PASSWORD)
        browser.user = user
        return browser


class Browser:
    """One person's browser: a cookie jar, and forms sent with the page's CSRF token."""

    def __init__(self, client: TestClient):
        self.client = client
        self.csrf = ""
        self.user = None

    def get(self, path: str, **kwargs):
        response = self.client.get(path, **kwargs)
        found = _CSRF.search(response.text)
        if found:
            self.csrf = found.group(1)
        return response

    def post(self, path: str, data: dict | None = None, *, csrf: bool = True, **kwargs):
        if csrf and not self.csrf:
            self.get("/dashboard/health")
        data = dict(data or {})
        if csrf:
            data.setdefault("csrf", self.csrf)
        return self.client.post(path, data=data, **kwargs)

    def sign_in(self, name: str = "", password: str = "", *, token: str = "",
                next: str = ""):
        form = self.get("/dashboard/sign-in")
        assert form.status_code == 200, form.text
        response = self.client.post("/dashboard/sign-in", data={
            "csrf": self.csrf, "name": name, "password": password, "token": token,
            "next": next})
        if response.status_code == 303:
            self.csrf = ""
        return response
