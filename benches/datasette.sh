#!/usr/bin/env bash
# Search side by side with Datasette (SQLite FTS5): the same ≈8,400 real relic sites, the same
# 200 queries, the same load. Needs DISAN_TESTDATA.
#
#   DISAN_TESTDATA=../shared/testdata benches/datasette.sh
#
# 1. imports the crawled relic records (one site each) and ingests them;
# 2. loads the same site records into SQLite with FTS5 `unicode61 remove_diacritics 2` (which
#    folds accents but not đ → d) and serves them with `datasette serve`;
# 3. serves Disan with `disan serve`;
# 4. runs `wrk` against both JSON search endpoints, twice, and prints requests/s, p50/p99 and
#    the ratio for each:
#    - "repeated": the same 200 queries over and over, as a popular site sees them (Disan's
#      JSON answers come from its answer cache after the first round);
#    - "distinct": every judged query (≈6,000), the wrk threads half the list apart, Disan
#      serving with its page caches off (`DISAN_PAGE_CACHE_MB=0`): wrk walks the list round
#      and round, and a cache that keeps what comes back would answer part of it, so every
#      Disan request runs the search engine, as every Datasette request runs SQLite;
#    after each Disan run its `/metrics` says what share of the requests ran a search;
# 5. judges FTS5 on the relevance query set of `disan eval-search` (Success@k, MRR) next to
#    Disan's own figures.
#
# Everything listens on 127.0.0.1 only. Datasette and sqlite-utils are installed from PyPI into
# a virtualenv in a temporary folder; wrk comes from apt when missing.
# Knobs: DISAN_BIN (a built binary), CONNECTIONS (16), THREADS (2), DURATION (15s), PER_FORM (queries per form for quality).
set -euo pipefail
cd "$(dirname "$0")/.."
: "${DISAN_TESTDATA:?set DISAN_TESTDATA to the test data folder}"
CONNECTIONS=${CONNECTIONS:-16}
THREADS=${THREADS:-2}
DURATION=${DURATION:-15s}
PER_FORM=${PER_FORM:-1000}
DATASETTE_PORT=${DATASETTE_PORT:-8701}
DISAN_PORT=${DISAN_PORT:-8702}

command -v wrk >/dev/null || { apt-get update -qq && apt-get install -y -qq wrk; }
work=$(mktemp -d)
pids=()
cleanup() {
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  rm -rf "$work"
}
trap cleanup EXIT

echo "== building and installing"
target=${CARGO_TARGET_DIR:-target}
if [ -z "${DISAN_BIN:-}" ]; then   # DISAN_BIN: measure an already built binary instead
  cargo build --release --quiet --bin disan --example relics_to_import
  DISAN_BIN="$target/release/disan"
else
  cargo build --release --quiet --example relics_to_import
fi
cp "$DISAN_BIN" "$work/disan"   # a stable copy: other builds may replace target/
disan="$work/disan"
python3 -m venv "$work/venv"
"$work/venv/bin/pip" install --quiet datasette sqlite-utils
py="$work/venv/bin/python"

echo "== the same sites for both"
"$target/release/examples/relics_to_import" "$DISAN_TESTDATA" "$work/rows.json" --distinct
"$disan" --archive "$work/archive" --index "$work/index" import --quiet "$work/rows.json" \
  > /dev/null || true   # rows without a name are rejected
"$disan" --archive "$work/archive" --index "$work/index" ingest
"$disan" --archive "$work/archive" --index "$work/index" eval-search --per-form "$PER_FORM" \
  --queries-out "$work/queries.json" > "$work/disan-quality.md"

