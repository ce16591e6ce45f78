#!/usr/bin/env bash
# Bring up a whole FLOCX on loopback (real Keystone and Ironic, the market,
# auction and provider services) and run a demo market:
#
#   tools/flocx-local.sh up        (the default)
#   tools/flocx-local.sh up --clouds 2   (a second, member cloud; its demo
#                                         rents cloud 1's node to cloud 2)
#   tools/flocx-local.sh status | demo | down
#
# Installs what it needs into .venv-flocx on first use (FLOCX_VENV to change;
# not .venv, which tox may claim as a pointer file): FLOCX, Keystone, Ironic,
# the openstack client, and the drivers of every --database-url and
# --coordination-url it offers (PostgreSQL, MariaDB/MySQL, Redis). pip's
# output goes to a log file in the virtualenv; a failure prints its error in
# one line and the log's path.
set -euo pipefail
cd "$(dirname "$0")/.."

venv="$(realpath -m "${FLOCX_VENV:-.venv-flocx}")"
stamp="$venv/.flocx-installed"
log="$venv/install.log"

say() { echo "[flocx-local $(date +%H:%M:%S)] $*"; }

# The line of a command's output that says what went wrong: a Python
# exception, else pip's last ERROR line, else the last line.
last_error() {
  local line
  line=$(grep -E '^\s*([A-Za-z_][A-Za-z0-9_]*\.)*[A-Za-z_][A-Za-z0-9_]*(Error|Exception): ' "$1" | tail -n 1 || true)
  [ -n "$line" ] || line=$(grep -E '^(ERROR|error): ' "$1" | tail -n 1 || true)
  [ -n "$line" ] || line=$(grep -v '^\s*$' "$1" | tail -n 1 || true)
  echo "${line#"${line%%[![:space:]]*}"}"
}

step() {
  local what=$1
  shift
  say "$what"
  echo "### $what: $*" >>"$log"
  if ! "$@" >>"$log" 2>&1; then
    say "install failed ($what): $(last_error "$log")"
    say "full log: $log"
    exit 1
  fi
}

if [ ! -f "$stamp" ] || [ requirements.txt -nt "$stamp" ] || \
   [ functional-requirements.txt -nt "$stamp" ] || [ setup.cfg -nt "$stamp" ] || \
   [ client/pyproject.toml -nt "$stamp" ]; then
  started=$SECONDS
  mkdir -p "$venv"
  : >"$log"
  say "Installing FLOCX, Keystone and Ironic into $venv (first run: about a minute; pip's output in $log)"
  step "creating the virtualenv" python3 -m venv "$venv"
  pip=("$venv/bin/python" -m pip --disable-pip-version-check)
  step "upgrading pip" "${pip[@]}" install --progress-bar off -U pip
  step "installing the requirements" "${pip[@]}" install --progress-bar off \
    -r requirements.txt -r functional-requirements.txt
  step "installing FLOCX from $PWD" "${pip[@]}" install --progress-bar off -e . -e ./client
  touch "$stamp"
  say "Installed in $((SECONDS - started)) s"
fi
export PYTHONWARNINGS=ignore
exec "$venv/bin/flocx-local" "${@:-up}"
