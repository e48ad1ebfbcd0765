#!/usr/bin/env bash
# Volunteer campaigns at a province's scale, over real HTTP: 20,000 accounts in 4,500 teams
# imported from a roster, a campaign over 50,000 sites, then 500 volunteers claiming and
# releasing tasks at once (half of the claims on 200 sites, so that they collide) while the
# campaign page is read. Prints the import times (first import and the idempotent second),
# the campaign's creation, claims/s with p50/p99 per claim, the campaign page's render time
# during and after the claims, the server's memory, and checks that no task was ever held by
# two people (from the clients' answers and from the server's own history).
#
#   DISAN_TESTDATA=../shared/testdata benches/campaigns.sh
#
# Options (environment): SITES (50000), USERS (20000), TEAMS (4500), CLIENTS (500),
# CLAIM_SECONDS (60), DISAN_CAMPAIGN_PORT (15484).
set -euo pipefail
repo="$(cd "$(dirname "$0")/.." && pwd)"
: "${DISAN_TESTDATA:?set DISAN_TESTDATA to the test data folder}"
sites="${SITES:-50000}"
users="${USERS:-20000}"
teams="${TEAMS:-4500}"
clients="${CLIENTS:-500}"
seconds="${CLAIM_SECONDS:-60}"
port="${DISAN_CAMPAIGN_PORT:-15484}"
target="${CARGO_TARGET_DIR:-$repo/target}"
command -v hyperfine > /dev/null || { apt-get update -qq && apt-get install -y -qq hyperfine; }
(cd "$repo" && cargo build --release --locked --quiet --bin disan --example country --example campaign_load)
work="$(mktemp -d)"
server=""
trap '[ -n "$server" ] && kill $server 2>/dev/null; rm -rf "$work"' EXIT
# Benchmark copies: a rebuild during the run must not replace the binaries under test.
cp "$target/release/disan" "$target/release/examples/country" "$target/release/examples/campaign_load" "$work/"
disan() { "$work/disan" --archive "$work/archive" --index "$work/index" "$@"; }
ulimit -n 65536 2> /dev/null || true
echo "$sites sites, $users volunteers in $teams teams, $clients claiming at once for ${seconds} s; $(nproc) cores"

echo "== $sites sites: import and ingest"
"$work/country" "$DISAN_TESTDATA" "$sites" "$work/sites.json" 2> /dev/null
/usr/bin/time -o "$work/time" -f "%e s, peak %M KB" "$work/disan" --archive "$work/archive" import --quiet "$work/sites.json" > /dev/null 2>&1 || true
echo "import: $(cat "$work/time")"
/usr/bin/time -o "$work/time" -f "%e s, peak %M KB" "$work/disan" --archive "$work/archive" --index "$work/index" ingest > /dev/null 2>&1 || true
echo "ingest: $(cat "$work/time")"

echo "== disan user import: $users volunteers in $teams teams"
"$work/campaign_load" roster "$work/roster.csv" "$users" "$teams"
hyperfine --runs 3 --prepare "rm -rf $work/archive/.disan" \
  "$work/disan --archive $work/archive user import --quiet --passwords $work/passwords.csv $work/roster.csv"
echo "-- the same file again (must change nothing)"
before="$(sha256sum "$work/archive/.disan/users.json")"
hyperfine --runs 5 "$work/disan --archive $work/archive user import --quiet $work/roster.csv"
[ "$(sha256sum "$work/archive/.disan/users.json")" = "$before" ] && echo "users.json unchanged" \
  || { echo "the second import changed users.json"; exit 1; }
export DISAN_LOAD_PASSWORD="campaign-bench-$$-password"
echo "$DISAN_LOAD_PASSWORD" | disan user add coordinator --role moderator --password-stdin > /dev/null

echo "== serve"
"$work/disan" --archive "$work/archive" --index "$work/index" serve --bind "127.0.0.1:$port" > "$work/serve.log" 2>&1 &
server=$!
for _ in $(seq 1 600); do curl -sf "http://127.0.0.1:$port/healthz" > /dev/null && break; sleep 0.2; done
curl -sf "http://127.0.0.1:$port/healthz" > /dev/null || { cat "$work/serve.log"; exit 1; }
echo "server RSS after start: $(awk '/VmRSS/ {print int($2/1024) " MB"}' /proc/$server/status)"
"$work/campaign_load" communes "$work/archive"
slug="$("$work/campaign_load" create "http://127.0.0.1:$port" coordinator)"
echo "server RSS with the campaign: $(awk '/VmRSS/ {print int($2/1024) " MB"}' /proc/$server/status)"

echo "== the campaign page, quiet (wrk, 1 thread, 4 connections, 10 s)"
wrk -t1 -c4 -d10s --latency "http://127.0.0.1:$port/campaigns/$slug" | grep -E "Requests/sec|50%|99%|Non-2xx"

echo "== $clients volunteers claiming and releasing for ${seconds} s"
"$work/campaign_load" claims "http://127.0.0.1:$port" "$work/archive" "$work/passwords.csv" "$clients" "$seconds" "$slug"
echo "server peak RSS: $(awk '/VmHWM/ {print int($2/1024) " MB"}' /proc/$server/status)"
echo "private database: $(du -sh "$work/archive/.disan" | cut -f1) (.disan with users.json)"

echo "== the campaign page after the claims (wrk, 1 thread, 4 connections, 10 s)"
wrk -t1 -c4 -d10s --latency "http://127.0.0.1:$port/campaigns/$slug" | grep -E "Requests/sec|50%|99%|Non-2xx"
kill "$server"; wait "$server" 2> /dev/null || true
server=""
