#!/usr/bin/env bash
# Offline use on real records: trip pack sizes, building them, the offline search against the
# server's on the same judged queries, its speed on a phone profile, and the code a phone
# downloads for it. Needs DISAN_TESTDATA, Chromium (apt `chromium`) and Node.js.
#
#   DISAN_TESTDATA=../shared/testdata benches/offline.sh
#   COUNTRY=100000 DISAN_TESTDATA=… benches/offline.sh   # also build packs for 100,000 sites
#
# 1. imports the ≈8,700 crawled relic records (one site each) and ingests them: the packs are
#    built at the end of the ingest; then builds them again from nothing (the index kept), and
#    once more with nothing changed — time and peak memory of each;
# 2. prints each province's pack: sites, compressed size (text only), bytes per site;
# 3. serves the archive and, in headless Chromium at a phone size (tests/e2e/offline-search.mjs),
#    saves the packs of Ninh Bình (966 sites: the "1,000-site pack"), then of Hà Nội, Bắc Ninh,
#    Phú Thọ and Thanh Hóa (5,159 sites), cuts the network and runs the judged name queries of
#    `disan eval-search` (exact, accent-free, NFD, one-letter typo) through the server (asked
#    for those provinces) and through the offline search: Success@1/3/10 side by side; then
#    times the offline search in a page with the CPU slowed ×4 (and ×1), and in the worker;
# 4. the service worker (with the offline search in it) and the offline page's script, as sent
#    (brotli, as the server compresses on the fly) and at brotli's best.
# With COUNTRY=N, also imports N sites recombined from the real records (examples/country.rs)
# and times the pack build for them the same way.
# Knobs: DISAN_OFFLINE_PORT (17702), PER_FORM (1000 judged queries per form at most).
set -euo pipefail
cd "$(dirname "$0")/.."
: "${DISAN_TESTDATA:?set DISAN_TESTDATA to the test data folder}"
PORT=${DISAN_OFFLINE_PORT:-17702}
PER_FORM=${PER_FORM:-1000}
command -v chromium > /dev/null || { apt-get update -qq && apt-get install -y -qq chromium; }
[ -x /usr/bin/time ] || { apt-get update -qq && apt-get install -y -qq time; }
work=$(mktemp -d)
server=""
cleanup() { [ -n "$server" ] && kill "$server" 2>/dev/null; rm -rf "$work"; }
trap cleanup EXIT

cargo build --release --quiet --bin disan --example relics_to_import --example country
cp target/release/disan "$work/disan"   # a stable copy: other builds may replace target/
(cd tests/e2e && { [ -d node_modules/playwright-core ] || npm ci --no-audit --no-fund --silent; })

# Ingest, then the packs alone from nothing, then nothing changed: seconds and peak RSS.
measure_packs() {
  local archive=$1 index=$2 label=$3
  local d="$work/disan --archive $archive --index $index"
  for run in "ingest (index and packs)" "packs from nothing" "nothing changed"; do
    [ "$run" = "packs from nothing" ] && rm -rf "$index/packs"
    /usr/bin/time -f "%e s, peak RSS %M KB" -o "$work/time" $d ingest > "$work/ingest.log" 2>&1 || true
    echo "$label, $run: $(cat "$work/time"); $(grep -o 'trip packs: [0-9]* communes written' "$work/ingest.log")"
  done
}

echo "== building packs"
target/release/examples/relics_to_import "$DISAN_TESTDATA" "$work/rows.json" --distinct 2> /dev/null
"$work/disan" --archive "$work/archive" import --quiet "$work/rows.json" > /dev/null || true
measure_packs "$work/archive" "$work/index" "$(ls -d "$work"/archive/*/*/ | wc -l) relic sites"
if [ -n "${COUNTRY:-}" ]; then
  target/release/examples/country "$DISAN_TESTDATA" "$COUNTRY" "$work/country.json" 2> /dev/null
  "$work/disan" --archive "$work/country" import --quiet "$work/country.json" > /dev/null || true
  measure_packs "$work/country" "$work/country-index" "$COUNTRY generated sites"
  rm -rf "$work/country" "$work/country-index"
fi

echo
echo "== pack sizes (text only, brotli as stored and served)"
node -e '
  const fs = require("fs"), dir = process.argv[1];
  const index = JSON.parse(fs.readFileSync(dir + "/index.json"));
  console.log("| province | sites | communes | compressed | bytes per site |");
  console.log("|---|---:|---:|---:|---:|");
  for (const p of index.provinces.sort((a, b) => b.sites - a.sites).filter((p) => p.sites >= 100)) {
    const toc = JSON.parse(fs.readFileSync(dir + "/p/" + p.url.split("/").pop()));
    console.log(`| ${p.name || "(no province)"} | ${p.sites} | ${toc.communes.length} | ${(p.br / 1024).toFixed(1)} KB | ${Math.round(p.br / p.sites)} |`);
  }
' "$work/index/packs"

"$work/disan" --archive "$work/archive" --index "$work/index" eval-search --per-form "$PER_FORM" \
  --queries-out "$work/queries.json" > /dev/null
"$work/disan" --archive "$work/archive" --index "$work/index" serve --bind "127.0.0.1:$PORT" > "$work/serve.log" 2>&1 &
server=$!
for _ in $(seq 1 150); do curl -sf "http://127.0.0.1:$PORT/healthz" > /dev/null && break; sleep 0.2; done
base="http://127.0.0.1:$PORT"

echo
echo "== offline search against the server: a 1,000-site pack"
node tests/e2e/offline-search.mjs "$base" "$work/queries.json" "Ninh Bình"
echo
echo "== offline search against the server, and its speed: 5,000 saved sites"
node tests/e2e/offline-search.mjs "$base" "$work/queries.json" "Hà Nội,Bắc Ninh,Phú Thọ,Thanh Hóa" --bench

echo
echo "== what a phone downloads for offline use (bytes)"
offline_js=$(curl -s "$base/offline" | grep -o '/static/offline\.[0-9a-f]*\.js' | head -1)
for path in /sw.js "$offline_js"; do
  curl -s "$base$path" -o "$work/asset"
  sent=$(curl -s -H 'Accept-Encoding: br' "$base$path" | wc -c)
  node -e '
    const z = require("zlib"), b = require("fs").readFileSync(process.argv[1]);
    const best = z.brotliCompressSync(b, { params: { [z.constants.BROTLI_PARAM_QUALITY]: 11 } }).length;
    console.log(`${process.argv[2]}: ${b.length} plain, ${process.argv[3]} as sent (brotli), ${best} at brotli 11`);
  ' "$work/asset" "$path" "$sent"
done
