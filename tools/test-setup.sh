#!/usr/bin/env bash
# Installs what the test suite needs, then runs it: the README's test
# command and .ci/run both call this script, so the two cannot differ.
#
#   tools/test-setup.sh              install what is missing, run every suite
#   tools/test-setup.sh --install    only install
#   tools/test-setup.sh -- ARGS      install, then run "tox ARGS" instead
#   tools/test-setup.sh --dry-run    install nothing; say which Pythons it
#                                    found and the tox command it would run
#
# The unit tests run on every Python FLOCX supports (setup.cfg's
# classifiers, 3.10 to 3.12): py3 on python3, and a py3XX environment for
# each other one, with its interpreter from pyenv (the newest
# $PYENV_ROOT/versions/3.XX.*) or else python3.XX on PATH. Under CI
# (FLOCX_REQUIRE_SERVICES or CI set) a missing one is an error; elsewhere
# the script says which it skipped.
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

install_only='' dry_run=''
case "${1:-}" in
  --install) install_only=1; shift ;;
  --dry-run) dry_run=1; shift; [ "${1:-}" != -- ] || shift ;;
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

if [ -n "$dry_run" ]; then
  :
elif [ ${#missing[@]} -gt 0 ]; then
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
if [ -n "$dry_run" ]; then
  :
elif ! grep -qE '^4\.' <<<"$version" || ! grep -q 'tox-uv' <<<"$version"; then
  say "installing tox and tox-uv into .venv-tox"
  python3 -m venv .venv-tox
  .venv-tox/bin/pip install -q 'tox>=4' tox-uv
fi

[ -z "$install_only" ] || exit 0

# The supported Pythons other than python3's, each found and linked into
# .tox/pythons (python3.XX only: python3 and the pythons of pyenv's bin
# folders stay out of the way of py3 and the other environments), which
# goes first on PATH, where tox-uv looks for interpreters (not inside
# .venv-tox: uv takes no interpreter from a virtualenv's folder). Running every
# suite, a missing one is skipped, or under CI an error.
every_suite='' required=''
if [ $# -eq 0 ]; then
  every_suite=1
  [ -z "${FLOCX_REQUIRE_SERVICES:-}" ] && [ -z "${CI:-}" ] || required=1
fi
pyenv_versions=${PYENV_ROOT:-$HOME/.pyenv}/versions
minor_of() {  # interpreter -> 3.XX, or nothing if it does not run
  "$1" -c 'import sys; print("%d.%d" % sys.version_info[:2])' 2>/dev/null
}
find_python() {  # 3.XX -> the path of a working interpreter of it
  local version=$1 candidate
  while IFS= read -r candidate; do
    if [ -n "$candidate" ] && [ "$(minor_of "$candidate")" = "$version" ]; then
      echo "$candidate"
      return 0
    fi
  done < <(printf '%s\n' "$pyenv_versions/$version".*/bin/"python$version" \
             | sort -rV
           command -v "python$version" || true)
  return 1
}
supported=$(sed -n 's/^ *Programming Language :: Python :: \(3\.[0-9]*\)$/\1/p' \
  setup.cfg)
python3_version=$(minor_of python3 || true)
pythons=.tox/pythons
[ -n "$dry_run" ] || mkdir -p "$pythons"
unit_envs=(py3)
for version in $supported; do
  [ "$version" != "$python3_version" ] || continue
  env=py${version/./}
  if interpreter=$(find_python "$version"); then
    say "$env: Python $version at $interpreter"
    [ -n "$dry_run" ] || ln -sfn "$interpreter" "$pythons/python$version"
    unit_envs+=("$env")
  elif [ -n "$required" ]; then
    echo "[test-setup] error: no Python $version for $env (the unit tests on" \
      "every supported Python): none in $pyenv_versions, no working" \
      "python$version on PATH" >&2
    exit 1
  else
    say "${every_suite:+skipping }$env: no Python $version (none in" \
      "$pyenv_versions, no working python$version on PATH)"
  fi
done
export PATH="$PWD/$pythons:$PATH"
# uv would otherwise download a Python it does not find.
export UV_PYTHON_DOWNLOADS=never

if [ $# -eq 0 ]; then
  # Every suite, one after the other (each runs several pytest workers: on
  # a 2-core machine the suites at once starve the private servers).
  envs=("${unit_envs[@]}" functional hardening pep8)
  set -- -e "$(IFS=,; echo "${envs[*]}")"
fi
say "running: tox $*"
[ -z "$dry_run" ] || exit 0
exec "$tox" "$@"
