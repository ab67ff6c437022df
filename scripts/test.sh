#!/usr/bin/env bash
# The whole test suite, as `make test` runs it.
#
# With DATABASE_URL set, the suite runs once against that database. Without it (a fresh
# machine), it starts a throwaway PostgreSQL on 127.0.0.1, runs every test there, then runs the
# suite again on the embedded default, SQLite, and fails if any run executed no test or skipped
# one. Extra pytest arguments pass through.
#
# The SQLite run leaves out the PostgreSQL-only tests and the `engine_independent` ones: the
# browser tests (Chromium drives the same pages whatever the engine under them; the SQLite code
# paths they pass through, such as the search fallback, have their own tests in the SQLite run)
# and the tests that start Django in a subprocess with an environment of their own (the
# production steps, the settings and deploy checks), whatever DATABASE_URL says. Every other test
# runs on both engines.
set -euo pipefail
cd "$(dirname "$0")/.."
workers=${WORKERS:-2}
export DJANGO_ALLOW_ASYNC_UNSAFE=true   # the live-server browser tests drive Django from Playwright's loop

.venv/bin/python manage.py makemigrations --check --dry-run

if [ -n "${DATABASE_URL:-}" ]; then
  exec .venv/bin/pytest -n "$workers" "$@"
fi

mkdir -p test-artifacts
rm -f test-artifacts/postgres.xml test-artifacts/sqlite.xml  # never judge a run by an old report
pgdir=$(mktemp -d /tmp/scrutiny-test-pg.XXXXXX)
trap 'scripts/postgres.sh stop "$pgdir"; rm -rf "$pgdir"' EXIT
pg_url=$(scripts/postgres.sh start "$pgdir" | tail -1)
echo "== The whole suite on PostgreSQL ($pg_url)"
DATABASE_URL=$pg_url .venv/bin/pytest -n "$workers" --junitxml=test-artifacts/postgres.xml "$@"
echo "== Again on SQLite, the embedded default (all but the PostgreSQL-only and engine-independent tests)"
DATABASE_URL="sqlite:///$pgdir/unused.sqlite3" .venv/bin/pytest -n "$workers" \
  -m "not postgres and not engine_independent" \
  --junitxml=test-artifacts/sqlite.xml "$@"
.venv/bin/python scripts/check_junit.py test-artifacts/postgres.xml test-artifacts/sqlite.xml
