#!/usr/bin/env bash
# A 3-node Garage cluster (S3-compatible object storage) on this one machine, for the storage
# tests and the chaos benchmark: replication factor 3, each node in its own network namespace
# with its own address, so that one node can be cut off the network like a failed host.
#
#   tests/cluster/garage.sh up DIR      # start (after cleaning any leftover), wait until healthy;
#                                       # writes DIR/env with the bucket's key and the nodes
#   tests/cluster/garage.sh env DIR     # prints `export …` lines: eval "$(… env DIR)"
#   tests/cluster/garage.sh cut N       # node N (1-3) off the network: a clean partition
#   tests/cluster/garage.sh heal N [DIR] # back on it; with DIR, waits until the cluster is healthy
#   tests/cluster/garage.sh down [DIR]  # stop the nodes, remove namespaces, veths and bridge
#
# Needs root (ip netns), iproute2, curl, and the garage binary (GARAGE_BIN, or `garage` on PATH;
# tests/cluster/install-garage.sh builds it). The network: a bridge disanbr0 at 10.77.0.1/24 in
# the root namespace, node K in namespace disan-gK at 10.77.0.1K, S3 API on :3900, RPC on :3901,
# admin API on :3903. The bucket is `disan`, region `garage`.
set -euo pipefail

bridge=disanbr0
net=10.77.0
nodes=(1 2 3)
bucket=disan
garage="${GARAGE_BIN:-$(command -v garage || true)}"

die() { echo "garage.sh: $*" >&2; exit 1; }
ns() { echo "disan-g$1"; }
addr() { echo "$net.1$1"; }
# The veth pair of node K: the end on the bridge and the end inside the namespace (names must
# stay under 16 characters).
host_end() { echo "disan-g$1h"; }
node_end() { echo "disan-g$1n"; }

# The garage CLI for node K, run from the root namespace: it reaches the node over the bridge
# at the rpc_public_addr of the node's config.
gcli() {
  local k=$1; shift
  "$garage" -c "$dir/n$k.toml" "$@"
}

need_garage() {
  [ -n "$garage" ] && [ -x "$garage" ] || die "no garage binary: set GARAGE_BIN or put garage on PATH (tests/cluster/install-garage.sh)"
}

# Retries COMMAND… every half second for up to SECONDS; the last attempt's output on failure.
retry() {
  local seconds=$1; shift
  local deadline=$((SECONDS + seconds))
  until "$@" > "$dir/retry.out" 2>&1; do
    if [ "$SECONDS" -ge "$deadline" ]; then
      echo "garage.sh: gave up after ${seconds}s: $*" >&2
      cat "$dir/retry.out" >&2
      return 1
    fi
    sleep 0.5
  done
}

# Healthy as seen from node K: connected to every storage node, every partition fully replicated.
healthy_from() {
  local out
  out=$(gcli "$1" json-api GetClusterHealth 2>&1) || { echo "$out"; return 1; }
  echo "$out"
  grep -q '"status": *"healthy"' <<< "$out" && grep -q '"partitionsAllOk": *256' <<< "$out"
}

cluster_healthy() {
  local k
  for k in "${nodes[@]}"; do healthy_from "$k" || return 1; done
}

