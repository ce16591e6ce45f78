#!/usr/bin/env bash
# Prints what the machine's own servers hold that a test could leave
# behind: PostgreSQL's and MariaDB's databases, RabbitMQ's vhosts and the
# queues in each; one sorted line each. (Not Redis: its keys expire by
# themselves, and a test's coordination keys live under its own namespace.) .ci/run diffs
# this before and after the tests (which must use private servers only).
# A server that does not answer prints "not running".
set -uo pipefail

pg() {
  psql -h 127.0.0.1 -p 5432 -U postgres -tAc \
    'SELECT datname FROM pg_database ORDER BY 1' 2>/dev/null
}
maria() {
  { mariadb -h 127.0.0.1 -P 3306 -u root -N -e 'SHOW DATABASES' 2>/dev/null ||
    mysql -h 127.0.0.1 -P 3306 -u root -N -e 'SHOW DATABASES' 2>/dev/null; } | sort
}
rabbit() {
  local vhosts vhost
  vhosts=$(rabbitmqctl -q list_vhosts --no-table-headers name 2>/dev/null) || return 1
  for vhost in $vhosts; do
    echo "vhost $vhost"
    rabbitmqctl -q list_queues -p "$vhost" --no-table-headers name 2>/dev/null |
      sed "s|^|queue $vhost |"
  done | sort
}

for server in pg maria rabbit; do
  out=$("$server") && [ -n "$out" ] || out="not running"
  while IFS= read -r line; do echo "$server: $line"; done <<<"$out"
done
