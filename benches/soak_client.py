#!/usr/bin/env python3
"""The contributing half of the soak benchmark (benches/soak.sh): volunteers start photo
submissions for real sites and send real photos through the resumable protocol; a moderator
approves each one (a live re-index); slow clients (slowloris: one header byte every few
seconds) and idle connections are held open meanwhile. Stops at the deadline; prints counts.

  soak_client.py BASE_URL PHOTO_DIR SITES_FILE SECONDS PASSWORD"""
import http.client, json, os, random, re, socket, sys, threading, time, urllib.parse

base, photo_dir, sites_file, seconds, password = sys.argv[1:6]
deadline = time.time() + float(seconds)
url = urllib.parse.urlparse(base)
photos = [os.path.join(photo_dir, f) for f in sorted(os.listdir(photo_dir)) if f.lower().endswith(".jpg")]
sites = [line.strip() for line in open(sites_file) if line.strip()]
counts = {"submissions": 0, "uploads": 0, "approved": 0, "errors": 0, "slow_dropped": 0}
lock = threading.Lock()

def count(key, n=1):
    with lock:
        counts[key] += n

class Browser:
    def __init__(self, user):
        self.cookies = {}
        self.csrf = None
        self.user = user

    def request(self, method, path, body=None, headers=None):
        conn = http.client.HTTPConnection(url.hostname, url.port, timeout=60)
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
        return resp.status, dict((k.lower(), v) for k, v in resp.getheaders()), data

    def login(self):
        self.request("GET", "/login")
        token = self.cookies["disan_login"]
        form = urllib.parse.urlencode({"csrf": token, "user": self.user, "password": password, "next": "/contribute"})
        status, _, _ = self.request("POST", "/login", form, {"Content-Type": "application/x-www-form-urlencoded"})
        assert status == 303, f"login of {self.user}: {status}"
        _, _, page = self.request("GET", "/contribute")
        self.csrf = re.search(rb'name="csrf" value="([0-9a-f]+)"', page).group(1).decode()

    def form(self, path, fields):
        fields = dict(fields, csrf=self.csrf)
        return self.request("POST", path, urllib.parse.urlencode(fields), {"Content-Type": "application/x-www-form-urlencoded"})

def volunteer(name, moderator):
    b = Browser(name)
    b.login()
    rng = random.Random(name)
    while time.time() < deadline:
        try:
            site = rng.choice(sites)
            status, headers, _ = b.form(f"/contribute/photos/{site}", {})
            if status != 303:
                count("errors"); time.sleep(1); continue
            sub = headers["location"].split("?")[0].rsplit("/", 1)[1]
            count("submissions")
            data = open(rng.choice(photos), "rb").read()
            decl = json.dumps({"name": "soak.jpg", "size": len(data), "key": f"{sub}-{time.time()}",
                               "author": name, "license": "CC-BY-4.0"})
            status, _, body = b.request("POST", f"/contribute/{sub}/uploads", decl,
                                        {"X-CSRF-Token": b.csrf, "Content-Type": "application/json"})
            if status != 200:
                count("errors"); time.sleep(1); continue
            upload = json.loads(body)["upload"]
            status, _, _ = b.request("PUT", f"/contribute/{sub}/uploads/{upload}?offset=0", data,
                                     {"X-CSRF-Token": b.csrf})
            if status != 201:
                count("errors"); continue
            count("uploads")
            status, _, _ = moderator.form(f"/moderate/{sub}/approve", {})
            count("approved" if status == 303 else "errors")
        except Exception as e:  # a refused connection during the restart
            count("errors"); time.sleep(1)

def slowloris(n):
    held = []
    while time.time() < deadline:
        while len(held) < n:
            try:
                s = socket.create_connection((url.hostname, url.port), timeout=5)
                s.sendall(b"GET / HTTP/1.1\r\nHost: x\r\n")
                held.append(s)
            except OSError:
                time.sleep(0.5); break
        time.sleep(3)
        for s in list(held):
            try:
                s.sendall(b"X-a: b\r\n")
            except OSError:
                held.remove(s); count("slow_dropped")
    for s in held:
        s.close()

def idle(n):
    held = []
    for _ in range(n):
        try:
            held.append(socket.create_connection((url.hostname, url.port), timeout=5))
        except OSError:
            break
    while time.time() < deadline:
        time.sleep(1)
    for s in held:
        s.close()

moderator = Browser("soakmod")
moderator.login()
threads = [threading.Thread(target=volunteer, args=(f"soak{i}", moderator)) for i in range(4)]
threads += [threading.Thread(target=slowloris, args=(200,)), threading.Thread(target=idle, args=(500,))]
for t in threads:
    t.start()
for t in threads:
    t.join()
print(json.dumps(counts))
