// Disan's service worker: the site keeps working with no signal. What it does with each kind
// of response is the table "Offline" in ARCHITECTURE.md:
//
// - fingerprinted assets and photos: from the cache first (their URLs change with them);
// - public pages: from the network, but after a few seconds without an answer (or none at all)
//   from the copy saved when the page was last opened, marked as a saved copy and from when;
//   a page never opened comes from the trip packs (a site, a search) or is the offline page;
// - the JSON API: the saved answer at once, refreshed behind it; offline, from the packs;
// - never kept: anything private (login, contributions, moderation) or personal
//   (`Cache-Control: private` or `no-store`, which is what every response that sets a cookie
//   carries).
//
// It also saves and updates trip packs for the pages (`/offline`), searches them, and sends
// the drafts volunteers wrote offline, exactly once, when the network returns. The settings
// (`DISAN`: shell, labels, build) and the search (`DisanSearch`) come first in the same script.
/* global DISAN, DisanSearch */
var SHELL = "disan-shell-" + DISAN.build, DRAFT_SHELL = "disan-draft-shell-" + DISAN.build;
var PAGES = "disan-pages", API = "disan-api", MEDIA = "disan-media";
var PACKS = "disan-packs", PACK_MEDIA = "disan-pack-media";
var KEEP = { pages: 150, api: 200, media: 300 }, TIMEOUT = 3000, CHUNK = 256 * 1024;
var PRIVATE = /^\/(login|logout|contribute|moderate)(\/|$)/;
var PAGE = /^\/(search|provinces|types|map|sites\/[a-z0-9-]+(\/history)?)?$/;
var CATALOG = "x-disan-catalog", SAVED = "x-disan-saved";
var channel = new BroadcastChannel("disan");

// ---- Storage: the same database as the pages' scripts ---------------------------------------
var opened = null;
function db() {
  return opened || (opened = new Promise(function (ok, ko) {
    var r = indexedDB.open("disan", 1);
    r.onupgradeneeded = function () {
      var d = r.result;
      d.createObjectStore("meta");
      d.createObjectStore("packs", { keyPath: "id" });
      d.createObjectStore("drafts", { keyPath: "key" });
    };
    r.onsuccess = function () { ok(r.result); };
    r.onerror = function () { opened = null; ko(r.error); };
  }));
}
function idb(name, mode, fn) {
  return db().then(function (d) {
    return new Promise(function (ok, ko) {
      var t = d.transaction(name, mode), req = fn(t.objectStore(name));
      t.oncomplete = function () { ok(req && req.result); };
      t.onerror = t.onabort = function () { ko(t.error); };
    });
  });
}
function get(name, key) { return idb(name, "readonly", function (s) { return s.get(key); }); }
function all(name) { return idb(name, "readonly", function (s) { return s.getAll(); }); }
function put(name, value, key) { return idb(name, "readwrite", function (s) { return key === undefined ? s.put(value) : s.put(value, key); }); }
function del(name, key) { return idb(name, "readwrite", function (s) { return s.delete(key); }); }

// ---- Install, update ------------------------------------------------------------------------
self.addEventListener("install", function (e) {
  e.waitUntil(caches.open(SHELL).then(function (c) { return c.addAll(DISAN.shell); })
    .then(function () { return self.skipWaiting(); }));
});

self.addEventListener("activate", function (e) {
  e.waitUntil(caches.keys().then(function (names) {
    return Promise.all(names.filter(function (n) {
      return /^disan-(draft-)?shell-/.test(n) && n !== SHELL && n !== DRAFT_SHELL;
    }).map(function (n) { return caches.delete(n); }));
  }).then(function () { return self.clients.claim(); }));
});

// ---- Requests ------------------------------------------------------------------------------
self.addEventListener("fetch", function (e) {
  var req = e.request, url = new URL(req.url), path = url.pathname;
  if (req.method !== "GET" || url.origin !== location.origin || path === "/sw.js") return;
  if (PRIVATE.test(path)) {
    if (req.mode === "navigate") e.respondWith(privatePage(req, url));
    return;
  }
  if (path.indexOf("/static/") === 0) e.respondWith(cacheFirst(req, SHELL, true));
  else if (path.indexOf("/media/") === 0) e.respondWith(cacheFirst(req, MEDIA, true, KEEP.media));
  else if (path.indexOf(DISAN.packs + "/c/") === 0 || path.indexOf(DISAN.packs + "/p/") === 0) e.respondWith(cacheFirst(req, PACKS, false));
  else if (path.indexOf("/api/v1/") === 0) e.respondWith(api(e, req, url));
  else if (path === "/offline" || path === "/offline/draft" || path === "/manifest.webmanifest") e.respondWith(shellPage(e, req, url));
  else if (req.mode === "navigate" && PAGE.test(path)) e.respondWith(page(e, req, url));
});

