#!/usr/bin/env bash
# Bring up a whole FLOCX on loopback (real Keystone and Ironic, the market,
# auction and provider services) and run a demo market:
#
#   tools/flocx-local.sh up        (the default)
#   tools/flocx-local.sh status | demo | down
#
# Installs what it needs into .venv-flocx on first use (FLOCX_VENV to change;
# not .venv, which tox may claim as a pointer file).
set -euo pipefail
cd "$(dirname "$0")/.."

venv="${FLOCX_VENV:-.venv-flocx}"
stamp="$venv/.flocx-installed"
if [ ! -f "$stamp" ] || [ requirements.txt -nt "$stamp" ] || \
   [ functional-requirements.txt -nt "$stamp" ] || [ setup.cfg -nt "$stamp" ]; then
  echo "[flocx-local] installing FLOCX, Keystone and Ironic into $venv (first run: about a minute)"
  python3 -m venv "$venv"
  "$venv/bin/pip" install -q -U pip
  "$venv/bin/pip" install -q -r requirements.txt -r functional-requirements.txt
  "$venv/bin/pip" install -q -e . -e ./client
  touch "$stamp"
fi
export PYTHONWARNINGS=ignore
exec "$venv/bin/flocx-local" "${@:-up}"
