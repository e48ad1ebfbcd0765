// Disan with no signal, in a real browser at a phone viewport, the network cut and slowed
// through the DevTools protocol (pages and the service worker alike, see network.mjs):
//
// - the app is installable (Chromium's own check) and the first visit installs the worker
//   after the page has loaded, keeping only the shell;
// - (a) a site opened online reads offline, marked as a saved copy from a given time; on slow
//   3G the saved copy answers within the timeout; a page never opened shows the offline page;
// - (b) a province pack saved (with its progress shown, on slow 3G) is searched offline:
//   accent-free, NFD and mistyped queries, suggestions while typing, its sites' pages with
//   thumbnails, "near me" by distance;
// - (c) a volunteer proposes a site with two photos offline, closes the page, and the network
//   returns: it arrives in the inbox once, with the photos byte for byte; the same with the
//   network cut half-way through the upload; a session that ended meanwhile keeps the draft
//   until the volunteer logs in again;
// - (d) after an approval, the next online visit shows the new site, the stale lists and
//   answers are gone from the caches, and the saved pack is updated by the communes that
//   changed;
// - (e) nothing private or cookie-bearing is ever in Cache Storage (looked at from the test).
//
// Usage: node offline.mjs BASE_URL SCREENSHOT_DIR ARCHIVE_DIR PHOTO... (at least 6 photos)
// Accounts `volunteer` and `moderator` must exist with the password in $DISAN_E2E_PASSWORD.
import { launch, launchProfile, PHONE, Steps } from "./harness.mjs";
import { network } from "./network.mjs";
import assert from "node:assert/strict";
import crypto from "node:crypto";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";

const [base, shots, archive, ...photos] = process.argv.slice(2);
const password = process.env.DISAN_E2E_PASSWORD;
assert.ok(password, "DISAN_E2E_PASSWORD is not set");
assert.ok(photos.length >= 6, "six photo files are needed");
const origin = new URL(base).origin;
const HOA_LU = { latitude: 20.2506, longitude: 105.9745 };
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const sha256 = (file) => crypto.createHash("sha256").update(fs.readFileSync(file)).digest("hex");

const browser = await launch();
const steps = new Steps();
const step = (name, fn) => steps.run(name, fn);

// One phone: its own browser profile, network and record of what it saw.
async function phone(who) {
  const context = await browser.newContext({ ...PHONE, locale: "vi-VN", geolocation: HOA_LU, permissions: ["geolocation"] });
  const net = await network(browser, context);
  const seen = { errors: [], cookies: new Set(), thirdParty: [] };
  const watchPage = (page) => {
    page.on("pageerror", (e) => seen.errors.push(`${who}: script error: ${e.message}`));
    page.on("request", (r) => {
      const url = r.url();
      if (!url.startsWith(origin) && !url.startsWith("data:") && !url.startsWith("blob:")) seen.thirdParty.push(url);
    });
    page.on("response", async (r) => {
      if (await r.headerValue("set-cookie").catch(() => null)) seen.cookies.add(r.url());
    });
  };
  context.on("page", watchPage);
  context.on("serviceworker", (w) => w.on("console", (m) => m.type() === "error" && seen.errors.push(`${who}: worker: ${m.text()}`)));
  const page = await context.newPage();
  const shot = (p, name) => p.screenshot({ path: path.join(shots, `offline-${who}-${name}.png`), fullPage: true });
  return { context, net, page, seen, shot };
}

// Everything in Cache Storage: each entry's URL and the headers it was stored with.
function cacheStorage(page) {
  return page.evaluate(async () => {
    const out = [];
    for (const name of await caches.keys()) {
      const cache = await caches.open(name);
      for (const req of await cache.keys()) {
        const res = await cache.match(req);
        out.push({ cache: name, url: req.url, cacheControl: res.headers.get("cache-control"), catalog: res.headers.get("x-disan-catalog") });
      }
    }
    return out;
  });
}

// What the worker says is saved (the same list the offline page shows).
function saved(page) {
  return page.evaluate(() => navigator.serviceWorker.ready.then((reg) => new Promise((ok) => {
    const ch = new MessageChannel();
    ch.port1.onmessage = (e) => ok(e.data);
    reg.active.postMessage({ cmd: "list" }, [ch.port2]);
  })));
}

async function until(what, check, timeout = 60000) {
  const end = Date.now() + timeout;
  for (;;) {
    const value = await check();
    if (value) return value;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await sleep(250);
  }
}

