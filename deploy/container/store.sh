#!/usr/bin/env bash
# Runs one store of the agent platform in the foreground, for a platform
# spread over hosts or containers (the embedded default uses `cast env`):
#   store.sh postgres|redis|clickhouse ADDRESS PORT DATA_DIR
# PostgreSQL: database `cast`, superuser `cast`, trust auth (a test store on
# the run's own private network); Redis without persistence; ClickHouse
# 18.16 with its HTTP port on PORT and the native port on PORT+1.
# exec's the server, so signals go straight to it.
set -euo pipefail
kind=${1:?postgres|redis|clickhouse}
address=${2:?address to listen on}
port=${3:?port}
data=${4:?data folder}
mkdir -p "$data"

postgres() {
  local bin=/usr/lib/postgresql/15/bin
  local as=()
  # PostgreSQL refuses root: run it as the package's system user.
  if [[ $(id -u) -eq 0 ]]; then
    chown postgres:postgres "$data"
    as=(setpriv --reuid=postgres --regid=postgres --init-groups)
  fi
  if [[ ! -f $data/PG_VERSION ]]; then
    "${as[@]}" "$bin/initdb" -D "$data" -U cast -A trust -E UTF8 --locale=C --no-sync >/dev/null
    echo "host all all 0.0.0.0/0 trust" >>"$data/pg_hba.conf"
    # Created at first start by a single-user backend: no client needed.
    echo 'CREATE DATABASE "cast"' | "${as[@]}" "$bin/postgres" --single -D "$data" postgres >/dev/null
  fi
  exec "${as[@]}" "$bin/postgres" -D "$data" -p "$port" -c "listen_addresses=$address" \
    -c "unix_socket_directories=$data" -c fsync=off -c synchronous_commit=off -c full_page_writes=off \
    -c max_connections=300 -c dynamic_shared_memory_type=mmap
}

redis() {
  exec redis-server --bind "$address" --port "$port" --protected-mode no --save '' --appendonly no --dir "$data"
}

clickhouse() {
  cat >"$data/users.xml" <<USERS
<?xml version="1.0"?>
<yandex>
  <profiles><default></default></profiles>
  <users><default><password></password><networks><ip>::/0</ip><ip>0.0.0.0/0</ip></networks>
    <profile>default</profile><quota>default</quota></default></users>
  <quotas><default></default></quotas>
</yandex>
USERS
  cat >"$data/config.xml" <<CONFIG
<?xml version="1.0"?>
<yandex>
  <logger><level>warning</level><console>1</console></logger>
  <http_port>$port</http_port>
  <tcp_port>$((port + 1))</tcp_port>
  <listen_host>$address</listen_host>
  <path>$data/data/</path>
  <tmp_path>$data/tmp/</tmp_path>
  <user_files_path>$data/user_files/</user_files_path>
  <format_schema_path>$data/format_schemas/</format_schema_path>
  <users_config>$data/users.xml</users_config>
  <default_profile>default</default_profile>
  <default_database>default</default_database>
  <mark_cache_size>268435456</mark_cache_size>
  <mlock_executable>false</mlock_executable>
</yandex>
CONFIG
  exec /usr/sbin/clickhouse-server --config-file="$data/config.xml"
}

case $kind in
  postgres | redis | clickhouse) "$kind" ;;
  *) echo "store.sh: unknown store '$kind' (postgres, redis, clickhouse)" >&2; exit 2 ;;
esac
