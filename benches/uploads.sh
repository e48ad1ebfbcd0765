#!/usr/bin/env bash
# Concurrent volunteers uploading real photos over real HTTP, with a search client running
# meanwhile; then a second run in which the server is killed (SIGKILL) mid-upload and
# restarted. Prints uploads/s, p50/p99 per upload, searches/s during the uploads, and checks
# that every photo sent is in the inbox exactly once and byte-identical (zero lost).
#
#   DISAN_TESTDATA=../shared/testdata benches/uploads.sh
#
# Options (environment): CLIENTS (50), PHOTOS (4 per volunteer), PHOTO_DIRS (the test data's
# phones/ and gps/ folders), KILL_AFTER (seconds into the second run, default 2; 0 skips it).
set -euo pipefail
repo="$(cd "$(dirname "$0")/.." && pwd)"
: "${DISAN_TESTDATA:?set DISAN_TESTDATA to the test data folder}"
clients="${CLIENTS:-50}"
photos="${PHOTOS:-4}"
dirs="${PHOTO_DIRS:-$DISAN_TESTDATA/photos/phones,$DISAN_TESTDATA/photos/gps}"
kill_after="${KILL_AFTER:-2}"
port="${DISAN_UPLOAD_PORT:-18484}"
target="${CARGO_TARGET_DIR:-$repo/target}"
work="$(mktemp -d)"
(cd "$repo" && cargo build --release --locked --quiet --bin disan --example upload_load)
# Benchmark a copy: a rebuild during the run must not replace the binary under test.
cp "$target/release/disan" "$target/release/examples/upload_load" "$work/"
export DISAN_LOAD_PASSWORD="load-test-password-$$"

server=""
trap '[ -n "$server" ] && kill -9 $server 2>/dev/null; rm -rf "$work"' EXIT
start_server() {
  "$work/disan" --archive "$work/archive" --index "$work/index" serve --bind "127.0.0.1:$port" >> "$work/serve.log" 2>&1 &
  server=$!
  for _ in $(seq 1 300); do curl -sf "http://127.0.0.1:$port/healthz" > /dev/null && return; sleep 0.1; done
  echo "the server did not start:"; cat "$work/serve.log"; exit 1
}

# Every published file with its hash (the inbox and private state excluded).
public() {
  (cd "$work/archive" && find . -path ./inbox -prune -o -path ./.disan -prune -o -type f -print0 | sort -z | xargs -0 sha256sum)
}

run() {  # $1: label, $2: seconds before SIGKILL (0: never)
  rm -rf "$work/archive" "$work/index" "$work/ready"
  cp -r "$repo/archive" "$work/archive"
  for n in $(seq -w 1 "$clients"); do
    [ "${#n}" -lt 2 ] && n="0$n"
    echo "$DISAN_LOAD_PASSWORD" | "$work/disan" --archive "$work/archive" user add "load$n" --role volunteer --password-stdin > /dev/null 2>&1
  done
  before="$(public)"
  start_server
  echo "== $1 (server RSS after start: $(awk '/VmRSS/ {print $2/1024 " MB"}' /proc/$server/status))"
  "$work/upload_load" "http://127.0.0.1:$port" "$work/archive" "$dirs" "$clients" "$photos" --ready "$work/ready" &
  driver=$!
  if [ "$2" != 0 ]; then
    while [ ! -f "$work/ready" ]; do sleep 0.1; done
    sleep "$2"
    half="$(ls "$work/archive/.disan/staging" 2>/dev/null | grep -c '\.part$' || true)"
    kill -9 "$server"; wait "$server" 2>/dev/null || true
    echo "killed the server with SIGKILL after ${2} s ($half uploads half-received); restarting"
    start_server
  fi
  wait "$driver"
  echo "server peak RSS: $(awk '/VmHWM/ {print $2/1024 " MB"}' /proc/$server/status)"
  [ "$(public)" = "$before" ] && echo "public archive: unchanged" || { echo "public archive CHANGED"; exit 1; }
  kill "$server"; wait "$server" 2>/dev/null || true
  server=""
}

echo "$clients volunteers × $photos photos from $dirs; $(nproc) cores"
run "steady" 0
[ "$kill_after" != 0 ] && run "killed after ${kill_after} s and restarted" "$kill_after"
