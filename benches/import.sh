#!/usr/bin/env bash
# Import benchmark: 10,000 rows built from the real relic records of the test data, imported
# into an empty archive, then imported again (which must change nothing). Needs DISAN_TESTDATA.
#
#   DISAN_TESTDATA=../shared/testdata benches/import.sh
set -euo pipefail
cd "$(dirname "$0")/.."
: "${DISAN_TESTDATA:?set DISAN_TESTDATA to the test data folder}"
command -v hyperfine >/dev/null || { apt-get update -qq && apt-get install -y -qq hyperfine; }

cargo build --release --quiet --bin disan --example relics_to_import
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cp target/release/disan "$work/disan"   # a stable copy: other builds may replace target/
rows=${ROWS:-10000}
target/release/examples/relics_to_import "$DISAN_TESTDATA" "$work/rows.json" "$rows"
disan="$work/disan"

echo "== first import of $rows rows into an empty archive"
hyperfine --runs 5 --ignore-failure \
  --prepare "rm -rf $work/archive" \
  "$disan --archive $work/archive import --quiet $work/rows.json"

echo "== the report of one import"
rm -rf "$work/archive"
"$disan" --archive "$work/archive" import --quiet "$work/rows.json" > "$work/report.txt" || true
grep -c rejected "$work/report.txt" | xargs echo "rejected rows (no name in the source):"

echo "== second import of the same file (must be all unchanged)"
before=$(find "$work/archive" -type f -newer "$work/rows.json" -printf '%T@ %p\n' | sort | md5sum)
hyperfine --runs 5 --ignore-failure "$disan --archive $work/archive import --quiet $work/rows.json"
after=$(find "$work/archive" -type f -newer "$work/rows.json" -printf '%T@ %p\n' | sort | md5sum)
[ "$before" = "$after" ] && echo "second import rewrote no file" || { echo "second import rewrote files"; exit 1; }
