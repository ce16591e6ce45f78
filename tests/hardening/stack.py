"""A deployment-like FLOCX for the hardening tests and bench/hardening_bench.py.

The market API with 3 worker processes, the market manager, two auction
engines electing their leader through Redis (a 3 s lock timeout), and the
auction API, one process each over RabbitMQ (a vhost of its own), against a
fresh PostgreSQL or MariaDB database; the database and the vhost are
dropped afterwards. The servers are private ones (tests/servers.py): this
process's own by default, or those the caller passes (a fault test's, which
it stops and starts).

The APIs run with ``auth_strategy = noauth`` on 127.0.0.1 (the servers allow
that on loopback only): the load is about the market's invariants under
concurrency and faults, and a real Keystone's token validation on this
2-core machine would measure Keystone instead (RBAC is tested elsewhere,
through keystonemiddleware). The provider-manager fault needs a real Ironic
and uses ``flocx-local`` instead (test_faults.py).

Processes are started as flocx-local starts them (``processes.spawn``: own
session, pid file under <dir>/pids, output under <dir>/logs), and can be
SIGKILLed and started again by name.
"""

import collections
import concurrent.futures
import datetime
import json
import os
import pathlib
import random
import resource
import signal
import subprocess
import sys
import threading
import time
import urllib.parse
import uuid

import http.client
import sqlalchemy as sa
from sqlalchemy.engine import url as sa_url

from flocx_local import cli
from flocx_local import openstack as local_openstack
from flocx_local import processes
from tests import servers as servers_mod

SERVICE = {'X-Roles': 'service', 'X-Project-Id': 'service'}
ADMIN = {'X-Roles': 'admin,member,reader', 'X-Project-Id': 'admin'}


def member(project):
    return {'X-Roles': 'member,reader', 'X-Project-Id': project}


def iso(moment):
    return moment.replace(microsecond=0).isoformat()


def utcnow():
    return datetime.datetime.now(datetime.timezone.utc)


def raise_fd_limit():
    """1,000 client connections, and the servers we spawn inherit it."""
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if soft < min(hard, 8192):
        resource.setrlimit(resource.RLIMIT_NOFILE, (min(hard, 8192), hard))


class Database:
    """A fresh database on a (private) server; dropped by ``drop()``."""

    def __init__(self, backend, server_url):
        self.backend = backend
        self.name = f'flocx_hardening_{uuid.uuid4().hex[:10]}'
        self.admin = sa.create_engine(server_url,
                                      isolation_level='AUTOCOMMIT',
                                      pool_pre_ping=True)
        with self.admin.connect() as conn:
            conn.exec_driver_sql(f'CREATE DATABASE {self.name}')
        self.url = sa_url.make_url(server_url).set(
            database=self.name).render_as_string(hide_password=False)
        self._engine = None

    @property
    def engine(self):
        if self._engine is None:
            self._engine = sa.create_engine(self.url, pool_pre_ping=True)
        return self._engine

    def rows(self, query, **params):
        with self.engine.connect() as conn:
            return conn.execute(sa.text(query), params).mappings().all()

    def scalar(self, query, **params):
        with self.engine.connect() as conn:
            return conn.execute(sa.text(query), params).scalar()

    def drop(self):
        if self._engine is not None:
            self._engine.dispose()
        force = ' WITH (FORCE)' if self.backend == 'postgresql' else ''
        with self.admin.connect() as conn:
            conn.exec_driver_sql(f'DROP DATABASE IF EXISTS {self.name}{force}')
        self.admin.dispose()


