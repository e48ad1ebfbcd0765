#!/usr/bin/env bash
# The chaos benchmark: Disan on more than one server survives failures under load.
#
# Runs a 3-node Garage cluster (tests/cluster/garage.sh, each node in its own network
# namespace), nginx in front of Disan and of Garage's S3 APIs (deploy/nginx/, rendered by
# tests/cluster/nginx.conf.sh), one primary and 3 read replicas. For DURATION seconds, wrk reads
# through nginx (JSON searches, search pages, site pages, photos) while volunteers upload
# photos and a moderator approves each one (benches/chaos_client.py); meanwhile:
#   - a replica is killed (SIGKILL) and started again,
#   - Garage node 2 is cut off the network for 20 s,
#   - the primary is killed (SIGKILL) right after an approval returns, while it publishes, and
#     started again.
# It then checks, and exits non-zero unless all hold:
#   - 0 failed read requests seen by wrk (non-2xx/3xx and socket errors): nginx retries;
#   - every approved photo exactly once in the primary's archive (by content hash), and its
#     original `originals/<blake3>` in the bucket;
#   - each replica serving each generation the primary publishes within 10 s;
#   - `disan export --format jsonl` of the primary's live index byte-identical to the same
#     export of an index rebuilt from scratch from the primary's archive.
# It prints a summary: requests, failures, retries (from nginx's upstream log), uploads approved,
# lost and duplicated, each replica's largest lag, how long restarts took.
#
#   benches/chaos.sh                                        # the bundled archive, 120 s
#   DURATION=60 DISAN_TESTDATA=../shared/testdata benches/chaos.sh   # the real relic records
#   DISAN_BIN=target/release/disan benches/chaos.sh         # a binary already built
#
# Needs root (network namespaces), ports 127.0.0.1:18380-18390 and 10.77.0.0/24. Installs wrk,
# b3sum, nginx and iproute2 with apt when missing; Garage is taken from GARAGE_BIN or PATH, or
# built by tests/cluster/install-garage.sh (about 25 minutes). On failure the work folder is
# kept with every log; CHAOS_WORK names it, and keeps it in any case.
set -euo pipefail
repo="$(cd "$(dirname "$0")/.." && pwd)"
duration="${DURATION:-120}"
target="${CARGO_TARGET_DIR:-$repo/target}"
nginx_port=18380
primary_port=18381
replica_ports=(18385 18386 18387)
s3_port=18390
max_lag=10
password="chaos-password-$$"