function timeout(ms) { return new Promise(function (ok) { setTimeout(ok, ms, null); }); }

// The network's answer, revalidated rather than taken from the browser's HTTP cache (pages
// may be kept there a few minutes): a new catalog shows at the next visit.
function fresh(req) { return fetch(new Request(req, { cache: "no-cache" })); }

// Whether a response may be kept: public, complete, and for everyone.
function keepable(res) {
  var cc = res.headers.get("cache-control") || "";
  return res.status === 200 && res.type === "basic" && !/private|no-store/.test(cc);
}

// Adds to a cache, dropping the oldest entries beyond `keep`.
function remember(name, req, res, keep) {
  return caches.open(name).then(function (c) {
    return c.put(req, res).then(function () {
      if (!keep) return;
      return c.keys().then(function (keys) {
        return Promise.all(keys.slice(0, Math.max(0, keys.length - keep)).map(function (k) { return c.delete(k); }));
      });
    });
  });
}

function cacheFirst(req, name, store, keep) {
  return caches.match(req).then(function (hit) {
    return hit || fetch(req).then(function (res) {
      if (store && keepable(res)) remember(name, req, res.clone(), keep);
      return res;
    });
  });
}

// A copy of a response, stamped with the time it was saved (the page says "saved at").
function stamped(res) {
  return res.clone().blob().then(function (body) {
    var h = new Headers(res.headers);
    h.set(SAVED, new Date().toISOString());
    return new Response(body, { status: res.status, statusText: res.statusText, headers: h });
  });
}

function lang(url) { return url.searchParams.get("lang") === "en" ? "en" : "vi"; }
function t(l) { return DISAN.labels[l]; }

// A page: the network if it answers within TIMEOUT (or at all, when nothing is saved), else
// the saved copy, else what the packs know, else the offline page.
function page(e, req, url) {
  var net = fresh(req).then(function (res) {
    if (keepable(res)) {
      e.waitUntil(stamped(res).then(function (copy) {
        return remember(PAGES, req, copy, KEEP.pages).then(function () { return noticeCatalog(res); });
      }));
    }
    return res;
  });
  return caches.open(PAGES).then(function (c) { return c.match(req, { ignoreVary: true }); }).then(function (saved) {
    if (!saved) return net.catch(function () { return offlineAnswer(url); });
    e.waitUntil(net.catch(function () {}));
    return Promise.race([net.catch(function () { return null; }), timeout(TIMEOUT)]).then(function (res) {
      return res && res.status < 500 ? res : savedCopy(saved, lang(url));
    });
  });
}

// The two pages of the offline shell and the app manifest: the network when it answers, else
// the saved copy.
function shellPage(e, req, url) {
  var draft = url.pathname === "/offline/draft", name = draft ? DRAFT_SHELL : SHELL;
  var key = url.pathname + (lang(url) === "en" ? "?lang=en" : "");
  var net = fresh(req).then(function (res) {
    if (keepable(res)) e.waitUntil(caches.open(name).then(function (c) { return c.put(key, res.clone()); }));
    return res;
  });
  return caches.open(name).then(function (c) { return c.match(key); }).then(function (saved) {
    if (!saved) return net;
    e.waitUntil(net.catch(function () {}));
    return Promise.race([net.catch(function () { return null; }), timeout(TIMEOUT)]).then(function (res) {
      return res && res.ok ? res : saved;
    });
  });
}

// A private page: only ever the network. Offline, a contribution page becomes the offline
// form (when this phone keeps it: a volunteer opened a contribution page before), anything
// else the offline page.
function privatePage(req, url) {
  return fresh(req).catch(function () {
    var m = url.pathname.match(/^\/contribute(?:\/(new|photos|correct)(?:\/([a-z0-9-]+))?)?\/?$/), l = lang(url);
    return caches.open(DRAFT_SHELL).then(function (c) { return c.match("/offline/draft"); }).then(function (form) {
      if (!m || !form) return notSaved(l);
      var to = "/offline/draft" + (m[1] ? "?kind=" + m[1] + (m[2] ? "&site=" + m[2] : "") : "");
      return Response.redirect(link(to, l), 303);
    });
  });
}

function esc(s) {
  return String(s == null ? "" : s).replace(/[&<>"']/g, function (c) {
    return { "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" }[c];
  });
}

// A page made here, with the headers of the page it was made from (its Content-Security-Policy
// above all: a page made offline is held to the same rules as one from the server).
function html(text, from) {
  var h = new Headers(from ? from.headers : {});
  ["content-length", "content-encoding", "etag", "last-modified", CATALOG, SAVED].forEach(function (n) { h.delete(n); });
  h.set("content-type", "text/html; charset=utf-8");
  h.set("cache-control", "no-store");
  return new Response(text, { headers: h });
}

