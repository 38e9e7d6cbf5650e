#!/bin/sh
# shellcheck shell=sh
# Runs once, on the first start of the MySQL container (docker-compose.yml mounts it into
# /docker-entrypoint-initdb.d after init.sql): one user per service, with the password from
# MYSQL_<SERVICE>_PASSWORD (npm run compose:env writes them), granted on its own database only.
# The migrate job uses the same users, so each creates its own tables.
#
# mysql_native_password: MySQL 8.4 turns it on with --mysql-native-password=ON (see compose); the
# mariadb driver then needs no RSA key exchange on the internal network.
# Outside the image's entrypoint (tests/ops boots the compose definitions on MariaDB), SQL goes to
# $MYSQL_CLIENT (a mysql/mariadb command line), and the plugin clause is left to the server's default.
# The image's entrypoint *sources* a non-executable .sh (so docker_process_sql is at hand): no `set`
# here, since options would leak into the entrypoint; failures exit explicitly.

sql() {
  if command -v docker_process_sql >/dev/null 2>&1; then docker_process_sql; else ${MYSQL_CLIENT:?MYSQL_CLIENT names the client outside the MySQL image}; fi
}
plugin=""
if command -v docker_process_sql >/dev/null 2>&1; then plugin="WITH mysql_native_password"; fi

for service in auth users admin patients visits clinic audit; do
  var="MYSQL_$(echo "$service" | tr '[:lower:]' '[:upper:]')_PASSWORD"
  password=$(eval "printf '%s' \"\${$var:-}\"")
  if [ -z "$password" ]; then echo "users.sh: $var is not set" >&2; exit 1; fi
  # compose:env makes URL-safe passwords; a quote would end the SQL string
  case "$password" in *"'"*|*'\'*) echo "users.sh: $var must not contain quotes or backslashes" >&2; exit 1 ;; esac
  sql <<SQL || { echo "users.sh: creating the $service user failed" >&2; exit 1; }
CREATE USER IF NOT EXISTS '$service'@'%' IDENTIFIED $plugin BY '$password';
GRANT ALL PRIVILEGES ON \`clinicult_$service\`.* TO '$service'@'%';
SQL
done
echo "FLUSH PRIVILEGES;" | sql || exit 1
