#!/usr/bin/env bash
# Disan's open data read by the tools other people use, from PyPI: the real relic records are
# imported (with real photos on a few sites, varied change dates, a removed site and a renamed
# one), ingested and served; then validate.py checks every export and download with `geojson`,
# `gpxpy` and `fastkml`, harvests the whole archive and selections of it over OAI-PMH with
# `sickle`, validates every IIIF manifest and collection with `iiif-prezi3`, and reads the
# citations with `rispy` and `citeproc-py`. Needs DISAN_TESTDATA and Python 3 with venv.
#
#   DISAN_TESTDATA=../shared/testdata tests/open_data/run.sh
set -euo pipefail
cd "$(dirname "$0")"
here="$(pwd)"
repo="$(cd ../.. && pwd)"
: "${DISAN_TESTDATA:?set DISAN_TESTDATA to the test data folder}"
target="${CARGO_TARGET_DIR:-$repo/target}"
venv="${DISAN_VALIDATORS_VENV:-$target/open-data-venv}"
port="${DISAN_OPEN_DATA_PORT:-18182}"

if [ ! -x "$venv/bin/python" ]; then
  python3 -m venv "$venv"
fi
"$venv/bin/pip" install --quiet --disable-pip-version-check -r requirements.txt

# The debug build `cargo test` has just made (dependencies are optimised even there).
(cd "$repo" && cargo build --locked --quiet --bin disan --example relics_to_import)
work="$(mktemp -d)"
server=""
trap '[ -n "$server" ] && kill "$server" 2>/dev/null; rm -rf "$work"' EXIT
cp "$target/debug/disan" "$work/disan"
disan() { "$work/disan" --archive "$work/archive" --index "$work/index" "$@"; }

"$target/debug/examples/relics_to_import" "$DISAN_TESTDATA" "$work/rows.json" > /dev/null
# Rows without a name are rejected (exit 1); the rest are the archive.
disan import --quiet "$work/rows.json" > "$work/import.txt" || true
tail -1 "$work/import.txt" || true
"$venv/bin/python" "$here/prepare.py" "$work/archive" "$DISAN_TESTDATA"
disan ingest > /dev/null
# After the first ingest: one site leaves the archive and one is renamed, so the second
# ingest has deletions to record.
"$venv/bin/python" "$here/prepare.py" --change "$work/archive"
disan ingest > /dev/null
# The binary itself, not the function: `$!` must be the server's own id to stop it.
"$work/disan" --archive "$work/archive" --index "$work/index" serve --bind "127.0.0.1:$port" \
  > "$work/serve.log" 2>&1 &
server=$!
for _ in $(seq 1 150); do
  curl -sf "http://127.0.0.1:$port/healthz" > /dev/null && break
  sleep 0.2
done
status=0
"$venv/bin/python" "$here/validate.py" "http://127.0.0.1:$port" "$work" || status=1
if [ $status -ne 0 ]; then
  echo "--- server log"; tail -20 "$work/serve.log"
fi
exit $status
