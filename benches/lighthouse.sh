#!/usr/bin/env bash
# Lighthouse (mobile profile, simulated slow 4G and a 4x slower CPU: its defaults) on the home
# page, a search results page and a site page with photos, against Debian's Chromium.
# Reports go to target/lighthouse/; the scores are printed as a table.
#
#   DISAN_TESTDATA=../shared/testdata benches/lighthouse.sh
#   DISAN_BIN=path/to/disan DISAN_TESTDATA=… benches/lighthouse.sh   # a binary built earlier
#
# Needs `chromium` (apt) and Node.js; installs Lighthouse from npm into benches/web/.
set -euo pipefail
repo="$(cd "$(dirname "$0")/.." && pwd)"
target="${CARGO_TARGET_DIR:-$repo/target}"
out="$target/lighthouse"
work="$(mktemp -d)"
port="${DISAN_LIGHTHOUSE_PORT:-18282}"
export CHROME_PATH="${CHROME_PATH:-/usr/bin/chromium}"
if [ -z "${DISAN_BIN:-}" ]; then
  (cd "$repo" && cargo build --release --locked --quiet)
  DISAN_BIN="$target/release/disan"
fi
cp "$DISAN_BIN" "$work/disan"
"$repo/tests/e2e/prepare.sh" "$work"
(cd "$repo/benches/web" && { [ -d node_modules/lighthouse ] || npm ci --no-audit --no-fund --silent; })
"$work/disan" --archive "$work/archive" --index "$work/index" serve --bind "127.0.0.1:$port" > "$work/serve.log" 2>&1 &
server=$!
trap 'kill $server 2>/dev/null; rm -rf "$work"' EXIT
for _ in $(seq 1 100); do curl -sf "http://127.0.0.1:$port/healthz" > /dev/null && break; sleep 0.2; done
mkdir -p "$out"
base="http://127.0.0.1:$port"
printf '%-10s %12s %14s %15s %5s\n' page performance accessibility best-practices seo
for page in "home /" "search /search?q=chua+bai+dinh" "site /sites/den-thai-vi"; do
  name="${page%% *}"; path="${page#* }"
  "$repo/benches/web/node_modules/.bin/lighthouse" "$base$path" --quiet \
    --chrome-flags="--headless=new --no-sandbox --disable-gpu --no-first-run --disable-background-networking --disable-component-update --disable-sync" \
    --output=json --output=html --output-path="$out/$name" > /dev/null
  node -e '
    const r = require(process.argv[1]);
    const s = (k) => Math.round(r.categories[k].score * 100);
    console.log(process.argv[2].padEnd(10), String(s("performance")).padStart(12), String(s("accessibility")).padStart(14),
      String(s("best-practices")).padStart(15), String(s("seo")).padStart(5));
  ' "$out/$name.report.json" "$name"
done
echo "reports: $out/*.report.html"