// The inbox as the server wrote it: submissions with their photos' SHA-256.
function inbox() {
  const dir = path.join(archive, "inbox");
  if (!fs.existsSync(dir)) return [];
  return fs.readdirSync(dir).filter((n) => !n.startsWith(".")).map((id) => {
    const file = path.join(dir, id, "submission.json");
    if (!fs.existsSync(file)) return { id, name: null, photos: [] };
    const s = JSON.parse(fs.readFileSync(file, "utf8"));
    const name = s.proposal.record ? s.proposal.record.name : null;
    return { id, name, submitter: s.submitter, status: s.status, photos: s.photos.map((p) => sha256(path.join(dir, id, "photos", p.stored))) };
  });
}

async function logIn(page, name) {
  await page.goto(base + "/login");
  await page.fill("#user", name);
  await page.fill("#password", password);
  await Promise.all([page.waitForURL(/\/contribute/), page.click("form button[type=submit]")]);
}

const visitor = await phone("visitor");

await step("first visit: the page loads, then the worker installs and keeps only the shell", async () => {
  const page = visitor.page;
  await page.goto(base + "/");
  await page.evaluate(() => navigator.serviceWorker.ready);
  const entries = await cacheStorage(page);
  const names = [...new Set(entries.map((e) => e.cache))];
  assert.deepEqual(names.map((n) => n.replace(/-[0-9a-f]+$/, "")), ["disan-shell"], "only the shell cache");
  const paths = entries.map((e) => new URL(e.url).pathname + new URL(e.url).search);
  for (const wanted of ["/offline", "/offline?lang=en", "/manifest.webmanifest"]) assert.ok(paths.includes(wanted), `${wanted} in the shell: ${paths}`);
  assert.ok(paths.every((p) => p.startsWith("/offline") || p.startsWith("/static/") || p.startsWith("/manifest")), `nothing else: ${paths}`);
});

await step("Chromium's installability check passes", async () => {
  // Chromium never offers to install from an incognito profile, which a new context is: this
  // check gets a profile of its own on disk.
  const profile = fs.mkdtempSync(path.join(os.tmpdir(), "disan-install-"));
  const context = await launchProfile(profile, { ...PHONE, locale: "vi-VN" });
  const page = context.pages()[0] || (await context.newPage());
  await page.goto(base + "/");
  await page.evaluate(() => navigator.serviceWorker.ready);
  await page.reload();
  const cdp = await context.newCDPSession(page);
  const { url, errors, data } = await cdp.send("Page.getAppManifest");
  assert.ok(url.endsWith("/manifest.webmanifest"), url);
  assert.deepEqual(errors, [], "the manifest parses cleanly");
  const manifest = JSON.parse(data);
  assert.equal(manifest.display, "standalone");
  assert.ok(manifest.icons.some((i) => i.purpose === "maskable" && i.sizes === "512x512"));
  const { installabilityErrors } = await until("the installability check", async () => {
    const answer = await cdp.send("Page.getInstallabilityErrors");
    return answer.installabilityErrors.length === 0 ? answer : (await sleep(500), null);
  }, 15000).catch(async () => cdp.send("Page.getInstallabilityErrors"));
  console.log(`     Page.getInstallabilityErrors: ${JSON.stringify(installabilityErrors)}`);
  assert.deepEqual(installabilityErrors, []);
  await context.close();
  fs.rmSync(profile, { recursive: true, force: true });
});

await step("(a) a site opened online reads offline, marked as a saved copy from its time", async () => {
  const page = visitor.page;
  await page.goto(base + "/sites/den-thai-vi");
  await until("the page saved", async () => (await cacheStorage(page)).some((e) => e.url.endsWith("/sites/den-thai-vi")));
  await visitor.net.set("offline");
  const answer = await page.reload();
  assert.match(answer.headers()["content-security-policy"] || "", /script-src 'self'/, "the same strict CSP offline");
  assert.equal((await page.textContent("h1")).trim(), "Đền Thái Vi");
  const note = await page.textContent(".saved-copy");
  assert.match(note, /Bản lưu trên máy lúc/);
  assert.ok(await page.getAttribute(".saved-copy time", "datetime"), "with the time it was saved");
  await visitor.shot(page, "saved-copy");
});

await step("(a) a page never opened shows the offline page, listing what is saved", async () => {
  const page = visitor.page;
  await page.goto(base + "/sites/chua-bai-dinh");
  assert.match(await page.textContent(".not-saved"), /chưa được lưu/);
  await page.waitForSelector("[data-pages] a[href='/sites/den-thai-vi']");
  await visitor.shot(page, "not-saved");
  await visitor.net.set("online");
});

