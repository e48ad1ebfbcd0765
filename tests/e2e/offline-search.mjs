// Offline search against the server's, on real records: the same judged name queries
// (`disan eval-search --queries-out`: each name exact, accent-free, in NFD and with a letter
// dropped) run through the server's JSON API and through the offline search in Chromium with
// the network cut, over the same sites — the provinces saved as trip packs on the phone, the
// server asked for those provinces only. Prints Success@1/3/10 side by side and fails when the
// offline Success@3 is below 0.95 of the server's on any form.
//
//   node offline-search.mjs BASE_URL QUERIES.json "Ninh Bình"             # the test
//   node offline-search.mjs BASE_URL QUERIES.json "Hà Nội,Bắc Ninh" --bench  # + timings
//
// With --bench it also times the offline search where a phone runs it: the same code
// (static/offline-search.js) in a page, over the saved packs, with the CPU slowed four times
// (DevTools' mid-range phone profile), and reports the worker's own timings unthrottled.
import { chromium } from "playwright-core";
import assert from "node:assert/strict";
import fs from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { network } from "./network.mjs";
import { PHONE } from "./harness.mjs";

const [base, queriesFile, provinceList, ...flags] = process.argv.slice(2);
const bench = flags.includes("--bench");
const provinces = provinceList.split(",").map((p) => p.trim());
const FORMS = ["exact", "accent_free", "nfd", "typo"];
const NAMES = { exact: "exact", accent_free: "accent-free", nfd: "NFD", typo: "one-letter typo" };
const here = path.dirname(fileURLToPath(import.meta.url));
const getJson = (url) => fetch(new URL(url, base)).then((r) => { if (!r.ok) throw new Error(`${url}: ${r.status}`); return r.json(); });

// The sites of the chosen provinces, as their packs list them.
const index = await getJson("/packs/v1/index.json");
const chosen = index.provinces.filter((p) => provinces.includes(p.name));
assert.equal(chosen.length, provinces.length, `provinces with packs: ${index.provinces.map((p) => p.name)}`);
const inPacks = new Set();
for (const p of chosen) {
  const toc = await getJson(p.url);
  for (const c of toc.communes) for (const s of (await getJson(c.url)).sites) inPacks.add(s.i);
}
const queries = JSON.parse(fs.readFileSync(queriesFile, "utf8"))
  .filter((q) => FORMS.includes(q.form) && q.relevant.some((id) => inPacks.has(id)));

function judge(results) {
  const out = {};
  for (const form of FORMS) {
    const rows = results.filter((r) => r.form === form);
    const at = (k) => rows.filter((r) => r.rank && r.rank <= k).length / Math.max(1, rows.length);
    out[form] = { queries: rows.length, s1: at(1), s3: at(3), s10: at(10) };
  }
  return out;
}
const rank = (ids, relevant) => { const i = ids.slice(0, 10).findIndex((id) => relevant.includes(id)); return i < 0 ? null : i + 1; };

// The server, asked for the same provinces.
const filter = provinces.map((p) => "&province=" + encodeURIComponent(p)).join("");
const server = [];
for (const q of queries) {
  const answer = await getJson(`/api/v1/search?limit=10&q=${encodeURIComponent(q.text)}${filter}`);
  server.push({ form: q.form, rank: rank(answer.hits.map((h) => h.id), q.relevant) });
}

// The phone: save the provinces' packs through the offline page, then cut the network.
const browser = await chromium.launch({
  executablePath: process.env.CHROME_PATH || "/usr/bin/chromium", headless: true,
  args: ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-first-run"],
});
// The timing page loads the search script itself (the same file the worker is made of).
const context = await browser.newContext({ ...PHONE, locale: "vi-VN", bypassCSP: bench });
const net = await network(browser, context);
const page = await context.newPage();
const errors = [];
page.on("pageerror", (e) => errors.push(e.message));
await page.goto(base + "/offline");
await page.evaluate(() => navigator.serviceWorker.ready);
await page.waitForFunction(() => document.querySelectorAll("[data-province] option").length > 0);
for (const p of chosen) {
  await page.selectOption("[data-province]", p.slug);
  await page.waitForFunction((name) => document.querySelector("[data-place-size]").textContent.includes("KB") &&
    document.querySelector("[data-commune] option:last-child") !== null, p.name);
  await page.waitForTimeout(300);
  await page.click('[data-place] button[value="0"]');
}
await page.waitForFunction((n) => document.querySelectorAll(".pack.saved").length === n, chosen.length, { timeout: 300000 });
await net.set("offline");

