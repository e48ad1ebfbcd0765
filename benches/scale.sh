#!/usr/bin/env bash
# How Disan's costs grow with the archive, from a province to the whole country and beyond,
# side by side with Datasette + SQLite FTS5 on the same rows and queries. Needs DISAN_TESTDATA.
#
#   DISAN_TESTDATA=../shared/testdata benches/scale.sh                       # 10k, 30k, 100k
#   SIZES="10000 30000 100000 300000" DISAN_TESTDATA=… benches/scale.sh
#   DISAN_BIN=path/to/disan DISAN_TESTDATA=… benches/scale.sh               # an earlier build
#
# At each size N:
# 1. `examples/country.rs` recombines the real relic records into N plausible sites (real types,
#    ranks, people, communes and description paragraphs; names are a type word and a commune);
# 2. `disan import` of that file, `disan ingest` (full), `disan ingest` again (nothing changed);
#    the index's size on disk;
# 3. `disan serve`: seconds from start to the first answer of `/healthz`, resident memory then;
# 4. the queries: the judged name queries of `disan eval-search` (exact, accent-free, NFD, one
#    letter dropped, without the type word, with the province, type + person, type + province +
#    rank; unique names of this archive) and broad two-word place queries such as "chùa Hà" or
#    "đình làng", accented and not, which match tens of thousands of sites;
# 5. `wrk` on the JSON search API of both engines with the distinct queries, Datasette first;
#    then Disan's HTML search pages with the same queries and its site pages, every site in
#    turn. Disan serves with its page caches off (`DISAN_PAGE_CACHE_MB=0`), so that every
#    answer is searched for and every page rendered, as Datasette does: wrk walks the query list
#    round and round, and a cache that keeps what comes back would answer part of it. Its
#    `/metrics` says how many of the API and HTML requests ran a search ("searched");
# 6. resident memory after the load (and the peak).
# One table row per size is printed at the end (also written to $OUT, default scale.md).
#
# Knobs: SIZES, DURATION (15s per wrk run), CONNECTIONS (16), THREADS (2), PORT (8711, and
# PORT+1 for Datasette), OUT, KEEP=1 (keep the work folder), SKIP_DATASETTE=1, PAGE_CACHE_MB
# (0; 16 is what `disan serve` keeps by default — builds before the setting ignore it).
set -euo pipefail
repo="$(cd "$(dirname "$0")/.." && pwd)"
: "${DISAN_TESTDATA:?set DISAN_TESTDATA to the test data folder}"
SIZES=${SIZES:-"10000 30000 100000"}
DURATION=${DURATION:-15s}
CONNECTIONS=${CONNECTIONS:-16}
THREADS=${THREADS:-2}
PORT=${PORT:-8711}
DS_PORT=$((PORT + 1))
OUT=${OUT:-scale.md}
PAGE_CACHE_MB=${PAGE_CACHE_MB:-0}

command -v wrk > /dev/null || { apt-get update -qq && apt-get install -y -qq wrk; }
command -v curl > /dev/null || { apt-get update -qq && apt-get install -y -qq curl; }
work=$(mktemp -d)
pids=()
stop_all() {
  for pid in "${pids[@]}"; do kill "$pid" 2> /dev/null || true; done
  for pid in "${pids[@]}"; do wait "$pid" 2> /dev/null || true; done
  pids=()
}
cleanup() {
  stop_all
  if [ "${KEEP:-}" = 1 ]; then echo "kept $work"; else rm -rf "$work"; fi
}
trap cleanup EXIT

echo "== building"
target=${CARGO_TARGET_DIR:-$repo/target}
(cd "$repo" && cargo build --release --locked --quiet --example country)
if [ -z "${DISAN_BIN:-}" ]; then
  (cd "$repo" && cargo build --release --locked --quiet --bin disan)
  DISAN_BIN="$target/release/disan"
