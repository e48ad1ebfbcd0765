#!/usr/bin/env bash
# Read replicas at the country's scale, on the real engine: a 3-node Garage cluster (replication
# factor 3, each node in its own network namespace; tests/cluster/garage.sh). Needs root and
# DISAN_TESTDATA.
#
#   DISAN_TESTDATA=../shared/testdata benches/replica.sh                    # 10k, 30k, 100k
#   SIZES=100000 DISAN_TESTDATA=… benches/replica.sh
#
# At each size N (the archive recombined from the real relic records by examples/country.rs,
# as benches/scale.sh makes it):
# 1. `disan import` and a full `disan ingest`; the index's size;
# 2. the primary `serve` with [storage]: seconds from start to its first generation in the
#    bucket, and what that first publication uploaded;
# 3. a replica started on empty folders: seconds to its first `/healthz`, what it fetched, its
#    memory; its site pages and JSON searches per second under wrk (distinct paths);
# 4. catch-up: a volunteer's photo approved on the primary (through HTTP, as a moderator does),
#    then the seconds until the primary has published it and until the replica serves it.
# Prints one table row per size (also written to $OUT, default replica.md).
set -euo pipefail
repo="$(cd "$(dirname "$0")/.." && pwd)"
: "${DISAN_TESTDATA:?set DISAN_TESTDATA to the test data folder}"
SIZES=${SIZES:-"10000 30000 100000"}
DURATION=${DURATION:-10s}
OUT=${OUT:-replica.md}
primary_port=18393
replica_port=18394
command -v wrk > /dev/null || { apt-get update -qq && apt-get install -y -qq wrk; }

work=$(mktemp -d)
pids=()
stop_all() {
  for pid in "${pids[@]}"; do kill "$pid" 2> /dev/null || true; done
  for pid in "${pids[@]}"; do wait "$pid" 2> /dev/null || true; done
  pids=()
}
cleanup() {
  stop_all
  "$repo/tests/cluster/garage.sh" down "$work/garage" > /dev/null 2>&1 || true
  if [ "${KEEP:-}" = 1 ]; then echo "kept $work"; else rm -rf "$work"; fi
}
trap cleanup EXIT

target=${CARGO_TARGET_DIR:-$repo/target}
(cd "$repo" && cargo build --release --locked --quiet --bin disan --example country)
cp "$target/release/disan" "$target/release/examples/country" "$work/"
disan="$work/disan"

echo "== the Garage cluster"
"$repo/tests/cluster/garage.sh" up "$work/garage" > "$work/garage.log" 2>&1 || { tail "$work/garage.log"; exit 1; }
eval "$("$repo/tests/cluster/garage.sh" env "$work/garage")"
export DISAN_S3_ACCESS_KEY_ID DISAN_S3_SECRET_ACCESS_KEY
endpoint="http://${DISAN_S3_NODES%% *}"

