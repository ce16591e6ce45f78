#!/usr/bin/env python3
"""A real Horizon with the FLOCX dashboard, in its own virtualenv, on loopback.

Horizon pins its own Django and client libraries, so it never goes into the
FLOCX services' environment: it gets a virtualenv of its own under DIR
(default $FLOCX_HORIZON_DIR or <repo>/.venv-horizon), which sees this
checkout's dashboard/ and client/ distributions (flocx_dashboard, flocxclient)
through a .pth file (like ``pip install -e``
without dependencies)::

    python tools/horizon/hzlocal.py install               # venv + horizon + playwright (~40 s)
    python tools/horizon/hzlocal.py start --keystone-url http://127.0.0.1:PORT/v3 [--port N]
    python tools/horizon/hzlocal.py status
    python tools/horizon/hzlocal.py stop

``start`` (re)writes local_settings.py and the enabled files, runs
collectstatic and ``compress`` when anything they depend on changed (Horizon
answers 500 everywhere when the offline manifest is stale), then serves with
Django's threaded server (no autoreload; --insecure serves /static with
DEBUG off) in its own session, and prints the URL. Only the standard library
is used here so any Python 3 can run it; tests import it by path.

Chromium is a system package: apt-get install -y chromium chromium-driver
fonts-dejavu-core. Playwright drives it with executable_path; there is no
``playwright install``.
"""
import argparse
import hashlib
import json
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
HERE = Path(__file__).resolve().parent
DEFAULT_DIR = Path(os.environ.get('FLOCX_HORIZON_DIR', REPO / '.venv-horizon'))
REQUIREMENTS = REPO / 'dashboard-requirements.txt'
# The dashboard and client distributions' source folders (dashboard/,
# client/): the panel imports flocxclient.
DIST_DIRS = (REPO / 'dashboard', REPO / 'client')
ENABLED_SRC = REPO / 'dashboard' / 'flocx_dashboard' / 'enabled'
HOST = '127.0.0.1'
CHROMIUM = os.environ.get('FLOCX_CHROMIUM', '/usr/bin/chromium')
# What headless Debian Chromium needs in a container (see HORIZON.md).
CHROMIUM_ARGS = ['--headless', '--no-sandbox', '--disable-gpu',
                 '--disable-quic', '--no-first-run',
                 '--disable-background-networking',
                 '--disable-component-update', '--disable-sync',
                 '--disable-dev-shm-usage']
READY_TIMEOUT = 90


