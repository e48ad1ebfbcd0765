#!/usr/bin/env python3
"""The two Python halves of the chaos benchmark (benches/chaos.sh), standard library only.

  chaos_client.py contribute BASE_URL PHOTO_DIR|- SITES_FILE SECONDS PASSWORD OUT_DIR [WARMUP]
      Volunteers start photo submissions for real sites and send photos through the resumable
      protocol; a moderator approves each one. Every photo sent is made unique (a JPEG comment
      carrying a serial number), so that "present exactly once" can be checked by content hash.
      PHOTO_DIR `-` makes small JPEGs itself. WARMUP approvals are made first, then OUT_DIR/ready
      is written, and the SECONDS start when OUT_DIR/go appears. Writes, in OUT_DIR:
        uploads/<submission>.jpg   the exact bytes sent, for each approved photo
        approved.tsv               submission, site, sha256, how it was confirmed
        approvals.log              one line per approval as it returns (chaos.sh watches it to
                                   kill the primary while it publishes)
        counts.json                what happened, at the end
      A request that fails because the primary is down is retried; an approval whose answer was
      lost is sent again until the primary answers: 303 (approved now) or 409 (approved by the
      first attempt) — so every approval the primary took is known.

  chaos_client.py lag PRIMARY_URL REPLICA_URL... --out FILE --stop FILE
      Polls the primary's and the replicas' /healthz every 100 ms until FILE `--stop` exists:
      for each generation the primary publishes, when each replica first serves it (or a newer
      one). A replica's clock starts when the primary is seen with the generation, or when the
      replica came back up if it was down then. Writes a JSON summary to --out."""
import hashlib, http.client, json, os, random, re, struct, sys, threading, time, urllib.parse

lock = threading.Lock()


def now():
    return time.time()


# ---------------------------------------------------------------- photos