"$py" - "$work" <<'EOF'
import json, pathlib, sys
work = pathlib.Path(sys.argv[1])
rows = []
for f in sorted((work / "archive").glob("**/site.json")):
    r = json.loads(f.read_text())
    loc = r.get("location", {})
    legacy = loc.get("legacy", {})
    rows.append({
        "id": r["id"],
        "name": r["name"],
        "alt_names": " ; ".join(r.get("alt_names", [])),
        "people": " ; ".join(r.get("people", [])),
        "type": r.get("type") or "",
        "level": r.get("level") or "",
        "province": loc.get("province") or legacy.get("province") or "",
        "place": " ; ".join(x for x in [loc.get("address"), loc.get("commune"),
                 legacy.get("province"), legacy.get("district"), legacy.get("commune")] if x),
        "summary": r.get("summary") or "",
        "description": r.get("description") or "",
    })
(work / "sites.json").write_text(json.dumps(rows, ensure_ascii=False))
print(f"{len(rows)} sites for SQLite")
EOF
"$work/venv/bin/sqlite-utils" insert "$work/sites.db" sites "$work/sites.json" --pk id
"$work/venv/bin/sqlite-utils" enable-fts "$work/sites.db" sites \
  name alt_names people place summary description \
  --tokenize "unicode61 remove_diacritics 2" --create-triggers > /dev/null

# Datasette's own escaping of a search (each word quoted, all required), ranked by bm25, with a
# snippet, as a canned query so the URL stays short.
SQL="select s.id, s.name, s.type, s.level, s.province, \
snippet(sites_fts, -1, '<mark>', '</mark>', '…', 24) as snippet \
from sites_fts join sites s on s.rowid = sites_fts.rowid \
where sites_fts match :q order by rank limit 20"
cat > "$work/metadata.json" <<EOF
{"databases": {"sites": {"queries": {"search": {"sql": "$SQL"}}}}}
EOF