// A saved page, with a note at the top of its content saying what it is and from when.
function savedCopy(saved, l) {
  var when = new Date(saved.headers.get(SAVED) || saved.headers.get("date") || Date.now());
  var note = '<p class="note saved-copy" role="status">' + esc(t(l).offline_no_signal) + " " +
    esc(t(l).offline_saved_copy) + ' <time datetime="' + when.toISOString() + '">' +
    esc(when.toLocaleString(l === "en" ? "en-GB" : "vi-VN")) + "</time>.</p>";
  return saved.text().then(function (text) { return html(text.replace('<main id="main">', '<main id="main">\n' + note), saved); });
}

// A page made here: the offline page's frame (header, menu, footer) around `main`.
function framed(l, title, main) {
  return caches.open(SHELL).then(function (c) { return c.match(l === "en" ? "/offline?lang=en" : "/offline"); }).then(function (shell) {
    if (!shell) return html("<!doctype html><meta charset=utf-8><title>" + esc(title) + "</title>" + main, null);
    return shell.text().then(function (text) {
      var start = text.indexOf('<main id="main">'), end = text.lastIndexOf("</main>");
      return html(text.slice(0, start).replace(/<title>[^<]*<\/title>/, "<title>" + esc(title) + "</title>") +
        '<main id="main">\n' + main + text.slice(end), shell);
    });
  });
}

// A page nobody saved: the site or the search from the packs, else the offline page with a
// notice (its script lists what is saved).
function offlineAnswer(url) {
  var l = lang(url), path = url.pathname, site = path.match(/^\/sites\/([a-z0-9-]+)$/);
  return engine().then(function (found) {
    if (site && found.engine.get(site[1])) return sitePage(found, found.engine.get(site[1]), l);
    if (path === "/search" && found.engine.sites.length) return searchPage(found, url, l);
    return notSaved(l);
  }).catch(function () { return notSaved(l); });
}

function notSaved(l) {
  return caches.open(SHELL).then(function (c) { return c.match(l === "en" ? "/offline?lang=en" : "/offline"); }).then(function (shell) {
    if (!shell) return new Response("offline", { status: 503 });
    return shell.text().then(function (text) {
      return html(text.replace('<main id="main">', '<main id="main">\n<p class="note not-saved" role="status">' + esc(t(l).offline_not_saved) + "</p>"), shell);
    });
  });
}

// ---- Pages made from the packs ---------------------------------------------------------------
function label(found, kind, code, l) {
  var pair = found.vocab && found.vocab[kind] && found.vocab[kind][code];
  return pair ? pair[l === "en" ? 1 : 0] : code;
}
function link(path, l) { return path + (l === "en" ? (path.indexOf("?") < 0 ? "?" : "&") + "lang=en" : ""); }
function km(d) { return d < 10 ? d.toFixed(1) : Math.round(d); }

function card(found, hit, l) {
  var s = hit.site, photo = s.ph && s.ph[0] && found.photos.has(s.ph[0].u) ? s.ph[0] : null;
  var meta = [s.t && label(found, "types", s.t, l), s.l && s.l !== "unranked" && label(found, "levels", s.l, l), s.pv]
    .filter(Boolean).map(esc).join(" · ");
  if (hit.distance != null) meta += " · <strong>" + km(hit.distance) + " " + esc(t(l).km) + "</strong>";
  return '<li class="card"><a href="' + esc(link("/sites/" + s.i, l)) + '">' +
    (photo ? '<span class="thumb"><img src="' + esc(photo.u) + '" width="' + photo.w + '" height="' + photo.h + '" alt="" loading="lazy"></span>' : "") +
    '<span class="card-text"><span class="card-name">' + esc(s.n) + "</span>" +
    (l === "en" && s.ne ? '<span class="card-other">' + esc(s.ne) + "</span>" : "") +
    '<span class="meta">' + meta + "</span>" + (s.r ? '<span class="badge red">' + esc(t(l).red_address) + "</span>" : "") +
    (s.s ? '<span class="snippet">' + esc(l === "en" && s.se ? s.se : s.s) + "</span>" : "") + "</span></a></li>";
}

function searchForm(q, l) {
  var L = t(l);
  return '<form class="search" action="/search" method="get" role="search"><label for="q">' + esc(L.search_label) +
    '</label><div class="search-row"><input id="q" name="q" type="search" value="' + esc(q) + '" placeholder="' +
    esc(L.search_placeholder) + '" autocomplete="off" data-suggest="/api/v1/suggest" aria-describedby="q-hint"><button type="submit">' +
    esc(L.search_button) + '</button></div><ul id="q-suggest" class="suggest" role="listbox" hidden></ul><p id="q-hint" class="hint">' +
    esc(L.search_hint) + "</p>" + (l === "en" ? '<input type="hidden" name="lang" value="en">' : "") + "</form>";
}

