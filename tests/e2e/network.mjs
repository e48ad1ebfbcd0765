// The phone's network, as the browser tests cut and slow it: through the DevTools protocol, on
// every page of a browser context and on its service worker, since a worker's requests are its
// own (emulating a page alone leaves the worker online, which no phone would).
//
//   const net = await network(browser, context);
//   await net.set("offline");   // or "online", "slow3g" (DevTools' "Slow 3G" profile)
export const PROFILES = {
  online: { offline: false, latency: 0, downloadThroughput: -1, uploadThroughput: -1 },
  offline: { offline: true, latency: 0, downloadThroughput: -1, uploadThroughput: -1 },
  // DevTools' preset: 2 s round trips, 500 kbit/s each way (with its 0.8 factor).
  slow3g: { offline: false, latency: 2000, downloadThroughput: (500 * 1000) / 8 * 0.8, uploadThroughput: (500 * 1000) / 8 * 0.8 },
  // One bar in a valley: the network is there but an answer takes longer than anyone waits.
  stalled: { offline: false, latency: 15000, downloadThroughput: 2000, uploadThroughput: 2000 },
};

export async function network(browser, context) {
  const browserSession = await browser.newBrowserCDPSession();
  const pages = new Map(); // page → CDP session
  const workers = new Map(); // target id → session id (non-flattened: messages go through the browser session)
  const pending = new Map();
  let nextId = 1;
  let mode = "online";
  browserSession.on("Target.receivedMessageFromTarget", (event) => {
    const message = JSON.parse(event.message);
    if (message.id && pending.has(message.id)) {
      pending.get(message.id)(message);
      pending.delete(message.id);
    }
  });
  browserSession.on("Target.detachedFromTarget", (event) => {
    for (const [target, session] of workers) if (session === event.sessionId) workers.delete(target);
  });
  const toWorker = (sessionId, method, params) => new Promise((resolve, reject) => {
    const id = nextId++;
    pending.set(id, (m) => (m.error ? reject(new Error(`${method}: ${m.error.message}`)) : resolve(m.result)));
    browserSession.send("Target.sendMessageToTarget", { sessionId, message: JSON.stringify({ id, method, params }) }).catch(reject);
  });

  async function applyToPage(page) {
    if (page.isClosed()) return;
    let session = pages.get(page);
    if (!session) {
      session = await context.newCDPSession(page);
      await session.send("Network.enable");
      pages.set(page, session);
      page.on("close", () => pages.delete(page));
    }
    await session.send("Network.emulateNetworkConditions", PROFILES[mode]);
  }

  async function applyToWorkers() {
    const { targetInfos } = await browserSession.send("Target.getTargets");
    for (const target of targetInfos.filter((t) => t.type === "service_worker")) {
      let sessionId = workers.get(target.targetId);
      if (!sessionId) {
        ({ sessionId } = await browserSession.send("Target.attachToTarget", { targetId: target.targetId, flatten: false }));
        workers.set(target.targetId, sessionId);
        await toWorker(sessionId, "Network.enable", {});
      }
      await toWorker(sessionId, "Network.emulateNetworkConditions", PROFILES[mode]);
    }
  }

  context.on("page", (page) => applyToPage(page).catch(() => {}));
  return {
    get mode() { return mode; },
    async set(next) {
      mode = next;
      await applyToWorkers();
      for (const page of context.pages()) await applyToPage(page);
    },
    async close() {
      await browserSession.detach().catch(() => {});
    },
  };
}
