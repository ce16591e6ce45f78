"""Load-test the marketplace API: one real flocx-market-api worker on loopback.

    PYTHONPATH=. .venv/bin/python bench/api_bench.py [--duration 10] [--repeat 3]
        [--auth off on] [--db postgresql://...] [--scenarios list1000 ...]

What it does:

* creates a market database (SQLite in a temporary directory, or --db),
  migrates it with flocx-market-dbsync and seeds it through
  flocx_market.db.api: --offers open offers (10,000) of three owner
  projects and --bids bids;
* for each auth mode, starts ``flocx-market-api`` (uWSGI, one worker of
  --threads threads) with
  its own config file: ``off`` is ``auth_strategy = noauth`` with
  X-Project-Id/X-Roles headers, ``on`` is keystonemiddleware against a real
  Keystone on loopback (flocx_local.openstack) with one token of
  org-b's member reused, so the middleware's token cache answers after the
  first request;
* drives each scenario with wrk (Debian's package: apt-get install wrk), one
  thread and --connections keep-alive connections, for --duration seconds,
  --repeat times, and prints the median req/s, p50 and p99 of the runs with
  their non-2xx and 5xx counts.

Scenarios (the caller is org-b, a project member, as a renter would be):

* ``list1000``: GET /v1/offers?limit=1000
* ``pages100``: GET /v1/offers?limit=100, following the ``next`` link to the
  end of the 10,000, then again
* ``show``: GET /v1/offers/<uuid>
* ``create_bid``: POST /v1/bids, a valid bid (schema, times, limits, policy)

No broker: the API process runs with the in-process oslo.messaging transport
and notifications off, so the cost of casting to RabbitMQ is not included.
"""

import argparse
import datetime
import json
import os
import pathlib
import random
import shlex
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
import uuid

ROOT = pathlib.Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from flocx_local import openstack as local_openstack  # noqa: E402
from flocx_market.db import api as db_api  # noqa: E402
from flocx_market.db import models  # noqa: E402
import sqlalchemy as sa  # noqa: E402

VENV_BIN = pathlib.Path(sys.executable).parent
LUA = pathlib.Path(__file__).resolve().with_name('api_bench.lua')
SCENARIOS = ('list1000', 'pages100', 'show', 'create_bid')
OWNERS = ('org-a', 'org-c', 'org-d')
RENTER = 'org-b'


def iso(dt):
    return dt.replace(microsecond=0).isoformat() + 'Z'


def seed(url, offers, bids):
    """Open offers of three owners and some bids.

    Through db.api: its Connection and tables, in batches of 1,000 rows a
    transaction (create_offer's one transaction per offer would take
    minutes on SQLite); one offer and one bid through create_offer and
    create_bid. Returns the uuid of an open offer and the seconds taken.
    """
    db = db_api.Connection(url)
    now = datetime.datetime.utcnow().replace(microsecond=0)
    rng = random.Random(1)
    t0 = time.monotonic()

    def offer(i):
        return {
            'project_id': OWNERS[i % len(OWNERS)],
            'provider': 'bench',
            'resource_type': 'ironic_node',
            'resource_uuid': str(uuid.UUID(int=rng.getrandbits(128))),
            'resource_class': rng.choice(('baremetal', 'gpu', 'bigmem')),
            'properties': {'cpus': rng.choice((8, 16, 32)),
                           'memory_mb': rng.choice((16384, 65536)),
                           'local_gb': 500, 'cpu_arch': 'x86_64',
                           'traits': ['CUSTOM_BENCH']},
            'start_time': now + datetime.timedelta(hours=1),
            'end_time': now + datetime.timedelta(days=30),
            'price': round(rng.uniform(0.5, 5), 2),
        }

    def bid(i):
        return {
            'project_id': RENTER if i % 2 else OWNERS[i % 3],
            'quantity': 1 + i % 4, 'resource_class': 'baremetal',
            'constraints': [{'property': 'cpus', 'op': '>=', 'value': 8}],
            'start_time': now + datetime.timedelta(hours=2),
            'latest_start_time': now + datetime.timedelta(hours=4),
            'duration': 3600, 'price': 3.0, 'decide_by': None,
        }

    first = db.create_offer(offer(0))['uuid']
    db.create_bid(bid(1))
    for table, make, count in ((models.offers, offer, offers),
                               (models.bids, bid, bids)):
        for start in range(1, count, 1000):
            rows = []
            for i in range(start, min(start + 1000, count)):
                # created_at one millisecond apart: a stable default sort.
                at = now + datetime.timedelta(milliseconds=i)
                rows.append(dict(make(i), uuid=str(uuid.uuid4()),
                                 status='open', created_at=at,
                                 updated_at=at))
            with db.writer() as session:
                session.execute(sa.insert(table), rows)
    db.dispose()
    return first, time.monotonic() - t0