function params(url) {
  var p = url.searchParams, near = (p.get("near") || "").split(",").map(Number);
  return {
    q: p.get("q") || "", province: p.get("province") || null, type: p.get("type") || null,
    level: p.get("level") || null, red: p.get("red_address") === "true",
    near: near.length === 2 && near.every(isFinite) ? near : null,
    radius: p.get("radius_km") ? Number(p.get("radius_km")) : null,
    sort: p.get("sort"), offset: Number(p.get("offset")) || 0, limit: Math.min(100, Number(p.get("limit")) || 20),
  };
}

function searchPage(found, url, l) {
  var L = t(l), o = params(url), started = performance.now(), answer = found.engine.search(o);
  var heading = o.q ? L.results_for + " “" + o.q + "”" : o.near ? L.near + " " + o.near.join(", ") : L.search_label;
  var next = o.offset + o.limit < answer.total ? new URL(url) : null;
  if (next) next.searchParams.set("offset", o.offset + o.limit);
  var main = searchForm(o.q, l) + '<h1 class="results-heading">' + esc(heading) + "</h1>" +
    '<p class="total" role="status">' + answer.total + " " + esc(L.results_count) + "</p>" +
    '<p class="note offline-note">' + esc(L.offline_searching) + " (" + found.engine.sites.length + " " + esc(L.sites) + ").</p>" +
    (answer.loose ? '<p class="note">' + esc(L.loose_match) + "</p>" : "") +
    (answer.hits.length ? '<ul class="cards">' + answer.hits.map(function (h) { return card(found, h, l); }).join("") + "</ul>"
      : '<div class="empty"><h2>' + esc(L.no_results) + "</h2><p>" + esc(L.no_results_help) + "</p></div>") +
    (next ? '<nav class="pager"><a href="' + esc(next.pathname + next.search) + '" rel="next">→</a></nav>' : "");
  return framed(l, heading + " · " + L.site_name, main).then(function (res) {
    res.headers.set("server-timing", "offline-search;dur=" + (performance.now() - started).toFixed(2));
    return res;
  });
}

function sitePage(found, s, l) {
  var L = t(l), facts = [], paragraphs = l === "en" && s.de ? s.de : s.d;
  function fact(name, value) { if (value) facts.push("<dt>" + esc(name) + "</dt><dd>" + esc(value) + "</dd>"); }
  fact(L.other_names, (s.a || []).join(", "));
  fact(L.period, s.pd);
  fact(L.year_recognized, s.yr);
  fact(L.people, (s.pp || []).join(", "));
  fact(L.address, s.ad);
  fact(L.now_in, [s.cm, s.pv].filter(Boolean).join(", "));
  fact(L.formerly_in, [s.lc, s.ld, s.lp].filter(Boolean).join(", "));
  var photos = (s.ph || []).filter(function (p) { return found.photos.has(p.u); });
  var near = found.engine.nearby(s, 6);
  var main = '<article class="site"><p class="note offline-note">' + esc(L.offline_from_pack) + ". " + esc(L.offline_full_online) + "</p>" +
    '<header class="site-head"><p class="kicker">' + [s.t && label(found, "types", s.t, l), s.l && label(found, "levels", s.l, l)].filter(Boolean).map(esc).join(" · ") +
    "</p><h1>" + esc(s.n) + "</h1>" + (s.ne ? '<p class="other-name" lang="en">' + esc(s.ne) + "</p>" : "") +
    (s.r ? '<p class="badges"><span class="badge red">' + esc(L.red_address) + "</span></p>" : "") +
    (s.s ? '<p class="summary">' + esc(l === "en" && s.se ? s.se : s.s) + "</p>" : "") + "</header>" +
    (photos.length ? '<section class="gallery" aria-label="' + esc(L.photos) + '"><ul class="strip">' + photos.map(function (p) {
      var caption = l === "en" && p.ce ? p.ce : p.c;
      return '<li><figure><img src="' + esc(p.u) + '" width="' + p.w + '" height="' + p.h + '" alt="' + esc(caption || s.n) + '">' +
        (caption || p.au ? "<figcaption>" + esc(caption || "") + (p.au ? ' <span class="credit">' + esc(L.photo_credit) + " " + esc(p.au) +
          (p.li ? " (" + esc(L.license) + " " + esc(p.li) + ")" : "") + "</span>" : "") + "</figcaption>" : "") + "</figure></li>";
    }).join("") + "</ul></section>" : "") +
    (facts.length ? "<section><h2>" + esc(L.facts) + '</h2><dl class="facts">' + facts.join("") + "</dl></section>" : "") +
    (paragraphs ? '<section class="prose"><h2>' + esc(L.about) + "</h2>" + paragraphs.split(/\n\n+/).map(function (p) { return "<p>" + esc(p) + "</p>"; }).join("") + "</section>" : "") +
    '<section class="where"><h2>' + esc(L.location) + "</h2>" + (s.la != null ? "<p>" + esc(L.coordinates) + ': <span class="coords">' + s.la + ", " + s.lo + "</span></p>" +
      (s.ap ? '<p class="note">' + esc(L.approximate) + "</p>" : "") + '<p><a class="button" href="geo:' + s.la + "," + s.lo + '">' + esc(L.open_in_maps) + "</a></p>"
      : "<p>" + esc(L.no_position) + "</p>") + "</section>" +
    (near.length ? "<section><h2>" + esc(L.nearby) + '</h2><ul class="cards">' + near.map(function (h) { return card(found, h, l); }).join("") + "</ul></section>" : "") +
    (s.up ? '<p class="updated">' + esc(L.last_updated) + ": " + esc(s.up) + "</p>" : "") + "</article>";
  return framed(l, s.n + " · " + L.site_name, main);
}

