# Sourced by .ci/run: install (if needed) and start a throwaway PostgreSQL server on
# 127.0.0.1, then export SIMULATOR_TEST_PG_URL for the store tests.
set -euo pipefail
if ! ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1; then
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq postgresql >/dev/null
fi
PG_BIN=$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -n 1)
PG_PORT=${PG_PORT:-54329}
PG_DIR=$(mktemp -d /tmp/simulator-pg.XXXXXX)
chown postgres:postgres "$PG_DIR"
su postgres -s /bin/sh -c "$PG_BIN/initdb -D $PG_DIR/data -A trust -U postgres -E UTF8 --locale=C.UTF-8 >/dev/null"
su postgres -s /bin/sh -c "$PG_BIN/pg_ctl -D $PG_DIR/data -l $PG_DIR/log -w -o '-p $PG_PORT -k $PG_DIR -c listen_addresses=127.0.0.1 -c fsync=off' start >/dev/null"
export SIMULATOR_TEST_PG_URL="postgresql://postgres@127.0.0.1:$PG_PORT/postgres"
trap 'su postgres -s /bin/sh -c "$PG_BIN/pg_ctl -D $PG_DIR/data -m fast stop >/dev/null" || true' EXIT
echo "PostgreSQL started on 127.0.0.1:$PG_PORT"
