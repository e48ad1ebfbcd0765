#!/usr/bin/env bash
# Index build benchmark: the ≈8,700 real relic records of the test data, imported into an
# archive as one site each (`--distinct`), then `disan ingest --rebuild` timed (no photos: this is the tantivy side). Also prints
# the index size and the time of a second, incremental ingest with nothing changed.
#
#   DISAN_TESTDATA=../shared/testdata benches/index.sh
set -euo pipefail
cd "$(dirname "$0")/.."
: "${DISAN_TESTDATA:?set DISAN_TESTDATA to the test data folder}"
command -v hyperfine >/dev/null || { apt-get update -qq && apt-get install -y -qq hyperfine; }

cargo build --release --quiet --bin disan --example relics_to_import
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cp target/release/disan "$work/disan"   # a stable copy: other builds may replace target/
target/release/examples/relics_to_import "$DISAN_TESTDATA" "$work/rows.json" --distinct
"$work/disan" --archive "$work/archive" import --quiet "$work/rows.json" > /dev/null || true
d="$work/disan --archive $work/archive --index $work/index"

echo "== full index build (ingest --rebuild)"
hyperfine --runs 5 --warmup 1 --ignore-failure "$d ingest --rebuild"
echo "index size: $(du -sh "$work/index/tantivy" | cut -f1)"
echo "== incremental ingest, nothing changed"
hyperfine --runs 10 --ignore-failure "$d ingest"