class Horizon:
    def __init__(self, directory=DEFAULT_DIR):
        self.dir = Path(directory).resolve()

    venv = property(lambda self: self.dir / 'horizon-venv')
    python = property(lambda self: self.venv / 'bin' / 'python')
    static_root = property(lambda self: self.dir / 'static')
    log_dir = property(lambda self: self.dir / 'logs')
    pid_file = property(lambda self: self.dir / 'horizon.pid')
    state_file = property(lambda self: self.dir / 'state.json')

    def site_packages(self):
        out = subprocess.run(
            [str(self.python), '-c',
             'import sysconfig; print(sysconfig.get_paths()["purelib"])'],
            check=True, capture_output=True, text=True)
        return Path(out.stdout.strip())

    def dashboard_dir(self):
        return self.site_packages() / 'openstack_dashboard'

    def installed(self):
        """True when the venv can import Horizon, Playwright, pytest and
        flocx_dashboard."""
        if not self.python.exists():
            return False
        probe = subprocess.run(
            [str(self.python), '-c',
             'import openstack_dashboard, playwright, pytest, flocx_dashboard, '
             'flocxclient'],
            check=False, capture_output=True)
        return probe.returncode == 0

    # Installation.
    def install(self, upgrade=False):
        t0 = time.monotonic()
        self.dir.mkdir(parents=True, exist_ok=True)
        if not self.python.exists():
            base = getattr(sys, '_base_executable', sys.executable)
            _run([base, '-m', 'venv', str(self.venv)])
            _run([str(self.python), '-m', 'pip', 'install', '-q', '-U',
                  'pip'])
        _run([str(self.python), '-m', 'pip', 'install', '-q',
              *(['-U'] if upgrade else []), '-r', str(REQUIREMENTS)])
        # This checkout's flocx_dashboard and flocxclient, as `pip install
        # -e dashboard client` would put them on the path (their own
        # dependencies, keystoneauth1 and Horizon, are Horizon's).
        (self.site_packages() / 'flocx-dashboard-dev.pth').write_text(
            ''.join(f'{path}\n' for path in DIST_DIRS))
        print(f'installed Horizon in {self.venv} in '
              f'{time.monotonic() - t0:.1f} s', file=sys.stderr)

    def configure(self, force=False, market_default_panel=True):
        """local_settings + enabled files; collectstatic + compress if stale.

        ``market_default_panel``: also install the optional enabled file that
        makes Marketplace > Market the Project dashboard's default panel (a
        local cloud has no Nova for the stock Overview).
        """
        local = self.dashboard_dir() / 'local'
        settings = (f'_HZ_DIR = {str(self.dir)!r}\n'
                    + (HERE / 'local_settings.py').read_text())
        _write_if_changed(local / 'local_settings.py', settings)
        enabled = local / 'enabled'
        sources = list(ENABLED_SRC.glob('_6*.py'))
        if market_default_panel:
            sources += list((ENABLED_SRC / 'optional').glob('_6*.py'))
        wanted = {p.name: p for p in sources}
        for old in enabled.glob('_6*_flocx_*.py'):
            if old.name not in wanted:
                old.unlink()
        for name, source in sorted(wanted.items()):
            _write_if_changed(enabled / name, source.read_text())
        stamp = self.dir / 'static.stamp'
        digest = self._static_digest(local)
        if force or not stamp.exists() or stamp.read_text() != digest:
            t0 = time.monotonic()
            env = self.env()
            admin = str(self.venv / 'bin' / 'django-admin')
            _run([admin, 'collectstatic', '--noinput', '-v0'], env=env)
            _run([admin, 'compress', '--force'], env=env,
                 stdout=subprocess.DEVNULL)
            stamp.write_text(digest)
            print(f'collectstatic + compress: {time.monotonic() - t0:.1f} s',
                  file=sys.stderr)

    def _static_digest(self, local):
        h = hashlib.sha256()
        sources = [local / 'local_settings.py',
                   *sorted((local / 'enabled').glob('*.py')),
                   *sorted(p for dist in DIST_DIRS for p in dist.rglob('*')
                           if p.is_file() and '__pycache__' not in p.parts
                           and p.suffix in ('.py', '.html', '.css', '.js'))]
        for path in sources:
            h.update(str(path).encode())
            h.update(path.read_bytes())
        h.update(str(self.python.resolve()).encode())
        return h.hexdigest()

    def env(self, keystone_url=None):
        env = dict(os.environ,
                   DJANGO_SETTINGS_MODULE='openstack_dashboard.settings',
                   PYTHONWARNINGS='ignore', HZ_DIR=str(self.dir),
                   HZ_STATIC_ROOT=str(self.static_root))
        if keystone_url:
            env['HZ_KEYSTONE_URL'] = keystone_url
        # The services' venv must not leak into Horizon's.
        env.pop('PYTHONPATH', None)
        env.pop('VIRTUAL_ENV', None)
        return env

    # Serving.
    def running_pid(self):
        try:
            pid = int(self.pid_file.read_text())
            cmdline = Path(f'/proc/{pid}/cmdline').read_bytes()
        except (OSError, ValueError):
            return None
        # Never signal a recycled pid: the server's command line names us.
        return pid if str(self.venv).encode() in cmdline else None

    def url(self):
        if not self.state_file.exists():
            return None
        return json.loads(self.state_file.read_text()).get('url')

    def start(self, keystone_url, port=None, timeout=READY_TIMEOUT,
              market_default_panel=True):
        if self.running_pid():
            raise RuntimeError(f'Horizon already runs from {self.dir} '
                               f'({self.url()}); stop it first')
        t0 = time.monotonic()
        self.configure(market_default_panel=market_default_panel)
        port = port or free_port()
        self.log_dir.mkdir(parents=True, exist_ok=True)
        with open(self.log_dir / 'horizon.log', 'ab') as log:
            proc = subprocess.Popen(
                [str(self.venv / 'bin' / 'django-admin'), 'runserver',
                 '--insecure', '--noreload', f'{HOST}:{port}'],
                stdin=subprocess.DEVNULL, stdout=log,
                stderr=subprocess.STDOUT, env=self.env(keystone_url),
                start_new_session=True, cwd=str(self.dir))
        self.pid_file.write_text(str(proc.pid))
        url = f'http://{HOST}:{port}'
        self.state_file.write_text(json.dumps(
            {'url': url, 'pid': proc.pid, 'keystone_url': keystone_url}))
        deadline = time.monotonic() + timeout
        while not _answers(url + '/auth/login/'):
            if proc.poll() is not None or time.monotonic() > deadline:
                self.stop()
                raise RuntimeError(
                    f'Horizon did not start; see {self.log_dir}/horizon.log:'
                    '\n' + _tail(self.log_dir / 'horizon.log'))
            time.sleep(0.1)
        print(f'Horizon on {url} in {time.monotonic() - t0:.1f} s',
              file=sys.stderr)
        return url

    def stop(self, timeout=10):
        pid = self.running_pid()
        if pid:
            _killpg(pid, signal.SIGTERM)
            deadline = time.monotonic() + timeout
            while _group_alive(pid) and time.monotonic() < deadline:
                time.sleep(0.1)
            if _group_alive(pid):
                _killpg(pid, signal.SIGKILL)
        self.pid_file.unlink(missing_ok=True)
        self.state_file.unlink(missing_ok=True)


