"""flocx-local: a whole FLOCX on loopback, in one command.

    flocx-local up      # Keystone + Ironic + market, auction, provider; demo
    flocx-local up --clouds 2   # and a member cloud's Keystone + Ironic;
                                # its renter deploys a node of cloud 1
    flocx-local demo    # run the demo market again
    flocx-local status
    flocx-local down

Embedded defaults: SQLite, and the three FLOCX services in one background
process talking over the in-process RPC transport. ``--transport-url``
(RabbitMQ) and ``--database-url`` (PostgreSQL or MariaDB) run them as a
deployment would: one process per service (``--separate``). With a broker,
``--api-workers``, ``--engines`` and ``--coordination-url`` shape it further:
several market API workers, several auction engines electing their leader.
"""

import argparse
import concurrent.futures
import json
import logging
import os
import pathlib
import signal
import subprocess
import sys
import threading
import time
import traceback

from flocx_local import broker
from flocx_local import processes

# flocx_local.demo and flocx_local.openstack import openstacksdk (a second):
# imported where needed, so that ``down`` and ``status`` start at once.

LOG = logging.getLogger('flocx-local')

SERVICES = ('market', 'auction', 'provider')
SERVICE_TYPES = {'market': 'marketplace', 'auction': 'auction',
                 'provider': 'provider'}
# One process per service when separate: (console script, its config).
SEPARATE = (('flocx-market-api', 'market'), ('flocx-market-manager', 'market'),
            ('flocx-auction-engine', 'auction'),
            ('flocx-auction-api', 'auction'),
            ('flocx-provider-api', 'provider'),
            ('flocx-provider-manager', 'provider'))
SERVE_PROCESS = 'flocx-services'
# Cloud 2's provider (up --clouds 2): API and manager in one process.
MEMBER_PROVIDER_PROCESS = 'flocx-provider-cloud-2'
DEFAULT_DIR = 'local-run'
ENGINE = 'flocx-auction-engine'


def separate_processes(engines=1):
    """(pid name, console script, service) of every separate process.

    With more than one engine each has its own pid name (and config file
    giving it its own host name and log): flocx-auction-engine-1, -2, ...
    """
    result = []
    for script, service in SEPARATE:
        if script == ENGINE and engines > 1:
            result += [(f'{ENGINE}-{n}', script, service)
                       for n in range(1, engines + 1)]
        else:
            result.append((script, script, service))
    return result


class Layout:
    """Where a local FLOCX keeps its files."""

    def __init__(self, run_dir):
        self.root = pathlib.Path(run_dir).resolve()
        self.openstack = self.root / 'openstack'
        # A member cloud's Keystone and Ironic (up --clouds 2).
        self.member_openstack = self.root / 'cloud-2' / 'openstack'
        self.etc = self.root / 'etc'
        self.logs = self.root / 'logs'
        self.pids = self.root / 'pids'
        self.state_file = self.root / 'flocx-local.json'
        self.member_provider_conf = self.etc / 'flocx-provider-cloud-2.conf'

    def conf(self, service):
        return self.etc / f'flocx-{service}.conf'

    def state(self):
        if not self.state_file.exists():
            return {}
        return json.loads(self.state_file.read_text())

    def write_state(self, state):
        self.state_file.write_text(json.dumps(state, indent=1))


