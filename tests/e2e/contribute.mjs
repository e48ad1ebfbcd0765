// The whole contribution path in a real browser at a phone viewport (360×800): a volunteer logs
// in and proposes a site with two GPS-tagged photos (uploaded by the page's script: resized,
// sent in chunks), a moderator approves it on a phone, then a visitor finds it by an
// accent-free search, sees the photos with their credits, and finds the change in the site's
// history. Fails on any console error, failed request or request to another origin.
// Usage: node contribute.mjs BASE_URL SCREENSHOT_DIR PHOTO_1 PHOTO_2
// Accounts `volunteer` and `moderator` must exist with the password in $DISAN_E2E_PASSWORD.
import { launch, PHONE, Steps, watch } from "./harness.mjs";
import assert from "node:assert/strict";
import path from "node:path";

const [base, shots, ...photos] = process.argv.slice(2);
const password = process.env.DISAN_E2E_PASSWORD;
assert.ok(password, "DISAN_E2E_PASSWORD is not set");
assert.equal(photos.length, 2, "two photo files are needed");
const origin = new URL(base).origin;

const browser = await launch();
const steps = new Steps({ chained: true }); // each step of the path needs the one before
const step = (name, fn) => steps.run(name, fn);

// One browser profile per person, as on three different phones.
async function person(who) {
  const context = await browser.newContext({ ...PHONE, locale: "vi-VN" });
  const page = await context.newPage();
  const problems = watch(page, origin);
  const shot = (name) => page.screenshot({ path: path.join(shots, `contribute-${who}-${name}.png`), fullPage: true });
  return { context, page, problems, shot };
}

async function logIn(page, name) {
  await page.goto(base + "/login");
  await page.fill("#user", name);
  await page.fill("#password", password);
  await Promise.all([page.waitForURL(/\/contribute/), page.click("form button[type=submit]")]);
}

// A name no bundled site has, with đ and tones, so the accent-free search proves folding.
const siteName = "Đình làng Đông Xuyên Thượng";
const query = "dinh lang dong xuyen thuong";
let submissionUrl = "";
let siteUrl = "";

const volunteer = await person("volunteer");
await step("volunteer logs in on a phone", async () => {
  await logIn(volunteer.page, "volunteer");
  assert.match(await volunteer.page.textContent("main"), /volunteer/);
  await volunteer.shot("home");
});

await step("volunteer proposes a new site", async () => {
  const page = volunteer.page;
  await page.click('a[href^="/contribute/new"]');
  await page.waitForURL(/\/contribute\/new/);
  await page.fill("#name", siteName);
  await page.selectOption("#type", { index: 1 });
  await page.selectOption("#province", { value: "Ninh Bình" });
  await page.fill("#address", "Thôn Đông Xuyên");
  await page.fill("#lat", "20.2506");
  await page.fill("#lon", "105.9745");
  await page.fill("#description", "Ngôi đình của làng, thờ Thành hoàng. Ghi nhận tại thực địa.");
  await page.fill("#sources", "Khảo sát thực địa của đội tình nguyện");
  await volunteer.shot("new-site");
  await Promise.all([
    page.waitForURL(/\/contribute\/[^/]+$/),
    page.click("form.site-form button[type=submit]:not([value=check])"),
  ]);
  submissionUrl = page.url();
  assert.match(await page.textContent("h1"), /Đông Xuyên/);
});

await step("volunteer adds two GPS photos; the page resizes and uploads them one by one", async () => {
  const page = volunteer.page;
  await page.fill("#author", "Đội tình nguyện xã Đông Xuyên");
  await page.selectOption("#license", { index: 1 });
  await page.fill("#caption", "Cổng đình");
  await page.setInputFiles("#photos", photos);
  // The script lists each file with a progress bar, sends them one by one, and reloads the
  // submission saying how many arrived once every one has.
  await page.click("form[data-uploader] button[type=submit]");
  await page.waitForSelector("[data-upload-list] li progress");
  await volunteer.shot("uploading");
  await page.waitForURL(/[?&]added=2/, { timeout: 120000 });
  assert.equal(await page.locator("ul.thumbs li").count(), 2, "two photos in the submission");
  await volunteer.shot("submission");
});

const moderator = await person("moderator");
await step("moderator approves it on a phone", async () => {
  const page = moderator.page;
  await logIn(page, "moderator");
  await page.goto(base + "/moderate");
  await moderator.shot("queue");
  await Promise.all([page.waitForURL(/\/moderate\/[^/]+$/), page.click(`ol.queue a:has-text("Đông Xuyên")`)]);
  assert.ok(await page.locator("img").count() >= 2, "the photos are shown for review");
  await moderator.shot("review");
  await Promise.all([page.waitForNavigation(), page.click('form[action*="/approve"] button[type=submit]')]);
  await moderator.shot("approved");
  const link = page.locator(".notice a").first();
  siteUrl = new URL(await link.getAttribute("href"), base).pathname;
  assert.match(siteUrl, /^\/sites\//);
});

const visitor = await person("visitor");
await step("a visitor finds it without accents", async () => {
  const page = visitor.page;
  await page.goto(base + "/search?q=" + encodeURIComponent(query));
  assert.equal((await page.textContent(".card-name")).trim(), siteName);
  await visitor.shot("search");
});

await step("its page shows both photos with their credits", async () => {
  const page = visitor.page;
  await page.click(".card-name");
  await page.waitForURL(new RegExp(siteUrl.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")));
  assert.equal(await page.locator(".gallery img").count(), 2);
  assert.match(await page.textContent("main"), /Đội tình nguyện xã Đông Xuyên/);
  await visitor.shot("site");
});

await step("its history lists the change and who sent it; the moderator stays unnamed", async () => {
  const page = visitor.page;
  await Promise.all([page.waitForURL(/\/history/), page.click('a[href$="/history"]')]);
  const text = await page.textContent("main");
  assert.match(text, /volunteer/);
  // Public pages never name moderators (their user names are what a lockout would aim at).
  assert.match(text, /một người kiểm duyệt|a moderator/);
  assert.doesNotMatch(text, /:\s*moderator\b/);
  await visitor.shot("history");
});

for (const [who, p] of [["volunteer", volunteer], ["moderator", moderator], ["visitor", visitor]]) {
  await steps.always(`${who}: no console errors, failed or third-party requests`, async () => {
    assert.deepEqual(p.problems, []);
  });
  await p.context.close();
}
await browser.close();
steps.finish("contribute");