now() { date +%s.%N; }
since() { awk -v a="$1" -v b="$(now)" 'BEGIN { printf "%.2f", b - a }'; }
rss_mb() { awk '/^VmRSS/ { printf "%.0f", $2 / 1024 }' "/proc/$1/status"; }
generation() { curl -sf "$1/healthz" | sed -n 's/.*"generation":\([0-9]*\).*/\1/p'; }
wait_generation() { # url at-least pid → waits until /healthz says that generation
  for _ in $(seq 1 12000); do
    g=$(generation "$1" || true)
    [ -n "$g" ] && [ "$g" -ge "$2" ] && return 0
    kill -0 "$3" 2> /dev/null || { echo "the server died" >&2; return 1; }
    sleep 0.02
  done
  return 1
}
cat > "$work/rotate.lua" << 'EOF'
local paths = {}
for line in io.lines(os.getenv("PATHS")) do paths[#paths + 1] = line end
local counter = 0
function setup(thread) thread:set("start", counter * math.floor(#paths / 2)); counter = counter + 1 end
local i = 0
function request() i = i + 1; return wrk.format("GET", paths[((start + i) % #paths) + 1]) end
EOF
load() { # url paths → req/s
  PATHS="$2" wrk -t2 -c16 -d"$DURATION" -s "$work/rotate.lua" "$1" > "$work/last.wrk"
  grep -E "Non-2xx|Socket errors" "$work/last.wrk" >&2 || true
  awk '/Requests\/sec/ { printf "%d", $2 }' "$work/last.wrk"
}
password="bench-password-$$"

rows=()
for n in $SIZES; do
  echo
  echo "== $n sites"
  dir="$work/$n"
  mkdir -p "$dir"
  a=(--config "$dir/disan.toml" --archive "$dir/archive" --index "$dir/index")
  cat > "$dir/disan.toml" << TOML
[storage]
backend = "s3"
endpoint = "$endpoint"
bucket = "disan"
region = "garage"
prefix = "bench-$n"
[replica]
primary_url = "http://127.0.0.1:$primary_port"
poll_ms = 250
[contribute]
max_submissions_per_hour = 100000
TOML
  "$work/country" "$DISAN_TESTDATA" "$n" "$dir/rows.json" 2> /dev/null
  started=$(now); "$disan" "${a[@]}" import --quiet "$dir/rows.json" > /dev/null 2>&1; t_import=$(since "$started")
  started=$(now); "$disan" "${a[@]}" ingest > /dev/null 2>&1; t_ingest=$(since "$started")
  index_mb=$(du -sm "$dir/index" | cut -f1)
  for user in vol mod; do
    role=volunteer; [ "$user" = mod ] && role=moderator
    echo "$password" | "$disan" "${a[@]}" user add "$user" --role "$role" --password-stdin > /dev/null 2>&1
  done
  echo "   import ${t_import} s, ingest ${t_ingest} s, index ${index_mb} MB"

  started=$(now)
  DISAN_LOG=disan=info "$disan" "${a[@]}" serve --bind "127.0.0.1:$primary_port" > "$dir/primary.log" 2>&1 &
  primary=$!; pids+=("$primary")
  wait_generation "http://127.0.0.1:$primary_port" 1 "$primary"
  t_publish=$(since "$started")
  published=$(grep -m1 ' published' "$dir/primary.log" | grep -o 'mb=[0-9.]*' | cut -d= -f2 || true)
  echo "   primary: first generation in the bucket ${t_publish} s after start (${published} MB uploaded)"

  started=$(now)
  DISAN_LOG=disan=info "$disan" --config "$dir/disan.toml" --archive "$dir/r-archive" --index "$dir/r-index" \
    serve --replica --bind "127.0.0.1:$replica_port" > "$dir/replica.log" 2>&1 &
  replica=$!; pids+=("$replica")
  wait_generation "http://127.0.0.1:$replica_port" 1 "$replica"
  t_cold=$(since "$started")
  fetched=$(grep -m1 '^generation' "$dir/replica.log" | sed 's/.*sites, //' || true)
  rss=$(rss_mb "$replica")
  echo "   replica: serving ${t_cold} s after start on empty folders ($fetched), RSS ${rss} MB"

  find "$dir/archive" -name site.json | awk -F/ '{print "/sites/" $(NF-1)}' | shuf -n 20000 --random-source=<(yes) > "$dir/sites.txt"
  sed 's|^/sites/||; s/-/ /g' "$dir/sites.txt" | awk '{print "/api/v1/search?q=" $1 "+" $2 "+" $3}' > "$dir/searches.txt"
  pages=$(load "http://127.0.0.1:$replica_port" "$dir/sites.txt")
  searches=$(load "http://127.0.0.1:$replica_port" "$dir/searches.txt")
  rss_after=$(rss_mb "$replica")
  echo "   replica under load: ${pages} site pages/s, ${searches} searches/s, RSS ${rss_after} MB"

  before=$(generation "http://127.0.0.1:$primary_port")
  site=$(head -n 1 "$dir/sites.txt" | sed 's|/sites/||')
  photo=$(find "$DISAN_TESTDATA/photos/phones" -name '*.jpg' | head -n 1)
  approved=$(python3 "$repo/benches/approve_one.py" "http://127.0.0.1:$primary_port" vol mod "$password" "$site" "$photo")
  started=$(now)
  wait_generation "http://127.0.0.1:$primary_port" $((before + 1)) "$primary"
  t_published=$(since "$started")
  target_gen=$(generation "http://127.0.0.1:$primary_port")
  wait_generation "http://127.0.0.1:$replica_port" "$target_gen" "$replica"
  t_caught=$(since "$started")
  # The site's page on the replica equals the primary's (their own addresses aside).
  same=identical
  diff -q <(curl -s "http://127.0.0.1:$primary_port/sites/$site" | sed "s/$primary_port/PORT/g") \
    <(curl -s "http://127.0.0.1:$replica_port/sites/$site" | sed "s/$replica_port/PORT/g") > /dev/null || same=DIFFERENT
  echo "   one approval (photo $approved): published after ${t_published} s, on the replica after ${t_caught} s; its page on the replica: $same"
  rows+=("| $n | $t_import s | $t_ingest s | $index_mb MB | $t_publish s ($published MB) | $t_cold s | $rss → $rss_after MB | $pages | $searches | $t_published s | $t_caught s ($same) |")
  stop_all
done

{
  echo "| sites | import | ingest | index | first publication | replica cold start | replica RSS (start → after load) | replica site pages/s | replica searches/s | approval published | on the replica |"
  echo "|---:|---:|---:|---:|---:|---:|---|---:|---:|---:|---:|"
  printf '%s\n' "${rows[@]}"
} | tee "$OUT"