def write_configs(layout, cloud, ports, transport_url, database_url,
                  api_workers=1, engines=1, coordination_url=None,
                  round_interval=10, extra=None):
    """The three services' config files, pointing at the local cloud.

    ``extra``: {service: {section: {option: value}}} added to them (a
    second cloud's, see flocx_local.federation). On a real broker each local cloud gets its own exchange, so that two of
    them (or a test run beside a developer's) never take each other's
    messages.
    """
    layout.etc.mkdir(parents=True, exist_ok=True)
    authtoken = {
        'auth_type': 'password', 'auth_url': cloud.auth_url,
        'www_authenticate_uri': cloud.auth_url, 'username': 'flocx',
        'password': cloud.password('flocx'), 'user_domain_name': 'Default',
        'project_name': 'service', 'project_domain_name': 'Default',
        'region_name': 'RegionOne', 'interface': 'public',
    }
    exchange = f'flocx-{layout.root.name}-{os.getpid()}'
    for service in SERVICES:
        db = database_url or f'sqlite:///{layout.root}/{service}.sqlite'
        sections = {
            'DEFAULT': {'auth_strategy': 'keystone', 'host': 'local',
                        'transport_url': transport_url,
                        'control_exchange': exchange,
                        'log_file': str(layout.logs / f'flocx-{service}.log')},
            'api': {'host_ip': '127.0.0.1', 'port': ports[service]},
            'keystone_authtoken': authtoken,
            # Nothing consumes notifications in a local cloud: on a broker
            # oslo.messaging would queue them forever, and the log driver
            # writes bid prices into the logs. The market's events API has
            # the same record.
            'oslo_messaging_notifications': {'driver': 'noop'},
        }
        if service in ('market', 'provider'):
            sections['database'] = {'connection': db.replace(
                '{service}', service)}
        if service == 'market':
            sections['api']['workers'] = api_workers
        if service == 'auction':
            # A demo market is thin: publish every clearing price so that
            # users see them (a deployment keeps the default floor).
            sections['auction'] = {'state_path': str(layout.root / 'auction'),
                                   'round_interval': round_interval,
                                   'publish_price_min_contracts': 1}
            if coordination_url:
                sections['auction']['coordination_url'] = coordination_url
        if service == 'provider':
            sections['provider'] = {'name': 'local', 'poll_interval': 1}
            sections['ironic'] = {
                key: authtoken[key] for key in (
                    'auth_type', 'auth_url', 'username', 'password',
                    'user_domain_name', 'region_name')}
            sections['ironic']['valid_interfaces'] = 'public'
        for name, options in (extra or {}).get(service, {}).items():
            sections.setdefault(name, {}).update(options)
        _write_ini(layout.conf(service), sections)
    if engines > 1:
        for name, _, _ in separate_processes(engines):
            if name.startswith(f'{ENGINE}-'):
                _write_ini(layout.etc / f'{name}.conf', {'DEFAULT': {
                    'host': f'local-{name.rsplit("-", 1)[1]}',
                    'log_file': str(layout.logs / f'{name}.log')}})


def _write_ini(path, sections):
    # Owner only: the files hold the flocx service user's password.
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    os.fchmod(fd, 0o600)
    with os.fdopen(fd, 'w') as f:
        for name, options in sections.items():
            f.write(f'[{name}]\n')
            for key, value in options.items():
                f.write(f'{key} = {value}\n')
            f.write('\n')


def serve(layout):
    """Run every FLOCX service in this process until SIGTERM."""
    from oslo_log import log

    from flocx_auction.api import app as auction_app
    from flocx_auction.cmd import engine as auction_engine
    from flocx_auction import conf as auction_conf
    from flocx_common import server
    from flocx_market.api import app as market_app
    from flocx_market.cmd import manager as market_manager
    from flocx_market import conf as market_conf
    from flocx_market.db import api as market_db
    from flocx_market.db import migration as market_migration
    from flocx_provider.api import app as provider_app
    from flocx_provider.cmd import manager as provider_manager
    from flocx_provider import conf as provider_conf
    from flocx_provider.db import api as provider_db
    from flocx_provider.db import migration as provider_migration

    def conf_of(module, service):
        return module.get_conf(['--config-file', str(layout.conf(service))])

    confs = {'market': conf_of(market_conf, 'market'),
             'auction': conf_of(auction_conf, 'auction'),
             'provider': conf_of(provider_conf, 'provider')}
    log.setup(confs['market'], 'flocx-local')
    market_migration.upgrade(
        market_db.Connection.from_conf(confs['market']).get_engine())
    provider_migration.upgrade(
        provider_db.Connection.from_conf(confs['provider']).get_engine())

    workers = [market_manager.ManagerService(confs['market']),
               auction_engine.EngineService(confs['auction']),
               provider_manager.ManagerService(confs['provider'])]
    apps = {'market': market_app.setup_app(confs['market']),
            'auction': auction_app.setup_app(confs['auction']),
            'provider': provider_app.setup_app(confs['provider'])}
    servers = [server.make_server(app, '127.0.0.1', confs[name].api.port)
               for name, app in apps.items()]
    for worker in workers:
        worker.start()
    for http in servers:
        http.prepare()
        threading.Thread(target=http.serve, daemon=True).start()

    done = threading.Event()
    signal.signal(signal.SIGTERM, lambda *a: done.set())
    signal.signal(signal.SIGINT, lambda *a: done.set())
    done.wait()
    started = time.monotonic()
    with concurrent.futures.ThreadPoolExecutor(len(servers)) as pool:
        list(pool.map(lambda http: http.stop(), servers))
    # The market manager last: the others call it. Each takes about a
    # second (rpc.RPCServer), so the callers stop at once.
    market_worker, callers = workers[0], workers[1:]
    with concurrent.futures.ThreadPoolExecutor(len(callers)) as pool:
        list(pool.map(lambda worker: worker.stop(), callers))
    market_worker.stop()
    LOG.info('services stopped in %.1f s', time.monotonic() - started)
    # Everything is stopped and flushed; what the interpreter would still
    # do is join idle thread pools (another second or more).
    logging.shutdown()
    os._exit(0)


