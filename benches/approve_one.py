"""One photo contribution approved, through HTTP as people do it: a volunteer logs in, starts a
photo submission for a site, uploads the photo (resumable protocol, one chunk), and a moderator
approves it. Prints the photo's content hash (what the site's page then names).

    python3 benches/approve_one.py URL VOLUNTEER MODERATOR PASSWORD SITE PHOTO
"""
import json
import os
import sys

# The same logged-in browser the chaos benchmark's volunteers use.
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from chaos_client import Browser  # noqa: E402

base, volunteer, moderator, password, site, photo = sys.argv[1:7]


def logged_in(user):
    browser = Browser(base, user, password)
    browser.login()
    return browser


vol = logged_in(volunteer)
status, headers, _ = vol.form(f"/contribute/photos/{site}", {})
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
status, _, _ = logged_in(moderator).form(f"/moderate/{sub}/approve", {})
assert status == 303, f"approval: HTTP {status}"
print(stored.get("hash") or stored.get("stored") or "")