echo "== the benchmark queries (from the judged set, every form)"
"$py" - "$work" <<'EOF'
import json, pathlib, re, sys, urllib.parse
work = pathlib.Path(sys.argv[1])
queries = json.loads((work / "queries.json").read_text())
step = max(1, len(queries) // 200)
repeated = [q["text"] for q in queries[::step]][:200]
distinct = list(dict.fromkeys(q["text"] for q in queries))
def fts(text):
    words = re.findall(r"\w+", text)
    return " ".join('"%s"' % w for w in words) or '""'
for name, texts in (("repeated", repeated), ("distinct", distinct)):
    with open(work / f"disan-{name}.paths", "w") as f:
        for t in texts:
            f.write("/api/v1/search?q=" + urllib.parse.quote(t) + "\n")
    with open(work / f"datasette-{name}.paths", "w") as f:
        for t in texts:
            f.write("/sites/search.json?_shape=array&q=" + urllib.parse.quote(fts(t)) + "\n")
    print(len(texts), name, "queries")
EOF
cat > "$work/rotate.lua" <<'EOF'
-- Each wrk thread walks the path list in order from its own starting point, the threads
-- evenly spread over the list (the connections of a thread share its position).
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

wait_for() {
  for _ in $(seq 1 100); do curl -sf "$1" > /dev/null && return 0; sleep 0.2; done
  echo "nothing answers on $1"; return 1
}

echo "== serving"
"$work/venv/bin/datasette" serve "$work/sites.db" --metadata "$work/metadata.json" \
  -h 127.0.0.1 -p "$DATASETTE_PORT" --setting sql_time_limit_ms 5000 \
  > "$work/datasette.log" 2>&1 &
pids+=($!)
have_serve=yes
if ! "$disan" serve --help > /dev/null 2>&1; then
  have_serve=no
  echo "this disan has no \`serve\` command yet: only Datasette is measured"
fi
wait_for "http://127.0.0.1:$DATASETTE_PORT/sites/search.json?q=%22chua%22"
disan_pid=
start_disan() { # MiB for each page cache, or "" for the server's default
  env ${1:+DISAN_PAGE_CACHE_MB=$1} "$disan" --archive "$work/archive" --index "$work/index" \
    serve --bind "127.0.0.1:$DISAN_PORT" >> "$work/disan.log" 2>&1 &
  disan_pid=$!
  pids+=("$disan_pid")
  wait_for "http://127.0.0.1:$DISAN_PORT/healthz"
}
stop_disan() {
  kill "$disan_pid" 2>/dev/null || true
  wait "$disan_pid" 2>/dev/null || true
}
searches() { # searches the Disan server has run (its search-time histogram's count)
  curl -sf "http://127.0.0.1:$DISAN_PORT/metrics" |
    awk '/^disan_search_duration_seconds_count/ { n = $2 } END { print n + 0 }'
}

load() {  # name port paths
  PATHS="$3" THREADS="$THREADS" wrk -t"$THREADS" -c"$CONNECTIONS" -d"$DURATION" --latency -s "$work/rotate.lua" \
    "http://127.0.0.1:$2" > "$work/$1.wrk"
  local rps p50 p99
  rps=$(awk '/Requests\/sec/ {print $2}' "$work/$1.wrk")
  p50=$(awk '$1 == "50%" {print $2}' "$work/$1.wrk")
  p99=$(awk '$1 == "99%" {print $2}' "$work/$1.wrk")
  printf '| %s | %s | %s | %s |\n' "$1" "$rps" "$p50" "$p99"
  echo "$rps" > "$work/$1.rps"
  grep -E "Non-2xx|Socket errors" "$work/$1.wrk" || true
}
for run in distinct repeated; do
  echo
  echo "== load, $run queries: $CONNECTIONS connections, $THREADS wrk threads, $DURATION each"
  echo "| engine | requests/s | p50 | p99 |"
  echo "|---|---:|---:|---:|"
  load "datasette-$run" "$DATASETTE_PORT" "$work/datasette-$run.paths"
  if [ $have_serve = yes ]; then
    if [ "$run" = distinct ]; then start_disan 0; else start_disan ""; fi
    before=$(searches)
    load "disan-$run" "$DISAN_PORT" "$work/disan-$run.paths"
    awk -v a="$before" -v b="$(searches)" '/ requests in / { r = $1 }
      END { printf "Disan requests that ran a search: %.0f %%\n", r ? 100 * (b - a) / r : 0 }' \
      "$work/disan-$run.wrk"
    stop_disan
    awk -v d="$(cat "$work/disan-$run.rps")" -v s="$(cat "$work/datasette-$run.rps")" \
      -v run="$run" 'BEGIN { printf "Disan / Datasette throughput, %s queries: %.1f×\n", run, d / s }'
  fi
done

echo
echo "== quality on the judged queries: Disan"
cat "$work/disan-quality.md"
echo "== quality on the judged queries: SQLite FTS5 (Datasette's escaping, bm25 order)"
"$py" - "$work" <<'EOF'
import json, pathlib, re, sqlite3, sys
from collections import defaultdict
work = pathlib.Path(sys.argv[1])
queries = json.loads((work / "queries.json").read_text())
db = sqlite3.connect(work / "sites.db")
sql = ("select s.id from sites_fts join sites s on s.rowid = sites_fts.rowid "
       "where sites_fts match ? order by rank limit 10")
sums = defaultdict(lambda: [0, 0, 0, 0, 0.0])
for q in queries:
    words = re.findall(r"\w+", q["text"])
    ids = []
    if words:
        try:
            ids = [r[0] for r in db.execute(sql, (" ".join('"%s"' % w for w in words),))]
        except sqlite3.OperationalError:
            ids = []
    relevant = set(q["relevant"])
    rank = next((i + 1 for i, x in enumerate(ids) if x in relevant), None)
    s = sums[q["form"]]
    s[0] += 1
    for slot, k in ((1, 1), (2, 3), (3, 10)):
        if rank and rank <= k:
            s[slot] += 1
    s[4] += 1 / rank if rank else 0
print("| query form | queries | S@1 | S@3 | S@10 | MRR |")
print("|---|---:|---:|---:|---:|---:|")
for form, (n, s1, s3, s10, rr) in sums.items():
    print(f"| {form} | {n} | {s1/n:.3f} | {s3/n:.3f} | {s10/n:.3f} | {rr/n:.3f} |")
EOF