def tiny_jpeg(seed):
    """A valid baseline greyscale JPEG, 256×192, in 8×8 blocks of flat grey (DC only): enough
    for Disan to decode and make derivatives of, when there are no real photos at hand."""
    w, h = 256, 192
    rng = random.Random(seed)

    def segment(marker, payload):
        return struct.pack(">BBH", 0xFF, marker, len(payload) + 2) + payload

    dc_bits = [0, 1, 5, 1, 1, 1, 1, 1, 1, 0, 0, 0, 0, 0, 0, 0]
    dc_vals = list(range(12))
    # One AC symbol is enough: end-of-block (0x00), code `0`.
    ac_bits = [1] + [0] * 15
    ac_vals = [0]

    def codes(bits, vals):
        table, code, k = {}, 0, 0
        for length in range(1, 17):
            for _ in range(bits[length - 1]):
                table[vals[k]] = (code, length)
                code += 1
                k += 1
            code <<= 1
        return table

    dc, ac = codes(dc_bits, dc_vals), codes(ac_bits, ac_vals)
    out = bytearray(b"\xff\xd8")
    out += segment(0xDB, bytes([0]) + bytes([1] * 64))  # quantisation: all ones
    out += segment(0xC0, struct.pack(">BHHB", 8, h, w, 1) + bytes([1, 0x11, 0]))
    out += segment(0xC4, bytes([0x00] + dc_bits + dc_vals))
    out += segment(0xC4, bytes([0x10] + ac_bits + ac_vals))
    out += segment(0xDA, bytes([1, 1, 0x00, 0, 63, 0]))
    acc, nbits, data = 0, 0, bytearray()

    def put(value, length):
        nonlocal acc, nbits
        acc = (acc << length) | value
        nbits += length
        while nbits >= 8:
            byte = (acc >> (nbits - 8)) & 0xFF
            data.append(byte)
            if byte == 0xFF:
                data.append(0)
            nbits -= 8
        acc &= (1 << nbits) - 1

    prev = 0
    base = rng.randrange(40, 200)
    for by in range(h // 8):
        for bx in range(w // 8):
            level = max(0, min(255, base + (bx - by) * 3 + rng.randrange(-8, 8)))
            value = (level - 128) * 8
            diff, prev = value - prev, value
            size = abs(diff).bit_length()
            put(*dc[size])
            if size:
                put(diff if diff > 0 else diff + (1 << size) - 1, size)
            put(*ac[0])
    if nbits:
        put((1 << (8 - nbits)) - 1, 8 - nbits)
    return bytes(out + data + b"\xff\xd9")


def unique(photo, serial):
    """The photo with a JPEG comment (COM) right after its start marker: other bytes, same image."""
    text = f"disan chaos test, photo {serial}, {os.getpid()}".encode()
    return photo[:2] + struct.pack(">BBH", 0xFF, 0xFE, len(text) + 2) + text + photo[2:]


# ---------------------------------------------------------------- contributing

class Browser:
    def __init__(self, base, user, password):
        self.url = urllib.parse.urlparse(base)
        self.user, self.password = user, password
        self.cookies, self.csrf = {}, None

    def request(self, method, path, body=None, headers=None):
        conn = http.client.HTTPConnection(self.url.hostname, self.url.port, timeout=120)
        try:
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
            return resp.status, {k.lower(): v for k, v in resp.getheaders()}, data
        finally:
            conn.close()

    def login(self):
        self.request("GET", "/login")
        form = urllib.parse.urlencode({"csrf": self.cookies["disan_login"], "user": self.user,
                                       "password": self.password, "next": "/contribute"})
        status, _, _ = self.request("POST", "/login", form, {"Content-Type": "application/x-www-form-urlencoded"})
        if status != 303:
            raise RuntimeError(f"login of {self.user}: {status}")
        _, _, page = self.request("GET", "/contribute")
        self.csrf = re.search(rb'name="csrf" value="([0-9a-f]+)"', page).group(1).decode()

    def form(self, path, fields):
        fields = dict(fields, csrf=self.csrf)
        return self.request("POST", path, urllib.parse.urlencode(fields),
                            {"Content-Type": "application/x-www-form-urlencoded"})


class Contributors:
    def __init__(self, base, photo_dir, sites_file, password, out):
        self.base, self.password, self.out = base, password, out
        if photo_dir == "-":
            self.photos = [tiny_jpeg(i) for i in range(8)]
        else:
            names = sorted(f for f in os.listdir(photo_dir) if f.lower().endswith((".jpg", ".jpeg")))
            self.photos = [open(os.path.join(photo_dir, f), "rb").read() for f in names]
        if not self.photos:
            raise SystemExit(f"no photos in {photo_dir}")
        self.sites = [line.strip() for line in open(sites_file) if line.strip()]
        self.counts = {"submissions": 0, "uploads": 0, "approved": 0, "approved_on_retry": 0,
                       "approval_retries": 0, "errors": 0, "relogins": 0}
        self.serial = 0
        self.deadline = None
        os.makedirs(os.path.join(out, "uploads"), exist_ok=True)
        self.approved = open(os.path.join(out, "approved.tsv"), "a", buffering=1)
        self.approvals = open(os.path.join(out, "approvals.log"), "a", buffering=1)
        self.errors = open(os.path.join(out, "errors.log"), "a", buffering=1)
        self.moderator = self.logged_in("chaosmod")
        self.mod_lock = threading.Lock()

    def count(self, key, n=1):
        with lock:
            self.counts[key] += n

    def error(self, what):
        self.count("errors")
        with lock:
            self.errors.write(f"{now():.3f} {what}\n")

    def logged_in(self, user):
        # The primary may be down (killed, restarting): keep trying.
        while True:
            b = Browser(self.base, user, self.password)
            try:
                b.login()
                return b
            except Exception as e:
                self.error(f"login {user}: {e!r}")
                time.sleep(1)

    def next_photo(self, rng):
        with lock:
            self.serial += 1
            serial = self.serial
        return unique(rng.choice(self.photos), serial)

    def approve(self, sub):
        """Approves until the primary says it is done; returns how, or None when the run ends."""
        first = True
        while True:
            try:
                with self.mod_lock:
                    status, headers, _ = self.moderator.form(f"/moderate/{sub}/approve", {})
            except Exception as e:
                status, headers = None, {}
                self.error(f"approve {sub}: {e!r}")
            if status == 303 and "/login" in headers.get("location", ""):
                self.count("relogins")
                self.moderator = self.logged_in("chaosmod")
                continue
            if status == 303:
                return "approved" if first else "approved on retry"
            if status == 409 and not first:
                # The first attempt's answer was lost, but the primary had taken it.
                return "approved before the answer was lost"
            if status is not None:
                self.error(f"approve {sub}: HTTP {status}")
            if status == 409 or now() > self.deadline + 60:
                return None
            first = False
            self.count("approval_retries")
            time.sleep(0.5)

    def one(self, b, rng, name):
        """One photo submission, from start to approval; False when it had to be abandoned."""
        site = rng.choice(self.sites)
        status, headers, _ = b.form(f"/contribute/photos/{site}", {})
        if status != 303 or "/login" in headers.get("location", "/login"):
            self.error(f"start {site}: HTTP {status} {headers.get('location')}")
            time.sleep(0.5)  # the primary is down or restarting: no need to spin
            return False
        sub = headers["location"].split("?")[0].rsplit("/", 1)[1]
        self.count("submissions")
        data = self.next_photo(rng)
        decl = json.dumps({"name": "chaos.jpg", "size": len(data), "key": f"{sub}-{now()}",
                           "author": name, "license": "CC-BY-4.0", "share_position": True})
        status, _, body = b.request("POST", f"/contribute/{sub}/uploads", decl,
                                    {"X-CSRF-Token": b.csrf, "Content-Type": "application/json"})
        if status != 200:
            self.error(f"declare {sub}: HTTP {status} {body[:200]!r}")
            time.sleep(0.5)
            return False
        upload = json.loads(body)["upload"]
        status, _, body = b.request("PUT", f"/contribute/{sub}/uploads/{upload}?offset=0", data,
                                    {"X-CSRF-Token": b.csrf})
        if status != 201:
            self.error(f"upload {sub}: HTTP {status} {body[:200]!r}")
            time.sleep(0.5)
            return False
        self.count("uploads")
        # Kept before approving: an approval whose answer is lost may still have happened.
        path = os.path.join(self.out, "uploads", f"{sub}.jpg")
        with open(path, "wb") as f:
            f.write(data)
        how = self.approve(sub)
        if how is None:
            os.remove(path)
            return False
        with lock:
            self.counts["approved"] += 1
            if how != "approved":
                self.counts["approved_on_retry"] += 1
            self.approvals.write(f"{now():.3f} {sub} {site}\n")
            self.approved.write(f"{sub}\t{site}\t{hashlib.sha256(data).hexdigest()}\t{how}\n")
        return True

    def volunteer(self, name, until):
        b = self.logged_in(name)
        rng = random.Random(name)
        while now() < until():
            try:
                self.one(b, rng, name)
            except Exception as e:  # a refused or reset connection while the primary restarts
                self.error(f"{name}: {e!r}")
                time.sleep(1)
                if b.csrf is None or "disan_session" not in b.cookies:
                    b = self.logged_in(name)

    def run(self, seconds, warmup, volunteers=3):
        # The warm-up: a few approved photos before the clock starts, so that the read load has
        # photos to fetch.
        self.deadline = now() + 600
        warm = self.logged_in("chaos0")
        rng = random.Random("warmup")
        done = 0
        while done < warmup:
            if self.one(warm, rng, "chaos0"):
                done += 1
        open(os.path.join(self.out, "ready"), "w").close()
        # The clock starts when the load does (chaos.sh writes `go`).
        while not os.path.exists(os.path.join(self.out, "go")):
            time.sleep(0.05)
        self.deadline = now() + seconds
        threads = [threading.Thread(target=self.volunteer, args=(f"chaos{i}", lambda: self.deadline))
                   for i in range(volunteers)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        with open(os.path.join(self.out, "counts.json"), "w") as f:
            json.dump(self.counts, f)
        print(json.dumps(self.counts))


# ---------------------------------------------------------------- replica lag

def healthz(url):
    """(HTTP status, or None when refused, or "slow"; generation or None)."""
    u = urllib.parse.urlparse(url)
    try:
        conn = http.client.HTTPConnection(u.hostname, u.port, timeout=2)
        conn.request("GET", "/healthz")
        resp = conn.getresponse()
        body = resp.read()
        conn.close()
        try:
            generation = json.loads(body).get("generation")
        except ValueError:
            generation = None
        return resp.status, generation
    except TimeoutError:
        # A server busy under the load is not a server down: no sample.
        return "slow", None
    except OSError:
        return None, None


def lag(primary, replicas, out, stop):
    published = {}          # generation → when the primary was first seen serving it
    reached = {r: {} for r in replicas}    # replica → generation → when
    up_since = {r: None for r in replicas}  # when the replica last came (back) up
    downs = {r: 0 for r in replicas}
    samples = 0
    start = now()
    while not os.path.exists(stop):
        t = now()
        status, g = healthz(primary)
        if status == 200 and isinstance(g, int) and g > 0 and g not in published:
            published[g] = t
        for r in replicas:
            status, g = healthz(r)
            if status == "slow":
                continue
            if status != 200 or not isinstance(g, int):
                if up_since[r] is not None:
                    downs[r] += 1
                up_since[r] = None
                continue
            if up_since[r] is None:
                up_since[r] = t
            for gen in list(published) + [g]:
                if gen <= g and gen not in reached[r]:
                    reached[r][gen] = (t, up_since[r])
        samples += 1
        time.sleep(max(0.0, 0.1 - (now() - t)))
    end = now()
    summary = {"start": start, "seconds": round(end - start, 1), "samples": samples,
               "generations": sorted(published),
               "published_at": {g: round(t, 3) for g, t in sorted(published.items())},
               "replicas": {}}
    for r in replicas:
        lags, missing = [], []
        for gen, t0 in sorted(published.items()):
            if gen in reached[r]:
                t, up = reached[r][gen]
                lags.append((gen, round(max(0.0, t - max(t0, up or t0)), 2)))
            else:
                missing.append((gen, round(end - t0, 1)))
        summary["replicas"][r] = {
            "max_lag": max((l for _, l in lags), default=0.0),
            "lags": lags, "not_reached": missing, "went_down": downs[r],
        }
    with open(out, "w") as f:
        json.dump(summary, f, indent=1)


if __name__ == "__main__":
    mode = sys.argv[1] if len(sys.argv) > 1 else ""
    if mode == "contribute" and len(sys.argv) in (8, 9):
        base, photo_dir, sites_file, seconds, password, out = sys.argv[2:8]
        warmup = int(sys.argv[8]) if len(sys.argv) == 9 else 0
        Contributors(base, photo_dir, sites_file, password, out).run(float(seconds), warmup)
    elif mode == "lag":
        import argparse
        p = argparse.ArgumentParser(usage=__doc__)
        p.add_argument("primary")
        p.add_argument("replicas", nargs="+")
        p.add_argument("--out", required=True)
        p.add_argument("--stop", required=True)
        a = p.parse_args(sys.argv[2:])
        lag(a.primary, a.replicas, a.out, a.stop)
    else:
        sys.exit(__doc__)