def write_conf(path, port, db_url, log_file, auth, cloud=None, threads=1):
    sections = {
        'DEFAULT': {'auth_strategy': 'keystone' if auth else 'noauth',
                    'transport_url': 'fake:/', 'log_file': log_file},
        'api': {'host_ip': '127.0.0.1', 'port': port, 'workers': 1,
                'threads': threads},
        'database': {'connection': db_url},
        'notifications': {'notification_level': 'none'},
    }
    if auth:
        sections['keystone_authtoken'] = {
            'auth_type': 'password', 'auth_url': cloud.auth_url,
            'www_authenticate_uri': cloud.auth_url, 'username': 'flocx',
            'password': cloud.password('flocx'),
            'user_domain_name': 'Default', 'project_name': 'service',
            'project_domain_name': 'Default', 'region_name': 'RegionOne',
            'interface': 'public',
        }
    with open(path, 'w') as f:
        for name, options in sections.items():
            f.write(f'[{name}]\n')
            for key, value in options.items():
                f.write(f'{key} = {value}\n')
            f.write('\n')


def code_env(code):
    """The environment of the API and dbsync: --code's tree first."""
    env = dict(os.environ, PYTHONWARNINGS='ignore')
    if code:
        env['PYTHONPATH'] = str(pathlib.Path(code).resolve())
    return env


class Api:
    """One flocx-market-api process."""

    def __init__(self, conf_file, port, log, code=None):
        self.url = f'http://127.0.0.1:{port}'
        self.proc = subprocess.Popen(
            [str(VENV_BIN / 'flocx-market-api'), '--config-file',
             str(conf_file)],
            stdout=log, stderr=subprocess.STDOUT, start_new_session=True,
            env=code_env(code))
        deadline = time.monotonic() + 60
        while True:
            if self.proc.poll() is not None:
                raise RuntimeError(f'flocx-market-api exited with '
                                   f'{self.proc.returncode}; see {log.name}')
            try:
                urllib.request.urlopen(self.url + '/healthcheck', timeout=2)
                break
            except OSError:
                if time.monotonic() > deadline:
                    self.stop()
                    raise RuntimeError('flocx-market-api did not answer')
                time.sleep(0.2)

    def stop(self):
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()


def bid_body():
    now = datetime.datetime.utcnow()
    return json.dumps({
        'quantity': 2, 'resource_class': 'baremetal',
        'constraints': [{'property': 'cpus', 'op': '>=', 'value': 16},
                        {'property': 'traits', 'op': 'has',
                         'value': 'CUSTOM_BENCH'}],
        'start_time': iso(now + datetime.timedelta(hours=3)),
        'latest_start_time': iso(now + datetime.timedelta(hours=6)),
        'duration': 7200, 'price': 2.5,
        'decide_by': iso(now + datetime.timedelta(hours=2)),
    })


def scenario_env(name, headers, show_uuid):
    env = {'BENCH_HEADERS': '\n'.join(f'{k}: {v}'
                                      for k, v in headers.items())}
    if name == 'list1000':
        env['BENCH_PATH'] = '/v1/offers?limit=1000'
    elif name == 'pages100':
        env.update(BENCH_PATH='/v1/offers?limit=100', BENCH_FOLLOW='1')
    elif name == 'show':
        env['BENCH_PATH'] = f'/v1/offers/{show_uuid}'
    elif name == 'create_bid':
        env.update(BENCH_METHOD='POST', BENCH_PATH='/v1/bids',
                   BENCH_BODY=bid_body())
        env['BENCH_HEADERS'] += '\nContent-Type: application/json'
    return env