await step("(a) on slow 3G a saved page answers fresh; when the network stalls, its saved copy after 3 s", async () => {
  const page = visitor.page;
  await visitor.net.set("slow3g");
  let started = Date.now();
  await page.goto(base + "/sites/den-thai-vi", { waitUntil: "domcontentloaded" });
  const slow = Date.now() - started;
  const fresh = (await page.locator(".saved-copy").count()) === 0;
  await visitor.net.set("stalled");
  started = Date.now();
  await page.goto(base + "/sites/den-thai-vi", { waitUntil: "domcontentloaded" });
  const stalled = Date.now() - started;
  assert.match(await page.textContent(".saved-copy"), /Bản lưu/);
  console.log(`     slow 3G: ${fresh ? "the fresh page" : "the saved copy"} after ${slow} ms; stalled network: the saved copy after ${stalled} ms`);
  assert.ok(stalled < 6000, `${stalled} ms`);
  await visitor.net.set("online");
});

let packChunks = [];
await step("(b) a province pack is saved on slow 3G, with its size first and a progress bar", async () => {
  const page = visitor.page;
  await page.goto(base + "/offline");
  await page.waitForFunction(() => document.querySelector("[data-place-size]").textContent.includes("KB"));
  assert.match(await page.textContent("[data-place-size]"), /Chỉ chữ \d+ KB · Kèm ảnh nhỏ \d+ KB/);
  await visitor.net.set("slow3g");
  await page.click('[data-place] button[value="1"]');
  await page.waitForSelector(".pack progress", { timeout: 20000 });
  await visitor.shot(page, "saving");
  await page.waitForSelector(".pack.saved", { timeout: 120000 });
  await visitor.net.set("online");
  const list = await saved(page);
  assert.equal(list.packs.length, 1);
  assert.equal(list.packs[0].status, "saved");
  assert.ok(list.packs[0].photos, "with its photos");
  packChunks = (await cacheStorage(page)).filter((e) => e.cache === "disan-packs").map((e) => e.url);
  assert.ok(packChunks.length > 0);
  assert.match(await page.textContent("[data-storage]"), /Trình duyệt cho phép lưu/);
  await visitor.shot(page, "saved");
});

const firstCard = (page) => page.locator(".card-name").first().textContent().then((t) => t.trim());
await step("(b) offline, search finds the pack's sites accent-free, in NFD and mistyped", async () => {
  const page = visitor.page;
  await visitor.net.set("offline");
  for (const [q, expected] of [
    ["chua bai dinh", "Chùa Bái Đính"],
    ["Chùa Bái Đính".normalize("NFD"), "Chùa Bái Đính"],
    ["Chùa Bái Đíh", "Chùa Bái Đính"],
    ["den thai vi", "Đền Thái Vi"],
    ["đền thái v", "Đền Thái Vi"],
  ]) {
    await page.goto(base + "/search?q=" + encodeURIComponent(q));
    assert.equal(await firstCard(page), expected, q);
    assert.match(await page.textContent(".offline-note"), /đã lưu trên máy/);
  }
  await visitor.shot(page, "search");
});

await step("(b) offline, typing suggests from the pack", async () => {
  const page = visitor.page;
  await page.fill("#q", "");
  await page.type("#q", "chua bai d", { delay: 30 });
  await page.waitForSelector("#q-suggest:not([hidden]) li", { timeout: 5000 });
  assert.match(await page.textContent("#q-suggest"), /Chùa Bái Đính/);
});

await step("(b) offline, a site's page from the pack shows its thumbnails", async () => {
  const page = visitor.page;
  await page.goto(base + "/search?q=den+thai+vi");
  await Promise.all([page.waitForURL(/\/sites\/den-thai-vi/), page.locator(".card a").first().click()]);
  // Its saved copy, or the page made from the pack: either way with photos that load.
  const widths = await page.locator(".gallery img").evaluateAll((imgs) => Promise.all(imgs.map((img) => img.decode().then(() => img.naturalWidth, () => 0))));
  assert.ok(widths.length >= 1 && widths.every((w) => w > 0), `photos load offline: ${widths}`);
  const made = await page.goto(base + "/sites/chua-bai-dinh");
  assert.match(made.headers()["content-security-policy"] || "", /script-src 'self'/, "pages made offline keep the CSP");
  assert.equal((await page.textContent("h1")).trim(), "Chùa Bái Đính");
  assert.match(await page.textContent(".offline-note"), /Từ gói đã lưu/);
  await page.goto(base + "/sites/den-thai-vi?from=pack");
  await visitor.shot(page, "site-from-pack");
});

