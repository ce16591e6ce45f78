"""Private PostgreSQL, MariaDB, RabbitMQ and Redis servers for the tests.

Each server runs from Debian's binaries with its own data directory, port
and log under a temporary folder, started by the test run and stopped by
it (as pytest-postgresql or mirakuru do): the tests never touch a server
of the machine, so a test may stop, restart or kill one (tests/hardening)
and nothing else on the machine notices.

Two kinds of use:

* ``get(name)``: the server of this test process, started the first time a
  test asks for it and stopped at the end of the session by
  ``stop_all()`` (tests/conftest.py). Under pytest-xdist every worker is a
  process of its own and so has its own servers; nothing is shared between
  workers, and a worker's tests run one at a time on its servers.
* ``Server`` subclasses used directly (``with PostgreSQL() as pg``): a
  server for one test alone, for tests that break it.

``inventory()`` lists what a server holds (databases; vhosts and their
queues); ``stop(check=True)`` fails if the tests left anything beyond what
the server held when it was started.

A binary that is not installed skips the test on a developer's machine and
fails it when CI or FLOCX_REQUIRE_SERVICES is set.
"""

import atexit
import contextlib
import glob
import os
import pathlib
import shutil
import signal
import socket
import subprocess
import tempfile
import time

import pytest


def required():
    """Whether a missing server must fail the test instead of skipping."""
    return bool(os.environ.get('CI') or
                os.environ.get('FLOCX_REQUIRE_SERVICES'))


def unavailable(reason):
    if required():
        pytest.fail(f'CI must run this test: {reason}', pytrace=False)
    pytest.skip(reason)


def free_port():
    with socket.socket() as s:
        s.bind(('127.0.0.1', 0))
        return s.getsockname()[1]


def port_open(port, host='127.0.0.1'):
    try:
        socket.create_connection((host, port), timeout=1).close()
        return True
    except OSError:
        return False


class ServerError(RuntimeError):
    pass


class LeftoverError(AssertionError):
    pass


_ROOT = None


def root():
    """This process's folder for its servers (short: socket paths)."""
    global _ROOT
    if _ROOT is None:
        _ROOT = pathlib.Path(tempfile.mkdtemp(prefix='flocx-srv-'))
        # PostgreSQL runs as the postgres user when we are root and must
        # reach its own folder inside.
        _ROOT.chmod(0o711)
    return _ROOT


