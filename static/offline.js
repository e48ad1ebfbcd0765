// The offline page (/offline): what is saved on this phone and saving more. The service worker
// does the downloading (it carries on when this page is closed, pauses when the network goes
// and resumes when it returns); this page asks it, shows what it says, and shows the sizes
// before anything is downloaded. Loaded on /offline only (and on pages the worker makes from
// it, where it lists what is saved).
(function () {
  "use strict";
  var d = document, root = d.querySelector("[data-offline]");
  var labels = d.getElementById("offline-labels");
  if (!root || !labels) return;
  var L = JSON.parse(labels.textContent), en = d.documentElement.lang === "en";
  var sw = navigator.serviceWorker;
  if (!sw || !window.caches) {
    d.querySelector("[data-needs-worker]").hidden = false;
    return;
  }
  Array.prototype.forEach.call(d.querySelectorAll(".js-only[hidden]"), function (el) { el.hidden = false; });
  var $ = function (sel) { return d.querySelector(sel); };
  var packsUrl = "/packs/v1";

  function size(bytes) {
    if (bytes < 1024 * 1024) return Math.max(1, Math.round(bytes / 1024)) + " KB";
    return (bytes / 1024 / 1024).toFixed(1) + " MB";
  }
  function el(tag, text, cls) {
    var e = d.createElement(tag);
    if (text != null) e.textContent = text;
    if (cls) e.className = cls;
    return e;
  }
  function getJson(url) {
    return fetch(url).then(function (r) { if (!r.ok) throw new Error(r.status); return r.json(); });
  }
  function worker() { return sw.ready.then(function (reg) { return reg.active; }); }
  function tell(message) { return worker().then(function (w) { w.postMessage(message); }); }
  function ask(message) {
    return worker().then(function (w) {
      return new Promise(function (ok) {
        var ch = new MessageChannel();
        ch.port1.onmessage = function (e) { ok(e.data); };
        w.postMessage(message, [ch.port2]);
      });
    });
  }

  // ---- What is saved ------------------------------------------------------------------------
  var statusText = { saving: L.offline_saving, paused: L.offline_paused, saved: L.offline_done, failed: L.offline_failed };
  function render(list) {
    var ul = $("[data-packs]");
    ul.innerHTML = "";
    if (!list.packs.length) ul.appendChild(el("li", L.offline_nothing_saved, "muted"));
    list.packs.sort(function (a, b) { return (b.saved || 0) - (a.saved || 0); }).forEach(function (p) {
      var li = el("li", null, "pack " + p.status), head = el("p");
      li.dataset.pack = p.id;
      head.appendChild(el("strong", p.label));
      var facts = [p.sites + " " + L.sites, size(p.bytes) + (p.photos ? " · " + L.photos : "")];
      if (p.saved) facts.push(L.offline_saved_on + " " + new Date(p.saved).toLocaleDateString(en ? "en-GB" : "vi-VN"));
      head.appendChild(el("span", " · " + facts.join(" · "), "muted"));
      li.appendChild(head);
      var state = el("p", statusText[p.status] || p.status, "pack-status");
      li.appendChild(state);
      if (p.status !== "saved") {
        var bar = el("progress");
        bar.max = Math.max(1, p.bytes);
        bar.value = Math.min(p.done, p.bytes);
        bar.setAttribute("aria-label", p.label);
        li.appendChild(bar);
      }
      var actions = el("p", null, "pack-actions");
      if (p.status === "saving") actions.appendChild(button(L.offline_pause, { cmd: "pause", id: p.id }));
      if (p.status === "paused" || p.status === "failed") actions.appendChild(button(L.offline_resume, { cmd: "resume", id: p.id }));
      if (p.status === "saved") actions.appendChild(button(L.offline_update, { cmd: "resume", id: p.id }));
      actions.appendChild(button(L.offline_delete, { cmd: "delete", id: p.id }));
      li.appendChild(actions);
      ul.appendChild(li);
    });
    var pages = $("[data-pages]");
    if (list.pages.length) {
      pages.innerHTML = "";
      list.pages.slice(0, 50).forEach(function (path) {
        var li = el("li"), a = el("a", decodeURIComponent(path));
        a.href = path;
        li.appendChild(a);
        pages.appendChild(li);
      });
    }
    var drafts = $("[data-drafts]");
    if (list.drafts) {
      drafts.hidden = false;
      drafts.querySelector("a").textContent = L.drafts_waiting + " (" + list.drafts + ")";
    }
  }
  function button(text, message) {
    var b = el("button", text, "quiet");
    b.type = "button";
    b.addEventListener("click", function () { tell(message).then(refresh); });
    return b;
  }
  var pending = false;
  function refresh() {
    if (pending) return;
    pending = true;
    setTimeout(function () {
      pending = false;
      ask({ cmd: "list" }).then(render);
      storage();
    }, 150);
  }
  function storage() {
    if (!navigator.storage || !navigator.storage.estimate) return;
    navigator.storage.estimate().then(function (e) {
      $("[data-storage]").textContent = L.offline_storage + ": " + size(e.quota || 0) + " (" + L.offline_storage_used + " " + size(e.usage || 0) + ")";
      $("[data-storage-low]").hidden = !(e.quota && (e.quota - e.usage < 50 * 1024 * 1024 || e.usage / e.quota > 0.9));
    });
  }

  function save(pack) {
    if (navigator.storage && navigator.storage.persist) navigator.storage.persist().catch(function () {});
    return tell({ cmd: "save", pack: pack }).then(refresh);
  }

  // ---- A province or a commune ----------------------------------------------------------------
  var province = $("[data-province]"), commune = $("[data-commune]"), placeSize = $("[data-place-size]");
  var index = null, toc = null;
  getJson(packsUrl + "/index.json").then(function (i) {
    index = i;
    i.provinces.forEach(function (p) {
      var o = el("option", (p.name || "—") + " (" + p.sites + ")");
      o.value = p.slug;
      province.appendChild(o);
    });
    return showProvince();
  }).catch(function () {});
  function showProvince() {
    var p = index && index.provinces.filter(function (x) { return x.slug === province.value; })[0];
    if (!p) return;
    return getJson(p.url).then(function (t) {
      toc = t;
      commune.length = 1;
      t.communes.forEach(function (c) {
        var o = el("option", (c.name || "—") + " (" + c.sites + ")");
        o.value = c.key;
        commune.appendChild(o);
      });
      showPlaceSize();
    });
  }
  function chosenPlace() {
    if (!toc) return null;
    var c = toc.communes.filter(function (x) { return x.key === commune.value; })[0];
    return c ? { sites: c.sites, br: c.br, photos: c.photo_bytes, label: (c.name || "—") + ", " + toc.province, id: "commune:" + c.key, source: { province: toc.slug, commune: c.key } }
      : { sites: toc.sites, br: toc.br, photos: toc.photo_bytes, label: toc.province || "—", id: "province:" + toc.slug, source: { province: toc.slug } };
  }
  function showPlaceSize() {
    var c = chosenPlace();
    if (c) placeSize.textContent = c.sites + " " + L.sites + " · " + L.offline_text_only + " " + size(c.br) + " · " + L.offline_with_photos + " " + size(c.br + c.photos);
  }
  province.addEventListener("change", showProvince);
  commune.addEventListener("change", showPlaceSize);
  $("[data-place]").addEventListener("submit", function (e) {
    e.preventDefault();
    var c = chosenPlace();
    if (!c) return;
    save({ id: c.id, kind: c.source.commune ? "commune" : "province", label: c.label, source: c.source, photos: e.submitter && e.submitter.value === "1" });
  });

  // ---- A selection: the sites around here, a search's results, one site ---------------------
  var chosen = $("[data-chosen]"), selection = null;
  function offer(label, query, id, kind) {
    return getJson(packsUrl + "/select?" + query).then(function (s) {
      if (!s.ids.length) { chosen.hidden = false; $("[data-chosen-title]").textContent = label; $("[data-chosen-size]").textContent = L.offline_not_found; return; }
      selection = { id: id, kind: kind, label: label, source: { select: query } };
      chosen.hidden = false;
      $("[data-chosen-title]").textContent = label;
      $("[data-chosen-size]").textContent = (s.truncated ? L.offline_truncated + " " : "") + s.ids.length + " " + L.sites + " · " +
        L.offline_text_only + " " + size(s.br) + " · " + L.offline_with_photos + " " + size(s.br + s.photo_bytes);
      Array.prototype.forEach.call(chosen.querySelectorAll("button"), function (b) { b.hidden = false; });
    });
  }
  Array.prototype.forEach.call(d.querySelectorAll("[data-chosen-save]"), function (b) {
    b.addEventListener("click", function () {
      if (!selection) return;
      selection.photos = b.dataset.chosenSave === "1";
      save(selection).then(function () { chosen.hidden = true; });
    });
  });
  $("[data-save-near]").addEventListener("submit", function (e) {
    e.preventDefault();
    var status = $("[data-near-status]"), radius = $("[data-radius]").value;
    if (!navigator.geolocation) { status.textContent = L.offline_no_position; return; }
    status.textContent = L.offline_locating;
    navigator.geolocation.getCurrentPosition(function (p) {
      var at = p.coords.latitude.toFixed(4) + "," + p.coords.longitude.toFixed(4);
      status.textContent = "";
      offer(L.offline_around + " " + at.replace(",", ", ") + " (" + radius + " km)", "near=" + at + "&radius_km=" + radius, "near:" + at + ":" + radius, "near");
    }, function () { status.textContent = L.offline_no_position; }, { timeout: 15000, maximumAge: 600000 });
  });
  var wanted = new URLSearchParams(location.search);
  if (wanted.get("save") === "site" && wanted.get("id")) {
    var id = wanted.get("id");
    getJson("/api/v1/sites/" + encodeURIComponent(id)).then(function (s) { return s.record ? s.record.name : id; }, function () { return id; })
      .then(function (name) { offer(L.offline_site + ": " + name, "id=" + encodeURIComponent(id), "site:" + id, "site"); });
  } else if (wanted.get("save") === "search") {
    wanted.delete("save");
    wanted.delete("lang");
    var words = [wanted.get("q")].concat(wanted.getAll("province"), wanted.getAll("type")).filter(Boolean).join(", ");
    offer(L.offline_results_of + " “" + words + "”", wanted.toString(), "search:" + wanted.toString(), "search");
  }

  sw.register("/sw.js").catch(function () { d.querySelector("[data-needs-worker]").hidden = false; });
  new BroadcastChannel("disan").onmessage = refresh;
  window.addEventListener("online", function () { tell({ cmd: "online" }); });
  refresh();
})();
