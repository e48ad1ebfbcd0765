// Deep zoom in a real browser, with no image server: the static IIIF tiles made at ingest.
//
// 1. Mirador (the IIIF viewer from npm), served from another origin, opens a site's manifest:
//    the canvas shows the photo (its pixels are read back, which the tiles' CORS headers
//    allow), and zooming in fetches tiles of a finer level, only those in view.
// 2. The site's own photo viewer on a phone: the zoom script is not part of the page, it comes
//    when a photo is opened; a double tap and a pinch zoom into the tiles, in view only.
//
// Usage: node iiif.mjs BASE_URL SCREENSHOT_DIR MIRADOR_JS VIEWER_PORT
import { DESKTOP, launch, PHONE, Steps, watch } from "./harness.mjs";
import assert from "node:assert/strict";
import fs from "node:fs";
import http from "node:http";
import path from "node:path";

const [base, shots, miradorJs, viewerPort] = process.argv.slice(2);
const SITE = "chua-bai-dinh";
const manifestUrl = `${base}/iiif/${SITE}/manifest.json`;

// Every tile request, by its path: `{region}/{size}/0/default.jpg`, and the scale it draws at
// (full-resolution pixels per tile pixel; 1 is the finest level).
function recordTiles(page) {
  const tiles = [];
  page.on("response", (r) => {
    const match = r.url().match(/\/iiif\/img\/[0-9a-f]+\/([^/]+)\/([^/]+)\/0\/default\.jpg$/);
    if (!match) return;
    const [, region, size] = match;
    const width = region === "full" ? null : Number(region.split(",")[2]);
    const scale = width === null ? Infinity : width / Number(size.split(",")[0]);
    tiles.push({ region, size, scale, status: r.status() });
  });
  return tiles;
}

const finest = (tiles) => Math.min(...tiles.map((t) => t.scale));

// A page on another origin (another port of this machine) that runs Mirador on the manifest.
const mirador = fs.readFileSync(miradorJs);
const viewerPage = `<!doctype html><html><head><meta charset="utf-8"><title>Mirador</title></head>
<body style="margin:0"><div id="m" style="position:absolute;inset:0"></div>
<script src="/mirador.min.js"></script>
<script>Mirador.viewer({ id: "m", windows: [{ manifestId: ${JSON.stringify(manifestUrl)} }],
  window: { allowClose: false }, osdConfig: { crossOriginPolicy: "Anonymous" } });</script></body></html>`;
const server = http
  .createServer((req, res) => {
    const js = req.url === "/mirador.min.js";
    res.writeHead(200, { "content-type": js ? "text/javascript; charset=utf-8" : "text/html; charset=utf-8" });
    res.end(js ? mirador : viewerPage);
  })
  .listen(Number(viewerPort), "127.0.0.1");

const browser = await launch();
const steps = new Steps({ chained: true });
const step = (name, fn) => steps.run(name, fn);

{
  const context = await browser.newContext(DESKTOP);
  const page = await context.newPage();
  const errors = [];
  page.on("pageerror", (e) => errors.push(e.message));
  const tiles = recordTiles(page);
  let before = 0;

  await step("Mirador opens the manifest from another origin and renders the photo", async () => {
    await page.goto(`http://127.0.0.1:${viewerPort}/`);
    await page.waitForSelector(".openseadragon-canvas canvas", { timeout: 30000 });
    await page.waitForFunction(() => document.body.innerText.includes("A large photo to try deep zoom")
      || document.body.innerText.includes("Ảnh lớn để thử phóng to"), null, { timeout: 30000 });
    await page.waitForTimeout(3000);
    assert.ok(tiles.length > 0 && tiles.every((t) => t.status === 200), JSON.stringify(tiles.slice(0, 5)));
    // The canvas's pixels: readable only because the tiles came with CORS, and a photo, not a
    // blank, when they are spread over many values.
    const spread = await page.evaluate(() => {
      const canvas = document.querySelector(".openseadragon-canvas canvas");
      const data = canvas.getContext("2d").getImageData(0, 0, canvas.width, canvas.height).data;
      let sum = 0, squares = 0, n = 0;
      for (let i = 0; i < data.length; i += 4 * 97) {
        const v = (data[i] + data[i + 1] + data[i + 2]) / 3;
        sum += v; squares += v * v; n++;
      }
      const mean = sum / n;
      return Math.sqrt(squares / n - mean * mean);
    });
    assert.ok(spread > 20, `the canvas looks blank (spread ${spread.toFixed(1)})`);
    await page.screenshot({ path: path.join(shots, "mirador-open.png") });
    before = tiles.length;
  });

  await step("zooming in Mirador fetches finer tiles, only those in view", async () => {
    const coarse = finest(tiles);
    const zoomIn = page.locator("button[aria-label='Zoom in']").first();
    for (let i = 0; i < 5; i++) {
      await zoomIn.click();
      await page.waitForTimeout(500);
    }
    await page.waitForTimeout(3000);
    const added = tiles.slice(before);
    assert.ok(added.length > 0, "no tile was fetched after zooming");
    assert.ok(added.every((t) => t.status === 200));
    assert.equal(finest(added), 1, `zoomed to full resolution (from scale ${coarse})`);
    const atFull = new Set(added.filter((t) => t.scale === 1).map((t) => t.region));
    // The photo is 4224 × 3168: 9 × 7 tiles at full resolution.
    assert.ok(atFull.size < 63 / 2, `${atFull.size} of 63 full-resolution tiles fetched`);
    await page.screenshot({ path: path.join(shots, "mirador-zoomed.png") });
  });

  await step("no script errors in Mirador", async () => {
    assert.deepEqual(errors, []);
  });
  await context.close();
}

