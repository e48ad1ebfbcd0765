#!/usr/bin/env bash
# Load benchmark of the web site on the real corpus (≈8,700 relic records of the test data),
# each run with `wrk` for 30 s; prints requests/s, p50/p99 latency and errors:
#   searches  HTML result pages for 200 queries (three words of real names, half without
#             accents), in turn: after the first round they come from the page cache;
#   sites     HTML site pages, every site in turn;
#   distinct  HTML result pages for every site's full name: ~8,400 different queries, many
#             more than the page cache holds, so most requests run the search engine;
#   api       the JSON search API for the 200 queries (from the answer cache after the first
#             round, as for a popular site).
# After each run, the share of its requests answered from a page cache (from `/metrics`).
# Goal on a 2-core machine: ≥ 3,000 search pages/s and ≥ 5,000 site pages/s, no errors.
#
#   DISAN_TESTDATA=../shared/testdata benches/load.sh
#
# Options (environment): DURATION (default 30s), CONNECTIONS (64), THREADS (2), ACCEPT_ENCODING
# (unset: uncompressed, as wrk sends by default; `br` to measure compressed responses).
set -euo pipefail
repo="$(cd "$(dirname "$0")/.." && pwd)"
: "${DISAN_TESTDATA:?set DISAN_TESTDATA to the test data folder}"
command -v wrk > /dev/null || { apt-get update -qq && apt-get install -y -qq wrk; }
target="${CARGO_TARGET_DIR:-$repo/target}"
work="$(mktemp -d)"
port="${DISAN_LOAD_PORT:-18383}"
duration="${DURATION:-30s}"
(cd "$repo" && cargo build --release --locked --quiet --bin disan --example relics_to_import)
# Benchmark a copy: a rebuild during the run must not replace the binary under test.
cp "$target/release/disan" "$work/disan"
"$target/release/examples/relics_to_import" "$DISAN_TESTDATA" "$work/rows.json" --distinct
"$work/disan" --archive "$work/archive" import "$work/rows.json" --quiet > /dev/null || true
"$work/disan" --archive "$work/archive" --index "$work/index" ingest > /dev/null 2>&1 || true

# The requests: every site page, and 200 searches built from real names.
node -e '
  const fs = require("fs"), path = require("path");
  const [archive, out] = process.argv.slice(1);
  const files = [];
  const walk = (d) => { for (const e of fs.readdirSync(d, { withFileTypes: true })) {
    const p = path.join(d, e.name);
    if (e.isDirectory()) walk(p); else if (e.name === "site.json") files.push(p); } };
  walk(archive);
  const records = files.sort().map((f) => JSON.parse(fs.readFileSync(f, "utf8")));
  fs.writeFileSync(path.join(out, "sites.txt"), records.map((r) => "/sites/" + r.id).join("\n") + "\n");
  const fold = (s) => s.normalize("NFD").replace(/[\u0300-\u036f]/g, "").replace(/đ/g, "d").replace(/Đ/g, "D").toLowerCase();
  const queries = [];
  for (let i = 0; queries.length < 200 && i < records.length; i += Math.max(1, Math.floor(records.length / 200))) {
    const words = records[i].name.split(/\s+/).slice(0, 3).join(" ");
    queries.push(queries.length % 2 ? fold(words) : words);
  }
  fs.writeFileSync(path.join(out, "searches.txt"),
    queries.map((q) => "/search?q=" + encodeURIComponent(q)).join("\n") + "\n");
  fs.writeFileSync(path.join(out, "api.txt"),
    queries.map((q) => "/api/v1/search?q=" + encodeURIComponent(q)).join("\n") + "\n");
  fs.writeFileSync(path.join(out, "distinct.txt"),
    records.map((r) => "/search?q=" + encodeURIComponent(r.name)).join("\n") + "\n");
  console.log(records.length + " sites, " + queries.length + " queries");
' "$work/archive" "$work"

"$work/disan" --archive "$work/archive" --index "$work/index" serve --bind "127.0.0.1:$port" > "$work/serve.log" 2>&1 &
server=$!
trap 'kill $server 2>/dev/null; rm -rf "$work"' EXIT
for _ in $(seq 1 300); do curl -sf "http://127.0.0.1:$port/healthz" > /dev/null && break; sleep 0.2; done
curl -s "http://127.0.0.1:$port/healthz"; echo
cache_counts() { # → "hits misses" summed over the page caches (0 0 for a build without them)
  curl -sf "http://127.0.0.1:$port/metrics" | awk '/^disan_page_cache_hits_total/ { h += $2 }
    /^disan_page_cache_misses_total/ { m += $2 } END { printf "%d %d", h, m }'
}
header=()
[ -n "${ACCEPT_ENCODING:-}" ] && header=(-H "Accept-Encoding: $ACCEPT_ENCODING")
for kind in ${KINDS:-searches sites distinct api}; do
  # Warm the page cache and the index, then measure.
  PATHS="$work/$kind.txt" wrk -t2 -c16 -d3s "${header[@]}" -s "$repo/benches/load.lua" "http://127.0.0.1:$port" > /dev/null
  printf '%-9s ' "$kind"
  before=$(cache_counts)
  PATHS="$work/$kind.txt" wrk -t"${THREADS:-2}" -c"${CONNECTIONS:-64}" -d"$duration" "${header[@]}" \
    -s "$repo/benches/load.lua" "http://127.0.0.1:$port" | grep '^RESULT' | sed 's/^RESULT //' |
    tr -d '\n'
  echo " $before $(cache_counts)" | awk '{ h = $3 - $1; m = $4 - $2
    if (h + m > 0) printf " from-cache=%.0f%%", 100 * h / (h + m); print "" }'
done