const offline = [], workerMs = [];
for (const q of queries) {
  const answer = await page.evaluate(async (text) => {
    const r = await fetch("/api/v1/search?limit=10&q=" + encodeURIComponent(text));
    const timing = (r.headers.get("server-timing") || "").match(/dur=([\d.]+)/);
    const j = await r.json();
    return { ids: j.hits.map((h) => h.id), offline: j.offline, ms: timing ? Number(timing[1]) : null };
  }, q.text);
  assert.ok(answer.offline, "answered by the worker from the packs");
  offline.push({ form: q.form, rank: rank(answer.ids, q.relevant) });
  if (answer.ms !== null) workerMs.push(answer.ms);
}

const s = judge(server), o = judge(offline);
console.log(`\n${inPacks.size} sites saved (${provinces.join(", ")}); Success@k of the same judged queries:\n`);
console.log("| query form | queries | server S@1 | offline S@1 | server S@3 | offline S@3 | offline / server (S@3) | server S@10 | offline S@10 |");
console.log("|---|---:|---:|---:|---:|---:|---:|---:|---:|");
let failed = [];
for (const form of FORMS) {
  const ratio = s[form].s3 ? o[form].s3 / s[form].s3 : 1;
  if (ratio < 0.95) failed.push(`${form}: ${ratio.toFixed(3)}`);
  console.log(`| ${NAMES[form]} | ${s[form].queries} | ${s[form].s1.toFixed(3)} | ${o[form].s1.toFixed(3)} | ${s[form].s3.toFixed(3)} | ${o[form].s3.toFixed(3)} | ${ratio.toFixed(3)} | ${s[form].s10.toFixed(3)} | ${o[form].s10.toFixed(3)} |`);
}

function stats(list) {
  const sorted = [...list].sort((a, b) => a - b), at = (q) => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))];
  return { median: at(0.5), p95: at(0.95), max: sorted[sorted.length - 1] };
}

if (bench) {
  const w = stats(workerMs);
  console.log(`\nIn the service worker (no CPU throttling: DevTools cannot slow a worker): median ${w.median.toFixed(2)} ms, p95 ${w.p95.toFixed(2)} ms, max ${w.max.toFixed(2)} ms per search`);
  const cdp = await context.newCDPSession(page);
  for (const rate of [1, 4]) {
    await cdp.send("Emulation.setCPUThrottlingRate", { rate });
    await page.goto(base + "/offline");
    await page.addScriptTag({ path: path.join(here, "../../static/offline-search.js") });
    const timing = await page.evaluate(async (texts) => {
      // As the worker reads them: every pack file at once.
      const started = performance.now();
      const cache = await caches.open("disan-packs");
      const chunks = await Promise.all((await cache.keys()).map((req) => cache.match(req).then((r) => r.json())));
      const sites = new Map();
      for (const chunk of chunks) for (const s of chunk.sites) sites.set(s.i, s);
      const loaded = performance.now();
      const engine = new self.DisanSearch.Engine(Array.from(sites.values()), {});
      const built = performance.now();
      const pass = () => texts.map((text) => {
        const t0 = performance.now();
        engine.search({ q: text, limit: 10 });
        return performance.now() - t0;
      });
      return { sites: sites.size, load: loaded - started, build: built - loaded, first: pass(), second: pass() };
    }, queries.map((q) => q.text));
    const first = stats(timing.first), second = stats(timing.second);
    const under = (list) => (100 * list.filter((ms) => ms < 50).length / list.length).toFixed(1);
    console.log(`CPU ×${rate}, ${timing.sites} sites in a page: reading the packs ${timing.load.toFixed(0)} ms, building the index ${timing.build.toFixed(0)} ms`);
    console.log(`  first pass (${timing.first.length} searches, the engine's code still being compiled): median ${first.median.toFixed(2)} ms, p95 ${first.p95.toFixed(2)} ms, max ${first.max.toFixed(2)} ms, ${under(timing.first)} % under 50 ms`);
    console.log(`  second pass: median ${second.median.toFixed(2)} ms, p95 ${second.p95.toFixed(2)} ms, max ${second.max.toFixed(2)} ms, ${under(timing.second)} % under 50 ms`);
  }
  await cdp.detach();
}

await net.close();
await browser.close();
assert.deepEqual(errors, [], "no script errors");
if (failed.length) {
  console.log(`\nFAIL offline Success@3 below 0.95 of the server's: ${failed.join(", ")}`);
  process.exit(1);
}
console.log("\noffline search: Success@3 at least 0.95 of the server's on every form");
