#!/usr/bin/env bash
# A throwaway PostgreSQL 15 cluster (Debian's postgresql-15) for
# compare_bench: initdb in DIR/pg, listening on 127.0.0.1:PORT only (and
# a Unix socket in DIR), trust authentication for the `postgres` user,
# fsync = on and synchronous_commit = on. As root the cluster belongs to
# the postgres user the package created (PostgreSQL refuses to run as
# root), and DIR is handed to it.
#
#   bash bench/pg_cluster.sh start DIR PORT
#   bash bench/pg_cluster.sh stop DIR
set -euo pipefail

pgbin=/usr/lib/postgresql/15/bin
cmd="${1:?start or stop}"
work="${2:?a directory}"
as_pg=()
if [[ $(id -u) -eq 0 ]]; then as_pg=(runuser -u postgres --); fi

case "$cmd" in
  start)
    port="${3:?a port}"
    if [[ $(id -u) -eq 0 ]]; then chown postgres: "$work"; fi
    "${as_pg[@]}" "$pgbin/initdb" -D "$work/pg" -U postgres --auth=trust \
      -E UTF8 --no-instructions >&2
    "${as_pg[@]}" "$pgbin/pg_ctl" -D "$work/pg" -l "$work/pg.log" -w \
      -o "-p $port -k $work -c listen_addresses=127.0.0.1 -c fsync=on \
-c synchronous_commit=on -c max_connections=200" start >&2
    ;;
  stop)
    if [[ -d "$work/pg" ]]; then
      "${as_pg[@]}" "$pgbin/pg_ctl" -D "$work/pg" -m fast -w stop >&2 || true
    fi
    ;;
  *)
    echo "usage: $0 start DIR PORT | stop DIR" >&2
    exit 2
    ;;
esac
