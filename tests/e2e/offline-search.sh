#!/usr/bin/env bash
# The offline search against the server's on real records (offline-search.mjs): imports the
# crawled relic records of the test data (one site each), makes the judged name queries with
# `disan eval-search`, serves the archive, saves the Ninh Bình pack (966 sites) in headless
# Chromium and runs the queries both ways with the network cut. Fails when the offline
# Success@3 falls below 0.95 of the server's on any form. Needs DISAN_TESTDATA, Chromium and
# Node.js; uses the debug build `cargo test` made (DISAN_E2E_PROFILE=release for the other).
set -euo pipefail
cd "$(dirname "$0")"
repo="$(cd ../.. && pwd)"
if [ -z "${DISAN_TESTDATA:-}" ]; then
  echo "offline search: skipped — set DISAN_TESTDATA for the real records it compares on"
  exit 0
fi
target="${CARGO_TARGET_DIR:-$repo/target}"
port="${DISAN_E2E_SEARCH_PORT:-18183}"
profile="${DISAN_E2E_PROFILE:-debug}"
flag=""
[ "$profile" = release ] && flag="--release"
(cd "$repo" && cargo build $flag --locked --quiet --bin disan --example relics_to_import)
work="$(mktemp -d)"
server=""
trap '[ -n "$server" ] && kill $server 2>/dev/null; rm -rf "$work"' EXIT
cp "$target/$profile/disan" "$work/disan"
"$target/$profile/examples/relics_to_import" "$DISAN_TESTDATA" "$work/rows.json" --distinct 2> /dev/null
d="$work/disan --archive $work/archive --index $work/index"
$d import --quiet "$work/rows.json" > /dev/null || true   # rows without a name are rejected
$d ingest > /dev/null
$d eval-search --per-form 1000 --queries-out "$work/queries.json" > /dev/null
[ -d node_modules/playwright-core ] || npm ci --no-audit --no-fund --silent
$d serve --bind "127.0.0.1:$port" > "$work/serve.log" 2>&1 &
server=$!
for _ in $(seq 1 600); do curl -sf "http://127.0.0.1:$port/healthz" > /dev/null && break; sleep 0.2; done
node offline-search.mjs "http://127.0.0.1:$port" "$work/queries.json" "Ninh Bình"
