#!/usr/bin/env bash
# Installs (Debian's postgresql), starts the local cluster, and makes the role and database the
# PostgreSQL half of `npm test` uses (TEST_DATABASE_URL's default:
# postgres://groundtruth:groundtruth@127.0.0.1:5432/groundtruth_test). Idempotent; run as root.
# Exits non-zero when PostgreSQL cannot be had: .ci/run (CI=true) stops there, never skips.
set -euo pipefail
export DEBIAN_FRONTEND=noninteractive

if ! command -v pg_lsclusters >/dev/null 2>&1 || [ -z "$(pg_lsclusters -h 2>/dev/null)" ]; then
  echo "== installing postgresql (apt)"
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends postgresql >/dev/null
fi

read -r version cluster port status _ < <(pg_lsclusters -h | head -n1)
if [ "$status" != "online" ]; then
  echo "== starting PostgreSQL $version/$cluster"
  pg_ctlcluster "$version" "$cluster" start
fi
for _ in $(seq 1 30); do
  pg_isready -q -h 127.0.0.1 -p "$port" && break
  sleep 1
done
pg_isready -h 127.0.0.1 -p "$port"

as_postgres() { runuser -u postgres -- "$@"; }
as_postgres psql -q -v ON_ERROR_STOP=1 -p "$port" <<'SQL'
do $$ begin
  if not exists (select from pg_roles where rolname = 'groundtruth') then
    create role groundtruth login createdb password 'groundtruth';
  end if;
end $$;
SQL
if ! as_postgres psql -p "$port" -Atc "select 1 from pg_database where datname = 'groundtruth_test'" | grep -q 1; then
  as_postgres createdb -p "$port" -O groundtruth -T template0 -E UTF8 --lc-collate=C --lc-ctype=C groundtruth_test
fi
PGPASSWORD=groundtruth psql -h 127.0.0.1 -p "$port" -U groundtruth -d groundtruth_test -Atc 'select 1' >/dev/null
echo "== PostgreSQL $version ready on 127.0.0.1:$port (role groundtruth, database groundtruth_test)"