class Server:
    """One private server process; ``start()``, ``stop()``, ``kill()``."""

    name = None
    stop_signal = signal.SIGTERM
    start_timeout = 60

    def __init__(self):
        self.dir = pathlib.Path(tempfile.mkdtemp(prefix=f'{self.name}-',
                                                 dir=root()))
        self.dir.chmod(0o711)
        self.port = free_port()
        self.proc = None
        self.initialized = False
        self.baseline = None

    # What subclasses say

    def binaries(self):
        """The programs this server needs, for a clear skip message."""
        raise NotImplementedError

    def initialize(self):
        """Once, before the first start: the data directory."""

    def command(self):
        raise NotImplementedError

    def popen_options(self):
        return {}

    def ready(self):
        return port_open(self.port)

    @property
    def url(self):
        raise NotImplementedError

    def inventory(self):
        """What the server holds that a test could leave behind."""
        return set()

    # Life

    def check_installed(self):
        missing = [b for b in self.binaries()
                   if not (os.path.isabs(b) and os.access(b, os.X_OK))
                   and shutil.which(b) is None]
        if missing:
            unavailable(f'{self.name} server binaries not installed: '
                        f'{", ".join(missing)} (tools/test-setup.sh '
                        'installs them)')

    @property
    def log_path(self):
        return self.dir / 'server.log'

    def start(self):
        self.check_installed()
        if not self.initialized:
            self.initialize()
            self.initialized = True
        with open(self.log_path, 'ab') as log:
            self.proc = subprocess.Popen(
                self.command(), stdin=subprocess.DEVNULL, stdout=log,
                stderr=subprocess.STDOUT, start_new_session=True,
                **self.popen_options())
        deadline = time.monotonic() + self.start_timeout
        while not self.ready():
            if self.proc.poll() is not None:
                raise ServerError(f'{self.name} exited with '
                                  f'{self.proc.returncode} at start:\n'
                                  f'{self.log_tail()}')
            if time.monotonic() > deadline:
                self.kill()
                raise ServerError(f'{self.name} not ready after '
                                  f'{self.start_timeout} s:\n'
                                  f'{self.log_tail()}')
            time.sleep(0.1)
        if self.baseline is None:
            self.baseline = self.inventory()
        return self

    @property
    def running(self):
        return self.proc is not None and self.proc.poll() is None

    def _signal(self, sig):
        with contextlib.suppress(ProcessLookupError):
            os.killpg(self.proc.pid, sig)

    def stop(self, timeout=60):
        """A clean shutdown (the server's own way), SIGKILL if it hangs."""
        if not self.running:
            return
        self._signal(self.stop_signal)
        try:
            self.proc.wait(timeout)
        except subprocess.TimeoutExpired:
            self.kill()
        # Children of the server (Erlang's) die with their group.
        self._signal(signal.SIGKILL)

    def kill(self):
        """SIGKILL, as an OOM kill or a power cut would."""
        if self.proc is None:
            return
        self._signal(signal.SIGKILL)
        with contextlib.suppress(subprocess.TimeoutExpired):
            self.proc.wait(30)

    def restart(self, down=0):
        self.stop()
        time.sleep(down)
        return self.start()

    def leftovers(self):
        """What the server holds now and did not at its first start."""
        return sorted(self.inventory() - (self.baseline or set()))

    def close(self, check=True):
        """Stop for good and delete the data; raise LeftoverError if the
        tests left something behind (checked before stopping)."""
        left = []
        try:
            if check and self.running:
                left = self.leftovers()
        finally:
            self.stop()
            shutil.rmtree(self.dir, ignore_errors=True)
        if left:
            raise LeftoverError(f'the tests left on the private {self.name} '
                                f'server: {", ".join(left)}')

    def log_tail(self, lines=20):
        try:
            text = self.log_path.read_text(errors='replace')
        except OSError:
            return ''
        return '\n'.join(text.splitlines()[-lines:])

    def __enter__(self):
        return self.start()

    def __exit__(self, *exc):
        self.close(check=exc[0] is None)


def _as_postgres():
    """Popen options: PostgreSQL refuses to run as root."""
    if os.geteuid() != 0:
        return {}
    return {'user': 'postgres', 'group': 'postgres', 'extra_groups': []}


class PostgreSQL(Server):
    name = 'postgresql'
    stop_signal = signal.SIGINT   # "fast" shutdown

    @staticmethod
    def bindir():
        found = sorted(glob.glob('/usr/lib/postgresql/*/bin/postgres'),
                       key=lambda p: int(p.split('/')[4]))
        return os.path.dirname(found[-1]) if found else None

    def binaries(self):
        bindir = self.bindir()
        if bindir is None:
            return ['/usr/lib/postgresql/<version>/bin/postgres']
        return [f'{bindir}/initdb', f'{bindir}/postgres']

    def popen_options(self):
        return _as_postgres()

    def initialize(self):
        data = self.dir / 'data'
        if os.geteuid() == 0:
            shutil.chown(self.dir, 'postgres', 'postgres')
        subprocess.run([f'{self.bindir()}/initdb', '-D', str(data), '-U',
                        'postgres', '-A', 'trust', '-E', 'UTF8', '--no-sync',
                        '--locale', 'C.UTF-8'],
                       check=True, capture_output=True, timeout=120,
                       **self.popen_options())

    def command(self):
        # Throw-away data: no fsync (only a crash of the machine loses
        # data), but a commit is in the OS before it is answered, so that a
        # killed server keeps what it said it committed, as a real one.
        # Enough connections for the hardening stacks.
        return [f'{self.bindir()}/postgres', '-D', str(self.dir / 'data'),
                '-h', '127.0.0.1', '-p', str(self.port), '-k', '',
                '-c', 'fsync=off', '-c', 'full_page_writes=off',
                '-c', 'max_connections=300',
                '-c', 'shared_buffers=32MB']

    def ready(self):
        if not port_open(self.port):
            return False
        import sqlalchemy as sa
        engine = sa.create_engine(self.url)
        try:
            with engine.connect() as conn:
                conn.exec_driver_sql('SELECT 1')
            return True
        except sa.exc.OperationalError:   # still starting up
            return False
        finally:
            engine.dispose()

    @property
    def url(self):
        return (f'postgresql+psycopg2://postgres@127.0.0.1:{self.port}/'
                'postgres')

    def inventory(self):
        import sqlalchemy as sa
        engine = sa.create_engine(self.url)
        try:
            with engine.connect() as conn:
                return {f'database {r[0]}' for r in conn.exec_driver_sql(
                    'SELECT datname FROM pg_database')}
        finally:
            engine.dispose()