// ---- The JSON API ---------------------------------------------------------------------------
function json(value, status) {
  return new Response(JSON.stringify(value), { status: status || 200, headers: { "content-type": "application/json", "cache-control": "no-store" } });
}

function api(e, req, url) {
  var net = fresh(req).then(function (res) {
    if (keepable(res)) e.waitUntil(remember(API, req, res.clone(), KEEP.api));
    return res;
  });
  return caches.open(API).then(function (c) { return c.match(req); }).then(function (saved) {
    if (saved) { e.waitUntil(net.catch(function () {})); return saved; }
    return net.catch(function () { return offlineApi(url); });
  });
}

function offlineApi(url) {
  var path = url.pathname, site = path.match(/^\/api\/v1\/sites\/([a-z0-9-]+)$/);
  return engine().then(function (found) {
    var en = found.engine, started = performance.now();
    if (path === "/api/v1/suggest") return json({ suggestions: en.suggest(url.searchParams.get("q") || "", Number(url.searchParams.get("limit")) || 8), offline: true });
    if (path === "/api/v1/search") {
      var o = params(url), answer = en.search(o), took = performance.now() - started;
      var res = json({
        total: answer.total, offset: o.offset, limit: o.limit, loose_match: answer.loose, offline: true,
        hits: answer.hits.map(function (h) {
          var s = h.site;
          return { id: s.i, name: s.n, name_en: s.ne || null, province: s.pv || null, province_legacy: s.lp || null,
            lat: s.la == null ? null : s.la, lon: s.lo == null ? null : s.lo, distance_km: h.distance, url: "/sites/" + s.i,
            thumbnail: s.ph && s.ph[0] ? s.ph[0].u : null, score: h.score, snippet: null, placeholder: null,
            type: s.t ? { code: s.t, vi: label(found, "types", s.t, "vi"), en: label(found, "types", s.t, "en") } : null };
        }),
        facets: { province: [], type: [], level: [], category: [] },
      });
      res.headers.set("server-timing", "offline-search;dur=" + took.toFixed(2));
      return res;
    }
    if (site && en.get(site[1])) return json({ id: site[1], url: "/sites/" + site[1], offline: true, pack: en.get(site[1]) });
    return json({ code: "offline", message: "no connection, and this is not in a saved pack" }, 503);
  }).catch(function () { return json({ code: "offline", message: "no connection" }, 503); });
}

// ---- A new catalog: drop the lists it made stale, update the saved packs ---------------------
function noticeCatalog(res) {
  var version = res.headers.get(CATALOG);
  if (!version) return;
  return get("meta", "catalog").then(function (known) {
    if (known === version) return;
    return put("meta", version, "catalog").then(function () {
      if (!known) return;
      return Promise.all([caches.delete(API), caches.open(PAGES).then(function (c) {
        return c.keys().then(function (keys) {
          return Promise.all(keys.map(function (k) {
            return c.match(k).then(function (r) {
              // A site's page shows that site as it was when saved (and says so); lists of
              // sites from an older catalog are wrong: gone.
              if (r && r.headers.get(CATALOG) !== version && !/^\/sites\/[a-z0-9-]+$/.test(new URL(k.url).pathname)) return c.delete(k);
            });
          }));
        });
      }), updatePacks()]);
    });
  });
}

// ---- Trip packs -----------------------------------------------------------------------------
var found = null, running = {};

function notify(type) { channel.postMessage({ type: type }); }

function fetchJson(url) {
  return fetch(url, { cache: "no-cache" }).then(function (r) {
    if (!r.ok) throw new Error(url + ": " + r.status);
    return r.json();
  });
}