def serve_member_provider(layout):
    """Cloud 2's provider, its API and manager, in this process until
    SIGTERM. It never joins the market's bus: it reaches the market over
    the REST API as cloud 2's service user ([market] channel = rest), and
    its in-process transport is its own."""
    from oslo_log import log

    from flocx_common import server
    from flocx_provider.api import app as provider_app
    from flocx_provider.cmd import manager as provider_manager
    from flocx_provider import conf as provider_conf
    from flocx_provider.db import api as provider_db
    from flocx_provider.db import migration as provider_migration

    conf = provider_conf.get_conf(['--config-file',
                                   str(layout.member_provider_conf)])
    log.setup(conf, MEMBER_PROVIDER_PROCESS)
    provider_migration.upgrade(
        provider_db.Connection.from_conf(conf).get_engine())
    worker = provider_manager.ManagerService(conf)
    http = server.make_server(provider_app.setup_app(conf), '127.0.0.1',
                              conf.api.port)
    worker.start()
    http.prepare()
    threading.Thread(target=http.serve, daemon=True).start()
    done = threading.Event()
    signal.signal(signal.SIGTERM, lambda *a: done.set())
    signal.signal(signal.SIGINT, lambda *a: done.set())
    done.wait()
    http.stop()
    worker.stop()
    logging.shutdown()
    os._exit(0)


def write_member_provider_config(layout, member, port, market_url):
    """Cloud 2's provider: cloud 2's Keystone and Ironic, and the market's
    REST API as cloud 2's ``flocx`` service user (validated by cloud 2's
    Keystone, OpenStack-Market-Cloud: cloud-2)."""
    from flocx_local import federation

    service_user = {
        'auth_type': 'password', 'auth_url': member.auth_url,
        'username': 'flocx', 'password': member.password('flocx'),
        'user_domain_name': 'Default', 'project_name': 'service',
        'project_domain_name': 'Default', 'region_name': 'RegionOne'}
    _write_ini(layout.member_provider_conf, {
        'DEFAULT': {'auth_strategy': 'keystone', 'host': 'local-cloud-2',
                    # Its own in-process transport: its API nudges its
                    # manager; nothing of it reaches the market's bus.
                    'transport_url': EMBEDDED_TRANSPORT,
                    'control_exchange': f'flocx-{layout.root.name}-'
                                        f'{federation.MEMBER}-{os.getpid()}',
                    'log_file': str(layout.logs /
                                    f'{MEMBER_PROVIDER_PROCESS}.log')},
        'api': {'host_ip': '127.0.0.1', 'port': port},
        'keystone_authtoken': dict(
            service_user, www_authenticate_uri=member.auth_url,
            interface='public'),
        'oslo_messaging_notifications': {'driver': 'noop'},
        'database': {'connection': f'sqlite:///{layout.root}/'
                                   f'provider-{federation.MEMBER}.sqlite'},
        'provider': {'name': federation.MEMBER, 'poll_interval': 1},
        'ironic': dict({k: service_user[k] for k in (
            'auth_type', 'auth_url', 'username', 'password',
            'user_domain_name', 'region_name')}, valid_interfaces='public'),
        'market': dict(service_user, channel='rest',
                       cloud=federation.MEMBER,
                       endpoint_override=market_url),
        # Cloud 2 makes identities for renters of cloud 1 on its nodes, as
        # cloud 2's admin: a credential that stays in cloud 2's provider.
        'remote_access': federation.remote_access_section(member),
    })


class StepFailed(RuntimeError):
    """A step of ``up`` failed: one line of why, and the log that has it all."""

    def __init__(self, message, log_file=None):
        super().__init__(' '.join(str(message).split()))
        self.log_file = log_file


