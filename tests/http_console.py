"""The admin console over real HTTP (requests), for tests against running servers: an admin
made by the CLI, signing in, upload → preview → confirm, rollback."""

import os
import re
import subprocess
import sys

import requests

from tests.processes import ROOT

PASSWORD = "a long and unusual passphrase 7"
TOKEN = re.compile(r'name="csrf_token" value="([^"]+)"')
SHA256 = re.compile(r'name="sha256" value="([0-9a-f]{64})"')


def create_admin(database: str, username: str = "admin") -> None:
    """`flask admin create USERNAME --password-stdin` on `database`, as an operator does."""
    subprocess.run([sys.executable, "-m", "flask", "--app", "wsgi", "admin", "create", username,
                    "--password-stdin"], input=PASSWORD.encode(), cwd=ROOT, check=True,
                   env=os.environ | {"LOCATOR_DATABASE": database}, capture_output=True)


def csrf(html: str) -> str:
    """The CSRF token in a console form."""
    return TOKEN.search(html).group(1)


class Console:
    """One admin's browser: a requests session signed in on the server at `url`. Its cookies
    (the session, read-your-writes) go to any other server given as `url` to a call."""

    def __init__(self, url: str, username: str = "admin"):
        """Sign in through the login form."""
        self.url, self.session = url, requests.Session()
        self.session.headers["Accept-Language"] = "en"
        token = csrf(self.get("/admin/login").text)
        response = self.session.post(self.url + "/admin/login", timeout=60, data={
            "csrf_token": token, "username": username, "password": PASSWORD})
        assert response.status_code == 200 and "/admin/login" not in response.url, response.text

    def get(self, path: str, url: str | None = None) -> requests.Response:
        """GET a path on this console's server (or on the server at `url`)."""
        return self.session.get((url or self.url) + path, timeout=60)

    def preview(self, data: bytes, filename: str, url: str | None = None) -> str:
        """Upload a file for a replace on a server; the sha256 its preview's confirm names."""
        url = url or self.url
        token = csrf(self.get("/admin/upload", url).text)
        response = self.session.post(url + "/admin/upload", timeout=120, files={
            "file": (filename, data)}, data={"csrf_token": token, "mode": "replace"})
        assert response.status_code == 200, response.text[:500]
        return SHA256.search(response.text).group(1)

    def confirm(self, sha256: str, url: str | None = None) -> requests.Response:
        """Confirm a previewed upload on a server; the history page it leads to."""
        url = url or self.url
        token = csrf(self.get("/admin/upload", url).text)
        response = self.session.post(url + "/admin/upload/confirm", timeout=120, data={
            "csrf_token": token, "sha256": sha256, "accept_removal": "1"})
        assert response.status_code == 200 and response.url.endswith("/admin/history"), \
            response.text[:500]
        return response

    def rollback(self, number: int, url: str | None = None) -> requests.Response:
        """Roll back to version `number` on a server; the page it leads to."""
        url = url or self.url
        path = f"/admin/history/{number}/rollback"
        response = self.session.post(url + path, timeout=120,
                                     data={"csrf_token": csrf(self.get(path, url).text)})
        assert response.status_code == 200, response.text[:500]
        return response
