#!/usr/bin/env bash
# Browser end-to-end tests: builds the release binary, serves a copy of the bundled archive and
# drives the system's headless Chromium through it at a phone and a desktop viewport.
# Screenshots go to target/e2e-shots/. Needs Debian's `chromium` and Node.js.
set -euo pipefail
cd "$(dirname "$0")"
repo="$(cd ../.. && pwd)"
target="${CARGO_TARGET_DIR:-$repo/target}"
work="$(mktemp -d)"
port="${DISAN_E2E_PORT:-18181}"
# The debug build is the one `cargo test` has just made (dependencies are optimised even there),
# so CI does not pay for a second, release build; DISAN_E2E_PROFILE=release tests that instead.
profile="${DISAN_E2E_PROFILE:-debug}"
if [ "$profile" = release ]; then
  (cd "$repo" && cargo build --release --locked --quiet --bin disan)
else
  (cd "$repo" && cargo build --locked --quiet --bin disan)
fi
cp "$target/$profile/disan" "$work/disan"
./prepare.sh "$work"
# Accounts for the contribution and campaign paths, with a throwaway password.
export DISAN_E2E_PASSWORD="e2e-$(od -An -N8 -tx1 /dev/urandom | tr -d ' \n')"
for role in volunteer leader moderator; do
  echo "$DISAN_E2E_PASSWORD" | "$work/disan" --archive "$work/archive" --index "$work/index" \
    user add "$role" --role "$role" --password-stdin > /dev/null
done
[ -d node_modules/playwright-core ] || npm ci --no-audit --no-fund --silent
"$work/disan" --archive "$work/archive" --index "$work/index" serve --bind "127.0.0.1:$port" > "$work/serve.log" 2>&1 &
server=$!
trap 'kill $server 2>/dev/null; rm -rf "$work"' EXIT
for _ in $(seq 1 100); do
  curl -sf "http://127.0.0.1:$port/healthz" > /dev/null && break
  sleep 0.2
done
shots="${DISAN_E2E_SHOTS:-$target/e2e-shots}"
mkdir -p "$shots"
status=0
node browse.mjs "http://127.0.0.1:$port" "$shots" || status=1
if [ -n "${DISAN_TESTDATA:-}" ]; then
  mapfile -t photos < <(ls "$DISAN_TESTDATA/photos/gps/"*.jpg | head -2)
  node contribute.mjs "http://127.0.0.1:$port" "$shots" "${photos[@]}" || status=1
  node campaign.mjs "http://127.0.0.1:$port" "$shots" "${photos[@]}" || status=1
else
  echo "contribute, campaign: skipped — set DISAN_TESTDATA for the volunteer paths with real GPS photos"
fi
exit $status