def up(args, layout):
    from flocx_local import demo as demo_mod
    from flocx_local import openstack as local_openstack

    started = time.monotonic()
    _make_private_dirs(layout)
    two_clouds = args.clouds == 2
    ports = {s: local_openstack.free_port() for s in SERVICES}
    urls = {SERVICE_TYPES[s]: f'http://127.0.0.1:{ports[s]}' for s in SERVICES}
    cache_dir = None if args.no_cache else local_openstack.DEFAULT_CACHE_DIR
    cloud = local_openstack.LocalOpenStack(
        layout.openstack, service_urls=urls, cache_dir=cache_dir)
    member = None
    if two_clouds:
        from flocx_local import federation

        step('Starting two real Keystones and Ironics on loopback: '
             f'{federation.HOME} (the market\'s home) and {federation.MEMBER}')
        # Cloud 2's catalog has the market, the auction and cloud 2's own
        # provider: the provider of its nodes is not cloud 1's.
        member_provider_port = local_openstack.free_port()
        member_urls = dict(urls, provider='http://127.0.0.1:'
                                          f'{member_provider_port}')
        member = local_openstack.LocalOpenStack(
            layout.member_openstack, cache_dir=cache_dir,
            service_urls=member_urls, orgs=federation.MEMBER_ORGS,
            small_owner_orgs=())
        _start_clouds([cloud, member])
    else:
        step('Starting a real Keystone and Ironic on loopback')
        cloud.start()
    step(f'Keystone {cloud.auth_url}, Ironic {cloud.ironic_url} '
         f'({cloud.timings.get("start_total_s")} s)')
    extra = {}
    if member:
        step(f'{federation.MEMBER}: Keystone {member.auth_url}, Ironic '
             f'{member.ironic_url} ({member.timings.get("start_total_s")} s)')
        step(f'{federation.MEMBER}\'s admin makes the market a '
             'validation-only user in its Keystone')
        extra = {'market': federation.market_sections(
                     member, federation.make_validator(member)),
                 'provider': {'remote_access':
                              federation.remote_access_section(cloud)}}
    transport = args.transport_url or EMBEDDED_TRANSPORT
    separate = args.separate or transport != EMBEDDED_TRANSPORT
    state = {'urls': urls, 'separate': separate,
             'clouds_yaml': str(cloud.clouds_yaml), 'clouds': args.clouds}
    if member:
        state['member_clouds_yaml'] = str(member.clouds_yaml)
    if args.transport_url:
        transport = _own_vhost(layout, state, transport)
    state['transport_url'] = transport
    layout.write_state(state)
    write_configs(layout, cloud, ports, transport, args.database_url,
                  api_workers=args.api_workers, engines=args.engines,
                  coordination_url=args.coordination_url,
                  round_interval=args.round_interval, extra=extra)
    answering = {}  # service -> the process that serves its API
    names = [SERVE_PROCESS]
    if separate:
        step('Creating or upgrading the databases')
        for script, service in (('flocx-market-dbsync', 'market'),
                                ('flocx-provider-dbsync', 'provider')):
            _run_step(layout, script, [_script(script), '--config-file',
                                       str(layout.conf(service)), 'upgrade'])
        step('Starting the FLOCX services, one process each, over '
             f'{transport.split(":")[0]}')
        names = []
        for name, script, service in separate_processes(args.engines):
            proc = _spawn(layout, name, script, service)
            names.append(name)
            if script.endswith('-api'):
                answering[service] = proc
    else:
        step('Starting the FLOCX services (one process, in-process RPC)')
        proc = processes.spawn(
            SERVE_PROCESS, [sys.executable, '-m', 'flocx_local.cli',
                            'serve', '--dir', str(layout.root)],
            layout.pids, layout.logs,
            env=dict(os.environ, PYTHONWARNINGS='ignore'))
        answering = dict.fromkeys(SERVICES, proc)
    state['processes'] = names
    layout.write_state(state)
    for service in SERVICES:
        url = urls[SERVICE_TYPES[service]] + '/healthcheck'
        processes.wait_until_answering(
            service, url, answering[service], timeout=120,
            log_file=layout.logs / f'flocx-{service}.log')
    if member:
        write_member_provider_config(layout, member, member_provider_port,
                                     urls['marketplace'])
        step(f'Starting {federation.MEMBER}\'s provider (it reaches the '
             'market over its REST API, as cloud-2\'s service user)')
        proc = processes.spawn(
            MEMBER_PROVIDER_PROCESS,
            [sys.executable, '-m', 'flocx_local.cli', 'serve-provider',
             '--dir', str(layout.root)],
            layout.pids, layout.logs,
            env=dict(os.environ, PYTHONWARNINGS='ignore'))
        state['processes'] = names = [*names, MEMBER_PROVIDER_PROCESS]
        state['member_provider_url'] = urls['member_provider'] = \
            member_urls['provider']
        layout.write_state(state)
        processes.wait_until_answering(
            MEMBER_PROVIDER_PROCESS, member_urls['provider'] + '/healthcheck',
            proc, timeout=120,
            log_file=layout.logs / f'{MEMBER_PROVIDER_PROCESS}.log')
        organizations = federation.register(
            urls['marketplace'], cloud.connect('flocx-admin').session,
            {federation.HOME: cloud, federation.MEMBER: member})
        step(f'Registered {federation.HOME} and {federation.MEMBER} on the '
             f'market, and their organizations: '
             f'{", ".join(organizations) or "(already there, from an earlier up)"}')
    step(f'FLOCX is up in {time.monotonic() - started:.1f} s')
    free_node = None
    if not args.no_demo:
        try:
            if member:
                result = demo_mod.run_two_clouds(cloud, member, urls,
                                                 say=step)
                state['demo'] = _demo_summary(result)
            else:
                result = demo_mod.run(cloud, urls, say=step)
                free_node = result['node_ids'][-1]  # enrolled, never offered
                state['free_node'] = free_node
        except demo_mod.DemoError as e:
            raise StepFailed(f'the demo failed: {e}',
                             layout.logs / 'flocx-market.log') from e
        layout.write_state(state)
    print_usage(layout, cloud, urls, free_node, member)


