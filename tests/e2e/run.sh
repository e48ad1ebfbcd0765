#!/usr/bin/env bash
# Browser end-to-end tests: builds the release binary, serves a copy of the bundled archive and
# drives the system's headless Chromium through it at a phone and a desktop viewport, and
# opens a site's IIIF manifest in Mirador (from npm) on another origin.
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
# Mirador, the IIIF viewer the deep-zoom test opens a manifest in: its self-contained build,
# taken from the npm package alone (its source dependencies are not needed to run it).
mirador="node_modules/.viewers/mirador-4.0.0.min.js"
if [ ! -f "$mirador" ]; then
  mkdir -p node_modules/.viewers
  (cd node_modules/.viewers && npm pack mirador@4.0.0 --silent > /dev/null \
    && tar xzf mirador-4.0.0.tgz package/dist/mirador.min.js \
    && mv package/dist/mirador.min.js mirador-4.0.0.min.js && rm -rf package mirador-4.0.0.tgz)
fi
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
  # The first three are already on a site (prepare.sh); the drafts send others.
  mapfile -t photos < <(ls "$DISAN_TESTDATA/photos/gps/"*.jpg)
  node offline.mjs "http://127.0.0.1:$port" "$shots" "$work/archive" "${photos[@]}" || status=1
  node iiif.mjs "http://127.0.0.1:$port" "$shots" "$mirador" "${DISAN_E2E_VIEWER_PORT:-18184}" || status=1
else
  echo "contribute, campaign: skipped — set DISAN_TESTDATA for the volunteer paths with real GPS photos"
  echo "offline: skipped — set DISAN_TESTDATA for the offline paths (packs, drafts with real photos)"
  echo "deep zoom: skipped — set DISAN_TESTDATA for a real 13-megapixel photo to zoom into"
fi
exit $status
