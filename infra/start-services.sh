#!/usr/bin/env bash
# Starts PostgreSQL and Redis on this machine when they are not running, installing them with
# apt-get where they are missing (Debian), and makes sure the `test` database exists.
# Used by .ci/run; handy on a development machine after a reboot.
set -euo pipefail

apt_install() {
  [ "$(id -u)" = 0 ] || { echo "start-services: $* missing; run as root to install it with apt-get" >&2; exit 1; }
  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$@" >/dev/null
}

if ! command -v pg_ctlcluster >/dev/null 2>&1; then
  apt_install postgresql
  # A fresh Debian cluster uses peer auth on the socket; the tests connect as postgres.
  hba=$(ls /etc/postgresql/*/main/pg_hba.conf | head -n 1)
  sed -i -E 's/^(local\s+all\s+(all|postgres)\s+)peer/\1trust/' "$hba"
fi
if ! pg_isready -q -h 127.0.0.1 -p 5432; then
  pg_ctlcluster --skip-systemctl-redirect "$(ls /etc/postgresql | head -n 1)" main start || true
fi
for _ in $(seq 1 30); do pg_isready -q -h 127.0.0.1 -p 5432 && break; sleep 1; done
pg_isready -h 127.0.0.1 -p 5432
admin="postgres://postgres@/postgres?host=/var/run/postgresql"
if ! psql "$admin" -Atc "SELECT 1 FROM pg_database WHERE datname = 'test'" | grep -q 1; then
  psql "$admin" -qc "CREATE DATABASE test"
fi

if ! command -v redis-server >/dev/null 2>&1; then
  apt_install redis-server
fi
if ! redis-cli -h 127.0.0.1 -p 6379 ping >/dev/null 2>&1; then
  redis-server --daemonize yes --bind 127.0.0.1 --port 6379 --save "" --appendonly no
fi
for _ in $(seq 1 30); do redis-cli -h 127.0.0.1 -p 6379 ping >/dev/null 2>&1 && break; sleep 1; done
redis-cli -h 127.0.0.1 -p 6379 ping