def _start_clouds(clouds):
    """Start local clouds side by side (each takes seconds, waiting on its
    Keystone and Ironic); stop them all if one fails.

    Their organizations differ, so each has its snapshot and the snapshot
    lock of its own: a file lock, which threads of one process would not
    exclude each other by.
    """
    with concurrent.futures.ThreadPoolExecutor(len(clouds)) as pool:
        futures = [pool.submit(c.start) for c in clouds]
        errors = [f.exception() for f in futures]
    if any(errors):
        for c in clouds:
            c.stop()
        raise next(e for e in errors if e)


def _demo_summary(result):
    """What the two-cloud demo did, kept in the state file (no secrets)."""
    return {key: result[key] for key in (
        'node', 'renter_saw', 'hidden_nodes', 'deployed_state',
        'credential_id', 'renter_project_id', 'credential_after_end',
        'old_token_ironic_status', 'access_after_end_status',
        'member_offer')} | {
        'contract_uuid': result['contract']['uuid'],
        'contract_status': result['contract']['status'],
        'bid_project_id': result['bid']['project_id']}


EMBEDDED_TRANSPORT = 'fake:/'  # every service in one process, no broker


def _own_vhost(layout, state, transport_url):
    """The transport URL on a RabbitMQ virtual host of this cloud's own."""
    if not transport_url.startswith('rabbit'):
        return transport_url
    url, vhost, why_not = broker.make_own_vhost(transport_url)
    if vhost:
        state['rabbit_vhost'] = vhost
        layout.write_state(state)
        step(f'RabbitMQ virtual host {vhost} (down deletes it with its '
             'queues)')
    else:
        step(f'No RabbitMQ virtual host of its own ({why_not}): its queues '
             'will stay on the broker after down')
    return url


def _run_step(layout, name, argv):
    """Run a command to its end, its output in logs/<name>.log."""
    log_file = layout.logs / f'{name}.log'
    with open(log_file, 'ab') as out:
        result = subprocess.run(argv, stdin=subprocess.DEVNULL, stdout=out,
                                stderr=subprocess.STDOUT,
                                env=dict(os.environ, PYTHONWARNINGS='ignore'))
    if result.returncode:
        raise StepFailed(f'{name} failed with {result.returncode}: '
                         f'{processes.last_error(log_file)}', log_file)


def _make_private_dirs(layout):
    """The run directory and what an earlier run left there: owner only.

    It holds passwords (configuration files, clouds.yaml) and bid data
    (databases, logs).
    """
    for path in (layout.root, layout.logs, layout.pids, layout.etc):
        path.mkdir(parents=True, exist_ok=True)
    for path in [layout.root, *layout.root.rglob('*')]:
        if path.is_symlink():
            continue
        path.chmod(0o700 if path.is_dir() else 0o600)


