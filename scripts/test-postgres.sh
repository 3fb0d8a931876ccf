#!/usr/bin/env bash
# Runs `npm test` against a throwaway PostgreSQL cluster: initdb into a temp dir, trust auth, fsync off,
# listening on 127.0.0.1 at a free port, stopped and deleted on exit. Extra arguments go to `npm test`
# (e.g. `npm run test:postgres -- src/store/store.test.ts`).
# Needs PostgreSQL's server binaries (Debian: `apt-get install postgresql`). As root the cluster runs as
# the `postgres` user; otherwise as the current user.
set -euo pipefail
cd "$(dirname "$0")/.."

initdb=$(ls -d /usr/lib/postgresql/*/bin/initdb 2>/dev/null | sort -V | tail -n 1 || true)
if [[ -z "$initdb" ]]; then
  echo "test-postgres: no /usr/lib/postgresql/*/bin/initdb; install PostgreSQL (apt-get install postgresql)" >&2
  exit 2
fi
bin=$(dirname "$initdb")

if [[ $(id -u) -eq 0 ]]; then
  as_pg() { runuser -u postgres -- "$@"; }
  owner=postgres
else
  as_pg() { "$@"; }
  owner=$(id -un)
fi

tmp=$(mktemp -d "${TMPDIR:-/tmp}/verity-pg.XXXXXX")
chmod 755 "$tmp"
data="$tmp/data"
sock="$tmp/sock"
install -d -o "$owner" -m 700 "$data"
install -d -o "$owner" -m 755 "$sock"

started=
child=
cleanup() {
  local rc=$?
  trap - EXIT INT TERM
  # npm runs in its own process group (set -m below): stop all of it, tsc and the test processes included.
  if [[ -n "$child" ]]; then kill -TERM -- "-$child" 2>/dev/null || true; wait "$child" 2>/dev/null || true; fi
  if [[ -n "$started" ]]; then as_pg "$bin/pg_ctl" -D "$data" -m immediate -w stop >/dev/null 2>&1 || true; fi
  rm -rf "$tmp"
  exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

free_port() {
  node -e 'const s=require("net").createServer();s.listen(0,"127.0.0.1",()=>{console.log(s.address().port);s.close()})'
}

as_pg "$bin/initdb" -D "$data" -A trust -U postgres -E UTF8 --locale=C.UTF-8 >"$tmp/initdb.log" 2>&1 \
  || { cat "$tmp/initdb.log" >&2; exit 1; }

# The port is free when picked; another process could take it before the server binds, so try a few.
for attempt in 1 2 3 4 5; do
  port=$(free_port)
  if as_pg "$bin/pg_ctl" -D "$data" -l "$data/server.log" -w -t 30 \
    -o "-p $port -k $sock -c listen_addresses=127.0.0.1 -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=200" \
    start >/dev/null; then
    started=1
    break
  fi
  [[ $attempt -eq 5 ]] && { cat "$data/server.log" >&2; exit 1; }
done

export DATABASE_URL="postgres://postgres@127.0.0.1:$port/postgres"
echo "== npm test on PostgreSQL $("$bin/postgres" --version | awk '{print $3}') (DATABASE_URL=$DATABASE_URL)"
set -m
npm test -- "$@" &
child=$!
set +m
set +e
wait "$child"
rc=$?
set -e
child=
exit "$rc"