// What a pack is made of now: its commune packs (with sizes) and, for a selection, its sites.
function resolve(pack) {
  var src = pack.source;
  return fetchJson(DISAN.packs + "/index.json").then(function (index) {
    return put("meta", { types: index.types, levels: index.levels }, "vocab").then(function () { return index; });
  }).then(function (index) {
    if (src.select) {
      return fetchJson(DISAN.packs + "/select?" + src.select).then(function (s) {
        return { parts: s.chunks.map(function (c) { return { u: c.url, b: c.br, p: c.photo_bytes }; }), ids: s.ids, photoBytes: s.photo_bytes, sites: s.ids.length };
      });
    }
    var province = index.provinces.filter(function (p) { return p.slug === src.province; })[0];
    if (!province) throw new Error("no pack for " + src.province);
    return fetchJson(province.url).then(function (toc) {
      var communes = toc.communes.filter(function (c) { return !src.commune || c.key === src.commune; });
      return {
        parts: communes.map(function (c) { return { u: c.url, b: c.br, p: c.photo_bytes }; }), ids: null,
        photoBytes: communes.reduce(function (n, c) { return n + c.photo_bytes; }, 0),
        sites: communes.reduce(function (n, c) { return n + c.sites; }, 0),
      };
    });
  });
}

// Saves (or updates) a pack: what it is made of now, then every file not yet on the phone.
function savePack(spec) {
  if (running[spec.id]) return running[spec.id].promise;
  var state = { paused: false }, cache, mediaCache;
  running[spec.id] = state;
  state.promise = get("packs", spec.id).then(function (old) {
    var pack = old || { id: spec.id, kind: spec.kind, label: spec.label, source: spec.source, photos: !!spec.photos, created: Date.now() };
    if (spec.photos !== undefined) pack.photos = !!spec.photos;
    pack.status = "saving";
    return put("packs", pack).then(function () { notify("packs"); return resolve(pack); }).then(function (plan) {
      pack.parts = plan.parts;
      pack.ids = plan.ids;
      pack.sites = plan.sites;
      pack.bytes = plan.parts.reduce(function (n, p) { return n + p.b; }, 0) + (pack.photos ? plan.photoBytes : 0);
      pack.done = 0;
      return Promise.all([caches.open(PACKS), caches.open(PACK_MEDIA)]);
    }).then(function (opened) {
      cache = opened[0];
      mediaCache = opened[1];
      return each(pack.parts, function (part) { return fetchInto(cache, part.u, part.b); });
    }).then(function () {
      if (!pack.photos) return;
      return photosOf(pack, cache).then(function (photos) {
        return each(photos, function (p) { return fetchInto(mediaCache, p.u, p.b); });
      });
    }).then(function () {
      pack.status = "saved";
      pack.saved = Date.now();
      found = null;
      return put("packs", pack).then(collect);
    }, function (err) {
      if (state.deleted) return;
      // Paused by hand, or the network went: either way it carries on later.
      pack.status = state.paused || err instanceof TypeError ? "paused" : "failed";
      pack.error = String(err && err.message || err);
      // Without a network it resumes when the network returns.
      if (self.registration.sync) self.registration.sync.register("disan-packs").catch(function () {});
      return put("packs", pack);
    });

    // Four files at a time: on 3G each request waits seconds for its first byte.
    function each(items, fn) {
      var next = 0;
      function lane() {
        if (next >= items.length) return Promise.resolve();
        if (state.paused) return Promise.reject(new Error("paused"));
        var item = items[next++];
        return fn(item).then(function () { return put("packs", pack); }).then(function () { notify("packs"); }).then(lane);
      }
      return Promise.all([lane(), lane(), lane(), lane()]);
    }
    function fetchInto(c, u, bytes) {
      return c.match(u).then(function (hit) {
        if (hit) { pack.done += bytes; return; }
        return fetch(u).then(function (res) {
          if (!res.ok) throw new Error(u + ": " + res.status);
          return c.put(u, res).then(function () { pack.done += bytes; });
        });
      });
    }
  }).then(function () { delete running[spec.id]; notify("packs"); }, function (err) { delete running[spec.id]; notify("packs"); throw err; });
  return state.promise;
}

// The photos of a pack's sites, at their smallest size.
function photosOf(pack, cache) {
  var only = pack.ids ? new Set(pack.ids) : null, out = [];
  return Promise.all(pack.parts.map(function (part) {
    return cache.match(part.u).then(function (r) { return r ? r.json() : { sites: [] }; }).then(function (chunk) {
      chunk.sites.forEach(function (s) {
        if (!only || only.has(s.i)) (s.ph || []).forEach(function (p) { out.push({ u: p.u, b: p.b }); });
      });
    });
  })).then(function () { return out; });
}

function updatePacks() {
  return all("packs").then(function (packs) {
    return packs.filter(function (p) { return p.status !== "saving"; }).reduce(function (chain, p) {
      return chain.then(function () { return savePack({ id: p.id }).catch(function () {}); });
    }, Promise.resolve());
  });
}

function resumePacks() {
  return all("packs").then(function (packs) {
    return Promise.all(packs.filter(function (p) { return p.status === "paused" || p.status === "failed" || p.status === "saving"; })
      .map(function (p) { return savePack({ id: p.id }).catch(function () {}); }));
  });
}