def _script(name):
    return str(pathlib.Path(sys.executable).with_name(name))


def _spawn(layout, name, script, service):
    argv = [_script(script), '--config-file', str(layout.conf(service))]
    own = layout.etc / f'{name}.conf'
    if name != script and own.exists():
        argv += ['--config-file', str(own)]
    return processes.spawn(name, argv, layout.pids, layout.logs,
                           env=dict(os.environ, PYTHONWARNINGS='ignore'))


def _process_names(state):
    if 'processes' in state:
        return state['processes']
    return ([s for s, _ in SEPARATE] if state.get('separate')
            else [SERVE_PROCESS])


# The market manager answers the other services' calls: it stops after
# those that call it on their own (the engines' rounds, the provider
# manager's periodic tasks), or a caller stopped later could be waiting on a
# call it no longer answers (and ignore SIGTERM until killed). The APIs call
# only while they serve a request, and uWSGI gives a request 2 s at most when
# stopped: they stop alongside. Ironic stops once the processes that call it
# have; Keystone, which every service calls, last.
LAST_TO_STOP = ('flocx-market-manager',)
IRONIC_CALLERS = ('flocx-provider-manager', SERVE_PROCESS)


def _calls_on_its_own(name):
    return name.startswith(ENGINE) or name == 'flocx-provider-manager'


def down(layout):
    """Stop everything, each process as soon as its callers have stopped."""
    started = time.monotonic()
    state = layout.state()
    names = _process_names(state)
    say_lock = threading.Lock()

    def stop(name, pid_dir, must_contain, after=(), label=None):
        for future in after:
            future.result()
        result = processes.stop(label or name, pid_dir / f'{name}.pid',
                                must_contain,
                                master_of_workers=name == 'ironic')
        with say_lock:
            step(str(result))
        return result

    def flocx(name, after=()):
        return pool.submit(stop, name, layout.pids, str(layout.root), after)

    def openstack(name, after, run_dir=layout.openstack, label=None):
        return pool.submit(stop, name, run_dir / 'pids', str(run_dir), after,
                           label)

    with concurrent.futures.ThreadPoolExecutor(len(names) + 5) as pool:
        # Cloud 2's provider calls the market's API: it stops first, so
        # that its last call does not meet a market stopping.
        member_provider = [flocx(n) for n in names
                           if n == MEMBER_PROVIDER_PROCESS]
        first = {n: flocx(n, after=member_provider) for n in names
                 if n not in LAST_TO_STOP and n != MEMBER_PROVIDER_PROCESS}
        callers = [future for n, future in first.items()
                   if _calls_on_its_own(n)]
        last = [flocx(n, after=callers) for n in names if n in LAST_TO_STOP]
        services = [*member_provider, *first.values(), *last]
        ironic = openstack('ironic', after=[
            future for n, future in first.items() if n in IRONIC_CALLERS])
        keystone = openstack('keystone', after=services)
        member = []
        if layout.member_openstack.exists():
            # Cloud 2's: the market validates its tokens until it stops.
            member = [openstack(name, services, layout.member_openstack,
                                f'cloud-2 {name}')
                      for name in OPENSTACK_PROCESSES]
        vhost = state.get('rabbit_vhost')
        if vhost:
            # With every process that used it stopped.
            for future in services:
                future.result()
            broker.delete_vhost(vhost)
            with say_lock:
                step(f'deleted RabbitMQ virtual host {vhost} and its queues')
            state.pop('rabbit_vhost')
            layout.write_state(state)
        for future in (*services, ironic, keystone, *member):
            future.result()
    step(f'FLOCX stopped in {time.monotonic() - started:.1f} s')


# Keystone and Ironic, as flocx_local.openstack runs them.
OPENSTACK_PROCESSES = ('ironic', 'keystone')


def _openstack_pids(layout, member=False):
    """{name: pid or None} of cloud 1's Keystone and Ironic, and with
    ``member`` cloud 2's (named cloud-2-keystone, cloud-2-ironic)."""
    dirs = {'': layout.openstack}
    if member:
        dirs['cloud-2-'] = layout.member_openstack
    return {prefix + name: processes.running_pid(
                run_dir / 'pids' / f'{name}.pid', str(run_dir))
            for prefix, run_dir in dirs.items()
            for name in OPENSTACK_PROCESSES}