class Stack:
    """The FLOCX processes of one hardening run, in ``root``."""

    def __init__(self, root, backend, api_workers=3, engines=2,
                 round_interval=0.5, resync_interval=600,
                 mechanism='welfare', servers=None):
        """``servers``: {name: tests.servers.Server} for 'rabbitmq',
        'redis' and the backend; by default this process's own."""
        self.servers = {name: (servers or {}).get(name) or
                        servers_mod.get(name)
                        for name in ('rabbitmq', 'redis', backend)}
        self.vhost = None
        self.layout = cli.Layout(root)
        self.backend = backend
        self.api_workers = api_workers
        self.engines = engines
        self.round_interval = round_interval
        self.resync_interval = resync_interval
        self.mechanism = mechanism
        self.db = None
        self.procs = {}
        self.names = [n for n, _, s in cli.separate_processes(engines)
                      if s != 'provider']
        self.ports = {s: local_openstack.free_port()
                      for s in ('market', 'auction')}
        self.market_url = f'http://127.0.0.1:{self.ports["market"]}'
        self.auction_url = f'http://127.0.0.1:{self.ports["auction"]}'
        self.tag = f'hardening-{uuid.uuid4().hex[:8]}'

    # Life

    def start(self):
        raise_fd_limit()
        for d in (self.layout.etc, self.layout.logs, self.layout.pids):
            d.mkdir(parents=True, exist_ok=True)
        try:
            self.db = Database(self.backend,
                               self.servers[self.backend].url)
            self.vhost = self.tag
            self.servers['rabbitmq'].add_vhost(self.vhost)
            self._write_configs()
            subprocess.run([cli._script('flocx-market-dbsync'),
                            '--config-file', str(self.layout.conf('market')),
                            'upgrade'], check=True, capture_output=True,
                           timeout=120)
            for name in self.names:
                self.spawn(name)
            for service in ('market', 'auction'):
                proc = self.procs[f'flocx-{service}-api']
                processes.wait_until_answering(
                    service, self._url(service) + '/healthcheck', proc,
                    timeout=90,
                    log_file=self.layout.logs / f'flocx-{service}.log')
            self.wait_for_leader(timeout=60)
        except BaseException:
            self.stop()
            raise
        return self

    def stop(self):
        # All at once: each may take its 5 s of grace (an engine finishes
        # its round, the API its requests).
        with concurrent.futures.ThreadPoolExecutor(len(self.names)) as pool:
            list(pool.map(lambda name: processes.stop(
                name, self.layout.pids / f'{name}.pid',
                str(self.layout.root), term_timeout=5), self.names))
        if self.db is not None:
            self.db.drop()
            self.db = None
        if self.vhost is not None:
            self.servers['rabbitmq'].delete_vhost(self.vhost)
            self.vhost = None

    def _url(self, service):
        return self.market_url if service == 'market' else self.auction_url

    def _write_configs(self):
        rabbit = self.servers['rabbitmq'].vhost_url(self.vhost)
        common = {'auth_strategy': 'noauth', 'transport_url': rabbit,
                  'control_exchange': f'flocx-{self.tag}'}
        # Notifications are best effort (emit() swallows errors) and nobody
        # consumes them here; "noop" keeps thousands of them from piling up
        # in a queue.
        notify = {'driver': 'noop'}
        coordination = (f'{self.servers["redis"].url}?timeout=3&'
                        f'namespace=flocx-{self.tag}')
        confs = {
            'market': {
                'DEFAULT': dict(common, host='market',
                                log_file=self.layout.logs /
                                'flocx-market.log'),
                'api': {'host_ip': '127.0.0.1', 'port': self.ports['market'],
                        'workers': self.api_workers},
                'database': {'connection': self.db.url,
                             'max_pool_size': 10, 'max_overflow': 20},
                'oslo_messaging_notifications': notify,
            },
            'auction': {
                'DEFAULT': dict(common, host='auction',
                                log_file=self.layout.logs /
                                'flocx-auction.log'),
                'api': {'host_ip': '127.0.0.1',
                        'port': self.ports['auction']},
                'auction': {'mechanism': self.mechanism,
                            'round_interval': self.round_interval,
                            'resync_interval': self.resync_interval,
                            'coordination_url': coordination,
                            'state_path': self.layout.root / 'auction'},
                'oslo_messaging_notifications': notify,
            },
        }
        for service, sections in confs.items():
            cli._write_ini(self.layout.conf(service), sections)
        for name in self.names:
            if name.startswith(f'{cli.ENGINE}-'):
                cli._write_ini(self.layout.etc / f'{name}.conf', {'DEFAULT': {
                    'host': name.replace('flocx-auction-', ''),
                    'log_file': self.layout.logs / f'{name}.log'}})

    # Processes by name

    def spawn(self, name):
        script, service = next((s, svc) for n, s, svc in
                               cli.separate_processes(self.engines)
                               if n == name)
        self.procs[name] = cli._spawn(self.layout, name, script, service)
        return self.procs[name]

    def pid(self, name):
        return processes.running_pid(self.layout.pids / f'{name}.pid',
                                     str(self.layout.root))

    def kill(self, name):
        """SIGKILL the whole process (group), as an OOM kill or power cut."""
        pid = self.pid(name)
        os.killpg(pid, signal.SIGKILL)
        proc = self.procs.get(name)
        if proc is not None:
            proc.wait(timeout=10)
        return pid

    def engine_names(self):
        return [n for n in self.names if n.startswith(cli.ENGINE)]

    def leader(self, timeout=5):
        """The pid name of the engine that leads (the auction API asks the
        leader's topic; its member id starts with its host), or None."""
        status, body = request('GET', self.auction_url + '/v1/status', ADMIN,
                               timeout=timeout)
        if status != 200 or not body.get('leader'):
            return None
        host = body['member_id'].split('-')[:2]
        return 'flocx-auction-' + '-'.join(host)

    def wait_for_leader(self, timeout):
        """Until an engine leads and has cleared a round (read the book
        from the market manager: a call sent before the manager listens
        is dropped by RabbitMQ and costs the engine a 15 s timeout)."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            status, body = request('GET', self.auction_url + '/v1/status',
                                   ADMIN, timeout=5)
            if status == 200 and body.get('leader') and \
                    body.get('last_round'):
                return body
            time.sleep(0.2)
        raise AssertionError(f'no engine leads after {timeout} s')

    def wait_until_answered(self, timeout):
        """Until every bid due now has its contract or its "no"; returns
        the seconds waited (None on timeout)."""
        began = time.monotonic()
        while time.monotonic() - began < timeout:
            due = (utcnow() + datetime.timedelta(hours=12)).replace(
                tzinfo=None)
            if not self.db.scalar(
                    "SELECT count(*) FROM bids WHERE status = 'open' AND "
                    "start_time < :due", due=due):
                return time.monotonic() - began
            time.sleep(0.5)
        return None

    def open_due_bids(self, limit=5):
        """A few bids due now and still open (what wait_until_answered
        waited for), to say which in a failure."""
        due = (utcnow() + datetime.timedelta(hours=12)).replace(tzinfo=None)
        return [dict(r) for r in self.db.rows(
            "SELECT uuid, start_time, latest_start_time, decide_by, "
            "created_at, updated_at FROM bids WHERE status = 'open' AND "
            "start_time < :due ORDER BY start_time LIMIT :limit",
            due=due, limit=limit)]

    # Market helpers

    def offer(self, node, owner, start, end, price=1.0, conn=None, **extra):
        return request('POST', self.market_url + '/v1/offers', SERVICE, {
            'project_id': owner, 'resource_uuid': node,
            'resource_class': 'baremetal',
            'properties': {'cpus': 8, 'memory_mb': 16384},
            'start_time': iso(start), 'end_time': iso(end), 'price': price,
            **extra}, conn=conn)

    def bid(self, project, start, latest, duration, price=3.0, quantity=1,
            conn=None):
        return request('POST', self.market_url + '/v1/bids', member(project),
                       {'quantity': quantity, 'resource_class': 'baremetal',
                        'start_time': iso(start),
                        'latest_start_time': iso(latest),
                        'duration': duration, 'price': price}, conn=conn)

    def probe(self, timeout=60):
        """A new offer and a matching bid: seconds until the bid has a
        contract (the market and engines work end to end), or None."""
        began = time.monotonic()
        start = utcnow() + datetime.timedelta(seconds=10)
        node = str(uuid.uuid4())
        deadline = began + timeout
        bid_uuid = None
        while time.monotonic() < deadline:
            # Either may be refused while a service is still coming back.
            if node:
                status, _ = self.offer(node, 'probe-owner', utcnow(),
                                       start + datetime.timedelta(hours=4))
                if status == 201:
                    node = None
            if node is None and bid_uuid is None:
                status, body = self.bid(
                    'probe-renter', start,
                    start + datetime.timedelta(minutes=30), 3600, price=9.0)
                if status == 201:
                    bid_uuid = body['uuid']
            if bid_uuid:
                if self.db.scalar('SELECT count(*) FROM contracts WHERE '
                                  'bid_uuid = :b', b=bid_uuid):
                    return time.monotonic() - began
            time.sleep(0.2)
        return None

    def rounds_since(self, moment, host=None):
        rows = self.db.rows(
            'SELECT host, finished_at, duration_ms FROM rounds WHERE '
            'finished_at >= :m ORDER BY finished_at',
            m=moment.replace(tzinfo=None))
        return [r for r in rows if host is None or r['host'] == host]


def request(method, url, headers, body=None, conn=None, timeout=120):
    """(status, parsed body); status 0 for no answer (refused, reset,
    timed out). ``conn``: an http.client connection to reuse."""
    parts = urllib.parse.urlsplit(url)
    own = conn is None
    if own:
        conn = http.client.HTTPConnection(parts.hostname, parts.port,
                                          timeout=timeout)
    path = parts.path + (f'?{parts.query}' if parts.query else '')
    data = json.dumps(body).encode() if body is not None else None
    hdrs = dict(headers)
    if data is not None:
        hdrs['Content-Type'] = 'application/json'
    try:
        conn.request(method, path, body=data, headers=hdrs)
        resp = conn.getresponse()
        raw = resp.read()
        status = resp.status
    except (OSError, http.client.HTTPException):
        conn.close()
        return 0, None
    finally:
        if own:
            conn.close()
    try:
        return status, json.loads(raw) if raw else None
    except ValueError:
        return status, raw[:200]


class Answers:
    """What the clients were told, for checking against the database."""

    def __init__(self):
        self.lock = threading.Lock()
        self.created = {'offer': {}, 'bid': {}}   # uuid -> body
        self.cancelled = {'offer': set(), 'bid': set()}
        self.statuses = {}
        self.errors = []   # (method, what, status, body) of 5xx and 0
        self.timeline = []   # (monotonic time, status) of every answer

    def record(self, method, kind, status, body):
        with self.lock:
            self.timeline.append((time.monotonic(), status))
            key = f'{method} {kind} {status}'
            self.statuses[key] = self.statuses.get(key, 0) + 1
            if status >= 500 or status == 0:
                self.errors.append((method, kind, status, str(body)[:300]))
            elif method == 'POST' and status == 201:
                self.created[kind][body['uuid']] = body
            elif method == 'DELETE' and status == 200:
                self.cancelled[kind].add(body['uuid'])

    def count(self, prefix='', status=None):
        return sum(n for k, n in self.statuses.items()
                   if k.startswith(prefix) and
                   (status is None or k.endswith(f' {status}')))

    def first_success_after(self, moment):
        """Seconds from ``moment`` (monotonic) to the first 2xx after it."""
        with self.lock:
            times = [t for t, s in self.timeline if t >= moment and
                     200 <= s < 300]
        return min(times) - moment if times else None

    def failures_between(self, begin, end):
        with self.lock:
            return sum(1 for t, s in self.timeline
                       if begin <= t <= end and (s == 0 or s >= 500))

    @property
    def server_errors(self):
        return [e for e in self.errors if e[2] >= 500]

    @property
    def no_answer(self):
        return [e for e in self.errors if e[2] == 0]


class Writers:
    """``count`` writer threads, each with its own HTTP connection, that
    wait on one barrier and then write their orders at once.

    A writer makes ``orders`` orders: offers (as a provider service would,
    on a shared pool of nodes with 3-hour slots, so that offers and
    bookings contend for the same node lock rows) or bids (quantity 1-2,
    starting within the next 9 hours, so every round must answer them),
    and cancels about a third of what it made, at once or a moment later,
    racing the rounds that are booking them.
    """

    def __init__(self, stack, answers, count=1000, orders=3, nodes=150,
                 seed=1, deadline=None, pause=1.0):
        self.stack = stack
        self.answers = answers
        self.count = count
        self.orders = orders
        self.nodes = [str(uuid.UUID(int=random.Random(seed).getrandbits(128)
                                    ^ n)) for n in range(nodes)]
        self.seed = seed
        self.deadline = deadline
        self.pause = pause
        self.t0 = utcnow().replace(minute=0, second=0, microsecond=0)
        self.barrier = threading.Barrier(count)

    def run(self, timeout=600):
        threading.stack_size(512 * 1024)
        threads = [threading.Thread(target=self._writer, args=(n,),
                                    daemon=True) for n in range(self.count)]
        for t in threads:
            t.start()
        began = time.monotonic()
        for t in threads:
            t.join(max(0.0, timeout - (time.monotonic() - began)))
        alive = sum(t.is_alive() for t in threads)
        return time.monotonic() - began, alive

    def _writer(self, n):
        rng = random.Random(self.seed * 100003 + n)
        parts = urllib.parse.urlsplit(self.stack.market_url)
        conn = http.client.HTTPConnection(parts.hostname, parts.port,
                                          timeout=120)
        try:
            conn.connect()
        except OSError:
            pass   # request() reconnects
        try:
            self.barrier.wait(timeout=120)
        except threading.BrokenBarrierError:
            pass
        try:
            for i in range(self.orders):
                if self.deadline and time.monotonic() > self.deadline:
                    return
                if i:   # spread the orders over the rounds
                    time.sleep(rng.uniform(0, self.pause))
                self._one_order(rng, conn)
        finally:
            conn.close()

    def _one_order(self, rng, conn):
        hour = datetime.timedelta(hours=1)
        if rng.random() < 0.4:
            kind = 'offer'
            slot = rng.randrange(4)
            start = max(self.t0 + 3 * slot * hour, utcnow())
            status, body = self.stack.offer(
                rng.choice(self.nodes), f'owner-{rng.randrange(5)}', start,
                self.t0 + 3 * (slot + 1) * hour,
                price=round(rng.uniform(0.5, 2.0), 2), conn=conn)
        else:
            kind = 'bid'
            start = utcnow() + datetime.timedelta(
                minutes=rng.randrange(2, 9 * 60))
            status, body = self.stack.bid(
                f'renter-{rng.randrange(10)}', start,
                start + rng.randrange(0, 3) * hour,
                rng.choice((3600, 5400, 7200)),
                price=round(rng.uniform(1.0, 5.0), 2),
                quantity=rng.choice((1, 1, 1, 2)), conn=conn)
        self.answers.record('POST', kind, status, body)
        if status != 201 or rng.random() > 0.33:
            return
        if rng.random() < 0.5:
            time.sleep(rng.uniform(0.1, 1.5))   # let a round see it first
        headers = SERVICE if kind == 'offer' else member(body['project_id'])
        status, answer = request(
            'DELETE', f'{self.stack.market_url}/v1/{kind}s/{body["uuid"]}',
            headers, conn=conn)
        self.answers.record('DELETE', kind, status, answer)


def check_invariants(db, answers):
    """What the database must show, whatever the interleaving.

    Returns {check: [offending rows]}; every list empty when all holds.
    """
    problems = {}
    problems['node-hours sold twice'] = db.rows('''
        SELECT a.resource_uuid, a.contract_id AS a, b.contract_id AS b
        FROM contract_nodes a JOIN contract_nodes b
          ON a.resource_uuid = b.resource_uuid AND a.id < b.id
        WHERE NOT a.released AND NOT b.released
          AND a.start_time < b.end_time AND b.start_time < a.end_time''')
    problems['bid in two contracts'] = db.rows('''
        SELECT bid_uuid, count(*) AS n FROM contracts
        GROUP BY bid_uuid HAVING count(*) > 1''')
    problems['contract uuid twice'] = db.rows('''
        SELECT uuid, count(*) AS n FROM contracts
        GROUP BY uuid HAVING count(*) > 1''')
    problems['contracted bid without one contract'] = db.rows('''
        SELECT b.uuid FROM bids b LEFT JOIN contracts c
          ON c.bid_uuid = b.uuid
        WHERE (b.status = 'contracted') <> (c.id IS NOT NULL)''')
    problems['booking outside its offer or on a closed offer'] = db.rows('''
        SELECT n.id, o.uuid, o.status FROM contract_nodes n
        JOIN offers o ON o.id = n.offer_id
        JOIN contracts c ON c.id = n.contract_id
        WHERE c.status IN ('scheduled', 'active') AND (
          n.start_time < o.start_time OR n.end_time > o.end_time
          OR o.status = 'cancelled'
          OR n.resource_uuid <> o.resource_uuid)''')
    statuses = {'offer': ('open', 'cancelled', 'expired'),
                'bid': ('open', 'contracted', 'cancelled', 'expired')}
    lost, wrong = [], []
    for kind, table in (('offer', 'offers'), ('bid', 'bids')):
        stored = {r['uuid']: r['status'] for r in db.rows(
            f'SELECT uuid, status FROM {table}')}
        for uuid_ in answers.created[kind]:
            if uuid_ not in stored:
                lost.append((kind, uuid_))
            elif stored[uuid_] not in statuses[kind]:
                wrong.append((kind, uuid_, stored[uuid_]))
        for uuid_ in answers.cancelled[kind]:
            if stored.get(uuid_) != 'cancelled':
                wrong.append((kind, uuid_, stored.get(uuid_),
                              'answered cancelled'))
    problems['orders lost (201 but not in the database)'] = lost
    problems['orders with a wrong status'] = wrong
    return {k: list(v) for k, v in problems.items()}


def figures(db, answers, since):
    since = since.replace(tzinfo=None)
    return {
        'offers written (201)': len(answers.created['offer']),
        'bids written (201)': len(answers.created['bid']),
        'cancellations (200)': len(answers.cancelled['offer']) +
        len(answers.cancelled['bid']),
        'refusals (4xx)': sum(n for k, n in answers.statuses.items()
                              if k.split()[-1].startswith('4')),
        'server errors (5xx)': len(answers.server_errors),
        '5xx by status': ', '.join(
            f'{status}: {n}' for status, n in sorted(collections.Counter(
                e[2] for e in answers.server_errors).items())) or '-',
        'no answer': len(answers.no_answer),
        'contracts': db.scalar('SELECT count(*) FROM contracts'),
        'rounds recorded': db.scalar(
            'SELECT count(*) FROM rounds WHERE finished_at >= :s', s=since),
        'round duration mean/max (ms)': '%.0f / %.0f' % tuple(
            float(x or 0) for x in db.rows(
                'SELECT avg(duration_ms) AS a, max(duration_ms) AS m FROM '
                'rounds WHERE finished_at >= :s', s=since)[0].values()),
        'contracts refused as stale': sum(
            len(_json(r['refused'])) for r in db.rows(
                'SELECT refused FROM rounds WHERE finished_at >= :s',
                s=since)),
        'bids answered no (expired)': db.scalar(
            "SELECT count(*) FROM bids WHERE status = 'expired'"),
    }


def _json(value):
    return json.loads(value) if isinstance(value, (str, bytes)) else value


def print_report(title, numbers, out=sys.stdout):
    print(f'\n== {title}', file=out)
    for key, value in numbers.items():
        if isinstance(value, float):
            value = f'{value:.2f}'
        print(f'  {key:<44} {value}', file=out)
    out.flush()


def tail(path, lines=20):
    path = pathlib.Path(path)
    if not path.exists():
        return ''
    return '\n'.join(path.read_text(errors='replace').splitlines()[-lines:])


class Background:
    """A steady order load from ``count`` writers, in the background,
    until ``stop()`` (or ``seconds``)."""

    def __init__(self, stack, answers, count=20, seconds=300, seed=7):
        self.writers = Writers(stack, answers, count=count, orders=100000,
                               seed=seed, pause=0.3,
                               deadline=time.monotonic() + seconds)
        self.thread = threading.Thread(target=self.writers.run,
                                       args=(seconds + 150,), daemon=True)

    def __enter__(self):
        self.thread.start()
        return self

    def stop(self, timeout=180):
        self.writers.deadline = time.monotonic()
        self.thread.join(timeout)
        return not self.thread.is_alive()

    def __exit__(self, *exc):
        self.stop()


def cpu_seconds(pid):
    """User+system CPU seconds a process has used so far."""
    fields = pathlib.Path(f'/proc/{pid}/stat').read_text().rsplit(')', 1)[1]
    utime, stime = fields.split()[11:13]
    return (int(utime) + int(stime)) / os.sysconf('SC_CLK_TCK')