class MariaDB(Server):
    name = 'mariadb'

    def binaries(self):
        return ['mariadb-install-db', 'mariadbd']

    def _root_user(self):
        return ['--user=root'] if os.geteuid() == 0 else []

    def initialize(self):
        subprocess.run(['mariadb-install-db', '--no-defaults',
                        f'--datadir={self.dir / "data"}',
                        '--auth-root-authentication-method=normal',
                        '--skip-test-db'] + self._root_user(),
                       check=True, capture_output=True, timeout=120)

    def command(self):
        return [shutil.which('mariadbd'), '--no-defaults',
                f'--datadir={self.dir / "data"}', f'--port={self.port}',
                '--bind-address=127.0.0.1',
                f'--socket={self.dir / "mysqld.sock"}',
                f'--pid-file={self.dir / "mysqld.pid"}',
                # Written to the OS at each commit, flushed once a second:
                # a killed server keeps every commit (see PostgreSQL).
                '--skip-log-bin', '--innodb-flush-log-at-trx-commit=2',
                '--innodb-doublewrite=0', '--max-connections=300',
                '--innodb-buffer-pool-size=64M'] + self._root_user()

    def ready(self):
        if not port_open(self.port):
            return False
        import sqlalchemy as sa
        engine = sa.create_engine(self.url)
        try:
            with engine.connect() as conn:
                conn.exec_driver_sql('SELECT 1')
            return True
        except sa.exc.OperationalError:
            return False
        finally:
            engine.dispose()

    @property
    def url(self):
        return f'mysql+pymysql://root@127.0.0.1:{self.port}/mysql'

    def inventory(self):
        import sqlalchemy as sa
        engine = sa.create_engine(self.url)
        try:
            with engine.connect() as conn:
                return {f'database {r[0]}' for r in conn.exec_driver_sql(
                    'SHOW DATABASES')}
        finally:
            engine.dispose()


