"""One photo contribution approved, through HTTP as people do it: a volunteer logs in, starts a
photo submission for a site, uploads the photo (resumable protocol, one chunk), and a moderator
approves it. Prints the photo's content hash (what the site's page then names).

    python3 benches/approve_one.py URL VOLUNTEER MODERATOR PASSWORD SITE PHOTO
"""
import http.client
import json
import re
import sys
import urllib.parse

base, volunteer, moderator, password, site, photo = sys.argv[1:7]
url = urllib.parse.urlsplit(base)


class Browser:
    def __init__(self, user):
        self.user, self.cookies, self.csrf = user, {}, None

    def request(self, method, path, body=None, headers=None):
        conn = http.client.HTTPConnection(url.hostname, url.port, timeout=120)
        h = dict(headers or {})
        if self.cookies:
            h["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        conn.request(method, path, body=body, headers=h)
        resp = conn.getresponse()
        data = resp.read()
        for k, v in resp.getheaders():
            if k.lower() == "set-cookie":
                name, _, rest = v.partition("=")
                self.cookies[name] = rest.split(";")[0]
        conn.close()
        return resp.status, {k.lower(): v for k, v in resp.getheaders()}, data

    def login(self):
        self.request("GET", "/login")
        form = urllib.parse.urlencode({"csrf": self.cookies["disan_login"], "user": self.user,
                                       "password": password, "next": "/contribute"})
        status, _, _ = self.request("POST", "/login", form,
                                    {"Content-Type": "application/x-www-form-urlencoded"})
        assert status == 303, f"login of {self.user}: HTTP {status}"
        _, _, page = self.request("GET", "/contribute")
        self.csrf = re.search(rb'name="csrf" value="([0-9a-f]+)"', page).group(1).decode()
        return self

    def form(self, path, fields=None):
        body = urllib.parse.urlencode(dict(fields or {}, csrf=self.csrf))
        return self.request("POST", path, body, {"Content-Type": "application/x-www-form-urlencoded"})


vol = Browser(volunteer).login()
status, headers, _ = vol.form(f"/contribute/photos/{site}")
assert status == 303, f"photo submission for {site}: HTTP {status}"
sub = headers["location"].split("?")[0].rsplit("/", 1)[1]
data = open(photo, "rb").read()
declared = json.dumps({"name": "photo.jpg", "size": len(data), "key": f"{sub}-bench",
                       "author": volunteer, "license": "CC-BY-4.0"})
status, _, body = vol.request("POST", f"/contribute/{sub}/uploads", declared,
                              {"X-CSRF-Token": vol.csrf, "Content-Type": "application/json"})
assert status == 200, f"upload declaration: HTTP {status} {body[:200]!r}"
upload = json.loads(body)["upload"]
status, _, body = vol.request("PUT", f"/contribute/{sub}/uploads/{upload}?offset=0", data,
                              {"X-CSRF-Token": vol.csrf})
assert status == 201, f"upload: HTTP {status} {body[:200]!r}"
stored = json.loads(body).get("photo", {})
status, _, _ = Browser(moderator).login().form(f"/moderate/{sub}/approve")
assert status == 303, f"approval: HTTP {status}"
print(stored.get("hash") or stored.get("stored") or "")
