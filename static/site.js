// Disan: progressive enhancement only. Every feature here has a plain-HTML fallback.
(function () {
  "use strict";
  var d = document;

  // Suggestions while typing (falls back to the normal search form).
  var input = d.querySelector("input[data-suggest]");
  var list = d.getElementById("q-suggest");
  if (input && list && window.fetch) {
    var timer, seq = 0, active = -1;
    var lang = d.documentElement.lang === "en" ? "&lang=en" : "";
    var hide = function () { list.hidden = true; list.innerHTML = ""; active = -1; input.removeAttribute("aria-activedescendant"); };
    var show = function (items) {
      list.innerHTML = "";
      items.forEach(function (s, i) {
        var li = d.createElement("li"), a = d.createElement("a");
        li.id = "q-s" + i; li.setAttribute("role", "option");
        a.href = "/sites/" + encodeURIComponent(s.id) + (lang ? "?lang=en" : "");
        a.textContent = s.name;
        if (s.province) { var small = d.createElement("small"); small.textContent = " · " + s.province; a.appendChild(small); }
        li.appendChild(a); list.appendChild(li);
      });
      list.hidden = items.length === 0;
    };
    input.addEventListener("input", function () {
      clearTimeout(timer);
      var q = input.value;
      if (q.trim().length < 2) { hide(); return; }
      timer = setTimeout(function () {
        var mine = ++seq;
        fetch(input.dataset.suggest + "?limit=6&q=" + encodeURIComponent(q))
          .then(function (r) { return r.ok ? r.json() : { suggestions: [] }; })
          .then(function (j) { if (mine === seq) show(j.suggestions || []); })
          .catch(hide);
      }, 120);
    });
    input.addEventListener("keydown", function (e) {
      var items = list.querySelectorAll("li");
      if (list.hidden || !items.length) return;
      if (e.key === "ArrowDown" || e.key === "ArrowUp") {
        e.preventDefault();
        if (active >= 0) items[active].removeAttribute("aria-selected");
        active = (active + (e.key === "ArrowDown" ? 1 : items.length - 1)) % items.length;
        items[active].setAttribute("aria-selected", "true");
        input.setAttribute("aria-activedescendant", items[active].id);
      } else if (e.key === "Enter" && active >= 0) {
        e.preventDefault(); location.href = items[active].firstChild.href;
      } else if (e.key === "Escape") { hide(); }
    });
    d.addEventListener("click", function (e) { if (!list.contains(e.target) && e.target !== input) hide(); });
  }

  // "Near me": the browser's position, then a distance-sorted search.
  var near = d.querySelector("[data-near]");
  if (near && navigator.geolocation) {
    var status = d.querySelector(".near-status");
    near.addEventListener("click", function (e) {
      e.preventDefault();
      if (status) status.textContent = near.dataset.locating;
      navigator.geolocation.getCurrentPosition(function (p) {
        var here = p.coords.latitude.toFixed(4) + "," + p.coords.longitude.toFixed(4);
        location.href = near.dataset.near + "?near=" + here + (d.documentElement.lang === "en" ? "&lang=en" : "");
      }, function () { if (status) status.textContent = near.dataset.failed; }, { timeout: 10000, maximumAge: 600000 });
    });
  }

  // Photo viewer: tap to enlarge, swipe or arrow keys to move, Escape to close. Deep zoom
  // (pinch, double-tap) comes from zoom.js, fetched the first time a photo is opened.
  var strip = d.querySelector("[data-gallery]");
  if (strip) {
    var links = Array.prototype.slice.call(strip.querySelectorAll("a[data-large]"));
    var viewer, img, at = 0, x0 = null, opener = null;
    var zoomScript = strip.dataset.zoomScript, zoomLoading = false, zoomWaiting = [];
    var withZoom = function (fn) {
      if (!zoomScript) return;
      if (window.DisanZoom) { fn(); return; }
      zoomWaiting.push(fn);
      if (zoomLoading) return;
      zoomLoading = true;
      var s = d.createElement("script");
      s.src = zoomScript;
      s.onload = function () { zoomWaiting.splice(0).forEach(function (f) { f(); }); };
      s.onerror = function () { zoomWaiting = []; zoomLoading = false; };
      d.head.appendChild(s);
    };
    var zoom = function (i) {
      var info = links[i].dataset.zoom;
      if (!info) return;
      withZoom(function () {
        if (!viewer || at !== i) return;
        window.DisanZoom.show(viewer, img, info);
        if (!viewer.querySelector(".v-hint")) {
          var hint = d.createElement("p"); hint.className = "v-hint";
          hint.textContent = strip.dataset.zoomHint; viewer.appendChild(hint);
        }
      });
    };
    var button = function (cls, label, text, fn) {
      var b = d.createElement("button"); b.type = "button"; b.className = cls;
      b.setAttribute("aria-label", label); b.textContent = text; b.addEventListener("click", fn); return b;
    };
    var go = function (i) {
      at = (i + links.length) % links.length;
      if (window.DisanZoom) window.DisanZoom.close();
      img.src = links[at].dataset.large;
      img.alt = links[at].querySelector("img").alt;
      zoom(at);
    };
    var close = function () {
      if (window.DisanZoom) window.DisanZoom.close();
      viewer.remove(); viewer = null; d.removeEventListener("keydown", keys); if (opener) opener.focus();
    };
    var keys = function (e) {
      if (e.key === "Escape") close();
      else if (e.key === "ArrowRight") go(at + 1);
      else if (e.key === "ArrowLeft") go(at - 1);
    };
    links.forEach(function (a, i) {
      a.addEventListener("click", function (e) {
        e.preventDefault(); opener = a;
        viewer = d.createElement("div"); viewer.className = "viewer";
        viewer.setAttribute("role", "dialog"); viewer.setAttribute("aria-modal", "true");
        img = d.createElement("img"); viewer.appendChild(img);
        var closeButton = button("v-close", strip.dataset.close, "✕", close);
        viewer.appendChild(closeButton);
        if (links.length > 1) {
          viewer.appendChild(button("v-prev", strip.dataset.prev, "←", function () { go(at - 1); }));
          viewer.appendChild(button("v-next", strip.dataset.next, "→", function () { go(at + 1); }));
        }
        viewer.addEventListener("touchstart", function (t) { x0 = t.touches.length === 1 ? t.touches[0].clientX : null; }, { passive: true });
        viewer.addEventListener("touchend", function (t) {
          // A pinch, or a pan across a zoomed photo, is not a swipe to the next one.
          if (x0 === null || (window.DisanZoom && window.DisanZoom.zoomed())) { x0 = null; return; }
          var dx = t.changedTouches[0].clientX - x0; x0 = null;
          if (Math.abs(dx) > 40) go(at + (dx < 0 ? 1 : -1));
        });
        d.body.appendChild(viewer); d.addEventListener("keydown", keys);
        go(i); closeButton.focus();
      });
    });
  }

  // The plaque's print button.
  var print = d.querySelector("[data-print]");
  if (print) print.addEventListener("click", function () { window.print(); });

  // Offline use: the service worker installs once the page has loaded (the first visit costs
  // nothing more), and hears of each visit (it sends any draft still waiting).
  var sw = navigator.serviceWorker;
  if (sw) {
    window.addEventListener("load", function () { sw.register("/sw.js").catch(function () {}); });
    if (sw.controller) sw.controller.postMessage({ cmd: "visit" });
    window.addEventListener("online", function () { if (sw.controller) sw.controller.postMessage({ cmd: "online" }); });
  }
})();