def chromium_available(path=CHROMIUM):
    return os.access(path, os.X_OK)


def free_port(host=HOST):
    with socket.socket() as s:
        s.bind((host, 0))
        return s.getsockname()[1]


def _run(argv, **kwargs):
    subprocess.run(argv, check=True, stdin=subprocess.DEVNULL, **kwargs)


def _write_if_changed(path, text):
    path = Path(path)
    if not path.exists() or path.read_text() != text:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)


def _answers(url):
    try:
        with urllib.request.urlopen(url, timeout=5):
            return True
    except urllib.error.HTTPError as e:
        return e.code < 500
    except OSError:
        return False


def _killpg(pid, sig):
    try:
        os.killpg(pid, sig)
    except ProcessLookupError:
        pass


def _group_alive(pid):
    try:
        os.waitpid(pid, os.WNOHANG)
    except ChildProcessError:
        pass
    try:
        os.killpg(pid, 0)
    except ProcessLookupError:
        return False
    return True


def _tail(path, lines=40):
    try:
        return '\n'.join(Path(path).read_text(errors='replace')
                         .splitlines()[-lines:])
    except OSError:
        return ''


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    parser.add_argument('command', choices=('install', 'configure', 'start',
                                            'stop', 'status'))
    parser.add_argument('--dir', default=str(DEFAULT_DIR),
                        help='where the venv, static files and logs go '
                             '(default: %(default)s)')
    parser.add_argument('--keystone-url',
                        default=os.environ.get('HZ_KEYSTONE_URL'),
                        help='e.g. http://127.0.0.1:PORT/v3 '
                             '(default: $HZ_KEYSTONE_URL)')
    parser.add_argument('--port', type=int)
    parser.add_argument('--upgrade', action='store_true')
    parser.add_argument('--stock-default-panel', action='store_true',
                        help='keep Project > Overview as the default panel '
                             '(needs Nova)')
    args = parser.parse_args(argv)
    hz = Horizon(args.dir)
    if args.command == 'install':
        hz.install(upgrade=args.upgrade)
        hz.configure(force=True,
                     market_default_panel=not args.stock_default_panel)
    elif args.command == 'configure':
        hz.configure(force=True,
                     market_default_panel=not args.stock_default_panel)
    elif args.command == 'start':
        if not args.keystone_url:
            parser.error('start needs --keystone-url or $HZ_KEYSTONE_URL')
        if not hz.installed():
            parser.error(f'Horizon is not installed in {hz.venv}: run '
                         'install first')
        print(hz.start(args.keystone_url, args.port,
                       market_default_panel=not args.stock_default_panel))
    elif args.command == 'stop':
        hz.stop()
    else:
        pid = hz.running_pid()
        print(json.dumps({'pid': pid, 'url': hz.url() if pid else None,
                          'installed': hz.installed(),
                          'chromium': chromium_available()}, indent=1))
        return 0 if pid else 3
    return 0


if __name__ == '__main__':
    sys.exit(main())