[ "$(id -u)" -eq 0 ] || { echo "chaos.sh: needs root (network namespaces for the Garage nodes)"; exit 1; }
[ "$duration" -ge 40 ] || { echo "chaos.sh: DURATION must be at least 40 s for the three failures"; exit 1; }
need=()
command -v wrk > /dev/null || need+=(wrk)
command -v b3sum > /dev/null || need+=(b3sum)
if [ ${#need[@]} -gt 0 ]; then
  apt-get -o DPkg::Lock::Timeout=600 update -qq
  DEBIAN_FRONTEND=noninteractive apt-get -o DPkg::Lock::Timeout=600 install -y -qq "${need[@]}" > /dev/null
fi
if [ -z "${GARAGE_BIN:-}" ] && ! command -v garage > /dev/null && [ -x "$HOME/.cargo/bin/garage" ]; then
  export PATH="$HOME/.cargo/bin:$PATH"
fi
"$repo/tests/cluster/install-garage.sh" > /dev/null
for port in $nginx_port $primary_port "${replica_ports[@]}" $s3_port; do
  if (exec 3<> "/dev/tcp/127.0.0.1/$port") 2> /dev/null; then
    echo "chaos.sh: port $port is in use"; exit 1
  fi
done

work="${CHAOS_WORK:-$(mktemp -d)}"
mkdir -p "$work"
echo "work folder: $work"
primary=""
replicas=("" "" "")
nginx=""
client=""
monitor=""
wrk_pid=""
watchers=()
cleanup() {
  local status=$?
  for pid in "$wrk_pid" "$client" "$monitor" "${watchers[@]}" "${replicas[@]}" "$primary" "$nginx"; do
    [ -n "$pid" ] && kill "$pid" 2> /dev/null || true
  done
  wait 2> /dev/null || true
  "$repo/tests/cluster/garage.sh" down "$work/garage" > /dev/null 2>&1 || true
  if [ $status -eq 0 ] && [ -z "${CHAOS_WORK:-}" ]; then
    rm -rf "$work"
  elif [ $status -ne 0 ]; then
    echo "failed ($status): logs kept in $work"
  fi
}
trap cleanup EXIT
log() { printf '%6.1f  %s\n' "$(echo "$(date +%s.%N) - ${t0:-$(date +%s.%N)}" | bc)" "$*" | tee -a "$work/events.log"; }

# ---- the binaries: DISAN_BIN as given (a debug build works: its dependencies are optimised),
# else a release build; the example that turns the relic records into rows from the same
# profile, built if missing.
if [ -n "${DISAN_BIN:-}" ]; then
  cp "$DISAN_BIN" "$work/disan"
  profile=$(basename "$(dirname "$DISAN_BIN")")
else
  (cd "$repo" && cargo build --release --locked --quiet --bin disan)
  cp "$target/release/disan" "$work/disan"
  profile=release
fi
disan="$work/disan"
relics="$target/$profile/examples/relics_to_import"
if [ -n "${DISAN_TESTDATA:-}" ] && [ ! -x "$relics" ]; then
  profile_flag=()
  [ "$profile" = release ] && profile_flag=(--release)
  [ "$profile" = release ] || [ "$profile" = debug ] || { profile=release; profile_flag=(--release); }
  (cd "$repo" && cargo build "${profile_flag[@]}" --locked --quiet --example relics_to_import)
  relics="$target/$profile/examples/relics_to_import"
fi

# ---- storage: Garage, and nginx in front of it and of Disan
"$repo/tests/cluster/garage.sh" up "$work/garage"
set -a
# shellcheck disable=SC1091
. "$work/garage/env"
set +a
replica_list=""
for port in "${replica_ports[@]}"; do replica_list="$replica_list 127.0.0.1:$port"; done
DISAN_LISTEN="127.0.0.1:$nginx_port" DISAN_PRIMARY="127.0.0.1:$primary_port" \
  DISAN_REPLICAS="${replica_list# }" S3_LISTEN="127.0.0.1:$s3_port" \
  "$repo/tests/cluster/nginx.conf.sh" "$work/nginx/nginx.conf"
nginx -e stderr -p "$work/nginx" -c "$work/nginx/nginx.conf" -t 2> "$work/nginx/test.out" \
  || { cat "$work/nginx/test.out"; exit 1; }
nginx -e "$work/nginx/nginx-error.log" -p "$work/nginx" -c "$work/nginx/nginx.conf" &
nginx=$!

# ---- the archive, the accounts, the configuration
mkdir -p "$work/primary" "$work/client"
if [ -n "${DISAN_TESTDATA:-}" ]; then
  "$relics" "$DISAN_TESTDATA" "$work/rows.json" > /dev/null
  "$disan" --archive "$work/primary/archive" import "$work/rows.json" -q > /dev/null 2>&1 || true
  photo_dir="$DISAN_TESTDATA/photos/gps"
else
  cp -r "$repo/archive" "$work/primary/archive"
  photo_dir="-"   # the bundled archive has no photos: the client makes small JPEGs
fi
for user in chaos0 chaos1 chaos2; do
  echo "$password" | "$disan" --archive "$work/primary/archive" user add "$user" --role volunteer --password-stdin > /dev/null 2>&1
done
echo "$password" | "$disan" --archive "$work/primary/archive" user add chaosmod --role moderator --password-stdin > /dev/null 2>&1
storage_toml="[storage]
backend = \"s3\"
endpoint = \"http://127.0.0.1:$s3_port\"
bucket = \"disan\"
region = \"garage\""
common_toml="[serve]
public_url = \"http://127.0.0.1:$nginx_port\"
# nginx: believe its X-Forwarded-For, as in production.
trusted_proxies = [\"127.0.0.1\"]

[contribute]
max_submissions_per_hour = 100000
max_upload_mb_per_day = 1000000"
printf '%s\n\n%s\n' "$common_toml" "$storage_toml" > "$work/primary.toml"
printf '%s\n\n%s\n\n[replica]\nprimary_url = "http://127.0.0.1:%s"\npoll_ms = 500\n' \
  "$common_toml" "$storage_toml" "$primary_port" > "$work/replica.toml"
# A first ingest before the server starts, so that its start-up ingest has nothing to do.
"$disan" --config "$work/primary.toml" --archive "$work/primary/archive" --index "$work/primary/index" \
  ingest > "$work/ingest.log" 2>&1
sites=$(find "$work/primary/archive" -name site.json | wc -l)
find "$work/primary/archive" -name site.json | awk -F/ '{print $(NF-1)}' \
  | shuf -n 2000 --random-source=<(yes) > "$work/sites.txt"

# ---- the servers
# Healthy: /healthz answers 200 with a published generation.
generation_of() {
  curl -sf --max-time 2 "http://127.0.0.1:$1/healthz" | sed -n 's/.*"generation": *\([0-9]*\).*/\1/p'
}
wait_healthy() {  # PORT SECONDS WHAT [PID: give up when it has exited]
  local start=$SECONDS g
  while [ $((SECONDS - start)) -lt "$2" ]; do
    g=$(generation_of "$1" || true)
    if [ -n "$g" ] && [ "$g" -gt 0 ]; then return 0; fi
    if [ -n "${4:-}" ] && ! kill -0 "$4" 2> /dev/null; then
      echo "chaos.sh: $3 exited"
      return 1
    fi
    sleep 0.1
  done
  echo "chaos.sh: $3 not healthy after $2 s"
  return 1
}
start_primary() {
  "$disan" --config "$work/primary.toml" --archive "$work/primary/archive" --index "$work/primary/index" \
    serve --bind "127.0.0.1:$primary_port" >> "$work/primary.log" 2>&1 &
  primary=$!
}
start_replica() {  # INDEX (0-2)
  local k=$1
  "$disan" --config "$work/replica.toml" --archive "$work/replica$k/archive" --index "$work/replica$k/index" \
    serve --replica --bind "127.0.0.1:${replica_ports[$k]}" >> "$work/replica$k.log" 2>&1 &
  replicas[$k]=$!
}
ms_since() { echo "($(date +%s%N) - $1) / 1000000" | bc; }

s=$(date +%s%N)
start_primary
wait_healthy $primary_port 300 "the primary" "$primary" || { tail -n 20 "$work/primary.log"; exit 1; }
echo "primary: healthy, generation $(generation_of $primary_port), in $(ms_since "$s") ms"
s=$(date +%s%N)
for k in 0 1 2; do mkdir -p "$work/replica$k"; start_replica $k; done
for k in 0 1 2; do
  wait_healthy "${replica_ports[$k]}" 300 "replica $k" "${replicas[$k]}" || { tail -n 20 "$work/replica$k.log"; exit 1; }
done
cold_start=$(ms_since "$s")
echo "replicas: 3 healthy from empty folders in $cold_start ms"

# ---- the contributors: a warm-up of 3 approved photos, so that there are photos to read
python3 "$repo/benches/chaos_client.py" contribute "http://127.0.0.1:$nginx_port" "$photo_dir" \
  "$work/sites.txt" "$duration" "$password" "$work/client" 3 \
  > "$work/client.out" 2> "$work/client.err" &
client=$!
for _ in $(seq 1 1800); do
  [ -f "$work/client/ready" ] && break
  kill -0 "$client" 2> /dev/null || { echo "the client stopped:"; tail "$work/client.err"; exit 1; }
  sleep 0.1
done
[ -f "$work/client/ready" ] || { echo "chaos.sh: the warm-up approvals did not finish"; exit 1; }
converged() {
  local p r k
  p=$(generation_of $primary_port || true)
  [ -n "$p" ] || return 1
  for k in 0 1 2; do
    r=$(generation_of "${replica_ports[$k]}" || true)
    [ "$r" = "$p" ] || return 1
  done
}
# The warm-up's photos, on every replica before the load asks for them (the primary's
# generation number moves only once its publication is complete, so comparing numbers is not
# enough: ask for the photos themselves).
photo_paths=$(find "$work/primary/index/media" -name '*-320.webp' 2> /dev/null | head -n 50 | sed "s|$work/primary/index||")
for port in "${replica_ports[@]}"; do
  for path in $photo_paths; do
    for _ in $(seq 1 600); do
      curl -sf -o /dev/null --max-time 2 "http://127.0.0.1:$port$path" && break
      sleep 0.1
    done
  done
done

# wrk's mix: 40 % JSON searches, 20 % search pages, 25 % site pages, 15 % photos.
names=$(shuf -n 300 --random-source=<(yes) "$work/sites.txt" | sed 's/-/ /g' | awk '{print "\"" $1 " " $2 "\","}' | tr -d '\n')
ids=$(head -n 1000 "$work/sites.txt" | awk '{print "\"" $0 "\","}' | tr -d '\n')
photos=$(awk 'NF {print "\"" $0 "\","}' <<< "$photo_paths" | tr -d '\n')
cat > "$work/mix.lua" <<LUA
local names = {$names}
local ids = {$ids}
local photos = {$photos}
local n = 0
request = function()
  n = n + 1
  local r = (n * 7919) % 20
  if r < 8 then return wrk.format("GET", "/api/v1/search?q=" .. names[(n % #names) + 1]:gsub(" ", "+"))
  elseif r < 12 then return wrk.format("GET", "/search?q=" .. names[(n % #names) + 1]:gsub(" ", "+"))
  elseif r < 17 or #photos == 0 then return wrk.format("GET", "/sites/" .. ids[(n % #ids) + 1])
  else return wrk.format("GET", photos[(n % #photos) + 1]) end
end
LUA

# ---- the run
replica_urls=()
for port in "${replica_ports[@]}"; do replica_urls+=("http://127.0.0.1:$port"); done
python3 "$repo/benches/chaos_client.py" lag "http://127.0.0.1:$primary_port" "${replica_urls[@]}" \
  --out "$work/lag.json" --stop "$work/lag.stop" 2> "$work/lag.err" &
monitor=$!
echo "$sites sites; $(nproc) cores; $duration s of load; photos for wrk: $(grep -o '",' <<< "$photos" | wc -l)"
t0=$(date +%s.%N)
touch "$work/client/go"
wrk -t2 -c16 -d"${duration}s" --timeout 15s --latency -s "$work/mix.lua" "http://127.0.0.1:$nginx_port" \
  > "$work/wrk.out" 2>&1 &
wrk_pid=$!
at() { while [ "$(echo "$(date +%s.%N) - $t0 < $1" | bc)" -eq 1 ]; do sleep 0.2; done; }
# Records how long a restarted server took to serve again, in the background.
time_restart() {  # PORT NAME START_NS
  (wait_healthy "$1" 120 "$2" > /dev/null && echo "$2 $(ms_since "$3")" >> "$work/restarts.txt") &
  watchers+=($!)
}

at "$(( duration / 10 ))"
log "kill -9 replica 0 (:${replica_ports[0]})"
kill -9 "${replicas[0]}"; wait "${replicas[0]}" 2> /dev/null || true
sleep 2
s=$(date +%s%N); start_replica 0; time_restart "${replica_ports[0]}" "replica0" "$s"
log "replica 0 started again"

cut_at=$(( duration / 5 ))
at "$cut_at"
log "Garage node 2 cut off the network"
"$repo/tests/cluster/garage.sh" cut 2
at "$(( cut_at + 20 ))"
"$repo/tests/cluster/garage.sh" heal 2
log "Garage node 2 back on the network"

at "$(( duration * 6 / 10 ))"
# After an approval returns the primary publishes the generation it made: it prepares it,
# uploads the new objects, and writes generations/<n>.json last. It is killed once the first
# upload after the approval is seen in nginx's S3 log, so in the middle of the uploads.
before=$(wc -l < "$work/client/approvals.log")
for _ in $(seq 1 400); do
  [ "$(wc -l < "$work/client/approvals.log")" -gt "$before" ] && break
  sleep 0.05
done
s3_log="$work/nginx/garage-s3.access.log"
mark=$(wc -l < "$s3_log")
for _ in $(seq 1 500); do
  tail -n +"$((mark + 1))" "$s3_log" | grep -q '"PUT /disan/' && break
  sleep 0.02
done
kill -9 "$primary"; wait "$primary" 2> /dev/null || true
sleep 0.2  # nginx logs the uploads the kill cut short
puts=$(tail -n +"$((mark + 1))" "$s3_log" | grep -c '"PUT /disan/' || true)
generation_written=$(tail -n +"$((mark + 1))" "$s3_log" | grep -c '"PUT /disan/generations/' || true)
log "kill -9 primary while publishing: $puts upload(s) since the approval, generation file written: $generation_written"
sleep 2
s=$(date +%s%N); start_primary; time_restart $primary_port "primary" "$s"
log "primary started again"

wait "$wrk_pid" || true
wrk_pid=""
log "read load done"
wait "$client" || true
client=""
log "contributions done: $(cat "$work/client.out" 2> /dev/null)"
# The last approvals' generation reaches the replicas, then the monitor stops. (The primary
# shows a generation once it is published: give the last publication time to finish first.)
sleep 3
for _ in $(seq 1 300); do converged && break; sleep 0.1; done
sleep 1
touch "$work/lag.stop"
wait "$monitor" || true
monitor=""

# ---- the checks
failures=()
wrk_requests=$(awk '/requests in/ {print $1}' "$work/wrk.out")
wrk_non2xx=$(awk '/Non-2xx or 3xx responses/ {print $NF}' "$work/wrk.out")
wrk_socket=$(awk '/Socket errors/ {gsub(",", ""); print $4 + $6 + $8 + $10}' "$work/wrk.out")
wrk_rps=$(awk '/Requests\/sec/ {printf "%.0f", $2}' "$work/wrk.out")
wrk_p99=$(awk '$1 == "99%" {print $2}' "$work/wrk.out")
read_failures=$(( ${wrk_non2xx:-0} + ${wrk_socket:-0} ))
[ -n "$wrk_requests" ] || failures+=("wrk printed no figures (see $work/wrk.out)")
[ "$read_failures" -eq 0 ] || failures+=("$read_failures read requests failed")
access="$work/nginx/disan.access.log"
read_retried=$(grep -c 'up=disan_replicas addr="[^"]*,' "$access" || true)
read_5xx=$(grep 'up=disan_replicas' "$access" | grep -c '" 5[0-9][0-9] ' || true)
write_5xx=$(grep 'up=disan_primary' "$access" | grep -c '" 5[0-9][0-9] ' || true)
s3_requests=$(wc -l < "$work/nginx/garage-s3.access.log")
s3_retried=$(grep -c 'addr="[^"]*,' "$work/nginx/garage-s3.access.log" || true)
s3_failed=$(grep -c '" 5[0-9][0-9] ' "$work/nginx/garage-s3.access.log" || true)

# Uploads: every approved photo once in the archive (sites' folders only: the inbox keeps its
# own copy) and its original in the bucket.
archive="$work/primary/archive"
# A hidden file is not a photo of the archive: a temporary file that a killed writer left
# behind is counted apart.
find "$archive" -path "$archive/inbox" -prune -o -path "$archive/.disan" -prune -o \
  -path '*/photos/*' -type f ! -name '.*' -print0 | xargs -0 -r b3sum > "$work/archive-photos.b3"
find "$archive" -path "$archive/inbox" -prune -o -path "$archive/.disan" -prune -o \
  -name '.tmp-*' -type f -print > "$work/leftovers.txt"
leftovers=$(wc -l < "$work/leftovers.txt")
storage_ok=1
if ! "$disan" --config "$work/primary.toml" storage ls originals/ > "$work/originals.txt" 2> "$work/storage-ls.err"; then
  storage_ok=0
  failures+=("\`disan storage ls originals/\` failed: $(head -c 300 "$work/storage-ls.err")")
fi
approved=0 lost=0 duplicated=0 not_stored=0 wrong_site=0
while IFS=$'\t' read -r sub site _sha how; do
  approved=$((approved + 1))
  b3=$(b3sum --no-names "$work/client/uploads/$sub.jpg")
  copies=$(grep -c "^$b3 " "$work/archive-photos.b3" || true)
  if [ "$copies" -eq 0 ]; then lost=$((lost + 1)); echo "lost: $sub ($site, $how) $b3" >> "$work/uploads-check.txt"
  elif [ "$copies" -gt 1 ]; then duplicated=$((duplicated + 1)); echo "duplicated ×$copies: $sub ($site) $b3" >> "$work/uploads-check.txt"
  elif ! grep "^$b3 " "$work/archive-photos.b3" | grep -q "/$site/photos/"; then
    wrong_site=$((wrong_site + 1)); echo "not in $site: $sub $b3" >> "$work/uploads-check.txt"
  fi
  if [ $storage_ok -eq 1 ] && [ "$(grep -cx "originals/$b3" "$work/originals.txt" || true)" -ne 1 ]; then
    not_stored=$((not_stored + 1)); echo "not in storage: originals/$b3 ($sub)" >> "$work/uploads-check.txt"
  fi
done < "$work/client/approved.tsv"
[ "$approved" -gt 3 ] || failures+=("only $approved approvals")
[ "$lost" -eq 0 ] || failures+=("$lost approved photos missing from the archive")
[ "$duplicated" -eq 0 ] || failures+=("$duplicated approved photos in the archive more than once")
[ "$wrong_site" -eq 0 ] || failures+=("$wrong_site approved photos in another site's folder")
[ "$not_stored" -eq 0 ] || failures+=("$not_stored approved photos without their original in storage")

# Replica lag, from the monitor.
lag_out=$(python3 - "$work/lag.json" "$max_lag" "$t0" <<'PY'
import json, sys
s = json.load(open(sys.argv[1])); limit = float(sys.argv[2]); t0 = float(sys.argv[3])
parts, bad = [], []
for i, (url, r) in enumerate(sorted(s["replicas"].items())):
    worst = max(r["lags"], key=lambda l: l[1], default=None)
    when = f" (generation {worst[0]}, published at {s['published_at'][str(worst[0])] - t0:+.1f} s)" if worst else ""
    parts.append(f"replica{i} {r['max_lag']:.1f}{when}")
    if r["max_lag"] >= limit:
        bad.append(f"replica{i} took {r['max_lag']:.1f} s to serve a generation{when}")
    late = [g for g, age in r["not_reached"] if age >= limit]
    if late:
        bad.append(f"replica{i} never served generation(s) {late}")
print(f"{len(s['generations'])} generations published; " + " · ".join(parts))
for b in bad:
    print("BAD " + b)
PY
) || lag_out="no lag figures (see $work/lag.err)"
lag_line=$(head -n 1 <<< "$lag_out")
while IFS= read -r line; do
  case "$line" in BAD\ *) failures+=("${line#BAD }") ;; esac
done <<< "$lag_out"
[ -f "$work/lag.json" ] || failures+=("the lag monitor wrote nothing (see $work/lag.err)")

# The archive on the primary against a clean rebuild: stop the primary cleanly, export its live
# index, rebuild an index from the archive alone, export that.
kill "$primary" 2> /dev/null || true
wait "$primary" 2> /dev/null || true
primary=""
"$disan" --config "$work/primary.toml" --archive "$archive" --index "$work/primary/index" \
  export --format jsonl -o "$work/export-live.jsonl" > /dev/null 2>> "$work/export.err"
"$disan" --archive "$archive" --index "$work/rebuilt-index" ingest > "$work/rebuild.log" 2>&1
"$disan" --archive "$archive" --index "$work/rebuilt-index" \
  export --format jsonl -o "$work/export-rebuilt.jsonl" > /dev/null 2>> "$work/export.err"
if cmp -s "$work/export-live.jsonl" "$work/export-rebuilt.jsonl"; then
  rebuild="identical ($(wc -l < "$work/export-live.jsonl") sites, $(wc -c < "$work/export-live.jsonl") bytes)"
else
  rebuild="DIFFERENT: $(cmp "$work/export-live.jsonl" "$work/export-rebuilt.jsonl" 2>&1 | head -n 1)"
  failures+=("the live index's export differs from a clean rebuild's")
fi
# What each replica holds in its own folders, exported the same way: the primary's archive.
same_replicas=0
for k in 0 1 2; do
  kill "${replicas[$k]}" 2> /dev/null || true
  wait "${replicas[$k]}" 2> /dev/null || true
  replicas[k]=""
  "$disan" --archive "$work/replica$k/archive" --index "$work/replica$k/index" \
    export --format jsonl -o "$work/export-replica$k.jsonl" > /dev/null 2>> "$work/export.err" || true
  if cmp -s "$work/export-live.jsonl" "$work/export-replica$k.jsonl"; then
    same_replicas=$((same_replicas + 1))
  else
    failures+=("replica $k's export differs from the primary's")
  fi
done

restart_line=$(awk '{printf "%s%s %.1f s", (NR > 1 ? " · " : ""), $1, $2 / 1000}' "$work/restarts.txt" 2> /dev/null || true)
printf '\n%-22s %s\n' "chaos" "$duration s; $sites sites; primary + 3 replicas; 3 Garage nodes (replication 3); $(nproc) cores"
printf '%-22s %s\n' "read requests (wrk)" "${wrk_requests:-?} (${wrk_rps:-?}/s, p99 ${wrk_p99:-?}); failed $read_failures (non-2xx/3xx ${wrk_non2xx:-0}, socket errors ${wrk_socket:-0})"
printf '%-22s %s\n' "nginx, reads" "$read_retried retried on another server; $read_5xx answered 5xx"
printf '%-22s %s\n' "nginx, writes" "$write_5xx answered 5xx (the primary down: the client tries again)"
printf '%-22s %s\n' "nginx, S3" "$s3_requests requests, $s3_retried retried on another node, $s3_failed answered 5xx"
printf '%-22s %s\n' "uploads approved" "$approved ($(sed -n 's/.*"approved_on_retry": *\([0-9]*\).*/\1/p' "$work/client/counts.json" 2>/dev/null || echo ?) of them retried across the primary's restart); lost $lost, duplicated $duplicated, elsewhere $wrong_site, original not in storage $not_stored"
if [ "$leftovers" -gt 0 ]; then
  printf '%-22s %s\n' "temporary files left" "$leftovers in the sites' folders, by the killed primary: $(sed "s|$archive/||" "$work/leftovers.txt" | head -n 3 | tr '\n' ' ')"
fi
printf '%-22s %s\n' "replica lag, max (s)" "$lag_line"
printf '%-22s %s\n' "restarts (to healthy)" "replicas from empty folders $(printf '%.1f' "$(echo "$cold_start / 1000" | bc -l)") s; ${restart_line:-none recorded}"
printf '%-22s %s\n' "clean rebuild" "$rebuild"
printf '%-22s %s\n' "replicas' exports" "$same_replicas of 3 identical to the primary's"
if [ ${#failures[@]} -gt 0 ]; then
  printf '\nFAILED:\n'
  printf '  - %s\n' "${failures[@]}"
  exit 1
fi
printf '\nall criteria hold\n'
