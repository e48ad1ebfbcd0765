// What both browser tests share: the system's Chromium, the phone viewport, watching a page
// for errors and third-party requests, and named steps that print `ok`/`FAIL` and a closing
// "N passed, N failed" line.
import { chromium } from "playwright-core";

const CHROMIUM = {
  executablePath: process.env.CHROME_PATH || "/usr/bin/chromium",
  headless: true,
  args: [
    "--no-sandbox", "--disable-gpu", "--disable-background-networking",
    "--disable-component-update", "--disable-sync", "--no-first-run",
  ],
};

// Playwright starts Chromium headless with a fresh temporary profile of its own.
export function launch() {
  return chromium.launch(CHROMIUM);
}

// A browser with a profile on disk in `dir` (a phone's, not an incognito window's), as one
// context with `options`.
export function launchProfile(dir, options) {
  return chromium.launchPersistentContext(dir, { ...CHROMIUM, ...options });
}

export const PHONE = { viewport: { width: 360, height: 800 }, deviceScaleFactor: 2, isMobile: true, hasTouch: true };
export const DESKTOP = { viewport: { width: 1280, height: 900 } };

// Collects console errors, script errors, failed requests and requests to other origins.
export function watch(page, origin) {
  const problems = [];
  page.on("console", (m) => m.type() === "error" && problems.push(`console: ${m.text()}`));
  page.on("pageerror", (e) => problems.push(`script error: ${e.message}`));
  page.on("requestfailed", (r) => {
    const error = r.failure()?.errorText;
    // Chromium's word for a load the page itself cancelled by navigating away (a form sent
    // while the header icon was still loading): nothing failed on the server.
    if (error === "net::ERR_ABORTED") return;
    problems.push(`failed: ${r.url()} ${error}`);
  });
  page.on("request", (r) => {
    const url = r.url();
    if (!url.startsWith(origin) && !url.startsWith("data:") && !url.startsWith("blob:")) {
      problems.push(`third-party request: ${url}`);
    }
  });
  return problems;
}

// Named checks. With `chained`, a failure skips (and fails) every later step, for paths where
// each step needs the one before.
export class Steps {
  constructor({ chained = false } = {}) {
    this.chained = chained;
    this.passes = 0;
    this.failures = 0;
    this.stopped = false;
  }

  async run(name, fn) {
    return this.#step(name, fn, false);
  }

  // A check that runs even after a chained step failed (it does not depend on the path).
  async always(name, fn) {
    return this.#step(name, fn, true);
  }

  async #step(name, fn, always) {
    if (this.stopped && !always) {
      this.failures++;
      console.log(`FAIL ${name}\n     not run: an earlier step of the path failed`);
      return;
    }
    try {
      await fn();
      this.passes++;
      console.log(`ok   ${name}`);
    } catch (err) {
      this.failures++;
      this.stopped ||= this.chained && !always;
      console.log(`FAIL ${name}\n     ${String(err.message || err).split("\n").join("\n     ")}`);
    }
  }

  // The plain closing line test harnesses read: "N passed, N failed"; exits 1 on failures.
  finish(label) {
    console.log(`${label}: ${this.passes} passed, ${this.failures} failed`);
    process.exit(this.failures ? 1 : 0);
  }
}