class RabbitMQ(Server):
    """A RabbitMQ node of its own: own node name, AMQP and distribution
    ports, data (mnesia), logs, config and Erlang cookie (HOME)."""

    name = 'rabbitmq'
    start_timeout = 120
    SBIN = '/usr/lib/rabbitmq/bin'

    def __init__(self):
        super().__init__()
        self.dist_port = free_port()
        self.node = f'flocxtest{self.port}@localhost'

    def _bin(self, program):
        path = os.path.join(self.SBIN, program)
        return path if os.access(path, os.X_OK) else shutil.which(program)

    def binaries(self):
        return [self._bin('rabbitmq-server') or 'rabbitmq-server',
                self._bin('rabbitmqctl') or 'rabbitmqctl']

    def env(self):
        d = self.dir
        return dict(
            os.environ, HOME=str(d / 'home'), RABBITMQ_NODENAME=self.node,
            RABBITMQ_CONFIG_FILE=str(d / 'rabbitmq.conf'),
            RABBITMQ_CONF_ENV_FILE=str(d / 'rabbitmq-env.conf'),
            RABBITMQ_ENABLED_PLUGINS_FILE=str(d / 'enabled_plugins'),
            RABBITMQ_MNESIA_BASE=str(d / 'mnesia'),
            RABBITMQ_LOG_BASE=str(d / 'log'),
            RABBITMQ_PID_FILE=str(d / 'rabbitmq.pid'),
            RABBITMQ_DIST_PORT=str(self.dist_port),
            RABBITMQ_SERVER_ADDITIONAL_ERL_ARGS=(
                '-kernel inet_dist_use_interface {127,0,0,1}'),
            ERL_EPMD_ADDRESS='127.0.0.1')

    def initialize(self):
        d = self.dir
        for sub in ('home', 'mnesia', 'log'):
            (d / sub).mkdir()
        # The machine's /etc/rabbitmq sets the shared node's listener: ours
        # replaces it. (Listener in the config, not RABBITMQ_NODE_PORT:
        # with both the node binds its port twice and fails at boot.)
        (d / 'rabbitmq.conf').write_text(
            f'listeners.tcp.local = 127.0.0.1:{self.port}\n'
            'loopback_users = none\n'
            # Disk and memory alarms would block publishers on a busy
            # machine; nothing here is big.
            'disk_free_limit.absolute = 1MB\n')
        (d / 'rabbitmq-env.conf').write_text('')
        (d / 'enabled_plugins').write_text('[].\n')

    def command(self):
        return [self._bin('rabbitmq-server')]

    def popen_options(self):
        return {'env': self.env()}

    def ctl(self, *args, check=True, timeout=300):
        result = subprocess.run(
            [self._bin('rabbitmqctl'), '-q', '-n', self.node, *args],
            env=self.env(), capture_output=True, text=True, timeout=timeout)
        if check and result.returncode:
            raise ServerError(f'rabbitmqctl {" ".join(args)}: '
                              f'{result.stdout}{result.stderr}')
        return result.stdout

    def ready(self):
        # The AMQP port opens at the very end of the boot.
        return port_open(self.port)

    @property
    def url(self):
        return f'rabbit://guest:guest@127.0.0.1:{self.port}/'

    def vhost_url(self, vhost):
        return self.url + vhost

    def add_vhost(self, vhost):
        self.ctl('add_vhost', vhost)
        self.ctl('set_permissions', '-p', vhost, 'guest', '.*', '.*', '.*')

    def delete_vhost(self, vhost):
        self.ctl('delete_vhost', vhost, check=False)

    def inventory(self):
        found = set()
        vhosts = self.ctl('list_vhosts', '--no-table-headers',
                          'name').split()
        for vhost in vhosts:
            found.add(f'vhost {vhost}')
            for queue in self.ctl('list_queues', '-p', vhost,
                                  '--no-table-headers', 'name').split():
                found.add(f'queue {queue} in vhost {vhost}')
        return found


class Redis(Server):
    name = 'redis'

    def binaries(self):
        return ['redis-server']

    def command(self):
        return [shutil.which('redis-server'), '--port', str(self.port),
                '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no',
                '--dir', str(self.dir), '--daemonize', 'no']

    @property
    def url(self):
        return f'redis://127.0.0.1:{self.port}'


KINDS = {'postgresql': PostgreSQL, 'mariadb': MariaDB, 'rabbitmq': RabbitMQ,
         'redis': Redis}

# This process's servers, by name (see get()).
_RUNNING = {}


def get(name):
    """This process's private server ``name``, started on first use."""
    server = _RUNNING.get(name)
    if server is None:
        server = KINDS[name]()
        try:
            server.start()
        except BaseException:
            server.close(check=False)
            raise
        if not _RUNNING:
            # A session cut short (Ctrl-C, a crash) still stops them.
            atexit.register(stop_all, check=False)
        _RUNNING[name] = server
    elif not server.running:
        # A test stopped it and failed before starting it again.
        server.start()
    return server


def stop_all(check=True):
    """Stop this process's servers; LeftoverError listing what the tests
    left on them (databases, vhosts, queues), if anything."""
    problems = []
    while _RUNNING:
        _, server = _RUNNING.popitem()
        try:
            server.close(check=check)
        except LeftoverError as e:
            problems.append(str(e))
    global _ROOT
    if _ROOT is not None:
        shutil.rmtree(_ROOT, ignore_errors=True)
        _ROOT = None
    if problems:
        raise LeftoverError('; '.join(problems))
