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
    if (k === 1) return oneOff(a, b);
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

  // Levenshtein distance at most 1, in one pass.
  function oneOff(a, b) {
    var la = a.length, lb = b.length, i = 0, j = 0, edits = 0;
    while (i < la && j < lb) {
      if (a.charCodeAt(i) === b.charCodeAt(j)) { i++; j++; continue; }
      if (++edits > 1) return false;
      if (la > lb) i++; else if (lb > la) j++; else { i++; j++; }
    }
    return edits + (la - i) + (lb - j) <= 1;
  }

  // As the server (src/search/query.rs): a word unknown to the index may be mistyped — one
  // letter from 4 letters, two from 8; when that leaves the page short, any word of 3 letters
  // or more may be, in names.
  function typoDistance(word) { return word.length < 4 ? 0 : word.length < 8 ? 1 : 2; }
  // Words that join the others ("đình thờ Cao Sơn"): scored where they occur, not required.
  var CONNECTIVES = ["tho", "o", "tai", "cua", "va", "cac", "nhung"];

  // The sites one query word matches, each with its best weight: a score per site (0 for
  // none) and the list of sites touched, so that matching a word costs what it matches.
  function Hits(n) { this.score = new Float32Array(n); this.sites = []; }
  Hits.prototype.add = function (list, weight) {
    if (!list) return;
    for (var k = 0; k < list.length; k++) {
      var p = list[k], site = p >> 4, v = weight * WEIGHT[p & 15], old = this.score[site];
      if (old === 0) this.sites.push(site);
      if (v > old) this.score[site] = v;
    }
  };
  Hits.prototype.copy = function () {
    var h = new Hits(0);
    h.score = this.score.slice();
    h.sites = this.sites.slice();
    return h;
  };

  // An index of `sites` (pack entries, see src/packs/site.rs). `typeLabels` maps type codes
  // to the labels people type for them, so "đình" also finds sites whose type is đình.
  function Engine(sites, typeLabels) {
    var exact = new Map(), folded = new Map(), inNames = new Map(), foldOf = new Map();
    var self = this;
    function folding(w) {
      var f = foldOf.get(w);
      if (f === undefined) foldOf.set(w, f = fold(w));
      return f;
    }
    function post(map, key, posting) {
      var list = map.get(key);
      if (list) list.push(posting); else map.set(key, [posting]);
    }
    this.sites = sites;
    this.byId = new Map();
    this.names = [];
    this.joined = [];
    this.places = [];
    sites.forEach(function (site, i) {
      self.byId.set(site.i, i);
      FIELDS.forEach(function (field, f) {
        var value = site[field[0]];
        if (field[0] === "t" && value) value = (typeLabels && typeLabels[value]) || value;
        if (value == null) return;
        // Pack text is already NFC (src/packs/site.rs): lowercasing is enough.
        var list = String(Array.isArray(value) ? value.join(" ") : value).toLowerCase().split(SPLIT);
        for (var k = 0; k < list.length; k++) {
          if (!list[k]) continue;
          var fw = folding(list[k]);
          post(exact, list[k], i * 16 + f);
          post(folded, fw, i * 16 + f);
          if (f <= 1) post(inNames, fw, i * 16 + f);
        }
        if (f === 0) {
          var name = list.filter(Boolean).map(folding);
          self.names.push(name);
          self.joined.push(" " + name.join(" ") + " ");
        }
      });
      self.places.push([site.pv, site.lp].map(function (p) { return p ? folding(p) : null; }));
    });
    function packed(map) {
      map.forEach(function (list, key) { map.set(key, Int32Array.from(list)); });
      return map;
    }
    this.exact = packed(exact);
    this.folded = packed(folded);
    this.inNames = packed(inNames);
    this.vocabulary = Array.from(folded.keys()).sort();
    // Words by length, for typos: every word, and the words of names.
    this.byLength = [];
    this.namesByLength = [];
    this.vocabulary.forEach(function (t) {
      (self.byLength[t.length] = self.byLength[t.length] || []).push(t);
      if (self.inNames.has(t)) (self.namesByLength[t.length] = self.namesByLength[t.length] || []).push(t);
    });
  }

  // What one query word matches as typed, as folded, as the start of a syllable (`last`), and
  // with a typo when the word is unknown.
  Engine.prototype.word = function (w, last) {
    var e = lower(w), f = fold(w), hits = new Hits(this.sites.length);
    var exact = this.exact.get(e), folded = this.folded.get(f);
    hits.add(exact, EXACT);
    hits.add(folded, e === f ? FOLDED_PLAIN : FOLDED_OTHER);
    if (last && f.length >= 2) {
      var v = this.vocabulary, lo = 0, hi = v.length;
      while (lo < hi) { var mid = (lo + hi) >> 1; if (v[mid] < f) lo = mid + 1; else hi = mid; }
      for (; lo < v.length && v[lo].lastIndexOf(f, 0) === 0; lo++) {
        if (v[lo] !== f) hits.add(this.folded.get(v[lo]), PREFIX);
      }
    }
    if (!exact && !folded) this.typos(hits, f, typoDistance(f), this.byLength, false);
    hits.folded = f;
    hits.known = !!(exact || folded);
    return hits;
  };

  Engine.prototype.typos = function (hits, f, distance, byLength, onlyNames) {
    var postings = onlyNames ? this.inNames : this.folded;
    for (var len = f.length - distance; distance && len <= f.length + distance; len++) {
      var list = byLength[len] || [];
      for (var k = 0; k < list.length; k++) {
        if (list[k] !== f && near(f, list[k], distance)) hits.add(postings.get(list[k]), FUZZY);
      }
    }
  };

  // The sites with every required word (all but connectives), each with the sum of its
  // words' weights. With `names`, any word of 3 letters or more may also be mistyped in a
  // name.
  Engine.prototype.match = function (base, names) {
    var self = this;
    var per = base.map(function (h) {
      // Unknown words of 4 letters or more already have their typos.
      if (!names || h.folded.length < 3 || (!h.known && h.folded.length >= 4)) return h;
      var more = h.copy();
      self.typos(more, h.folded, 1, self.namesByLength, true);
      return more;
    });
    var required = per.filter(function (h) { return CONNECTIVES.indexOf(h.folded) < 0; });
    if (!required.length) required = per;
    var smallest = required.reduce(function (a, b) { return a.sites.length <= b.sites.length ? a : b; });
    var out = [];
    for (var k = 0; k < smallest.sites.length; k++) {
      var site = smallest.sites[k], sum = 0, ok = true;
      for (var j = 0; j < per.length && ok; j++) {
        var v = per[j].score[site];
        if (v === 0 && required.indexOf(per[j]) >= 0) ok = false;
        sum += v;
      }
      if (ok) out.push([site, sum]);
    }
    return out;
  };

  // What lifts one site above another with the same words: the words in a row in its name,
  // and how much of its name they cover (a whole name typed exactly first of all).
  Engine.prototype.bonus = function (i, query) {
    var name = this.names[i] || [], joined = this.joined[i] || "  ", bonus = 0, covered = 0;
    for (var k = 0; k + 1 < query.length; k++) {
      if (joined.indexOf(" " + query[k] + " " + query[k + 1] + " ") >= 0) bonus += 0.5;
    }
    for (k = 0; k < name.length; k++) if (query.indexOf(name[k]) >= 0) covered++;
    if (name.length) bonus += covered / name.length;
    if (joined === " " + query.join(" ") + " ") bonus += 2;
    return bonus;
  };

  // opts: q, near [lat, lon], radius (km), province, type, level, red (true), sort
  // ("distance"), offset, limit, prefix (default true). Answers {total, loose, hits: [{site,
  // score, distance}]}.
  Engine.prototype.search = function (opts) {
    var self = this, q = words(opts.q).slice(0, MAX_WORDS), found, loose = false;
    var typed = lower(opts.q).trim(), limit = opts.limit || 20, prefix = opts.prefix !== false;
    if (q.length) {
      var base = q.map(function (w, k) { return self.word(w, prefix && k === q.length - 1); });
      found = this.match(base, false);
      if (found.length < limit) {
        var fuzzy = this.match(base, true);
        if (fuzzy.length > found.length) found = fuzzy;
      }
      if (!found.length) {
        loose = true;
        var sums = new Float32Array(this.sites.length);
        base.forEach(function (h) {
          h.sites.forEach(function (site) {
            if (sums[site] === 0) found.push([site, 0]);
            sums[site] += h.score[site];
          });
        });
        found.forEach(function (pair) { pair[1] = sums[pair[0]]; });
      }
    } else {
      found = this.sites.map(function (s, i) { return [i, 0]; });
    }
    var folded = q.map(fold), province = opts.province ? fold(opts.province) : null;
    var hits = [];
    found.forEach(function (pair) {
      var i = pair[0], score = pair[1], site = self.sites[i], distance = null;
      if (province && self.places[i][0] !== province && self.places[i][1] !== province) return;
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

  root.DisanSearch = { Engine: Engine, lower: lower, fold: fold, words: words, haversine: haversine, near: near, oneOff: oneOff };
})(typeof self !== "undefined" ? self : this);