await step("(b) offline, near me orders the pack's sites by distance", async () => {
  const page = visitor.page;
  await page.goto(base + "/offline");
  await Promise.all([page.waitForURL(/\/search\?near=/), page.click("[data-near]")]);
  const distances = (await page.locator(".card .meta strong").allTextContents()).map((t) => parseFloat(t));
  assert.ok(distances.length >= 5, `${distances.length} sites with a distance`);
  assert.deepEqual(distances, [...distances].sort((a, b) => a - b), "nearest first");
  await visitor.shot(page, "near-me");
  await visitor.net.set("online");
});

// ---- A volunteer, offline --------------------------------------------------------------------
const volunteer = await phone("volunteer");
let draftSubmission = null;

// Fills the offline form: reached through /contribute/new (which the worker turns into the
// offline form when there is no network), or opened directly.
async function proposeOffline(page, name, files, { direct = false } = {}) {
  await page.goto(base + (direct ? "/offline/draft?kind=new" : "/contribute/new"));
  await page.waitForURL(/\/offline\/draft\?kind=new/);
  await page.waitForSelector("form[data-draft-form]:not([hidden])");
  await page.fill("#name", name);
  await page.selectOption("#province", { value: "Ninh Bình" });
  await page.fill("#address", "Thôn Ngoại Tuyến");
  await page.fill("#lat", "20.2511");
  await page.fill("#lon", "105.9751");
  await page.fill("#description", "Ghi tại thực địa, khi không có sóng.");
  await page.setInputFiles("#photos", files);
  await page.fill("#author", "Đội tình nguyện");
  await page.selectOption("#license", { index: 1 });
  await page.click("form[data-draft-form] button[type=submit]");
  await page.waitForSelector("[data-draft-saved]:not([hidden])");
}

await step("(c) a volunteer proposes a site with two photos offline; it waits on the phone", async () => {
  const page = volunteer.page;
  await logIn(page, "volunteer");
  await page.evaluate(() => navigator.serviceWorker.ready);
  await page.reload();
  await until("the offline form kept on the phone", async () => (await cacheStorage(page)).some((e) => e.url.endsWith("/offline/draft")));
  await volunteer.net.set("offline");
  await proposeOffline(page, "Đình làng Ngoại Tuyến", photos.slice(3, 5));
  assert.match(await page.textContent("[data-drafts]"), /Đang chờ gửi \(1\)/);
  await volunteer.shot(page, "draft-waiting");
});

await step("(c) page closed, network back: it arrives once, photos byte for byte", async () => {
  await volunteer.page.close();
  await volunteer.net.set("online");
  const arrived = await until("the draft in the inbox", async () => {
    const found = inbox().filter((s) => s.name === "Đình làng Ngoại Tuyến");
    return found.length && found[0].photos.length === 2 ? found : null;
  });
  await sleep(3000); // anything sent twice would have landed by now
  const again = inbox().filter((s) => s.name === "Đình làng Ngoại Tuyến");
  assert.equal(again.length, 1, "one submission");
  assert.deepEqual(again[0].photos.sort(), photos.slice(3, 5).map(sha256).sort(), "the photos, byte for byte");
  draftSubmission = arrived[0].id;
});

await step("(c) the same with the network cut half-way through the upload", async () => {
  const page = await volunteer.context.newPage();
  await page.goto(base + "/contribute");
  await volunteer.net.set("slow3g");
  const staging = path.join(archive, ".disan", "staging");
  const sizes = photos.slice(5, 7).map((f) => fs.statSync(f).size);
  const files = photos.slice(5, 7);
  await proposeOffline(page, "Miếu Mất Sóng", files, { direct: true });
  const cut = await until("half a photo received", async () => {
    if (!fs.existsSync(staging)) return null;
    const parts = fs.readdirSync(staging).filter((n) => n.endsWith(".part")).map((n) => fs.statSync(path.join(staging, n)).size);
    return parts.find((n) => n > 0 && !sizes.includes(n)) || null;
  }, 90000);
  await volunteer.net.set("offline");
  console.log(`     network cut after ${cut} bytes of a photo`);
  await sleep(4000);
  assert.equal(inbox().filter((s) => s.name === "Miếu Mất Sóng" && s.photos.length === 2).length, 0, "not complete while cut");
  await page.close();
  await volunteer.net.set("online");
  await until("the draft in the inbox", async () => inbox().some((s) => s.name === "Miếu Mất Sóng" && s.photos.length === files.length), 120000);
  await sleep(3000);
  const found = inbox().filter((s) => s.name === "Miếu Mất Sóng");
  assert.equal(found.length, 1, "one submission");
  assert.deepEqual(found[0].photos.sort(), files.map(sha256).sort(), "the photos, byte for byte");
});