function deletePack(id) {
  if (running[id]) { running[id].paused = true; running[id].deleted = true; }
  return del("packs", id).then(function () { found = null; return collect(); }).then(function () { notify("packs"); });
}

// Deletes the files no saved pack needs any more.
function collect() {
  return Promise.all([all("packs"), caches.open(PACKS), caches.open(PACK_MEDIA)]).then(function (r) {
    var packs = r[0], cache = r[1], media = r[2], parts = new Set(), photos = new Set();
    packs.forEach(function (p) { (p.parts || []).forEach(function (x) { parts.add(new URL(x.u, location.origin).href); }); });
    return Promise.all(packs.filter(function (p) { return p.photos && p.parts; }).map(function (p) {
      return photosOf(p, cache).then(function (list) { list.forEach(function (x) { photos.add(new URL(x.u, location.origin).href); }); });
    })).then(function () {
      return Promise.all([
        cache.keys().then(function (keys) { return Promise.all(keys.filter(function (k) { return !parts.has(k.url); }).map(function (k) { return cache.delete(k); })); }),
        media.keys().then(function (keys) { return Promise.all(keys.filter(function (k) { return !photos.has(k.url); }).map(function (k) { return media.delete(k); })); }),
      ]);
    });
  });
}

// The search over every saved pack, built once per change of the packs (and per wake-up).
function engine() {
  if (found) return found;
  found = Promise.all([all("packs"), get("meta", "vocab"), caches.open(PACKS), caches.open(PACK_MEDIA)]).then(function (r) {
    var packs = r[0].filter(function (p) { return p.parts; }), vocab = r[1] || {}, cache = r[2], sites = new Map(), photos = new Set();
    return Promise.all(packs.map(function (p) {
      var only = p.ids ? new Set(p.ids) : null;
      return Promise.all(p.parts.map(function (part) {
        return cache.match(part.u).then(function (res) { return res ? res.json() : { sites: [] }; }).then(function (chunk) {
          chunk.sites.forEach(function (s) { if (!only || only.has(s.i)) sites.set(s.i, s); });
        });
      }));
    })).then(function () { return r[3].keys(); }).then(function (keys) {
      keys.forEach(function (k) { photos.add(new URL(k.url).pathname); });
      return { engine: new DisanSearch.Engine(Array.from(sites.values()), vocab.types && mapLabels(vocab.types)), vocab: vocab, photos: photos };
    });
  });
  found.catch(function () { found = null; });
  return found;
}

// Type codes → every label a person may type for them.
function mapLabels(types) {
  var out = {};
  Object.keys(types).forEach(function (code) { out[code] = types[code].join(" "); });
  return out;
}

// ---- Messages from the pages ------------------------------------------------------------------
self.addEventListener("message", function (e) {
  var m = e.data || {}, reply = e.ports && e.ports[0];
  var work = null;
  if (m.cmd === "save") work = savePack(m.pack);
  else if (m.cmd === "pause") { if (running[m.id]) running[m.id].paused = true; }
  else if (m.cmd === "resume") work = savePack({ id: m.id });
  else if (m.cmd === "delete") work = deletePack(m.id);
  else if (m.cmd === "online") work = Promise.all([resumePacks(), sendDrafts()]);
  else if (m.cmd === "visit" || m.cmd === "drafts") work = sendDrafts();
  else if (m.cmd === "draft-shell") work = caches.open(DRAFT_SHELL).then(function (c) { return c.addAll(DISAN.draft_shell); });
  else if (m.cmd === "list") work = listSaved().then(function (list) { if (reply) reply.postMessage(list); });
  if (work) e.waitUntil(work.catch(function () {}));
});

function listSaved() {
  return Promise.all([all("packs"), caches.open(PAGES).then(function (c) { return c.keys(); }), all("drafts")]).then(function (r) {
    return {
      packs: r[0].map(function (p) { return { id: p.id, kind: p.kind, label: p.label, status: p.status, bytes: p.bytes || 0, done: p.done || 0, sites: p.sites || 0, photos: p.photos, saved: p.saved || null, error: p.error || null }; }),
      pages: r[1].map(function (k) { return new URL(k.url).pathname + new URL(k.url).search; }).reverse(),
      drafts: r[2].filter(function (d) { return d.status !== "sent"; }).length,
    };
  });
}

self.addEventListener("sync", function (e) {
  if (e.tag === "disan-drafts") e.waitUntil(sendDrafts());
  if (e.tag === "disan-packs") e.waitUntil(resumePacks());
});

// ---- Drafts: sent once, through the volunteer's session --------------------------------------
function wait(ms) { return new Promise(function (ok) { setTimeout(ok, ms); }); }

function sendDrafts() {
  var run = function () {
    return all("drafts").then(function (drafts) {
      drafts = drafts.filter(function (d) { return d.status !== "sent" && d.status !== "invalid"; });
      if (!drafts.length) return;
      return sendWithRetries(drafts, 0);
    });
  };
  // One sender at a time, across tabs and this worker.
  return self.navigator && navigator.locks ? navigator.locks.request("disan-drafts", run) : run();
}

