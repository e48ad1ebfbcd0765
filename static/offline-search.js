// Offline search over the trip packs saved on a phone: the server's Vietnamese behaviour
// (src/fold.rs, src/search/analyzer.rs, src/search/query.rs) with no network. Text is brought
// to NFC and cut into syllables; each is kept as written (lowercase, accents kept) and folded
// (marks removed, đ → d), so "chua mot cot", "Chùa Một Cột" and its NFD form find the same
// sites, and a query typed with accents ranks the sites with exactly those accents first.
// Every word must match (else any word may, and the answer says so); the last word also
// matches as the start of a syllable (typing); mistyped words are forgiven as the server
// forgives them. "Near me" orders by great-circle distance. Part of the service worker; also served
// alone (/static/offline-search.*.js) so that it can be measured in a page.
(function (root) {
  "use strict";
  var MARKS = /\p{M}/gu, SPLIT = /[^\p{L}\p{M}\p{N}]+/u, MAX_WORDS = 12;

  function lower(s) { return String(s == null ? "" : s).normalize("NFC").toLowerCase(); }
  function fold(s) { return lower(s).normalize("NFD").replace(MARKS, "").replace(/[đð]/g, "d"); }
  function words(s) { return lower(s).split(SPLIT).filter(Boolean); }

  // Fields searched, with their weights: names first, then people, then places, then text.
  var FIELDS = [["n", 3], ["a", 2.5], ["ne", 2], ["pp", 1.5], ["t", 1], ["cm", 1], ["pv", 1],
    ["lp", 1], ["ld", 0.8], ["lc", 0.8], ["ad", 0.8], ["s", 0.5]];
  var WEIGHT = FIELDS.map(function (f) { return f[1]; });
  // How a word matched: as typed, same letters with other (or no) accents, as the start of a
  // syllable, with one letter off.
  var EXACT = 1, FOLDED_PLAIN = 0.9, FOLDED_OTHER = 0.6, PREFIX = 0.5, FUZZY = 0.35;

  function haversine(a, b) {
    var r = Math.PI / 180, dlat = (b[0] - a[0]) * r, dlon = (b[1] - a[1]) * r;
    var h = Math.sin(dlat / 2) * Math.sin(dlat / 2) +
      Math.cos(a[0] * r) * Math.cos(b[0] * r) * Math.sin(dlon / 2) * Math.sin(dlon / 2);
    return 12742 * Math.asin(Math.min(1, Math.sqrt(h)));
  }

  // Whether a and b are at most k letters apart (changed, added or removed: Levenshtein).
  function near(a, b, k) {
    if (Math.abs(a.length - b.length) > k) return false;
    var prev = [], cur, i, j;
    for (j = 0; j <= b.length; j++) prev.push(j);
    for (i = 1; i <= a.length; i++) {
      cur = [i];
      var best = i;
      for (j = 1; j <= b.length; j++) {
        cur.push(Math.min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (a[i - 1] === b[j - 1] ? 0 : 1)));
        if (cur[j] < best) best = cur[j];
      }
      if (best > k) return false;
      prev = cur;
    }
    return prev[b.length] <= k;
  }

  // As the server (src/search/query.rs): a word unknown to the index may be mistyped — one
  // letter from 4 letters, two from 8; when that leaves the page short, any word of 3 letters
  // or more may be, in names.
  function typoDistance(word) { return word.length < 4 ? 0 : word.length < 8 ? 1 : 2; }
  // Words that join the others ("đình thờ Cao Sơn"): scored where they occur, not required.
  var CONNECTIVES = ["tho", "o", "tai", "cua", "va", "cac", "nhung"];

  function push(map, key, posting) {
    var list = map.get(key);
    if (list) list.push(posting); else map.set(key, [posting]);
  }

  // An index of `sites` (pack entries, see src/packs/site.rs). `typeLabels` maps type codes
  // to [vi, en] labels, so "đình" also finds sites whose type is đình.
  function Engine(sites, typeLabels) {
    var exact = new Map(), folded = new Map(), byLength = [], self = this;
    this.sites = sites;
    this.byId = new Map();
    this.names = [];
    sites.forEach(function (site, i) {
      self.byId.set(site.i, i);
      self.names.push(words(site.n).map(fold));
      FIELDS.forEach(function (field, f) {
        var value = site[field[0]];
        if (field[0] === "t" && value) value = (typeLabels && typeLabels[value]) || value;
        if (value == null) return;
        words(Array.isArray(value) ? value.join(" ") : value).forEach(function (w) {
          var posting = i * 16 + f, fw = fold(w);
          push(exact, w, posting);
          if (!folded.has(fw)) (byLength[fw.length] = byLength[fw.length] || []).push(fw);
          push(folded, fw, posting);
        });
      });
    });
    this.exact = exact;
    this.folded = folded;
    this.byLength = byLength;
    this.vocabulary = Array.from(folded.keys()).sort();
  }

  // Sites matching one query word, with the best weight of each. `names` adds typo-tolerant
  // matches in names for any word of 3 letters or more.
  Engine.prototype.word = function (w, last, names) {
    var e = lower(w), f = fold(w), hits = new Map(), self = this;
    function add(list, weight, onlyNames) {
      if (!list) return;
      for (var k = 0; k < list.length; k++) {
        var field = list[k] & 15;
        if (onlyNames && field > 1) continue;
        var site = list[k] >> 4, v = weight * WEIGHT[field];
        if (!(hits.get(site) >= v)) hits.set(site, v);
      }
    }
    var exact = this.exact.get(e), folded = this.folded.get(f);
    add(exact, EXACT);
    add(folded, e === f ? FOLDED_PLAIN : FOLDED_OTHER);
    if (last && f.length >= 2) {
      var v = this.vocabulary, lo = 0, hi = v.length;
      while (lo < hi) { var mid = (lo + hi) >> 1; if (v[mid] < f) lo = mid + 1; else hi = mid; }
      for (; lo < v.length && v[lo].lastIndexOf(f, 0) === 0; lo++) {
        if (v[lo] !== f) add(this.folded.get(v[lo]), PREFIX);
      }
    }
    var distance = !exact && !folded ? typoDistance(f) : 0, onlyNames = false;
    if (!distance && names && f.length >= 3) { distance = 1; onlyNames = true; }
    for (var len = f.length - distance; distance && len <= f.length + distance; len++) {
      (this.byLength[len] || []).forEach(function (t) {
        if (t !== f && near(f, t, distance)) add(self.folded.get(t), FUZZY, onlyNames);
      });
    }
    return hits;
  };

  // The sites with every required word (all but connectives), scored; `names`: see `word`.
  Engine.prototype.match = function (q, prefix, names) {
    var self = this, scores = new Map();
    var per = q.map(function (w, k) { return self.word(w, prefix && k === q.length - 1, names); });
    var required = per.filter(function (m, k) { return CONNECTIVES.indexOf(fold(q[k])) < 0; });
    if (!required.length) required = per;
    var smallest = required.reduce(function (a, b) { return a.size <= b.size ? a : b; });
    smallest.forEach(function (v, site) {
      var sum = 0;
      for (var k = 0; k < per.length; k++) {
        var s = per[k].get(site);
        if (s === undefined) { if (required.indexOf(per[k]) >= 0) return; continue; }
        sum += s;
      }
      scores.set(site, sum);
    });
    return { scores: scores, per: per };
  };

  // What lifts one site above another with the same words: the words in a row in its name,
  // and how much of its name they cover (a whole name typed exactly first of all).
  Engine.prototype.bonus = function (i, query) {
    var name = this.names[i], joined = name.join(" "), bonus = 0, covered = 0;
    for (var k = 0; k + 1 < query.length; k++) {
      if ((" " + joined + " ").indexOf(" " + query[k] + " " + query[k + 1] + " ") >= 0) bonus += 0.5;
    }
    name.forEach(function (w) { if (query.indexOf(w) >= 0) covered++; });
    if (name.length) bonus += covered / name.length;
    if (query.join(" ") === joined) bonus += 2;
    return bonus;
  };

  // opts: q, near [lat, lon], radius (km), province, type, level, red (true), sort
  // ("distance"), offset, limit, prefix (default true). Answers {total, loose, hits: [{site,
  // score, distance}]}.
  Engine.prototype.search = function (opts) {
    var self = this, q = words(opts.q).slice(0, MAX_WORDS), scores = new Map(), loose = false;
    var typed = lower(opts.q).trim(), limit = opts.limit || 20;
    if (q.length) {
      var prefix = opts.prefix !== false, strict = this.match(q, prefix, false);
      scores = strict.scores;
      if (scores.size < limit) {
        var fuzzy = this.match(q, prefix, true);
        if (fuzzy.scores.size > scores.size) scores = fuzzy.scores;
      }
      if (!scores.size) {
        loose = true;
        strict.per.forEach(function (m) { m.forEach(function (v, site) { scores.set(site, (scores.get(site) || 0) + v); }); });
      }
    } else {
      this.sites.forEach(function (s, i) { scores.set(i, 0); });
    }
    var folded = q.map(fold), province = opts.province ? fold(opts.province) : null;
    var hits = [];
    scores.forEach(function (score, i) {
      var site = self.sites[i], distance = null;
      if (province && fold(site.pv) !== province && fold(site.lp) !== province) return;
      if (opts.type && site.t !== opts.type) return;
      if (opts.level && site.l !== opts.level) return;
      if (opts.red && !site.r) return;
      if (opts.near) {
        if (site.la != null && site.lo != null) distance = haversine(opts.near, [site.la, site.lo]);
        if (opts.radius != null && (distance === null || distance > opts.radius)) return;
      }
      if (q.length) score += self.bonus(i, folded) + (lower(site.n) === typed ? 1 : 0);
      hits.push({ site: site, score: score, distance: distance });
    });
    var byDistance = opts.near && (opts.sort === "distance" || !q.length);
    hits.sort(function (a, b) {
      if (byDistance) {
        var da = a.distance === null ? Infinity : a.distance, db = b.distance === null ? Infinity : b.distance;
        if (da !== db) return da - db;
      }
      return b.score - a.score || (a.site.i < b.site.i ? -1 : a.site.i > b.site.i ? 1 : 0);
    });
    var offset = opts.offset || 0;
    return { total: hits.length, loose: loose, hits: hits.slice(offset, offset + limit) };
  };

  // Names starting like the text typed, for the search box.
  Engine.prototype.suggest = function (q, limit) {
    return this.search({ q: q, limit: limit || 8 }).hits.map(function (h) {
      return { id: h.site.i, name: h.site.n, province: h.site.pv || null };
    });
  };

  Engine.prototype.get = function (id) {
    var i = this.byId.get(id);
    return i === undefined ? null : this.sites[i];
  };

  // The k nearest other sites with a position.
  Engine.prototype.nearby = function (site, k) {
    if (site.la == null || site.lo == null) return [];
    var here = [site.la, site.lo];
    return this.sites
      .filter(function (s) { return s !== site && s.la != null && s.lo != null; })
      .map(function (s) { return { site: s, distance: haversine(here, [s.la, s.lo]) }; })
      .sort(function (a, b) { return a.distance - b.distance; })
      .slice(0, k);
  };

  root.DisanSearch = { Engine: Engine, lower: lower, fold: fold, words: words, haversine: haversine, near: near };
})(typeof self !== "undefined" ? self : this);