def cpu_seconds(pid):
    """User + system CPU time so far of a process and its children.

    flocx-market-api is uWSGI's master; the worker that answers is its
    child.
    """
    total = 0.0
    for stat in pathlib.Path('/proc').glob('[0-9]*/stat'):
        try:
            fields = stat.read_text().rsplit(')', 1)[1].split()
        except OSError:  # the process has gone
            continue
        if stat.parent.name == str(pid) or fields[1] == str(pid):
            utime, stime = fields[11:13]
            total += (int(utime) + int(stime)) / os.sysconf('SC_CLK_TCK')
    return total


def run_wrk(url, env, connections, duration, server_pid):
    argv = ['wrk', '-t1', f'-c{connections}', f'-d{duration}s',
            '--timeout', '5s', '-s', str(LUA), url]
    cpu = cpu_seconds(server_pid)
    out = subprocess.run(argv, env=dict(os.environ, **env), check=True,
                         capture_output=True, text=True,
                         timeout=duration + 30).stdout
    cpu = cpu_seconds(server_pid) - cpu
    for line in out.splitlines():
        if line.startswith('BENCH_JSON '):
            result = json.loads(line[len('BENCH_JSON '):])
            result['rps'] = result['requests'] / (result['duration_us'] / 1e6)
            # The API's CPU time per request: what the machine's other load
            # changes least.
            result['cpu_ms'] = 1000 * cpu / max(result['requests'], 1)
            return result, argv
    raise RuntimeError(f'no result from wrk:\n{out}')


def check_once(url, env):
    """One request, as the scenario makes it: it must succeed."""
    headers = dict(line.split(': ', 1)
                   for line in env['BENCH_HEADERS'].split('\n') if line)
    data = env.get('BENCH_BODY', '').encode() or None
    req = urllib.request.Request(url + env['BENCH_PATH'], data=data,
                                 headers=headers,
                                 method=env.get('BENCH_METHOD', 'GET'))
    with urllib.request.urlopen(req, timeout=10) as resp:
        body = json.loads(resp.read())
    return resp.status, body


def bench_mode(args, auth, port, conf_file, log_dir, show_uuid, token):
    headers = ({'X-Auth-Token': token} if auth else
               {'X-Project-Id': RENTER, 'X-Roles': 'member,reader',
                'X-User-Id': 'bench'})
    rows = []
    with open(log_dir / f'api-auth-{"on" if auth else "off"}.out', 'w') as log:
        api = Api(conf_file, port, log, args.code)
        try:
            for name in args.scenarios:
                env = scenario_env(name, headers, show_uuid)
                status, body = check_once(api.url, env)
                if name == 'list1000':
                    assert len(body['offers']) == 1000, len(body['offers'])
                runs = []
                for _ in range(args.repeat):
                    result, argv = run_wrk(api.url, env, args.connections,
                                           args.duration, api.proc.pid)
                    runs.append(result)
                row = summarize(name, auth, runs)
                rows.append(row)
                print(format_row(row), flush=True)
        finally:
            api.stop()
    print(f'wrk command per run (environment set by api_bench.py, see '
          f'{LUA.name}): {shlex.join(argv)}', flush=True)
    return rows


def summarize(name, auth, runs):
    return {
        'scenario': name, 'auth': 'on' if auth else 'off',
        'runs': len(runs),
        'rps': statistics.median(r['rps'] for r in runs),
        'rps_all': [round(r['rps'], 1) for r in runs],
        'p50_ms': statistics.median(r['p50_us'] for r in runs) / 1000,
        'p99_ms': statistics.median(r['p99_us'] for r in runs) / 1000,
        'max_ms': max(r['max_us'] for r in runs) / 1000,
        'cpu_ms': statistics.median(r['cpu_ms'] for r in runs),
        'requests': sum(r['requests'] for r in runs),
        'non_2xx': sum(r['non_2xx'] for r in runs),
        'status_5xx': sum(r['status_5xx'] for r in runs),
        'socket_errors': sum(r['socket_errors'] for r in runs),
        'full_walks': sum(r['full_walks'] for r in runs),
    }


HEADER = (f'{"scenario":<11} {"auth":<4} {"req/s":>8} {"p50 ms":>7} '
          f'{"p99 ms":>7} {"max ms":>7} {"cpu ms":>6} {"requests":>8} {"non2xx":>6} '
          f'{"5xx":>4} {"sockerr":>7}  req/s of each run')