def status(layout):
    state = layout.state()
    names = _process_names(state)
    running = {name: processes.running_pid(layout.pids / f'{name}.pid',
                                           str(layout.root))
               for name in names}
    running.update(_openstack_pids(layout, state.get('clouds', 1) > 1))
    shown = {'processes': running, 'urls': state.get('urls')}
    if state.get('clouds', 1) > 1:
        shown['clouds'] = {
            'cloud-1': _cloud_urls(layout.openstack),
            'cloud-2': _cloud_urls(layout.member_openstack)}
    print(json.dumps(shown, indent=1))
    return 0 if all(running.values()) else 3


def _cloud_urls(run_dir):
    # flocx_local.openstack.STATE_FILE; not imported: status starts at once.
    state_file = run_dir / 'local-openstack.json'
    if not state_file.exists():
        return None
    state = json.loads(state_file.read_text())
    return {k: state.get(k) for k in ('auth_url', 'ironic_url',
                                      'clouds_yaml')}


def print_usage(layout, cloud, urls, free_node=None, member=None):
    if member:
        print_two_clouds_usage(layout, cloud, urls, member)
        return
    venv = pathlib.Path(sys.prefix)
    node = free_node or '<node>'
    print(f'''
FLOCX is running on loopback:
  Keystone     {cloud.auth_url}
  Ironic       {cloud.ironic_url}
  marketplace  {urls['marketplace']}
  auction      {urls['auction']}
  provider     {urls['provider']}
  logs         {layout.logs}

Use it as the demo organizations (org-a owns nodes, org-b rents):
  source {venv}/bin/activate
  export OS_CLIENT_CONFIG_FILE={cloud.clouds_yaml}
  openstack --os-cloud flocx-org-a-member market offer create \\
      --node {node} --start now --end +4h --price 1.5
  openstack --os-cloud flocx-org-b-member market bid create --quantity 1 \\
      --resource-class baremetal --constraint 'memory_mb>=8192' \\
      --start +5m --duration 1h --price 3
  openstack --os-cloud flocx-admin market round start
  openstack --os-cloud flocx-org-b-member market contract list
  openstack --os-cloud flocx-org-b-member baremetal node list

Stop it with: {ROOT / 'tools' / 'flocx-local.sh'} down{_dir_option(layout)}
''', flush=True)


def print_two_clouds_usage(layout, cloud, urls, member):
    venv = pathlib.Path(sys.prefix)
    print(f'''
FLOCX is running on loopback, with two clouds:
  cloud-1 (the market's home)  Keystone {cloud.auth_url}
                               Ironic   {cloud.ironic_url}
  cloud-2 (a member cloud)     Keystone {member.auth_url}
                               Ironic   {member.ironic_url}
  marketplace  {urls['marketplace']}
  auction      {urls['auction']}
  provider     {urls['provider']} (cloud-1's nodes)
  provider     {urls['member_provider']} (cloud-2's nodes)
  logs         {layout.logs}

Cloud-1's users are in {cloud.clouds_yaml},
cloud-2's in {member.clouds_yaml}.
Cloud-1's organizations are org-a (owns nodes), org-b and org-c;
cloud-2's org-d (owns nodes) and org-e. Rent a node of cloud-1 as
cloud-2's org-e:
  source {venv}/bin/activate
  export OS_CLIENT_CONFIG_FILE={member.clouds_yaml}
  openstack --os-cloud flocx-org-e-member --os-market-cloud cloud-2 \\
      market bid create --quantity 1 --resource-class baremetal \\
      --start +5m --duration 1h --price 3
  openstack --os-cloud flocx-org-e-member --os-market-cloud cloud-2 \\
      market contract access show <contract>

Stop it with: {ROOT / 'tools' / 'flocx-local.sh'} down{_dir_option(layout)}
''', flush=True)


ROOT = pathlib.Path(__file__).resolve().parents[1]


def _dir_option(layout):
    default = (pathlib.Path.cwd() / DEFAULT_DIR).resolve()
    return '' if layout.root == default else f' --dir {layout.root}'


def step(message):
    print(f'[flocx-local {time.strftime("%H:%M:%S")}] {message}', flush=True)


