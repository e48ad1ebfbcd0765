#!/usr/bin/env bash
# Approval-to-live benchmark on the real corpus (≈8,700 relic records of the test data): builds
# an archive and its index in a temporary folder as benches/load.sh does, then runs
# `cargo bench --bench approve` on them (see benches/approve.rs for what is measured).
#
#   DISAN_TESTDATA=../shared/testdata benches/approve.sh
set -euo pipefail
repo="$(cd "$(dirname "$0")/.." && pwd)"
: "${DISAN_TESTDATA:?set DISAN_TESTDATA to the test data folder}"
target="${CARGO_TARGET_DIR:-$repo/target}"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
(cd "$repo" && cargo build --release --locked --quiet --bin disan --example relics_to_import)
"$target/release/examples/relics_to_import" "$DISAN_TESTDATA" "$work/rows.json" --distinct
"$target/release/disan" --archive "$work/archive" import "$work/rows.json" --quiet > /dev/null || true
"$target/release/disan" --archive "$work/archive" --index "$work/index" ingest > /dev/null 2>&1 || true
cd "$repo"
DISAN_BENCH_ARCHIVE="$work/archive" DISAN_BENCH_INDEX="$work/index" cargo bench --locked --bench approve