def format_row(r):
    return (f'{r["scenario"]:<11} {r["auth"]:<4} {r["rps"]:>8.1f} '
            f'{r["p50_ms"]:>7.1f} {r["p99_ms"]:>7.1f} {r["max_ms"]:>7.1f} '
            f'{r["cpu_ms"]:>6.2f} '
            f'{r["requests"]:>8} {r["non_2xx"]:>6} {r["status_5xx"]:>4} '
            f'{r["socket_errors"]:>7}  {r["rps_all"]}'
            + (f' ({r["full_walks"]} full walks)'
               if r['scenario'] == 'pages100' else ''))


def main():
    parser = argparse.ArgumentParser(
        description=__doc__.split('\n\n')[0],
        formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument('--duration', type=int, default=10,
                        help='seconds per wrk run (default: %(default)s)')
    parser.add_argument('--repeat', type=int, default=3,
                        help='runs per scenario; medians are reported')
    parser.add_argument('--connections', type=int, default=10)
    parser.add_argument('--threads', type=int, default=1,
                        help='[api] threads of the one worker')
    parser.add_argument('--offers', type=int, default=10000)
    parser.add_argument('--bids', type=int, default=1000)
    parser.add_argument('--auth', nargs='+', choices=('off', 'on'),
                        default=['off', 'on'])
    parser.add_argument('--scenarios', nargs='+', choices=SCENARIOS,
                        default=list(SCENARIOS))
    parser.add_argument('--db', help='SQLAlchemy URL of an empty database '
                        '(default: SQLite in the work directory)')
    parser.add_argument('--code', help='run the API (and dbsync) from this '
                        'source tree instead, e.g. an older commit unpacked '
                        'with git archive, for before/after comparisons')
    parser.add_argument('--keep', action='store_true',
                        help='keep the work directory (logs, database)')
    parser.add_argument('--json', help='also write the rows to this file')
    args = parser.parse_args()
    if not shutil.which('wrk'):
        sys.exit('wrk not found: apt-get install -y wrk')

    command = 'PYTHONPATH=. .venv/bin/python bench/api_bench.py ' + \
        shlex.join(sys.argv[1:])
    print('command:', command, flush=True)
    work = pathlib.Path(tempfile.mkdtemp(prefix='flocx-api-bench-'))
    cloud = None
    rows = []
    try:
        db_url = args.db or f'sqlite:///{work}/market.sqlite'
        port = local_openstack.free_port()
        conf_off = work / 'market-noauth.conf'
        write_conf(conf_off, port, db_url, work / 'market-api.log', False,
                   threads=args.threads)
        subprocess.run([str(VENV_BIN / 'flocx-market-dbsync'),
                        '--config-file', str(conf_off), 'upgrade'],
                       check=True, capture_output=True,
                       env=code_env(args.code))
        show_uuid, seconds = seed(db_url, args.offers, args.bids)
        if args.code and db_url.startswith('sqlite:///'):
            # This tree's db.api left the file in WAL mode, which persists:
            # the other tree starts from SQLite's default instead.
            import sqlite3
            with sqlite3.connect(db_url[len('sqlite:///'):]) as db:
                db.execute('PRAGMA journal_mode=DELETE')
        print(f'seeded {args.offers} offers and {args.bids} bids in '
              f'{seconds:.1f} s ({db_url.split(":")[0]})', flush=True)
        print(HEADER, flush=True)
        if 'off' in args.auth:
            rows += bench_mode(args, False, port, conf_off, work, show_uuid,
                               None)
        if 'on' in args.auth:
            cloud = local_openstack.LocalOpenStack(
                work / 'openstack',
                cache_dir=local_openstack.DEFAULT_CACHE_DIR)
            cloud.start()
            token = cloud.connect(
                'flocx-org-b-member').session.get_token()
            conf_on = work / 'market-keystone.conf'
            write_conf(conf_on, port, db_url, work / 'market-api.log', True,
                       cloud, threads=args.threads)
            rows += bench_mode(args, True, port, conf_on, work, show_uuid,
                               token)
    finally:
        if cloud is not None:
            cloud.stop()
        if args.keep:
            print('work directory:', work)
        else:
            shutil.rmtree(work, ignore_errors=True)
    print('\nmedians of', args.repeat, 'runs of', args.duration, 's,',
          args.connections, 'connections, one API worker:')
    print(HEADER)
    for row in rows:
        print(format_row(row))
    if args.json:
        pathlib.Path(args.json).write_text(json.dumps(
            {'command': command, 'rows': rows}, indent=1))


if __name__ == '__main__':
    main()
