// Disan in a real browser: the system's headless Chromium, at a phone and a desktop viewport.
// Searches with and without accents (typing, so suggestions appear), opens a site, switches
// the language (and checks it is remembered), opens the QR plaque and, when the site has
// photos, the photo viewer. Fails on any console error, failed request or request to another
// origin. Usage: node browse.mjs BASE_URL SCREENSHOT_DIR
import { DESKTOP, launch, PHONE, Steps, watch } from "./harness.mjs";
import assert from "node:assert/strict";
import fs from "node:fs";
import path from "node:path";

const [base, shots] = process.argv.slice(2);
const origin = new URL(base).origin;

const browser = await launch();
const viewports = { phone: PHONE, desktop: DESKTOP };
const steps = new Steps();
const step = (name, fn) => steps.run(name, fn);

for (const [device, options] of Object.entries(viewports)) {
  const context = await browser.newContext({ ...options, locale: "vi-VN" });
  const page = await context.newPage();
  const problems = watch(page, origin);
  const shot = (name) => page.screenshot({ path: path.join(shots, `${device}-${name}.png`), fullPage: name !== "viewer" });

  await step(`${device}: home page in Vietnamese`, async () => {
    await page.goto(base + "/");
    assert.equal(await page.getAttribute("html", "lang"), "vi");
    assert.match(await page.textContent("h1"), /Di tích/);
    await shot("home");
  });

  await step(`${device}: typing without accents suggests, Enter searches`, async () => {
    await page.fill("#q", "");
    await page.type("#q", "chua bai d", { delay: 30 });
    await page.waitForSelector("#q-suggest:not([hidden]) li", { timeout: 5000 });
    assert.match(await page.textContent("#q-suggest"), /Chùa Bái Đính/);
    await shot("suggest");
    await page.type("#q", "inh");
    await Promise.all([page.waitForURL(/\/search\?/), page.press("#q", "Enter")]);
    assert.equal((await page.textContent(".card-name")).trim(), "Chùa Bái Đính");
    await shot("search-no-accents");
  });

  await step(`${device}: search with accents`, async () => {
    await page.goto(base + "/search?q=" + encodeURIComponent("Đền Thái Vi"));
    assert.equal((await page.textContent(".card-name")).trim(), "Đền Thái Vi");
    assert.ok(await page.$("mark"), "matches are highlighted");
    await shot("search-accents");
  });

  await step(`${device}: open a site`, async () => {
    await Promise.all([page.waitForURL(/\/sites\/den-thai-vi/), page.click(".card a")]);
    assert.equal((await page.textContent("h1")).trim(), "Đền Thái Vi");
    assert.ok(await page.$(".minimap"), "the location map");
    await shot("site");
  });

  const photos = await page.$$(".strip a[data-large]");
  if (photos.length > 1) {
    await step(`${device}: the photo viewer opens, moves and closes`, async () => {
      await photos[0].click();
      await page.waitForSelector(".viewer img");
      const first = await page.getAttribute(".viewer img", "src");
      await page.keyboard.press("ArrowRight");
      assert.notEqual(await page.getAttribute(".viewer img", "src"), first);
      await page.waitForFunction(() => document.querySelector(".viewer img").complete);
      await shot("viewer");
      await page.keyboard.press("Escape");
      assert.equal(await page.$(".viewer"), null);
    });
  }

  await step(`${device}: switch to English, remembered by the next page`, async () => {
    await Promise.all([page.waitForURL(/lang=en/), page.click("a.lang")]);
    assert.equal(await page.getAttribute("html", "lang"), "en");
    assert.match(await page.textContent("main"), /Cite this page/);
    await shot("site-en");
    await page.goto(base + "/provinces");
    assert.equal(await page.getAttribute("html", "lang"), "en");
    assert.match(await page.textContent("h1"), /Sites by province/);
  });

  await step(`${device}: the QR plaque`, async () => {
    await page.goto(base + "/sites/den-thai-vi");
    await Promise.all([page.waitForURL(/\/plaque/), page.click("a[href*='/plaque']")]);
    const qr = await page.waitForSelector("img.qr");
    assert.ok(await qr.evaluate((img) => img.complete && img.naturalWidth > 0), "the QR code loads");
    assert.match(await page.textContent(".plaque-url"), /\/s\/[0-9a-z]{7}$/);
    await shot("plaque");
    await page.emulateMedia({ media: "print" });
    assert.equal(await page.isVisible("header.top"), false, "print hides the header");
    await page.emulateMedia({ media: "screen" });
  });

  await step(`${device}: friendly 404 in English`, async () => {
    const response = await page.goto(base + "/sites/no-such-site");
    assert.equal(response.status(), 404);
    assert.match(await page.textContent("h1"), /Page not found/);
    problems.splice(0, problems.length, ...problems.filter((p) => !p.includes("404")));
  });

  await step(`${device}: no console errors, failed or third-party requests`, async () => {
    assert.deepEqual(problems, []);
  });
  await context.close();
}

await browser.close();
steps.finish("browser");
