#!/usr/bin/env bash
# Open data at the scale of the country: an archive of 100,000 sites recombined from the real
# relic records (examples/country.rs), then
#   - `disan export` of the whole archive in each format: time and peak RSS (median of 3 runs),
#     and the file's size; the same for a broad search ("chùa", tens of thousands of sites);
#   - the /data downloads (all five formats in one pass over the archive) and a full OAI-PMH
#     harvest (ListRecords, then ListIdentifiers) through the provider as `/oai` answers it
#     (examples/open_data.rs): time and peak RSS;
#   - the same harvest over HTTP with the `sickle` client against `disan serve`, and the
#     server's peak RSS (SKIP_HTTP=1 leaves it out).
# Needs DISAN_TESTDATA; installs GNU time from Debian and sickle into a venv when missing.
#
#   DISAN_TESTDATA=../shared/testdata benches/open_data.sh
#   SITES=10000 DISAN_TESTDATA=… benches/open_data.sh      # a smaller archive
#   BENCH_DIR=/tmp/od100k DISAN_TESTDATA=… benches/open_data.sh  # keep (and reuse) the archive
set -euo pipefail
cd "$(dirname "$0")/.."
: "${DISAN_TESTDATA:?set DISAN_TESTDATA to the test data folder}"
sites=${SITES:-100000}
port=${PORT:-18185}
[[ -x /usr/bin/time ]] || { apt-get update -qq && apt-get install -y -qq time; }
venv="${DISAN_VALIDATORS_VENV:-target/open-data-venv}"
[[ -x "$venv/bin/python" ]] || python3 -m venv "$venv"
"$venv/bin/pip" install --quiet --disable-pip-version-check -r tests/open_data/requirements.txt

cargo build --release --locked --quiet --bin disan --example country --example open_data
server=""
if [[ -n "${BENCH_DIR:-}" ]]; then
  work=$BENCH_DIR
  mkdir -p "$work"
  trap '[[ -n "$server" ]] && kill "$server" 2>/dev/null' EXIT
else
  work=$(mktemp -d)
  trap '[[ -n "$server" ]] && kill "$server" 2>/dev/null; rm -rf "$work"' EXIT
fi
cp target/release/disan "$work/disan"   # a stable copy: other builds may replace target/
cp target/release/examples/open_data "$work/open_data"
disan=("$work/disan" --archive "$work/archive" --index "$work/index")

if [[ ! -f "$work/index/manifest.json" ]]; then
  target/release/examples/country "$DISAN_TESTDATA" "$sites" "$work/rows.json"
  start=$(date +%s.%N)
  "${disan[@]}" import --quiet "$work/rows.json" > /dev/null || true
  echo "import: $(echo "$(date +%s.%N) - $start" | bc) s"
  start=$(date +%s.%N)
  "${disan[@]}" ingest > /dev/null
  echo "ingest: $(echo "$(date +%s.%N) - $start" | bc) s"
else
  # A kept archive: its index brought up to date by this build (nothing to do when it is).
  "${disan[@]}" ingest > /dev/null
fi
published=$(find "$work/archive" -name site.json | wc -l)
echo "$published sites published"

median() { sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }
measure() { # name, then the command: 3 runs, median seconds and peak RSS
  local name=$1; shift
  : > "$work/runs"
  for _ in 1 2 3; do
    /usr/bin/time -f "%e %M" -o "$work/one" "$@" 2> "$work/err" > /dev/null
    cat "$work/one" >> "$work/runs"
  done
  local seconds rss
  seconds=$(cut -d' ' -f1 < "$work/runs" | median)
  rss=$(cut -d' ' -f2 < "$work/runs" | median)
  printf '%-28s %8.2f s  %6d MB  %s\n' "$name" "$seconds" $((rss / 1024)) "$(tail -1 "$work/err")"
}

echo "== disan export of the whole archive (median of 3: seconds, peak RSS)"
for format in csv jsonl geojson gpx kml; do
  measure "$format" "${disan[@]}" export --format "$format" -o "$work/out.$format"
  printf '%-28s %8.1f MB\n' "  file" "$(echo "$(stat -c %s "$work/out.$format") / 1000000" | bc -l)"
done
echo "== disan export of a search (\"chùa\")"
for format in csv geojson; do
  measure "$format, q=chùa" "${disan[@]}" export --format "$format" --query "chùa" -o "$work/search.$format"
done

echo "== the provider alone (median of 3: seconds, peak RSS)"
measure "downloads, five formats" "$work/open_data" downloads "$work/archive" "$work/index"
measure "ListRecords" "$work/open_data" harvest "$work/archive" "$work/index" ListRecords
measure "ListIdentifiers" "$work/open_data" harvest "$work/archive" "$work/index" ListIdentifiers

if [[ -n "${SKIP_HTTP:-}" ]]; then
  exit 0
fi
echo "== over HTTP: a full OAI-PMH harvest of disan serve with sickle"
DISAN_LOG=info "${disan[@]}" serve --bind "127.0.0.1:$port" > "$work/serve.log" 2>&1 &
server=$!
for _ in $(seq 1 600); do
  curl -sf "http://127.0.0.1:$port/healthz" > /dev/null && break
  sleep 0.5
done
"$venv/bin/python" - "http://127.0.0.1:$port/oai" <<'PY'
import sys, time
from sickle import Sickle
s = Sickle(sys.argv[1])
for verb in ["ListRecords", "ListIdentifiers"]:
    started = time.monotonic()
    items = getattr(s, verb)(metadataPrefix="oai_dc", ignore_deleted=False)
    n = sum(1 for _ in items)
    seconds = time.monotonic() - started
    print(f"full harvest, {verb:<15}: {n} items in {seconds:.1f} s ({n / seconds:.0f}/s)")
PY
echo "server peak RSS: $(grep VmHWM /proc/$server/status | awk '{print int($2/1024)}') MB"
