#!/usr/bin/env bash
# The soak benchmark: DURATION seconds (default 1800) of mixed traffic on the real corpus —
# searches (JSON and pages), site pages and photos under wrk; volunteers starting photo
# submissions and uploading real photos, each approved by a moderator (a live re-index);
# 200 slowloris clients and 500 idle connections held open — with a re-ingest halfway (the
# server is stopped, `disan ingest` brings a changed archive in, the server starts again).
# Every minute it prints the server's RSS, open files, threads, and wrk's requests/s, p99 and
# errors for that minute; a flat RSS and steady p99 are the goal.
#
#   DISAN_TESTDATA=../shared/testdata benches/soak.sh
#   DURATION=300 DISAN_TESTDATA=… benches/soak.sh          # a 5-minute run
set -euo pipefail
repo="$(cd "$(dirname "$0")/.." && pwd)"
: "${DISAN_TESTDATA:?set DISAN_TESTDATA to the test data folder}"
duration="${DURATION:-1800}"
port="${DISAN_SOAK_PORT:-16480}"
target="${CARGO_TARGET_DIR:-$repo/target}"
command -v wrk > /dev/null || { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq wrk; }
work="$(mktemp -d)"
(cd "$repo" && cargo build --release --locked --quiet --bin disan --example relics_to_import)
cp "$target/release/disan" "$target/release/examples/relics_to_import" "$work/"
server=""
client=""
# On failure the work folder stays, with the server's and the client's logs.
trap 'status=$?; [ -n "$server" ] && { kill $server 2>/dev/null || true; }; [ -n "$client" ] && { kill $client 2>/dev/null || true; }; if [ $status -eq 0 ]; then rm -rf "$work"; else echo "failed ($status): kept $work"; fi' EXIT

# The corpus: the relic records imported (one site each), ingested.
"$work/relics_to_import" "$DISAN_TESTDATA" "$work/rows.json" > /dev/null
mkdir -p "$work/archive"
"$work/disan" --archive "$work/archive" import "$work/rows.json" -q > /dev/null 2>&1 || true
cat > "$work/disan.toml" <<TOML
[contribute]
max_submissions_per_hour = 100000
max_upload_mb_per_day = 1000000
TOML
password="soak-password-$$"
for user in soak0 soak1 soak2 soak3; do
  echo "$password" | "$work/disan" --archive "$work/archive" user add "$user" --role volunteer --password-stdin > /dev/null 2>&1
done
echo "$password" | "$work/disan" --archive "$work/archive" user add soakmod --role moderator --password-stdin > /dev/null 2>&1
"$work/disan" --config "$work/disan.toml" --archive "$work/archive" --index "$work/index" ingest > /dev/null 2>&1 || true
find "$work/archive" -name site.json | awk -F/ '{print $(NF-1)}' | shuf -n 2000 --random-source=<(yes) > "$work/sites.txt"

start_server() {
  "$work/disan" --config "$work/disan.toml" --archive "$work/archive" --index "$work/index" \
    serve --bind "127.0.0.1:$port" >> "$work/serve.log" 2>&1 &
  server=$!
  for _ in $(seq 1 600); do curl -sf "http://127.0.0.1:$port/healthz" > /dev/null && return; sleep 0.1; done
  echo "the server did not start:"; tail "$work/serve.log"; exit 1
}
start_server
sites=$(wc -l < "$work/sites.txt")
echo "$sites sites sampled; $(nproc) cores; $duration s"

# wrk's mix: 40 % JSON searches, 20 % search pages, 30 % site pages, 10 % photos.
names=$(shuf -n 300 --random-source=<(yes) "$work/sites.txt" | sed 's/-/ /g' | awk '{print "\"" $1 " " $2 "\","}' | tr -d '\n')
ids=$(head -n 1000 "$work/sites.txt" | awk '{print "\"" $0 "\","}' | tr -d '\n')
photo=$(curl -s "http://127.0.0.1:$port/api/v1/search?q=chua&limit=1" > /dev/null; find "$work/index/media" -name '*-320.webp' -print -quit | sed "s|$work/index||")
cat > "$work/mix.lua" <<LUA
local names = {$names}
local ids = {$ids}
local photo = "$photo"
local n = 0
request = function()
  n = n + 1
  local r = (n * 7919) % 10
  if r < 4 then return wrk.format("GET", "/api/v1/search?q=" .. names[(n % #names) + 1]:gsub(" ", "+"))
  elseif r < 6 then return wrk.format("GET", "/search?q=" .. names[(n % #names) + 1]:gsub(" ", "+"))
  elseif r < 9 or photo == "" then return wrk.format("GET", "/sites/" .. ids[(n % #ids) + 1])
  else return wrk.format("GET", photo) end
end
LUA

python3 "$repo/benches/soak_client.py" "http://127.0.0.1:$port" "$DISAN_TESTDATA/photos/gps" \
  "$work/sites.txt" "$duration" "$password" > "$work/client.out" 2> "$work/client.err" &
client=$!

printf '%4s %8s %6s %7s %9s %8s %8s %s\n' min rss_mb fds threads req_s p99_ms errors note
minutes=$(( (duration + 59) / 60 ))
for m in $(seq 1 "$minutes"); do
  note=""
  if [ "$m" -eq $(( minutes / 2 + 1 )) ]; then
    # The re-ingest: a changed record brought in by `disan ingest` between two server runs.
    kill "$server" 2> /dev/null || true
    wait "$server" 2>/dev/null || true
    # `-quit`, not `| head -1`: under pipefail a find cut short by head fails the script.
    f=$(find "$work/archive" -name site.json -print -quit)
    sed -i 's/"name": "\([^"]*\)"/"name": "\1 (đã sửa)"/' "$f"
    s=$(date +%s.%N)
    "$work/disan" --config "$work/disan.toml" --archive "$work/archive" --index "$work/index" ingest > /dev/null 2>&1 || true
    start_server
    note="re-ingest and restart: $(echo "$(date +%s.%N) - $s" | bc | cut -c1-4) s"
  fi
  out=$(wrk -t2 -c32 -d60s --latency -s "$work/mix.lua" "http://127.0.0.1:$port" 2>&1 || true)
  rss=$(awk '/VmRSS/ {printf "%.0f", $2/1024}' "/proc/$server/status")
  fds=$(ls "/proc/$server/fd" | wc -l)
  threads=$(awk '/Threads/ {print $2}' "/proc/$server/status")
  rps=$(awk '/Requests\/sec/ {printf "%.0f", $2}' <<< "$out")
  p99=$(awk '$1 == "99%" {v=$2; if (v ~ /us$/) {sub("us","",v); v=v/1000} else if (v ~ /ms$/) {sub("ms","",v)} else if (v ~ /s$/) {sub("s","",v); v=v*1000}; printf "%.1f", v}' <<< "$out")
  errors=$(awk '/Non-2xx|Socket errors/ {printf "%s ", $0}' <<< "$out")
  printf '%4s %8s %6s %7s %9s %8s %8s %s\n' "$m" "$rss" "$fds" "$threads" "${rps:-?}" "${p99:-?}" "${errors:-0}" "$note"
done
wait "$client" || true
echo "contributions: $(cat "$work/client.out")"
echo "server peak RSS: $(awk '/VmHWM/ {printf "%.0f MB", $2/1024}' /proc/$server/status)"
