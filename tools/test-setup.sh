#!/usr/bin/env bash
# Installs what the test suite needs, then runs it: the README's test
# command and .ci/run both call this script, so the two cannot differ.
#
#   tools/test-setup.sh              install what is missing, run every suite
#   tools/test-setup.sh --install    only install
#   tools/test-setup.sh -- ARGS      install, then run "tox ARGS" instead
#
# System packages (Debian/Ubuntu, with apt-get; only those missing, through
# sudo when not root):
#   postgresql mariadb-server rabbitmq-server redis-server
#       the server binaries: the tests start private instances of their own
#       under a temporary folder (tests/servers.py) and never use, stop or
#       restart the servers these packages may also start on the machine;
#   the shellcheck linter       the devstack plugin's lint test;
#   chromium fonts-dejavu-core  the Horizon panel's browser test;
#   python3-venv                tox's and the local cloud's virtualenvs.
# Python: tox (>= 4) with tox-uv into .venv-tox; tox installs the rest
# (requirements.txt, test- and functional-requirements.txt). tox-uv makes
# each suite's virtualenv with uv: 11 s instead of pip's 45 s, three times
# a run.
set -euo pipefail
cd "$(dirname "$0")/.."

say() { echo "[test-setup] $*"; }

install_only=
case "${1:-}" in
  --install) install_only=1; shift ;;
  --) shift ;;
esac

# Each package with the file that tells it is installed.
missing=()
need() {  # package test-args...
  local package=$1; shift
  "$@" >/dev/null 2>&1 || missing+=("$package")
}
need postgresql bash -c 'ls /usr/lib/postgresql/*/bin/postgres'
need mariadb-server bash -c 'command -v mariadbd && command -v mariadb-install-db'
need rabbitmq-server test -x /usr/lib/rabbitmq/bin/rabbitmq-server
need redis-server command -v redis-server
need shellcheck command -v shellcheck
need chromium test -x /usr/bin/chromium
need fonts-dejavu-core test -d /usr/share/fonts/truetype/dejavu
need python3-venv python3 -c 'import ensurepip, venv'

if [ ${#missing[@]} -gt 0 ]; then
  sudo=()
  [ "$(id -u)" -eq 0 ] || sudo=(sudo)
  say "installing system packages: ${missing[*]}"
  "${sudo[@]}" apt-get update -qq
  "${sudo[@]}" env DEBIAN_FRONTEND=noninteractive \
    apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
else
  say "system packages present: postgresql mariadb-server rabbitmq-server redis-server shellcheck chromium fonts-dejavu-core python3-venv"
fi

tox=.venv-tox/bin/tox
version=$("$tox" --version 2>/dev/null || true)
if ! grep -qE '^4\.' <<<"$version" || ! grep -q 'tox-uv' <<<"$version"; then
  say "installing tox and tox-uv into .venv-tox"
  python3 -m venv .venv-tox
  .venv-tox/bin/pip install -q 'tox>=4' tox-uv
fi

[ -z "$install_only" ] || exit 0
if [ $# -eq 0 ]; then
  # Every suite, one after the other (each runs two pytest workers: on a
  # 2-core machine the four at once starve the private servers).
  set -- -e py3,functional,hardening,pep8
fi
say "running: tox $*"
exec "$tox" "$@"
