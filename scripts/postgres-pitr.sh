#!/usr/bin/env bash
# Point-in-time recovery of PostgreSQL, the procedure of README's "Backups and restores" played on a
# throwaway cluster (scripts/postgres.sh, durable, TLS on, archiving its WAL):
#
#   scripts/postgres-pitr.sh start ROOT PORT       # the cluster in ROOT, WAL archived to ROOT/wal-archive; prints its URL
#   scripts/postgres-pitr.sh base-backup ROOT PORT # pg_basebackup into ROOT/base-backup, without WAL: the archive holds it
#   scripts/postgres-pitr.sh mark ROOT PORT        # prints the WAL position now (an LSN) and closes its segment so it is archived
#   scripts/postgres-pitr.sh recover ROOT PORT LSN # the data directory lost: the base backup put in its place, the archive
#                                                  # replayed up to LSN, the cluster promoted; prints its URL
#   scripts/postgres-pitr.sh stop ROOT PORT
#
# After `recover`, `doorstep-server restore --database URL` starts the new epoch (README).
set -euo pipefail
cd "$(dirname "$0")/.."
command=${1:-}
root=${2:?usage: scripts/postgres-pitr.sh start|base-backup|mark|recover|stop ROOT PORT [LSN]}
port=${3:?the cluster\'s port}
archive="$root/wal-archive"
base="$root/base-backup"
data="$root/data"
bin=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | head -1)
as_owner() { if [[ $(id -u) -eq 0 ]]; then runuser -u postgres -- "$@"; else "$@"; fi; }
cluster() { DOORSTEP_PG_DIR=$root DOORSTEP_PG_PORT=$port DOORSTEP_PG_FSYNC=on DOORSTEP_PG_ARCHIVE=$archive scripts/postgres.sh "$@"; }
psql() { "$bin/psql" -h 127.0.0.1 -p "$port" -U postgres -d doorstep -v ON_ERROR_STOP=1 -qtA "$@"; }

case $command in
  start) cluster start ;;
  base-backup)
    as_owner rm -rf "$base"
    # Over the Unix socket, as the cluster's owner: no replication entry in pg_hba.conf needed.
    as_owner "$bin/pg_basebackup" -h "$root" -p "$port" -U postgres -D "$base" -X none -c fast >/dev/null
    echo "base backup in $base"
    ;;
  mark)
    lsn=$(psql -c "SELECT pg_current_wal_lsn()")
    psql -c "SELECT pg_switch_wal()" >/dev/null
    # The segment holding the mark must be in the archive before the disk can be lost.
    segment=$(psql -c "SELECT pg_walfile_name('$lsn')")
    for _ in $(seq 300); do
      [[ -f $archive/$segment ]] && break
      sleep 0.1
    done
    [[ -f $archive/$segment ]] || { echo "postgres-pitr: segment $segment never reached $archive" >&2; exit 1; }
    echo "$lsn"
    ;;
  recover)
    lsn=${4:?the LSN to recover to}
    [[ -s $base/PG_VERSION ]] || { echo "postgres-pitr: no base backup in $base" >&2; exit 1; }
    cluster stop
    as_owner rm -rf "$data"
    as_owner cp -a "$base" "$data"
    as_owner touch "$data/recovery.signal"
    printf "restore_command = 'cp %s/%%f %%p'\nrecovery_target_lsn = '%s'\nrecovery_target_inclusive = on\nrecovery_target_action = 'promote'\n" \
      "$archive" "$lsn" | as_owner tee -a "$data/postgresql.auto.conf" >/dev/null
    url=$(cluster start)
    for _ in $(seq 600); do
      [[ $(psql -c "SELECT pg_is_in_recovery()") == f ]] && break
      sleep 0.1
    done
    [[ $(psql -c "SELECT pg_is_in_recovery()") == f ]] || { echo "postgres-pitr: still recovering after 60 s" >&2; tail -n 20 "$root/server.log" >&2; exit 1; }
    # The recovery settings served once: a later restart must not replay again.
    as_owner sed -i '/^restore_command\|^recovery_target/d' "$data/postgresql.auto.conf"
    echo "$url"
    ;;
  stop) cluster stop ;;
  *) echo "usage: scripts/postgres-pitr.sh start|base-backup|mark|recover|stop ROOT PORT [LSN]" >&2; exit 2 ;;
esac