// A few quick retries for a connection that comes and goes; then the browser's background
// sync (or the next visit, or the next `online` event) takes over.
function sendWithRetries(drafts, attempt) {
  return sendAll(drafts).catch(function (err) {
    if (err && err.stop) return;
    if (attempt < 4) return wait(2000 * (attempt + 1)).then(function () { return sendWithRetries(drafts, attempt + 1); });
    if (self.registration.sync) return self.registration.sync.register("disan-drafts");
  });
}

function sendAll(drafts) {
  return fetch("/contribute/session", { headers: { accept: "application/json" }, cache: "no-store", credentials: "same-origin" }).then(function (r) {
    if (r.status === 401 || r.status === 403) {
      return Promise.all(drafts.map(function (d) { d.status = "login"; return put("drafts", d); })).then(function () {
        notify("drafts");
        throw { stop: true };
      });
    }
    if (!r.ok) throw new Error("session " + r.status);
    return r.json();
  }).then(function (session) {
    return drafts.reduce(function (chain, d) { return chain.then(function () { return sendOne(d, session.csrf); }); }, Promise.resolve());
  });
}

function call(method, url, csrf, body) {
  var headers = { accept: "application/json", "x-csrf-token": csrf };
  if (typeof body === "string") headers["content-type"] = "application/json";
  return fetch(url, { method: method, headers: headers, body: body, credentials: "same-origin", cache: "no-store" }).then(function (r) {
    return r.json().catch(function () { return null; }).then(function (j) { return { status: r.status, json: j }; });
  });
}

function sendOne(d, csrf) {
  function save() { return put("drafts", d).then(function () { notify("drafts"); }); }
  function refused(r) {
    if (r.status === 401 || r.status === 403) {
      d.status = "login";
      return save().then(function () { throw { stop: true }; });
    }
    if (r.status >= 400 && r.status < 500 && r.status !== 408 && r.status !== 409 && r.status !== 429) {
      d.status = "invalid";
      d.errors = (r.json && r.json.errors) || null;
      d.message = (r.json && r.json.message) || String(r.status);
      return save();
    }
    throw new Error("the server answered " + r.status);
  }
  d.status = "sending";
  d.message = null;
  return save().then(function () {
    if (d.submission) return;
    return call("POST", "/contribute/drafts", csrf, JSON.stringify({ key: d.key, kind: d.kind, site: d.site || null, fields: d.fields }))
      .then(function (r) {
        if (r.status !== 200 && r.status !== 201) return refused(r);
        d.submission = r.json.submission;
        d.url = r.json.url;
        d.uploads = r.json.uploads;
        return save();
      });
  }).then(function () {
    if (d.status === "invalid") return;
    return (d.photos || []).reduce(function (chain, p) {
      return chain.then(function () { if (!p.done && d.status !== "invalid") return upload(d, p, csrf, save, refused); });
    }, Promise.resolve()).then(function () {
      if (d.status === "invalid") return;
      d.status = "sent";
      d.sent = Date.now();
      (d.photos || []).forEach(function (p) { p.blob = null; });
      return save();
    });
  });
}

// One photo through the resumable protocol (src/web/contribute/uploads.rs): declare it (the
// same key finds the same upload), then send what the server does not have yet.
function upload(d, p, csrf, save, refused) {
  var up = null;
  function declare() {
    return call("POST", d.uploads, csrf, JSON.stringify({ name: p.name, size: p.blob.size, key: p.key, author: d.author, license: d.license, caption: d.caption || null }));
  }
  function step(r) {
    if (r.status === 200 || r.status === 201) {
      up = r.json;
      p.offset = up.offset;
      if (up.complete) { p.done = true; return save(); }
      return save().then(function () {
        var chunk = p.blob.slice(up.offset, up.offset + CHUNK);
        return fetch(d.uploads + "/" + up.upload + "?offset=" + up.offset, {
          method: "PUT", body: chunk, headers: { "x-csrf-token": csrf, accept: "application/json" }, credentials: "same-origin",
        }).then(function (res) { return res.json().catch(function () { return null; }).then(function (j) { return { status: res.status, json: j }; }); });
      }).then(step);
    }
    if (r.status === 409 && r.json && typeof r.json.offset === "number") return step({ status: 200, json: { upload: up.upload, offset: r.json.offset, complete: false } });
    if (r.status === 409) return wait(2000).then(function () { return call("GET", d.uploads + "/" + up.upload, csrf); }).then(step);
    if (r.status === 404 && r.json && r.json.code === "upload_not_found") return declare().then(step);
    return refused(r);
  }
  // After a cut, ask where the upload stands before sending more.
  return declare().then(step);
}