# A real S3 round trip, signed with SigV4 by curl: PUT through node K, GET through node J.
s3_roundtrip() {
  local k=$1 j=$2 body
  # shellcheck disable=SC1091
  . "$dir/env"
  body="disan health check $k→$j $$ $RANDOM"
  # Garage checks the payload hash header; curl signs it as one of the x-amz-* headers.
  curl -sf --max-time 5 --aws-sigv4 "aws:amz:garage:s3" \
    --user "$DISAN_S3_ACCESS_KEY_ID:$DISAN_S3_SECRET_ACCESS_KEY" \
    -H "x-amz-content-sha256: $(printf '%s' "$body" | sha256sum | cut -d' ' -f1)" \
    -X PUT --data-binary "$body" "http://$(addr "$k"):3900/$bucket/.health/$k-$j" > /dev/null || return 1
  [ "$(curl -sf --max-time 5 --aws-sigv4 "aws:amz:garage:s3" \
    --user "$DISAN_S3_ACCESS_KEY_ID:$DISAN_S3_SECRET_ACCESS_KEY" \
    -H "x-amz-content-sha256: e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855" \
    "http://$(addr "$j"):3900/$bucket/.health/$k-$j")" = "$body" ] || return 1
  curl -sf --max-time 5 --aws-sigv4 "aws:amz:garage:s3" \
    --user "$DISAN_S3_ACCESS_KEY_ID:$DISAN_S3_SECRET_ACCESS_KEY" \
    -H "x-amz-content-sha256: e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855" \
    -X DELETE "http://$(addr "$j"):3900/$bucket/.health/$k-$j" > /dev/null
}

cmd_down() {
  local k pid pids
  for k in "${nodes[@]}"; do
    pids=""
    if ip netns list 2> /dev/null | grep -qw "$(ns "$k")"; then
      pids=$(ip netns pids "$(ns "$k")" 2> /dev/null || true)
    fi
    # A node whose namespace is already gone still runs: its pid file names it.
    if [ -n "$dir" ] && [ -f "$dir/n$k.pid" ]; then
      pid=$(cat "$dir/n$k.pid")
      if grep -qa garage "/proc/$pid/cmdline" 2> /dev/null; then pids="$pids $pid"; fi
    fi
    for pid in $pids; do kill "$pid" 2> /dev/null || true; done
    for pid in $pids; do
      for _ in $(seq 1 50); do kill -0 "$pid" 2> /dev/null || break; sleep 0.1; done
      kill -9 "$pid" 2> /dev/null || true
    done
    [ -n "$dir" ] && rm -f "$dir/n$k.pid"
    ip netns del "$(ns "$k")" 2> /dev/null || true
    # Deleting the namespace deletes its end of the pair, and so the pair; this is for a pair
    # whose namespace end was never moved in.
    ip link del "$(host_end "$k")" 2> /dev/null || true
    ip link del "$(node_end "$k")" 2> /dev/null || true
  done
  ip link del "$bridge" 2> /dev/null || true
}

cmd_up() {
  need_garage
  command -v ip > /dev/null || die "ip (iproute2) is missing"
  [ "$(id -u)" -eq 0 ] || die "needs root (ip netns)"
  cmd_down
  mkdir -p "$dir"
  rm -rf "$dir"/n[123] "$dir/env"
  local secret k j
  secret=$(od -An -tx1 -N32 /dev/urandom | tr -d ' \n')
  admin_token=$(od -An -tx1 -N16 /dev/urandom | tr -d ' \n')

  # The network: a bridge in the root namespace, one veth pair per node.
  ip link add "$bridge" type bridge
  ip addr add "$net.1/24" dev "$bridge"
  ip link set "$bridge" up
  for k in "${nodes[@]}"; do
    ip netns add "$(ns "$k")"
    ip link add "$(host_end "$k")" type veth peer name "$(node_end "$k")"
    ip link set "$(node_end "$k")" netns "$(ns "$k")"
    ip link set "$(host_end "$k")" master "$bridge" up
    ip -n "$(ns "$k")" addr add "$(addr "$k")/24" dev "$(node_end "$k")"
    ip -n "$(ns "$k")" link set "$(node_end "$k")" up
    ip -n "$(ns "$k")" link set lo up
  done

  # Per node: its own folders and the shared RPC secret, so mode 600.
  for k in "${nodes[@]}"; do
    mkdir -p "$dir/n$k/meta" "$dir/n$k/data"
    (umask 077; cat > "$dir/n$k.toml" <<TOML
metadata_dir = "$dir/n$k/meta"
data_dir = "$dir/n$k/data"
db_engine = "sqlite"
replication_factor = 3

rpc_bind_addr = "$(addr "$k"):3901"
rpc_public_addr = "$(addr "$k"):3901"
rpc_secret = "$secret"
# How long a node waits for another before asking the next one (default 5 minutes; here the
# nodes answer in milliseconds). A node cut off the network is only declared down after five
# missed pings 15 s apart: until then every request that picks it waits this long.
rpc_timeout_msec = 500

[s3_api]
s3_region = "garage"
api_bind_addr = "$(addr "$k"):3900"
root_domain = ".s3.garage.localhost"

[admin]
api_bind_addr = "$(addr "$k"):3903"
admin_token = "$admin_token"
TOML
    )
    chmod 600 "$dir/n$k.toml"
    RUST_LOG="${RUST_LOG:-garage=info}" ip netns exec "$(ns "$k")" \
      "$garage" -c "$dir/n$k.toml" server >> "$dir/n$k.log" 2>&1 &
    echo $! > "$dir/n$k.pid"
  done

  local ids=()
  for k in "${nodes[@]}"; do
    retry 60 gcli "$k" node id -q || { tail -n 20 "$dir/n$k.log" >&2; exit 1; }
    ids[$k]=$(gcli "$k" node id -q | cut -d@ -f1)
  done
  for k in 2 3; do
    retry 30 gcli 1 node connect "${ids[$k]}@$(addr "$k"):3901"
  done
  for k in "${nodes[@]}"; do
    gcli 1 layout assign -z "dc$k" -c 1G "${ids[$k]:0:16}" > /dev/null
  done
  gcli 1 layout apply --version 1 > /dev/null
  retry 60 cluster_healthy

  gcli 1 bucket create "$bucket" > /dev/null
  local key
  key=$(gcli 1 json-api CreateKey '{"name":"disan"}')
  local id secret_key
  id=$(sed -n 's/.*"accessKeyId": *"\([^"]*\)".*/\1/p' <<< "$key")
  secret_key=$(sed -n 's/.*"secretAccessKey": *"\([^"]*\)".*/\1/p' <<< "$key")
  [ -n "$id" ] && [ -n "$secret_key" ] || die "no key in: $key"
  gcli 1 bucket allow --read --write --key "$id" "$bucket" > /dev/null
  (umask 077; cat > "$dir/env" <<ENV
DISAN_S3_ACCESS_KEY_ID=$id
DISAN_S3_SECRET_ACCESS_KEY=$secret_key
DISAN_S3_NODES="$(addr 1):3900 $(addr 2):3900 $(addr 3):3900"
ENV
  )

  # Healthy means usable: every node answers the bucket, and a signed PUT through one node
  # reads back through the next (the bucket and key reach every node's tables a moment later).
  for k in "${nodes[@]}"; do
    retry 30 gcli "$k" bucket info "$bucket"
    j=$(( k % 3 + 1 ))
    retry 30 s3_roundtrip "$k" "$j"
  done
  rm -f "$dir/retry.out"
  echo "garage: 3 nodes healthy at $(addr 1) $(addr 2) $(addr 3) (S3 :3900), bucket $bucket; credentials in $dir/env"
}

cmd_link() {
  local k=$1 state=$2
  case "$k" in 1|2|3) ;; *) die "node must be 1, 2 or 3, not '$k'" ;; esac
  ip -n "$(ns "$k")" link set "$(node_end "$k")" "$state"
}

usage() { sed -n '2,16p' "$0" | sed 's/^# \{0,1\}//'; exit 2; }

sub="${1:-}"
dir=""
case "$sub" in
  up)
    [ -n "${2:-}" ] || usage
    mkdir -p "$2"; dir="$(cd "$2" && pwd)"
    cmd_up ;;
  down)
    [ -n "${2:-}" ] && [ -d "$2" ] && dir="$(cd "$2" && pwd)"
    cmd_down ;;
  env)
    [ -n "${2:-}" ] && [ -f "$2/env" ] || die "no $2/env: run \`garage.sh up $2\` first"
    sed 's/^/export /' "$2/env" ;;
  cut)
    cmd_link "${2:-}" down ;;
  heal)
    cmd_link "${2:-}" up
    if [ -n "${3:-}" ]; then
      need_garage
      dir="$(cd "$3" && pwd)"
      retry 60 cluster_healthy
      rm -f "$dir/retry.out"
    fi ;;
  *) usage ;;
esac