def main(argv=None):
    parser = argparse.ArgumentParser(prog='flocx-local',
                                     description=__doc__.split('\n\n')[0])
    parser.add_argument('command', nargs='?', default='up',
                        choices=('up', 'down', 'status', 'demo', 'serve',
                                 'serve-provider'))
    parser.add_argument('--dir', default=os.environ.get('FLOCX_LOCAL_DIR',
                                                        DEFAULT_DIR),
                        help='run directory (default: %(default)s)')
    parser.add_argument('--transport-url',
                        help='oslo.messaging URL, e.g. '
                             'rabbit://guest:guest@127.0.0.1:5672/; implies '
                             '--separate')
    parser.add_argument('--database-url',
                        help='SQLAlchemy URL for the market and provider '
                             'databases; "{service}" in it is replaced by '
                             'the service name')
    parser.add_argument('--separate', action='store_true',
                        help='one process per service (needs a broker)')
    parser.add_argument('--api-workers', type=int, default=1, metavar='N',
                        help='market API worker processes ([api] workers; '
                             'with --separate)')
    parser.add_argument('--engines', type=int, default=1, metavar='N',
                        help='auction engine processes, one leading at a '
                             'time (with --separate; give more than one a '
                             '--coordination-url)')
    parser.add_argument('--coordination-url', metavar='URL',
                        help='tooz URL the engines elect their leader '
                             'through ([auction] coordination_url), e.g. '
                             'redis://127.0.0.1:6379?timeout=3')
    parser.add_argument('--round-interval', type=float, default=10,
                        metavar='S', help='seconds between two auction '
                        'rounds (default: %(default)s)')
    parser.add_argument('--clouds', type=int, default=1, metavar='N',
                        help='1: one cloud (the default); 2: a second '
                             'cloud with its own Keystone, Ironic and '
                             'organizations, a member cloud of the market; '
                             'its demo rents a node of cloud 1 to a renter '
                             'of cloud 2')
    parser.add_argument('--no-demo', action='store_true')
    parser.add_argument('--no-cache', action='store_true',
                        help='no snapshot of initialized Keystone/Ironic')
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.WARNING)
    # Everything the local cloud and its services write (passwords in
    # configuration files and clouds.yaml, bids in databases and logs) is
    # for the owner only.
    os.umask(0o077)
    layout = Layout(args.dir)
    if args.command == 'serve':
        serve(layout)
        return 0
    if args.command == 'serve-provider':
        serve_member_provider(layout)
        return 0
    if args.command == 'down':
        down(layout)
        return 0
    if args.command == 'status':
        return status(layout)
    if args.command == 'demo':
        state = layout.state()
        from flocx_local import demo as demo_mod
        from flocx_local import openstack as local_openstack

        cloud = local_openstack.LocalOpenStack(layout.openstack)
        if state.get('clouds', 1) > 1:
            member = local_openstack.LocalOpenStack(layout.member_openstack)
            demo_mod.run_two_clouds(cloud, member, state['urls'], say=step)
        else:
            demo_mod.run(cloud, state['urls'], say=step)
        return 0
    if args.separate and not args.transport_url:
        parser.error('--separate needs --transport-url: the in-process '
                     'transport cannot cross processes')
    if (args.engines > 1 or args.api_workers > 1) and not args.transport_url:
        parser.error('--engines and --api-workers need --transport-url: '
                     'only separate processes have them')
    if args.engines < 1 or args.api_workers < 1:
        parser.error('--engines and --api-workers must be at least 1')
    if args.clouds not in (1, 2):
        parser.error(f'--clouds {args.clouds}: one or two clouds are '
                     'supported (1, the default, or 2)')
    if any(_openstack_pids(layout, member=True).values()):
        parser.error(f'a local FLOCX is already running in {layout.root}; '
                     'run "flocx-local down" first')
    try:
        up(args, layout)
    except (StepFailed, processes.ServiceError) as e:
        _failed(layout, str(e), e.log_file)
        return 1
    except KeyboardInterrupt:
        _failed(layout, 'interrupted', None)
        return 130
    except Exception as e:
        # Not a step we know: the traceback goes to a log, not the terminal.
        log_file = layout.logs / 'flocx-local.log'
        log_file.parent.mkdir(parents=True, exist_ok=True)
        with open(log_file, 'a') as f:
            f.write(f'{time.strftime("%Y-%m-%d %H:%M:%S")} up failed\n')
            traceback.print_exc(file=f)
        _failed(layout, f'{type(e).__name__}: {e}', log_file)
        return 1
    return 0


def _failed(layout, message, log_file):
    step('up failed: ' + ' '.join(message.split()))
    if log_file:
        step(f'full log: {pathlib.Path(log_file).resolve()}')
    step('Stopping what was started')
    down(layout)


if __name__ == '__main__':
    sys.exit(main())
