#!/usr/bin/env bash
# Renders a complete nginx.conf for the cluster tests from the production files in
# deploy/nginx/ — the same routing, retries and timeouts; only the addresses and the paths
# change — so that what the tests check is what is deployed.
#
#   tests/cluster/nginx.conf.sh OUTFILE
#   nginx -e stderr -p "$(dirname OUTFILE)" -c OUTFILE -t     # check it
#   nginx -e stderr -p "$(dirname OUTFILE)" -c OUTFILE        # run it (in the foreground)
#
# Logs, pid file and temporary files go beside OUTFILE. Addresses (defaults in brackets):
#   DISAN_LISTEN    where Disan is served                  [127.0.0.1:18380]
#   DISAN_PRIMARY   the primary                            [127.0.0.1:18381]
#   DISAN_REPLICAS  the replicas, space-separated          [127.0.0.1:18385 127.0.0.1:18386 127.0.0.1:18387]
#   S3_LISTEN       the one S3 address in front of Garage  [127.0.0.1:18390]
#   DISAN_S3_NODES  the Garage nodes' S3 APIs              [10.77.0.11:3900 10.77.0.12:3900 10.77.0.13:3900]
set -euo pipefail
repo="$(cd "$(dirname "$0")/../.." && pwd)"
out="${1:?usage: nginx.conf.sh OUTFILE}"
mkdir -p "$(dirname "$out")"
work="$(cd "$(dirname "$out")" && pwd)"
disan_listen="${DISAN_LISTEN:-127.0.0.1:18380}"
primary="${DISAN_PRIMARY:-127.0.0.1:18381}"
replicas="${DISAN_REPLICAS:-127.0.0.1:18385 127.0.0.1:18386 127.0.0.1:18387}"
s3_listen="${S3_LISTEN:-127.0.0.1:18390}"
s3_nodes="${DISAN_S3_NODES:-10.77.0.11:3900 10.77.0.12:3900 10.77.0.13:3900}"

# The production file with its addresses replaced: in each upstream block the first `server`
# line of a group stands for the whole group (one line per test address, same parameters), the
# group's other lines go; `listen` takes the test address; logs go to the work folder.
# PROD_GROUP and PROD_SINGLE are the production addresses as written in the file.
render() {
  local file=$1 prod_group=$2 test_group=$3 prod_single=$4 test_single=$5 listen=$6
  awk -v pg="$prod_group" -v tg="$test_group" -v ps="$prod_single" -v ts="$test_single" \
      -v listen="$listen" -v logs="$work/" '
    BEGIN { split(pg, prod, " "); for (i in prod) isgroup[prod[i]] = 1; emitted = 0 }
    /^upstream / { emitted = 0 }
    $1 == "server" && ($2 in isgroup) {
      if (!emitted) {
        params = $0; sub(/^[ \t]*server[ \t]+[^ \t;]+/, "", params)
        n = split(tg, t, " ")
        for (i = 1; i <= n; i++) print "    server " t[i] params
        emitted = 1; replaced++
      }
      next
    }
    $1 == "server" && ps != "" && $2 ~ "^" ps "(;|$)" { sub(ps, ts); replaced++ }
    $1 == "listen" { sub(/listen[ \t]+[^;]+;/, "listen " listen ";") ; listened++ }
    { gsub("/var/log/nginx/", logs); print }
    END { if (!replaced || !listened) { print "render: nothing replaced in " FILENAME > "/dev/stderr"; exit 1 } }
  ' "$file"
}

# The paths nginx sends to the primary must include every path a replica will not serve
# (PRIMARY_PATHS in src/web/replica.rs): one missing would send visitors a redirect to the
# primary's internal address.
routed=$(sed -n 's/^ *~^\/(\([^)]*\)).*/\1/p' "$repo/deploy/nginx/disan.conf" | tr '|' '\n')
if [ -f "$repo/src/web/replica.rs" ]; then
  for path in $(sed -n '/PRIMARY_PATHS: /,/];/p' "$repo/src/web/replica.rs" | sed -n 's/^ *"\/\([^"]*\)",.*/\1/p'); do
    grep -qx "$path" <<< "$routed" || {
      echo "nginx.conf.sh: /$path is a primary's path in src/web/replica.rs but deploy/nginx/disan.conf sends it to the replicas" >&2
      exit 1
    }
  done
fi

disan=$(render "$repo/deploy/nginx/disan.conf" "10.0.0.11:8080 10.0.0.12:8080 10.0.0.13:8080" \
  "$replicas" "10.0.0.10:8080" "$primary" "$disan_listen")
garage=$(render "$repo/deploy/nginx/garage-s3.conf" "10.0.0.31:3900 10.0.0.32:3900 10.0.0.33:3900" \
  "$s3_nodes" "" "" "$s3_listen")
# Any production address left would send test traffic somewhere real.
if grep -v '^[[:space:]]*#' <<< "$disan$garage" | grep -n '10\.0\.0\.' >&2; then
  echo "nginx.conf.sh: production addresses left in the rendered configuration (above)" >&2
  exit 1
fi

# As root, nginx's workers would run as `nobody` and could not write the request bodies they
# buffer into a work folder only root may enter.
user=""
[ "$(id -u)" -eq 0 ] && user="user root root;"

cat > "$out" <<NGINX
# Rendered by tests/cluster/nginx.conf.sh from deploy/nginx/ — do not edit.
$user
worker_processes 2;
daemon off;
pid $work/nginx.pid;
error_log $work/nginx-error.log warn;

events {
    worker_connections 4096;
}

http {
    client_body_temp_path $work/nginx-tmp/body;
    proxy_temp_path $work/nginx-tmp/proxy;
    fastcgi_temp_path $work/nginx-tmp/fastcgi;
    uwsgi_temp_path $work/nginx-tmp/uwsgi;
    scgi_temp_path $work/nginx-tmp/scgi;
    access_log off;
    types_hash_max_size 2048;

# ---- deploy/nginx/disan.conf
$disan

# ---- deploy/nginx/garage-s3.conf
$garage
}
NGINX
mkdir -p "$work/nginx-tmp"