await step("(c) a session that ended keeps the draft until the volunteer logs in again", async () => {
  const page = await volunteer.context.newPage();
  await volunteer.context.clearCookies();
  await page.goto(base + "/offline/draft?kind=new");
  await page.waitForSelector("form[data-draft-form]:not([hidden])");
  await page.fill("#name", "Cầu Hết Phiên");
  await page.selectOption("#province", { value: "Ninh Bình" });
  await page.click("form[data-draft-form] button[type=submit]");
  await page.waitForSelector(".draft.login", { timeout: 30000 });
  assert.match(await page.textContent(".draft.login"), /đăng nhập lại/);
  assert.equal(inbox().filter((s) => s.name === "Cầu Hết Phiên").length, 0);
  await volunteer.shot(page, "draft-login");
  await logIn(page, "volunteer");
  await until("the draft sent after logging in", async () => inbox().some((s) => s.name === "Cầu Hết Phiên"), 30000);
  await page.close();
});

// ---- An approval, and the visitor's next online visit ----------------------------------------
await step("(d) after an approval, the next online visit shows the new site and drops the stale caches", async () => {
  const moderator = await phone("moderator");
  await logIn(moderator.page, "moderator");
  await moderator.page.goto(base + "/moderate/" + draftSubmission);
  await Promise.all([moderator.page.waitForNavigation(), moderator.page.click('form[action*="/approve"] button[type=submit]')]);
  await moderator.context.close();

  const page = visitor.page;
  const before = await cacheStorage(page);
  await page.goto(base + "/");
  const home = await page.textContent("main");
  assert.match(home, /Đình làng Ngoại Tuyến/, `the home page lists it: ${JSON.stringify(inbox().map((s) => [s.name, s.status]))} ${home.slice(0, 600)}`);
  const version = await page.evaluate(() => fetch("/", { cache: "no-store" }).then((r) => r.headers.get("x-disan-catalog")));
  const after = await until("the pack updated", async () => {
    const list = await saved(page);
    const entries = await cacheStorage(page);
    const chunks = entries.filter((e) => e.cache === "disan-packs").map((e) => e.url);
    return list.packs[0].status === "saved" && chunks.join() !== packChunks.join() ? entries : null;
  });
  const stale = after.filter((e) => (e.cache === "disan-pages" || e.cache === "disan-api") && e.catalog && e.catalog !== version && !/\/sites\/[a-z0-9-]+$/.test(e.url));
  assert.deepEqual(stale, [], "no list or answer of the old catalog is kept");
  const chunks = after.filter((e) => e.cache === "disan-packs").map((e) => e.url);
  const gone = packChunks.filter((u) => !chunks.includes(u));
  const added = chunks.filter((u) => !packChunks.includes(u));
  assert.equal(added.length, 1, `only the commune that changed is fetched: ${added.length} of ${chunks.length}`);
  console.log(`     ${before.length} cache entries before, ${after.length} after; pack: ${added.length} of ${chunks.length} commune files fetched, ${gone.length} dropped`);
  await visitor.net.set("offline");
  await page.goto(base + "/search?q=dinh+lang+ngoai+tuyen");
  assert.equal(await firstCard(page), "Đình làng Ngoại Tuyến", "the updated pack finds it offline");
  await visitor.net.set("online");
});

await step("(e) nothing private or cookie-bearing is in Cache Storage", async () => {
  // Responses that set a cookie: choosing a language, logging in and out.
  await visitor.page.goto(base + "/?lang=en");
  await visitor.page.goto(base + "/sites/den-thai-vi?lang=vi");
  for (const who of [visitor, volunteer]) {
    const page = who.context.pages()[0] || (await who.context.newPage());
    if (page.url() === "about:blank") await page.goto(base + "/");
    const entries = await cacheStorage(page);
    assert.ok(entries.length > 0);
    const privatePath = /^\/(login|logout|contribute|moderate)(\/|$)/;
    assert.deepEqual(entries.filter((e) => privatePath.test(new URL(e.url).pathname)), [], "no private page");
    assert.deepEqual(entries.filter((e) => /private|no-store/.test(e.cacheControl || "")), [], "no private or no-store response");
    assert.deepEqual(entries.filter((e) => who.seen.cookies.has(e.url)), [], `no response that set a cookie (${who.seen.cookies.size} seen)`);
  }
});

for (const who of [visitor, volunteer]) {
  await steps.always("no script errors, nothing from another origin", async () => {
    assert.deepEqual(who.seen.errors, []);
    assert.deepEqual(who.seen.thirdParty, []);
  });
  await who.net.close();
  await who.context.close();
}
await browser.close();
steps.finish("offline");