{
  const context = await browser.newContext({ ...PHONE, locale: "vi-VN" });
  const page = await context.newPage();
  const problems = watch(page, new URL(base).origin);
  const tiles = recordTiles(page);
  const scripts = [];
  page.on("request", (r) => r.url().includes("/static/zoom.") && scripts.push(r.url()));
  const center = async () => {
    const box = await page.locator(".viewer .zoom").boundingBox();
    return { x: box.x + box.width / 2, y: box.y + box.height / 2 };
  };
  let before = 0;

  await step("phone: the zoom script is not part of the page", async () => {
    await page.goto(`${base}/sites/${SITE}`);
    await page.waitForLoadState("networkidle");
    assert.deepEqual(scripts, []);
  });

  await step("phone: opening the photo brings the zoom script and the first tiles", async () => {
    await page.tap(".strip a[data-large]");
    await page.waitForSelector(".viewer .zoom.ready", { timeout: 30000 });
    assert.equal(scripts.length, 1, "fetched once");
    assert.ok(tiles.length > 0);
    assert.ok(await page.isVisible(".viewer .v-hint"), "the pinch / double-tap hint");
    await page.waitForTimeout(1500);
    await page.screenshot({ path: path.join(shots, "phone-zoom-open.png") });
    before = tiles.length;
  });

  await step("phone: a double tap zooms into finer tiles", async () => {
    const coarse = finest(tiles.slice(0, before));
    const { x, y } = await center();
    await page.touchscreen.tap(x, y);
    await page.waitForTimeout(120);
    await page.touchscreen.tap(x, y);
    await page.waitForTimeout(2500);
    const added = tiles.slice(before);
    assert.ok(added.length > 0, "no tile after the double tap");
    assert.ok(finest(added) < coarse, `scale ${finest(added)} is not finer than ${coarse}`);
    before = tiles.length;
  });

  await step("phone: a pinch zooms further, fetching only the tiles in view", async () => {
    const { x, y } = await center();
    const cdp = await context.newCDPSession(page);
    const fingers = (spread) => [
      { x: x - spread, y, id: 1 },
      { x: x + spread, y, id: 2 },
    ];
    await cdp.send("Input.dispatchTouchEvent", { type: "touchStart", touchPoints: fingers(20) });
    for (let spread = 30; spread <= 150; spread += 10) {
      await cdp.send("Input.dispatchTouchEvent", { type: "touchMove", touchPoints: fingers(spread) });
      await page.waitForTimeout(30);
    }
    await cdp.send("Input.dispatchTouchEvent", { type: "touchEnd", touchPoints: [] });
    await page.waitForTimeout(3000);
    const added = tiles.slice(before);
    assert.ok(added.length > 0, "no tile after the pinch");
    assert.equal(finest(tiles), 1, "zoomed to full resolution");
    const atFull = new Set(tiles.filter((t) => t.scale === 1).map((t) => t.region));
    assert.ok(atFull.size <= 12, `${atFull.size} of 63 full-resolution tiles fetched on a 360 px screen`);
    assert.ok(tiles.every((t) => t.status === 200));
    await page.screenshot({ path: path.join(shots, "phone-zoom-pinched.png") });
  });

  await step("phone: closing the viewer leaves the page as it was", async () => {
    await page.keyboard.press("Escape");
    assert.equal(await page.$(".viewer"), null);
    assert.deepEqual(problems, []);
  });
  await context.close();
}

await browser.close();
server.close();
steps.finish("deep zoom");
