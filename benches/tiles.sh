#!/usr/bin/env bash
# Deep-zoom tiling benchmark against libvips' `vips dzsave --layout iiif3` (see
# benches/README.md). Installs libvips-tools and GNU time from Debian when missing, then runs
# the Rust bench. Needs DISAN_TESTDATA pointing at the test data folder (with photos/large/).
set -euo pipefail

if [[ -z "${DISAN_TESTDATA:-}" ]]; then
    echo "tiles.sh: set DISAN_TESTDATA to the test data folder" >&2
    exit 2
fi
missing=()
command -v vips >/dev/null || missing+=(libvips-tools)
[[ -x /usr/bin/time ]] || missing+=(time)
if ((${#missing[@]})); then
    sudo=""
    [[ $(id -u) -eq 0 ]] || sudo="sudo"
    $sudo apt-get update -qq
    $sudo apt-get install -y -qq "${missing[@]}"
fi
cd "$(dirname "$0")/.."
exec cargo bench --bench tiles