fi
cp "$DISAN_BIN" "$work/disan" # a stable copy: other builds may replace target/
cp "$target/release/examples/country" "$work/country"
disan="$work/disan"
if [ "${SKIP_DATASETTE:-}" != 1 ]; then
  python3 -m venv "$work/venv"
  "$work/venv/bin/pip" install --quiet datasette sqlite-utils
fi
py=${py:-python3}
[ -x "$work/venv/bin/python" ] && py="$work/venv/bin/python"

cat > "$work/rotate.lua" << 'EOF'
-- Each wrk thread walks the path list in order from its own starting point, the threads
-- evenly spread over the list.
local paths = {}
for line in io.lines(os.getenv("PATHS")) do paths[#paths + 1] = line end
local threads = tonumber(os.getenv("THREADS"))
local counter = 0
function setup(thread)
  thread:set("start", counter * math.floor(#paths / threads))
  counter = counter + 1
end
local i = 0
function request()
  i = i + 1
  return wrk.format("GET", paths[((start + i) % #paths) + 1])
end
EOF

wait_for() { # url pid → seconds waited, or fails
  local started now
  started=$(date +%s.%N)
  for _ in $(seq 1 6000); do
    if curl -sf "$1" > /dev/null 2>&1; then
      now=$(date +%s.%N)
      awk -v a="$started" -v b="$now" 'BEGIN { printf "%.2f", b - a }'
      return 0
    fi
    kill -0 "$2" 2> /dev/null || { echo "the server died" >&2; return 1; }
    sleep 0.05
  done
  echo "nothing answers on $1" >&2
  return 1
}
rss_mb() { awk '/^VmRSS/ { printf "%.0f", $2 / 1024 }' "/proc/$1/status"; }
hwm_mb() { awk '/^VmHWM/ { printf "%.0f", $2 / 1024 }' "/proc/$1/status"; }
seconds() { # command… → wall seconds
  local started now
  started=$(date +%s.%N)
  "$@" > /dev/null 2>&1 || true
  now=$(date +%s.%N)
  awk -v a="$started" -v b="$now" 'BEGIN { printf "%.1f", b - a }'
}
searches() { # → searches the server has run (its search-time histogram's count)
  curl -sf "http://127.0.0.1:$PORT/metrics" |
    awk '/^disan_search_duration_seconds_count/ { n = $2 } END { print n + 0 }'
}
searched() { # name searches-before searches-after → percent of the wrk run's requests searched
  awk -v a="$2" -v b="$3" '/ requests in / { r = $1 } END { printf "%.0f %%", r ? 100 * (b - a) / r : 0 }' \
    "$work/$1.wrk"
}
load() { # name url paths → "req/s p50 p99"
  PATHS="$3" THREADS="$THREADS" wrk -t"$THREADS" -c"$CONNECTIONS" -d"$DURATION" --latency \
    -s "$work/rotate.lua" "$2" > "$work/$1.wrk"
  local errors
  errors=$(grep -E "Non-2xx|Socket errors" "$work/$1.wrk" | tr -s ' ' || true)
  [ -n "$errors" ] && echo "   $1: $errors" >&2
  awk '/Requests\/sec/ { rps = $2 } $1 == "50%" { p50 = $2 } $1 == "99%" { p99 = $2 }
       END { printf "%d %s %s", rps, p50, p99 }' "$work/$1.wrk"
}

rows=()
for n in $SIZES; do
  echo
  echo "== $n sites"
  dir="$work/$n"
  mkdir -p "$dir"
  a=(--archive "$dir/archive" --index "$dir/index")
  "$work/country" "$DISAN_TESTDATA" "$n" "$dir/rows.json" 2> /dev/null
  t_import=$(seconds "$disan" "${a[@]}" import --quiet "$dir/rows.json")
  t_ingest=$(seconds "$disan" "${a[@]}" ingest)
  t_noop=$(seconds "$disan" "${a[@]}" ingest)
  index_mb=$(du -sm "$dir/index" | cut -f1)
  echo "   import ${t_import} s, ingest ${t_ingest} s, no-change ingest ${t_noop} s, index ${index_mb} MB"

  echo "   the queries"
  "$disan" "${a[@]}" eval-search --per-form 1000 --queries-out "$dir/judged.json" > /dev/null 2>&1
  "$py" - "$dir" << 'EOF'
import json, pathlib, random, re, sys, urllib.parse, unicodedata
dir = pathlib.Path(sys.argv[1])
# Names, typos and topics, as in every row of the growth table: description passages (the
# newest form) are judged by eval-search but kept out of the throughput mix.
judged = [q["text"] for q in json.loads((dir / "judged.json").read_text())
          if q["form"] != "passage"]
def fold(s):
    s = unicodedata.normalize("NFD", s.replace("đ", "d").replace("Đ", "D"))
    return "".join(c for c in s if not unicodedata.combining(c)).lower()
# Broad place queries: a type word and the first syllable of a real commune name in the
# archive ("chùa Hà"), and "đình làng"; each accented and not.
rows = json.loads((dir / "rows.json").read_text())
rng = random.Random(7)
kinds = {"Xã", "Phường", "Thị", "trấn", "Đặc", "khu"}
def first_syllable(address):
    words = [w for w in address.split(", ")[-1].split(" ") if w not in kinds]
    return words[0] if words else None
syllables = sorted({s for r in rows if (s := first_syllable(r.get("address", "")))})
broad = ["đình làng", "chùa Hà", "đền thờ", "di tích lịch sử", "nhà thờ họ"]
for kind in ["chùa", "đình", "đền", "miếu", "nhà thờ"]:
    for s in rng.sample(syllables, min(60, len(syllables))):
        broad.append(f"{kind} {s}")
broad += [fold(q) for q in broad]
queries = list(dict.fromkeys(judged + broad))
rng.shuffle(queries)
def fts(text):
    return " ".join('"%s"' % w for w in re.findall(r"\w+", text)) or '""'
with open(dir / "api.paths", "w") as f:
    f.writelines("/api/v1/search?q=" + urllib.parse.quote(q) + "\n" for q in queries)
with open(dir / "html.paths", "w") as f:
    f.writelines("/search?q=" + urllib.parse.quote(q) + "\n" for q in queries)
with open(dir / "datasette.paths", "w") as f:
    f.writelines("/sites/search.json?_shape=array&q=" + urllib.parse.quote(fts(q)) + "\n"
                 for q in queries)
ids = [r["id"] for r in rows]
rng.shuffle(ids)
with open(dir / "sites.paths", "w") as f:
    f.writelines(f"/sites/{i}\n" for i in ids)
print(f"   {len(judged)} judged and {len(broad)} broad queries, {len(queries)} distinct")
EOF

  ds_rps="-"; ds_p99="-"
  if [ "${SKIP_DATASETTE:-}" != 1 ]; then
    echo "   Datasette: loading the same sites into SQLite FTS5"
    "$py" - "$dir" << 'EOF'
import json, pathlib, sys
dir = pathlib.Path(sys.argv[1])
out = []
for f in sorted((dir / "archive").glob("**/site.json")):
    r = json.loads(f.read_text())
    loc = r.get("location", {})
    legacy = loc.get("legacy", {})
    out.append({
        "id": r["id"], "name": r["name"],
        "alt_names": " ; ".join(r.get("alt_names", [])),
        "people": " ; ".join(r.get("people", [])),
        "type": r.get("type") or "", "level": r.get("level") or "",
        "province": loc.get("province") or legacy.get("province") or "",
        "place": " ; ".join(x for x in [loc.get("address"), loc.get("commune"),
                 legacy.get("province"), legacy.get("district"), legacy.get("commune")] if x),
        "summary": r.get("summary") or "", "description": r.get("description") or "",
    })
(dir / "sites.json").write_text(json.dumps(out, ensure_ascii=False))
EOF
    "$work/venv/bin/sqlite-utils" insert "$dir/sites.db" sites "$dir/sites.json" --pk id
    "$work/venv/bin/sqlite-utils" enable-fts "$dir/sites.db" sites \
      name alt_names people place summary description \
      --tokenize "unicode61 remove_diacritics 2" > /dev/null
    rm "$dir/sites.json"
    SQL="select s.id, s.name, s.type, s.level, s.province, \
snippet(sites_fts, -1, '<mark>', '</mark>', '…', 24) as snippet \
from sites_fts join sites s on s.rowid = sites_fts.rowid \
where sites_fts match :q order by rank limit 20"
    printf '{"databases": {"sites": {"queries": {"search": {"sql": "%s"}}}}}\n' "$SQL" \
      > "$dir/metadata.json"
    "$work/venv/bin/datasette" serve "$dir/sites.db" --metadata "$dir/metadata.json" \
      -h 127.0.0.1 -p "$DS_PORT" --setting sql_time_limit_ms 10000 > "$dir/datasette.log" 2>&1 &
    ds=$!
    pids+=("$ds")
    wait_for "http://127.0.0.1:$DS_PORT/sites/search.json?q=%22chua%22" "$ds" > /dev/null
    read -r ds_rps ds_p50 ds_p99 <<< "$(load "datasette-$n" "http://127.0.0.1:$DS_PORT" "$dir/datasette.paths")"
    echo "   Datasette API: $ds_rps req/s, p50 $ds_p50, p99 $ds_p99"
    stop_all
  fi

  sync
  DISAN_PAGE_CACHE_MB=$PAGE_CACHE_MB "$disan" "${a[@]}" serve --bind "127.0.0.1:$PORT" \
    > "$dir/serve.log" 2>&1 &
  server=$!
  pids+=("$server")
  t_ready=$(wait_for "http://127.0.0.1:$PORT/healthz" "$server")
  rss_start=$(rss_mb "$server")
  echo "   serve ready after ${t_ready} s, RSS ${rss_start} MB"
  before=$(searches)
  read -r api_rps api_p50 api_p99 <<< "$(load "api-$n" "http://127.0.0.1:$PORT" "$dir/api.paths")"
  after=$(searches)
  api_searched=$(searched "api-$n" "$before" "$after")
  echo "   Disan API: $api_rps req/s, p50 $api_p50, p99 $api_p99, $api_searched searched"
  read -r html_rps html_p50 html_p99 <<< "$(load "html-$n" "http://127.0.0.1:$PORT" "$dir/html.paths")"
  html_searched=$(searched "html-$n" "$after" "$(searches)")
  echo "   HTML search pages: $html_rps req/s, p50 $html_p50, p99 $html_p99, $html_searched searched"
  read -r site_rps site_p50 site_p99 <<< "$(load "sites-$n" "http://127.0.0.1:$PORT" "$dir/sites.paths")"
  echo "   site pages: $site_rps req/s, p50 $site_p50, p99 $site_p99"
  rss_load=$(rss_mb "$server")
  rss_peak=$(hwm_mb "$server")
  echo "   RSS after load ${rss_load} MB (peak ${rss_peak} MB)"
  stop_all
  ratio="-"
  [ "$ds_rps" != "-" ] && ratio=$(awk -v d="$api_rps" -v s="$ds_rps" 'BEGIN { printf "%.1f×", d / s }')
  rows+=("| $n | $t_import s | $t_ingest s | $t_noop s | $index_mb MB | $t_ready s | $rss_start MB | $rss_load MB ($rss_peak) | $api_rps, p50 $api_p50, p99 $api_p99, $api_searched searched | $ds_rps, p99 $ds_p99 | $ratio | $html_rps ($html_searched searched) | $site_rps |")
  [ "${KEEP:-}" = 1 ] || rm -rf "$dir"
done

{
  echo "| sites | import | ingest | no-change ingest | index | serve ready | RSS at start | RSS after load (peak) | Disan API req/s | Datasette req/s | ratio | HTML search pages/s | site pages/s |"
  echo "|---:|---:|---:|---:|---:|---:|---:|---:|---|---|---:|---:|---:|"
  printf '%s\n' "${rows[@]}"
} | tee "$OUT"
