// Pages for volunteers and moderators. Everything here is an enhancement: each form also works
// without JavaScript.
//
// - "Use my location" and "take the position from a photo" fill the new-site form's position;
// - choosing a province loads its communes into the commune field's suggestions;
// - the photo form sends photos one by one through the resumable protocol of
//   src/web/contribute/uploads.rs: reduced to 2560 px in the browser (unless "send the
//   original" is ticked), in 256 KiB chunks, each retried with backoff after asking the server
//   where to resume, with a progress bar per photo;
// - drafts: the offline form (/offline/draft) keeps a contribution on the phone (photos reduced
//   the same way) and the service worker sends it once online; /contribute and that page list
//   the drafts waiting to send.
'use strict';
(function () {
  var d = document;
  Array.prototype.forEach.call(d.querySelectorAll('.js-only[hidden]'), function (el) {
    el.hidden = false;
  });

  function setPosition(lat, lon, accuracy) {
    var la = d.getElementById('lat'), lo = d.getElementById('lon'), acc = d.getElementById('accuracy');
    if (!la || !lo) return;
    la.value = lat.toFixed(6);
    lo.value = lon.toFixed(6);
    if (acc) acc.value = accuracy;
  }

  // Use my location.
  var locate = d.querySelector('[data-locate]');
  if (locate && navigator.geolocation) {
    locate.addEventListener('click', function () {
      var label = locate.textContent;
      locate.disabled = true;
      locate.textContent = locate.dataset.busy;
      navigator.geolocation.getCurrentPosition(function (pos) {
        locate.disabled = false;
        locate.textContent = label;
        setPosition(pos.coords.latitude, pos.coords.longitude, 'surveyed');
      }, function () {
        locate.disabled = false;
        locate.textContent = locate.dataset.failed;
      }, { enableHighAccuracy: true, timeout: 20000, maximumAge: 60000 });
    });
  }

  // The communes of the chosen province.
  var province = d.querySelector('select[data-communes]');
  if (province && window.fetch) {
    province.addEventListener('change', function () {
      var list = d.getElementById(province.dataset.list);
      fetch(province.dataset.communes + '?province=' + encodeURIComponent(province.value), { credentials: 'same-origin' })
        .then(function (r) { return r.ok ? r.json() : []; })
        .then(function (names) {
          list.innerHTML = '';
          names.forEach(function (n) {
            var o = d.createElement('option');
            o.value = n;
            list.appendChild(o);
          });
        })
        .catch(function () {});
    });
  }

  // EXIF GPS of a JPEG (the first 256 KiB hold it): [lat, lon] or null. Handles big- and
  // little-endian TIFF, and SRATIONAL as some phones write it. 0/0 means "no fix".
  function exifGps(buf) {
    var v = new DataView(buf);
    if (v.byteLength < 4 || v.getUint16(0) !== 0xFFD8) return null;
    var p = 2;
    while (p + 10 <= v.byteLength) {
      var marker = v.getUint16(p), len = v.getUint16(p + 2);
      if ((marker & 0xFF00) !== 0xFF00 || marker === 0xFFDA) return null;
      if (marker === 0xFFE1 && v.getUint32(p + 4) === 0x45786966) {
        try { return tiffGps(v, p + 10); } catch (e) { return null; }
      }
      p += 2 + len;
    }
    return null;
  }
  function tiffGps(v, t) {
    var le = v.getUint16(t) === 0x4949;
    var u16 = function (o) { return v.getUint16(t + o, le); };
    var u32 = function (o) { return v.getUint32(t + o, le); };
    var ifd = u32(4), n = u16(ifd), gps = 0, i, e;
    for (i = 0; i < n; i++) { e = ifd + 2 + i * 12; if (u16(e) === 0x8825) gps = u32(e + 8); }
    if (!gps) return null;
    var f = {};
    n = u16(gps);
    for (i = 0; i < n; i++) {
      e = gps + 2 + i * 12;
      var tag = u16(e), type = u16(e + 2), count = u32(e + 4);
      if (tag === 1 || tag === 3) f[tag] = String.fromCharCode(v.getUint8(t + e + 8));
      if ((tag === 2 || tag === 4) && (type === 5 || type === 10) && count === 3) {
        var off = u32(e + 8), sum = 0;
        for (var k = 0; k < 3; k++) {
          var num = type === 10 ? v.getInt32(t + off + k * 8, le) : u32(off + k * 8);
          var den = type === 10 ? v.getInt32(t + off + k * 8 + 4, le) : u32(off + k * 8 + 4);
          sum += den ? num / den / Math.pow(60, k) : 0;
        }
        f[tag] = sum;
      }
    }
    if (f[2] === undefined || f[4] === undefined) return null;
    var lat = f[2] * (f[1] === 'S' ? -1 : 1), lon = f[4] * (f[3] === 'W' ? -1 : 1);
    return lat === 0 && lon === 0 ? null : [lat, lon];
  }

  var gpsPhoto = d.querySelector('[data-gps-photo]');
  if (gpsPhoto && window.DataView) {
    gpsPhoto.addEventListener('change', function () {
      var file = gpsPhoto.files[0], status = d.querySelector('[data-gps-status]');
      if (!file) return;
      file.slice(0, 262144).arrayBuffer().then(function (buf) {
        var pos = exifGps(buf);
        if (pos) { setPosition(pos[0], pos[1], 'photo_gps'); status.textContent = pos[0].toFixed(5) + ', ' + pos[1].toFixed(5); }
        else status.textContent = gpsPhoto.dataset.none;
      });
    });
  }

  var MAX_EDGE = 2560;

  // The EXIF block of the original, with its orientation reset (the canvas already turned the
  // pixels), put into the reduced JPEG so the position and date survive the reduction.
  function withExif(original, reduced) {
    return Promise.all([original.slice(0, 131072).arrayBuffer(), reduced.arrayBuffer()]).then(function (bufs) {
      var v = new DataView(bufs[0]), p = 2, app1 = null;
      while (p + 10 <= v.byteLength) {
        var marker = v.getUint16(p), len = v.getUint16(p + 2);
        if ((marker & 0xFF00) !== 0xFF00 || marker === 0xFFDA) break;
        if (marker === 0xFFE1 && v.getUint32(p + 4) === 0x45786966 && p + 2 + len <= v.byteLength) {
          app1 = new Uint8Array(bufs[0].slice(p, p + 2 + len));
          break;
        }
        p += 2 + len;
      }
      if (!app1) return reduced;
      try {
        var a = new DataView(app1.buffer), t = 10, le = a.getUint16(t) === 0x4949;
        var ifd = a.getUint32(t + 4, le), n = a.getUint16(t + ifd, le);
        for (var i = 0; i < n; i++) {
          var e = t + ifd + 2 + i * 12;
          if (a.getUint16(e, le) === 0x0112) a.setUint16(e + 8, 1, le);
        }
      } catch (err) { return reduced; }
      var body = new Uint8Array(bufs[1]), at = 2;
      if (body[2] === 0xFF && body[3] === 0xE0) at = 4 + ((body[4] << 8) | body[5]);
      return new Blob([body.slice(0, at), app1, body.slice(at)], { type: 'image/jpeg' });
    }).catch(function () { return reduced; });
  }

  function reduce(file) {
    if (file.type !== 'image/jpeg' || !window.createImageBitmap) return Promise.resolve(file);
    return createImageBitmap(file, { imageOrientation: 'from-image' }).then(function (bmp) {
      var scale = Math.min(1, MAX_EDGE / Math.max(bmp.width, bmp.height));
      if (scale === 1) { bmp.close(); return file; }
      var c = d.createElement('canvas');
      c.width = Math.round(bmp.width * scale);
      c.height = Math.round(bmp.height * scale);
      c.getContext('2d').drawImage(bmp, 0, 0, c.width, c.height);
      bmp.close();
      return new Promise(function (done) { c.toBlob(function (b) { done(b || file); }, 'image/jpeg', 0.88); })
        .then(function (b) { return b === file ? file : withExif(file, b); });
    }).catch(function () { return file; });
  }

  // A key the same photo gives again after a reload: its SHA-256 where the browser offers it
  // (secure pages), else its name, size and date.
  function keyOf(file, blob) {
    var fallback = [file.name, file.size, file.lastModified, blob.size].join(':');
    if (!window.crypto || !crypto.subtle) return Promise.resolve(fallback);
    return blob.arrayBuffer().then(function (buf) { return crypto.subtle.digest('SHA-256', buf); })
      .then(function (h) {
        return 'sha256:' + Array.prototype.map.call(new Uint8Array(h), function (b) { return ('0' + b.toString(16)).slice(-2); }).join('');
      }).catch(function () { return fallback; });
  }

  // ---- Photo uploads -------------------------------------------------------------------------
  drafts();
  var form = d.querySelector('form[data-uploader]');
  if (!form || !window.fetch || !window.XMLHttpRequest || !window.Blob) return;
  var CHUNK = 256 * 1024, MAX_FAILURES = 20;
  var ds = form.dataset;

  function wait(ms) { return new Promise(function (r) { setTimeout(r, ms); }); }
  function backoff(n) { return Math.min(30000, 1000 * Math.pow(2, n)) * (0.75 + Math.random() / 2); }

  function request(method, url, body, onProgress) {
    return new Promise(function (resolve) {
      var x = new XMLHttpRequest();
      x.open(method, url);
      x.setRequestHeader('X-CSRF-Token', ds.csrf);
      x.setRequestHeader('Accept', 'application/json');
      x.timeout = 120000;
      if (onProgress && x.upload) x.upload.onprogress = function (e) { onProgress(e.loaded); };
      x.onload = function () {
        var json = null;
        try { json = JSON.parse(x.responseText); } catch (e) { json = null; }
        resolve({ status: x.status, json: json });
      };
      x.onerror = x.ontimeout = x.onabort = function () { resolve({ status: 0, json: null }); };
      x.send(body);
    });
  }

  function send(item) {
    var row = item.row, failures = 0, base = ds.uploader, up;
    function note(text) { row.note.textContent = text; }
    function declare() {
      return request('POST', base, JSON.stringify({
        name: item.file.name, size: item.blob.size, key: item.key,
        author: form.author.value, license: form.license.value, caption: form.caption.value || null,
        share_position: !!(form.share_position && form.share_position.checked)
      }));
    }
    function step(r) {
      if (r.status === 200 || r.status === 201) {
        failures = 0;
        up = r.json;
        row.bar.value = up.offset;
        if (up.complete) { note(ds.done); return true; }
        note('');
        var chunk = item.blob.slice(up.offset, up.offset + CHUNK), start = up.offset;
        return request('PUT', base + '/' + up.upload + '?offset=' + start, chunk, function (n) { row.bar.value = start + n; }).then(step);
      }
      if (r.status === 409 && r.json && typeof r.json.offset === 'number') {
        up.offset = r.json.offset;
        return step({ status: 200, json: up });
      }
      if (r.status === 404 && r.json && r.json.code === 'upload_not_found') return declare().then(step);
      if (r.status >= 400 && r.status < 500 && r.status !== 408 && r.status !== 409 && r.status !== 429) {
        note(ds.failed + ' ' + (r.json ? r.json.message : r.status));
        return false;
      }
      // Cut, timed out, busy or the server is restarting: wait, then ask where to resume.
      if (++failures > MAX_FAILURES) { note(ds.failed + ' ' + r.status); return false; }
      note(ds.retrying);
      return wait(backoff(failures)).then(function () {
        return up ? request('GET', base + '/' + up.upload) : declare();
      }).then(step);
    }
    note(ds.resizing);
    var keep = form.querySelector('[data-keep-original]');
    return (keep && keep.checked ? Promise.resolve(item.file) : reduce(item.file)).then(function (blob) {
      item.blob = blob;
      row.bar.max = blob.size;
      return keyOf(item.file, blob);
    }).then(function (key) {
      item.key = key;
      return declare().then(step);
    });
  }

  form.addEventListener('submit', function (ev) {
    var files = Array.prototype.slice.call(form.photos.files);
    if (!files.length) return;
    ev.preventDefault();
    var list = form.querySelector('[data-upload-list]'), button = form.querySelector('button[type=submit]');
    button.disabled = true;
    list.innerHTML = '';
    var items = files.map(function (file) {
      var li = d.createElement('li'), name = d.createElement('span'), bar = d.createElement('progress'), note = d.createElement('small');
      name.textContent = file.name + ' ';
      bar.max = file.size;
      bar.value = 0;
      note.textContent = ds.waiting;
      li.appendChild(name); li.appendChild(bar); li.appendChild(note);
      list.appendChild(li);
      return { file: file, row: { bar: bar, note: note } };
    });
    var added = 0, failed = 0;
    items.reduce(function (chain, item) {
      return chain.then(function () { return send(item); }).then(function (ok) { if (ok) added++; else failed++; });
    }, Promise.resolve()).then(function () {
      button.disabled = false;
      if (!failed) {
        var lang = d.documentElement.lang === 'en' ? '&lang=en' : '';
        location.href = location.pathname + '?added=' + added + lang;
      }
    });
  });

  // ---- Drafts --------------------------------------------------------------------------------
  // The same database as the service worker (static/sw.js): `drafts` holds what waits to send.
  function drafts() {
    var list = d.querySelector('[data-drafts]'), draftForm = d.querySelector('form[data-draft-form]');
    if (!list && !draftForm) return;
    var sw = navigator.serviceWorker;
    if (!sw || !window.indexedDB) {
      if (draftForm) problem(draftForm.dataset.lNeedsWorker);
      return;
    }
    var opened = null;
    function db() {
      return opened || (opened = new Promise(function (ok, ko) {
        var r = indexedDB.open('disan', 1);
        r.onupgradeneeded = function () {
          var x = r.result;
          x.createObjectStore('meta');
          x.createObjectStore('packs', { keyPath: 'id' });
          x.createObjectStore('drafts', { keyPath: 'key' });
        };
        r.onsuccess = function () { ok(r.result); };
        r.onerror = function () { ko(r.error); };
      }));
    }
    function store(mode, fn) {
      return db().then(function (x) {
        return new Promise(function (ok, ko) {
          var t = x.transaction('drafts', mode), req = fn(t.objectStore('drafts'));
          t.oncomplete = function () { ok(req.result); };
          t.onerror = t.onabort = function () { ko(t.error); };
        });
      });
    }
    function tell(message) {
      return sw.ready.then(function (reg) { reg.active.postMessage(message); });
    }
    function send() {
      return sw.ready.then(function (reg) {
        // Background Sync sends even if this page is closed; the message sends now.
        if (reg.sync) reg.sync.register('disan-drafts').catch(function () {});
        reg.active.postMessage({ cmd: 'drafts' });
      });
    }
    function problem(text) {
      var p = d.querySelector('[data-draft-problem]');
      if (!p) return;
      p.textContent = text || '';
      p.hidden = !text;
    }

    // "Waiting to send (n)": each draft, where it stands, and what to do about it.
    function render() {
      if (!list) return;
      store('readonly', function (s) { return s.getAll(); }).then(function (all) {
        var day = Date.now() - 24 * 3600 * 1000, waiting = 0, ds = list.dataset;
        var ul = list.querySelector('[data-draft-list]');
        ul.innerHTML = '';
        all.sort(function (a, b) { return b.created - a.created; }).forEach(function (x) {
          if (x.status === 'sent' && x.sent < day) { store('readwrite', function (s) { return s.delete(x.key); }); return; }
          if (x.status !== 'sent') waiting++;
          var li = d.createElement('li'), title = d.createElement('strong'), state = d.createElement('span');
          li.className = 'submission draft ' + x.status;
          title.textContent = x.title || x.fields.name || x.siteName || '';
          li.appendChild(title);
          var kind = d.createElement('span');
          kind.className = 'kind';
          kind.textContent = ({ 'new': ds.lNew, photos: ds.lPhotoKind, correct: ds.lCorrection })[x.kind] +
            (x.photos && x.photos.length ? ' · ' + x.photos.length + ' ' + ds.lPhotos.toLowerCase() : '');
          li.appendChild(kind);
          state.className = 'status';
          var sentBytes = (x.photos || []).reduce(function (n, p) { return n + (p.done ? p.size : (p.offset || 0)); }, 0);
          var allBytes = (x.photos || []).reduce(function (n, p) { return n + p.size; }, 0);
          state.textContent = ({ waiting: ds.lWaiting, sending: ds.lSending, sent: ds.lSent, login: ds.lLogin, invalid: ds.lInvalid })[x.status] || x.status;
          li.appendChild(state);
          if (x.status === 'sending' && allBytes) {
            var bar = d.createElement('progress');
            bar.max = allBytes;
            bar.value = sentBytes;
            li.appendChild(bar);
          }
          if (x.status === 'invalid') {
            var why = d.createElement('p');
            why.className = 'reason';
            why.textContent = x.errors ? Object.keys(x.errors).map(function (k) { return x.errors[k]; }).join(' ') : (x.message || '');
            li.appendChild(why);
          }
          var actions = d.createElement('p');
          if (x.status === 'sent' && x.url) {
            var open = d.createElement('a');
            open.href = x.url;
            open.textContent = title.textContent;
            actions.appendChild(open);
          } else if (x.status === 'login') {
            var login = d.createElement('a');
            login.className = 'button';
            login.href = '/login?next=' + encodeURIComponent('/contribute');
            login.textContent = ds.lLoginButton;
            actions.appendChild(login);
          } else {
            var now = d.createElement('button');
            now.type = 'button';
            now.className = 'quiet';
            now.textContent = ds.lSendNow;
            now.addEventListener('click', function () {
              store('readwrite', function (s) { x.status = 'waiting'; return s.put(x); }).then(send);
            });
            actions.appendChild(now);
          }
          if (x.status !== 'sent') {
            var drop = d.createElement('button');
            drop.type = 'button';
            drop.className = 'quiet';
            drop.textContent = ds.lDelete;
            drop.addEventListener('click', function () { store('readwrite', function (s) { return s.delete(x.key); }).then(render); });
            actions.appendChild(drop);
          }
          li.appendChild(actions);
          ul.appendChild(li);
        });
        list.querySelector('[data-draft-count]').textContent = waiting;
        list.hidden = !ul.children.length;
      });
    }

    // Say so before the phone runs out of room for drafts and their photos.
    var low = d.querySelector('[data-storage-low]');
    if (low && navigator.storage && navigator.storage.estimate) {
      navigator.storage.estimate().then(function (e) {
        low.hidden = !(e.quota && (e.quota - e.usage < 50 * 1024 * 1024 || e.usage / e.quota > 0.9));
      });
    }
    new BroadcastChannel('disan').onmessage = function (e) { if (e.data && e.data.type === 'drafts') render(); };
    window.addEventListener('online', send);
    render();
    sw.register('/sw.js').then(function () {
      // A volunteer is here: keep the offline form on the phone for the days without a signal.
      tell({ cmd: 'draft-shell' });
      send();
    }).catch(function () { if (draftForm) problem(draftForm.dataset.lNeedsWorker); });
    if (draftForm) draftPage(draftForm, store, send, problem, render);
  }

  // The offline form: which contribution it is, from the address (as the worker redirects the
  // contribution pages here when there is no network), and saving it as a draft.
  function draftPage(form, store, send, problem, render) {
    var q = new URLSearchParams(location.search), kind = q.get('kind') || 'new', site = q.get('site');
    if (['new', 'photos', 'correct'].indexOf(kind) < 0 || (kind !== 'new' && !site)) kind = 'new';
    Array.prototype.forEach.call(form.querySelectorAll('[data-kinds]'), function (el) {
      el.hidden = el.dataset.kinds.split(' ').indexOf(kind) < 0;
    });
    var before = {}, siteName = '';
    var fields = ['name', 'name_en', 'alt_names', 'type', 'type_other', 'address', 'province', 'commune', 'lat', 'lon', 'accuracy', 'summary', 'description', 'people', 'sources', 'note'];
    function shown(name) { var f = form.elements[name]; return f && !f.closest('[hidden]') ? f : null; }
    function ready() { form.hidden = false; }
    if (kind === 'new') ready();
    else {
      // The site as the phone knows it: the live record online, the saved pack offline.
      fetch('/api/v1/sites/' + encodeURIComponent(site)).then(function (r) { if (!r.ok) throw r; return r.json(); }).then(function (j) {
        var r = j.record, p = j.pack;
        var values = r ? {
          name: r.name, name_en: r.name_en, alt_names: (r.alt_names || []).join('\n'), type: r.type, summary: r.summary,
          description: r.description, people: (r.people || []).join('\n'),
          sources: (r.sources || []).map(function (s) { return [s.citation, s.url].filter(Boolean).join(' '); }).join('\n')
        } : {
          name: p.n, name_en: p.ne, alt_names: (p.a || []).join('\n'), type: p.t, summary: p.s,
          description: p.dm ? '' : p.d, people: (p.pp || []).join('\n')
        };
        siteName = values.name || site;
        Array.prototype.forEach.call(form.querySelectorAll('[data-site-name]'), function (el) { el.textContent = siteName; });
        if (kind === 'correct') {
          Object.keys(values).forEach(function (k) {
            var f = form.elements[k];
            if (!f || values[k] == null) return;
            if (k === 'type' && !Array.prototype.some.call(f.options, function (o) { return o.value === values[k]; })) {
              form.elements.type_other.value = values[k];
            } else f.value = values[k];
          });
          fields.forEach(function (k) { if (shown(k)) before[k] = shown(k).value; });
        }
        ready();
      }).catch(function () { problem(form.dataset.lSiteMissing); });
    }

    form.addEventListener('submit', function (ev) {
      ev.preventDefault();
      problem('');
      var values = {};
      fields.forEach(function (k) {
        var f = shown(k);
        // A correction sends what was changed; the rest stays as the server has it.
        if (f && (kind !== 'correct' || f.value !== before[k])) values[k] = f.value;
      });
      var files = kind === 'correct' ? [] : Array.prototype.slice.call(form.elements.photos.files);
      if (kind !== 'photos' && !(form.elements.name.value || '').trim()) { problem(form.dataset.lName); return; }
      if (kind === 'photos' && !files.length) { problem(form.dataset.lPhotos); return; }
      if (files.length && !form.elements.author.value.trim()) { problem(form.dataset.lAuthor); return; }
      var button = form.querySelector('button[type=submit]'), keep = form.querySelector('[data-keep-original]');
      button.disabled = true;
      Promise.all(files.map(function (file) {
        return (keep && keep.checked ? Promise.resolve(file) : reduce(file)).then(function (blob) {
          return keyOf(file, blob).then(function (key) {
            return { name: file.name, size: blob.size, key: key, blob: blob, offset: 0, done: false };
          });
        });
      })).then(function (photos) {
        var bytes = photos.reduce(function (n, p) { return n + p.size; }, 0);
        var room = navigator.storage && navigator.storage.estimate ? navigator.storage.estimate() : Promise.resolve(null);
        return room.then(function (e) {
          if (e && e.quota && e.quota - e.usage < 2 * bytes + 5 * 1024 * 1024) throw new Error(form.dataset.lNoRoom);
          if (navigator.storage && navigator.storage.persist) navigator.storage.persist().catch(function () {});
          var draft = {
            key: uuid(), kind: kind, site: kind === 'new' ? null : site, siteName: siteName,
            title: kind === 'new' ? values.name : siteName, fields: values,
            author: form.elements.author.value.trim(), license: form.elements.license.value,
            caption: form.elements.caption.value.trim(), photos: photos, created: Date.now(), status: 'waiting'
          };
          return store('readwrite', function (s) { return s.put(draft); });
        });
      }).then(function () {
        form.reset();
        d.querySelector('[data-draft-saved]').hidden = false;
        render();
        return send();
      }).catch(function (err) { problem(err.message); }).then(function () { button.disabled = false; });
    });
  }

  function uuid() {
    if (window.crypto && crypto.randomUUID) return crypto.randomUUID();
    var b = new Uint8Array(16);
    crypto.getRandomValues(b);
    return Array.prototype.map.call(b, function (x) { return ('0' + x.toString(16)).slice(-2); }).join('');
  }
})();

/* Moderation */
// "Use my location" on the needs-help list: fills the position field (which also works typed
// by hand) and sends the form, so the list comes back nearest first.
(function () {
  var button = document.querySelector('[data-fill-near]');
  if (!button || !navigator.geolocation) return;
  var field = document.getElementById(button.getAttribute('data-fill-near'));
  var status = document.querySelector('.near-status');
  if (!field) return;
  button.hidden = false;
  button.addEventListener('click', function () {
    if (status) status.textContent = button.getAttribute('data-locating');
    navigator.geolocation.getCurrentPosition(function (p) {
      field.value = p.coords.latitude.toFixed(4) + ', ' + p.coords.longitude.toFixed(4);
      if (field.form) field.form.submit();
    }, function () {
      if (status) status.textContent = button.getAttribute('data-failed');
    }, { timeout: 10000, maximumAge: 600000 });
  });
})();
