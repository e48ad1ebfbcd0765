#!/usr/bin/env bash
# What the cluster tests need, installed only when missing: Garage (built from crates.io, about
# 25 minutes on 2 cores, so only when it is not on PATH already), iproute2 for the network
# namespaces, nginx for the load balancer, and curl.
#
#   tests/cluster/install-garage.sh [ROOT]   # garage goes to ROOT/bin (default ~/.cargo)
#   export PATH="ROOT/bin:$PATH"              # then, if ROOT/bin is not on PATH
#
# Prints where garage is (GARAGE_BIN, when set, is used as it is) and, when it was built, how
# long that took.
set -euo pipefail
root="${1:-${GARAGE_ROOT:-$HOME/.cargo}}"
version="${GARAGE_VERSION:-2.5.0}"

need=()
command -v ip > /dev/null || need+=(iproute2)
command -v nginx > /dev/null || need+=(nginx-light)
command -v curl > /dev/null || need+=(curl)
# This may run in the background while other steps install packages: wait for apt's lock
# rather than fail on it.
apt=(apt-get -o DPkg::Lock::Timeout=600 -y -qq)
if [ ${#need[@]} -gt 0 ]; then
  "${apt[@]}" update
  # nginx-light is enough (proxy, upstream, map); some releases only have nginx.
  DEBIAN_FRONTEND=noninteractive "${apt[@]}" install "${need[@]}" > /dev/null 2>&1 \
    || DEBIAN_FRONTEND=noninteractive "${apt[@]}" install "${need[@]/nginx-light/nginx}" > /dev/null
  # The package starts a system nginx on port 80; the tests run their own.
  if command -v systemctl > /dev/null && systemctl is-active --quiet nginx 2> /dev/null; then
    systemctl stop nginx || true
  fi
fi

if [ -n "${GARAGE_BIN:-}" ] && [ -x "$GARAGE_BIN" ]; then
  echo "garage: $GARAGE_BIN ($("$GARAGE_BIN" --version 2>/dev/null | head -n 1))"
elif command -v garage > /dev/null; then
  echo "garage: $(command -v garage) ($(garage --version 2>/dev/null | head -n 1))"
elif [ -x "$root/bin/garage" ]; then
  echo "garage: $root/bin/garage ($("$root/bin/garage" --version 2>/dev/null | head -n 1)); add $root/bin to PATH"
else
  start=$(date +%s)
  # Only what the tests use: the SQLite metadata engine, with its C libraries bundled (no
  # system packages), and none of LMDB, K2V or the metrics exporter, which only add build time.
  # Without debug info or incremental caches the build folder stays a fraction of its size.
  CARGO_PROFILE_RELEASE_DEBUG=0 CARGO_INCREMENTAL=0 cargo install garage --version "$version" --locked --no-default-features \
    --features bundled-libs,sqlite --root "$root"
  echo "garage: built $root/bin/garage in $(( $(date +%s) - start )) s"
fi
